//! The baselines that need no network: fixed policies (Random, Most popular, Greedy)
//! and bandits learning online on the ground truth (ε-greedy, UCB).

use serde::{Deserialize, Serialize};

use super::{Learning, Method, MethodSpec};
use crate::learner::Learner;
use crate::policy::{EpsilonGreedy, Greedy, MostPopular, Policy, RandomPolicy, Ucb};

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

/// A policy that learns nothing, or only from the steps it observes (the bandits).
pub struct Plain(pub Box<dyn Policy>);

impl Learner for Plain {
    fn policy(&mut self) -> &mut dyn Policy {
        self.0.as_mut()
    }
}

/// A [`Plain`] learner around `p`.
pub fn plain(p: impl Policy + 'static) -> Box<dyn Learner> {
    Box::new(Plain(Box::new(p)))
}

pub const RANDOM: MethodSpec =
    MethodSpec::baseline(Method::Random, "random", "Random", Learning::Fixed, |_| {
        Ok(plain(RandomPolicy))
    });

pub const POPULAR: MethodSpec = MethodSpec::baseline(
    Method::Popular,
    "popular",
    "Most popular",
    Learning::Fixed,
    |b| Ok(plain(MostPopular::from_log(b.truth.world()))),
);

pub const GREEDY: MethodSpec = MethodSpec::baseline(
    Method::Greedy,
    "greedy",
    "Greedy (user model)",
    Learning::Fixed,
    |b| Ok(plain(Greedy::new(&b.model.predicted))),
);

pub const EPSILON_GREEDY: MethodSpec = MethodSpec::baseline(
    Method::EpsilonGreedy,
    "epsilon_greedy",
    "ε-greedy",
    Learning::OnlineBandit,
    |b| {
        Ok(plain(EpsilonGreedy::new(
            b.truth.world().n_items(),
            b.config.baselines.epsilon,
        )))
    },
);

pub const UCB: MethodSpec =
    MethodSpec::baseline(Method::Ucb, "ucb", "UCB", Learning::OnlineBandit, |b| {
        Ok(plain(Ucb::new(
            b.truth.world().n_items(),
            b.config.baselines.ucb_c,
        )))
    });
