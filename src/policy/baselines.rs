//! Baselines that need no neural network (METHOD.md §6).

use super::Policy;
use crate::env::world::RatingMatrix;
use crate::env::{Environment, Episode, World};
use crate::rng::{self, SimRng};

/// Recommends uniformly at random among the allowed items.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomPolicy;

impl Policy for RandomPolicy {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize> {
        let n = env.world().n_items();
        episodes
            .iter()
            .map(|ep| loop {
                // Rejection sampling: at most max_turn items are ever masked, and the
                // environment ends an episode before the catalogue runs out.
                let item = rng::index(rng, n);
                if env.allowed(ep, item) {
                    break item;
                }
            })
            .collect()
    }
}

/// The first allowed item of `ranking` (or its first item if none is allowed).
fn first_allowed(
    env: &Environment,
    ep: &Episode,
    ranking: impl IntoIterator<Item = usize>,
) -> Option<usize> {
    ranking.into_iter().find(|&i| env.allowed(ep, i))
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
    fn act(&mut self, env: &Environment, episodes: &[&Episode], _rng: &mut SimRng) -> Vec<usize> {
        episodes
            .iter()
            .map(|ep| {
                first_allowed(env, ep, self.ranking.iter().copied()).unwrap_or(self.ranking[0])
            })
            .collect()
    }
}

/// Recommends the allowed item with the highest predicted reward `R̂[u, i]` for this
/// user: pure short-term exploitation of the user model.
#[derive(Debug, Clone)]
pub struct Greedy {
    /// Per user, items from best to worst predicted.
    rankings: Vec<Vec<u32>>,
}

impl Greedy {
    pub fn new(predicted: &RatingMatrix) -> Self {
        let rankings = (0..predicted.n_users())
            .map(|u| {
                let row = predicted.row(u);
                let mut r: Vec<u32> = (0..row.len() as u32).collect();
                r.sort_by(|a, b| row[*b as usize].total_cmp(&row[*a as usize]).then(a.cmp(b)));
                r
            })
            .collect();
        Self { rankings }
    }
}

impl Policy for Greedy {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], _rng: &mut SimRng) -> Vec<usize> {
        episodes
            .iter()
            .map(|ep| {
                let r = &self.rankings[ep.user];
                first_allowed(env, ep, r.iter().map(|&i| i as usize)).unwrap_or(r[0] as usize)
            })
            .collect()
    }
}

/// Running mean reward of each item over everyone's feedback (non-contextual bandits).
#[derive(Debug, Clone)]
struct ItemStats {
    sum: Vec<f64>,
    count: Vec<u32>,
    total: u64,
}

impl ItemStats {
    fn new(n: usize) -> Self {
        Self {
            sum: vec![0.0; n],
            count: vec![0; n],
            total: 0,
        }
    }
    fn observe(&mut self, item: usize, reward: f32) {
        self.sum[item] += reward as f64;
        self.count[item] += 1;
        self.total += 1;
    }
    fn mean(&self, item: usize) -> f64 {
        self.sum[item] / self.count[item].max(1) as f64
    }
    /// The allowed item with the highest score; unseen items first (in random order).
    fn best(
        &self,
        env: &Environment,
        ep: &Episode,
        rng: &mut SimRng,
        score: impl Fn(usize) -> f64,
    ) -> usize {
        let n = self.sum.len();
        let unseen: Vec<usize> = (0..n)
            .filter(|&i| self.count[i] == 0 && env.allowed(ep, i))
            .collect();
        if !unseen.is_empty() {
            return unseen[rng::index(rng, unseen.len())];
        }
        let mut best = None;
        for i in (0..n).filter(|&i| env.allowed(ep, i)) {
            let s = score(i);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        best.map(|(i, _)| i).unwrap_or(0)
    }
}

/// ε-greedy over items: with probability ε a random allowed item, otherwise the one with
/// the best mean reward so far.
#[derive(Debug, Clone)]
pub struct EpsilonGreedy {
    epsilon: f64,
    stats: ItemStats,
}

impl EpsilonGreedy {
    pub fn new(n_items: usize, epsilon: f64) -> Self {
        Self {
            epsilon,
            stats: ItemStats::new(n_items),
        }
    }
}

impl Policy for EpsilonGreedy {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize> {
        use rand::Rng;
        episodes
            .iter()
            .map(|ep| {
                if rng.random::<f64>() < self.epsilon {
                    RandomPolicy.act(env, &[*ep], rng)[0]
                } else {
                    self.stats.best(env, ep, rng, |i| self.stats.mean(i))
                }
            })
            .collect()
    }
    fn observe(&mut self, _user: usize, item: usize, reward: f32) {
        self.stats.observe(item, reward);
    }
}

/// UCB1 over items: the best `mean + c · sqrt(2 ln N / n_i)`; every item is tried once
/// first.
#[derive(Debug, Clone)]
pub struct Ucb {
    c: f64,
    stats: ItemStats,
}

impl Ucb {
    pub fn new(n_items: usize, c: f64) -> Self {
        Self {
            c,
            stats: ItemStats::new(n_items),
        }
    }
}

impl Policy for Ucb {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize> {
        let ln_n = (self.stats.total.max(1) as f64).ln();
        episodes
            .iter()
            .map(|ep| {
                self.stats.best(env, ep, rng, |i| {
                    self.stats.mean(i) + self.c * (2.0 * ln_n / self.stats.count[i] as f64).sqrt()
                })
            })
            .collect()
    }
    fn observe(&mut self, _user: usize, item: usize, reward: f32) {
        self.stats.observe(item, reward);
    }
}
