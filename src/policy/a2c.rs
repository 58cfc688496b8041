//! Advantage actor-critic in burn (METHOD.md §3–4): separate actor and critic MLPs over
//! the tracked state, a softmax over the whole catalogue with masked (already shown)
//! items, Monte-Carlo returns, Adam, a value-loss weight and an entropy bonus, trained
//! on batches of whole episodes.
//!
//! The networks are burn modules, their weights drawn by burn's seeded initialiser; Adam
//! ([`Adam`], burn-optim's arithmetic operation for operation, the same bits) steps them;
//! the arithmetic of an update is the fast path: the loss over `[batch, n_items]`
//! (masked log-softmax, entropy, policy gradient, KL) is fused and differentiated in
//! closed form (`head.rs`), and the two small MLPs are backpropagated in closed form too
//! (`mlp.rs`), on the deterministic kernels of `kernels.rs`, so the page and the CLI stay
//! bit-equal. burn's autodiff is the reference the closed forms are tested against
//! (`tests/a2c_gradients.rs`). Acting reads a snapshot of the actor's weights.
//!
//! Randomness that decides what happens (sampling actions) is drawn in Rust from the
//! run's seeded streams; burn's own RNG only initialises the weights, after
//! `device.seed`.

use std::cell::OnceCell;

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{activation, Device, Distribution, Tensor, TensorData};

use super::head::{self, LossTerms};
use super::mlp;
use serde::{Deserialize, Serialize};

/// Hyper-parameters of A2C: METHOD.md's, but for the learning rate (measured).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct A2cConfig {
    /// Width of both hidden layers of the actor and of the critic (64-64).
    pub hidden: usize,
    /// Adam step size.
    pub learning_rate: f64,
    /// Discount γ.
    pub gamma: f32,
    /// Weight of the critic's squared error in the loss.
    pub value_weight: f32,
    /// Weight of the policy-entropy bonus.
    pub entropy_weight: f32,
    /// Whole episodes collected per update.
    pub episodes_per_update: usize,
    /// Scale the advantages of each batch to zero mean and unit variance, so the
    /// entropy weight means the same whatever the reward scale.
    pub normalize_advantages: bool,
    /// What the returns are compared with: the critic's learnt value (A2C), or nothing
    /// (plain Monte-Carlo returns, REINFORCE; with normalisation, the batch mean).
    pub baseline: Baseline,
    /// Transitions per Adam step: the collected batch is split, in order, into pieces of
    /// this size, one step each (0: one step on the whole batch).
    pub minibatch: usize,
}

/// The baseline of the policy gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// `G − V(s)`, with the critic learning `V` (A2C).
    #[default]
    Critic,
    /// `G` alone (Monte-Carlo returns); the critic does not learn.
    None,
}

impl Baseline {
    pub const ALL: [Baseline; 2] = [Baseline::Critic, Baseline::None];
}

impl Default for A2cConfig {
    fn default() -> Self {
        Self {
            hidden: 64,
            // METHOD.md says 1e-3; measured (RESULTS.md, the ablation), 1e-2 learns in a
            // third of the episodes on all three worlds, which is what a page can afford.
            learning_rate: 1e-2,
            gamma: 0.9,
            value_weight: 0.5,
            entropy_weight: 0.01,
            episodes_per_update: 8,
            normalize_advantages: true,
            baseline: Baseline::Critic,
            minibatch: 0,
        }
    }
}

/// The device every network runs on: burn's ndarray backend, as the user asked (burn
/// 0.22 deprecates it in favour of `Device::flex()`). The one place to change the
/// backend. No autodiff: the gradients are closed forms (`mlp.rs`, `head.rs`), and
/// burn's autodiff, the reference they are tested against, is a dev-dependency only,
/// so the page does not ship it (a fifth of the bundle: BENCHMARKS.md, Bundle).
#[allow(deprecated)]
pub fn device() -> Device {
    Device::ndarray()
}

