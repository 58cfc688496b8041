//! The learnt reward `R_φ(state, item)` (METHOD.md §4.2): an MLP over the tracked
//! state, the user's attributes and the item's attributes (multi-hot), fitted by
//! squared error to the LLM's ratings. Because it sees attributes rather than item
//! ids, it scores items the LLM never rated.
//!
//! Ours: the user's attributes are part of the input (the LLM saw them in the prompt),
//! and by default so is the user model's embedding of the item (see
//! [`RewardModelConfig::item_embedding`]).

use serde::{Deserialize, Serialize};

use crate::env::World;
use crate::nn::adam::Adam;
use crate::nn::device;
use crate::nn::mlp::{self, Mlp};
use crate::rng::{self, SimRng};

/// Reward-model hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RewardModelConfig {
    pub hidden: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub batch: usize,
    /// Also give `R_φ` the user model's embedding of the item (ours). Attributes alone
    /// cannot tell apart two items with the same attributes (Coat has only four); every
    /// item has an embedding, so `R_φ` still scores items the LLM never rated.
    pub item_embedding: bool,
    /// Also give `R_φ` the user model's prediction `R̂[u, i]` (ours): the LLM's labels
    /// then teach a correction to what the log already says.
    pub user_model_score: bool,
    /// Stop after this many epochs without a better fit on the validation cases (every
    /// tenth training case); the best epoch's weights are kept.
    pub patience: usize,
}

impl Default for RewardModelConfig {
    fn default() -> Self {
        Self {
            hidden: 64,
            epochs: 100,
            learning_rate: 1e-3,
            batch: 64,
            item_embedding: true,
            user_model_score: true,
            patience: 5,
        }
    }
}

/// Multi-hot attribute vectors of every user and item of a world.
#[derive(Debug, Clone)]
pub struct AttributeFeatures {
    user_dim: usize,
    item_dim: usize,
    users: Vec<f32>,
    items: Vec<f32>,
    /// `R̂` and the reward scale, when the prediction is a feature.
    predicted: Option<(std::sync::Arc<crate::user_model::UserModel>, f32, f32)>,
}

impl AttributeFeatures {
    /// The features of `world`'s users and items; with `embeddings` (row-major
    /// `[n_items, dim]`, dim), each item's embedding follows its attributes.
    pub fn of(world: &World, embeddings: Option<(&[f32], usize)>) -> Self {
        let (uo, user_dim) = world.user_attribute_offsets();
        let (io, attr_dim) = world.item_attribute_offsets();
        let emb_dim = embeddings.map_or(0, |e| e.1);
        let item_dim = attr_dim + emb_dim;
        let mut users = vec![0.0; world.n_users() * user_dim];
        for (u, user) in world.users.iter().enumerate() {
            for (f, vs) in user.attrs.iter().enumerate() {
                for &v in vs {
                    users[u * user_dim + uo[f] + v as usize] = 1.0;
                }
            }
        }
        let mut items = vec![0.0; world.n_items() * item_dim];
        for (i, item) in world.items.iter().enumerate() {
            for (f, vs) in item.attrs.iter().enumerate() {
                for &v in vs {
                    items[i * item_dim + io[f] + v as usize] = 1.0;
                }
            }
            if let Some((e, d)) = embeddings {
                items[i * item_dim + attr_dim..(i + 1) * item_dim]
                    .copy_from_slice(&e[i * d..(i + 1) * d]);
            }
        }
        Self {
            user_dim,
            item_dim,
            users,
            items,
            predicted: None,
        }
    }

    /// Adds `R̂[u, i]` (scaled to [0, 1]) as the last feature.
    pub fn with_prediction(
        mut self,
        model: std::sync::Arc<crate::user_model::UserModel>,
        reward: crate::env::world::RewardScale,
    ) -> Self {
        self.predicted = Some((model, reward.min, (reward.max - reward.min).max(1e-6)));
        self
    }

    pub fn dim(&self) -> usize {
        self.user_dim + self.item_dim + usize::from(self.predicted.is_some())
    }

    /// Appends `[user attributes ‖ item attributes (‖ item embedding) (‖ R̂[u, i])]`.
    pub fn push(&self, user: usize, item: usize, out: &mut Vec<f32>) {
        out.extend_from_slice(&self.users[user * self.user_dim..(user + 1) * self.user_dim]);
        out.extend_from_slice(&self.items[item * self.item_dim..(item + 1) * self.item_dim]);
        if let Some((m, lo, span)) = &self.predicted {
            out.push((m.predicted.get(user, item) - lo) / span);
        }
    }
}

/// Rows to fit: inputs `[n, input_dim]` and targets on the reward scale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RewardData {
    pub inputs: Vec<f32>,
    pub targets: Vec<f32>,
}

