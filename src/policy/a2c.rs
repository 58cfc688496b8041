//! Advantage actor-critic in burn (METHOD.md §3–4): separate actor and critic MLPs over
//! the tracked state, a softmax over the whole catalogue with masked (already shown)
//! items, Monte-Carlo returns, Adam, a value-loss weight and an entropy bonus, trained
//! on batches of whole episodes.
//!
//! Randomness that decides what happens (sampling actions) is drawn in Rust from the
//! run's seeded streams, from probabilities burn computes; burn's own RNG only
//! initialises the weights, after `device.seed`.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{activation, Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// Hyper-parameters of A2C, with METHOD.md's defaults.
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
}

impl Default for A2cConfig {
    fn default() -> Self {
        Self {
            hidden: 64,
            learning_rate: 1e-3,
            gamma: 0.9,
            value_weight: 0.5,
            entropy_weight: 0.01,
            episodes_per_update: 8,
            normalize_advantages: true,
        }
    }
}

/// The device every network runs on: burn's ndarray backend with autodiff, as the user
/// asked (burn 0.22 deprecates it in favour of `Device::flex()`). The one place to
/// change the backend.
#[allow(deprecated)]
pub fn device() -> Device {
    Device::ndarray().autodiff()
}

/// Two hidden ReLU layers and a linear output.
#[derive(Module, Debug)]
pub struct Mlp {
    l1: Linear,
    l2: Linear,
    out: Linear,
}

impl Mlp {
    pub fn new(input: usize, hidden: usize, output: usize, device: &Device) -> Self {
        Self {
            l1: LinearConfig::new(input, hidden).init(device),
            l2: LinearConfig::new(hidden, hidden).init(device),
            out: LinearConfig::new(hidden, output).init(device),
        }
    }

