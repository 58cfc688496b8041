//! The state tracker (METHOD.md §3): what a learnt policy sees of an episode. The state
//! is the mean over the last W steps of `[item embedding ‖ normalised reward]`, with the
//! item embeddings of the user model; before the first step it is all zeros.

use serde::{Deserialize, Serialize};

use crate::env::world::RewardScale;
use crate::env::Episode;
use crate::user_model::UserModel;

/// State-tracker settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    /// Steps averaged (W = 3).
    pub window: usize,
}

impl Default for StateConfig {
    fn default() -> Self {
        Self { window: 3 }
    }
}

/// Turns an episode so far into a state vector.
#[derive(Debug, Clone)]
pub struct StateTracker {
    window: usize,
    dim: usize,
    embeddings: Vec<f32>,
    reward: RewardScale,
}

impl StateTracker {
    pub fn new(config: StateConfig, model: &UserModel, reward: RewardScale) -> Self {
        Self {
            window: config.window,
            dim: model.dim,
            embeddings: model.item_embeddings.clone(),
            reward,
        }
    }

    /// Embedding size + 1 (33 for 32-d embeddings).
    pub fn state_dim(&self) -> usize {
        self.dim + 1
    }

    /// The state after the first `t` steps of `episode`, appended to `out`.
    pub fn push_state(&self, episode: &Episode, t: usize, out: &mut Vec<f32>) {
        let start = out.len();
        out.resize(start + self.dim + 1, 0.0);
        let from = t.saturating_sub(self.window);
        let n = (t - from) as f32;
        if n == 0.0 {
            return;
        }
        let span = (self.reward.max - self.reward.min).max(1e-6);
        let s = &mut out[start..];
        for k in from..t {
            let item = episode.items[k];
            for (o, e) in s[..self.dim]
                .iter_mut()
                .zip(&self.embeddings[item * self.dim..(item + 1) * self.dim])
            {
                *o += e / n;
            }
            s[self.dim] += (episode.rewards[k] - self.reward.min) / span / n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::RatingMatrix;

    #[test]
    fn mean_of_the_last_w_steps_with_normalised_reward() {
        let model = UserModel {
            predicted: RatingMatrix::new(1, 3, vec![1.0; 3]).unwrap(),
            item_embeddings: vec![1.0, 0.0, 0.0, 1.0, 3.0, 3.0],
            dim: 2,
            train_rmse: 0.0,
        };
        let t = StateTracker::new(
            StateConfig { window: 2 },
            &model,
            RewardScale {
                min: 1.0,
                max: 5.0,
                name: "test",
            },
        );
        let ep = Episode {
            user: 0,
            items: vec![0, 1, 2],
            rewards: vec![5.0, 1.0, 3.0],
            end: None,
        };
        let mut out = Vec::new();
        t.push_state(&ep, 0, &mut out);
        assert_eq!(out, vec![0.0, 0.0, 0.0]);
        out.clear();
        t.push_state(&ep, 1, &mut out);
        assert_eq!(out, vec![1.0, 0.0, 1.0]);
        out.clear();
        t.push_state(&ep, 3, &mut out); // items 1 and 2
        assert_eq!(out, vec![1.5, 2.0, 0.25]);
    }
}
