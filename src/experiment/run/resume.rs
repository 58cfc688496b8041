//! Resume after an interruption: a [`Checkpoint`] taken between two jobs, and
//! [`Experiment::resume`], which goes on from it to the results a run never interrupted
//! would have given.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Experiment, Mark};
use crate::methods::{self, Method};
use crate::env::World;
use crate::experiment::config::ValidConfig;
use crate::experiment::results::Results;

/// What an interrupted experiment goes on from: everything its finished jobs made
/// (results, counters), taken between two jobs. [`Experiment::resume`] continues from
/// it to the same final results as a run never interrupted. It carries no trained
/// weights: the policies of jobs finished before the interruption cannot be exported
/// after it (a later job that deploys one replays it first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Jobs finished, in job order (run-major, then the config's methods).
    pub jobs_done: usize,
    /// Jobs in all.
    pub jobs: usize,
    /// Episodes played when the last of them finished.
    pub done_episodes: usize,
    /// The finished jobs' results (no partial curve).
    pub results: Results,
    /// [`crate::env::real::world_digest`] of the world the run played in.
    pub world_digest: String,
}

/// Why a checkpoint cannot be resumed here.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResumeError {
    #[error("it was saved with other settings than these")]
    Config,
    #[error("it was played in another world (load the same data set, then resume)")]
    World,
    #[error("it is damaged ({0})")]
    Damaged(String),
}

impl Experiment {

    /// Jobs finished so far.
    pub fn jobs_done(&self) -> usize {
        self.results.runs.len()
    }

    fn world_digest(&self) -> &str {
        self.world_digest
            .get_or_init(|| crate::env::real::world_digest(&self.world))
    }

    /// Everything the finished jobs made, to resume from (see [`Checkpoint`]).
    pub fn checkpoint(&self) -> Checkpoint {
        let mut results = self.results.clone();
        results.distillations.truncate(self.mark.distillations);
        results.summarise();
        Checkpoint {
            jobs_done: self.results.runs.len(),
            jobs: self.jobs.len(),
            done_episodes: self.mark.done_episodes,
            results,
            world_digest: self.world_digest().to_string(),
        }
    }

    /// Goes on from `saved`, a checkpoint of this config in this world: the final
    /// results are those of a run never interrupted. A job that a later one deploys
    /// (iALP for A-iALP, Offline A2C for its twins) is replayed first, unrecorded, when
    /// the checkpoint fell between them.
    pub fn resume(config: ValidConfig, world: Arc<World>, saved: Checkpoint) -> Result<Self, ResumeError> {
        let mut sim = Self::new(config, world);
        if saved.results.config != *sim.config.raw() {
            return Err(ResumeError::Config);
        }
        if saved.results.world != sim.results.world || saved.world_digest != sim.world_digest() {
            return Err(ResumeError::World);
        }
        let damaged = |why: &str| Err(ResumeError::Damaged(why.into()));
        let done = saved.jobs_done;
        if saved.jobs != sim.jobs.len() || done > sim.jobs.len() || saved.results.runs.len() != done {
            return damaged("its job count does not match");
        }
        let in_order = saved
            .results
            .runs
            .iter()
            .zip(&sim.jobs)
            .all(|(r, &(run, m))| r.run == run && r.method == m && r.finished);
        if !in_order {
            return damaged("its jobs are not this config's, in order");
        }
        let next_run = sim.jobs.get(done).map_or(sim.config.seeds(), |j| j.0);
        if saved.results.user_models.len() < next_run
            || saved.results.distillations.iter().any(|d| d.run > next_run)
            || saved.done_episodes > sim.progress().total
        {
            return damaged("its reports do not match its jobs");
        }
        let mut results = saved.results;
        // The next run's user model is fitted again (the same one) when its context is
        // rebuilt; the runs before are done and need none.
        results.user_models.truncate(next_run);
        results.halted = None;
        results.complete = false;
        sim.mark = Mark {
            done_episodes: saved.done_episodes,
            distillations: results.distillations.len(),
        };
        sim.done_episodes = saved.done_episodes;
        sim.results = results;
        sim.next_job = done;
        sim.runs = (0..next_run).map(|_| None).collect();
        let methods = sim.config.methods().to_vec();
        let later: Vec<Method> = sim.jobs[done..]
            .iter()
            .filter(|j| j.0 == next_run)
            .map(|j| j.1)
            .collect();
        sim.replay = (0..done)
            .filter(|&i| {
                let (run, m) = sim.jobs[i];
                run == next_run
                    && methods::deployed_by(m, &methods)
                    && later.iter().any(|l| methods::spec(*l).deploys == Some(m))
            })
            .collect();
        Ok(sim)
    }
}
