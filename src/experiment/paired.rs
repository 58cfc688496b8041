//! "Does the LLM help?": each method that uses the LLM's distillation against its no-LLM
//! twin (`MethodSpec::without_llm`), seed by seed. Runs of one seed share the user model,
//! the offline world and the evaluation users, so the per-seed difference takes the
//! seed's luck out of the comparison; what is left is what the distillation changed.

use serde::{Deserialize, Serialize};

use super::results::{MethodRun, Results};
use super::stats::MeanStd;
use crate::methods::Method;

/// One LLM method against its twin over the seeds both finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// The sweep variant both ran in (`None` outside a collected sweep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub with_llm: Method,
    pub without_llm: Method,
    /// Per seed: `(seed, final R_tra with − without)`.
    pub r_tra: Vec<(u64, f64)>,
    /// The mean ± std over seeds of those differences.
    pub r_tra_diff: MeanStd,
    /// Seeds where the LLM method's final R_tra is higher.
    pub favour: usize,
    /// Online methods: the difference in the reward users received while it learned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_total_diff: Option<MeanStd>,
}

impl Paired {
    /// Seeds compared.
    pub fn seeds(&self) -> usize {
        self.r_tra.len()
    }

    /// One line: `A-iALP_ft − Offline A2C_ft: +3.10 ± 2.00 final R_tra, 4 of 5 seeds
    /// favour A-iALP_ft; users' total reward +120 ± 80`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}{} − {}: {:+.2} ± {:.2} final R_tra, {} of {} seed{} favour {}",
            self.variant
                .as_ref()
                .map(|v| format!("[{v}] "))
                .unwrap_or_default(),
            self.with_llm.label(),
            self.without_llm.label(),
            self.r_tra_diff.mean,
            self.r_tra_diff.std,
            self.favour,
            self.seeds(),
            if self.seeds() == 1 { "" } else { "s" },
            self.with_llm.label()
        );
        if let Some(t) = self.online_total_diff {
            s.push_str(&format!(
                "; users' total reward {:+.0} ± {:.0}",
                t.mean, t.std
            ));
        }
        s
    }
}

/// Every pair of an LLM method and its twin that both finished on at least one common
/// seed, in the config's method order. Runs of sweep variants are paired within their
/// variant only.
pub fn paired(results: &Results) -> Vec<Paired> {
    let mut out = Vec::new();
    for (m, variant) in results.groups() {
        let Some(twin) = m.spec().without_llm else {
            continue;
        };
        let final_of = |r: &MethodRun| r.last.as_ref().map(|l| l.r_tra.mean);
        let mut r_tra = Vec::new();
        let mut online = Vec::new();
        for a in results
            .runs
            .iter()
            .filter(|r| r.method == m && r.variant == variant && r.finished)
        {
            let Some(b) = results.runs.iter().find(|b| {
                b.method == twin && b.finished && b.seed == a.seed && b.variant == a.variant
            }) else {
                continue;
            };
            if let (Some(x), Some(y)) = (final_of(a), final_of(b)) {
                r_tra.push((a.seed, x - y));
                if let (Some(x), Some(y)) = (a.online, b.online) {
                    online.push(x.total_reward - y.total_reward);
                }
            }
        }
        if r_tra.is_empty() {
            continue;
        }
        out.push(Paired {
            variant,
            with_llm: m,
            without_llm: twin,
            r_tra_diff: MeanStd::of(r_tra.iter().map(|d| d.1)),
            favour: r_tra.iter().filter(|d| d.1 > 0.0).count(),
            online_total_diff: (online.len() == r_tra.len())
                .then(|| MeanStd::of(online.iter().copied())),
            r_tra,
        });
    }
    out
}
