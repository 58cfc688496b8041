//! The `ialp` command line as a user runs it: flags, JSON, exit codes, real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ialp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args(args)
        .output()
        .expect("run ialp")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/coat")
}

/// A scratch folder under target/ with copies of the real Coat files, `edit` applied.
fn broken_copy(tag: &str, edit: impl Fn(&Path)) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-scratch")
        .join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "train.ascii",
        "test.ascii",
        "pseudo_gt_rating_matrix.ascii",
        "user_features.ascii",
        "item_features.ascii",
    ] {
        std::fs::copy(real_dir().join(f), dir.join(f)).unwrap();
    }
    edit(&dir);
    dir
}

#[test]
fn simulate_json_has_the_contract_fields() {
    let v = json(&ialp(&[
        "simulate",
        "--env",
        "coat",
        "--policy",
        "random",
        "--episodes",
        "200",
        "--seed",
        "4",
        "--mode",
        "fb",
        "--json",
    ]));
    for k in ["r_tra", "r_each", "length"] {
        assert!(v[k]["mean"].as_f64().unwrap() > 0.0, "{k}");
        assert!(v[k]["std"].as_f64().unwrap() >= 0.0, "{k}");
    }
    assert_eq!(v["episodes"], 200);
    assert_eq!(v["env"], "coat");
    assert_eq!(v["data"], "synthetic");
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let args = |seed: &'static str| {
        [
            "simulate",
            "--env",
            "kuairec",
            "--policy",
            "popular",
            "--episodes",
            "100",
            "--seed",
            seed,
            "--json",
        ]
    };
    let a = json(&ialp(&args("9")));
    assert_eq!(a, json(&ialp(&args("9"))));
    assert_ne!(a["digest"], json(&ialp(&args("10")))["digest"]);
}

#[test]
fn real_coat_from_a_folder() {
    let dir = real_dir();
    let v = json(&ialp(&[
        "simulate",
        "--env",
        "coat",
        "--real-dir",
        dir.to_str().unwrap(),
        "--policy",
        "random",
        "--episodes",
        "300",
        "--mode",
        "nx0",
        "--leave-n",
        "3",
        "--leave-tau",
        "10",
        "--window",
        "peer",
        "--json",
    ]));
    assert_eq!(
        (
            v["data"].as_str(),
            v["users"].as_u64(),
            v["leave_n"].as_u64()
        ),
        (Some("real"), Some(290), Some(3))
    );
    assert_eq!(v["window"], "peer_compatible");
}

