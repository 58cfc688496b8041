//! Recommendation policies (METHOD.md §6): the `Policy` trait every method acts
//! through, the lockstep rollout shared by training and evaluation, the baselines, the
//! state tracker and the A2C agent. Which methods exist is `methods/`'s business.

pub mod a2c;
pub mod baselines;
pub mod deployable;
pub mod head;
pub mod state;

use crate::env::{Environment, Episode};
use crate::rng::SimRng;

pub use baselines::{EpsilonGreedy, Greedy, MostPopular, RandomPolicy, Ucb};

/// Something that recommends one item per step.
pub trait Policy {
    /// Picks the next item for each of `episodes` (none of them done); every item must be
    /// allowed by the environment's mode.
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize>;

    /// Learns from one step's feedback (online learners). The default ignores it.
    fn observe(&mut self, _user: usize, _item: usize, _reward: f32) {}
}

/// Plays one episode per user, all in lockstep (one batched decision per step), and
/// returns them in the order of `users`. With `learn`, the policy observes every step.
pub fn rollout(
    env: &Environment,
    policy: &mut dyn Policy,
    users: &[usize],
    rng: &mut SimRng,
    learn: bool,
) -> Vec<Episode> {
    let mut episodes: Vec<Episode> = users.iter().map(|&u| env.reset(u)).collect();
    loop {
        let active: Vec<usize> = (0..episodes.len())
            .filter(|&k| !episodes[k].is_done())
            .collect();
        if active.is_empty() {
            return episodes;
        }
        let items = {
            let refs: Vec<&Episode> = active.iter().map(|&k| &episodes[k]).collect();
            policy.act(env, &refs, rng)
        };
        for (&k, item) in active.iter().zip(items) {
            let ep = &mut episodes[k];
            match env.step(ep, item) {
                Ok(step) if learn => policy.observe(ep.user, item, step.reward),
                Ok(_) => {}
                // A policy proposing a masked item is a bug in that policy: end the
                // episode rather than loop forever.
                Err(_) => ep.end = Some(crate::env::LeaveReason::MaxTurn { turns: ep.len() }),
            }
        }
    }
}
