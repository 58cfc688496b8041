//! The quit rules of DORL / EasyRL4Rec: when a user, bored by items too alike, leaves.
//!
//! Semantics (METHOD.md §2): no check at step 0; at step `t` the window is the last
//! `min(N, t)` recommended items (not counting the new one); the reward of the step on
//! which the user leaves still counts. The peers' Python slice `seq[t-N:t]` wraps
//! around for `N/2 ≤ t < N` and keeps only the last `N − t` items: that behaviour is
//! available as [`Window::PeerCompatible`] so their published numbers can be reproduced.

use serde::{Deserialize, Serialize};

use super::matrix::RatingMatrix;

/// Which items the quit rule compares the new item with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The last `min(N, t)` items: the rule as intended.
    #[default]
    Intended,
    /// The peers' `seq[t-N:t]`: for `t < N` only the last `min(t, N − t)` items.
    PeerCompatible,
}

impl Window {
    pub const ALL: [Window; 2] = [Window::Intended, Window::PeerCompatible];
    /// The start of the window over a history of length `t` (the window is `start..t`).
    pub fn start(self, t: usize, n: usize) -> usize {
        match self {
            Window::Intended => t.saturating_sub(n),
            // Python: seq[t-N:t] on a list of length t. A negative start s becomes
            // t + s = 2t - N, clipped at 0.
            Window::PeerCompatible if t >= n => t - n,
            Window::PeerCompatible => (2 * t).saturating_sub(n),
        }
    }
}

/// How a user decides to leave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuitRule {
    /// Leave if the new item is within Euclidean distance `tau` (strictly less) of any
    /// item in the window; distances are between columns of the ground-truth matrix.
    /// Coat and MovieLens.
    ItemDistance { n: usize, tau: f32 },
    /// Leave if a tag of the new item already appears more than `tau` times in the
    /// window. KuaiRec.
    TagCount { n: usize, tau: u32 },
}

/// Why an episode ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeaveReason {
    /// The new item was too close to one the user saw recently.
    TooSimilar {
        item: usize,
        earlier: usize,
        distance: f32,
        tau: f32,
    },
    /// A tag of the new item was seen too often recently.
    TagRepeated {
        item: usize,
        tag: u16,
        count: u32,
        tau: u32,
    },
    /// The episode reached `max_turn` steps.
    MaxTurn { turns: usize },
    /// NX_10: the fixed episode length was reached.
    FixedLength { turns: usize },
    /// No repeats allowed and every item has been shown (tiny worlds only).
    CatalogueExhausted { turns: usize },
}

impl LeaveReason {
    /// One line a person can read.
    pub fn describe(&self) -> String {
        match self {
            LeaveReason::TooSimilar { item, earlier, distance, tau } => format!(
                "left: item {item} is at distance {distance:.2} < τ = {tau} from recent item {earlier}"
            ),
            LeaveReason::TagRepeated { item, tag, count, tau } => format!(
                "left: tag {tag} of item {item} already appeared {count} time(s) recently (> τ = {tau})"
            ),
            LeaveReason::MaxTurn { turns } => format!("stayed until the last turn ({turns})"),
            LeaveReason::FixedLength { turns } => format!("fixed length of {turns} steps reached"),
            LeaveReason::CatalogueExhausted { turns } => format!("every item was shown ({turns} steps)"),
        }
    }
}

impl LeaveReason {
    /// A short key for counting reasons (`"too_similar"`, `"max_turn"`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            LeaveReason::TooSimilar { .. } => "too_similar",
            LeaveReason::TagRepeated { .. } => "tag_repeated",
            LeaveReason::MaxTurn { .. } => "max_turn",
            LeaveReason::FixedLength { .. } => "fixed_length",
            LeaveReason::CatalogueExhausted { .. } => "catalogue_exhausted",
        }
    }
}

