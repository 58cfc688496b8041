//! Matrix factorisation with biases, fitted by seeded SGD to a world's log: the core of
//! the user model (`user_model/`, METHOD.md §3) and of the completion of a real data
//! set's sparse ratings (`real/complete.rs`, METHOD.md §2). Both call [`fit`]; it lives
//! here, below both, so loading a data set does not reach up into the user model.

use serde::{Deserialize, Serialize};

use super::world::{Rating, RatingMatrix, World};
use crate::rng::{self, Stream};

/// Matrix-factorisation settings (the user model's, and the real data's completion).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MfConfig {
    /// Embedding size (32 in METHOD.md).
    pub dim: usize,
    /// Passes over the log.
    pub epochs: usize,
    /// SGD step size.
    pub learning_rate: f32,
    /// L2 penalty on embeddings and biases.
    pub l2: f32,
    /// Attribute-aware factors (the DeepFM-like option METHOD.md §3 allows): an item's
    /// factor is its own plus the mean of its attribute values' factors, learnt from the
    /// log, so items that share tags, genres or colours share structure and the item
    /// embeddings the policy sees carry the attributes (ours).
    pub attributes: bool,
}

impl Default for MfConfig {
    fn default() -> Self {
        Self {
            dim: 32,
            epochs: 40,
            learning_rate: 0.02,
            l2: 0.1,
            attributes: false,
        }
    }
}

/// A fitted factorisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Factorisation {
    /// `R̂[u, i]`, clipped to the world's reward range.
    pub predicted: RatingMatrix,
    /// Item factors, row-major `[n_items, dim]`.
    pub item_embeddings: Vec<f32>,
    pub dim: usize,
    /// Root-mean-square error on the log it was fitted to.
    pub train_rmse: f64,
}

/// Fits a factorisation to `world.log` (the seeded stream `Stream::UserModel`, 0).
/// Deterministic for `seed`.
pub fn fit(world: &World, config: &MfConfig, seed: u64) -> Factorisation {
    let (nu, ni, d) = (world.n_users(), world.n_items(), config.dim);
    let mut rng = rng::stream(seed, Stream::UserModel, 0);
    let init = 0.1 / (d as f64).sqrt();
    let mut p: Vec<f32> = (0..nu * d)
        .map(|_| (rng::normal(&mut rng) * init) as f32)
        .collect();
    let mut q: Vec<f32> = (0..ni * d)
        .map(|_| (rng::normal(&mut rng) * init) as f32)
        .collect();
    let mut bu = vec![0f32; nu];
    let mut bi = vec![0f32; ni];
    // Attribute values of each item (global indices) and their factors.
    let item_attrs: Vec<Vec<usize>> = if config.attributes {
        world.item_attribute_indices()
    } else {
        vec![Vec::new(); ni]
    };
    let n_attr_values = item_attrs
        .iter()
        .flatten()
        .map(|a| a + 1)
        .max()
        .unwrap_or(0);
    let mut w: Vec<f32> = (0..n_attr_values * d)
        .map(|_| (rng::normal(&mut rng) * init) as f32)
        .collect();
    // q_i + mean of its attribute factors (q_i alone without attributes).
    let factor = |q: &[f32], w: &[f32], i: usize, out: &mut [f32]| {
        out.copy_from_slice(&q[i * d..(i + 1) * d]);
        let a = &item_attrs[i];
        if !a.is_empty() {
            let inv = 1.0 / a.len() as f32;
            for &v in a {
                for (o, x) in out.iter_mut().zip(&w[v * d..(v + 1) * d]) {
                    *o += x * inv;
                }
            }
        }
    };
    let mut qi_full = vec![0f32; d];
    let log: &[Rating] = &world.log;
    let mu = (log.iter().map(|r| r.value as f64).sum::<f64>() / log.len().max(1) as f64) as f32;
    let (lr, l2) = (config.learning_rate, config.l2);
    let mut order: Vec<usize> = (0..log.len()).collect();
    for _ in 0..config.epochs {
        // Seeded Fisher–Yates shuffle through the portable index sampler.
        for k in (1..order.len()).rev() {
            order.swap(k, rng::index(&mut rng, k + 1));
        }
        for &k in &order {
            let Rating { user, item, value } = log[k];
            let (u, i) = (user as usize, item as usize);
            if config.attributes {
                factor(&q, &w, i, &mut qi_full);
                let pu = &mut p[u * d..(u + 1) * d];
                let dot: f32 = pu.iter().zip(&qi_full).map(|(a, b)| a * b).sum();
                let err = value - (mu + bu[u] + bi[i] + dot);
                bu[u] += lr * (err - l2 * bu[u]);
                bi[i] += lr * (err - l2 * bi[i]);
                let inv = 1.0 / item_attrs[i].len().max(1) as f32;
                for j in 0..d {
                    let (pa, qf) = (pu[j], qi_full[j]);
                    pu[j] += lr * (err * qf - l2 * pa);
                    let g = err * pa;
                    q[i * d + j] += lr * (g - l2 * q[i * d + j]);
                    for &v in &item_attrs[i] {
                        let x = &mut w[v * d + j];
                        *x += lr * (g * inv - l2 * *x);
                    }
                }
                continue;
            }
            let (pu, qi) = (&mut p[u * d..(u + 1) * d], &mut q[i * d..(i + 1) * d]);
            let dot: f32 = pu.iter().zip(qi.iter()).map(|(a, b)| a * b).sum();
            let err = value - (mu + bu[u] + bi[i] + dot);
            bu[u] += lr * (err - l2 * bu[u]);
            bi[i] += lr * (err - l2 * bi[i]);
            for (a, b) in pu.iter_mut().zip(qi.iter_mut()) {
                let (pa, qb) = (*a, *b);
                *a += lr * (err * qb - l2 * pa);
                *b += lr * (err * pa - l2 * qb);
            }
        }
    }
    // The items' full factors: what R̂ uses and what the policy's state sees.
    let q: Vec<f32> = {
        let mut full = vec![0f32; ni * d];
        for (i, f) in full.chunks_exact_mut(d).enumerate() {
            factor(&q, &w, i, f);
        }
        full
    };
    let (lo, hi) = (world.reward.min, world.reward.max);
    let predict = |u: usize, i: usize| -> f32 {
        let dot: f32 = p[u * d..(u + 1) * d]
            .iter()
            .zip(&q[i * d..(i + 1) * d])
            .map(|(a, b)| a * b)
            .sum();
        (mu + bu[u] + bi[i] + dot).clamp(lo, hi)
    };
    // Sized once: a collected flat_map grows by doubling, which for MovieLens-1M's
    // 22 M entries held 64 + 128 MiB at once in wasm's allocator.
    let mut data = Vec::with_capacity(nu * ni);
    for u in 0..nu {
        data.extend((0..ni).map(|i| predict(u, i)));
    }
    let predicted = RatingMatrix::new(nu, ni, data).expect("one prediction per pair");
    let train_rmse = rmse(&predicted, log);
    Factorisation {
        predicted,
        item_embeddings: q,
        dim: d,
        train_rmse,
    }
}

/// Root-mean-square error of `m` on `ratings`.
pub fn rmse(m: &RatingMatrix, ratings: &[Rating]) -> f64 {
    let s: f64 = ratings
        .iter()
        .map(|r| (m.get(r.user as usize, r.item as usize) - r.value) as f64)
        .map(|e| e * e)
        .sum();
    (s / ratings.len().max(1) as f64).sqrt()
}