/// Adam with burn-optim 0.22's `AdamConfig::new()` (β₁ 0.9, β₂ 0.999, ε 10⁻⁵, no weight
/// decay, no AMSGrad), computed as burn-optim computes it, operation for operation and in
/// the same order, so the weights are the same bits (`tests/a2c_gradients.rs` steps both
/// and compares every bit). Ours rather than burn-optim's because burn-optim turns on
/// burn's autodiff, and burn's tensor operations carry the autodiff and quantised arms of
/// every operation into the page's bundle. One state per parameter slot, made on the
/// slot's first step.
#[derive(Clone, Default)]
pub struct Adam {
    moments: Vec<Option<Moments>>,
}

#[derive(Clone)]
struct Moments {
    time: usize,
    first: Vec<f32>,
    second: Vec<f32>,
}

impl Adam {
    const BETA_1: f32 = 0.9;
    const BETA_2: f32 = 0.999;
    const EPSILON: f32 = 1e-5;

    /// One step of the parameter in `slot`, in place, with its gradient (same length).
    pub fn step(&mut self, slot: usize, lr: f64, param: &mut [f32], grad: &[f32]) {
        assert_eq!(param.len(), grad.len(), "a gradient per parameter");
        if self.moments.len() <= slot {
            self.moments.resize(slot + 1, None);
        }
        let (b1, b2) = (Self::BETA_1, Self::BETA_2);
        let m = match &mut self.moments[slot] {
            Some(m) => {
                for ((m1, m2), g) in m.first.iter_mut().zip(&mut m.second).zip(grad) {
                    *m1 = *m1 * b1 + *g * (1.0 - b1);
                    *m2 = *m2 * b2 + *g * *g * (1.0 - b2);
                }
                m.time += 1;
                m
            }
            slot => slot.insert(Moments {
                time: 1,
                first: grad.iter().map(|g| g * (1.0 - b1)).collect(),
                second: grad.iter().map(|g| g * g * (1.0 - b2)).collect(),
            }),
        };
        let time = m.time as i32;
        let bias_correction2_sqrt = (1.0 - b2.powi(time)).sqrt();
        let combined = bias_correction2_sqrt / (1.0 - b1.powi(time));
        let epsilon = Self::EPSILON * bias_correction2_sqrt;
        let lr = lr as f32; // burn converts the scalar to the tensor's element type
        for ((p, m1), m2) in param.iter_mut().zip(&m.first).zip(&m.second) {
            *p -= *m1 * combined / (m2.sqrt() + epsilon) * lr;
        }
    }

    /// One step of every layer that has gradients (none: nothing moves); the layers'
    /// weights and biases are the slots `first_slot..first_slot + 2 · layers`.
    pub fn step_layers(
        &mut self,
        first_slot: usize,
        layers: &mut [LayerWeights],
        grads: &[mlp::LayerGrads],
        lr: f64,
    ) {
        for (k, (l, g)) in layers.iter_mut().zip(grads).enumerate() {
            self.step(first_slot + 2 * k, lr, &mut l.weight, &g.weight);
            self.step(first_slot + 2 * k + 1, lr, &mut l.bias, &g.bias);
        }
    }
}

/// Builds a network from burn's seeded initialiser (with [`Mlp::new_seeded`]). burn's ndarray backend keeps one
/// process-wide RNG, so "seed, then draw the weights" must not interleave with another
/// thread doing the same: two networks made at once on two threads (parallel tests, a
/// library user running two experiments) would each get a mix of both streams and the
/// run would stop reproducing. The lock makes the pair atomic; in the page and the CLI,
/// which build one network at a time, it changes nothing.
fn seeded<T>(device: &Device, seed: u64, init: impl FnOnce(&Device) -> T) -> T {
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A panic inside `init` poisons nothing we rely on: the guard protects no data.
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    init(device)
}

/// Two hidden ReLU layers and a linear output.
#[derive(Module, Debug)]
pub struct Mlp {
    l1: Linear,
    l2: Linear,
    out: Linear,
}

