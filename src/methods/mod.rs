//! The methods an experiment compares, each described once: [`MethodSpec`] says what a
//! method is (its id, label, how it learns, what it needs) and how to build its
//! [`Learner`] for a run; [`SPECS`] lists them all, in [`Method::ALL`]'s order. The runner
//! (`experiment/run.rs`), the config check, links, presets, the page's method list and
//! the CLI read this table instead of matching on methods.
//!
//! Adding a method: a variant at the end of [`Method`] (its position seeds its random
//! streams), a file here with its spec and learner, and its line in [`SPECS`].

pub mod a2c;
pub mod a_ialp;
pub mod baselines;
pub mod ialp;
pub mod imported;
pub mod twins;

use std::sync::Arc;

use crate::env::{Environment, Episode, World};
use crate::experiment::policy_file::PolicyFile;
use crate::experiment::provenance::Source;
use crate::experiment::results::WorldInfo;
use crate::experiment::ExperimentConfig;
use crate::ialp::pretrain::LearntReward;
use crate::policy::a2c::A2cAgent;
use crate::policy::state::StateTracker;
use crate::policy::{Learning, Method, Policy};
use crate::user_model::UserModel;

/// One method, described once.
pub struct MethodSpec {
    pub method: Method,
    /// The id in configs, links and files.
    pub id: &'static str,
    pub label: &'static str,
    pub learning: Learning,
    /// Where the method comes from (the "Paper or reconstruction?" panel has the details).
    pub source: Source,
    /// Asks an LLM: a distillation runs before it trains (costs requests with a key).
    pub uses_llm: bool,
    /// Deploys the trained policy (and `R_φ`, if any) of this method, run earlier in the
    /// same run: the config check makes sure it is listed before.
    pub deploys: Option<Method>,
    /// For a method that uses an LLM's distillation: the same method without it (its
    /// no-LLM twin), compared seed by seed in "does the LLM help?"
    /// (`experiment/paired.rs`).
    pub without_llm: Option<Method>,
    /// Builds its learner for one run.
    pub build: fn(&Build) -> Built,
}

impl MethodSpec {
    /// A method from the paper's tables that asks no LLM and deploys nothing: the
    /// baselines and the A2C learners.
    pub const fn baseline(
        method: Method,
        id: &'static str,
        label: &'static str,
        learning: Learning,
        build: fn(&Build) -> Built,
    ) -> MethodSpec {
        MethodSpec {
            method,
            id,
            label,
            learning,
            source: Source::Method,
            uses_llm: false,
            deploys: None,
            without_llm: None,
            build,
        }
    }
}

/// A learner, or why the method cannot run here (the experiment halts with the reason;
/// the learner given then only keeps the runner's bookkeeping whole).
pub type Built = Result<Box<dyn Learner>, (String, Box<dyn Learner>)>;

/// Every method, in [`Method::ALL`]'s order.
pub const SPECS: [&MethodSpec; 14] = [
    &baselines::RANDOM,
    &baselines::POPULAR,
    &baselines::GREEDY,
    &baselines::EPSILON_GREEDY,
    &baselines::UCB,
    &a2c::OFFLINE_A2C,
    &a2c::DORL_A2C,
    &a2c::ONLINE_A2C,
    &ialp::IALP,
    &a_ialp::A_IALP_FT,
    &a_ialp::A_IALP_AP,
    &imported::IMPORTED,
    &twins::OFFLINE_A2C_FT,
    &twins::OFFLINE_A2C_AP,
];

/// The spec of `method`.
pub fn spec(method: Method) -> &'static MethodSpec {
    SPECS[method.index() as usize]
}

/// Whether a method among `methods` deploys `trained`'s policy (the runner then keeps it
/// when `trained` finishes).
pub fn deployed_by(trained: Method, methods: &[Method]) -> bool {
    methods.iter().any(|m| spec(*m).deploys == Some(trained))
}

/// Episodes played in lockstep per chunk of an evaluation or of bandit learning.
pub const BATCH: usize = 32;

