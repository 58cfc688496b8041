//! The fast path's closed-form gradients (src/policy/head.rs, src/policy/mlp.rs) against
//! burn's autodiff on the same loss, for every layer of the actor and of the critic:
//! with and without masked items, with and without advantage normalisation, with the
//! entropy bonus, with A-iALP_ap's KL term toward an anchor, and with a prior added to
//! the logits (`state.prior`).
#![cfg(not(target_arch = "wasm32"))]

use ialp::policy::a2c::{A2c, A2cConfig, Gradients, Transitions};
use ialp::rng::{self, Stream};

fn batch(n: usize, state_dim: usize, items: usize, masked: bool, seed: u64) -> Transitions {
    batch_with_prior(n, state_dim, items, masked, false, seed)
}

fn batch_with_prior(
    n: usize,
    state_dim: usize,
    items: usize,
    masked: bool,
    prior: bool,
    seed: u64,
) -> Transitions {
    let mut r = rng::stream(seed, Stream::Training, 0);
    let masked_rows: Vec<Vec<usize>> = (0..n)
        .map(|row| {
            if masked {
                (0..row % 7).map(|k| (row * 3 + k * 5) % items).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let actions = masked_rows
        .iter()
        .map(|m| {
            (0..items)
                .find(|i| !m.contains(i) && rng::index(&mut r, 3) == 0)
                .unwrap_or_else(|| (0..items).find(|i| !m.contains(i)).unwrap())
        })
        .collect();
    Transitions {
        states: (0..n * state_dim)
            .map(|_| rng::normal(&mut r) as f32 * 0.5)
            .collect(),
        actions,
        returns: (0..n)
            .map(|_| (rng::normal(&mut r) * 2.0 + 5.0) as f32)
            .collect(),
        masked: masked_rows,
        prior: if prior {
            (0..n * items)
                .map(|_| rng::normal(&mut r) as f32 * 1.5)
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// Largest difference relative to the largest gradient of that layer.
fn worst(a: &Gradients, b: &Gradients) -> f32 {
    let mut worst = 0.0f32;
    for (la, lb) in a
        .actor
        .iter()
        .chain(&a.critic)
        .zip(b.actor.iter().chain(&b.critic))
    {
        for (x, y) in [(&la.weight, &lb.weight), (&la.bias, &lb.bias)] {
            assert_eq!(x.len(), y.len());
            let scale = y.iter().fold(1e-8f32, |m, v| m.max(v.abs()));
            for (p, q) in x.iter().zip(y) {
                worst = worst.max((p - q).abs() / scale);
            }
        }
    }
    worst
}

#[test]
fn closed_form_gradients_equal_burns_autodiff() {
    let (state_dim, items) = (9, 40);
    for (k, (masked, normalize, entropy, kl, prior)) in [
        (false, true, 0.01, 0.0, false),
        (true, true, 0.05, 0.0, false),
        (true, false, 0.0, 0.0, false),
        (true, true, 0.01, 0.7, false),
        (true, true, 0.01, 0.7, true),
    ]
    .into_iter()
    .enumerate()
    {
        let config = A2cConfig {
            hidden: 16,
            normalize_advantages: normalize,
            ..A2cConfig::default()
        };
        let mut net = A2c::new(state_dim, items, config, 11 + k as u64);
        // Move the weights off their initial values first (one plain update).
        let warm = batch(24, state_dim, items, masked, 1);
        net.update(&warm);
        let b = batch_with_prior(37, state_dim, items, masked, prior, 2 + k as u64);
        let anchor_net = A2c::new(state_dim, items, config, 99);
        let logp0 = anchor_net.log_probabilities(&b.states, &b.masked, &b.prior);
        let anchor = (kl > 0.0).then_some((&logp0[..], kl));
        let (fast, stats) = net.gradients(&b, entropy, anchor);
        let slow = net.reference_gradients(&b, entropy, anchor);
        let w = worst(&fast, &slow);
        assert!(
            w < 2e-4,
            "case {k}: the closed form differs from autodiff by {w}"
        );
        assert!(stats.entropy > 0.0 && stats.entropy <= (items as f32).ln() + 1e-4);
        assert!(stats.value_loss.is_finite() && stats.policy_loss.is_finite());
    }
}

#[test]
fn an_update_moves_probability_toward_actions_with_positive_advantage() {
    let (state_dim, items) = (5, 12);
    let config = A2cConfig {
        hidden: 16,
        learning_rate: 1e-2,
        normalize_advantages: false,
        entropy_weight: 0.0,
        ..A2cConfig::default()
    };
    let mut net = A2c::new(state_dim, items, config, 3);
    let state = vec![0.3f32, -0.2, 0.5, 0.1, 0.0];
    let before = net.probabilities(&state, &[vec![]], &[])[4];
    // Item 4 always earns far more than the critic expects.
    let b = Transitions {
        states: state.repeat(16),
        actions: vec![4; 16],
        returns: vec![10.0; 16],
        masked: vec![Vec::new(); 16],
        prior: Vec::new(),
    };
    for _ in 0..20 {
        net.update(&b);
    }
    let after = net.probabilities(&state, &[vec![]], &[])[4];
    assert!(
        after > before * 1.5,
        "π(item 4) went from {before} to {after}"
    );
}
