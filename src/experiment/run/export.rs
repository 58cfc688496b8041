//! Trained policies in and out: the policy file of a finished job, and the file method
//! `imported` deploys.

use std::sync::Arc;

use super::Experiment;
use crate::experiment::policy_file::PolicyFile;
use crate::methods::Method;



impl Experiment {

    /// The policy that method `imported` deploys and fine-tunes online.
    pub fn with_imported(mut self, policy: PolicyFile) -> Self {
        self.imported = Some(Arc::new(policy.into_deployable()));
        self
    }

    /// The trained policy of `method` in run `run`, as a file; `None` if that job has not
    /// finished or the method has no network (the fixed policies and bandits).
    pub fn policy_file(&self, method: Method, run: usize) -> Option<PolicyFile> {
        let (_, _, weights, r_tra) = self
            .trained
            .iter()
            .find(|(m, r, _, _)| *m == method && *r == run)?;
        Some(PolicyFile {
            format: crate::experiment::policy_file::POLICY_FORMAT.into(),
            version: crate::experiment::policy_file::POLICY_VERSION,
            method,
            seed: self.config.run_seed(run),
            r_tra: *r_tra,
            config: self.config.raw().clone(),
            world: self.results.world.clone(),
            weights: weights.clone(),
        })
    }
}
