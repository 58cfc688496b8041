//! Experiments: one validated config type shared by the page and the CLI, a resumable
//! runner that works in chunks, and the metrics it reports.

pub mod config;
pub mod form;
pub mod policy_file;
pub mod presets;
pub mod provenance;
pub mod results;
pub mod run;
pub mod share;
pub mod stats;

pub use config::{ConfigError, DataSource, EnvConfig, ExperimentConfig, ValidConfig};
pub use policy_file::PolicyFile;
pub use results::{MethodRun, MethodSummary, OnlineStats, Results};
pub use run::{Experiment, LlmTicket, Progress};
pub use stats::{MeanStd, PolicySummary};

use crate::env::coat::{CoatFiles, DataError};
use crate::env::{synthetic, World};

/// Reads a JSON file of type `T`; the error says it is not `what` ("a results file") and
/// names the JSON path of the first bad value.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." || path.is_empty() {
            format!("not {what}: {}", e.into_inner())
        } else {
            format!("not {what}: {path}: {}", e.into_inner())
        }
    })
}

/// Why a world could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorldError {
    #[error("real Coat data was chosen but no files were given: load {0}")]
    NoRealFiles(String),
    #[error(transparent)]
    Data(#[from] DataError),
}

/// The world a config asks for: generated from its seed, or loaded from `real`.
pub fn build_world(config: &ValidConfig, real: Option<&CoatFiles>) -> Result<World, WorldError> {
    match (config.synthetic, real) {
        (Some(params), _) => Ok(synthetic::generate(params)),
        (None, Some(files)) => Ok(files.load()?),
        (None, None) => Err(WorldError::NoRealFiles(
            crate::env::coat::CoatFile::ALL
                .iter()
                .map(|f| f.file_name())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}
