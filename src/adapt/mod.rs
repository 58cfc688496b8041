//! A-iALP (METHOD.md §5): deploying iALP's policy on the ground truth and adapting it.
//! A-iALP_ft fine-tunes with plain A2C (`methods::a_ialp`). A-iALP_ap adds, around
//! the same online A2C updates:
//! - an [`AnchorPolicy`]: the frozen iALP policy and a running estimate of its return:
//!   measured at deployment, then every `anchor_every` online episodes one training
//!   batch is served by the anchor instead (real users, counted in the online reward;
//!   not used to update the online policy) and the estimate moves `anchor_rate` of the
//!   way toward that batch's mean, so a shift in the users after deployment moves it;
//! - [`CompromiseDetector`]: the moving average of online returns below the anchor's by
//!   a margin at `patience` checks in a row means the online policy was compromised;
//! - repair: roll back to the anchor, and a KL penalty toward it whose weight grows at
//!   each repair and decays while things go well ([`KlSchedule`]);
//! - adaptive exploration: the entropy weight halves at a repair and recovers after, and
//!   with a probability that decays every episode a step explores among the items `R_φ`
//!   (the LLM's distilled preferences) rates highest.
//!
//! Every constant is ours (the abstract names the ideas only) and is in [`AdaptConfig`].
//! The learner itself, which the runner trains like any other, is [`ApLearner`].

pub mod learner;

use std::collections::VecDeque;

pub use learner::ApLearner;

use serde::{Deserialize, Serialize};

/// A-iALP_ap's constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdaptConfig {
    /// Online episodes in the moving average compared with the anchor's return.
    pub window: usize,
    /// Check for a compromise every this many online episodes.
    pub check_every: usize,
    /// Compromised when the moving average is below the anchor's return by this share.
    pub margin: f64,
    /// … at this many checks in a row.
    pub patience: usize,
    /// Repair by rolling the online policy back to the anchor (otherwise only the KL
    /// penalty pulls it back).
    pub rollback: bool,
    /// KL weight set at the first repair; it grows ×`kl_growth` at each further one (up
    /// to `kl_max`) and decays ×`kl_decay` at every healthy check.
    pub kl_weight: f32,
    pub kl_growth: f32,
    pub kl_max: f32,
    pub kl_decay: f32,
    /// Probability that a training step explores among `R_φ`'s top items, at deployment;
    /// multiplied by `llm_explore_decay` after every online episode.
    pub llm_explore: f64,
    pub llm_explore_decay: f64,
    /// How many of `R_φ`'s best items such a step chooses from.
    pub llm_top: usize,
    /// The entropy weight is multiplied by this at a repair (explore less while
    /// recovering) …
    pub entropy_repair: f32,
    /// … and by this at every healthy check, up to A2C's own weight.
    pub entropy_recover: f32,
    /// Serve one training batch with the anchor every this many online episodes, to keep
    /// its return's estimate current (0: the estimate is the deployment evaluation only).
    pub anchor_every: usize,
    /// How far each such batch moves the estimate toward its mean return (1: replace it).
    pub anchor_rate: f64,
}

impl Default for AdaptConfig {
    fn default() -> Self {
        Self {
            window: 50,
            check_every: 25,
            margin: 0.2,
            patience: 3,
            rollback: true,
            kl_weight: 0.5,
            kl_growth: 2.0,
            kl_max: 8.0,
            kl_decay: 0.8,
            llm_explore: 0.2,
            llm_explore_decay: 0.995,
            llm_top: 5,
            entropy_repair: 0.5,
            entropy_recover: 1.25,
            anchor_every: 100,
            anchor_rate: 0.5,
        }
    }
}

/// The running estimate of the frozen iALP policy's return: measured when it was
/// deployed, then updated from the batches the anchor serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnchorPolicy {
    pub expected_return: f64,
}

impl AnchorPolicy {
    /// A batch the anchor served returned `mean` on average: move the estimate `rate` of
    /// the way there.
    pub fn measured(&mut self, mean: f64, rate: f64) {
        self.expected_return += rate * (mean - self.expected_return);
    }
}

