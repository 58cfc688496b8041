//! The resumable experiment runner. Every method is trained (if it learns) and
//! evaluated on the ground truth, in every run (seed), a chunk at a time: the page calls
//! [`Experiment::advance`] between frames, the CLI in a loop that Ctrl-C can stop, and
//! both get the same numbers for the same config.
//!
//! Within a run all methods meet the same evaluation users. Each method draws from its
//! own seeded streams, so adding a method never changes another's numbers.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::ValidConfig;
use super::policy_file::PolicyFile;
use super::results::{CurvePoint, MethodRun, OnlineStats, Results, WorldInfo};
use super::stats::PolicySummary;
use crate::adapt::{AdaptConfig, AnchorPolicy, Check, CompromiseDetector, KlSchedule, Repair};
use crate::env::{Environment, Episode, World};
use crate::ialp::distill::RewardSplit;
use crate::ialp::distill::{LlmOutcome, LlmRequest};
use crate::ialp::reward_model::AttributeFeatures;
use crate::ialp::{DistillReport, Distillation, RewardModel};
use crate::llm::{standin, Completion, LlmCache, LlmStats, PromptTemplate, Provider};
use crate::policy::a2c::{A2c, A2cAgent};
use crate::policy::state::StateTracker;
use crate::policy::{
    rollout, EpsilonGreedy, Greedy, Learning, Method, MostPopular, Policy, RandomPolicy, Ucb,
};
use crate::rng::{self, SimRng, Stream};
use crate::user_model::UserModel;

/// Episodes played in lockstep per chunk of an evaluation or of bandit learning.
const BATCH: usize = 32;

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
    /// iALP's pre-trained policy, once its job has finished (A-iALP deploys a copy).
    ialp_policy: Option<A2cAgent>,
    ialp_reward: Option<Arc<LearntReward>>,
}

enum Learner {
    /// Acts; learns nothing (fixed) or from the feedback it observes (bandits).
    Plain(Box<dyn Policy>),
    /// A2C, trained on `offline` (or the truth) with an optional entropy bonus.
    A2c {
        agent: Box<A2cAgent>,
        offline: bool,
        entropy_bonus: f32,
    },
    /// A-iALP_ap: online A2C around an anchor.
    Adaptive(Box<ApLearner>),
}

impl Learner {
    fn policy(&mut self) -> &mut dyn Policy {
        match self {
            Learner::Plain(p) => p.as_mut(),
            Learner::A2c { agent, .. } => agent.as_mut(),
            Learner::Adaptive(ap) => ap.as_mut(),
        }
    }
}

/// `R_φ` and its features, kept from a run's iALP job (A-iALP_ap explores with them).
struct LearntReward {
    reward: RewardModel,
    features: AttributeFeatures,
}

/// A-iALP_ap: the online policy, its anchor, and the adaptive state (see `adapt/`).
struct ApLearner {
    agent: A2cAgent,
    anchor: A2cAgent,
    config: AdaptConfig,
    /// Set by the evaluation at deployment, which measures the anchor.
    detector: Option<CompromiseDetector>,
    kl: KlSchedule,
    entropy: f32,
    base_entropy: f32,
    explore: f64,
    /// Only training steps explore among `R_φ`'s favourites; evaluations do not.
    exploring: bool,
    preferred: Option<Arc<LearntReward>>,
}

