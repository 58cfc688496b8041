//! Recommendation policies and the methods of the experiment (METHOD.md §6): the
//! `Policy` trait every method acts through, the lockstep rollout shared by training
//! and evaluation, the baselines, the state tracker and the A2C agent.

pub mod a2c;
pub mod baselines;
pub mod head;
pub mod kernels;
pub mod mlp;
pub mod state;

use serde::{Deserialize, Serialize};

use crate::env::{Environment, Episode};
use crate::rng::SimRng;

pub use baselines::{EpsilonGreedy, Greedy, MostPopular, RandomPolicy, Ucb};

/// Something that recommends one item per step.
pub trait Policy {
    /// Picks the next item for each of `episodes` (none of them done); every item must be
    /// allowed by the environment's mode.
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize>;

    /// Learns from one step's feedback (online learners). The default ignores it.
    fn observe(&mut self, _user: usize, _item: usize, _reward: f32) {}
}

/// Plays one episode per user, all in lockstep (one batched decision per step), and
/// returns them in the order of `users`. With `learn`, the policy observes every step.
pub fn rollout(
    env: &Environment,
    policy: &mut dyn Policy,
    users: &[usize],
    rng: &mut SimRng,
    learn: bool,
) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = users.iter().map(|&u| env.reset(u)).collect();
    loop {
        let active: Vec<usize> = (0..episodes.len())
            .filter(|&k| !episodes[k].is_done())
            .collect();
        if active.is_empty() {
            return episodes;
        }
        let items = {
            let refs: Vec<&Episode> = active.iter().map(|&k| &episodes[k]).collect();
            policy.act(env, &refs, rng)
        };
        for (&k, item) in active.iter().zip(items) {
            let ep = &mut episodes[k];
            match env.step(ep, item) {
                Ok(step) if learn => policy.observe(ep.user, item, step.reward),
                Ok(_) => {}
                // A policy proposing a masked item is a bug in that policy: end the
                // episode rather than loop forever.
                Err(_) => ep.end = Some(crate::env::LeaveReason::MaxTurn { turns: ep.len() }),
            }
        }
    }
}

/// The methods an experiment can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Uniform over the allowed items.
    Random,
    /// Items in order of how often they appear in the offline log.
    Popular,
    /// The user model's best predicted item for this user.
    Greedy,
    /// ε-greedy bandit over items, learning online on the ground truth.
    EpsilonGreedy,
    /// UCB1 bandit over items, learning online on the ground truth.
    Ucb,
    /// A2C trained in the user-model world, evaluated on the ground truth.
    OfflineA2c,
    /// Offline A2C with a DORL-style entropy bonus on the reward.
    DorlA2c,
    /// A2C trained directly on the ground truth from scratch: the online reference.
    OnlineA2c,
    /// iALP: A2C pre-trained in the user-model world on `(1 − λ)·R̂ + λ·R_φ`, with
    /// `R_φ` learnt from LLM-rated cases.
    Ialp,
    /// A-iALP_ft: iALP's policy deployed on the ground truth, fine-tuned with A2C on the
    /// online episodes.
    #[serde(rename = "a_ialp_ft")]
    AIalpFt,
    /// A-iALP_ap: as ft, plus an anchor, compromise detection and repair, and adaptive
    /// exploration (see `adapt/`).
    #[serde(rename = "a_ialp_ap")]
    AIalpAp,
    /// A trained policy loaded from a policy file, deployed on the ground truth and
    /// fine-tuned online (the offline → online story with any exported policy).
    Imported,
}

/// How a method learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learning {
    /// Nothing to learn: evaluated once.
    Fixed,
    /// Learns from online feedback while it is deployed.
    OnlineBandit,
    /// A2C in the user-model world.
    Offline,
    /// A2C on the ground truth.
    Online,
    /// Starts from iALP's pre-trained policy and adapts on the ground truth.
    Adaptive,
}

impl Learning {
    /// Whether the method learns from episodes on the ground truth (users who feel it).
    pub fn is_online(self) -> bool {
        matches!(
            self,
            Learning::OnlineBandit | Learning::Online | Learning::Adaptive
        )
    }
}

impl Method {
    /// Every method; new ones go at the end (the position offsets random streams).
    pub const ALL: [Method; 12] = [
        Method::Random,
        Method::Popular,
        Method::Greedy,
        Method::EpsilonGreedy,
        Method::Ucb,
        Method::OfflineA2c,
        Method::DorlA2c,
        Method::OnlineA2c,
        Method::Ialp,
        Method::AIalpFt,
        Method::AIalpAp,
        Method::Imported,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Popular => "popular",
            Method::Greedy => "greedy",
            Method::EpsilonGreedy => "epsilon_greedy",
            Method::Ucb => "ucb",
            Method::OfflineA2c => "offline_a2c",
            Method::DorlA2c => "dorl_a2c",
            Method::OnlineA2c => "online_a2c",
            Method::Ialp => "ialp",
            Method::AIalpFt => "a_ialp_ft",
            Method::AIalpAp => "a_ialp_ap",
            Method::Imported => "imported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Random => "Random",
            Method::Popular => "Most popular",
            Method::Greedy => "Greedy (user model)",
            Method::EpsilonGreedy => "ε-greedy",
            Method::Ucb => "UCB",
            Method::OfflineA2c => "Offline A2C",
            Method::DorlA2c => "A2C + DORL entropy",
            Method::OnlineA2c => "Online A2C",
            Method::Ialp => "iALP",
            Method::AIalpFt => "A-iALP_ft",
            Method::AIalpAp => "A-iALP_ap",
            Method::Imported => "Imported policy, fine-tuned online",
        }
    }

    pub fn from_id(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == s)
    }

    /// Position in [`Method::ALL`]: offsets the method's random streams.
    pub fn index(self) -> u64 {
        Method::ALL.iter().position(|m| *m == self).unwrap_or(0) as u64
    }

    pub fn learning(self) -> Learning {
        match self {
            Method::Random | Method::Popular | Method::Greedy => Learning::Fixed,
            Method::EpsilonGreedy | Method::Ucb => Learning::OnlineBandit,
            Method::OfflineA2c | Method::DorlA2c | Method::Ialp => Learning::Offline,
            Method::OnlineA2c | Method::Imported => Learning::Online,
            Method::AIalpFt | Method::AIalpAp => Learning::Adaptive,
        }
    }
}
