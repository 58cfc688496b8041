//! Baselines that need no learning (METHOD.md §6).

use super::Policy;
use crate::env::{Environment, Episode, World};
use crate::rng::{self, SimRng};

/// Recommends uniformly at random among the allowed items.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomPolicy;

impl Policy for RandomPolicy {
    fn act(&mut self, env: &Environment, episode: &Episode, rng: &mut SimRng) -> usize {
        let n = env.world().n_items();
        // Rejection sampling: at most max_turn items are ever masked, and the
        // environment ends an episode before the catalogue runs out.
        loop {
            let item = rng::index(rng, n);
            if env.allowed(episode, item) {
                return item;
            }
        }
    }
}

/// Recommends the items seen most often in the offline log, most popular first
/// (ties broken by item id), skipping masked ones.
#[derive(Debug, Clone)]
pub struct MostPopular {
    ranking: Vec<usize>,
}

impl MostPopular {
    pub fn from_log(world: &World) -> Self {
        let counts = world.log_counts();
        let mut ranking: Vec<usize> = (0..counts.len()).collect();
        ranking.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
        Self { ranking }
    }

    /// Items from most to least popular.
    pub fn ranking(&self) -> &[usize] {
        &self.ranking
    }
}

impl Policy for MostPopular {
    fn act(&mut self, env: &Environment, episode: &Episode, _rng: &mut SimRng) -> usize {
        self.ranking
            .iter()
            .copied()
            .find(|i| env.allowed(episode, *i))
            .unwrap_or(self.ranking[0])
    }
}
