//! What a config will cost before it runs: an upper estimate of the memory it holds at
//! once and of its arithmetic, from the config alone (the world's shape is the
//! published shape of its data set times `env.scale`). The config check refuses a run
//! over either budget and says by how much, so a link, a file or a form cannot ask the
//! page for gigabytes or for days of work.
//!
//! The estimate is deliberately an *upper* bound of what [`super::Experiment`] holds
//! (tests/cost.rs runs small accepted configs under a counting allocator and checks the
//! measured peak against it); the budgets are what a browser tab can give one worker.

use serde::Serialize;

use super::config::{DataSource, ExperimentConfig};
use crate::env::synthetic;
use crate::methods;
use crate::methods::Learning;

/// Most memory a run may need (estimated peak, bytes): the training worker is one
/// WebAssembly instance (at most 4 GiB addressable; a tab holding much more than 2 GB
/// is at the mercy of the machine), beside the page's own ~200 MB.
pub const MEMORY_BUDGET: u64 = 2_000_000_000;

/// Most arithmetic a run may ask for (estimated multiply-adds): one to two hours of
/// the page's training worker on the machine BENCHMARKS.md describes (the estimate of
/// the longest preset, paper-coat-long, is 1.1 % of it, and that preset runs in about a
/// minute there). The CLI has the same limit: a bigger study is a sweep (`ialp sweep`),
/// one bounded run per setting and seed.
pub const WORK_BUDGET: f64 = 1.0e14;

/// Largest item attribute vocabulary of a preset (values a state may one-hot).
const MAX_ATTR_VALUES: usize = 64;

/// An estimate of a config's cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cost {
    /// Users × items of the world the runs use.
    pub users: usize,
    pub items: usize,
    /// Peak bytes held at once (upper estimate).
    pub memory_bytes: u64,
    /// Multiply-adds (upper estimate).
    pub work: f64,
    /// Environment steps, training and evaluation (upper estimate: every episode
    /// reaches `env.max_turn`).
    pub steps: f64,
}