impl Mlp {
    /// An MLP whose initial weights are a function of `seed` alone.
    pub fn new_seeded(
        input: usize,
        hidden: usize,
        output: usize,
        device: &Device,
        seed: u64,
    ) -> Self {
        seeded(device, seed, |d| Self::new(input, hidden, output, d))
    }

    /// Drawn from burn's RNG in the order l1 (weight, bias), l2, out.
    fn new(input: usize, hidden: usize, output: usize, device: &Device) -> Self {
        Self {
            l1: kaiming_linear(input, hidden, device),
            l2: kaiming_linear(hidden, hidden, device),
            out: kaiming_linear(hidden, output, device),
        }
    }

    /// `[batch, input]` → `[batch, output]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.out.forward(self.trunk(x))
    }

    /// The two hidden layers: `[batch, input]` → `[batch, hidden]`.
    pub fn trunk(&self, x: Tensor<2>) -> Tensor<2> {
        let x = activation::relu(self.l1.forward(x));
        activation::relu(self.l2.forward(x))
    }
}

/// A linear layer as burn-nn's `LinearConfig::new(inputs, outputs).init(device)` makes
/// it (row layout, weight then bias, each `U(−a, a)` with burn's Kaiming-uniform bound
/// `a = √3 · (1/√3) · 1/√inputs`, computed as burn computes it), drawn now from burn's RNG:
/// the same bits. Not through `LinearConfig`, whose lazy initialiser carries every kind of
/// initialiser (the orthogonal one with a QR decomposition) into the page's bundle.
fn kaiming_linear(inputs: usize, outputs: usize, device: &Device) -> Linear {
    let gain = 1.0 / 3.0f64.sqrt();
    let a = 3.0f64.sqrt() * gain * (1.0 / (inputs as f64).sqrt());
    let uniform = Distribution::Uniform(-a, a);
    let weight = Tensor::<2>::random([inputs, outputs], uniform, device);
    let bias = Tensor::<1>::random([outputs], uniform, device);
    Linear {
        weight: burn::module::Param::from_tensor(weight),
        bias: Some(burn::module::Param::from_tensor(bias)),
    }
}

/// One linear layer's parameters, row-major `[inputs, outputs]` as burn keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// The actor's and the critic's parameters: what a policy file carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWeights {
    pub state_dim: usize,
    pub n_items: usize,
    pub hidden: usize,
    /// `l1`, `l2`, `out` of the actor, then of the critic.
    pub actor: Vec<LayerWeights>,
    pub critic: Vec<LayerWeights>,
}

/// A tensor's numbers, row-major. Read once per network (when it is made); the updates
/// keep their own copy (the snapshots), so no tensor arithmetic is needed here (a `× 1`
/// to get a fresh array would carry burn's quantised arithmetic into the bundle).
fn numbers<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("f32 numbers")
}

fn layer_weights(l: &Linear) -> LayerWeights {
    let [inputs, outputs] = l.weight.val().dims();
    LayerWeights {
        inputs,
        outputs,
        weight: numbers(l.weight.val()),
        bias: l
            .bias
            .as_ref()
            .map(|b| numbers(b.val()))
            .unwrap_or_default(),
    }
}

fn layer_of(w: &LayerWeights, device: &Device) -> Linear {
    Linear {
        weight: burn::module::Param::from_tensor(Tensor::from_data(
            TensorData::new(w.weight.clone(), [w.inputs, w.outputs]),
            device,
        )),
        bias: Some(burn::module::Param::from_tensor(Tensor::from_data(
            TensorData::new(w.bias.clone(), [w.outputs]),
            device,
        ))),
    }
}

impl Mlp {
    /// The three layers, in order.
    pub fn layers(&self) -> [&Linear; 3] {
        [&self.l1, &self.l2, &self.out]
    }

    /// The layers as plain numbers.
    pub fn weights(&self) -> Vec<LayerWeights> {
        vec![
            layer_weights(&self.l1),
            layer_weights(&self.l2),
            layer_weights(&self.out),
        ]
    }
    /// A network with these layers' parameters (three, as [`NetWeights::check`] checks).
    pub fn from_weights(w: &[LayerWeights], device: &Device) -> Mlp {
        Mlp {
            l1: layer_of(&w[0], device),
            l2: layer_of(&w[1], device),
            out: layer_of(&w[2], device),
        }
    }
}

