//! Recommendation policies. A policy sees the environment (never the ground truth it
//! would not see in production, except where a baseline is defined that way) and the
//! episode so far, and picks the next item among those the mode allows.

pub mod baselines;

use serde::{Deserialize, Serialize};

use crate::env::{Environment, Episode, World};
use crate::rng::SimRng;

pub use baselines::{MostPopular, RandomPolicy};

/// Something that recommends one item per step.
pub trait Policy {
    /// Picks the next item for `episode`; it must be allowed by the environment's mode.
    fn act(&mut self, env: &Environment, episode: &Episode, rng: &mut SimRng) -> usize;
}

/// The policies a config can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Uniform over the allowed items.
    Random,
    /// Items in order of how often they appear in the offline log.
    Popular,
}

impl PolicyKind {
    pub const ALL: [PolicyKind; 2] = [PolicyKind::Random, PolicyKind::Popular];

    pub fn id(self) -> &'static str {
        match self {
            PolicyKind::Random => "random",
            PolicyKind::Popular => "popular",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Random => "Random",
            PolicyKind::Popular => "Most popular",
        }
    }
    pub fn from_id(s: &str) -> Option<PolicyKind> {
        PolicyKind::ALL.into_iter().find(|p| p.id() == s)
    }

    /// A fresh policy for `world`.
    pub fn build(self, world: &World) -> Box<dyn Policy> {
        match self {
            PolicyKind::Random => Box::new(RandomPolicy),
            PolicyKind::Popular => Box::new(MostPopular::from_log(world)),
        }
    }
}
