//! Distillation (METHOD.md §4.1): sample (user, state) cases from the offline log and
//! from rollouts in the user model, pick candidates for each, render prompts (several
//! cases per request), and collect the ratings the answers contain.
//!
//! Network I/O is described as data: [`Distillation::next_requests`] says which prompts
//! need an answer, and the edge (or a stand-in) hands answers back through
//! [`Distillation::answer`] / [`Distillation::fail`]. The cache is consulted first, so a
//! rerun sends nothing.

use serde::{Deserialize, Serialize};

use super::agreement::{Agreement, AgreementSum};
use super::reward_model::{AttributeFeatures, RewardData, RewardModel};
use super::IalpConfig;
use crate::env::{Environment, Episode, World};
use crate::llm::parse::parse_answer;
use crate::llm::prompt::{reward_of_stars, Case, PromptTemplate};
use crate::llm::{LlmCache, LlmConfig, LlmFailure, LlmOutcome, LlmStats};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Waiting,
    InFlight,
    Done,
    Failed,
    /// Not sent: the call cap was reached, or a fatal failure stopped everything.
    Skipped,
}

#[derive(Debug, Clone)]
struct Request {
    first: usize,
    end: usize,
    prompt: String,
    slot: Slot,
    /// Times the prompt was asked again after an unparsable answer.
    reasks: usize,
}

/// An unparsable answer is asked again this many times (models do answer properly on a
/// second try; a cached answer is never unparsable).
const REASKS: usize = 1;

/// A prompt that needs an answer. It says how its answer is cached, so an edge can keep
/// an answer the moment it arrives, even if the run that asked is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    /// Identifies the request when its answer comes back.
    pub id: usize,
    pub prompt: String,
    /// Who is asked (`provider.id()`, the base URL's origin, `model`): with the prompt,
    /// the cache key.
    pub provider: String,
    pub origin: String,
    pub model: String,
    /// The candidates of each case, to tell an answer with ratings from nonsense.
    pub expected: Vec<Vec<usize>>,
}

impl LlmRequest {
    /// The hash the answer is kept under (see [`crate::llm::cache::cache_key`]).
    pub fn cache_key(&self) -> String {
        crate::llm::cache::cache_key(&self.provider, &self.origin, &self.model, &self.prompt)
    }

    /// `text` as a cache entry, if it holds any rating (a cached answer is never
    /// unparsable); exactly what [`Distillation::answer`] would cache.
    pub fn cache_entry(&self, text: &str) -> Option<LlmCache> {
        parse_answer(text, &self.expected).ok()?;
        let mut c = LlmCache::new();
        c.insert(
            &self.provider,
            &self.origin,
            &self.model,
            &self.prompt,
            text,
        );
        Some(c)
    }
}

/// `R_φ`'s rows: fitted on `train`, stopped early on `validation`, judged on
/// `held_out` (the cases the agreement is measured on).
#[derive(Debug, Clone, Default)]
pub struct RewardSplit {
    pub train: RewardData,
    pub validation: RewardData,
    pub held_out: RewardData,
}

/// Agreement of the LLM's labels, of `R_φ` and of the user model `R̂` with the ground
/// truth on the held-out cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct AgreementReport {
    pub llm: Agreement,
    pub reward_model: Agreement,
    pub user_model: Agreement,
}

/// What one distillation did and how good its labels are (in results.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistillReport {
    pub run: usize,
    pub seed: u64,
    /// Who answered, in words (the oracle says it peeks).
    pub source: String,
    pub states: usize,
    /// Requests the cases were grouped into.
    pub planned_requests: usize,
    pub stats: LlmStats,
    pub labelled_states: usize,
    pub held_out_states: usize,
    pub reward_train_rows: usize,
    /// Epochs of the kept `R_φ` (the best on the validation cases).
    pub reward_epochs: usize,
    /// `R_φ`'s root-mean-square error against the LLM labels, on training and held-out
    /// rows.
    pub reward_train_rmse: f64,
    pub reward_held_out_rmse: f64,
    pub agreement: AgreementReport,
}

/// One distillation in progress.
#[derive(Debug, Clone)]
pub struct Distillation {
    cases: Vec<StateCase>,
    requests: Vec<Request>,
    next: usize,
    /// Requests to ask again (unparsable answers), before `next`.
    again: Vec<usize>,
    stats: LlmStats,
    provider: String,
    origin: String,
    model: String,
    max_calls: usize,
    fatal: Option<LlmFailure>,
    last_failure: Option<LlmFailure>,
}