/// Why a set of weights cannot be a network (a policy file's, most often).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightsError {
    #[error("the {net} has {layers} layers, not 3")]
    Layers { net: &'static str, layers: usize },
    #[error("the {net}'s layer {layer} should be {inputs} × {outputs} with {outputs} biases, but is {found_inputs} × {found_outputs} with {weights} weights and {biases} biases")]
    Shape {
        net: &'static str,
        layer: usize,
        inputs: usize,
        outputs: usize,
        found_inputs: usize,
        found_outputs: usize,
        weights: usize,
        biases: usize,
    },
    #[error("the {net}'s layer {layer} has a value that is not a finite number")]
    NotFinite { net: &'static str, layer: usize },
    #[error("the network claims {state_dim} inputs, {hidden} hidden units and {n_items} items: {params} parameters, more than the {limit} a policy may have")]
    TooBig {
        state_dim: usize,
        hidden: usize,
        n_items: usize,
        params: String,
        limit: usize,
    },
}

impl NetWeights {
    /// Checks the shapes: three layers each, chained, sizes matching their lengths.
    pub fn check(&self) -> Result<(), WeightsError> {
        // The claimed sizes first, with checked arithmetic (a file can claim 10⁹ inputs;
        // on wasm32 the product would wrap): nothing is sized from them before this.
        let (s, h, n) = (self.state_dim, self.hidden, self.n_items);
        let params = [(s, h), (h, h), (h, n), (s, h), (h, h), (h, 1)]
            .iter()
            .try_fold(0usize, |acc, (i, o)| {
                i.checked_mul(*o)?.checked_add(*o)?.checked_add(acc)
            });
        if params.is_none_or(|p| p > crate::limits::POLICY_PARAMETERS) {
            return Err(WeightsError::TooBig {
                state_dim: s,
                hidden: h,
                n_items: n,
                params: params.map_or("more than 2⁶⁴".into(), |p| p.to_string()),
                limit: crate::limits::POLICY_PARAMETERS,
            });
        }
        for (name, layers, out) in [
            ("actor", &self.actor, self.n_items),
            ("critic", &self.critic, 1),
        ] {
            if layers.len() != 3 {
                return Err(WeightsError::Layers {
                    net: name,
                    layers: layers.len(),
                });
            }
            let dims = [
                (self.state_dim, self.hidden),
                (self.hidden, self.hidden),
                (self.hidden, out),
            ];
            for (k, (l, (i, o))) in layers.iter().zip(dims).enumerate() {
                if (l.inputs, l.outputs) != (i, o) || l.weight.len() != i * o || l.bias.len() != o {
                    return Err(WeightsError::Shape {
                        net: name,
                        layer: k + 1,
                        inputs: i,
                        outputs: o,
                        found_inputs: l.inputs,
                        found_outputs: l.outputs,
                        weights: l.weight.len(),
                        biases: l.bias.len(),
                    });
                }
                if l.weight.iter().chain(&l.bias).any(|x| !x.is_finite()) {
                    return Err(WeightsError::NotFinite {
                        net: name,
                        layer: k + 1,
                    });
                }
            }
        }
        Ok(())
    }
}

/// The actor (logits over items) and the critic (state value).
#[derive(Module, Debug)]
pub struct ActorCritic {
    pub actor: Mlp,
    pub critic: Mlp,
}

/// Transitions of whole episodes, flattened, ready for one update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transitions {
    /// `[n, state_dim]`, row-major.
    pub states: Vec<f32>,
    /// The item recommended in each state.
    pub actions: Vec<usize>,
    /// Discounted Monte-Carlo return from each state.
    pub returns: Vec<f32>,
    /// Items that were masked (not allowed) in each state.
    pub masked: Vec<Vec<usize>>,
    /// What the actor adds to its logits in each state, `[n, n_items]` (empty: nothing;
    /// see `StateConfig::prior`).
    pub prior: Vec<f32>,
}

