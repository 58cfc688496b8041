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
mod method;
pub mod twins;

pub use method::{Learning, Method, Source};

use std::sync::Arc;

use crate::env::Environment;
use crate::learner::Learner;
use crate::adapt::AdaptConfig;
use crate::env::world::WorldInfo;
use crate::ialp::pretrain::LearntReward;
use crate::ialp::IalpConfig;
use crate::policy::a2c::{A2cAgent, A2cConfig};
use crate::policy::deployable::Deployable;
use crate::policy::state::{StateConfig, StateTracker};
use baselines::BaselineConfig;
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

/// The parts of a run's config the methods read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub a2c: A2cConfig,
    pub state: StateConfig,
    pub baselines: BaselineConfig,
    pub ialp: IalpConfig,
    pub adapt: AdaptConfig,
}

/// What a run shares with the methods it builds.
pub struct Build<'a> {
    pub method: Method,
    /// The settings methods read (sub-configs of the run's config).
    pub config: Settings,
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
    pub imported: Option<&'a Deployable>,
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
