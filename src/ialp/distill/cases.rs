//! The cases a distillation has rated (METHOD.md §4.1): (user, history) pairs drawn from
//! the offline log or from rollouts in the user model, each with the tracker's state and
//! candidates from the user model's top items, popular items and random ones.

use super::super::IalpConfig;
use crate::env::{Environment, Episode, World};
use crate::llm::prompt::Case;
use crate::policy::state::StateTracker;
use crate::rng::{self, SimRng};
use crate::user_model::UserModel;

/// A case to be rated, with the state the policy would be in.
#[derive(Debug, Clone)]
pub struct StateCase {
    pub case: Case,
    /// The tracker's state after `case.history`.
    pub state: Vec<f32>,
    pub from_log: bool,
    pub held_out: bool,
    /// The answer's 1–5 rating of each candidate, when one was given.
    pub labels: Vec<Option<f32>>,
}

/// `config.states` cases: `world` is the ground-truth world (for the log), `offline` the
/// user-model environment the rollouts run in.
pub(super) fn sample_cases(
    world: &World,
    model: &UserModel,
    offline: &Environment,
    tracker: &StateTracker,
    config: &IalpConfig,
    rng: &mut SimRng,
) -> Vec<StateCase> {
    let n_items = world.n_items();
    let mut by_user: Vec<Vec<(usize, f32)>> = vec![Vec::new(); world.n_users()];
    for r in &world.log {
        by_user[r.user as usize].push((r.item as usize, r.value));
    }
    let log_users: Vec<usize> = (0..world.n_users())
        .filter(|u| !by_user[*u].is_empty())
        .collect();
    let counts = world.log_counts();
    let mut popular: Vec<usize> = (0..n_items).collect();
    popular.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
    let w = config.history.max(1);
    let mut cases = Vec::with_capacity(config.states);
    for _ in 0..config.states {
        let from_log = !log_users.is_empty() && rng.random_bool_f64(config.log_share);
        let (user, history) = if from_log {
            let user = log_users[rng::index(rng, log_users.len())];
            let mut mine = by_user[user].clone();
            let k = w.min(mine.len());
            for j in 0..k {
                let pick = j + rng::index(rng, mine.len() - j);
                mine.swap(j, pick);
            }
            mine.truncate(k);
            (user, mine)
        } else {
            let user = rng::index(rng, world.n_users());
            let steps = 1 + rng::index(rng, 2 * w);
            let mut ep = offline.reset(user);
            while ep.len() < steps && !ep.is_done() {
                let item = loop {
                    let i = rng::index(rng, n_items);
                    if offline.allowed(&ep, i) {
                        break i;
                    }
                };
                if offline.step(&mut ep, item).is_err() {
                    break;
                }
            }
            let from = ep.len().saturating_sub(w);
            (
                user,
                ep.items[from..]
                    .iter()
                    .copied()
                    .zip(ep.rewards[from..].iter().copied())
                    .collect(),
            )
        };
        let ep = Episode {
            user,
            items: history.iter().map(|h| h.0).collect(),
            rewards: history.iter().map(|h| h.1).collect(),
            end: None,
        };
        let mut state = Vec::with_capacity(tracker.state_dim());
        tracker.push_state(&ep, ep.len(), &mut state);
        let candidates = sample_candidates(model, &popular, user, &ep.items, config, rng);
        let held_out = rng.random_bool_f64(config.held_out_share);
        let labels = vec![None; candidates.len()];
        cases.push(StateCase {
            case: Case {
                user,
                history,
                candidates,
            },
            state,
            from_log,
            held_out,
            labels,
        });
    }
    cases
}

/// `config.candidates` distinct items not in `exclude`: the user model's top items,
/// popular items and random ones in the configured shares, shuffled.
fn sample_candidates(
    model: &UserModel,
    popular: &[usize],
    user: usize,
    exclude: &[usize],
    config: &IalpConfig,
    rng: &mut SimRng,
) -> Vec<usize> {
    let n_items = popular.len();
    let n = config.candidates.min(n_items.saturating_sub(exclude.len()));
    let n_top = ((config.top_share * n as f64).round() as usize).min(n);
    let n_pop = ((config.popular_share * n as f64).round() as usize).min(n - n_top);
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    let free = |i: &usize, chosen: &Vec<usize>| !exclude.contains(i) && !chosen.contains(i);
    let row = model.predicted.row(user);
    let mut top: Vec<usize> = (0..n_items).collect();
    top.sort_by(|a, b| row[*b].total_cmp(&row[*a]).then(a.cmp(b)));
    for i in top {
        if chosen.len() >= n_top {
            break;
        }
        if free(&i, &chosen) {
            chosen.push(i);
        }
    }
    for &i in popular {
        if chosen.len() >= n_top + n_pop {
            break;
        }
        if free(&i, &chosen) {
            chosen.push(i);
        }
    }
    while chosen.len() < n {
        let i = rng::index(rng, n_items);
        if free(&i, &chosen) {
            chosen.push(i);
        }
    }
    for k in (1..chosen.len()).rev() {
        chosen.swap(k, rng::index(rng, k + 1));
    }
    chosen
}

trait BoolDraw {
    fn random_bool_f64(&mut self, p: f64) -> bool;
}

impl BoolDraw for SimRng {
    /// A portable Bernoulli draw (through an f64 uniform, like the rest of the core).
    fn random_bool_f64(&mut self, p: f64) -> bool {
        use rand::Rng;
        self.random::<f64>() < p
    }
}
