//! The baselines that need no network: fixed policies (Random, Most popular, Greedy)
//! and bandits learning online on the ground truth (ε-greedy, UCB).

use super::{Learning, Method, MethodSpec};
use crate::learner::Learner;
use crate::policy::{EpsilonGreedy, Greedy, MostPopular, Policy, RandomPolicy, Ucb};


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
