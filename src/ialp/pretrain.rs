//! iALP's work before and during pre-training: the distillation (an LLM rates sampled
//! cases), fitting `R_φ` to the ratings, the report, and the mixed reward
//! `r = (1 − λ)·R̂ + λ·R_φ` the actor-critic is then pre-trained on in the user-model
//! world. The runner drives it a unit of work at a time ([`Pretraining::work`]), so the
//! page stays responsive and a remote provider is answered by the edge in between.

use std::sync::Arc;

use super::distill::RewardSplit;
use super::reward_model::AttributeFeatures;
use super::{DistillReport, Distillation, IalpConfig, RewardModel};
use crate::env::{Environment, Episode};
use crate::llm::{standin, Completion, LlmCache, LlmConfig, LlmOutcome, LlmStats, PromptTemplate, Provider};
use crate::policy::state::{StateConfig, StateTracker};
use crate::rng::{self, SimRng, Stream};
use crate::user_model::UserModel;

/// Reward-model epochs per unit of work (keeps page chunks short).
const EPOCHS_PER_UNIT: usize = 4;
/// Stand-in requests answered per unit of work.
const STANDIN_PER_UNIT: usize = 4;

/// `R_φ` and its input features, once fitted: iALP pre-trains on it, and A-iALP_ap
/// explores among the items it rates highest.
pub struct LearntReward {
    pub reward: RewardModel,
    pub features: AttributeFeatures,
}

impl LearntReward {
    /// `R_φ(state_t, item_t)` for every step of every episode, in one pass.
    pub fn of_episodes(&self, tracker: &StateTracker, eps: &[Episode]) -> Vec<Vec<f32>> {
        let mut inputs = Vec::new();
        for ep in eps {
            for t in 0..ep.len() {
                tracker.push_state(ep, t, &mut inputs);
                self.features.push(ep.user, ep.items[t], &mut inputs);
            }
        }
        let mut flat = self.reward.predict(&inputs).into_iter();
        eps.iter()
            .map(|ep| flat.by_ref().take(ep.len()).collect())
            .collect()
    }
}

/// iALP's pre-training reward: `(1 − λ)·R̂ + λ·R_φ`. With λ = 0 it is `R̂` exactly,
/// Offline A2C's reward.
pub fn mixed_reward(lambda: f32, r_hat: f32, r_phi: f32) -> f32 {
    (1.0 - lambda) * r_hat + lambda * r_phi
}

/// `R_φ` while it is being fitted.
struct Fitting {
    features: AttributeFeatures,
    reward: RewardModel,
    data: Option<RewardSplit>,
    epochs_done: usize,
    rng: SimRng,
}

/// What one unit of work came to.
pub enum Unit {
    /// Work done, worth this many environment steps in the chunk budget.
    Worked(usize),
    /// The distillation cannot go on: the experiment halts with this reason.
    Halt(String),
}

/// iALP's distillation and reward fitting in one run, then the fitted `R_φ`.
pub struct Pretraining {
    distill: Distillation,
    fitting: Option<Box<Fitting>>,
    /// Cases already counted in the progress.
    counted: usize,
    /// Set once `R_φ` is fitted.
    report: Option<DistillReport>,
    learnt: Option<Arc<LearntReward>>,
    /// The settings it was made with.
    ialp: IalpConfig,
    llm: LlmConfig,
}

impl Pretraining {
    /// Samples the cases to rate for run `run` (seed `seed`): nothing is asked yet.
    pub fn new(
        state: StateConfig,
        ialp: &IalpConfig,
        llm: &LlmConfig,
        seed: u64,
        model: &Arc<UserModel>,
        truth: &Environment,
        offline: &Environment,
    ) -> Self {
        let world = truth.world();
        let tracker = StateTracker::new(state, model, world, truth.settings().quit.n());
        let template = PromptTemplate::new(llm.template_text()).unwrap_or_else(|_| {
            PromptTemplate::new(crate::llm::prompt::DEFAULT_TEMPLATE).expect("default template")
        });
        let mut rng = rng::stream(seed, Stream::Llm, 0);
        let distill = Distillation::new(
            world, model, offline, &tracker, ialp, llm, &template, &mut rng,
        );
        let emb = ialp
            .reward_model
            .item_embedding
            .then_some((&model.item_embeddings[..], model.dim));
        let mut features = AttributeFeatures::of(world, emb);
        if ialp.reward_model.user_model_score {
            features = features.with_prediction(model.clone(), world.reward);
        }
        let reward = RewardModel::new(
            tracker.state_dim() + features.dim(),
            ialp.reward_model,
            world.reward,
            rng::seed_for(seed, Stream::Llm, 1),
        );
        Self {
            distill,
            fitting: Some(Box::new(Fitting {
                features,
                reward,
                data: None,
                epochs_done: 0,
                rng: rng::stream(seed, Stream::Llm, 2),
            })),
            counted: 0,
            report: None,
            learnt: None,
            ialp: *ialp,
            llm: llm.clone(),
        }
    }

    /// `R_φ`, once fitted.
    pub fn learnt(&self) -> Option<&Arc<LearntReward>> {
        self.learnt.as_ref()
    }