impl QuitRule {
    /// The window size N.
    pub fn n(&self) -> usize {
        match self {
            QuitRule::ItemDistance { n, .. } | QuitRule::TagCount { n, .. } => *n,
        }
    }

    /// Does the user leave when shown `item` after `history`? `None` means they stay.
    /// `tags[i]` are item i's tags (only the tag-count rule reads them).
    pub fn check(
        &self,
        window: Window,
        truth: &RatingMatrix,
        tags: &[Vec<u16>],
        history: &[usize],
        item: usize,
    ) -> Option<LeaveReason> {
        let t = history.len();
        if t == 0 {
            return None;
        }
        let recent = &history[window.start(t, self.n())..t];
        match *self {
            QuitRule::ItemDistance { tau, .. } => recent.iter().find_map(|&earlier| {
                let distance = truth.item_distance(item, earlier);
                (distance < tau).then_some(LeaveReason::TooSimilar {
                    item,
                    earlier,
                    distance,
                    tau,
                })
            }),
            QuitRule::TagCount { tau, .. } => tags[item].iter().find_map(|&tag| {
                let count = recent.iter().filter(|&&j| tags[j].contains(&tag)).count() as u32;
                (count > tau).then_some(LeaveReason::TagRepeated {
                    item,
                    tag,
                    count,
                    tau,
                })
            }),
        }
    }
}

/// One step of an episode as the inspector shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    /// Step number, from 0.
    pub t: usize,
    pub item: usize,
    pub reward: f32,
    /// The items the quit rule compared the new one with (the user's recent history).
    pub recent: Vec<usize>,
    /// Whether the user left at this step (the quit rule fired; not the last turn).
    pub left: bool,
    /// The quit rule's verdict in words: why the user stayed or left.
    pub verdict: String,
}

impl QuitRule {
    /// Replays `episode` step by step and says, at each step, what the quit rule saw:
    /// the closest recent item (distance rule) or the most repeated tag (tag rule).
    pub fn explain(
        &self,
        window: Window,
        truth: &RatingMatrix,
        tags: &[Vec<u16>],
        episode: &super::Episode,
    ) -> Vec<StepView> {
        let n = episode.items.len();
        (0..n)
            .map(|t| {
                let item = episode.items[t];
                let history = &episode.items[..t];
                let recent = history[window.start(t, self.n())..t].to_vec();
                let last = t + 1 == n;
                // Only the quit rule makes a user leave; the last turn is not leaving.
                let left = last
                    && matches!(
                        episode.end,
                        Some(LeaveReason::TooSimilar { .. } | LeaveReason::TagRepeated { .. })
                    );
                let verdict = match (&episode.end, last) {
                    (Some(end), true) => end.describe(),
                    _ if recent.is_empty() => "stayed: nothing recent to compare with".into(),
                    _ => match *self {
                        QuitRule::ItemDistance { tau, .. } => {
                            let (j, d) = recent
                                .iter()
                                .map(|&j| (j, truth.item_distance(item, j)))
                                .fold((recent[0], f32::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
                            format!("stayed: the closest recent item, {j}, is at distance {d:.2} ≥ τ = {tau}")
                        }
                        QuitRule::TagCount { tau, .. } => {
                            let worst = tags[item]
                                .iter()
                                .map(|&tag| {
                                    let c = recent.iter().filter(|&&j| tags[j].contains(&tag)).count();
                                    (tag, c)
                                })
                                .max_by_key(|x| x.1);
                            match worst {
                                Some((tag, c)) => format!(
                                    "stayed: its most repeated tag, {tag}, appeared {c} time(s) recently (≤ τ = {tau})"
                                ),
                                None => "stayed: the item has no tags".into(),
                            }
                        }
                    },
                };
                StepView {
                    t,
                    item,
                    reward: episode.rewards.get(t).copied().unwrap_or(0.0),
                    recent,
                    left,
                    verdict,
                }
            })
            .collect()
    }
}
