//! A run's results as changes (issue 17): the worker streams a snapshot a few times a
//! second, and after the first one sends only what may have changed since. Finished
//! jobs' records never change, so a snapshot carries the records from the first one that
//! was not finished in the last snapshot on (the jobs finished since and the job in
//! progress, whole); the small reports (user models, distillations, the summary) are
//! sent whole. Applying the changes to the page's copy gives the worker's results exactly.

use serde::{Deserialize, Serialize};

use super::results::{MethodRun, MethodSummary, Results};
use crate::user_model::UserModelReport;
use crate::ialp::DistillReport;

/// A snapshot's results: whole (the first of a run), or the changes since the last.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ResultsChange {
    Whole(Box<Results>),
    Since(Box<ResultsDelta>),
}

/// What changed since the last snapshot (see the module's comment).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsDelta {
    /// The records before this index are unchanged (finished ones).
    pub runs_from: usize,
    /// The records from `runs_from` on.
    pub runs: Vec<MethodRun>,
    pub user_models: Vec<UserModelReport>,
    pub distillations: Vec<DistillReport>,
    pub summary: Vec<MethodSummary>,
    pub halted: Option<String>,
    pub complete: bool,
}

/// The worker's side: what the page was sent last.
#[derive(Debug, Clone, Default)]
pub struct Deltas {
    /// Records finished in the last snapshot sent (a prefix), or `None` before the first.
    stable: Option<usize>,
}

impl Deltas {
    /// A new run: its next snapshot goes whole.
    pub fn reset(&mut self) {
        self.stable = None;
    }

    /// The snapshot of `now` to send, given what was sent before.
    pub fn change(&mut self, now: &Results) -> ResultsChange {
        let stable = now.runs.iter().take_while(|r| r.finished).count();
        let change = match self.stable {
            None => ResultsChange::Whole(Box::new(now.clone())),
            Some(from) => {
                let from = from.min(now.runs.len());
                ResultsChange::Since(Box::new(ResultsDelta {
                    runs_from: from,
                    runs: now.runs[from..].to_vec(),
                    user_models: now.user_models.clone(),
                    distillations: now.distillations.clone(),
                    summary: now.summary.clone(),
                    halted: now.halted.clone(),
                    complete: now.complete,
                }))
            }
        };
        self.stable = Some(stable);
        change
    }
}

/// Why a change of results does not fit the page's copy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeMisfit {
    #[error("a change to results the page does not have")]
    NothingToChange,
    #[error("a change from record {from} of {has} the page has")]
    PastTheEnd { from: usize, has: usize },
}

impl ResultsChange {
    /// Applies this change to the page's copy of the last results (`None` before the
    /// first snapshot). A change with nothing to apply it to, or that does not fit it, is
    /// an error and leaves the copy as it was.
    pub fn apply_to(self, last: &mut Option<Results>) -> Result<(), ChangeMisfit> {
        match self {
            ResultsChange::Whole(r) => *last = Some(*r),
            ResultsChange::Since(d) => {
                let Some(r) = last.as_mut() else {
                    return Err(ChangeMisfit::NothingToChange);
                };
                if d.runs_from > r.runs.len() {
                    return Err(ChangeMisfit::PastTheEnd {
                        from: d.runs_from,
                        has: r.runs.len(),
                    });
                }
                r.runs.truncate(d.runs_from);
                r.runs.extend(d.runs);
                r.user_models = d.user_models;
                r.distillations = d.distillations;
                r.summary = d.summary;
                r.halted = d.halted;
                r.complete = d.complete;
            }
        }
        Ok(())
    }
}