    /// `[batch, input]` → `[batch, output]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = activation::relu(self.l1.forward(x));
        let x = activation::relu(self.l2.forward(x));
        self.out.forward(x)
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

fn layer_weights(l: &Linear) -> LayerWeights {
    let [inputs, outputs] = l.weight.val().dims();
    let vec = |d: TensorData| d.try_to_vec::<f32>().expect("f32 weights");
    LayerWeights {
        inputs,
        outputs,
        weight: vec(l.weight.val().into_data()),
        bias: l
            .bias
            .as_ref()
            .map(|b| vec(b.val().into_data()))
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
    fn weights(&self) -> Vec<LayerWeights> {
        vec![
            layer_weights(&self.l1),
            layer_weights(&self.l2),
            layer_weights(&self.out),
        ]
    }
    fn of(w: &[LayerWeights], device: &Device) -> Mlp {
        Mlp {
            l1: layer_of(&w[0], device),
            l2: layer_of(&w[1], device),
            out: layer_of(&w[2], device),
        }
    }
}

impl NetWeights {
    /// Checks the shapes: three layers each, chained, sizes matching their lengths.
    pub fn check(&self) -> Result<(), String> {
        for (name, layers, out) in [
            ("actor", &self.actor, self.n_items),
            ("critic", &self.critic, 1),
        ] {
            if layers.len() != 3 {
                return Err(format!("the {name} has {} layers, not 3", layers.len()));
            }
            let dims = [
                (self.state_dim, self.hidden),
                (self.hidden, self.hidden),
                (self.hidden, out),
            ];
            for (k, (l, (i, o))) in layers.iter().zip(dims).enumerate() {
                if (l.inputs, l.outputs) != (i, o) || l.weight.len() != i * o || l.bias.len() != o {
                    return Err(format!(
                        "the {name}'s layer {} should be {i} × {o} with {o} biases, but is {} × {} with {} weights and {} biases",
                        k + 1, l.inputs, l.outputs, l.weight.len(), l.bias.len()
                    ));
                }
                if l.weight.iter().chain(&l.bias).any(|x| !x.is_finite()) {
                    return Err(format!(
                        "the {name}'s layer {} has a value that is not a finite number",
                        k + 1
                    ));
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
}

impl Transitions {
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

/// Logit given to masked items: exp underflows to exactly 0, and 0 · logit stays finite.
const MASKED: f32 = -1.0e9;

/// An actor-critic with its optimiser.
pub struct A2c {
    model: ActorCritic,
    optim: ModuleOptimizer,
    device: Device,
    config: A2cConfig,
    state_dim: usize,
    n_items: usize,
}

impl A2c {
    /// A fresh actor-critic; the weights are a function of `seed`.
    pub fn new(state_dim: usize, n_items: usize, config: A2cConfig, seed: u64) -> Self {
        let device = device();
        device.seed(seed);
        let model = ActorCritic {
            actor: Mlp::new(state_dim, config.hidden, n_items, &device),
            critic: Mlp::new(state_dim, config.hidden, 1, &device),
        };
        Self {
            model,
            optim: AdamConfig::new().init(),
            device,
            config,
            state_dim,
            n_items,
        }
    }

    /// A copy of the network with a fresh optimiser: what is deployed online, while the
    /// original stays as it was (the anchor).
    pub fn deployed(&self) -> A2c {
        A2c {
            model: self.model.clone(),
            optim: AdamConfig::new().init(),
            device: self.device.clone(),
            config: self.config,
            state_dim: self.state_dim,
            n_items: self.n_items,
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
            actor: self.model.actor.weights(),
            critic: self.model.critic.weights(),
        }
    }

    /// A network with these parameters (and a fresh optimiser, ready to be fine-tuned);
    /// `config` gives the learning constants, `w` the sizes.
    pub fn from_weights(w: &NetWeights, config: A2cConfig) -> Result<A2c, String> {
        w.check()?;
        let device = device();
        Ok(A2c {
            model: ActorCritic {
                actor: Mlp::of(&w.actor, &device),
                critic: Mlp::of(&w.critic, &device),
            },
            optim: AdamConfig::new().init(),
            device,
            config: A2cConfig {
                hidden: w.hidden,
                ..config
            },
            state_dim: w.state_dim,
            n_items: w.n_items,
        })
    }
    pub fn n_items(&self) -> usize {
        self.n_items
    }
    pub fn state_dim(&self) -> usize {
        self.state_dim
    }

    fn tensor(&self, device: &Device, data: Vec<f32>, shape: [usize; 2]) -> Tensor<2> {
        Tensor::from_data(TensorData::new(data, shape), device)
    }

    /// Logits `logits` (`[rows, n_items]`) with the masked items pushed to [`MASKED`]. With
    /// nothing masked (FB mode) the logits come back as they are: a dense mask would only
    /// add zeros.
    fn masked_logits(
        &self,
        device: &Device,
        logits: Tensor<2>,
        masked: &[Vec<usize>],
    ) -> Tensor<2> {
        if masked.iter().all(|m| m.is_empty()) {
            return logits;
        }
        let mut m = vec![0.0f32; masked.len() * self.n_items];
        for (row, items) in masked.iter().enumerate() {
            for &i in items {
                m[row * self.n_items + i] = MASKED;
            }
        }
        logits + self.tensor(device, m, [masked.len(), self.n_items])
    }

    /// π(· | s) for each state (rows of `states`), with masked items at probability 0.
    /// Returns `[rows, n_items]` row-major.
    pub fn probabilities(&self, states: &[f32], masked: &[Vec<usize>]) -> Vec<f32> {
        let rows = masked.len();
        if rows == 0 {
            return Vec::new();
        }
        let device = self.device.clone().inner();
        let model = self.model.valid();
        let x = self.tensor(&device, states.to_vec(), [rows, self.state_dim]);
        let logits = self.masked_logits(&device, model.actor.forward(x), masked);
        activation::softmax(logits, 1)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32 probabilities")
    }

    /// One A2C step on `batch`: policy gradient with the critic's baseline, the critic's
    /// squared error, and the entropy bonus, all averaged over transitions.
    pub fn update(&mut self, batch: &Transitions) -> UpdateStats {
        self.update_with(batch, self.config.entropy_weight, None)
    }

    /// [`Self::update`] with another entropy weight and, optionally, a KL penalty
    /// `weight · KL(π ‖ π₀)` toward an anchor whose probabilities in the batch's states
    /// are `anchor` (`[n, n_items]`, from [`Self::probabilities`]): A-iALP_ap's repair.
    pub fn update_with(
        &mut self,
        batch: &Transitions,
        entropy_weight: f32,
        anchor: Option<(&[f32], f32)>,
    ) -> UpdateStats {
        let n = batch.len();
        if n == 0 {
            return UpdateStats {
                policy_loss: 0.0,
                value_loss: 0.0,
                entropy: 0.0,
            };
        }
        let d = self.device.clone();
        let x = self.tensor(&d, batch.states.clone(), [n, self.state_dim]);
        let actions: Vec<i64> = batch.actions.iter().map(|a| *a as i64).collect();
        let actions = Tensor::<2, Int>::from_data(TensorData::new(actions, [n, 1]), &d);
        let returns = self.tensor(&d, batch.returns.clone(), [n, 1]);

        let logits = self.masked_logits(&d, self.model.actor.forward(x.clone()), &batch.masked); // [n, items]
        let log_probs = activation::log_softmax(logits, 1); // [n, items]
        let values = self.model.critic.forward(x); // [n, 1]
        let mut advantage = returns.clone() - values.clone().detach(); // [n, 1]
        if self.config.normalize_advantages && n > 1 {
            let mean = advantage.clone().mean();
            let centred = advantage - mean.unsqueeze::<2>();
            let std = (centred.clone() * centred.clone())
                .mean()
                .sqrt()
                .add_scalar(1e-6);
            advantage = centred / std.unsqueeze::<2>();
        }
        let chosen = log_probs.clone().gather(1, actions); // [n, 1]
        let policy_loss = (chosen * advantage).mean().neg();
        let diff = returns - values;
        let value_loss = (diff.clone() * diff).mean();
        let entropy = (log_probs.clone().exp() * log_probs.clone())
            .sum_dim(1)
            .mean()
            .neg();
        let mut loss = policy_loss.clone()
            + value_loss.clone().mul_scalar(self.config.value_weight)
            - entropy.clone().mul_scalar(entropy_weight);
        if let Some((p0, weight)) = anchor.filter(|(_, w)| *w > 0.0) {
            // log π₀, floored so masked items (π₀ = 0, and π = 0 too) stay finite.
            let log_p0: Vec<f32> = p0.iter().map(|p| p.max(1e-12).ln()).collect();
            let log_p0 = self.tensor(&d, log_p0, [n, self.n_items]);
            let kl = (log_probs.clone().exp() * (log_probs.clone() - log_p0))
                .sum_dim(1)
                .mean();
            loss = loss + kl.mul_scalar(weight);
        }

        let stats = UpdateStats {
            policy_loss: policy_loss.detach().into_scalar::<f32>(),
            value_loss: value_loss.detach().into_scalar::<f32>(),
            entropy: entropy.detach().into_scalar::<f32>(),
        };
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        // A module clone shares its tensors; the optimiser returns new parameters.
        self.model = self
            .optim
            .step(self.config.learning_rate, self.model.clone(), grads);
        stats
    }
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
    ) -> (Vec<f32>, Vec<Vec<usize>>) {
        let mut states = Vec::with_capacity(episodes.len() * self.tracker.state_dim());
        let mut masked = Vec::with_capacity(episodes.len());
        for ep in episodes {
            self.tracker.push_state(ep, ep.len(), &mut states);
            masked.push(if masks_repeats {
                ep.items.clone()
            } else {
                Vec::new()
            });
        }
        (states, masked)
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
        let (states, masked) = self.states_and_masks(episodes, env.settings().mode.masks_repeats());
        let probs = self.net.probabilities(&states, &masked);
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
