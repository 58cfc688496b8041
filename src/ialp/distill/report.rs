//! What a distillation's labels are worth: the rows `R_φ` is fitted on, and the agreement
//! of the LLM, of `R_φ` and of the user model with the ground truth on the held-out
//! cases, as results.json reports them.

use serde::{Deserialize, Serialize};

use super::super::agreement::{Agreement, AgreementSum};
use super::super::reward_model::{AttributeFeatures, RewardData, RewardModel};
use super::Distillation;
use crate::env::World;
use crate::llm::prompt::reward_of_stars;
use crate::llm::LlmStats;
use crate::user_model::UserModel;

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

impl Distillation {
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
