//! The state tracker (METHOD.md §3): what a learnt policy sees of an episode. The state
//! is the mean over the last W steps of `[item embedding ‖ normalised reward]`, with the
//! item embeddings of the user model; before the first step it is all zeros.
//!
//! Two options (ours) let it see what makes users leave, which an embedding fitted to a
//! self-selected log carries only faintly: the items' attributes (tags, genres, colours,
//! as one-hot values) averaged with the embeddings over the same W steps, and the
//! histogram of those attribute values over the quit rule's own window of N items.
//!
//! One more option (ours) gives the policy what the service already knows about this
//! user: the user model's predicted rating of every item, standardised over the user's
//! row and scaled by `state.prior`, which the actor adds to its logits. The state itself
//! carries no user at all (at step 0 it is zeros for everyone), so without it a policy
//! can personalise only through the ratings it has seen; with it, the policy starts as
//! a soft version of the user model's ranking and learns, from the rewards, what to
//! change (the items that bore users into leaving, the model's errors).

use serde::{Deserialize, Serialize};

use crate::env::world::RewardScale;
use crate::env::{Episode, World};
use crate::user_model::UserModel;

/// State-tracker settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateConfig {
    /// Steps averaged (W = 3, METHOD.md).
    pub window: usize,
    /// Also average the items' attribute values (one-hot) over the W steps (ours).
    pub attributes: bool,
    /// Also give the share of the quit rule's last N items carrying each attribute
    /// value (ours).
    pub histogram: bool,
    /// Weight of the user model's standardised predictions added to the actor's logits
    /// (ours; 0: off, the state METHOD.md describes).
    pub prior: f32,
}

impl Default for StateConfig {
    fn default() -> Self {
        Self {
            window: 3,
            attributes: false,
            histogram: false,
            prior: 0.0,
        }
    }
}

/// Turns an episode so far into a state vector.
#[derive(Debug, Clone)]
pub struct StateTracker {
    window: usize,
    dim: usize,
    embeddings: Vec<f32>,
    reward: RewardScale,
    /// Each item's attribute values, as indices into `0..n_attrs` (empty if unused).
    attrs: Vec<Vec<u32>>,
    n_attrs: usize,
    attributes: bool,
    /// The quit rule's window for the histogram (`None`: no histogram).
    histogram: Option<usize>,
    /// `prior · (R̂[u, i] − mean_u) / std_u`, `[n_users, n_items]` (empty: no prior).
    prior: std::sync::Arc<Vec<f32>>,
    n_items: usize,
}

impl StateTracker {
    /// The tracker for `config`, over `model`'s embeddings and `world`'s items; `quit_n`
    /// is the quit rule's window (for the histogram).
    pub fn new(config: StateConfig, model: &UserModel, world: &World, quit_n: usize) -> Self {
        let (_, n_attrs) = world.item_attribute_offsets();
        let needs = config.attributes || config.histogram;
        let attrs = if needs {
            world
                .item_attribute_indices()
                .into_iter()
                .map(|a| a.into_iter().map(|v| v as u32).collect())
                .collect()
        } else {
            Vec::new()
        };
        let n_items = world.n_items();
        let prior = if config.prior != 0.0 {
            let p = &model.predicted;
            let mut out = Vec::with_capacity(p.n_users() * n_items);
            for u in 0..p.n_users() {
                let row = p.row(u);
                let n = row.len().max(1) as f64;
                let mean = row.iter().map(|x| *x as f64).sum::<f64>() / n;
                let var = row.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n;
                let scale = config.prior as f64 / (var.sqrt() + 1e-6);
                out.extend(row.iter().map(|x| ((*x as f64 - mean) * scale) as f32));
            }
            out
        } else {
            Vec::new()
        };
        Self {
            prior: std::sync::Arc::new(prior),
            n_items,
            window: config.window,
            dim: model.dim,
            embeddings: model.item_embeddings.clone(),
            reward: world.reward,
            attrs,
            n_attrs: if needs { n_attrs } else { 0 },
            attributes: config.attributes,
            histogram: config.histogram.then_some(quit_n.max(1)),
        }
    }

