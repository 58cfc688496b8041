//! Sweeps: a grid of settings × seeds, expanded into single-seed runs with stable names,
//! so one folder of results can be filled by one machine (and resumed after a stop), or
//! by a cluster's job array one task per run, and then collected into one table and one
//! results file the page can overlay. Pure: `ialp sweep` and `ialp collect` do the files.
//!
//! A grid file:
//! ```json
//! { "preset": "paper-coat",
//!   "axes": [ { "path": "ialp.lambda", "values": [0, 0.5, 1] } ],
//!   "seeds": 5 }
//! ```
//! `preset` or `config` (an `ialp run` config) is the base, `set` changes some of its
//! values (`{"methods": ["offline_a2c", "ialp"]}`); each axis is a config path (as in
//! links and All settings) and its values; `seeds` is a count (the base's seed and the
//! next ones) or a list. Built-in grids live in `www/sweeps/` ([`SWEEPS`]).
//!
//! The seeds are runs of the base config: the task for seed `s` is the base with the
//! axes' values, `seeds = 1` and `first_run` set so its one run has seed `s`. It keeps
//! the base's `seed`, so a synthetic world is the base's, and it gives the numbers the
//! seed-`s` run has in the multi-seed config (a test checks it).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{ConfigError, ExperimentConfig, ValidConfig};
use super::results::Results;

/// Most runs one grid may expand to.
pub const MAX_RUNS: usize = 10_000;

/// The built-in grids (`ialp sweep NAME`): name, what it asks, the grid.
pub const SWEEPS: [(&str, &str, &str); 2] = [
    (
        "paper-coat-lambda",
        "iALP's mixing weight λ = 0, 0.25, 0.5, 0.75, 1 on the paper-coat preset, 5 seeds",
        include_str!("../../www/sweeps/paper-coat-lambda.json"),
    ),
    (
        "paper-coat-real-lambda",
        "λ = 0, 0.25, 0.5, 0.75, 1 on real Coat (paper-coat-real; --real-dir), 5 seeds",
        include_str!("../../www/sweeps/paper-coat-real-lambda.json"),
    ),
];

/// The built-in grid called `name`.
pub fn builtin(name: &str) -> Option<&'static str> {
    SWEEPS.iter().find(|s| s.0 == name).map(|s| s.2)
}

/// A sweep as written in GRID.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// The base config: a built-in preset (`ialp presets`)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// …or a config, as `ialp run` reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ExperimentConfig>,
    /// Values of the base changed for every run (path → value).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub set: serde_json::Map<String, Value>,
    /// The settings to vary; every combination is run (the last axis varies fastest).
    #[serde(default)]
    pub axes: Vec<Axis>,
    /// A count (the base's seed and the next ones) or a list; default: the base's seeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<Seeds>,
}

/// One setting and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// A config path: `ialp.lambda`, `a2c.learning_rate`, `env.preset`, `methods`.
    pub path: String,
    /// Numbers, strings, booleans, or lists (for `methods`).
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Seeds {
    Count(usize),
    List(Vec<u64>),
}

/// Why a grid cannot be expanded, or a folder not collected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("not a grid file: {0}")]
    Shape(String),
    #[error("give the base config as \"preset\" or \"config\", not both")]
    Base,
    #[error("no preset called {0:?} (`ialp presets` lists them)")]
    Preset(String),
    #[error("the base config: {0}")]
    BaseConfig(ConfigError),
    #[error("set {0}")]
    Set(ConfigError),
    #[error("axis {axis} ({path}): {problem}")]
    Axis {
        axis: usize,
        path: String,
        problem: String,
    },
    #[error("run {name}: {error}")]
    Run { name: String, error: ConfigError },
    #[error("seeds: {0}")]
    Seeds(String),
    #[error("the grid expands to {0} runs; at most {MAX_RUNS} are allowed")]
    TooMany(usize),
}