/// A detected compromise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Compromise {
    pub moving_average: f64,
    pub anchor_return: f64,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// Not a check yet (or not enough episodes).
    None,
    Healthy,
    /// Below the anchor, but not yet `patience` times in a row.
    Warning,
    Compromised(Compromise),
}

/// Watches the online returns against the anchor's.
#[derive(Debug, Clone)]
pub struct CompromiseDetector {
    config: AdaptConfig,
    anchor: AnchorPolicy,
    recent: VecDeque<f64>,
    since_check: usize,
    strikes: usize,
}

impl CompromiseDetector {
    pub fn new(config: AdaptConfig, anchor: AnchorPolicy) -> Self {
        Self {
            config,
            anchor,
            recent: VecDeque::new(),
            since_check: 0,
            strikes: 0,
        }
    }

    /// The anchor's return as estimated now.
    pub fn anchor(&self) -> AnchorPolicy {
        self.anchor
    }

    /// The anchor served a batch whose mean return was `mean` (see [`AnchorPolicy::measured`]).
    pub fn anchor_measured(&mut self, mean: f64) {
        self.anchor.measured(mean, self.config.anchor_rate);
    }

    /// Takes one online episode's R_tra (of the online policy).
    pub fn observe(&mut self, r_tra: f64) -> Check {
        self.recent.push_back(r_tra);
        if self.recent.len() > self.config.window {
            self.recent.pop_front();
        }
        self.since_check += 1;
        if self.since_check < self.config.check_every
            || self.recent.len() < self.config.window.div_ceil(2)
        {
            return Check::None;
        }
        self.since_check = 0;
        let ma = self.recent.iter().sum::<f64>() / self.recent.len() as f64;
        let a = self.anchor.expected_return;
        if ma >= a - self.config.margin * a.abs() {
            self.strikes = 0;
            return Check::Healthy;
        }
        self.strikes += 1;
        if self.strikes < self.config.patience {
            return Check::Warning;
        }
        // Repaired: judge the repaired policy on its own episodes.
        self.strikes = 0;
        self.recent.clear();
        Check::Compromised(Compromise {
            moving_average: ma,
            anchor_return: a,
        })
    }
}

/// The KL weight toward the anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KlSchedule {
    pub weight: f32,
}

impl KlSchedule {
    pub fn on_repair(&mut self, c: &AdaptConfig) {
        self.weight = if self.weight <= 0.0 {
            c.kl_weight
        } else {
            (self.weight * c.kl_growth).min(c.kl_max)
        };
    }
    pub fn on_healthy(&mut self, c: &AdaptConfig) {
        self.weight *= c.kl_decay;
        if self.weight < 1e-3 {
            self.weight = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_after_patience_checks_below_the_margin_and_resets() {
        let c = AdaptConfig {
            window: 4,
            check_every: 2,
            margin: 0.1,
            patience: 2,
            ..AdaptConfig::default()
        };
        let mut d = CompromiseDetector::new(
            c,
            AnchorPolicy {
                expected_return: 10.0,
            },
        );
        // Healthy: 9.5 is within 10 % of 10.
        assert_eq!(d.observe(9.5), Check::None);
        assert_eq!(d.observe(9.5), Check::Healthy);
        // Returns drop: first check below is a warning, the second a compromise.
        d.observe(5.0);
        assert_eq!(d.observe(5.0), Check::Warning);
        d.observe(5.0);
        match d.observe(5.0) {
            Check::Compromised(x) => assert_eq!((x.moving_average, x.anchor_return), (5.0, 10.0)),
            other => panic!("{other:?}"),
        }
        // The window restarts after a repair.
        assert_eq!(d.observe(10.0), Check::None);
        let mut kl = KlSchedule { weight: 0.0 };
        kl.on_repair(&c);
        assert_eq!(kl.weight, 0.5);
        kl.on_repair(&c);
        assert_eq!(kl.weight, 1.0);
        for _ in 0..40 {
            kl.on_healthy(&c);
        }
        assert_eq!(kl.weight, 0.0);
    }
}
