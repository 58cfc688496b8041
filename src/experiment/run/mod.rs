//! The resumable experiment runner. Every method is trained (if it learns) and
//! evaluated on the ground truth, in every run (seed), a chunk at a time: the page calls
//! [`Experiment::advance`] between frames, the CLI in a loop that Ctrl-C can stop, and
//! both get the same numbers for the same config.
//!
//! Within a run all methods meet the same evaluation users. Each method draws from its
//! own seeded streams, so adding a method never changes another's numbers.

mod export;
mod resume;
mod tickets;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::ValidConfig;
use crate::policy::deployable::Deployable;
use super::results::{CurvePoint, MethodRun, OnlineStats, Results};
use crate::env::world::WorldInfo;
use super::stats::PolicySummary;
use crate::env::{Environment, Episode, World};
use crate::ialp::pretrain::Pretraining;
use crate::learner::{Feedback, Ground, Learner, BATCH};
use crate::llm::LlmCache;
use crate::methods::{self, Build, Learning, Method, Pretrained};
use crate::nn::weights::NetWeights;
use crate::policy::rollout;
use crate::rng::{self, SimRng, Stream};
use crate::user_model::UserModel;

pub use resume::{Checkpoint, ResumeError};
pub use tickets::LlmTicket;

/// Where an experiment stands, in episodes (training and evaluation together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
    pub fn fraction(&self) -> f64 {
        self.done as f64 / self.total.max(1) as f64
    }
}

/// What a run shares between its methods.
struct RunContext {
    seed: u64,
    model: Arc<UserModel>,
    truth: Environment,
    /// The user-model world, with `R̂` as reward.
    offline: Environment,
    eval_users: Vec<usize>,
    /// The trained policies later methods deploy (iALP's for A-iALP, Offline A2C's for
    /// its twins), kept when their jobs finish.
    pretrained: Vec<Pretrained>,
}

/// Run `run`'s context: only its own jobs ask, and it is freed after the last of them.
fn ctx(runs: &[Option<RunContext>], run: usize) -> &RunContext {
    runs[run]
        .as_ref()
        .expect("a run's context is used by its jobs only, before it is freed")
}

/// What a job finishing leaves for a checkpoint.
#[derive(Debug, Clone, Copy, Default)]
struct Mark {
    done_episodes: usize,
    distillations: usize,
}

struct Evaluation {
    next: usize,
    episodes: Vec<Episode>,
    rng: SimRng,
}

struct ActiveJob {
    /// Position in the job list (tags LLM tickets).
    index: usize,
    method: Method,
    /// iALP's distillation and reward fitting (methods that use an LLM).
    ialp: Option<Box<Pretraining>>,
    run: usize,
    learner: Box<dyn Learner>,
    train_rng: SimRng,
    trained: usize,
    budget: usize,
    /// Training episodes at which the next evaluation is due.
    next_eval_at: usize,
    pending_eval: bool,
    evaluations: u64,
    eval: Option<Evaluation>,
    record: MethodRun,
    /// Run again after a resume only for the policy a later job deploys: its record,
    /// episodes and reports were kept from before and are not counted twice.
    replay: bool,
}

/// A whole experiment in progress.
pub struct Experiment {
    config: ValidConfig,
    world: Arc<World>,
    jobs: Vec<(usize, Method)>,
    next_job: usize,
    /// Each run's context, `None` once its last job is done.
    runs: Vec<Option<RunContext>>,
    active: Option<ActiveJob>,
    results: Results,
    done_episodes: usize,
    cache: LlmCache,
    halted: Option<String>,
    /// Test-only: online episodes [from, to) whose feedback online learners see negated.
    corruption: Option<(usize, usize)>,
    /// The trained A2C policies of finished jobs, as plain weights (what a policy file
    /// carries; no optimiser, no state tracker): (method, run, weights, last R_tra).
    trained: Vec<(Method, usize, NetWeights, Option<f64>)>,
    /// The policy method `imported` deploys.
    imported: Option<Arc<Deployable>>,
    /// Counters as the last finished job left them (for [`Experiment::checkpoint`]).
    mark: Mark,
    /// After a resume: jobs (indices) to replay first, for the policies later jobs deploy.
    replay: std::collections::VecDeque<usize>,
    world_digest: std::cell::OnceCell<String>,
}

