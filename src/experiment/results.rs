//! What an experiment produces: learning curves and final evaluations per method and
//! seed, the user model's errors, and summaries as mean ± std over seeds. The same type
//! is written by the CLI (`results.json`, `results.csv`) and exported by the page.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::ExperimentConfig;
use super::stats::{MeanStd, PolicySummary};
use crate::env::world::WorldInfo;
use crate::methods::Method;
use crate::user_model::UserModelReport;

/// One evaluation during training: the mean over the evaluation's episodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Training episodes before this evaluation.
    pub trained_episodes: usize,
    pub r_tra: f64,
    pub r_each: f64,
    pub length: f64,
}

/// One method in one run (seed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodRun {
    pub method: Method,
    /// Index of the run; its seed is `seed + run`.
    pub run: usize,
    pub seed: u64,
    /// Evaluations in training order (a single point for methods that do not learn).
    pub curve: Vec<CurvePoint>,
    /// The last evaluation in full.
    pub last: Option<PolicySummary>,
    /// R_tra of each episode of the last evaluation.
    pub episode_returns: Vec<f64>,
    /// Whether the method finished its whole budget.
    pub finished: bool,
    /// What users lived through while the method learned on the ground truth (online
    /// methods only).
    pub online: Option<OnlineStats>,
    /// A-iALP_ap's repairs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<crate::learner::Repair>,
    /// The first [`MethodRun::TRACES`] episodes of the last evaluation, step by step:
    /// what the episode inspector replays.
    #[serde(default)]
    pub traces: Vec<crate::env::Episode>,
    /// In a collected sweep (`ialp collect`): the settings this run had
    /// (`ialp.lambda=0.5`), so one file holds several variants of a method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl MethodRun {
    /// Episodes of the last evaluation kept for the inspector.
    pub const TRACES: usize = 5;
}

/// The online phase as the users felt it: every training episode on the ground truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct OnlineStats {
    /// Online episodes played.
    pub episodes: usize,
    /// Reward users received over all of them.
    pub total_reward: f64,
    /// Mean R_tra of the first [`OnlineStats::FIRST_K`] online episodes: how safe the
    /// start of deployment is.
    pub first_k_mean: f64,
    pub first_k: usize,
}

impl OnlineStats {
    /// K of the safe-start metric.
    pub const FIRST_K: usize = 100;

    pub fn add(&mut self, r_tra: f64) {
        self.episodes += 1;
        self.total_reward += r_tra;
        if self.first_k < Self::FIRST_K {
            self.first_k_mean =
                (self.first_k_mean * self.first_k as f64 + r_tra) / (self.first_k + 1) as f64;
            self.first_k += 1;
        }
    }
}

/// A method's final numbers over all its finished runs: mean ± std over seeds of the
/// per-seed means of the last evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSummary {
    pub method: Method,
    /// The sweep variant these runs share (see [`MethodRun::variant`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub seeds: usize,
    pub r_tra: MeanStd,
    pub r_each: MeanStd,
    pub length: MeanStd,
    pub coverage: MeanStd,
    pub mcd: MeanStd,
    /// Online methods: mean R_tra of the first K online episodes (safe start) and the
    /// total reward users received while the method learned, over seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_k: Option<MeanStd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_total: Option<MeanStd>,
}

/// Everything a run produced so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub config: ExperimentConfig,
    pub world: WorldInfo,
    /// Per run, how well the user model fits (see [`UserModelReport`]).
    pub user_models: Vec<UserModelReport>,
    pub runs: Vec<MethodRun>,
    pub summary: Vec<MethodSummary>,
    /// Per iALP run: who rated, how many calls, how good the labels and `R_φ` are.
    pub distillations: Vec<crate::ialp::DistillReport>,
    /// Why the run stopped early, if it did.
    pub halted: Option<String>,
    /// Whether every method finished in every run.
    pub complete: bool,
}

impl Results {
    /// The (method, variant) groups of the runs, in the config's method order and then
    /// in the order variants first appear: one group per method outside a sweep.
    pub fn groups(&self) -> Vec<(Method, Option<String>)> {
        let mut out: Vec<(Method, Option<String>)> = Vec::new();
        for &m in &self.config.methods {
            for r in self.runs.iter().filter(|r| r.method == m) {
                if !out.iter().any(|(q, v)| *q == m && *v == r.variant) {
                    out.push((m, r.variant.clone()));
                }
            }
        }
        out
    }