impl Transitions {
    /// Transitions `from..to`, for states of `state_dim` numbers.
    pub fn slice(&self, from: usize, to: usize, state_dim: usize) -> Transitions {
        Transitions {
            states: self.states[from * state_dim..to * state_dim].to_vec(),
            actions: self.actions[from..to].to_vec(),
            returns: self.returns[from..to].to_vec(),
            masked: self.masked[from..to].to_vec(),
            prior: if self.prior.is_empty() {
                Vec::new()
            } else {
                let items = self.prior.len() / self.len();
                self.prior[from * items..to * items].to_vec()
            },
        }
    }

    pub fn len(&self) -> usize {
        self.actions.len()
    }
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Discounted returns `G_t = r_t + γ G_{t+1}` of one episode's rewards.
pub fn discounted_returns(rewards: &[f32], gamma: f32) -> Vec<f32> {
    let mut out = vec![0.0; rewards.len()];
    let mut g = 0.0;
    for t in (0..rewards.len()).rev() {
        g = rewards[t] + gamma * g;
        out[t] = g;
    }
    out
}

/// What one update did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UpdateStats {
    pub policy_loss: f32,
    pub value_loss: f32,
    pub entropy: f32,
}

/// An actor-critic with its optimiser.
pub struct A2c {
    model: ActorCritic,
    optim: Adam,
    config: A2cConfig,
    state_dim: usize,
    n_items: usize,
    /// The actor's and the critic's weights as plain numbers, taken after each update
    /// when first needed.
    snapshot: OnceCell<Vec<LayerWeights>>,
    critic_snapshot: OnceCell<Vec<LayerWeights>>,
}

impl A2c {
    /// A fresh actor-critic; the weights are a function of `seed`.
    pub fn new(state_dim: usize, n_items: usize, config: A2cConfig, seed: u64) -> Self {
        let device = device();
        // No parameter asks to be tracked: the gradients are ours (and on an autodiff
        // device, a tracked parameter made anew by every Adam step would stay in its
        // graph, a leak of ~19 KB per update).
        let model = seeded(&device, seed, |d| {
            ActorCritic {
                actor: Mlp::new(state_dim, config.hidden, n_items, d),
                critic: Mlp::new(state_dim, config.hidden, 1, d),
            }
            .no_grad()
        });
        Self {
            model,
            optim: Adam::default(),
            config,
            state_dim,
            n_items,
            snapshot: OnceCell::new(),
            critic_snapshot: OnceCell::new(),
        }
    }

    /// A copy of the network with a fresh optimiser: what is deployed online, while the
    /// original stays as it was (the anchor).
    pub fn deployed(&self) -> A2c {
        A2c {
            model: self.model.clone(),
            optim: Adam::default(),
            config: self.config,
            state_dim: self.state_dim,
            n_items: self.n_items,
            snapshot: self.snapshot.clone(),
            critic_snapshot: self.critic_snapshot.clone(),
        }
    }

    pub fn config(&self) -> &A2cConfig {
        &self.config
    }

    /// The parameters, for a policy file.
    pub fn weights(&self) -> NetWeights {
        NetWeights {
            state_dim: self.state_dim,
            n_items: self.n_items,
            hidden: self.config.hidden,
            actor: self.actor_weights().to_vec(),
            critic: self.critic_weights().to_vec(),
        }
    }

    /// A network with these parameters (and a fresh optimiser, ready to be fine-tuned);
    /// `config` gives the learning constants, `w` the sizes.
    pub fn from_weights(w: &NetWeights, config: A2cConfig) -> Result<A2c, WeightsError> {
        w.check()?;
        let device = device();
        Ok(A2c {
            model: ActorCritic {
                actor: Mlp::from_weights(&w.actor, &device),
                critic: Mlp::from_weights(&w.critic, &device),
            }
            .no_grad(),
            optim: Adam::default(),
            config: A2cConfig {
                hidden: w.hidden,
                ..config
            },
            state_dim: w.state_dim,
            n_items: w.n_items,
            snapshot: OnceCell::new(),
            critic_snapshot: OnceCell::new(),
        })
    }
    pub fn n_items(&self) -> usize {
        self.n_items
    }
    pub fn state_dim(&self) -> usize {
        self.state_dim
    }