impl Experiment {
    pub fn new(config: ValidConfig, world: Arc<World>) -> Self {
        let jobs = (0..config.seeds())
            .flat_map(|r| config.methods().iter().map(move |m| (r, *m)))
            .collect();
        let results = Results {
            config: config.raw().clone(),
            world: WorldInfo {
                preset: world.preset,
                source: world.source.clone(),
                users: world.n_users(),
                items: world.n_items(),
                log_size: world.log.len(),
            },
            user_models: Vec::new(),
            runs: Vec::new(),
            summary: Vec::new(),
            distillations: Vec::new(),
            halted: None,
            complete: false,
        };
        Self {
            config,
            world,
            jobs,
            next_job: 0,
            runs: Vec::new(),
            active: None,
            results,
            done_episodes: 0,
            cache: LlmCache::new(),
            halted: None,
            corruption: None,
            trained: Vec::new(),
            imported: None,
            mark: Mark::default(),
            replay: Default::default(),
            world_digest: Default::default(),
        }
    }

    /// Test-only: during online episodes `from..to` of every online A2C learner (Online
    /// A2C, A-iALP), the reward the learner is told is negated (`−r`: "make users
    /// leave"), while the users' real returns are what they were. It compromises the
    /// online policy, as poisoned or broken feedback would, so A-iALP_ap's repair can be
    /// tested.
    #[doc(hidden)]
    pub fn corrupt_online_feedback(mut self, from: usize, to: usize) -> Self {
        self.corruption = Some((from, to));
        self
    }

    /// Whether every job has run to its end.
    pub fn is_finished(&self) -> bool {
        self.active.is_none() && self.next_job >= self.jobs.len()
    }

    /// Why the experiment stopped early (a refused key, no usable answer).
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    pub fn config(&self) -> &ValidConfig {
        &self.config
    }
    pub fn world(&self) -> &World {
        &self.world
    }

    fn budget_of(&self, m: Method) -> usize {
        let t = &self.config.raw().training;
        match methods::spec(m).learning {
            Learning::Fixed => 0,
            Learning::OnlineBandit | Learning::Online | Learning::Adaptive => t.online_episodes,
            Learning::Offline => t.offline_episodes,
        }
    }

    fn evaluations_of(&self, m: Method) -> usize {
        let budget = self.budget_of(m);
        let every = self.config.raw().training.eval_every;
        1 + budget.div_ceil(every)
    }

    /// Episodes to play in all, training and evaluation.
    pub fn progress(&self) -> Progress {
        let eval = self.config.eval_episodes();
        let states = self.config.raw().ialp.states;
        let total = self
            .jobs
            .iter()
            .map(|(_, m)| {
                self.budget_of(*m)
                    + self.evaluations_of(*m) * eval
                    + if methods::spec(*m).uses_llm {
                        states
                    } else {
                        0
                    }
            })
            .sum();
        Progress {
            done: self.done_episodes,
            total,
        }
    }

    /// The results so far: finished methods, and the partial curve of the one in
    /// progress.
    pub fn results(&self) -> Results {
        let mut r = self.results.clone();
        if let Some(a) = &self.active {
            r.runs.push(a.record.clone());
        }
        r.complete = self.is_finished() && self.halted.is_none();
        r.halted = self.halted.clone();
        r.summarise();
        r
    }

    /// The method and run being worked on.
    pub fn current(&self) -> Option<(Method, usize)> {
        self.active.as_ref().map(|a| (a.method, a.run))
    }

    fn run_context(&mut self, run: usize) -> &RunContext {
        while self.runs.len() <= run {
            let k = self.runs.len();
            let seed = self.config.run_seed(k);
            let raw = self.config.raw();
            let model = Arc::new(UserModel::fit(&self.world, &raw.user_model, seed));
            self.results.user_models.push(model.report(&self.world));
            let settings = self.config.settings;
            let truth = Environment::new(self.world.clone(), settings);
            let offline = Environment::new(Arc::new(model.world(&self.world)), settings);
            let mut users = rng::stream(seed, Stream::Episodes, 0);
            let eval_users = (0..self.config.eval_episodes())
                .map(|_| rng::index(&mut users, self.world.n_users()))
                .collect();
            self.runs.push(Some(RunContext {
                seed,
                model,
                truth,
                offline,
                eval_users,
                pretrained: Vec::new(),
            }));
        }
        ctx(&self.runs, run)
    }