/// One run of a sweep: one combination of the axes' values, one seed.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// Its place in the sweep: a job array's task index.
    pub index: usize,
    /// A folder name, unique in the sweep: `0003-ialp.lambda=0.5-seed2026`.
    pub name: String,
    /// The axes' values, `ialp.lambda=0.5, a2c.learning_rate=0.001` (empty without axes):
    /// runs of one variant differ only by seed.
    pub variant: String,
    pub seed: u64,
    pub config: ValidConfig,
}

impl Grid {
    /// Reads GRID.json; the error names the JSON path of the first bad value.
    pub fn from_json(text: &str) -> Result<Grid, SweepError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!("{path}: ")
            };
            SweepError::Shape(format!("{at}{}", e.into_inner()))
        })
    }

    /// The base config with `set` applied, checked.
    pub fn base(&self) -> Result<ValidConfig, SweepError> {
        let mut base = self.given()?;
        for (path, v) in &self.set {
            base = super::settings::with_setting(base.raw(), path, &super::settings::leaf_text(v))
                .map_err(SweepError::Set)?;
        }
        Ok(base)
    }

    fn given(&self) -> Result<ValidConfig, SweepError> {
        match (&self.preset, &self.config) {
            (Some(_), Some(_)) => Err(SweepError::Base),
            (Some(name), None) => super::presets::find(name)
                .ok_or_else(|| SweepError::Preset(name.clone()))?
                .config(None)
                .map_err(SweepError::BaseConfig),
            (None, Some(c)) => c.clone().check().map_err(SweepError::BaseConfig),
            (None, None) => Ok(ExperimentConfig::default()
                .check()
                .expect("the default config is valid")),
        }
    }

    /// The runs of the base each variant runs, as (run index, run seed).
    pub fn seed_list(&self, base: &ValidConfig) -> Result<Vec<(usize, u64)>, SweepError> {
        let runs: Vec<usize> = match &self.seeds {
            None => (0..base.seeds()).collect(),
            Some(Seeds::Count(k)) => {
                if *k > MAX_RUNS {
                    return Err(SweepError::TooMany(*k));
                }
                (0..*k).collect()
            }
            Some(Seeds::List(l)) => {
                let mut runs = Vec::new();
                for &s in l {
                    let first = base.run_seed(0);
                    if s < first || s - first > MAX_RUNS as u64 {
                        return Err(SweepError::Seeds(format!(
                            "seed {s}: a sweep's seeds are runs of the base, from its seed {first} to {}",
                            first + MAX_RUNS as u64
                        )));
                    }
                    runs.push((s - first) as usize);
                }
                runs
            }
        };
        if runs.is_empty() {
            return Err(SweepError::Seeds("give at least one seed".into()));
        }
        let seeds: Vec<(usize, u64)> = runs.iter().map(|&k| (k, base.run_seed(k))).collect();
        for (k, s) in seeds.iter().enumerate() {
            if seeds[..k].iter().any(|x| x.1 == s.1) {
                return Err(SweepError::Seeds(format!("seed {} is listed twice", s.1)));
            }
        }
        Ok(seeds)
    }

    /// Every run, in task order: the axes' combinations (the last axis fastest), and
    /// within each the seeds. Each run's config is checked here, so a sweep that starts
    /// cannot fail on a bad value half-way.
    pub fn expand(&self) -> Result<Vec<SweepRun>, SweepError> {
        let base = self.base()?;
        let seeds = self.seed_list(&base)?;
        let mut count = seeds.len();
        for (k, a) in self.axes.iter().enumerate() {
            if a.values.is_empty() {
                return Err(SweepError::Axis {
                    axis: k,
                    path: a.path.clone(),
                    problem: "give at least one value".into(),
                });
            }
            count = count.saturating_mul(a.values.len());
        }
        if count > MAX_RUNS {
            return Err(SweepError::TooMany(count));
        }
        // Each combination as (path, text) pairs, checked once per value first so an
        // error names the axis rather than a run.
        for (k, a) in self.axes.iter().enumerate() {
            for v in &a.values {
                super::settings::with_setting(base.raw(), &a.path, &super::settings::leaf_text(v))
                    .map_err(|e| SweepError::Axis {
                        axis: k,
                        path: a.path.clone(),
                        problem: e.problem,
                    })?;
            }
        }
        let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for a in &self.axes {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    a.values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((a.path.clone(), super::settings::leaf_text(v)));
                        c
                    })
                })
                .collect();
        }
        let mut runs = Vec::with_capacity(count);
        for combo in &combos {
            let variant = combo
                .iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            for &(k, seed) in &seeds {
                let index = runs.len();
                let name = run_name(index, combo, seed);
                let mut config = base.clone();
                for (p, v) in combo {
                    config = super::settings::with_setting(config.raw(), p, v).map_err(|error| {
                        SweepError::Run {
                            name: name.clone(),
                            error,
                        }
                    })?;
                }
                let mut raw = config.raw().clone();
                raw.first_run += k;
                raw.seeds = 1;
                let config = raw.check().map_err(|error| SweepError::Run {
                    name: name.clone(),
                    error,
                })?;
                runs.push(SweepRun {
                    index,
                    name,
                    variant: variant.clone(),
                    seed,
                    config,
                });
            }
        }
        Ok(runs)
    }
}

