//! The no-LLM twins of A-iALP: Offline A2C's policy (trained in the same user-model
//! world, on `R̂` alone) deployed on the ground truth and adapted exactly as A-iALP_ft and
//! A-iALP_ap adapt iALP's. `_ap` has the anchor, the detector and the repair, but no
//! exploration among `R_φ`'s favourites: there is no `R_φ` without an LLM. Paired with
//! A-iALP on the same seed (the same user model and evaluation users), the difference is
//! what the LLM's distillation adds. Our reconstruction: an ablation, not in the paper.

use super::a_ialp::{adapt, fine_tune};
use super::MethodSpec;
use super::Source;
use crate::methods::{Learning, Method};

pub const OFFLINE_A2C_FT: MethodSpec = MethodSpec {
    method: Method::OfflineA2cFt,
    id: "offline_a2c_ft",
    label: "Offline A2C_ft",
    learning: Learning::Adaptive,
    source: Source::Ours,
    uses_llm: false,
    deploys: Some(Method::OfflineA2c),
    without_llm: None,
    build: fine_tune,
};

pub const OFFLINE_A2C_AP: MethodSpec = MethodSpec {
    method: Method::OfflineA2cAp,
    id: "offline_a2c_ap",
    label: "Offline A2C_ap",
    learning: Learning::Adaptive,
    source: Source::Ours,
    uses_llm: false,
    deploys: Some(Method::OfflineA2c),
    without_llm: None,
    build: adapt,
};