#[test]
fn readable_table_without_json() {
    let out = ialp(&["simulate", "--env", "movielens", "--episodes", "50"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        text.contains("R_tra") && text.contains("Random") && text.contains(" ± "),
        "{text}"
    );
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, says) in [
        (vec!["simulate", "--env", "coat", "--mode", "nx5"], "--mode"),
        (vec!["simulate", "--env", "netflix"], "--env"),
        (
            vec!["simulate", "--env", "coat", "--episodes", "-3"],
            "--episodes",
        ),
        (
            vec!["simulate", "--env", "coat", "--episodes", "0"],
            "episodes: must be between 1",
        ),
        (
            vec!["simulate", "--env", "coat", "--leave-tau", "NaN"],
            "env.leave_tau",
        ),
        (
            vec!["simulate", "--env", "movielens", "--real-dir", ".", "--scale", "2"],
            "env.scale",
        ),
        (vec!["simulate"], "--env"),
    ] {
        let out = ialp(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: expected '{says}' in: {err}");
    }
}

#[test]
fn bad_coat_files_exit_1_naming_file_and_line() {
    let cases: Vec<(&str, Box<dyn Fn(&Path)>, &str)> = vec![
        (
            "letters",
            Box::new(|d: &Path| {
                let p = d.join("train.ascii");
                let t = std::fs::read_to_string(&p).unwrap();
                let mut lines: Vec<String> = t.lines().map(String::from).collect();
                lines[4] = lines[4].replacen('0', "abc", 1);
                std::fs::write(&p, lines.join("\n")).unwrap();
            }),
            "train.ascii, line 5: column 1: 'abc' is not a whole number",
        ),
        (
            "size",
            Box::new(|d: &Path| {
                let p = d.join("item_features.ascii");
                let t = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, t.lines().take(299).collect::<Vec<_>>().join("\n")).unwrap();
            }),
            "item_features.ascii: has 299 non-empty lines, expected 300 lines",
        ),
        (
            "missing",
            Box::new(|d: &Path| std::fs::remove_file(d.join("test.ascii")).unwrap()),
            "test.ascii is missing",
        ),
    ];
    for (tag, edit, says) in cases {
        let dir = broken_copy(tag, edit);
        let out = ialp(&[
            "simulate",
            "--env",
            "coat",
            "--real-dir",
            dir.to_str().unwrap(),
            "--json",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{tag}: {err}");
        assert!(err.contains(says), "{tag}: expected '{says}' in: {err}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
    }
}

fn write_config(tag: &str, json: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{tag}.json"));
    std::fs::write(&p, json).unwrap();
    p
}

#[test]
fn run_writes_results_csv_and_curves() {
    let cfg = write_config(
        "small-run",
        r#"{"env":{"preset":"coat","scale":0.3},"methods":["random","popular","online_a2c"],"eval_episodes":30,"seed":4,"seeds":2,
            "training":{"online_episodes":64,"eval_every":32}}"#,
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch/small-run-out");
    let _ = std::fs::remove_dir_all(&out);
    let v = json(&ialp(&[
        "run",
        cfg.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(v["complete"], true);
    let summary = v["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 3);
    assert!(summary.iter().all(|m| m["seeds"] == 2));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        results["config"]["seed"], 4,
        "results.json carries its config"
    );
    let a2c_runs: Vec<&serde_json::Value> = results["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "online_a2c")
        .collect();
    assert_eq!(a2c_runs.len(), 2);
    assert_eq!(
        a2c_runs[0]["curve"].as_array().unwrap().len(),
        3,
        "evaluations at 0, 32, 64 training episodes"
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        csv.starts_with("method,run,seed,") && csv.contains("\nonline_a2c,1,5,true,64,"),
        "{csv}"
    );
    let svg = std::fs::read_to_string(out.join("curves.svg")).unwrap();
    assert!(
        svg.contains("Online A2C") && svg.contains("<polygon"),
        "curves with a band"
    );
    // The same config again: identical numbers.
    let again = json(&ialp(&["run", cfg.to_str().unwrap(), "--json"]));
    assert_eq!(again["digest"], v["digest"]);
}

#[test]
fn invalid_configs_are_rejected_naming_the_field() {
    for (tag, json, field) in [
        (
            "neg-episodes",
            r#"{"env":{"preset":"coat"},"methods":["random"],"seed":1,"eval_episodes":-4}"#,
            "eval_episodes",
        ),
        (
            "unknown-method",
            r#"{"env":{"preset":"coat"},"methods":["random","sarsa"],"seed":1}"#,
            "methods[1]",
        ),
        (
            "nan-lr",
            r#"{"env":{"preset":"coat"},"methods":["offline_a2c"],"seed":1,"a2c":{"learning_rate":NaN}}"#,
            "a2c.learning_rate",
        ),
        (
            "zero-lr",
            r#"{"env":{"preset":"coat"},"methods":["offline_a2c"],"seed":1,"a2c":{"learning_rate":0}}"#,
            "a2c.learning_rate: must be a number between",
        ),
        (
            "neg-training",
            r#"{"env":{"preset":"coat"},"methods":["online_a2c"],"seed":1,"training":{"online_episodes":-1}}"#,
            "training.online_episodes",
        ),
    ] {
        let p = write_config(tag, json);
        let out = ialp(&["run", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{tag}: {err}");
        assert!(err.contains(field), "{tag}: expected '{field}' in: {err}");
    }
}

#[test]
fn ctrl_c_keeps_what_finished() {
    // A long run (many methods and seeds), interrupted with SIGINT once it has started.
    let cfg = write_config(
        "long-run",
        r#"{"env":{"preset":"coat"},"methods":["random","popular","online_a2c"],"eval_episodes":100,"seed":1,"seeds":20,
            "training":{"online_episodes":100000,"eval_every":1000}}"#,
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch/long-run-out");
    let _ = std::fs::remove_dir_all(&out);
    let mut child = Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args([
            "run",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the A2C of the first seed is under way (its progress line on stderr).
    use std::io::{BufRead, BufReader};
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("Online A2C") {
        line.clear();
    }
    // Its first evaluation (100 episodes) takes milliseconds; give it time to finish.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "interrupted runs exit with 130"
    );
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(v["complete"], false);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let runs = results["runs"].as_array().unwrap();
    let finished: Vec<&str> = runs
        .iter()
        .filter(|r| r["finished"] == true)
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        finished,
        vec!["random", "popular"],
        "the finished methods are kept"
    );
    let partial = runs
        .iter()
        .find(|r| r["method"] == "online_a2c")
        .expect("the partial run is kept too");
    assert_eq!(partial["finished"], false);
    assert!(
        !partial["curve"].as_array().unwrap().is_empty(),
        "with the evaluations it had done"
    );
}

#[test]
fn presets_are_listed_and_run_by_name() {
    let out = ialp(&["presets"]);
    assert!(out.status.success());
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    for p in [
        "paper-coat",
        "paper-kuairec",
        "paper-movielens",
        "paper-coat-real",
    ] {
        assert!(names.iter().any(|n| n == p), "{p} in {names:?}");
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-preset");
    let _ = std::fs::remove_dir_all(&dir);
    let out = ialp(&[
        "run",
        "--preset",
        "paper-kuairec",
        "--seeds",
        "1",
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json(&out);
    assert_eq!(
        summary["summary"].as_array().unwrap().len(),
        9,
        "the paper's 7 methods and the 2 no-LLM twins"
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        results["config"]["seeds"], 1,
        "--seeds overrides the preset's 5"
    );
    assert!(results["summary"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["method"] == "a_ialp_ap" && m["first_k"]["mean"].is_number()));
    let bad = ialp(&["run", "--preset", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no such preset (there are: paper-coat"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let both = ialp(&["run", "x.json", "--preset", "paper-coat"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn policies_are_written_and_deployed_from_the_command_line() {
    let train = write_config(
        "policy-train",
        r#"{"env":{"preset":"coat","scale":0.3},"methods":["random","offline_a2c"],"eval_episodes":20,"seed":8,
            "training":{"offline_episodes":100,"online_episodes":0,"eval_every":50}}"#,
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch/policy-train-out");
    let _ = std::fs::remove_dir_all(&out);
    let o = ialp(&[
        "run",
        train.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--policies",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files: Vec<_> = std::fs::read_dir(out.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files,
        ["offline_a2c-seed8.json"],
        "one file per trained network, none for Random"
    );
    let policy = out.join("policies/offline_a2c-seed8.json");
    let deploy = write_config(
        "policy-deploy",
        r#"{"env":{"preset":"coat","scale":0.3},"methods":["imported","online_a2c"],"eval_episodes":20,"seed":8,
            "training":{"online_episodes":60,"eval_every":30}}"#,
    );
    let v = json(&ialp(&[
        "run",
        deploy.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(v["complete"], true, "{v}");
    assert_eq!(v["summary"][0]["method"], "imported");
    // Without the file, a run that deploys one stops and says why.
    let o = ialp(&["run", deploy.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("load one first"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = ialp(&[
        "run",
        deploy.to_str().unwrap(),
        "--policy",
        deploy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a policy file"));
}

#[test]
fn generated_movielens_and_kuairec_load_from_a_folder_or_a_zip_to_the_same_world() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch/gen");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for env in ["movielens", "kuairec"] {
        let folder = dir.join(env);
        let zip = dir.join(format!("{env}.zip"));
        for extra in [vec![], vec!["--zip"]] {
            let out_path = if extra.is_empty() { &folder } else { &zip };
            let mut args = vec!["generate-data", "--env", env, "--scale", "0.04", "--out", out_path.to_str().unwrap()];
            args.extend(extra);
            let out = ialp(&args);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let a = json(&ialp(&["world", "--env", env, "--real-dir", folder.to_str().unwrap()]));
        let b = json(&ialp(&["world", "--env", env, "--real", zip.to_str().unwrap()]));
        assert_eq!(a["digest"], b["digest"], "{env}");
        assert_eq!(a["source"]["kind"], "real");
        assert!(a["load"]["notes"].as_array().is_some_and(|n| !n.is_empty()), "{a}");
        // A cut of it: fewer users, another digest, the same each time.
        let c = json(&ialp(&["world", "--env", env, "--real-dir", folder.to_str().unwrap(), "--scale", "0.5"]));
        assert!(c["users"].as_u64() < a["users"].as_u64());
        assert_ne!(c["digest"], a["digest"]);
    }
    // A broken file: exit 1, the file and the line named.
    let ratings = dir.join("movielens/ml-1m/ratings.dat");
    let text = std::fs::read_to_string(&ratings).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1] = "1::2::9::978300760";
    std::fs::write(&ratings, lines.join("\n")).unwrap();
    let out = ialp(&["world", "--env", "movielens", "--real-dir", dir.join("movielens").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("ratings.dat, line 2: column 3 (Rating): 9 is outside 1-5"), "{err}");
    let out = ialp(&["world", "--env", "kuairec", "--real-dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("small_matrix.csv is missing"), "{}", String::from_utf8_lossy(&out.stderr));
}
