//! iALP: an A2C policy pre-trained in the user-model world on `(1 − λ)·R̂ + λ·R_φ`, where
//! `R_φ` is learnt from an LLM's ratings. Before it trains, the runner drives its
//! distillation and reward fitting (`ialp::pretrain::Pretraining`, as `uses_llm` says);
//! the learner gets `R_φ` when it is fitted. Its trained policy and `R_φ` are kept for
//! the A-iALP methods of the same run.

use super::a2c::A2cLearner;
use super::MethodSpec;
use crate::learner::Ground;
use super::Source;
use crate::methods::{Learning, Method};

pub const IALP: MethodSpec = MethodSpec {
    method: Method::Ialp,
    id: "ialp",
    label: "iALP",
    learning: Learning::Offline,
    source: Source::Abstract,
    uses_llm: true,
    deploys: None,
    without_llm: Some(Method::OfflineA2c),
    build: |b| {
        Ok(Box::new(
            A2cLearner::fresh(b, Ground::UserModel).mixing(b.config.ialp.lambda),
        ))
    },
};