    pub fn is_ready(&self) -> bool {
        self.report.is_some()
    }

    /// Whether the distillation waits for answers (from the edge, for remote providers).
    pub fn waiting_for_answers(&self) -> bool {
        self.report.is_none() && !self.distill.is_finished()
    }

    pub fn stats(&self) -> LlmStats {
        *self.distill.stats()
    }

    /// The distillation, while its prompts are still being answered (`None` after).
    pub fn asking(&mut self) -> Option<&mut Distillation> {
        self.report.is_none().then_some(&mut self.distill)
    }

    /// Cases settled since the last call (for the progress).
    pub fn newly_settled(&mut self) -> usize {
        let settled = self.distill.cases_settled();
        let new = settled - self.counted;
        self.counted = settled;
        new
    }

    /// One unit: answer a few prompts with a no-key stand-in (remote providers are
    /// answered by the edge), then fit `R_φ` a few epochs at a time, then write the
    /// report. `settled` counts cases as they settle; `reports` gets the report (also
    /// when the distillation halts).
    #[allow(clippy::too_many_arguments)]
    pub fn work(
        &mut self,
        run: usize,
        seed: u64,
        model: &UserModel,
        truth: &Environment,
        cache: &mut LlmCache,
        settled: &mut usize,
        reports: &mut Vec<DistillReport>,
    ) -> Unit {
        let world = truth.world();
        let mut work = 0;
        // Count cases as they settle, whoever answered them (a stand-in here, or the
        // edge between two calls).
        *settled += self.newly_settled();
        if !self.distill.is_finished() {
            if !self.llm.provider.is_remote() {
                for req in self.distill.next_requests(cache, STANDIN_PER_UNIT) {
                    let text = match self.llm.provider {
                        Provider::Oracle => {
                            standin::oracle_answer(&req.prompt, world, self.llm.oracle_noise)
                        }
                        // Remote providers never get here (the edge answers them); named so
                        // that a new provider is a compile error until placed.
                        Provider::Heuristic
                        | Provider::OpenAi
                        | Provider::Anthropic
                        | Provider::Gemini => standin::heuristic_answer(&req.prompt),
                    };
                    let outcome = LlmOutcome {
                        result: Ok(Completion { text, usage: None }),
                        calls: 1,
                    };
                    self.distill.answer(req.id, outcome, cache);
                    work += 100;
                }
            }
            *settled += self.newly_settled();
            return Unit::Worked(work.max(1));
        }
        let d = &self.distill;
        let mut report = DistillReport {
            run,
            seed,
            source: self.llm.describe(),
            states: d.cases().len(),
            planned_requests: d.planned_requests(),
            stats: *d.stats(),
            labelled_states: d
                .cases()
                .iter()
                .filter(|c| c.labels.iter().any(Option::is_some))
                .count(),
            held_out_states: d.cases().iter().filter(|c| c.held_out).count(),
            reward_train_rows: 0,
            reward_epochs: 0,
            reward_train_rmse: 0.0,
            reward_held_out_rmse: 0.0,
            agreement: Default::default(),
        };
        if let Some(f) = d.fatal() {
            reports.push(report);
            return Unit::Halt(format!("iALP stopped in run {}: {f}", run + 1));
        }
        let fit = self.fitting.as_mut().expect("fitting until the report");
        if fit.data.is_none() {
            fit.data = Some(d.reward_data(world, &fit.features, self.ialp.mix_logged));
        }
        let split = fit.data.as_ref().expect("data built");
        let train = &split.train;
        if train.is_empty() {
            let s = d.stats();
            let why = format!(
                "iALP stopped in run {}: the LLM gave no usable rating ({} requests, {} failed, {} unparsable, {} skipped by the call cap). Nothing to learn a reward from.",
                run + 1,
                s.requests,
                s.failures,
                s.unparsable,
                d.planned_requests().saturating_sub(s.requests + s.cache_hits)
            ) + &d.last_failure().map(|f| format!(" Last error: {f}")).unwrap_or_default();
            reports.push(report);
            return Unit::Halt(why);
        }
        let rm = &self.ialp.reward_model;
        let n = EPOCHS_PER_UNIT.min(rm.epochs - fit.epochs_done);
        let mut stale = 0;
        for _ in 0..n {
            fit.reward.fit_epoch(train, &mut fit.rng);
            fit.epochs_done += 1;
            stale = fit.reward.track_best(&split.validation);
            if stale >= rm.patience {
                break;
            }
        }
        let rows = train.len();
        if fit.epochs_done >= rm.epochs || stale >= rm.patience {
            report.reward_epochs = fit.reward.restore_best();
            report.reward_train_rows = rows;
            report.reward_train_rmse = fit.reward.rmse(train);
            report.reward_held_out_rmse = fit.reward.rmse(&split.held_out);
            report.agreement = d.agreement(world, model, &fit.reward, &fit.features);
            reports.push(report.clone());
            self.report = Some(report);
            let Fitting {
                reward, features, ..
            } = *self.fitting.take().expect("fitting");
            self.learnt = Some(Arc::new(LearntReward { reward, features }));
        }
        Unit::Worked(n * rows / 8 + 1)
    }
}