impl Policy for ApLearner {
    fn act(&mut self, env: &Environment, episodes: &[&Episode], rng: &mut SimRng) -> Vec<usize> {
        use rand::Rng;
        let mut items = self.agent.act(env, episodes, rng);
        let Some(pref) = self
            .preferred
            .as_ref()
            .filter(|_| self.exploring && self.explore > 0.0)
        else {
            return items;
        };
        for (k, ep) in episodes.iter().enumerate() {
            if rng.random::<f64>() >= self.explore {
                continue;
            }
            // The items R_φ rates highest in this state, among those allowed.
            let allowed: Vec<usize> = (0..env.world().n_items())
                .filter(|&i| env.allowed(ep, i))
                .collect();
            let mut inputs = Vec::with_capacity(allowed.len() * pref.reward.input_dim());
            for &i in &allowed {
                self.agent.tracker.push_state(ep, ep.len(), &mut inputs);
                pref.features.push(ep.user, i, &mut inputs);
            }
            let scores = pref.reward.predict(&inputs);
            let mut order: Vec<usize> = (0..allowed.len()).collect();
            order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
            let top = self.config.llm_top.min(order.len()).max(1);
            items[k] = allowed[order[rng::index(rng, top)]];
        }
        items
    }
}

/// iALP's work before pre-training: distillation, then fitting `R_φ`.
struct IalpJob {
    distill: Distillation,
    features: AttributeFeatures,
    reward: RewardModel,
    data: Option<RewardSplit>,
    epochs_done: usize,
    fit_rng: SimRng,
    /// Cases already counted in the progress.
    counted: usize,
    /// Set once `R_φ` is fitted: the job then trains like Offline A2C, on the mixed reward.
    report: Option<DistillReport>,
}

impl IalpJob {
    /// Cases settled since the last call (for the progress).
    fn newly_settled(&mut self) -> usize {
        let settled = self.distill.cases_settled();
        let new = settled - self.counted;
        self.counted = settled;
        new
    }
}

/// Reward-model epochs per unit of work (keeps page chunks short).
const EPOCHS_PER_UNIT: usize = 4;
/// Stand-in requests answered per unit of work.
const STANDIN_PER_UNIT: usize = 4;

/// A prompt the edge must get answered (remote providers), tagged with its job.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmTicket {
    pub job: usize,
    pub request: LlmRequest,
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
    ialp: Option<Box<IalpJob>>,
    run: usize,
    learner: Learner,
    train_rng: SimRng,
    trained: usize,
    budget: usize,
    /// Training episodes at which the next evaluation is due.
    next_eval_at: usize,
    pending_eval: bool,
    evaluations: u64,
    eval: Option<Evaluation>,
    record: MethodRun,
}

