//! The LLM side of a run: the answer cache, the prompts the edge must get answered
//! ([`LlmTicket`]s, for remote providers) and their answers, and one unit of iALP's
//! distillation and reward fitting at a time.

use super::{ctx, ActiveJob, Experiment};
use crate::ialp::pretrain::Unit;
use crate::ialp::distill::LlmRequest;
use crate::llm::LlmOutcome;
use crate::llm::{LlmCache, LlmStats};

/// A prompt the edge must get answered (remote providers), tagged with its job.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmTicket {
    pub job: usize,
    pub request: LlmRequest,
}

impl Experiment {

    /// Starts with `cache`'s answers (an imported or saved cache): prompts found there
    /// cost no call.
    pub fn with_cache(mut self, cache: LlmCache) -> Self {
        self.cache = cache;
        self
    }

    /// Every answer so far, to save or export.
    pub fn cache(&self) -> &LlmCache {
        &self.cache
    }

    /// Adds answers that arrived from elsewhere (another run's request for the same
    /// prompt): later requests for them cost no call.
    pub fn keep_answers(&mut self, answers: LlmCache) {
        self.cache.merge(answers);
    }

    /// The LLM counters of the distillation in progress, or of the last one.
    pub fn llm_stats(&self) -> Option<LlmStats> {
        match self.active.as_ref().and_then(|a| a.ialp.as_ref()) {
            Some(j) => Some(j.stats()),
            None => self.results.distillations.last().map(|d| d.stats),
        }
    }

    /// Whether work is blocked until the edge answers LLM requests.
    pub fn waiting_for_llm(&self) -> bool {
        self.halted.is_none()
            && self
                .active
                .as_ref()
                .and_then(|a| a.ialp.as_ref())
                .is_some_and(|j| j.waiting_for_answers())
    }

    /// Prompts for the edge to send to the provider (remote providers only), at most
    /// `max`; answers from the cache are applied here and never leave.
    pub fn take_llm_requests(&mut self, max: usize) -> Vec<LlmTicket> {
        if self.halted.is_some() || !self.config.raw().llm.provider.is_remote() {
            return Vec::new();
        }
        let Some(active) = self.active.as_mut() else {
            return Vec::new();
        };
        let index = active.index;
        let Some(distill) = active.ialp.as_mut().and_then(|j| j.asking()) else {
            return Vec::new();
        };
        distill
            .next_requests(&self.cache, max)
            .into_iter()
            .map(|request| LlmTicket {
                job: index,
                request,
            })
            .collect()
    }

    /// Hands back the outcome of a ticket's request.
    pub fn give_llm_answer(&mut self, ticket: &LlmTicket, outcome: LlmOutcome) {
        let Some(active) = self.active.as_mut().filter(|a| a.index == ticket.job) else {
            return;
        };
        if let Some(distill) = active.ialp.as_mut().and_then(|j| j.asking()) {
            distill.answer(ticket.request.id, outcome, &mut self.cache);
        }
    }
    /// One unit of iALP's preparation (see [`Pretraining::work`]); hands `R_φ` to the
    /// learner once it is fitted. Returns a step count for the chunk budget.
    pub(super) fn prepare_ialp(&mut self, job: &mut ActiveJob) -> usize {
        let ctx = ctx(&self.runs, job.run);
        let ij = job.ialp.as_mut().expect("an iALP job");
        let unit = ij.work(
            job.run,
            ctx.seed,
            &ctx.model,
            &ctx.truth,
            &mut self.cache,
            &mut self.done_episodes,
            &mut self.results.distillations,
        );
        if let Some(reward) = ij.learnt() {
            job.learner.reward_learnt(reward.clone());
        }
        match unit {
            Unit::Worked(steps) => steps,
            Unit::Halt(why) => {
                self.halted = Some(why);
                1
            }
        }
    }
}