    fn start_job(&mut self, index: usize, run: usize, method: Method) -> ActiveJob {
        let spec = methods::spec(method);
        let budget = self.budget_of(method);
        self.run_context(run);
        let ctx = ctx(&self.runs, run);
        let raw = self.config.raw();
        let seed = ctx.seed;
        let built = (spec.build)(&Build {
            method,
            config: raw.method_settings(),
            seed,
            model: &ctx.model,
            truth: &ctx.truth,
            pretrained: ctx
                .pretrained
                .iter()
                .find(|p| spec.deploys == Some(p.method)),
            world_info: &self.results.world,
            imported: self.imported.as_deref(),
        });
        let ialp = spec.uses_llm.then(|| {
            Box::new(Pretraining::new(
                raw.state,
                &raw.ialp,
                &raw.llm,
                seed,
                &ctx.model,
                &ctx.truth,
                &ctx.offline,
            ))
        });
        let eval_every = raw.training.eval_every;
        let learner = match built {
            Ok(l) => l,
            Err((why, l)) => {
                self.halted = Some(why);
                l
            }
        };
        let m_index = method.index();
        ActiveJob {
            index,
            method,
            ialp,
            run,
            learner,
            train_rng: rng::stream(seed, Stream::Training, m_index),
            trained: 0,
            budget,
            next_eval_at: eval_every,
            pending_eval: true,
            evaluations: 0,
            eval: None,
            record: MethodRun {
                method,
                run,
                seed,
                curve: Vec::new(),
                last: None,
                episode_returns: Vec::new(),
                traces: Vec::new(),
                variant: None,
                finished: false,
                online: spec.learning.is_online().then(OnlineStats::default),
                repairs: Vec::new(),
            },
            replay: false,
        }
    }

    /// Works until about `step_budget` environment steps were taken (whole batches of
    /// episodes) or everything is done.
    pub fn advance(&mut self, step_budget: usize) -> Progress {
        let mut steps = 0;
        while steps < step_budget && self.halted.is_none() {
            if self.active.is_none() {
                if let Some(i) = self.replay.pop_front() {
                    let (run, method) = self.jobs[i];
                    let mut job = self.start_job(i, run, method);
                    job.replay = true;
                    self.active = Some(job);
                } else {
                    let Some(&(run, method)) = self.jobs.get(self.next_job) else {
                        break;
                    };
                    self.next_job += 1;
                    let job = self.start_job(self.next_job - 1, run, method);
                    self.active = Some(job);
                }
            }
            if self.waiting_for_llm() && self.config.raw().llm.provider.is_remote() {
                break; // the edge answers; nothing to do until it has
            }
            let mut job = self.active.take().expect("a job is active");
            let (taken, finished) = self.work_on(&mut job);
            steps += taken.max(1);
            if job.replay {
                // Counted and reported before the interruption.
                self.done_episodes = self.mark.done_episodes;
                self.results.distillations.truncate(self.mark.distillations);
            }
            if finished && job.replay {
                if let (Some(agent), Some(ctx)) = (job.learner.network(), self.runs[job.run].as_mut()) {
                    ctx.pretrained.push(Pretrained {
                        method: job.method,
                        policy: agent.deployed(),
                        reward: job.ialp.as_ref().and_then(|j| j.learnt().cloned()),
                    });
                }
            } else if finished {
                let network = job.learner.network();
                if methods::deployed_by(job.method, self.config.methods()) {
                    // A later method deploys this policy (and explores with this R_φ).
                    if let (Some(agent), Some(ctx)) = (network, self.runs[job.run].as_mut()) {
                        ctx.pretrained.push(Pretrained {
                            method: job.method,
                            policy: agent.deployed(),
                            reward: job.ialp.as_ref().and_then(|j| j.learnt().cloned()),
                        });
                    }
                }
                let r_tra = job.record.last.as_ref().map(|l| l.r_tra.mean);
                if let Some(agent) = network {
                    self.trained
                        .push((job.method, job.run, agent.net.weights(), r_tra));
                }
                job.record.finished = true;
                self.results.runs.push(job.record);
                self.mark = Mark {
                    done_episodes: self.done_episodes,
                    distillations: self.results.distillations.len(),
                };
                // A run's context (user model, offline world, pre-trained policies) is
                // needed by its own jobs only: free it after the last one.
                if self.jobs.get(self.next_job).map(|j| j.0) != Some(job.run) {
                    self.runs[job.run] = None;
                }
            } else {
                self.active = Some(job);
            }
        }
        self.progress()
    }