/// What a run shares with the methods it builds.
pub struct Build<'a> {
    pub method: Method,
    pub config: &'a ExperimentConfig,
    /// The run's seed.
    pub seed: u64,
    pub model: &'a Arc<UserModel>,
    /// The ground truth.
    pub truth: &'a Environment,
    /// The trained policy (and `R_φ`) of the method this one deploys, from this run.
    pub pretrained: Option<&'a Pretrained>,
    /// The world, as results and policy files describe it.
    pub world_info: &'a WorldInfo,
    /// The policy file method `imported` deploys.
    pub imported: Option<&'a PolicyFile>,
}

impl Build<'_> {
    /// A fresh state tracker for this run's user model and world.
    pub fn tracker(&self) -> StateTracker {
        StateTracker::new(
            self.config.state,
            self.model,
            self.truth.world(),
            self.truth.settings().quit.n(),
        )
    }
}

/// A trained policy kept for the methods that deploy it later in the run.
pub struct Pretrained {
    pub method: Method,
    pub policy: A2cAgent,
    /// iALP's `R_φ`; `None` for a method that asks no LLM.
    pub reward: Option<Arc<LearntReward>>,
}

/// Which world a training batch is played in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// The ground truth: real users feel every step.
    Truth,
    /// The user-model world, with `R̂` as reward.
    UserModel,
}

/// The next training batch a learner wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub on: Ground,
    pub episodes: usize,
    /// The policy observes every step's feedback during the rollout (the bandits);
    /// otherwise it learns from the whole episodes afterwards ([`Learner::learn`]).
    pub observes_steps: bool,
}

/// What a learner is told about a training batch.
pub struct Feedback<'a> {
    pub world: &'a World,
    /// Whether the mode masks repeated items (the A2C masks follow it).
    pub masks_repeats: bool,
    /// The quit rule's window N (the DORL bonus looks at it).
    pub quit_window: usize,
    /// Online episodes this learner had played before the batch.
    pub trained: usize,
    /// Test-only: the feedback is negated (see `Experiment::corrupt_online_feedback`).
    pub corrupted: bool,
}

impl Feedback<'_> {
    /// A reward as the learner is told it.
    pub fn seen(&self, r: f32) -> f32 {
        if self.corrupted {
            -r
        } else {
            r
        }
    }
}

/// A method's policy in one run, and how it learns.
pub trait Learner {
    /// The policy that acts (in evaluations and training batches).
    fn policy(&mut self) -> &mut dyn Policy;

    /// The next training batch, at most `room` episodes.
    fn batch(&self, room: usize) -> Batch {
        Batch {
            on: Ground::Truth,
            episodes: room.min(BATCH),
            observes_steps: true,
        }
    }

    /// Set while a training batch is played (`true`) and back after (`false`).
    fn training(&mut self, _on: bool) {}

    /// Learns from a training batch's episodes; returns A-iALP_ap's repairs, if any.
    fn learn(&mut self, _episodes: &[Episode], _feedback: &Feedback) -> Vec<crate::adapt::Repair> {
        Vec::new()
    }

    /// An evaluation on the ground truth ended with this mean `R_tra`.
    fn evaluated(&mut self, _r_tra: f64) {}

    /// `R_φ` is fitted (iALP pre-trains on the mixed reward from then on).
    fn reward_learnt(&mut self, _reward: Arc<LearntReward>) {}

    /// The network, for policy files and for the methods that deploy it.
    fn network(&self) -> Option<&A2cAgent> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_method_all() {
        for (k, m) in Method::ALL.iter().enumerate() {
            assert_eq!(SPECS[k].method, *m, "{}", SPECS[k].id);
            assert_eq!(spec(*m).id, m.id());
            if let Some(d) = spec(*m).deploys {
                // What is deployed is a trained network.
                assert_eq!(spec(d).learning, Learning::Offline, "{}", spec(*m).id);
            }
        }
    }
}
