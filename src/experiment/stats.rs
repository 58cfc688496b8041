//! Metrics of METHOD.md §7 over a set of episodes.

use serde::{Deserialize, Serialize};

use crate::env::{Episode, World};

/// Mean and sample standard deviation (n − 1; 0 for fewer than two values).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MeanStd {
    pub mean: f64,
    pub std: f64,
}

impl MeanStd {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.into_iter().collect();
        if v.is_empty() {
            return Self::default();
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let std = if v.len() < 2 {
            0.0
        } else {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        };
        Self { mean, std }
    }
}

impl std::fmt::Display for MeanStd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} ± {:.3}", self.mean, self.std)
    }
}

/// One policy's results over its episodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub policy: String,
    pub episodes: usize,
    /// Cumulative reward per episode.
    pub r_tra: MeanStd,
    /// Reward per step (R_tra / Length), per episode.
    pub r_each: MeanStd,
    /// Steps per episode.
    pub length: MeanStd,
    /// Share of the catalogue recommended at least once.
    pub coverage: f64,
    /// Majority category dominance: share of all recommendations in the most
    /// recommended category.
    pub mcd: f64,
    /// How many episodes ended for each reason.
    pub ends: Vec<(String, usize)>,
}

impl PolicySummary {
    pub fn of(policy: &str, world: &World, episodes: &[Episode]) -> Self {
        let mut seen = vec![false; world.n_items()];
        let n_cats = world.item_fields[world.tag_field].values.len();
        let mut cats = vec![0usize; n_cats];
        let mut ends: Vec<(String, usize)> = Vec::new();
        for e in episodes {
            for &i in &e.items {
                seen[i] = true;
                cats[world.items[i].category as usize] += 1;
            }
            if let Some(end) = &e.end {
                match ends.iter_mut().find(|(k, _)| k == end.kind()) {
                    Some((_, c)) => *c += 1,
                    None => ends.push((end.kind().to_string(), 1)),
                }
            }
        }
        let total: usize = cats.iter().sum();
        Self {
            policy: policy.to_string(),
            episodes: episodes.len(),
            r_tra: MeanStd::of(episodes.iter().map(Episode::r_tra)),
            r_each: MeanStd::of(
                episodes
                    .iter()
                    .filter(|e| !e.is_empty())
                    .map(|e| e.r_tra() / e.len() as f64),
            ),
            length: MeanStd::of(episodes.iter().map(|e| e.len() as f64)),
            coverage: seen.iter().filter(|s| **s).count() as f64 / world.n_items().max(1) as f64,
            mcd: cats.iter().max().copied().unwrap_or(0) as f64 / total.max(1) as f64,
            ends,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_uses_the_sample_std() {
        let m = MeanStd::of([1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.mean, 2.5);
        assert!((m.std - 1.2909944).abs() < 1e-6);
        assert_eq!(MeanStd::of([5.0]).std, 0.0);
        assert_eq!(MeanStd::of([]), MeanStd::default());
    }
}