    /// Embedding size + 1 (33 for 32-d embeddings), plus the attribute values once for
    /// each option that is on.
    pub fn state_dim(&self) -> usize {
        self.dim
            + 1
            + self.n_attrs * (usize::from(self.attributes) + usize::from(self.histogram.is_some()))
    }

    /// Does the actor add a prior to its logits?
    pub fn has_prior(&self) -> bool {
        !self.prior.is_empty()
    }

    /// The prior's row for `episode`'s user, appended to `out` (nothing without a prior).
    pub fn push_prior(&self, episode: &Episode, out: &mut Vec<f32>) {
        if self.has_prior() {
            let u = episode.user;
            out.extend_from_slice(&self.prior[u * self.n_items..(u + 1) * self.n_items]);
        }
    }

    /// The state after the first `t` steps of `episode`, appended to `out`.
    pub fn push_state(&self, episode: &Episode, t: usize, out: &mut Vec<f32>) {
        let start = out.len();
        out.resize(start + self.state_dim(), 0.0);
        let s = &mut out[start..];
        let from = t.saturating_sub(self.window);
        let n = (t - from) as f32;
        if n > 0.0 {
            let span = (self.reward.max - self.reward.min).max(1e-6);
            for k in from..t {
                let item = episode.items[k];
                for (o, e) in s[..self.dim]
                    .iter_mut()
                    .zip(&self.embeddings[item * self.dim..(item + 1) * self.dim])
                {
                    *o += e / n;
                }
                s[self.dim] += (episode.rewards[k] - self.reward.min) / span / n;
                if self.attributes {
                    let a = &mut s[self.dim + 1..self.dim + 1 + self.n_attrs];
                    for &v in &self.attrs[item] {
                        a[v as usize] += 1.0 / n;
                    }
                }
            }
        }
        if let Some(quit_n) = self.histogram {
            let at = self.dim + 1 + if self.attributes { self.n_attrs } else { 0 };
            let h = &mut s[at..at + self.n_attrs];
            for k in t.saturating_sub(quit_n)..t {
                for &v in &self.attrs[episode.items[k]] {
                    h[v as usize] += 1.0 / quit_n as f32;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{RatingMatrix, World};

    #[test]
    fn mean_of_the_last_w_steps_with_normalised_reward() {
        let model = UserModel {
            predicted: RatingMatrix::new(1, 3, vec![1.0; 3]).unwrap(),
            item_embeddings: vec![1.0, 0.0, 0.0, 1.0, 3.0, 3.0],
            dim: 2,
            train_rmse: 0.0,
        };
        let mut world = World::from_matrix(
            crate::env::Preset::Coat,
            RatingMatrix::new(1, 3, vec![1.0; 3]).unwrap(),
            vec![vec![0], vec![1], vec![0, 1]],
        );
        world.reward = RewardScale {
            min: 1.0,
            max: 5.0,
            name: "test",
        };
        let t = StateTracker::new(
            StateConfig {
                window: 2,
                ..StateConfig::default()
            },
            &model,
            &world,
            4,
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

        // With the attributes (tags t0, t1) and their histogram over the last N = 4.
        let t = StateTracker::new(
            StateConfig {
                window: 2,
                attributes: true,
                histogram: true,
                prior: 0.0,
            },
            &model,
            &world,
            4,
        );
        assert_eq!(t.state_dim(), 2 + 1 + 2 + 2);
        out.clear();
        t.push_state(&ep, 3, &mut out); // window: items 1 (t1), 2 (t0, t1); quit window: all 3
        assert_eq!(out, vec![1.5, 2.0, 0.25, 0.5, 1.0, 0.5, 0.5]);
        out.clear();
        t.push_state(&ep, 0, &mut out);
        assert_eq!(out, vec![0.0; 7], "nothing seen yet");
    }
}
