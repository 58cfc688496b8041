//! The A2C methods: Offline A2C (trained in the user-model world), A2C with a
//! DORL-style entropy bonus, and Online A2C (on the ground truth from scratch); and the
//! A2C learner that iALP, A-iALP_ft and the imported policy train with too.

use std::sync::Arc;

use super::{Build, MethodSpec};
use crate::learner::{Batch, Feedback, Ground, Learner};
use crate::env::{Episode, World};
use crate::ialp::pretrain::{mixed_reward, LearntReward};
use crate::policy::a2c::{A2c, A2cAgent};
use crate::policy::Policy;
use crate::methods::{Learning, Method};
use crate::rng::{self, Stream};

/// An A2C agent trained on whole episodes, in the user-model world or on the truth.
pub struct A2cLearner {
    pub agent: A2cAgent,
    pub on: Ground,
    /// Weight of the DORL-style bonus (the categories' entropy in the quit window).
    pub entropy_bonus: f32,
    /// iALP: λ and `R_φ`, once fitted; the reward is then `(1 − λ)·R̂ + λ·R_φ`.
    pub mixed: Option<(f32, Arc<LearntReward>)>,
    lambda: f32,
}

impl A2cLearner {
    pub fn new(agent: A2cAgent, on: Ground) -> Self {
        Self {
            agent,
            on,
            entropy_bonus: 0.0,
            mixed: None,
            lambda: 0.0,
        }
    }

    /// A fresh network for `b`'s run, seeded by the method's networks stream.
    pub fn fresh(b: &Build, on: Ground) -> Self {
        let tracker = b.tracker();
        let net = A2c::new(
            tracker.state_dim(),
            b.truth.world().n_items(),
            b.config.a2c,
            rng::seed_for(b.seed, Stream::Networks, b.method.index()),
        );
        Self::new(A2cAgent { net, tracker }, on)
    }

    /// Pre-trains on the mixed reward with weight `lambda` once `R_φ` is fitted.
    pub fn mixing(mut self, lambda: f32) -> Self {
        self.lambda = lambda;
        self
    }
}

impl Learner for A2cLearner {
    fn policy(&mut self) -> &mut dyn Policy {
        &mut self.agent
    }

    fn batch(&self, room: usize) -> Batch {
        Batch {
            on: self.on,
            episodes: room.min(self.agent.net.config().episodes_per_update),
            observes_steps: false,
        }
    }

    fn learn(&mut self, eps: &[Episode], fb: &Feedback) -> Vec<crate::learner::Repair> {
        let bonus = self.entropy_bonus;
        let window = fb.quit_window;
        let learnt = self
            .mixed
            .as_ref()
            .map(|(lambda, r)| (*lambda, r.of_episodes(&self.agent.tracker, eps)));
        let batch = self.agent.transitions(eps, fb.masks_repeats, |k, ep, t| {
            let r = match &learnt {
                Some((lambda, rphi)) => mixed_reward(*lambda, ep.rewards[t], rphi[k][t]),
                None => fb.seen(ep.rewards[t]),
            };
            r + if bonus > 0.0 {
                bonus
                    * category_entropy(
                        fb.world,
                        &ep.items[t.saturating_sub(window.saturating_sub(1))..=t],
                    )
            } else {
                0.0
            }
        });
        self.agent.net.update(&batch);
        Vec::new()
    }

    fn reward_learnt(&mut self, reward: Arc<LearntReward>) {
        self.mixed = Some((self.lambda, reward));
    }

    fn network(&self) -> Option<&A2cAgent> {
        Some(&self.agent)
    }
}

pub const OFFLINE_A2C: MethodSpec = MethodSpec::baseline(
    Method::OfflineA2c,
    "offline_a2c",
    "Offline A2C",
    Learning::Offline,
    |b| Ok(Box::new(A2cLearner::fresh(b, Ground::UserModel))),
);

pub const DORL_A2C: MethodSpec = MethodSpec::baseline(
    Method::DorlA2c,
    "dorl_a2c",
    "A2C + DORL entropy",
    Learning::Offline,
    |b| {
        let mut l = A2cLearner::fresh(b, Ground::UserModel);
        l.entropy_bonus = b.config.baselines.dorl_entropy;
        Ok(Box::new(l))
    },
);

pub const ONLINE_A2C: MethodSpec = MethodSpec::baseline(
    Method::OnlineA2c,
    "online_a2c",
    "Online A2C",
    Learning::Online,
    |b| Ok(Box::new(A2cLearner::fresh(b, Ground::Truth))),
);

/// Entropy of the item categories among `items`, divided by ln(len) so it lies in
/// [0, 1]: the DORL-style diversity bonus (our reconstruction).
pub fn category_entropy(world: &World, items: &[usize]) -> f32 {
    if items.len() < 2 {
        return 0.0;
    }
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for &i in items {
        let c = world.items[i].category;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let n = items.len() as f64;
    let h: f64 = counts
        .iter()
        .map(|(_, k)| *k as f64 / n)
        .map(|p| -p * p.ln())
        .sum();
    (h / n.ln()) as f32
}
