//! Sweeps and paired comparisons: a sweep's single-seed run gives the numbers of that
//! seed in a multi-seed run; a grid emitted for Slurm runs task by task (the script run
//! as Slurm runs it), a finished task is never redone, and `ialp collect` merges the
//! folder; "does the LLM help?" pairs each LLM method with its twin seed by seed.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use ialp::experiment::paired::paired;
use ialp::experiment::sweep::Grid;
use ialp::experiment::{build_world, Experiment, ExperimentConfig, Results, ValidConfig};
use ialp::methods::Method;

/// Small enough to run in a second or two per seed.
const SMALL: &str = r#"{"env": {"preset": "coat", "mode": "nx0", "scale": 0.3},
  "methods": ["random", "online_a2c"], "eval_episodes": 8, "seed": 2025, "seeds": 2,
  "training": {"offline_episodes": 64, "online_episodes": 64, "eval_every": 32},
  "a2c": {"episodes_per_update": 8}}"#;

fn run(valid: &ValidConfig) -> Results {
    let world = Arc::new(build_world(valid, None).unwrap());
    let mut exp = Experiment::new(valid.clone(), world);
    exp.run();
    exp.results()
}

fn ialp_bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args(args)
        .output()
        .expect("run ialp")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn scratch(tag: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-scratch")
        .join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_sweep_run_has_the_numbers_of_its_seed_in_a_multi_seed_run() {
    let both = run(&ExperimentConfig::from_json(SMALL).unwrap());
    let grid = Grid::from_json(&format!(r#"{{"config": {SMALL}, "seeds": [2026]}}"#)).unwrap();
    let runs = grid.expand().unwrap();
    assert_eq!(runs.len(), 1);
    let alone = run(&runs[0].config);
    for m in [Method::Random, Method::OnlineA2c] {
        let a = alone.runs.iter().find(|r| r.method == m).unwrap();
        let b = both
            .runs
            .iter()
            .find(|r| r.method == m && r.seed == 2026)
            .unwrap();
        assert_eq!(a.curve, b.curve, "{m:?}");
        assert_eq!(a.episode_returns, b.episode_returns, "{m:?}");
        assert_eq!(a.online, b.online, "{m:?}");
    }
    // Seed 2025's numbers differ, or this test could not fail.
    let other = both
        .runs
        .iter()
        .find(|r| r.method == Method::OnlineA2c && r.seed == 2025)
        .unwrap();
    let a = alone
        .runs
        .iter()
        .find(|r| r.method == Method::OnlineA2c)
        .unwrap();
    assert_ne!(a.episode_returns, other.episode_returns);
}

#[test]
fn a_slurm_array_runs_by_index_resumes_and_collects() {
    let dir = scratch("sweep-slurm");
    let grid = dir.join("grid-in.json");
    std::fs::write(
        &grid,
        format!(
            r#"{{"config": {SMALL}, "axes": [{{"path": "a2c.learning_rate", "values": [0.001, 0.01]}}], "seeds": 2}}"#
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let g = grid.to_str().unwrap();
    let o = out.to_str().unwrap();

    let listed = ok(&ialp_bin(&["sweep", g, "--out", o, "--list"]));
    assert_eq!(listed.lines().count(), 4, "{listed}");
    assert!(
        listed.contains("1\t0001-a2c.learning_rate=0.001-seed2026"),
        "{listed}"
    );

    ok(&ialp_bin(&["sweep", g, "--out", o, "--emit", "slurm"]));
    let script = std::fs::read_to_string(out.join("sweep.slurm")).unwrap();
    assert!(script.contains("#SBATCH --array=0-3\n"), "{script}");
    assert!(
        script.contains("--task \"$SLURM_ARRAY_TASK_ID\""),
        "{script}"
    );

    // Tasks 1 and 2, run as Slurm runs an array task: the script, with its index.
    for task in ["1", "2"] {
        let r = Command::new("bash")
            .arg(out.join("sweep.slurm"))
            .env("SLURM_ARRAY_TASK_ID", task)
            .output()
            .unwrap();
        ok(&r);
    }
    let runs = out.join("runs");
    let mut done: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    done.sort();
    assert_eq!(
        done,
        [
            "0001-a2c.learning_rate=0.001-seed2026",
            "0002-a2c.learning_rate=0.01-seed2025"
        ]
    );

    // Collected half-way: the two finished runs, the two missing named.
    let half: serde_json::Value =
        serde_json::from_str(&ok(&ialp_bin(&["collect", o, "--json"]))).unwrap();
    assert_eq!(half["missing"].as_array().unwrap().len(), 2, "{half}");
    let rows = half["summary"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "2 variants × 2 methods: {half}");
    assert!(rows.iter().all(|r| r["seeds"] == 1));

    // The whole sweep locally: the finished tasks are kept, not run again.
    let task1 = runs.join(&done[0]).join("results.json");
    let before = std::fs::read(&task1).unwrap();
    let whole = ialp_bin(&["sweep", g, "--out", o]);
    ok(&whole);
    let log = String::from_utf8_lossy(&whole.stderr);
    assert_eq!(log.matches("already finished: kept").count(), 2, "{log}");
    assert!(log.contains("2 run(s) now, 2 already finished"), "{log}");
    assert_eq!(std::fs::read(&task1).unwrap(), before);

    let table = ok(&ialp_bin(&["collect", o]));
    assert!(
        table.contains("| a2c.learning_rate=0.01 | Online A2C | 2 |"),
        "{table}"
    );
    assert!(!table.contains("not finished"), "{table}");
    let merged = Results::from_json(&std::fs::read_to_string(out.join("results.json")).unwrap())
        .expect("the merged file is a results file the page reads");
    assert!(merged.complete);
    assert_eq!(merged.runs.len(), 8);
    assert_eq!(merged.summary.len(), 4);
    let labels: Vec<String> = ialp::chart::curves_of(&merged)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(
        labels.contains(&"Online A2C · a2c.learning_rate=0.001".to_string()),
        "{labels:?}"
    );
    // Each variant's mean is over its own two seeds.
    let lr = |v: &str| {
        merged
            .summary
            .iter()
            .find(|s| s.method == Method::OnlineA2c && s.variant.as_deref() == Some(v))
            .unwrap()
            .r_tra
            .mean
    };
    let mean_of = |v: &str| {
        let xs: Vec<f64> = merged
            .runs
            .iter()
            .filter(|r| r.method == Method::OnlineA2c && r.variant.as_deref() == Some(v))
            .map(|r| r.last.as_ref().unwrap().r_tra.mean)
            .collect();
        assert_eq!(xs.len(), 2);
        (xs[0] + xs[1]) / 2.0
    };
    for v in ["a2c.learning_rate=0.001", "a2c.learning_rate=0.01"] {
        assert!((lr(v) - mean_of(v)).abs() < 1e-12);
    }

    // Another grid into the same folder is refused; so is a task out of range.
    std::fs::write(&grid, format!(r#"{{"config": {SMALL}, "seeds": 3}}"#)).unwrap();
    let other = ialp_bin(&["sweep", g, "--out", o]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("holds another sweep"));
    let kept = out.join("grid.json");
    let far = ialp_bin(&["sweep", kept.to_str().unwrap(), "--out", o, "--task", "9"]);
    assert_eq!(far.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&far.stderr).contains("--task 9: the sweep has 4 runs"));
}

#[test]
fn does_the_llm_help_pairs_each_llm_method_with_its_twin_seed_by_seed() {
    let valid = ExperimentConfig::from_json(
        r#"{"env": {"preset": "coat", "mode": "nx0", "scale": 0.3},
        "methods": ["offline_a2c", "offline_a2c_ft", "ialp", "a_ialp_ft"],
        "eval_episodes": 8, "seed": 7, "seeds": 2,
        "training": {"offline_episodes": 64, "online_episodes": 64, "eval_every": 32},
        "a2c": {"episodes_per_update": 8}, "ialp": {"states": 20}, "llm": {"provider": "heuristic"}}"#,
    )
    .unwrap();
    let r = run(&valid);
    let pairs = paired(&r);
    let got: Vec<(Method, Method)> = pairs.iter().map(|p| (p.with_llm, p.without_llm)).collect();
    assert_eq!(
        got,
        [
            (Method::Ialp, Method::OfflineA2c),
            (Method::AIalpFt, Method::OfflineA2cFt)
        ]
    );
    let last = |m: Method, seed: u64| {
        r.runs
            .iter()
            .find(|x| x.method == m && x.seed == seed)
            .unwrap()
            .last
            .as_ref()
            .unwrap()
            .r_tra
            .mean
    };
    for p in &pairs {
        assert_eq!(p.seeds(), 2);
        for &(seed, d) in &p.r_tra {
            assert_eq!(d, last(p.with_llm, seed) - last(p.without_llm, seed));
        }
        assert_eq!(p.favour, p.r_tra.iter().filter(|x| x.1 > 0.0).count());
        assert!(
            p.describe().contains(" of 2 seeds favour "),
            "{}",
            p.describe()
        );
    }
    assert!(
        pairs[0].online_total_diff.is_none(),
        "iALP does not learn online"
    );
    let online = |m: Method| -> f64 {
        r.runs
            .iter()
            .filter(|x| x.method == m)
            .map(|x| x.online.unwrap().total_reward)
            .sum::<f64>()
            / 2.0
    };
    let t = pairs[1].online_total_diff.expect("both learn online");
    assert!((t.mean - (online(Method::AIalpFt) - online(Method::OfflineA2cFt))).abs() < 1e-9);
}
