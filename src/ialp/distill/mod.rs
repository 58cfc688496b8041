//! Distillation (METHOD.md §4.1): sample (user, state) cases from the offline log and
//! from rollouts in the user model, pick candidates for each, render prompts (several
//! cases per request), and collect the ratings the answers contain.
//!
//! Network I/O is described as data: [`Distillation::next_requests`] says which prompts
//! need an answer, and the edge (or a stand-in) hands answers back through
//! [`Distillation::answer`] (an answer or a failure). The cache is consulted first, so a
//! rerun sends nothing.
//!
//! This file holds the request bookkeeping; `cases.rs` samples the cases, `report.rs`
//! turns the labels into `R_φ`'s rows and the agreement report.

mod cases;
mod report;

pub use cases::StateCase;
pub use report::{AgreementReport, DistillReport, RewardSplit};

use super::IalpConfig;
use crate::env::{Environment, World};
use crate::llm::parse::parse_answer;
use crate::llm::prompt::{Case, PromptTemplate};
use crate::llm::{LlmCache, LlmConfig, LlmFailure, LlmOutcome, LlmStats};
use crate::policy::state::StateTracker;
use crate::rng::SimRng;
use crate::user_model::UserModel;

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
        let cases = cases::sample_cases(world, model, offline, tracker, config, rng);
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
}
