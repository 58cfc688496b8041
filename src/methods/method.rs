//! The methods an experiment can compare (METHOD.md §6), how each learns, and where a
//! method (or any part of the reconstruction) comes from; what each method is and does
//! is its [`super::MethodSpec`].

use serde::{Deserialize, Serialize};

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
    /// Offline A2C's policy deployed on the ground truth and fine-tuned as A-iALP_ft is:
    /// A-iALP_ft's no-LLM twin.
    OfflineA2cFt,
    /// Offline A2C's policy adapted as A-iALP_ap is, without `R_φ`: its no-LLM twin.
    OfflineA2cAp,
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
    pub const ALL: [Method; 14] = [
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
        Method::OfflineA2cFt,
        Method::OfflineA2cAp,
    ];

    /// Position in [`Method::ALL`]: offsets the method's random streams.
    pub fn index(self) -> u64 {
        Method::ALL.iter().position(|m| *m == self).unwrap_or(0) as u64
    }
}

/// How much of a component the paper itself gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Named in the paper's abstract.
    Abstract,
    /// METHOD.md, following the public code the paper builds on (DORL, EasyRL4Rec).
    Method,
    /// Our reconstruction: the paper does not say.
    Ours,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Abstract => "paper (abstract)",
            Source::Method => "METHOD.md (our written specification)",
            Source::Ours => "our reconstruction",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Source::Abstract => "abstract",
            Source::Method => "method",
            Source::Ours => "ours",
        }
    }
}
