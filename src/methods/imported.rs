//! A trained policy loaded from a policy file, deployed on the ground truth and
//! fine-tuned online with A2C: the offline → online story with any exported policy (a
//! playground tool, not in the paper).

use super::a2c::A2cLearner;
use super::baselines::plain;
use super::{Build, Built, MethodSpec};
use crate::learner::Ground;
use super::Source;
use crate::policy::a2c::{A2c, A2cAgent};
use crate::policy::RandomPolicy;
use crate::methods::{Learning, Method};

pub const IMPORTED: MethodSpec = MethodSpec {
    method: Method::Imported,
    id: "imported",
    label: "Imported policy, fine-tuned online",
    learning: Learning::Online,
    source: Source::Ours,
    uses_llm: false,
    deploys: None,
    without_llm: None,
    build,
};

fn build(b: &Build) -> Built {
    let refuse = |why: String| Err((why, plain(RandomPolicy)));
    let Some(file) = b.imported else {
        return refuse("Method \"imported\" deploys a policy file: load one first (the page's \"Deploy a trained policy\", or ialp run --policy FILE).".into());
    };
    if let Err(e) = file.fits(b.world_info, &b.config.state) {
        return refuse(format!("The imported policy cannot be deployed here: {e}."));
    }
    let tracker = b.tracker();
    match A2c::from_weights(&file.weights, b.config.a2c) {
        Ok(net) if net.state_dim() == tracker.state_dim() => Ok(Box::new(A2cLearner::new(
            A2cAgent { net, tracker },
            Ground::Truth,
        ))),
        Ok(net) => refuse(format!(
            "The imported policy reads states of {} numbers; this run's states have {} (set user_model.dim and state.* as in the policy's run).",
            net.state_dim(),
            tracker.state_dim()
        )),
        Err(e) => refuse(format!("The imported policy cannot be used: {e}.")),
    }
}