/// `0003-ialp.lambda=0.5-seed2026`: the index first (unique, sorts in task order), then
/// what a reader needs, with anything a file system may dislike replaced by `_`.
fn run_name(index: usize, combo: &[(String, String)], seed: u64) -> String {
    let mut name = format!("{index:04}");
    for (p, v) in combo {
        name.push('-');
        name.push_str(p);
        name.push('=');
        name.push_str(v);
    }
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '=' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean.truncate(100);
    format!("{clean}-seed{seed}")
}

/// A job-array script for Slurm that runs the sweep one task per run:
/// `sbatch DIR/sweep.slurm`. Each task runs `ialp sweep GRID --out DIR --task $SLURM_ARRAY_TASK_ID`,
/// so a task that already finished is skipped when the array is resubmitted.
pub fn slurm_script(ialp: &str, grid: &str, out: &str, runs: usize, extra: &[String]) -> String {
    let cmd = task_command(ialp, grid, out, extra, "\"$SLURM_ARRAY_TASK_ID\"");
    format!(
        "#!/bin/bash\n\
         # {runs} runs of the sweep in {grid}, one per array task (written by `ialp sweep --emit slurm`).\n\
         # Submit: sbatch {script}   Then merge: ialp collect {out}\n\
         #SBATCH --job-name=ialp-sweep\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --output={out}/logs/%a.out\n\
         set -euo pipefail\n\
         mkdir -p {out_word}/logs\n\
         exec {cmd}\n",
        last = runs.saturating_sub(1),
        script = shell_word(&format!("{out}/sweep.slurm")),
        out_word = shell_word(out),
    )
}

/// One command per run, for GNU parallel, xargs or any scheduler that takes a list:
/// `parallel < DIR/tasks.txt`.
pub fn task_lines(ialp: &str, grid: &str, out: &str, runs: usize, extra: &[String]) -> String {
    (0..runs)
        .map(|k| task_command(ialp, grid, out, extra, &k.to_string()) + "\n")
        .collect()
}

/// `ialp sweep GRID --out DIR [extra…] --task TASK`, quoted for sh; `task` is written as
/// given (an index, or the scheduler's variable).
fn task_command(ialp: &str, grid: &str, out: &str, extra: &[String], task: &str) -> String {
    let mut cmd = vec![
        shell_word(ialp),
        "sweep".into(),
        shell_word(grid),
        "--out".into(),
        shell_word(out),
    ];
    cmd.extend(extra.iter().map(|a| shell_word(a)));
    cmd.push("--task".into());
    cmd.push(task.into());
    cmd.join(" ")
}