/// Why a config costs too much.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverBudget {
    #[error("the run would hold about {} at once, {:.1}× the {} the page can give it ({what}); lower {fields}", mb(*need), *need as f64 / *budget as f64, mb(*budget))]
    Memory { need: u64, budget: u64, what: String, fields: &'static str },
    #[error("the run would take about {need:.1e} multiply-adds, {:.1}× the {budget:.0e} multiply-adds the page allows (one to two hours); lower {fields}", need / budget)]
    Work { need: f64, budget: f64, fields: &'static str },
}

fn mb(bytes: u64) -> String {
    if bytes >= 10_000_000_000 {
        format!("{:.0} GB", bytes as f64 / 1e9)
    } else if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else {
        format!("{:.0} MB", bytes as f64 / 1e6)
    }
}

/// The world's shape a config runs on (real data: the published shape, cut by
/// `env.scale`).
pub fn shape(c: &ExperimentConfig) -> (usize, usize) {
    let scale = match c.env.data {
        DataSource::Synthetic => c.env.scale.unwrap_or_else(|| synthetic::default_scale(c.env.preset)),
        DataSource::Real if c.env.preset.spec().real_is_whole => 1.0,
        DataSource::Real => c.env.scale.unwrap_or(1.0).min(1.0),
    };
    synthetic::shape(c.env.preset, scale)
}

/// Estimates `c`'s cost. Saturating: absurd configs give huge numbers, never overflow.
pub fn estimate(c: &ExperimentConfig) -> Cost {
    let (nu, ni) = shape(c);
    let f = |x: usize| x as f64;
    let matrix = f(nu) * f(ni) * 4.0;
    let seeds = f(c.seeds);
    let turns = f(c.env.max_turn);
    let h = f(c.a2c.hidden);
    let dim = f(c.user_model.dim);
    // State: embedding, reward, and one-hots of the attribute values.
    let s = dim + 1.0 + 2.0 * f(MAX_ATTR_VALUES);
    // Actor (s → h → h → items) and critic (s → h → h → 1), as floats.
    let params = h * (2.0 * s + 2.0 * h + ni as f64 + 4.0) + f(ni);
    // A network as the runner keeps it: weights, Adam's two moments, a plain snapshot
    // of the weights for export, and burn's working copies.
    let network = params * 4.0 * 6.0;

    // --- memory -------------------------------------------------------------------------
    // The world (and, for real data, the full data set the worker keeps loaded).
    let mut memory = matrix * 2.0;
    if c.env.data == DataSource::Real && c.env.preset.spec().real_kept_loaded {
        let (fu, fi) = c.env.preset.real_shape();
        memory += f(fu) * f(fi) * 4.0 * 1.5;
    }
    // One run's context at a time (freed when its seed is done): the user model's R̂,
    // the offline world (R̂ again), the log's shuffle order and the factors.
    memory += matrix * 2.0 + f(nu) * f(ni) * 8.0 * 0.25 + (f(nu) + f(ni)) * dim * 4.0 * 2.0;
    // The learner at work: an episode batch's logits, probabilities, masks, priors and
    // gradients over the catalogue, plus activations; an anchor network for
    // A-iALP_ap; the pre-trained policies a run passes on.
    let batch = f(c.a2c.episodes_per_update) * turns;
    memory += batch * (8.0 * f(ni) + 8.0 * h + 2.0 * s) * 4.0 + 4.0 * network;
    // The user model's prior on the actor's logits: a matrix per tracker of the run.
    if c.state.prior > 0.0 {
        memory += matrix * 3.0;
    }
    // Every trained policy's weights are kept for export: seeds × learning methods.
    let learners = c
        .methods
        .iter()
        .filter(|m| !matches!(methods::spec(**m).learning, Learning::Fixed | Learning::OnlineBandit))
        .count();
    memory += seeds * f(learners) * params * 4.0 * 1.5;
    // Results: curves, 5 traces per evaluation kind, episode returns of online methods.
    let evaluations = |budget: usize| 1.0 + f(budget.div_ceil(c.training.eval_every.max(1)));
    let online = f(c.training.online_episodes);
    memory += seeds * f(c.methods.len()) * (evaluations(c.training.offline_episodes.max(c.training.online_episodes)) * 400.0 + online * 16.0 + 5.0 * turns * 64.0);
    // The distillation: states × candidates, their prompts and the reward model's data.
    let ialp = &c.ialp;
    memory += f(ialp.states) * f(ialp.candidates) * (s + 2.0 * f(MAX_ATTR_VALUES) + 16.0) * 4.0 * 2.0
        + f(ialp.states) * 4096.0;

    // --- work ---------------------------------------------------------------------------
    let forward = h * (2.0 * s + 2.0 * h + f(ni) + 1.0);
    let mut work = 0.0;
    let mut steps = 0.0;
    let eval_steps = f(c.eval_episodes) * turns;
    for m in &c.methods {
        let spec = methods::spec(*m);
        let budget = match spec.learning {
            Learning::Fixed => 0,
            Learning::Offline => c.training.offline_episodes,
            Learning::OnlineBandit | Learning::Online | Learning::Adaptive => c.training.online_episodes,
        };
        let train = f(budget) * turns;
        let evals = evaluations(budget) * eval_steps;
        steps += train + evals;
        let per_step = match spec.learning {
            Learning::Fixed | Learning::OnlineBandit => f(ni) * 2.0,
            _ => forward,
        };
        // Training steps: forward while collecting, forward and backward in the update.
        work += train * per_step * 4.0 + evals * per_step;
        if spec.uses_llm {
            let rm = &ialp.reward_model;
            let rm_in = s + 2.0 * f(MAX_ATTR_VALUES) + dim + 1.0;
            work += f(rm.epochs) * f(ialp.states) * f(ialp.candidates) * f(rm.hidden) * (rm_in + f(rm.hidden)) * 3.0;
            steps += f(ialp.states) * turns;
        }
    }
    // Per run: fitting the user model (the log is taken as a quarter of the entries at
    // most; the data sets' logs are 4–16 %) and predicting every entry.
    let fit = f(c.user_model.epochs) * f(nu) * f(ni) * 0.25 * dim * 2.0 + f(nu) * f(ni) * dim;
    work = seeds * (work + fit);
    steps *= seeds;

    Cost {
        users: nu,
        items: ni,
        memory_bytes: memory.min(u64::MAX as f64) as u64,
        work,
        steps,
    }
}

impl Cost {
    /// `Err` if the cost is over the page's budgets.
    pub fn within_budget(&self) -> Result<(), OverBudget> {
        if self.memory_bytes > MEMORY_BUDGET {
            return Err(OverBudget::Memory {
                need: self.memory_bytes,
                budget: MEMORY_BUDGET,
                what: format!("a {} × {} world", self.users, self.items),
                fields: "env.scale, seeds, a2c.episodes_per_update or a2c.hidden",
            });
        }
        if self.work > WORK_BUDGET {
            return Err(OverBudget::Work {
                need: self.work,
                budget: WORK_BUDGET,
                fields: "seeds, the training episodes, eval_episodes (or raise training.eval_every), env.scale or a2c.hidden",
            });
        }
        Ok(())
    }
}
