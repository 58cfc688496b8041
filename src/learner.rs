//! The contract between the runner and a method's learner: what a learner is asked
//! ([`Learner`]: its policy, the next [`Batch`] and on which [`Ground`], learning from a
//! batch's episodes with its [`Feedback`]) and what it may report ([`Repair`]s). Both
//! `methods/` (which builds learners) and `adapt/` (A-iALP_ap's learner) stand on it;
//! the runner (`experiment/`) loops over `Box<dyn Learner>` and knows no method.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::env::{Episode, World};
use crate::ialp::pretrain::LearntReward;
use crate::policy::a2c::A2cAgent;
use crate::policy::Policy;

/// Episodes played in lockstep per chunk of an evaluation or of bandit learning.
pub const BATCH: usize = 32;

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
    fn learn(&mut self, _episodes: &[Episode], _feedback: &Feedback) -> Vec<Repair> {
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

/// A repair, as shown on the curve and in results.json.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    /// Online episodes played when it happened.
    pub online_episode: usize,
    pub moving_average: f64,
    pub anchor_return: f64,
    /// The KL weight from then on.
    pub kl_weight: f32,
}
