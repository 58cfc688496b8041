//! What a method is ([`MethodSpec`]) and what a run hands it to build its learner
//! ([`Build`], with the config's [`Settings`] and, for a method that deploys another's
//! policy, that [`Pretrained`] policy).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Learning, Method, Source};
use crate::adapt::AdaptConfig;
use crate::env::world::WorldInfo;
use crate::env::Environment;
use crate::ialp::pretrain::LearntReward;
use crate::ialp::IalpConfig;
use crate::learner::Learner;
use crate::policy::a2c::{A2cAgent, A2cConfig};
use crate::policy::deployable::Deployable;
use crate::policy::state::{StateConfig, StateTracker};
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

/// Constants of the baselines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BaselineConfig {
    /// ε of ε-greedy.
    pub epsilon: f64,
    /// Exploration weight c of UCB.
    pub ucb_c: f64,
    /// Weight of the DORL-style entropy bonus (entropy of the categories in the quit
    /// window, divided by ln N, added to each step's reward).
    pub dorl_entropy: f32,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        Self {
            epsilon: 0.1,
            ucb_c: 1.0,
            dorl_entropy: 1.0,
        }
    }
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
