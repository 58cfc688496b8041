//! The fast path's closed-form gradients (src/policy/head.rs, src/nn/mlp.rs) against
//! burn's autodiff on the same loss, for every layer of the actor and of the critic:
//! with and without masked items, with and without advantage normalisation, with the
//! entropy bonus, with A-iALP_ap's KL term toward an anchor, and with a prior added to
//! the logits (`state.prior`). And the page's Adam (`nn::adam::Adam`) against
//! burn-optim's, bit for bit. burn's autodiff and burn-optim are dev-dependencies: the
//! library and the page use neither.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{activation, Device, Int, Tensor, TensorData};
use ialp::nn::adam::Adam;
use ialp::nn::mlp::{LayerGrads, Mlp};
use ialp::nn::weights::LayerWeights;
use ialp::policy::a2c::{advantages, A2c, A2cConfig, Gradients, Transitions};
use ialp::rng::{self, Stream};

/// burn's ndarray backend with autodiff: where the reference gradients are taken.
#[allow(deprecated)]
fn autodiff_device() -> Device {
    Device::ndarray().autodiff()
}

fn numbers<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.inner()
        .mul_scalar(1.0)
        .into_data()
        .try_into_vec::<f32>()
        .expect("f32 numbers")
}

/// The same gradients as `A2c::gradients`, the slow way: the loss written as burn tensor
/// operations on a tracked copy of the network and differentiated by burn's autodiff
/// (how the library computed them before the closed forms).
fn reference_gradients(
    net: &A2c,
    batch: &Transitions,
    entropy_weight: f32,
    anchor: Option<(&[f32], f32)>,
) -> Gradients {
    let d = autodiff_device();
    let w = net.weights();
    let actor = Mlp::from_weights(&w.actor, &d).set_require_grad(true);
    let critic = Mlp::from_weights(&w.critic, &d).set_require_grad(true);
    let (n, n_items) = (batch.len(), net.n_items());
    let t2 = |v: Vec<f32>, shape: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v, shape), &d);
    let x = t2(batch.states.clone(), [n, net.state_dim()]);
    let actions: Vec<i64> = batch.actions.iter().map(|a| *a as i64).collect();
    let actions = Tensor::<2, Int>::from_data(TensorData::new(actions, [n, 1]), &d);
    let returns = t2(batch.returns.clone(), [n, 1]);
    let mut mask = vec![0.0f32; n * n_items];
    for (row, items) in batch.masked.iter().enumerate() {
        for &i in items {
            mask[row * n_items + i] = -1.0e9;
        }
    }
    for (m, p) in mask.iter_mut().zip(&batch.prior) {
        *m += p;
    }
    let logits = actor.forward(x.clone()) + t2(mask, [n, n_items]);
    let log_probs = activation::log_softmax(logits, 1);
    let values = critic.forward(x);
    let v = numbers(values.clone());
    let adv = advantages(&batch.returns, &v, net.config().normalize_advantages);
    let advantage = t2(adv, [n, 1]);
    let chosen = log_probs.clone().gather(1, actions);
    let policy_loss = (chosen * advantage).mean().neg();
    let diff = returns - values;
    let value_loss = (diff.clone() * diff).mean();
    let entropy = (log_probs.clone().exp() * log_probs.clone())
        .sum_dim(1)
        .mean()
        .neg();
    let mut loss = policy_loss + value_loss.mul_scalar(net.config().value_weight)
        - entropy.mul_scalar(entropy_weight);
    if let Some((logp0, w)) = anchor.filter(|(_, w)| *w > 0.0) {
        let floored: Vec<f32> = logp0.iter().map(|q| q.max(-1.0e9)).collect();
        let kl = (log_probs.clone().exp() * (log_probs - t2(floored, [n, n_items])))
            .sum_dim(1)
            .mean();
        loss = loss + kl.mul_scalar(w);
    }
    let mut grads = loss.backward();
    let mut take = |net: &Mlp| -> Vec<LayerGrads> {
        let mut g = GradientsParams::from_module(&mut grads, net);
        net.layers()
            .into_iter()
            .map(|l| LayerGrads {
                weight: g.remove::<2>(l.weight.id).map(numbers).unwrap_or_default(),
                bias: l
                    .bias
                    .as_ref()
                    .and_then(|b| g.remove::<1>(b.id))
                    .map(numbers)
                    .unwrap_or_default(),
            })
            .collect()
    };
    Gradients {
        actor: take(&actor),
        critic: take(&critic),
    }
}

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
        let slow = reference_gradients(&net, &b, entropy, anchor);
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

