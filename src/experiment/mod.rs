//! Experiments: one validated config type shared by the page and the CLI, a resumable
//! runner that works in chunks, and the metrics it reports.

pub mod bounds;
mod check;
pub mod config;
pub mod cost;
pub mod delta;
pub mod embed;
pub mod form;
pub mod paired;
pub mod policy_file;
pub mod presets;
pub mod provenance;
pub mod results;
pub mod run;
pub mod settings;
pub mod share;
pub mod stats;
pub mod sweep;

pub use config::{ConfigError, DataSource, EnvConfig, ExperimentConfig, ValidConfig};
pub use crate::policy::deployable::Misfit;
pub use policy_file::PolicyFile;
pub use results::{MethodRun, MethodSummary, OnlineStats, Results};
pub use run::{Checkpoint, Experiment, LlmTicket, Progress, ResumeError};
pub use stats::{MeanStd, PolicySummary};

use crate::env::real::DataError;
use crate::env::{synthetic, Preset, World};

/// Why a results or policy file the user gave cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    /// Not JSON of the right shape; `at` is the JSON path of the first bad value.
    #[error("not {what}: {}{problem}", at.as_ref().map(|p| format!("{p}: ")).unwrap_or_default())]
    Shape {
        what: &'static str,
        at: Option<String>,
        problem: String,
    },
    #[error("not a policy file (format {0:?})")]
    Format(String),
    #[error("a policy file of version {found}; this version reads version {reads}")]
    Version { found: u32, reads: u32 },
    #[error(transparent)]
    Weights(#[from] crate::nn::weights::WeightsError),
    #[error("the config in the file is not valid here: {0}")]
    Config(#[from] ConfigError),
}

/// Reads a JSON file of type `T`; the error says it is not `what` ("a results file") and
/// names the JSON path of the first bad value.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &'static str,
) -> Result<T, FileError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        FileError::Shape {
            what,
            at: Some(path).filter(|p| p != "." && !p.is_empty()),
            problem: e.into_inner().to_string(),
        }
    })
}

/// Why a world could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorldError {
    #[error("real {} data was chosen but none is loaded: load {}", .0.id(), crate::env::real::expected_files(*.0).join(", "))]
    NoRealFiles(Preset),
    #[error("the loaded data is {loaded}, but the config asks for {wanted}: load the {wanted} files")]
    WrongData { loaded: &'static str, wanted: &'static str },
    #[error(transparent)]
    Data(#[from] DataError),
}

/// The world a config asks for: generated from its seed, or `real` (a loaded data set,
/// see [`crate::env::real::load`]) cut down as the config's `env.scale` says.
pub fn build_world(config: &ValidConfig, real: Option<&World>) -> Result<World, WorldError> {
    match (config.synthetic, real) {
        (Some(params), _) => Ok(synthetic::generate(params)),
        (None, Some(world)) if world.preset != config.preset() => Err(WorldError::WrongData {
            loaded: world.preset.label(),
            wanted: config.preset().label(),
        }),
        (None, Some(world)) => Ok(match config.subsample() {
            Some(sub) => crate::env::real::subsample(world, sub),
            None => world.clone(),
        }),
        (None, None) => Err(WorldError::NoRealFiles(config.preset())),
    }
}
