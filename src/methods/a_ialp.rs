//! A-iALP: iALP's pre-trained policy deployed on the ground truth. A-iALP_ft fine-tunes
//! it with A2C; A-iALP_ap adapts it around an anchor (`adapt::ApLearner`). Both need
//! iALP earlier in the run (the config check puts it first); if iALP stopped early the
//! experiment has halted before they start. [`fine_tune`] and [`adapt`] build them from
//! whichever policy a spec deploys (the no-LLM twins in `twins.rs` deploy Offline A2C's).

use super::a2c::A2cLearner;
use super::baselines::plain;
use super::{Build, Built, MethodSpec};
use crate::learner::Ground;
use crate::adapt::ApLearner;
use super::Source;
use crate::policy::RandomPolicy;
use crate::methods::{Learning, Method};

/// The deployed policy, updated online with A2C (a fresh Adam state).
pub fn fine_tune(b: &Build) -> Built {
    Ok(match b.pretrained {
        Some(p) => Box::new(A2cLearner::new(p.policy.deployed(), Ground::Truth)),
        None => plain(RandomPolicy),
    })
}

/// The deployed policy adapted around a frozen copy of itself; it explores among the
/// items `R_φ` rates highest when the deployed method learnt one.
pub fn adapt(b: &Build) -> Built {
    Ok(match b.pretrained {
        Some(p) => Box::new(ApLearner::deploy(
            &p.policy,
            b.config.adapt,
            b.config.a2c.entropy_weight,
            p.reward.clone(),
        )),
        None => plain(RandomPolicy),
    })
}

pub const A_IALP_FT: MethodSpec = MethodSpec {
    method: Method::AIalpFt,
    id: "a_ialp_ft",
    label: "A-iALP_ft",
    learning: Learning::Adaptive,
    source: Source::Abstract,
    uses_llm: false,
    deploys: Some(Method::Ialp),
    without_llm: Some(Method::OfflineA2cFt),
    build: fine_tune,
};

pub const A_IALP_AP: MethodSpec = MethodSpec {
    method: Method::AIalpAp,
    id: "a_ialp_ap",
    label: "A-iALP_ap",
    learning: Learning::Adaptive,
    source: Source::Abstract,
    uses_llm: false,
    deploys: Some(Method::Ialp),
    without_llm: Some(Method::OfflineA2cAp),
    build: adapt,
};