    /// The actor's layers as plain numbers (taken once per set of weights).
    fn actor_weights(&self) -> &[LayerWeights] {
        self.snapshot.get_or_init(|| self.model.actor.weights())
    }

    /// The critic's layers as plain numbers (taken once per set of weights).
    fn critic_weights(&self) -> &[LayerWeights] {
        self.critic_snapshot
            .get_or_init(|| self.model.critic.weights())
    }

    /// The actor's masked logits for each state (rows of `states`), plus `prior`
    /// (`[rows, n_items]`, or empty for none): `[rows, n_items]`, masked items at `−∞`.
    /// Plain kernels on the weights' snapshot, no autodiff.
    fn logits(&self, states: &[f32], masked: &[Vec<usize>], prior: &[f32]) -> Vec<f32> {
        let mut z = mlp::forward(self.actor_weights(), states, masked.len());
        add_prior(&mut z, prior);
        head::mask(&mut z, self.n_items, masked);
        z
    }

    /// π(· | s) for each state (rows of `states`), with masked items at probability 0
    /// and `prior` added to the logits (empty: none). Returns `[rows, n_items]`
    /// row-major.
    pub fn probabilities(&self, states: &[f32], masked: &[Vec<usize>], prior: &[f32]) -> Vec<f32> {
        if masked.is_empty() {
            return Vec::new();
        }
        let mut z = self.logits(states, masked, prior);
        head::softmax(&mut z, self.n_items);
        z
    }

    /// log π(· | s) for each state, masked items at `−∞`: the anchor's side of
    /// A-iALP_ap's KL term.
    pub fn log_probabilities(
        &self,
        states: &[f32],
        masked: &[Vec<usize>],
        prior: &[f32],
    ) -> Vec<f32> {
        if masked.is_empty() {
            return Vec::new();
        }
        let mut z = self.logits(states, masked, prior);
        head::log_softmax(&mut z, self.n_items);
        z
    }

    /// One A2C step on `batch`: policy gradient with the critic's baseline, the critic's
    /// squared error, and the entropy bonus, all averaged over transitions.
    pub fn update(&mut self, batch: &Transitions) -> UpdateStats {
        self.update_with(batch, self.config.entropy_weight, None)
    }

    /// [`Self::update`] with another entropy weight and, optionally, a KL penalty
    /// `weight · KL(π ‖ π₀)` toward an anchor whose log-probabilities in the batch's
    /// states are `anchor` (`[n, n_items]`, from [`Self::log_probabilities`]):
    /// A-iALP_ap's repair.
    pub fn update_with(
        &mut self,
        batch: &Transitions,
        entropy_weight: f32,
        anchor: Option<(&[f32], f32)>,
    ) -> UpdateStats {
        if batch.is_empty() {
            return UpdateStats {
                policy_loss: 0.0,
                value_loss: 0.0,
                entropy: 0.0,
            };
        }
        let piece = self.config.minibatch;
        if piece == 0 || piece >= batch.len() {
            let (grads, stats) = self.gradients(batch, entropy_weight, anchor);
            self.step(&grads);
            return stats;
        }
        // One step per piece of the batch, in order; the stats are the last piece's.
        let mut stats = None;
        for from in (0..batch.len()).step_by(piece) {
            let to = (from + piece).min(batch.len());
            let part = batch.slice(from, to, self.state_dim);
            let logp0 = anchor.map(|(q, w)| (&q[from * self.n_items..to * self.n_items], w));
            let (grads, s) = self.gradients(&part, entropy_weight, logp0);
            self.step(&grads);
            stats = Some(s);
        }
        stats.expect("a non-empty batch")
    }

