//! A resumable simulation: policies run episodes on the ground-truth environment, a
//! chunk at a time, so the page can keep drawing and stop at once, and the CLI and the
//! page produce the same numbers for the same config.
//!
//! Every policy meets the same sequence of users (common random numbers), so the
//! differences between policies are not luck of the draw.

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::config::ValidConfig;
use super::stats::PolicySummary;
use crate::env::{Environment, Episode, World};
use crate::policy::{Policy, PolicyKind};
use crate::rng::{self, SimRng, Stream};

/// Where a simulation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Episodes finished, over all policies.
    pub done: usize,
    /// Episodes to run, over all policies.
    pub total: usize,
}

impl Progress {
    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
    pub fn fraction(&self) -> f64 {
        self.done as f64 / self.total.max(1) as f64
    }
}

struct Runner {
    kind: PolicyKind,
    policy: Box<dyn Policy>,
    rng: SimRng,
    episodes: Vec<Episode>,
}

/// Runs a [`ValidConfig`]'s policies for its number of episodes.
pub struct Simulation {
    config: ValidConfig,
    env: Environment,
    users: Vec<usize>,
    runners: Vec<Runner>,
    /// The episode in progress (index into `users`), shared by all policies in turn.
    next: usize,
}

impl Simulation {
    /// A simulation over `world` (built from the same config; see
    /// [`crate::experiment::build_world`]).
    pub fn new(config: ValidConfig, world: Arc<World>) -> Self {
        let mut user_rng = rng::stream(config.seed(), Stream::Episodes, 0);
        let users = (0..config.episodes()).map(|_| rng::index(&mut user_rng, world.n_users())).collect();
        let runners = config
            .policies()
            .iter()
            .enumerate()
            .map(|(k, kind)| Runner {
                kind: *kind,
                policy: kind.build(&world),
                rng: rng::stream(config.seed(), Stream::Policy, k as u64),
                episodes: Vec::with_capacity(config.episodes()),
            })
            .collect();
        let env = Environment::new(world, config.settings);
        Self { config, env, users, runners, next: 0 }
    }

    pub fn config(&self) -> &ValidConfig {
        &self.config
    }
    pub fn world(&self) -> &World {
        self.env.world()
    }

    pub fn progress(&self) -> Progress {
        let done = self.runners.iter().map(|r| r.episodes.len()).sum();
        Progress { done, total: self.users.len() * self.runners.len() }
    }

    /// Runs whole episodes until at least `step_budget` environment steps were taken or
    /// everything is done. Round-robin over policies: episode k of every policy before
    /// episode k + 1 of any, so partial results are comparable.
    pub fn advance(&mut self, step_budget: usize) -> Progress {
        let mut steps = 0;
        while steps < step_budget && self.next < self.users.len() {
            let user = self.users[self.next];
            for r in &mut self.runners {
                let mut ep = self.env.reset(user);
                while !ep.is_done() {
                    let item = r.policy.act(&self.env, &ep, &mut r.rng);
                    // A policy that proposes a masked item is a bug in the policy; end
                    // the episode rather than loop forever.
                    if self.env.step(&mut ep, item).is_err() {
                        break;
                    }
                }
                steps += ep.len();
                r.episodes.push(ep);
            }
            self.next += 1;
        }
        self.progress()
    }

    /// Runs to the end.
    pub fn run(&mut self) -> Progress {
        self.advance(usize::MAX)
    }

    /// The policies in config order with their episodes so far.
    pub fn episodes(&self) -> impl Iterator<Item = (PolicyKind, &[Episode])> {
        self.runners.iter().map(|r| (r.kind, r.episodes.as_slice()))
    }

    /// Metrics per policy over the episodes so far.
    pub fn summaries(&self) -> Vec<PolicySummary> {
        self.runners.iter().map(|r| PolicySummary::of(r.kind.id(), self.world(), &r.episodes)).collect()
    }

    /// A SHA-256 over the world's ground truth and every episode so far (users, items,
    /// rewards, bit for bit): equal digests mean identical runs, natively or in wasm.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        let w = self.world();
        for u in 0..w.n_users() {
            for r in w.truth.row(u) {
                h.update(r.to_bits().to_le_bytes());
            }
        }
        for r in &w.log {
            h.update(r.user.to_le_bytes());
            h.update(r.item.to_le_bytes());
        }
        for (kind, eps) in self.episodes() {
            h.update(kind.id().as_bytes());
            for e in eps {
                h.update((e.user as u64).to_le_bytes());
                for (i, r) in e.items.iter().zip(&e.rewards) {
                    h.update((*i as u64).to_le_bytes());
                    h.update(r.to_bits().to_le_bytes());
                }
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