/// A word for sh: as is when it is plain, else in single quotes.
fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-=+:,@".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// What `ialp collect` found: the runs' results merged, and the runs still missing.
#[derive(Debug, Clone)]
pub struct Collected {
    /// Every finished run's method runs in one results file, each tagged with its
    /// variant; the summary has one row per (variant, method), mean ± std over seeds.
    /// `None` when no run has finished.
    pub results: Option<Results>,
    /// Runs with no complete results yet, by name.
    pub missing: Vec<String>,
}

/// Merges the results of a sweep's runs (`None` where a run has none yet).
pub fn collect(base: &ValidConfig, runs: &[SweepRun], found: Vec<Option<Results>>) -> Collected {
    let mut seeds: Vec<u64> = Vec::new();
    for r in runs {
        if !seeds.contains(&r.seed) {
            seeds.push(r.seed);
        }
    }
    let mut methods = Vec::new();
    let mut merged: Option<Results> = None;
    let mut missing = Vec::new();
    for (run, got) in runs.iter().zip(found) {
        let Some(mut r) = got.filter(|r| r.complete) else {
            missing.push(run.name.clone());
            continue;
        };
        let k = seeds.iter().position(|&s| s == run.seed).unwrap_or(0);
        for m in &mut r.runs {
            m.run = k;
            m.variant = (!run.variant.is_empty()).then(|| run.variant.clone());
        }
        for m in &r.config.methods {
            if !methods.contains(m) {
                methods.push(*m);
            }
        }
        match &mut merged {
            None => merged = Some(r),
            Some(all) => {
                all.runs.extend(r.runs);
                all.user_models.extend(r.user_models);
                all.distillations.extend(r.distillations);
                if all.halted.is_none() {
                    all.halted = r.halted;
                }
            }
        }
    }
    let Some(mut results) = merged else {
        return Collected {
            results: None,
            missing,
        };
    };
    let mut config = base.raw().clone();
    if !methods.is_empty() {
        config.methods = methods;
    }
    // The collected runs as runs of the base: `seeds` of them from the lowest.
    if let Some(&low) = seeds.iter().min() {
        config.first_run = (low - base.seed()) as usize;
    }
    config.seeds = seeds.len().max(1);
    // The merged file's config says what the runs share; it must stay one the page reads.
    results.config = if config.clone().check().is_ok() {
        config
    } else {
        base.raw().clone()
    };
    results.complete = missing.is_empty();
    results.summarise();
    Collected {
        results: Some(results),
        missing,
    }
}

