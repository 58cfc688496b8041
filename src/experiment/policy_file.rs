//! A trained policy as a file: the actor-critic's weights plus where they came from (the
//! run's config, the world, the method and seed). The page and `ialp run` export one per
//! trained A2C-based method and seed; method `imported` deploys one on the ground truth
//! and fine-tunes it online.

use serde::{Deserialize, Serialize};

use super::config::ExperimentConfig;
use crate::env::world::WorldInfo;
use super::FileError;
use crate::nn::weights::NetWeights;
use crate::policy::deployable::Deployable;
use crate::methods::Method;

/// The `format` field of every policy file.
pub const POLICY_FORMAT: &str = "ialp-policy";
/// The current version of the format.
pub const POLICY_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyFile {
    pub format: String,
    pub version: u32,
    /// The method that trained it, and the seed of its run.
    pub method: Method,
    pub seed: u64,
    /// R_tra of its last evaluation on the ground truth.
    pub r_tra: Option<f64>,
    /// The config of the run that trained it (state features and world come from it).
    pub config: ExperimentConfig,
    pub world: WorldInfo,
    pub weights: NetWeights,
}

impl PolicyFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a policy serialises")
    }

    /// Reads and checks a policy file: its size, format and version, its weights'
    /// shapes (claimed sizes bounded before use), its embedded config (checked like any
    /// config), and that the weights are the network that config and world describe.
    /// The error says what is wrong.
    pub fn from_json(text: &str) -> Result<PolicyFile, FileError> {
        crate::limits::check_size("the policy file", text.len() as u64, crate::limits::POLICY_FILE_BYTES)
            .map_err(|e| FileError::Shape { what: "a usable policy file", at: None, problem: e.to_string() })?;
        let p: PolicyFile = super::read_json(text, "a policy file")?;
        if p.format != POLICY_FORMAT {
            return Err(FileError::Format(p.format));
        }
        if p.version != POLICY_VERSION {
            return Err(FileError::Version {
                found: p.version,
                reads: POLICY_VERSION,
            });
        }
        p.weights.check()?;
        p.config.clone().check()?;
        let mismatch = |problem: String| FileError::Shape { what: "a consistent policy file", at: Some("weights".into()), problem };
        if p.weights.hidden != p.config.a2c.hidden {
            return Err(mismatch(format!(
                "the network is {} wide, but its config's a2c.hidden is {}",
                p.weights.hidden, p.config.a2c.hidden
            )));
        }
        if p.weights.n_items != p.world.items {
            return Err(mismatch(format!(
                "the actor scores {} items, but its world has {}",
                p.weights.n_items, p.world.items
            )));
        }
        Ok(p)
    }

    /// A short description for messages and tables.
    pub fn describe(&self) -> String {
        format!(
            "{} (seed {}) trained on {} · {} users × {} items{}",
            self.method.label(),
            self.seed,
            self.world.preset.label(),
            self.world.users,
            self.world.items,
            self.r_tra
                .map(|r| format!(" · R_tra {r:.2} at its last evaluation"))
                .unwrap_or_default()
        )
    }

    /// What method `imported` deploys of it: the weights and what they fit (whether
    /// they fit a run is [`Deployable::fits`]).
    pub fn into_deployable(self) -> Deployable {
        Deployable {
            world: self.world,
            state: self.config.state,
            weights: self.weights,
        }
    }
}