    /// The loss's gradients for every layer of the actor and of the critic, in closed
    /// form, and the loss terms' values. `batch` must not be empty.
    pub fn gradients(
        &self,
        batch: &Transitions,
        entropy_weight: f32,
        anchor: Option<(&[f32], f32)>,
    ) -> (Gradients, UpdateStats) {
        let n = batch.len();
        let items = self.n_items;
        let x = &batch.states;
        // The critic: its values are the baseline, and it learns `value_weight · (G − V)²`.
        let critic = self.critic_weights();
        let critic_outs = mlp::forward_keep(critic, x, n);
        let v = critic_outs.last().expect("three layers"); // [n, 1]
        let zeros;
        let baseline = match self.config.baseline {
            Baseline::Critic => v.as_slice(),
            Baseline::None => {
                zeros = vec![0.0f32; n];
                &zeros
            }
        };
        let advantages = advantages(&batch.returns, baseline, self.config.normalize_advantages);
        let mut value_loss = 0.0f32;
        let dv: Vec<f32> = batch
            .returns
            .iter()
            .zip(v)
            .map(|(g, v)| {
                value_loss += (g - v) * (g - v);
                self.config.value_weight * 2.0 * (v - g) / n as f32
            })
            .collect();
        // Without a learnt baseline the critic does not learn (no gradients, no step).
        let critic_grads = match self.config.baseline {
            Baseline::Critic => mlp::backward(critic, x, &critic_outs, dv, n),
            Baseline::None => Vec::new(),
        };

        // The actor: its logits become ∂L/∂z in place, then backpropagated.
        let actor = self.actor_weights();
        let mut actor_outs = mlp::forward_keep(actor, x, n);
        let mut g = actor_outs.pop().expect("three layers"); // [n, items]
        add_prior(&mut g, &batch.prior); // a constant: ∂L/∂(MLP output) = ∂L/∂z
        head::mask(&mut g, items, &batch.masked);
        let terms = LossTerms {
            actions: &batch.actions,
            advantages: &advantages,
            entropy_weight,
            anchor: anchor.filter(|(_, w)| *w > 0.0),
        };
        let loss = head::loss_grad(&mut g, items, &terms);
        actor_outs.push(Vec::new()); // the last output is not read by the backward pass
        let actor_grads = mlp::backward(actor, x, &actor_outs, g, n);
        (
            Gradients {
                actor: actor_grads,
                critic: critic_grads,
            },
            UpdateStats {
                policy_loss: loss.policy_loss,
                value_loss: value_loss / n as f32,
                entropy: loss.entropy,
            },
        )
    }

    /// One Adam step with these gradients (the actor's slots 0–5, the critic's 6–11), on
    /// the snapshots; burn's modules then hold the new weights.
    pub fn step(&mut self, g: &Gradients) {
        let lr = self.config.learning_rate;
        let mut actor = self.actor_weights().to_vec();
        let mut critic = self.critic_weights().to_vec();
        self.optim.step_layers(0, &mut actor, &g.actor, lr);
        self.optim.step_layers(6, &mut critic, &g.critic, lr);
        let device = device();
        self.model = ActorCritic {
            actor: Mlp::from_weights(&actor, &device),
            critic: Mlp::from_weights(&critic, &device),
        };
        self.snapshot = OnceCell::from(actor);
        self.critic_snapshot = OnceCell::from(critic);
    }
}

/// `z += prior` (nothing if `prior` is empty).
fn add_prior(z: &mut [f32], prior: &[f32]) {
    if !prior.is_empty() {
        debug_assert_eq!(z.len(), prior.len());
        for (z, p) in z.iter_mut().zip(prior) {
            *z += p;
        }
    }
}

/// Every layer's gradients of the actor and of the critic (`l1`, `l2`, `out` each).
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    pub actor: Vec<mlp::LayerGrads>,
    pub critic: Vec<mlp::LayerGrads>,
}