    /// Recomputes `summary` from the finished runs.
    pub fn summarise(&mut self) {
        let mut out = Vec::new();
        for (m, variant) in self.groups() {
            let runs: Vec<&MethodRun> = self
                .runs
                .iter()
                .filter(|r| r.method == m && r.variant == variant && r.finished)
                .collect();
            let done: Vec<&PolicySummary> = runs.iter().filter_map(|r| r.last.as_ref()).collect();
            let online: Vec<OnlineStats> = runs
                .iter()
                .filter_map(|r| r.online)
                .filter(|o| o.episodes > 0)
                .collect();
            let online_of = |f: &dyn Fn(&OnlineStats) -> f64| {
                (!online.is_empty()).then(|| MeanStd::of(online.iter().map(f)))
            };
            if done.is_empty() {
                continue;
            }
            let of = |f: &dyn Fn(&PolicySummary) -> f64| MeanStd::of(done.iter().map(|s| f(s)));
            out.push(MethodSummary {
                method: m,
                variant,
                seeds: done.len(),
                r_tra: of(&|s| s.r_tra.mean),
                r_each: of(&|s| s.r_each.mean),
                length: of(&|s| s.length.mean),
                coverage: of(&|s| s.coverage),
                mcd: of(&|s| s.mcd),
                first_k: online_of(&|o| o.first_k_mean),
                online_total: online_of(&|o| o.total_reward),
            });
        }
        self.summary = out;
    }

    /// Learning curves averaged over seeds: per method (and sweep variant),
    /// `(trained episodes, mean, std)` at each evaluation point that at least one run
    /// reached.
    pub fn mean_curves(&self) -> Vec<(Method, Option<String>, Vec<(usize, MeanStd)>)> {
        let mut out = Vec::new();
        for (m, variant) in self.groups() {
            let runs: Vec<&MethodRun> = self
                .runs
                .iter()
                .filter(|r| r.method == m && r.variant == variant)
                .collect();
            let longest = runs.iter().map(|r| r.curve.len()).max().unwrap_or(0);
            let pts: Vec<(usize, MeanStd)> = (0..longest)
                .map(|k| {
                    let vals: Vec<&CurvePoint> =
                        runs.iter().filter_map(|r| r.curve.get(k)).collect();
                    (
                        vals[0].trained_episodes,
                        MeanStd::of(vals.iter().map(|p| p.r_tra)),
                    )
                })
                .collect();
            if !pts.is_empty() {
                out.push((m, variant, pts));
            }
        }
        out
    }

    /// The results as JSON (pretty).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("results serialise")
    }

    /// Reads a results file written by [`Results::to_json`] (the page's export or the
    /// CLI's results.json); the error names the JSON path of what is wrong.
    pub fn from_json(text: &str) -> Result<Results, super::FileError> {
        let r: Results = super::read_json(text, "a results file")?;
        r.config.clone().check()?;
        Ok(r)
    }

    /// One row per method and seed (the last evaluation), then one per method with the
    /// mean ± std over seeds.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "method,run,seed,finished,trained_episodes,r_tra,r_tra_std,r_each,length,coverage,mcd,online_episodes,online_first_k_mean,online_total_reward\n",
        );
        for r in &self.runs {
            if let Some(l) = &r.last {
                let trained = r.curve.last().map(|p| p.trained_episodes).unwrap_or(0);
                let online = r
                    .online
                    .map(|o| format!("{},{},{}", o.episodes, o.first_k_mean, o.total_reward))
                    .unwrap_or_else(|| ",,".into());
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    r.method.id(),
                    r.run,
                    r.seed,
                    r.finished,
                    trained,
                    l.r_tra.mean,
                    l.r_tra.std,
                    l.r_each.mean,
                    l.length.mean,
                    l.coverage,
                    l.mcd,
                    online
                ));
            }
        }
        s.push_str("\nmethod,seeds,r_tra_mean,r_tra_std,r_each_mean,r_each_std,length_mean,length_std,coverage_mean,mcd_mean\n");
        for m in &self.summary {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                m.method.id(),
                m.seeds,
                m.r_tra.mean,
                m.r_tra.std,
                m.r_each.mean,
                m.r_each.std,
                m.length.mean,
                m.length.std,
                m.coverage.mean,
                m.mcd.mean
            ));
        }
        s
    }

    /// SHA-256 of the results' JSON: floats are written shortest-round-trip, so equal
    /// digests mean bit-identical numbers (natively and in the browser: see
    /// `portable_math.rs` for what that takes).
    pub fn digest(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).expect("results serialise"))
    }

    /// SHA-256 of the results without their config: the numbers alone. The golden
    /// digests (`tests/golden/digests.txt`) use it, so a refactor that adds a config
    /// field (written into every result) but changes no number keeps them.
    pub fn numbers_digest(&self) -> String {
        let mut v = serde_json::to_value(self).expect("results serialise");
        if let Some(o) = v.as_object_mut() {
            o.remove("config");
        }
        sha256_hex(&serde_json::to_vec(&v).expect("results serialise"))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