fn layers(sizes: [(usize, usize); 3], seed: u64) -> Vec<LayerWeights> {
    let mut r = rng::stream(seed, Stream::Training, 0);
    sizes
        .iter()
        .map(|&(inputs, outputs)| LayerWeights {
            inputs,
            outputs,
            weight: (0..inputs * outputs)
                .map(|_| rng::normal(&mut r) as f32 * 0.3)
                .collect(),
            bias: (0..outputs)
                .map(|_| rng::normal(&mut r) as f32 * 0.1)
                .collect(),
        })
        .collect()
}

/// The page's Adam and burn-optim's `AdamConfig::new()` over the same gradients, eight
/// steps (the state's first step and later ones, bias corrections changing), with a layer
/// that gets no gradient at some steps: the weights must be the same bits throughout.
#[test]
fn the_pages_adam_gives_burn_optims_bits() {
    let start = layers([(7, 16), (16, 16), (16, 30)], 5);
    let mut ours = start.clone();
    let mut adam = Adam::default();
    // burn-optim steps a module on an autodiff device, with gradients on its inner one
    // (as the library did before).
    let tracked = autodiff_device();
    let inner = tracked.clone().inner();
    let mut theirs = Mlp::from_weights(&start, &tracked).no_grad();
    let mut optim = AdamConfig::new().init();
    let mut r = rng::stream(6, Stream::Training, 1);
    for step in 0..8 {
        // Gradients of very different sizes, so both moments and ε matter.
        let scale = [1.0, 1e-4, 30.0, 0.5, 1e-7, 3.0, 1.0, 0.01][step];
        let grads: Vec<LayerGrads> = start
            .iter()
            .map(|l| LayerGrads {
                weight: (0..l.weight.len())
                    .map(|_| rng::normal(&mut r) as f32 * scale)
                    .collect(),
                bias: (0..l.bias.len())
                    .map(|_| rng::normal(&mut r) as f32 * scale)
                    .collect(),
            })
            .collect();
        let lr = [1e-2, 1e-3][step % 2];
        adam.step_layers(0, &mut ours, &grads, lr);
        let mut g = GradientsParams::new();
        for (l, lg) in theirs.layers().into_iter().zip(&grads) {
            let [i, o] = l.weight.val().dims();
            g.register::<2>(
                l.weight.id,
                Tensor::from_data(TensorData::new(lg.weight.clone(), [i, o]), &inner),
            );
            let b = l.bias.as_ref().expect("a bias");
            g.register::<1>(
                b.id,
                Tensor::from_data(TensorData::new(lg.bias.clone(), [o]), &inner),
            );
        }
        theirs = optim.step(lr, theirs, g);
        let (a, b) = (&ours, theirs.weights());
        assert_ne!(*a, start, "step {step}: nothing moved");
        for (k, (la, lb)) in a.iter().zip(&b).enumerate() {
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&la.weight),
                bits(&lb.weight),
                "step {step}, layer {k}: weights differ"
            );
            assert_eq!(
                bits(&la.bias),
                bits(&lb.bias),
                "step {step}, layer {k}: biases differ"
            );
        }
    }
    // No gradients: no step.
    let before = ours.clone();
    adam.step_layers(0, &mut ours, &[], 1e-2);
    assert_eq!(ours, before);
}
