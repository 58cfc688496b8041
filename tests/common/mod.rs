//! Shared by the native tests and the browser (wasm) tests: the golden cases, whose
//! digests are stored in `tests/golden/digests.txt` and must come out the same natively
//! and in wasm.
#![allow(dead_code)]

use std::sync::Arc;

use ialp::env::real::coat::CoatFiles;
use ialp::experiment::{build_world, Experiment, ExperimentConfig};

/// (name, config JSON). A few hundred episodes each: every method but `imported` (it
/// needs a policy file: tests/policy_file.rs), every world, both quit windows, the state
/// options, and both no-key LLM stand-ins.
pub const DIGEST_CASES: &[(&str, &str)] = &[
    (
        "coat-synthetic-fb",
        r#"{"env":{"preset":"coat","mode":"fb"},"policies":["random","popular"],"episodes":300,"seed":7}"#,
    ),
    (
        "kuairec-synthetic-nx0",
        r#"{"env":{"preset":"kuairec","mode":"nx0","scale":0.1},"policies":["random","popular"],"episodes":300,"seed":11}"#,
    ),
    (
        "movielens-synthetic-nx10",
        r#"{"env":{"preset":"movielens","mode":"nx10","scale":0.05},"policies":["random"],"episodes":200,"seed":3}"#,
    ),
    (
        "coat-real-nx0-peer",
        r#"{"env":{"preset":"coat","data":"real","mode":"nx0","leave_n":3,"leave_tau":10,"window":"peer_compatible"},"policies":["random","popular"],"episodes":300,"seed":5}"#,
    ),
    // Every method, learning included (burn's A2C): the page and the CLI must agree.
    // A longer A2C run on real data: hundreds of updates on batches of ~100 states.
    (
        "coat-real-online-a2c-long",
        r#"{"env":{"preset":"coat","data":"real","mode":"nx0"},"methods":["online_a2c"],"eval_episodes":100,"seed":3,"training":{"online_episodes":1600,"eval_every":400}}"#,
    ),
    (
        "coat-synthetic-all-methods",
        r#"{"env":{"preset":"coat","mode":"nx0","scale":0.3},"methods":["random","popular","greedy","epsilon_greedy","ucb","offline_a2c","dorl_a2c","online_a2c"],"eval_episodes":40,"seed":9,"seeds":2,"training":{"offline_episodes":96,"online_episodes":64,"eval_every":32},"a2c":{"episodes_per_update":16}}"#,
    ),
    // iALP end to end: distillation by each no-key stand-in, R_φ, pre-training.
    (
        "coat-real-ialp-heuristic",
        r#"{"env":{"preset":"coat","data":"real","mode":"nx0"},"methods":["ialp"],"eval_episodes":50,"seed":4,"training":{"offline_episodes":160,"eval_every":80},"ialp":{"states":60,"reward_model":{"epochs":20}}}"#,
    ),
    (
        "kuairec-synthetic-ialp-oracle",
        r#"{"env":{"preset":"kuairec","mode":"nx0","scale":0.1},"methods":["ialp"],"eval_episodes":30,"seed":8,"training":{"offline_episodes":64,"eval_every":32},"llm":{"provider":"oracle","oracle_noise":1.0},"ialp":{"states":40,"mix_logged":true,"reward_model":{"epochs":10}}}"#,
    ),
    // iALP and both A-iALPs on one run: deployment, fine-tuning, the anchor, the detector
    // and exploration among R_φ's favourites; the peers' window and the logit prior.
    (
        "coat-synthetic-aialp-peer-prior",
        r#"{"env":{"preset":"coat","mode":"nx0","scale":0.3,"window":"peer_compatible"},"methods":["popular","ialp","a_ialp_ft","a_ialp_ap"],"eval_episodes":30,"seed":12,"state":{"prior":5.0},"training":{"offline_episodes":64,"online_episodes":96,"eval_every":32},"a2c":{"episodes_per_update":16},"ialp":{"states":30,"reward_model":{"epochs":8}},"adapt":{"window":10,"check_every":5,"patience":1,"margin":0.05}}"#,
    ),
    // The A2C learners on MovieLens's shape with the attribute and histogram states.
    (
        "movielens-synthetic-a2c-attributes",
        r#"{"env":{"preset":"movielens","mode":"nx10","scale":0.05},"methods":["greedy","offline_a2c","dorl_a2c","online_a2c"],"eval_episodes":30,"seed":21,"state":{"attributes":true,"histogram":true},"training":{"offline_episodes":64,"online_episodes":64,"eval_every":32},"a2c":{"episodes_per_update":16}}"#,
    ),
    // The no-LLM twins of A-iALP: Offline A2C's policy deployed, fine-tuned and adapted.
    (
        "coat-synthetic-twins",
        r#"{"env":{"preset":"coat","mode":"nx0","scale":0.3},"methods":["offline_a2c","offline_a2c_ft","offline_a2c_ap"],"eval_episodes":30,"seed":13,"training":{"offline_episodes":64,"online_episodes":96,"eval_every":32},"a2c":{"episodes_per_update":16},"adapt":{"window":10,"check_every":5,"patience":1,"margin":0.05}}"#,
    ),
];

/// Runs a case to the end and returns the digest of its numbers (the results without
/// their config: see `Results::numbers_digest`).
pub fn digest_of(config_json: &str, real: Option<&CoatFiles>) -> String {
    let config = ExperimentConfig::from_json(config_json).expect("valid case");
    let loaded = real.map(|f| f.load().expect("real files load"));
    let world = build_world(&config, loaded.as_ref()).expect("world");
    let mut exp = Experiment::new(config, Arc::new(world));
    exp.run();
    exp.results().numbers_digest()
}

/// The stored golden digests: `tests/golden/digests.txt`, as (name, digest).
pub const GOLDEN: &str = include_str!("../golden/digests.txt");

pub fn golden() -> Vec<(&'static str, &'static str)> {
    GOLDEN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .collect()
}

/// The real Coat files as (name, text), from `../shared/data/coat` (never copied into
/// the repository).
#[cfg(not(target_arch = "wasm32"))]
pub fn real_coat_texts() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/coat");
    ialp::env::real::coat::CoatFile::ALL
        .iter()
        .map(|f| {
            let p = dir.join(f.file_name());
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (tests read the real data from ../shared)",
                    p.display()
                )
            });
            (f.file_name().to_string(), text)
        })
        .collect()
}

pub fn coat_files(texts: &[(String, String)]) -> CoatFiles {
    let mut files = CoatFiles::new();
    for (name, text) in texts {
        files.add(name, text.clone());
    }
    files
}