/// The collected table in Markdown: one row per variant and method.
pub fn table(c: &Collected) -> String {
    let f = |m: &super::MeanStd| format!("{:.2} ± {:.2}", m.mean, m.std);
    let mut s = String::from(
        "| setting | method | seeds | R_tra | R_each | Length | users' total reward |\n|---|---|---|---|---|---|---|\n",
    );
    for m in c.results.iter().flat_map(|r| &r.summary) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            m.variant.as_deref().unwrap_or("(base)"),
            m.method.label(),
            m.seeds,
            f(&m.r_tra),
            f(&m.r_each),
            f(&m.length),
            m.online_total
                .map(|x| format!("{:.0} ± {:.0}", x.mean, x.std))
                .unwrap_or_else(|| "–".into())
        ));
    }
    if !c.missing.is_empty() {
        s.push_str(&format!(
            "\n{} run(s) not finished yet: {}\n",
            c.missing.len(),
            c.missing.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str) -> Grid {
        Grid::from_json(text).unwrap()
    }

    #[test]
    fn a_grid_expands_to_every_combination_and_seed_in_task_order() {
        let g = grid(
            r#"{"preset": "paper-coat", "axes": [{"path": "ialp.lambda", "values": [0, 0.5]},
                {"path": "a2c.learning_rate", "values": [0.001, 0.01, 0.1]}], "seeds": 2}"#,
        );
        let runs = g.expand().unwrap();
        assert_eq!(runs.len(), 12);
        assert_eq!(runs[0].variant, "ialp.lambda=0, a2c.learning_rate=0.001");
        assert_eq!(runs[1].variant, runs[0].variant, "seeds vary fastest");
        assert_eq!((runs[0].seed, runs[1].seed), (2025, 2026));
        assert_eq!(runs[2].variant, "ialp.lambda=0, a2c.learning_rate=0.01");
        assert_eq!(runs[11].variant, "ialp.lambda=0.5, a2c.learning_rate=0.1");
        assert_eq!(
            runs[11].name,
            "0011-ialp.lambda=0.5-a2c.learning_rate=0.1-seed2026"
        );
        assert_eq!(runs[11].config.raw().ialp.lambda, 0.5);
        assert_eq!(runs[11].config.raw().a2c.learning_rate, 0.1);
        assert_eq!(runs[11].config.seeds(), 1);
        let names: std::collections::BTreeSet<_> = runs.iter().map(|r| &r.name).collect();
        assert_eq!(names.len(), runs.len(), "names are unique");
    }

    #[test]
    fn a_bad_grid_names_what_is_wrong() {
        let e = |t: &str| {
            Grid::from_json(t)
                .and_then(|g| g.expand())
                .unwrap_err()
                .to_string()
        };
        assert!(
            e(r#"{"axes": [{"path": "ialp.lambda", "values": [2]}]}"#)
                .starts_with("axis 0 (ialp.lambda): must be"),
            "{}",
            e(r#"{"axes": [{"path": "ialp.lambda", "values": [2]}]}"#)
        );
        assert!(e(r#"{"axes": [{"path": "nope", "values": [1]}]}"#).contains("axis 0 (nope)"));
        assert!(e(r#"{"axes": [{"path": "seeds", "values": []}]}"#).contains("at least one value"));
        assert!(e(r#"{"preset": "paper-nowhere"}"#).contains("no preset called"));
        assert!(e(r#"{"seeds": [2026, 2026]}"#).contains("listed twice"));
        assert!(e(r#"{"seeds": [1]}"#).contains("runs of the base"));
        assert!(e(r#"{"seeds": 0}"#).contains("at least one seed"));
        assert!(
            e(r#"{"seed": 3}"#).contains("unknown field `seed`"),
            "{}",
            e(r#"{"seed": 3}"#)
        );
        assert!(
            e(r#"{"axes": [{"path": "ialp.lambda", "values": [0, 1]}], "seeds": 6000}"#)
                .contains("12000 runs")
        );
    }

    #[test]
    fn the_builtin_grids_expand_and_set_applies_to_every_run() {
        for (name, _, text) in SWEEPS {
            let runs = Grid::from_json(text)
                .and_then(|g| g.expand())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!runs.is_empty(), "{name}");
        }
        let runs = grid(builtin("paper-coat-lambda").unwrap())
            .expand()
            .unwrap();
        assert_eq!(runs.len(), 25);
        use crate::methods::Method::*;
        for r in &runs {
            assert_eq!(r.config.methods(), [OfflineA2c, Ialp, AIalpFt, AIalpAp]);
        }
        assert_eq!(runs[24].config.raw().ialp.lambda, 1.0);
        let e = grid(r#"{"set": {"seeds": 0}}"#)
            .expand()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("set seeds: "), "{e}");
    }

    #[test]
    fn slurm_script_runs_one_task_per_run_and_quotes_paths() {
        let s = slurm_script("target/release/ialp", "my grid.json", "out", 4, &[]);
        assert!(s.contains("#SBATCH --array=0-3\n"));
        assert!(s.contains("exec target/release/ialp sweep 'my grid.json' --out out --task \"$SLURM_ARRAY_TASK_ID\"\n"), "{s}");
        let t = task_lines(
            "ialp",
            "g.json",
            "o",
            2,
            &["--real-dir".into(), "../d".into()],
        );
        assert_eq!(t, "ialp sweep g.json --out o --real-dir ../d --task 0\nialp sweep g.json --out o --real-dir ../d --task 1\n");
    }
}
