//! Seeded, portable randomness.
//!
//! Every random draw in the core comes from a [`ChaCha8Rng`] derived from the run's seed
//! and a named *stream*, so that the world, the episodes and each policy draw from
//! independent sequences: adding a policy never changes the users the others meet.
//! ChaCha is defined bit-for-bit, and we only sample `u32`/`f64` through rand's
//! portable paths, so the same seed gives the same numbers natively and in wasm.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The RNG used throughout the core.
pub type SimRng = ChaCha8Rng;

/// Independent random streams derived from one seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Generating a synthetic world (users, items, ratings, log).
    World = 1,
    /// Choosing which user starts each episode.
    Episodes = 2,
    /// Fitting the user model.
    UserModel = 3,
    /// Initialising networks (burn's own seed is derived from it).
    Networks = 4,
    /// A method's randomness while it trains (offset by the method's index).
    Training = 5,
    /// A method's randomness while it is evaluated (offset by method and evaluation).
    Evaluation = 6,
    /// iALP's distillation: cases, candidates, reward-model initialisation and fitting.
    Llm = 7,
    /// A policy's own randomness (offset by the policy's index).
    Policy = 16,
}

/// An RNG for `stream` (plus `offset`, e.g. a policy index) of `seed`. Offsets below
/// 2³² never collide with another stream.
pub fn stream(seed: u64, stream: Stream, offset: u64) -> SimRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((stream as u64) << 32) + offset);
    rng
}

/// A u64 drawn from a stream (e.g. to seed burn's device RNG).
pub fn seed_for(seed: u64, s: Stream, offset: u64) -> u64 {
    stream(seed, s, offset).random()
}

/// A uniform index in `0..n` (n ≥ 1), sampled through `u32` so that it is the same on
/// 32- and 64-bit targets.
pub fn index(rng: &mut SimRng, n: usize) -> usize {
    debug_assert!(n >= 1 && n <= u32::MAX as usize);
    rng.random_range(0..n as u32) as usize
}

/// A standard normal draw (Box–Muller on two portable uniforms).
pub fn normal(rng: &mut SimRng) -> f64 {
    // Open interval (0, 1] for the log.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Samples `k` distinct indices from `0..weights.len()` with probability proportional
/// to the weights (successive draws without replacement). Zero weights are never drawn;
/// fewer than `k` indices come back if fewer have positive weight.
pub fn weighted_sample_without_replacement(
    rng: &mut SimRng,
    weights: &[f64],
    k: usize,
) -> Vec<usize> {
    // Efraimidis–Spirakis: key = u^(1/w); the k largest keys are the sample.
    let mut keyed: Vec<(f64, usize)> = weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0 && w.is_finite())
        .map(|(i, w)| {
            let u: f64 = 1.0 - rng.random::<f64>();
            (u.ln() / w, i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().take(k).map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_repeatable() {
        let a: Vec<u32> = (0..8)
            .map(|_| stream(7, Stream::World, 0).random())
            .collect();
        let mut r1 = stream(7, Stream::World, 0);
        let mut r2 = stream(7, Stream::Episodes, 0);
        let x: Vec<u32> = (0..8).map(|_| r1.random()).collect();
        let y: Vec<u32> = (0..8).map(|_| r2.random()).collect();
        assert_ne!(x, y);
        assert!(
            a.iter().all(|v| *v == a[0]),
            "a fresh stream starts at the same value"
        );
    }

    #[test]
    fn weighted_sample_is_distinct_and_skips_zero_weights() {
        let mut rng = stream(1, Stream::World, 0);
        let w = [1.0, 0.0, 5.0, 2.0, 0.0, 1.0];
        for _ in 0..50 {
            let s = weighted_sample_without_replacement(&mut rng, &w, 3);
            assert_eq!(s.len(), 3);
            assert!(!s.contains(&1) && !s.contains(&4));
            let mut d = s.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), 3);
        }
        assert_eq!(
            weighted_sample_without_replacement(&mut rng, &w, 10).len(),
            4
        );
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut rng = stream(3, Stream::World, 0);
        let xs: Vec<f64> = (0..20_000).map(|_| normal(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(m.abs() < 0.03, "mean {m}");
        assert!((v - 1.0).abs() < 0.05, "variance {v}");
    }
}