/// A whole experiment in progress.
pub struct Experiment {
    config: ValidConfig,
    world: Arc<World>,
    jobs: Vec<(usize, Method)>,
    next_job: usize,
    runs: Vec<RunContext>,
    active: Option<ActiveJob>,
    results: Results,
    done_episodes: usize,
    cache: LlmCache,
    halted: Option<String>,
    /// Test-only: online episodes [from, to) whose feedback online learners see negated.
    corruption: Option<(usize, usize)>,
    /// The trained A2C policies of finished jobs: (method, run, policy, last R_tra).
    trained: Vec<(Method, usize, A2cAgent, Option<f64>)>,
    /// The policy method `imported` deploys.
    imported: Option<Arc<PolicyFile>>,
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
        }
    }

    /// The policy that method `imported` deploys and fine-tunes online.
    pub fn with_imported(mut self, policy: PolicyFile) -> Self {
        self.imported = Some(Arc::new(policy));
        self
    }

    /// The trained policy of `method` in run `run`, as a file; `None` if that job has not
    /// finished or the method has no network (the fixed policies and bandits).
    pub fn policy_file(&self, method: Method, run: usize) -> Option<PolicyFile> {
        let (_, _, agent, r_tra) = self
            .trained
            .iter()
            .find(|(m, r, _, _)| *m == method && *r == run)?;
        Some(PolicyFile {
            format: super::policy_file::POLICY_FORMAT.into(),
            version: super::policy_file::POLICY_VERSION,
            method,
            seed: self.config.run_seed(run),
            r_tra: *r_tra,
            config: self.config.raw().clone(),
            world: self.results.world.clone(),
            weights: agent.net.weights(),
        })
    }

    /// Starts with `cache`'s answers (an imported or saved cache): prompts found there
    /// cost no call.
    pub fn with_cache(mut self, cache: LlmCache) -> Self {
        self.cache = cache;
        self
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

    /// Every answer so far, to save or export.
    pub fn cache(&self) -> &LlmCache {
        &self.cache
    }

    /// Adds answers that arrived from elsewhere (another run's request for the same
    /// prompt): later requests for them cost no call.
    pub fn keep_answers(&mut self, answers: LlmCache) {
        self.cache.merge(answers);
    }

    /// Whether every job has run to its end.
    pub fn is_finished(&self) -> bool {
        self.active.is_none() && self.next_job >= self.jobs.len()
    }

    /// Why the experiment stopped early (a refused key, no usable answer).
    pub fn halted(&self) -> Option<&str> {
        self.halted.as_deref()
    }

    /// The LLM counters of the distillation in progress, or of the last one.
    pub fn llm_stats(&self) -> Option<LlmStats> {
        match self.active.as_ref().and_then(|a| a.ialp.as_ref()) {
            Some(j) => Some(*j.distill.stats()),
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
                .is_some_and(|j| j.report.is_none() && !j.distill.is_finished())
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
        let Some(job) = active.ialp.as_mut().filter(|j| j.report.is_none()) else {
            return Vec::new();
        };
        job.distill
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
        if let Some(job) = active.ialp.as_mut() {
            job.distill
                .answer(ticket.request.id, outcome, &mut self.cache);
        }
    }

    pub fn config(&self) -> &ValidConfig {
        &self.config
    }
    pub fn world(&self) -> &World {
        &self.world
    }

    fn budget_of(&self, m: Method) -> usize {
        let t = &self.config.raw().training;
        match m.learning() {
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
                    + if *m == Method::Ialp { states } else { 0 }
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
            self.runs.push(RunContext {
                seed,
                model,
                truth,
                offline,
                eval_users,
                ialp_policy: None,
                ialp_reward: None,
            });
        }
        &self.runs[run]
    }

    fn start_job(&mut self, index: usize, run: usize, method: Method) -> ActiveJob {
        let m_index = method.index();
        let raw = self.config.raw().clone();
        let imported = match (method, &self.imported) {
            (Method::Imported, Some(p)) => match p.fits(&self.results.world, &raw) {
                Ok(()) => Some(p.clone()),
                Err(e) => {
                    self.halted =
                        Some(format!("The imported policy cannot be deployed here: {e}."));
                    None
                }
            },
            (Method::Imported, None) => {
                self.halted = Some("Method \"imported\" deploys a policy file: load one first (the page's \"Deploy a trained policy\", or ialp run --policy FILE).".into());
                None
            }
            _ => None,
        };
        let mut import_error = None;
        let budget = self.budget_of(method);
        let ctx = self.run_context(run);
        let seed = ctx.seed;
        let n_items = ctx.truth.world().n_items();
        let learner = match method {
            Method::Random => Learner::Plain(Box::new(RandomPolicy)),
            Method::Popular => Learner::Plain(Box::new(MostPopular::from_log(ctx.truth.world()))),
            Method::Greedy => Learner::Plain(Box::new(Greedy::new(&ctx.model.predicted))),
            Method::EpsilonGreedy => {
                Learner::Plain(Box::new(EpsilonGreedy::new(n_items, raw.baselines.epsilon)))
            }
            Method::Ucb => Learner::Plain(Box::new(Ucb::new(n_items, raw.baselines.ucb_c))),
            // The config check puts iALP before A-iALP in the method list, so its policy
            // is ready; if iALP stopped early the experiment has halted before this.
            Method::AIalpFt => match &ctx.ialp_policy {
                Some(policy) => Learner::A2c {
                    agent: Box::new(policy.deployed()),
                    offline: false,
                    entropy_bonus: 0.0,
                },
                None => Learner::Plain(Box::new(RandomPolicy)),
            },
            Method::AIalpAp => match &ctx.ialp_policy {
                Some(policy) => Learner::Adaptive(Box::new(ApLearner {
                    agent: policy.deployed(),
                    anchor: policy.deployed(),
                    config: raw.adapt,
                    detector: None,
                    kl: KlSchedule { weight: 0.0 },
                    entropy: raw.a2c.entropy_weight,
                    base_entropy: raw.a2c.entropy_weight,
                    explore: raw.adapt.llm_explore,
                    exploring: false,
                    preferred: ctx.ialp_reward.clone(),
                })),
                None => Learner::Plain(Box::new(RandomPolicy)),
            },
            Method::Imported => {
                let tracker = StateTracker::new(
                    raw.state,
                    &ctx.model,
                    ctx.truth.world(),
                    ctx.truth.settings().quit.n(),
                );
                match imported.map(|p| A2c::from_weights(&p.weights, raw.a2c)) {
                    Some(Ok(net)) if net.state_dim() == tracker.state_dim() => Learner::A2c {
                        agent: Box::new(A2cAgent { net, tracker }),
                        offline: false,
                        entropy_bonus: 0.0,
                    },
                    Some(Ok(net)) => {
                        import_error = Some(format!(
                            "The imported policy reads states of {} numbers; this run's states have {} (set user_model.dim and state.* as in the policy's run).",
                            net.state_dim(),
                            tracker.state_dim()
                        ));
                        Learner::Plain(Box::new(RandomPolicy))
                    }
                    Some(Err(e)) => {
                        import_error = Some(format!("The imported policy cannot be used: {e}."));
                        Learner::Plain(Box::new(RandomPolicy))
                    }
                    // Halted above.
                    None => Learner::Plain(Box::new(RandomPolicy)),
                }
            }
            Method::OfflineA2c | Method::DorlA2c | Method::OnlineA2c | Method::Ialp => {
                let tracker = StateTracker::new(
                    raw.state,
                    &ctx.model,
                    ctx.truth.world(),
                    ctx.truth.settings().quit.n(),
                );
                let net = A2c::new(
                    tracker.state_dim(),
                    n_items,
                    raw.a2c,
                    rng::seed_for(seed, Stream::Networks, m_index),
                );
                Learner::A2c {
                    agent: Box::new(A2cAgent { net, tracker }),
                    offline: method != Method::OnlineA2c,
                    entropy_bonus: if method == Method::DorlA2c {
                        raw.baselines.dorl_entropy
                    } else {
                        0.0
                    },
                }
            }
        };
        let ialp = (method == Method::Ialp).then(|| {
            let world = ctx.truth.world();
            let tracker =
                StateTracker::new(raw.state, &ctx.model, world, ctx.truth.settings().quit.n());
            let template = PromptTemplate::new(raw.llm.template_text()).unwrap_or_else(|_| {
                PromptTemplate::new(crate::llm::prompt::DEFAULT_TEMPLATE).expect("default template")
            });
            let mut rng = rng::stream(seed, Stream::Llm, 0);
            let distill = Distillation::new(
                world,
                &ctx.model,
                &ctx.offline,
                &tracker,
                &raw.ialp,
                &raw.llm,
                &template,
                &mut rng,
            );
            let emb = raw
                .ialp
                .reward_model
                .item_embedding
                .then_some((&ctx.model.item_embeddings[..], ctx.model.dim));
            let mut features = AttributeFeatures::of(world, emb);
            if raw.ialp.reward_model.user_model_score {
                features = features.with_prediction(ctx.model.clone(), world.reward);
            }
            let reward = RewardModel::new(
                tracker.state_dim() + features.dim(),
                raw.ialp.reward_model,
                world.reward,
                rng::seed_for(seed, Stream::Llm, 1),
            );
            Box::new(IalpJob {
                distill,
                features,
                reward,
                data: None,
                epochs_done: 0,
                fit_rng: rng::stream(seed, Stream::Llm, 2),
                counted: 0,
                report: None,
            })
        });
        if let Some(e) = import_error {
            self.halted = Some(e);
        }
        ActiveJob {
            index,
            method,
            ialp,
            run,
            learner,
            train_rng: rng::stream(seed, Stream::Training, m_index),
            trained: 0,
            budget,
            next_eval_at: raw.training.eval_every,
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
                finished: false,
                online: method.learning().is_online().then(OnlineStats::default),
                repairs: Vec::new(),
            },
        }
    }

    /// Works until about `step_budget` environment steps were taken (whole batches of
    /// episodes) or everything is done.
    pub fn advance(&mut self, step_budget: usize) -> Progress {
        let mut steps = 0;
        while steps < step_budget && self.halted.is_none() {
            if self.active.is_none() {
                let Some(&(run, method)) = self.jobs.get(self.next_job) else {
                    break;
                };
                self.next_job += 1;
                let job = self.start_job(self.next_job - 1, run, method);
                self.active = Some(job);
            }
            if self.waiting_for_llm() && self.config.raw().llm.provider.is_remote() {
                break; // the edge answers; nothing to do until it has
            }
            let mut job = self.active.take().expect("a job is active");
            let (taken, finished) = self.work_on(&mut job);
            steps += taken.max(1);
            if finished {
                if job.method == Method::Ialp {
                    // A-iALP starts from this policy (and explores with this R_φ) in this run.
                    if let Learner::A2c { agent, .. } = &job.learner {
                        self.runs[job.run].ialp_policy = Some(agent.deployed());
                    }
                    if let Some(ij) = job.ialp.take() {
                        let IalpJob {
                            reward, features, ..
                        } = *ij;
                        self.runs[job.run].ialp_reward =
                            Some(Arc::new(LearntReward { reward, features }));
                    }
                }
                let r_tra = job.record.last.as_ref().map(|l| l.r_tra.mean);
                match &job.learner {
                    Learner::A2c { agent, .. } => {
                        self.trained
                            .push((job.method, job.run, agent.deployed(), r_tra))
                    }
                    Learner::Adaptive(ap) => {
                        self.trained
                            .push((job.method, job.run, ap.agent.deployed(), r_tra))
                    }
                    Learner::Plain(_) => {}
                }
                job.record.finished = true;
                self.results.runs.push(job.record);
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
        if job.ialp.as_ref().is_some_and(|j| j.report.is_none()) {
            return (self.prepare_ialp(job), false);
        }
        let eval_n = self.config.eval_episodes();
        let masks = self.config.settings.mode.masks_repeats();
        let ctx = &self.runs[job.run];
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
                if let Learner::Adaptive(ap) = &mut job.learner {
                    // The evaluation at deployment measures the anchor.
                    if ap.detector.is_none() {
                        let anchor = AnchorPolicy {
                            expected_return: summary.r_tra.mean,
                        };
                        ap.detector = Some(CompromiseDetector::new(ap.config, anchor));
                    }
                }
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
        // Bandits learn from every online step; A2C learns from whole episodes, in the
        // user-model world (offline methods) or on the ground truth.
        let (env, n, learn_online) = match &job.learner {
            Learner::Plain(_) => (&ctx.truth, room.min(BATCH), true),
            Learner::A2c { agent, offline, .. } => (
                if *offline { &ctx.offline } else { &ctx.truth },
                room.min(agent.net.config().episodes_per_update),
                false,
            ),
            Learner::Adaptive(ap) => (
                &ctx.truth,
                room.min(ap.agent.net.config().episodes_per_update),
                false,
            ),
        };
        if let Learner::Adaptive(ap) = &mut job.learner {
            ap.exploring = true;
        }
        let users: Vec<usize> = (0..n)
            .map(|_| rng::index(&mut job.train_rng, env.world().n_users()))
            .collect();
        let eps = rollout(
            env,
            job.learner.policy(),
            &users,
            &mut job.train_rng,
            learn_online,
        );
        // The test-only corruption: online learners are told the opposite of what users felt.
        let corrupt = !matches!(
            job.learner,
            Learner::A2c { offline: true, .. } | Learner::Plain(_)
        ) && self
            .corruption
            .is_some_and(|(a, b)| (a..b).contains(&job.trained));
        let seen = move |r: f32| {
            if corrupt {
                -r
            } else {
                r
            }
        };
        if let Learner::A2c {
            agent,
            entropy_bonus,
            ..
        } = &mut job.learner
        {
            let bonus = *entropy_bonus;
            let window = env.settings().quit.n();
            let world = env.world();
            // iALP: r = (1 − λ)·R̂ + λ·R_φ(state, item), R_φ for every step in one pass.
            let lambda = self.config.raw().ialp.lambda;
            let learnt: Option<Vec<Vec<f32>>> = job.ialp.as_ref().map(|j| {
                let mut inputs = Vec::new();
                for ep in &eps {
                    for t in 0..ep.len() {
                        agent.tracker.push_state(ep, t, &mut inputs);
                        j.features.push(ep.user, ep.items[t], &mut inputs);
                    }
                }
                let mut flat = j.reward.predict(&inputs).into_iter();
                eps.iter()
                    .map(|ep| flat.by_ref().take(ep.len()).collect())
                    .collect()
            });
            let batch = agent.transitions(&eps, masks, |k, ep, t| {
                let r = match &learnt {
                    Some(rphi) => (1.0 - lambda) * ep.rewards[t] + lambda * rphi[k][t],
                    None => seen(ep.rewards[t]),
                };
                r + if bonus > 0.0 {
                    bonus
                        * category_entropy(
                            world,
                            &ep.items[t.saturating_sub(window.saturating_sub(1))..=t],
                        )
                } else {
                    0.0
                }
            });
            agent.net.update(&batch);
        }
        if let Learner::Adaptive(ap) = &mut job.learner {
            ap.exploring = false;
            let batch = ap
                .agent
                .transitions(&eps, masks, |_, ep, t| seen(ep.rewards[t]));
            let anchor = (ap.kl.weight > 0.0).then(|| {
                ap.anchor
                    .net
                    .log_probabilities(&batch.states, &batch.masked, &batch.prior)
            });
            let kl = ap.kl.weight;
            ap.agent
                .net
                .update_with(&batch, ap.entropy, anchor.as_deref().map(|p| (p, kl)));
            for (k, ep) in eps.iter().enumerate() {
                ap.explore *= ap.config.llm_explore_decay;
                let Some(check) = ap.detector.as_mut().map(|d| d.observe(ep.r_tra())) else {
                    continue;
                };
                match check {
                    Check::Healthy => {
                        ap.kl.on_healthy(&ap.config);
                        ap.entropy = (ap.entropy * 1.25).min(ap.base_entropy);
                    }
                    Check::Compromised(c) => {
                        if ap.config.rollback {
                            ap.agent = ap.anchor.deployed();
                        }
                        ap.kl.on_repair(&ap.config);
                        ap.entropy *= 0.5;
                        job.record.repairs.push(Repair {
                            online_episode: job.trained + k + 1,
                            moving_average: c.moving_average,
                            anchor_return: c.anchor_return,
                            kl_weight: ap.kl.weight,
                        });
                    }
                    Check::None | Check::Warning => {}
                }
            }
        }
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

impl Experiment {
    /// One unit of iALP's preparation: answer a few prompts with a stand-in (remote
    /// providers are answered by the edge), then fit `R_φ` a few epochs at a time, then
    /// write the distillation's report. Returns a step count for the chunk budget.
    fn prepare_ialp(&mut self, job: &mut ActiveJob) -> usize {
        let raw = self.config.raw();
        let ctx = &self.runs[job.run];
        let world = ctx.truth.world();
        let ij = job.ialp.as_mut().expect("an iALP job");
        let mut work = 0;
        // Count cases as they settle, whoever answered them (a stand-in here, or the
        // edge between two calls).
        self.done_episodes += ij.newly_settled();
        if !ij.distill.is_finished() {
            if !raw.llm.provider.is_remote() {
                for req in ij.distill.next_requests(&self.cache, STANDIN_PER_UNIT) {
                    let text = match raw.llm.provider {
                        Provider::Oracle => {
                            standin::oracle_answer(&req.prompt, world, raw.llm.oracle_noise)
                        }
                        _ => standin::heuristic_answer(&req.prompt),
                    };
                    let outcome = LlmOutcome {
                        result: Ok(Completion { text, usage: None }),
                        calls: 1,
                    };
                    ij.distill.answer(req.id, outcome, &mut self.cache);
                    work += 100;
                }
            }
            self.done_episodes += ij.newly_settled();
            return work.max(1);
        }
        let mut report = DistillReport {
            run: job.run,
            seed: ctx.seed,
            source: raw.llm.describe(),
            states: ij.distill.cases().len(),
            planned_requests: ij.distill.planned_requests(),
            stats: *ij.distill.stats(),
            labelled_states: ij
                .distill
                .cases()
                .iter()
                .filter(|c| c.labels.iter().any(Option::is_some))
                .count(),
            held_out_states: ij.distill.cases().iter().filter(|c| c.held_out).count(),
            reward_train_rows: 0,
            reward_epochs: 0,
            reward_train_rmse: 0.0,
            reward_held_out_rmse: 0.0,
            agreement: Default::default(),
        };
        if let Some(f) = ij.distill.fatal() {
            self.halted = Some(format!("iALP stopped in run {}: {f}", job.run + 1));
            self.results.distillations.push(report);
            return 1;
        }
        if ij.data.is_none() {
            ij.data = Some(
                ij.distill
                    .reward_data(world, &ij.features, raw.ialp.mix_logged),
            );
        }
        let split = ij.data.as_ref().expect("data built");
        let train = &split.train;
        if train.is_empty() {
            let s = ij.distill.stats();
            self.halted = Some(format!(
                "iALP stopped in run {}: the LLM gave no usable rating ({} requests, {} failed, {} unparsable, {} skipped by the call cap). Nothing to learn a reward from.",
                job.run + 1,
                s.requests,
                s.failures,
                s.unparsable,
                ij.distill.planned_requests().saturating_sub(s.requests + s.cache_hits)
            ) + &ij.distill.last_failure().map(|f| format!(" Last error: {f}")).unwrap_or_default());
            self.results.distillations.push(report);
            return 1;
        }
        let rm = &raw.ialp.reward_model;
        let n = EPOCHS_PER_UNIT.min(rm.epochs - ij.epochs_done);
        let mut stale = 0;
        for _ in 0..n {
            ij.reward.fit_epoch(train, &mut ij.fit_rng);
            ij.epochs_done += 1;
            stale = ij.reward.track_best(&split.validation);
            if stale >= rm.patience {
                break;
            }
        }
        if ij.epochs_done >= rm.epochs || stale >= rm.patience {
            report.reward_epochs = ij.reward.restore_best();
            report.reward_train_rows = train.len();
            report.reward_train_rmse = ij.reward.rmse(train);
            report.reward_held_out_rmse = ij.reward.rmse(&split.held_out);
            report.agreement = ij
                .distill
                .agreement(world, &ctx.model, &ij.reward, &ij.features);
            self.results.distillations.push(report.clone());
            ij.report = Some(report);
        }
        n * train.len() / 8 + 1
    }
}

/// Entropy of the item categories among `items`, divided by ln(len) so it lies in
/// [0, 1]: the DORL-style diversity bonus (our reconstruction).
pub fn category_entropy(world: &World, items: &[usize]) -> f32 {
    if items.len() < 2 {
        return 0.0;
    }
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for &i in items {
        let c = world.items[i].category;
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let n = items.len() as f64;
    let h: f64 = counts
        .iter()
        .map(|(_, k)| *k as f64 / n)
        .map(|p| -p * p.ln())
        .sum();
    (h / n.ln()) as f32
}