impl RewardData {
    pub fn len(&self) -> usize {
        self.targets.len()
    }
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

/// `R_φ` with its optimiser.
pub struct RewardModel {
    net: Mlp,
    optim: Adam,
    config: RewardModelConfig,
    input_dim: usize,
    /// The best network so far on validation data: (RMSE, epoch, weights).
    best: Option<(f64, usize, Mlp)>,
    epochs: usize,
    /// Targets are fitted as `(y − lo) / span`.
    lo: f32,
    span: f32,
    /// The weights as plain numbers for [`Self::predict`], taken when first needed after
    /// the weights changed.
    snapshot: std::cell::OnceCell<Vec<crate::nn::weights::LayerWeights>>,
}

impl RewardModel {
    pub fn new(
        input_dim: usize,
        config: RewardModelConfig,
        reward: crate::env::world::RewardScale,
        seed: u64,
    ) -> Self {
        let device = device();
        let net = Mlp::new_seeded(input_dim, config.hidden, 1, &device, seed);
        Self {
            net,
            optim: Adam::default(),
            best: None,
            epochs: 0,
            config,
            input_dim,
            lo: reward.min,
            span: (reward.max - reward.min).max(1e-6),
            snapshot: Default::default(),
        }
    }

    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// One pass over `data` in shuffled minibatches; returns the mean squared error on
    /// the reward scale.
    pub fn fit_epoch(&mut self, data: &RewardData, rng: &mut SimRng) -> f64 {
        let n = data.len();
        if n == 0 {
            return 0.0;
        }
        let mut order: Vec<usize> = (0..n).collect();
        for k in (1..n).rev() {
            order.swap(k, rng::index(rng, k + 1));
        }
        let mut sq = 0.0f64;
        for chunk in order.chunks(self.config.batch.max(1)) {
            let m = chunk.len();
            let mut x = Vec::with_capacity(m * self.input_dim);
            let mut y = Vec::with_capacity(m);
            for &i in chunk {
                x.extend_from_slice(&data.inputs[i * self.input_dim..(i + 1) * self.input_dim]);
                y.push((data.targets[i] - self.lo) / self.span);
            }
            // Squared error, differentiated in closed form on the MLP's kernels (as A2C's
            // networks are): ∂/∂out of mean((out − y)²) is 2 (out − y) / m.
            let mut layers = self.layers().to_vec();
            let outs = mlp::forward_keep(&layers, &x, m);
            let out = outs.last().expect("three layers"); // [m, 1]
            let mut loss = 0.0f32;
            let grad: Vec<f32> = out
                .iter()
                .zip(&y)
                .map(|(o, y)| {
                    let d = o - y;
                    loss += d * d;
                    2.0 * d / m as f32
                })
                .collect();
            sq += (loss / m as f32) as f64 * m as f64;
            let grads = mlp::backward(&layers, &x, &outs, grad, m);
            self.optim
                .step_layers(0, &mut layers, &grads, self.config.learning_rate);
            self.net = Mlp::from_weights(&layers, &device());
            self.snapshot = layers.into();
        }
        self.epochs += 1;
        sq / n as f64 * (self.span as f64).powi(2)
    }

    /// Early stopping: remembers the weights if `validation` is fitted better than ever;
    /// returns the epochs since the best one.
    pub fn track_best(&mut self, validation: &RewardData) -> usize {
        let rmse = if validation.is_empty() {
            0.0
        } else {
            self.rmse(validation)
        };
        if self.best.as_ref().is_none_or(|(b, _, _)| rmse < *b) {
            // A module clone shares its tensors, and the optimiser replaces rather than
            // mutates them: the clone is a snapshot.
            self.best = Some((rmse, self.epochs, self.net.clone()));
        }
        self.epochs - self.best.as_ref().map_or(0, |b| b.1)
    }

    /// Goes back to the best weights seen by [`Self::track_best`]; returns their epoch.
    pub fn restore_best(&mut self) -> usize {
        match &self.best {
            Some((_, epoch, net)) => {
                self.net = net.clone();
                self.snapshot = Default::default();
                *epoch
            }
            None => self.epochs,
        }
    }

    /// The weights as plain numbers (read from burn's module once per set of weights).
    fn layers(&self) -> &[crate::nn::weights::LayerWeights] {
        self.snapshot.get_or_init(|| self.net.weights())
    }

    /// `R_φ` for each row of `inputs` (`[rows, input_dim]`), on the reward scale.
    pub fn predict(&self, inputs: &[f32]) -> Vec<f32> {
        let rows = inputs.len() / self.input_dim.max(1);
        if rows == 0 {
            return Vec::new();
        }
        // Plain kernels on a snapshot: A-iALP_ap scores every allowed item with R_φ at
        // each exploring step, and burn's overhead per call dominated that.
        crate::nn::mlp::forward(self.layers(), inputs, rows)
            .into_iter()
            .map(|v| self.lo + v.clamp(0.0, 1.0) * self.span)
            .collect()
    }

    /// Root-mean-square error on `data`.
    pub fn rmse(&self, data: &RewardData) -> f64 {
        if data.is_empty() {
            return 0.0;
        }
        let p = self.predict(&data.inputs);
        (p.iter()
            .zip(&data.targets)
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum::<f64>()
            / data.len() as f64)
            .sqrt()
    }
}
