//! A trained network as another run can deploy it: its weights and what they fit (the
//! world's catalogue and the state features). Method `imported` deploys one read from a
//! policy file (`experiment/policy_file.rs`, which adds the run's config and provenance).

use crate::nn::weights::NetWeights;
use super::state::StateConfig;
use crate::env::world::WorldInfo;
use crate::env::Preset;

/// The weights of a trained actor-critic and what they were trained for.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployable {
    pub world: WorldInfo,
    pub state: StateConfig,
    pub weights: NetWeights,
}

/// Why a policy cannot act in a run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Misfit {
    #[error("the policy recommends among {items} items of {}; this run's world has {here_items} items of {}", preset.label(), here_preset.label())]
    Catalogue {
        items: usize,
        preset: Preset,
        here_items: usize,
        here_preset: Preset,
    },
    #[error("the policy was trained with other state settings (state.*): set them as in the policy's run")]
    State,
}

impl Deployable {
    /// Whether it can act in a run on `world` with state features `state`: same
    /// catalogue and the same state features. The error says what differs.
    pub fn fits(&self, world: &WorldInfo, state: &StateConfig) -> Result<(), Misfit> {
        if self.world.items != world.items || self.world.preset != world.preset {
            return Err(Misfit::Catalogue {
                items: self.world.items,
                preset: self.world.preset,
                here_items: world.items,
                here_preset: world.preset,
            });
        }
        if self.state != *state {
            return Err(Misfit::State);
        }
        Ok(())
    }
}
