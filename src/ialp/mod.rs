//! iALP (METHOD.md §4): distil the LLM's preferences over sampled (user, state,
//! candidates) cases, learn the reward `R_φ` from them, and pre-train the actor-critic
//! in the user-model world with `r = (1 − λ)·R̂ + λ·R_φ` ([`pretrain`] drives the
//! distillation and fitting and holds the mixed reward; the A2C learner that trains on it
//! is `methods::ialp`'s).

pub mod agreement;
pub mod budget;
pub mod distill;
pub mod pretrain;
pub mod reward_model;

use serde::{Deserialize, Serialize};

pub use agreement::Agreement;
pub use budget::Estimate;
pub use distill::{DistillReport, Distillation};
pub use reward_model::{RewardModel, RewardModelConfig};

/// iALP's constants (ours unless METHOD.md gives them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IalpConfig {
    /// λ: weight of `R_φ` in the pre-training reward (0 = Offline A2C's reward).
    pub lambda: f32,
    /// (user, state) cases to have rated.
    pub states: usize,
    /// Share of cases built from the offline log; the rest from user-model rollouts.
    pub log_share: f64,
    /// Candidates per case.
    pub candidates: usize,
    /// Share of candidates from the user model's top items for the user.
    pub top_share: f64,
    /// Share of candidates from the most popular items; the rest are random.
    pub popular_share: f64,
    /// Share of cases held out of the reward model's training (agreement is measured on
    /// them).
    pub held_out_share: f64,
    /// Recent interactions shown per case (as the state tracker's window).
    pub history: usize,
    /// Also fit `R_φ` to the logged ratings of the log cases' users.
    pub mix_logged: bool,
    pub reward_model: RewardModelConfig,
}

impl Default for IalpConfig {
    fn default() -> Self {
        Self {
            lambda: 0.5,
            states: 200,
            log_share: 0.5,
            candidates: 10,
            top_share: 0.3,
            popular_share: 0.2,
            held_out_share: 0.2,
            history: 3,
            mix_logged: false,
            reward_model: RewardModelConfig::default(),
        }
    }
}
