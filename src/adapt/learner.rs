//! A-iALP_ap's learner: online A2C on the ground truth around a frozen anchor (iALP's
//! deployed policy), with the compromise detector, the repair (rollback, a growing KL
//! penalty toward the anchor, a smaller entropy weight) and exploration among the
//! items `R_φ` rates highest. Every `anchor_every` online episodes one training batch is
//! served by the anchor, to keep the estimate of its return current (its episodes are
//! real users' but off-policy for the online network, so they update the estimate only).
//! Every constant is in [`AdaptConfig`].

use std::sync::Arc;

use super::{AdaptConfig, AnchorPolicy, Check, CompromiseDetector, KlSchedule};
use crate::learner::Repair;
use crate::env::{Environment, Episode};
use crate::ialp::pretrain::LearntReward;
use crate::learner::{Batch, Feedback, Ground, Learner};
use crate::policy::a2c::A2cAgent;
use crate::policy::Policy;
use crate::rng::{self, SimRng};

/// A-iALP_ap: the online policy, its anchor, and the adaptive state.
pub struct ApLearner {
    pub agent: A2cAgent,
    pub anchor: A2cAgent,
    config: AdaptConfig,
    /// Set by the evaluation at deployment, which measures the anchor.
    detector: Option<CompromiseDetector>,
    kl: KlSchedule,
    entropy: f32,
    base_entropy: f32,
    explore: f64,
    /// Only training steps explore among `R_φ`'s favourites; evaluations do not.
    exploring: bool,
    preferred: Option<Arc<LearntReward>>,
    /// The next training batch is served by the anchor.
    probing: bool,
    /// Online-policy episodes since the anchor last served a batch.
    since_probe: usize,
}

impl ApLearner {
    /// Deploys `pretrained` (a copy online, a copy frozen as the anchor) with A2C's
    /// entropy weight `entropy` and iALP's `R_φ` to explore with.
    pub fn deploy(
        pretrained: &A2cAgent,
        config: AdaptConfig,
        entropy: f32,
        preferred: Option<Arc<LearntReward>>,
    ) -> Self {
        Self {
            agent: pretrained.deployed(),
            anchor: pretrained.deployed(),
            config,
            detector: None,
            kl: KlSchedule { weight: 0.0 },
            entropy,
            base_entropy: entropy,
            explore: config.llm_explore,
            exploring: false,
            preferred,
            probing: false,
            since_probe: 0,
        }
    }

    /// The anchor's return as estimated now (`None` before the deployment evaluation).
    pub fn anchor_return(&self) -> Option<f64> {
        self.detector.as_ref().map(|d| d.anchor().expected_return)
    }

    /// Whether the next training batch is served by the anchor.
    pub fn probing(&self) -> bool {
        self.probing
    }

    /// The KL weight toward the anchor now.
    pub fn kl_weight(&self) -> f32 {
        self.kl.weight
    }

    /// The entropy weight now.
    pub fn entropy_weight(&self) -> f32 {
        self.entropy
    }

    /// A compromise found: roll back to the anchor (if the config says so), tighten the
    /// KL penalty and lower the entropy weight.
    pub fn repair(&mut self) {
        if self.config.rollback {
            self.agent = self.anchor.deployed();
        }
        self.kl.on_repair(&self.config);
        self.entropy *= self.config.entropy_repair;
    }

    fn healthy(&mut self) {
        self.kl.on_healthy(&self.config);
        self.entropy = (self.entropy * self.config.entropy_recover).min(self.base_entropy);
    }
}

impl Policy for ApLearner {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize> {
        use rand::Rng;
        if self.exploring && self.probing {
            return self.anchor.act(env, episodes, rng);
        }
        let mut items = self.agent.act(env, episodes, rng);
        let Some(pref) = self
            .preferred
            .as_ref()
            .filter(|_| self.exploring && self.explore > 0.0)
        else {
            return items;
        };
        for (k, ep) in episodes.iter().enumerate() {
            if rng.random::<f64>() >= self.explore {
                continue;
            }
            // The items R_φ rates highest in this state, among those allowed.
            let allowed: Vec<usize> = (0..env.world().n_items())
                .filter(|&i| env.allowed(ep, i))
                .collect();
            let mut inputs = Vec::with_capacity(allowed.len() * pref.reward.input_dim());
            for &i in &allowed {
                self.agent.tracker.push_state(ep, ep.len(), &mut inputs);
                pref.features.push(ep.user, i, &mut inputs);
            }
            let scores = pref.reward.predict(&inputs);
            let mut order: Vec<usize> = (0..allowed.len()).collect();
            order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
            let top = self.config.llm_top.min(order.len()).max(1);
            items[k] = allowed[order[rng::index(rng, top)]];
        }
        items
    }
}

impl Learner for ApLearner {
    fn policy(&mut self) -> &mut dyn Policy {
        self
    }

    fn batch(&self, room: usize) -> Batch {
        Batch {
            on: Ground::Truth,
            episodes: room.min(self.agent.net.config().episodes_per_update),
            observes_steps: false,
        }
    }

    fn training(&mut self, on: bool) {
        self.exploring = on;
    }

    fn learn(&mut self, eps: &[Episode], fb: &Feedback) -> Vec<Repair> {
        if self.probing {
            // The anchor served these users: they measure it, and train nothing.
            self.probing = false;
            self.since_probe = 0;
            for _ in eps {
                self.explore *= self.config.llm_explore_decay;
            }
            if let (Some(d), false) = (self.detector.as_mut(), eps.is_empty()) {
                let mean = eps.iter().map(|e| e.r_tra()).sum::<f64>() / eps.len() as f64;
                d.anchor_measured(mean);
            }
            return Vec::new();
        }
        let batch = self
            .agent
            .transitions(eps, fb.masks_repeats, |_, ep, t| fb.seen(ep.rewards[t]));
        let anchor = (self.kl.weight > 0.0).then(|| {
            self.anchor
                .net
                .log_probabilities(&batch.states, &batch.masked, &batch.prior)
        });
        let kl = self.kl.weight;
        self.agent
            .net
            .update_with(&batch, self.entropy, anchor.as_deref().map(|p| (p, kl)));
        let mut repairs = Vec::new();
        for (k, ep) in eps.iter().enumerate() {
            self.explore *= self.config.llm_explore_decay;
            let Some(check) = self.detector.as_mut().map(|d| d.observe(ep.r_tra())) else {
                continue;
            };
            match check {
                Check::Healthy => self.healthy(),
                Check::Compromised(c) => {
                    self.repair();
                    repairs.push(Repair {
                        online_episode: fb.trained + k + 1,
                        moving_average: c.moving_average,
                        anchor_return: c.anchor_return,
                        kl_weight: self.kl.weight,
                    });
                }
                Check::None | Check::Warning => {}
            }
        }
        self.since_probe += eps.len();
        let every = self.config.anchor_every;
        if every > 0 && self.detector.is_some() && self.since_probe >= every {
            self.probing = true;
        }
        repairs
    }

    fn evaluated(&mut self, r_tra: f64) {
        // The evaluation at deployment measures the anchor.
        if self.detector.is_none() {
            self.detector = Some(CompromiseDetector::new(
                self.config,
                AnchorPolicy {
                    expected_return: r_tra,
                },
            ));
        }
    }

    fn network(&self) -> Option<&A2cAgent> {
        Some(&self.agent)
    }
}