/// `G − V(s)` per transition, scaled to zero mean and unit variance over the batch if
/// `normalize` (so the entropy weight means the same whatever the reward scale).
pub fn advantages(returns: &[f32], values: &[f32], normalize: bool) -> Vec<f32> {
    let mut a: Vec<f32> = returns.iter().zip(values).map(|(g, v)| g - v).collect();
    if normalize && a.len() > 1 {
        let n = a.len() as f32;
        let mean = a.iter().sum::<f32>() / n;
        for x in &mut a {
            *x -= mean;
        }
        let std = (a.iter().map(|x| x * x).sum::<f32>() / n).sqrt() + 1e-6;
        for x in &mut a {
            *x /= std;
        }
    }
    a
}

/// An A2C network acting as a policy: it sees each episode through the state tracker
/// and samples from its softmax (masked items have probability 0).
pub struct A2cAgent {
    pub net: A2c,
    pub tracker: super::state::StateTracker,
}

impl A2cAgent {
    /// The same policy, deployed afresh (see [`A2c::deployed`]).
    pub fn deployed(&self) -> A2cAgent {
        A2cAgent {
            net: self.net.deployed(),
            tracker: self.tracker.clone(),
        }
    }

    fn states_and_masks(
        &self,
        episodes: &[&crate::env::Episode],
        masks_repeats: bool,
    ) -> (Vec<f32>, Vec<Vec<usize>>, Vec<f32>) {
        let mut states = Vec::with_capacity(episodes.len() * self.tracker.state_dim());
        let mut masked = Vec::with_capacity(episodes.len());
        let mut prior = Vec::new();
        for ep in episodes {
            self.tracker.push_state(ep, ep.len(), &mut states);
            self.tracker.push_prior(ep, &mut prior);
            masked.push(if masks_repeats {
                ep.items.clone()
            } else {
                Vec::new()
            });
        }
        (states, masked, prior)
    }

    /// The transitions of finished `episodes`, each step's reward replaced by
    /// `reward(k, episode, t)` for episode `k` (the environment's reward, or a shaped one).
    pub fn transitions(
        &self,
        episodes: &[crate::env::Episode],
        masks_repeats: bool,
        reward: impl Fn(usize, &crate::env::Episode, usize) -> f32,
    ) -> Transitions {
        let mut tr = Transitions::default();
        for (k, ep) in episodes.iter().enumerate() {
            let rewards: Vec<f32> = (0..ep.len()).map(|t| reward(k, ep, t)).collect();
            tr.returns
                .extend(discounted_returns(&rewards, self.net.config().gamma));
            for t in 0..ep.len() {
                self.tracker.push_state(ep, t, &mut tr.states);
                self.tracker.push_prior(ep, &mut tr.prior);
                tr.actions.push(ep.items[t]);
                tr.masked.push(if masks_repeats {
                    ep.items[..t].to_vec()
                } else {
                    Vec::new()
                });
            }
        }
        tr
    }
}

impl super::Policy for A2cAgent {
    fn act(
        &mut self,
        env: &crate::env::Environment,
        episodes: &[&crate::env::Episode],
        rng: &mut crate::rng::SimRng,
    ) -> Vec<usize> {
        use rand::Rng;
        let (states, masked, prior) =
            self.states_and_masks(episodes, env.settings().mode.masks_repeats());
        let probs = self.net.probabilities(&states, &masked, &prior);
        let n = self.net.n_items();
        episodes
            .iter()
            .enumerate()
            .map(|(row, ep)| {
                let p = &probs[row * n..(row + 1) * n];
                let total: f64 = p.iter().map(|x| *x as f64).sum();
                let target = rng.random::<f64>() * total;
                let mut acc = 0.0;
                let mut last_allowed = None;
                for (i, x) in p.iter().enumerate() {
                    if *x > 0.0 && env.allowed(ep, i) {
                        acc += *x as f64;
                        last_allowed = Some(i);
                        if acc > target {
                            return i;
                        }
                    }
                }
                // Rounding left the target just above the sum: take the last allowed item.
                last_allowed.unwrap_or_else(|| (0..n).find(|&i| env.allowed(ep, i)).unwrap_or(0))
            })
            .collect()
    }
}
