//! The `ialp` command line as a user runs it: flags, JSON, exit codes, real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ialp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ialp")).args(args).output().expect("run ialp")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/coat")
}

/// A scratch folder under target/ with copies of the real Coat files, `edit` applied.
fn broken_copy(tag: &str, edit: impl Fn(&Path)) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-scratch").join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["train.ascii", "test.ascii", "pseudo_gt_rating_matrix.ascii", "user_features.ascii", "item_features.ascii"] {
        std::fs::copy(real_dir().join(f), dir.join(f)).unwrap();
    }
    edit(&dir);
    dir
}

#[test]
fn simulate_json_has_the_contract_fields() {
    let v = json(&ialp(&["simulate", "--env", "coat", "--policy", "random", "--episodes", "200", "--seed", "4", "--mode", "fb", "--json"]));
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
    let args = |seed: &'static str| ["simulate", "--env", "kuairec", "--policy", "popular", "--episodes", "100", "--seed", seed, "--json"];
    let a = json(&ialp(&args("9")));
    assert_eq!(a, json(&ialp(&args("9"))));
    assert_ne!(a["digest"], json(&ialp(&args("10")))["digest"]);
}

#[test]
fn real_coat_from_a_folder() {
    let dir = real_dir();
    let v = json(&ialp(&[
        "simulate", "--env", "coat", "--real-dir", dir.to_str().unwrap(), "--policy", "random", "--episodes", "300",
        "--mode", "nx0", "--leave-n", "3", "--leave-tau", "10", "--window", "peer", "--json",
    ]));
    assert_eq!((v["data"].as_str(), v["users"].as_u64(), v["leave_n"].as_u64()), (Some("real"), Some(290), Some(3)));
    assert_eq!(v["window"], "peer_compatible");
}

#[test]
fn readable_table_without_json() {
    let out = ialp(&["simulate", "--env", "movielens", "--episodes", "50"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("R_tra") && text.contains("Random") && text.contains(" ± "), "{text}");
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, says) in [
        (vec!["simulate", "--env", "coat", "--mode", "nx5"], "--mode"),
        (vec!["simulate", "--env", "netflix"], "--env"),
        (vec!["simulate", "--env", "coat", "--episodes", "-3"], "--episodes"),
        (vec!["simulate", "--env", "coat", "--episodes", "0"], "episodes: must be between 1"),
        (vec!["simulate", "--env", "coat", "--leave-tau", "NaN"], "env.leave_tau"),
        (vec!["simulate", "--env", "kuairec", "--real-dir", "."], "env.data"),
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
        ("missing", Box::new(|d: &Path| std::fs::remove_file(d.join("test.ascii")).unwrap()), "test.ascii is missing"),
    ];
    for (tag, edit, says) in cases {
        let dir = broken_copy(tag, edit);
        let out = ialp(&["simulate", "--env", "coat", "--real-dir", dir.to_str().unwrap(), "--json"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{tag}: {err}");
        assert!(err.contains(says), "{tag}: expected '{says}' in: {err}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
    }
}