    /// Runs to the end.
    pub fn run(&mut self) -> Progress {
        self.advance(usize::MAX)
    }

    /// One unit of work on `job`: a batch of evaluation episodes, or one training batch.
    /// Returns (steps taken, whether the job is finished).
    fn work_on(&mut self, job: &mut ActiveJob) -> (usize, bool) {
        if job.ialp.as_ref().is_some_and(|j| !j.is_ready()) {
            return (self.prepare_ialp(job), false);
        }
        let eval_n = self.config.eval_episodes();
        let masks = self.config.settings.mode.masks_repeats();
        let ctx = ctx(&self.runs, job.run);
        // Evaluate before training, every eval_every episodes, and at the end.
        if job.pending_eval {
            job.pending_eval = false;
            job.eval = Some(Evaluation {
                next: 0,
                episodes: Vec::with_capacity(eval_n),
                rng: rng::stream(
                    ctx.seed,
                    Stream::Evaluation,
                    job.method.index() * 100_000 + job.evaluations,
                ),
            });
            job.evaluations += 1;
        }
        if let Some(ev) = &mut job.eval {
            let users = &ctx.eval_users[ev.next..(ev.next + BATCH).min(eval_n)];
            let eps = rollout(&ctx.truth, job.learner.policy(), users, &mut ev.rng, false);
            let steps = eps.iter().map(Episode::len).sum();
            ev.next += users.len();
            self.done_episodes += users.len();
            ev.episodes.extend(eps);
            if ev.next >= eval_n {
                let ev = job.eval.take().expect("evaluation in progress");
                let summary = PolicySummary::of(job.method.id(), &self.world, &ev.episodes);
                job.record.curve.push(CurvePoint {
                    trained_episodes: job.trained,
                    r_tra: summary.r_tra.mean,
                    r_each: summary.r_each.mean,
                    length: summary.length.mean,
                });
                job.record.episode_returns = ev.episodes.iter().map(Episode::r_tra).collect();
                job.record.traces = ev
                    .episodes
                    .iter()
                    .take(MethodRun::TRACES)
                    .cloned()
                    .collect();
                job.learner.evaluated(summary.r_tra.mean);
                job.record.last = Some(summary);
                return (steps, job.trained >= job.budget);
            }
            return (steps, false);
        }
        if job.trained >= job.budget {
            return (0, true);
        }
        // One training batch, never past the next evaluation or the budget.
        let room = job.budget.min(job.next_eval_at) - job.trained;
        let batch = job.learner.batch(room);
        let env = match batch.on {
            Ground::Truth => &ctx.truth,
            Ground::UserModel => &ctx.offline,
        };
        let n = batch.episodes;
        let users: Vec<usize> = (0..n)
            .map(|_| rng::index(&mut job.train_rng, env.world().n_users()))
            .collect();
        job.learner.training(true);
        let eps = rollout(
            env,
            job.learner.policy(),
            &users,
            &mut job.train_rng,
            batch.observes_steps,
        );
        job.learner.training(false);
        // The test-only corruption: online A2C learners are told the opposite of what
        // users felt.
        let corrupted = batch.on == Ground::Truth
            && !batch.observes_steps
            && self
                .corruption
                .is_some_and(|(a, b)| (a..b).contains(&job.trained));
        let feedback = Feedback {
            world: env.world(),
            masks_repeats: masks,
            quit_window: env.settings().quit.n(),
            trained: job.trained,
            corrupted,
        };
        let repairs = job.learner.learn(&eps, &feedback);
        job.record.repairs.extend(repairs);
        if let Some(online) = job.record.online.as_mut() {
            for ep in &eps {
                online.add(ep.r_tra());
            }
        }
        job.trained += n;
        self.done_episodes += n;
        let steps = eps.iter().map(Episode::len).sum();
        if job.trained >= job.next_eval_at || job.trained >= job.budget {
            job.pending_eval = true;
            job.next_eval_at = job.trained + self.config.raw().training.eval_every;
        }
        (steps, false)
    }
}


pub use crate::methods::a2c::category_entropy;