impl Distillation {
    /// Samples the cases and renders their prompts. `world` is the ground-truth world
    /// (for text and for the log), `offline` the user-model environment.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        world: &World,
        model: &UserModel,
        offline: &Environment,
        tracker: &StateTracker,
        config: &IalpConfig,
        llm: &LlmConfig,
        template: &PromptTemplate,
        rng: &mut SimRng,
    ) -> Self {
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
        let per = llm.cases_per_request.max(1);
        let requests = (0..cases.len())
            .step_by(per)
            .map(|first| {
                let end = (first + per).min(cases.len());
                let group: Vec<Case> = cases[first..end].iter().map(|c| c.case.clone()).collect();
                Request {
                    first,
                    end,
                    prompt: template.render(world, &group),
                    slot: Slot::Waiting,
                    reasks: 0,
                }
            })
            .collect();
        Self {
            cases,
            requests,
            next: 0,
            again: Vec::new(),
            stats: LlmStats::default(),
            provider: llm.provider.id().into(),
            origin: llm.answer_origin(),
            model: llm.model(),
            max_calls: llm.max_calls,
            fatal: None,
            last_failure: None,
        }
    }

    pub fn cases(&self) -> &[StateCase] {
        &self.cases
    }
    pub fn stats(&self) -> &LlmStats {
        &self.stats
    }
    pub fn fatal(&self) -> Option<&LlmFailure> {
        self.fatal.as_ref()
    }
    /// The most recent failure, to explain a distillation that gave nothing.
    pub fn last_failure(&self) -> Option<&LlmFailure> {
        self.last_failure.as_ref()
    }

    pub fn planned_requests(&self) -> usize {
        self.requests.len()
    }

    /// Cases whose request has ended (answered, failed or skipped).
    pub fn cases_settled(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| matches!(r.slot, Slot::Done | Slot::Failed | Slot::Skipped))
            .map(|r| r.end - r.first)
            .sum()
    }

    pub fn in_flight(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| r.slot == Slot::InFlight)
            .count()
    }

    /// Whether every request has ended.
    pub fn is_finished(&self) -> bool {
        self.requests
            .iter()
            .all(|r| !matches!(r.slot, Slot::Waiting | Slot::InFlight))
    }

    /// Up to `max` prompts to send now. Prompts already in `cache` are answered at once
    /// (no call); past the call cap, the rest are skipped.
    pub fn next_requests(&mut self, cache: &LlmCache, max: usize) -> Vec<LlmRequest> {
        let mut out = Vec::new();
        while out.len() < max && self.fatal.is_none() {
            let Some(id) = self.again.pop() else { break };
            out.extend(self.issue(id, Slot::Failed));
        }
        while self.next < self.requests.len() && out.len() < max {
            let id = self.next;
            self.next += 1;
            if self.fatal.is_some() {
                self.requests[id].slot = Slot::Skipped;
                continue;
            }
            if let Some(text) = cache
                .get(
                    &self.provider,
                    &self.origin,
                    &self.model,
                    &self.requests[id].prompt,
                )
                .map(str::to_string)
            {
                self.stats.cache_hits += 1;
                self.apply(id, &text);
                continue;
            }
            out.extend(self.issue(id, Slot::Skipped));
        }
        out
    }

    /// Sends request `id` unless the call cap is reached (then it ends as `capped`).
    fn issue(&mut self, id: usize, capped: Slot) -> Option<LlmRequest> {
        if self.stats.requests >= self.max_calls {
            self.requests[id].slot = capped;
            return None;
        }
        self.stats.requests += 1;
        self.requests[id].slot = Slot::InFlight;
        let (first, end) = (self.requests[id].first, self.requests[id].end);
        Some(LlmRequest {
            id,
            prompt: self.requests[id].prompt.clone(),
            provider: self.provider.clone(),
            origin: self.origin.clone(),
            model: self.model.clone(),
            expected: self.cases[first..end]
                .iter()
                .map(|c| c.case.candidates.clone())
                .collect(),
        })
    }

    /// Takes an answer: parses it, keeps its ratings, and caches it if it had any.
    pub fn answer(&mut self, id: usize, outcome: LlmOutcome, cache: &mut LlmCache) {
        let Some(req) = self.requests.get(id) else {
            return;
        };
        if req.slot != Slot::InFlight {
            return; // a late answer to a request that was already settled
        }
        self.stats.calls += outcome.calls;
        self.stats.retries += outcome.calls.saturating_sub(1);
        match outcome.result {
            Ok(c) => {
                if let Some(u) = c.usage {
                    self.stats.prompt_tokens += u.prompt_tokens;
                    self.stats.completion_tokens += u.completion_tokens;
                }
                if self.apply(id, &c.text) {
                    let prompt = self.requests[id].prompt.clone();
                    cache.insert(&self.provider, &self.origin, &self.model, &prompt, &c.text);
                }
            }
            Err(f) => {
                self.stats.failures += 1;
                self.requests[id].slot = Slot::Failed;
                self.last_failure = Some(f.clone());
                if f.is_fatal() {
                    self.fatal = Some(f);
                    for r in &mut self.requests {
                        if r.slot == Slot::Waiting {
                            r.slot = Slot::Skipped;
                        }
                    }
                    self.next = self.requests.len();
                    self.again.clear();
                }
            }
        }
    }

    /// Parses `text` for request `id`; returns whether it held any rating.
    fn apply(&mut self, id: usize, text: &str) -> bool {
        let (first, end) = (self.requests[id].first, self.requests[id].end);
        let expected: Vec<Vec<usize>> = self.cases[first..end]
            .iter()
            .map(|c| c.case.candidates.clone())
            .collect();
        match parse_answer(text, &expected) {
            Ok(p) => {
                self.stats.dropped.add(&p.dropped);
                self.stats.labels += p.valid();
                for (c, scores) in self.cases[first..end].iter_mut().zip(p.scores) {
                    c.labels = scores;
                }
                self.requests[id].slot = Slot::Done;
                true
            }
            Err(_) => {
                self.stats.unparsable += 1;
                let r = &mut self.requests[id];
                if r.reasks < REASKS {
                    r.reasks += 1;
                    r.slot = Slot::Waiting;
                    self.again.push(id);
                } else {
                    r.slot = Slot::Failed;
                }
                false
            }
        }
    }

    /// Reward-model rows: (training rows, held-out rows) from the labelled candidates,
    /// plus, with `mix_logged`, the logged ratings of the training log cases' users.
    pub fn reward_data(
        &self,
        world: &World,
        features: &AttributeFeatures,
        mix_logged: bool,
    ) -> RewardSplit {
        let (mut train, mut validation, mut held) = (
            RewardData::default(),
            RewardData::default(),
            RewardData::default(),
        );
        let mut kept = 0;
        for c in &self.cases {
            // Every tenth training case validates (early stopping), never the held-out ones.
            let validates = !c.held_out && {
                kept += 1;
                kept % 10 == 0
            };
            let out = if c.held_out {
                &mut held
            } else if validates {
                &mut validation
            } else {
                &mut train
            };
            for (&item, label) in c.case.candidates.iter().zip(&c.labels) {
                if let Some(s) = label {
                    out.inputs.extend_from_slice(&c.state);
                    features.push(c.case.user, item, &mut out.inputs);
                    out.targets.push(reward_of_stars(world, *s));
                }
            }
            if mix_logged && c.from_log && !c.held_out && !validates {
                for r in world.log.iter().filter(|r| r.user as usize == c.case.user) {
                    if !c.case.history.iter().any(|h| h.0 == r.item as usize) {
                        train.inputs.extend_from_slice(&c.state);
                        features.push(c.case.user, r.item as usize, &mut train.inputs);
                        train.targets.push(r.value);
                    }
                }
            }
        }
        RewardSplit {
            train,
            validation,
            held_out: held,
        }
    }

    /// Agreement with the truth on the held-out cases.
    pub fn agreement(
        &self,
        world: &World,
        model: &UserModel,
        reward: &RewardModel,
        features: &AttributeFeatures,
    ) -> AgreementReport {
        let (mut llm, mut rphi, mut rhat) = (
            AgreementSum::default(),
            AgreementSum::default(),
            AgreementSum::default(),
        );
        for c in self.cases.iter().filter(|c| c.held_out) {
            let truth: Vec<f64> = c
                .case
                .candidates
                .iter()
                .map(|&i| stars_exact(world, world.truth.get(c.case.user, i)))
                .collect();
            let (lp, lt): (Vec<f64>, Vec<f64>) = c
                .labels
                .iter()
                .zip(&truth)
                .filter_map(|(l, t)| l.map(|l| (l as f64, *t)))
                .unzip();
            llm.add(&lp, &lt);
            let mut inputs = Vec::new();
            for &i in &c.case.candidates {
                inputs.extend_from_slice(&c.state);
                features.push(c.case.user, i, &mut inputs);
            }
            let pred: Vec<f64> = reward.predict(&inputs).into_iter().map(f64::from).collect();
            rphi.add(&pred, &truth);
            let hat: Vec<f64> = c
                .case
                .candidates
                .iter()
                .map(|&i| model.predicted.get(c.case.user, i) as f64)
                .collect();
            rhat.add(&hat, &truth);
        }
        AgreementReport {
            llm: llm.finish(),
            reward_model: rphi.finish(),
            user_model: rhat.finish(),
        }
    }
}

/// A reward as an unrounded 1–5 rating (`prompt::stars` without the rounding).
fn stars_exact(world: &World, r: f32) -> f64 {
    let s = &world.reward;
    1.0 + 4.0 * ((r - s.min) / (s.max - s.min).max(1e-6)) as f64
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
