//! Advantage actor-critic in burn (METHOD.md §3–4): separate actor and critic MLPs over
//! the tracked state, a softmax over the whole catalogue with masked (already shown)
//! items, Monte-Carlo returns, Adam, a value-loss weight and an entropy bonus, trained
//! on batches of whole episodes.
//!
//! The networks are burn modules, their weights drawn by burn's seeded initialiser; Adam
//! ([`crate::nn::adam::Adam`], burn-optim's arithmetic operation for operation, the same bits) steps them;
//! the arithmetic of an update is the fast path: the loss over `[batch, n_items]`
//! (masked log-softmax, entropy, policy gradient, KL) is fused and differentiated in
//! closed form (`head.rs`), and the two small MLPs are backpropagated in closed form too
//! (`nn/mlp.rs`), on the deterministic kernels of `nn/kernels.rs`, so the page and the CLI stay
//! bit-equal. burn's autodiff is the reference the closed forms are tested against
//! (`tests/a2c_gradients.rs`). Acting reads a snapshot of the actor's weights.
//!
//! Randomness that decides what happens (sampling actions) is drawn in Rust from the
//! run's seeded streams; burn's own RNG only initialises the weights, after
//! `device.seed`.

use std::cell::OnceCell;

use burn::module::Module;

use super::head::{self, LossTerms};
use crate::nn::adam::Adam;
use crate::nn::mlp::{self, Mlp};
use crate::nn::weights::{LayerWeights, NetWeights, WeightsError};
use crate::nn::{device, seeded};
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
