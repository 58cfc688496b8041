//! The native LLM client, end to end: `ialp run` distils through a real HTTP server on
//! 127.0.0.1 speaking each provider's protocol, survives rate limits, server errors,
//! hangs and nonsense, stops on a bad key, reruns from its cache with no key and no
//! call, and never writes the key anywhere.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::{FakeProvider, KEY};

const STATES: usize = 12;
const PER_REQUEST: usize = 3;
const REQUESTS: u64 = (STATES / PER_REQUEST) as u64;

fn config(provider: &str, base: &str, model: &str, seed: u64) -> Value {
    json!({
        "env": {"preset": "coat", "scale": 0.3},
        "methods": ["offline_a2c", "ialp"],
        "seed": seed, "eval_episodes": 8,
        "training": {"offline_episodes": 16, "online_episodes": 0, "eval_every": 16},
        "llm": {"provider": provider, "base_url": base, "model": model, "timeout_secs": 2.0,
                "max_retries": 3, "cases_per_request": PER_REQUEST, "max_concurrent": 2},
        "ialp": {"states": STATES, "candidates": 5, "reward_model": {"epochs": 4}}
    })
}

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("llm_native")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Run {
    code: i32,
    stderr: String,
    stdout: String,
    results: Value,
}

impl Run {
    /// A finished CLI process's exit code and output (no results file read).
    fn of(o: &std::process::Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            results: Value::Null,
        }
    }
}

fn run(out: &Path, cfg: &Value, key: Option<&str>, extra: &[&str]) -> Run {
    let cfg_path = out.join("config.json");
    std::fs::write(&cfg_path, cfg.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ialp"));
    cmd.args([
        "run",
        cfg_path.to_str().unwrap(),
        "--out",
        out.join("out").to_str().unwrap(),
        "--key-env",
        "IALP_TEST_LLM_KEY",
        // Confirms the spend (stdin is not a terminal); the tests that check the
        // confirmation use `run_plain`.
        "--yes",
    ])
    .args(extra);
    cmd.env_remove("IALP_TEST_LLM_KEY");
    if let Some(k) = key {
        cmd.env("IALP_TEST_LLM_KEY", k);
    }
    let o = cmd.output().unwrap();
    let results = std::fs::read_to_string(out.join("out/results.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    Run {
        code: o.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        results,
    }
}

/// `ialp run` with exactly these extra arguments and environment (no `--key-env` added).
fn run_plain(out: &Path, cfg: &Value, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let cfg_path = out.join("config.json");
    std::fs::write(&cfg_path, cfg.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ialp"));
    cmd.args([
        "run",
        cfg_path.to_str().unwrap(),
        "--out",
        out.join("out").to_str().unwrap(),
    ])
    .args(extra);
    for v in [
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "IALP_TEST_LLM_KEY",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    Run::of(&o)
}

#[test]
fn a_default_key_variable_is_never_sent_to_a_host_the_config_names() {
    let b = FakeProvider::start();
    let cfg = config("openai", &format!("{}/v1", b.base()), "ok", 31);
    let out = dir("default-key-other-host");
    let r = run_plain(&out, &cfg, &[("OPENAI_API_KEY", KEY)], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--key-env OPENAI_API_KEY"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{}", b.port)),
        "names the host: {}",
        r.stderr
    );
    assert!(!r.stderr.contains(KEY) && !r.stdout.contains(KEY));
    assert_eq!(b.log(), Vec::<Value>::new(), "B saw nothing");
    // Naming the variable is the explicit say-so.
    let r = run_plain(
        &out,
        &cfg,
        &[("OPENAI_API_KEY", KEY)],
        &["--key-env", "OPENAI_API_KEY", "--yes"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("LLM: openai"),
        "the estimate is printed: {}",
        r.stderr
    );
    assert!(!b.log().is_empty());
    assert!(b.log().iter().all(|e| e["key"] == KEY));
}

#[test]
fn a_redirect_is_not_followed_and_no_key_reaches_its_target() {
    let second = FakeProvider::start();
    for provider in ["openai", "anthropic", "gemini"] {
        let first = FakeProvider::start_redirecting_to(&second.base());
        let out = dir(&format!("redirect-{provider}"));
        let r = run(
            &out,
            &config(provider, &base_for(provider, &first), "redirect", 41),
            Some(KEY),
            &[],
        );
        assert_eq!(r.code, 1, "{provider}: {}", r.stderr);
        assert!(r.stderr.contains("redirect"), "{provider}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("127.0.0.1:{}", second.port)),
            "the target's origin is named: {}",
            r.stderr
        );
        let seen = first.log();
        assert!(
            !seen.is_empty() && seen.iter().all(|e| e["status"] == 307),
            "{seen:?}"
        );
        assert!(
            seen.len() <= 2,
            "{provider}: a redirect is fatal, nothing more is sent: {seen:?}"
        );
    }
    assert_eq!(
        second.log(),
        Vec::<Value>::new(),
        "the redirect's target never saw a request, let alone a key"
    );
}

fn base_for(provider: &str, server: &FakeProvider) -> String {
    if provider == "openai" {
        format!("{}/v1", server.base())
    } else {
        server.base()
    }
}

fn stats(r: &Run) -> &Value {
    &r.results["distillations"][0]["stats"]
}

/// Every file under `dir`, as text.
fn all_text(dir: &Path) -> String {
    let mut s = String::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            s += &all_text(&p);
        } else {
            s += &String::from_utf8_lossy(&std::fs::read(&p).unwrap());
        }
    }
    s
}

fn assert_completed(r: &Run, what: &str) {
    assert_eq!(r.code, 0, "{what}: exit {}\n{}", r.code, r.stderr);
    assert_eq!(r.results["complete"], true, "{what}");
    let s = stats(r);
    assert!(
        s["labels"].as_u64().unwrap() >= (STATES * 5 / 2) as u64,
        "{what}: too few labels {s}"
    );
    assert_eq!(s["failures"], 0, "{what}: {s}");
    let summary = r.results["summary"].as_array().unwrap();
    assert!(
        summary
            .iter()
            .any(|m| m["method"] == "ialp" && m["seeds"] == 1),
        "{what}: iALP evaluated"
    );
}

#[test]
fn every_provider_distils_through_the_server_and_survives_each_failure() {
    let server = FakeProvider::start();
    for (k, provider) in ["openai", "anthropic", "gemini"].into_iter().enumerate() {
        let base = base_for(provider, &server);
        // A different seed per provider: the server's "first request for a prompt" state
        // is shared between providers.
        let seed = 100 + k as u64;
        let ok = run(
            &dir(&format!("{provider}-ok")),
            &config(provider, &base, "ok", seed),
            Some(KEY),
            &[],
        );
        assert_completed(&ok, &format!("{provider} ok"));
        assert_eq!(
            stats(&ok)["calls"],
            REQUESTS,
            "{provider}: one call per request"
        );
        assert_eq!(stats(&ok)["retries"], 0);
        assert!(
            stats(&ok)["prompt_tokens"].as_u64().unwrap() > 0,
            "{provider}: usage is read"
        );
        // The fake's answers are a known function of (case, id): the labels are exact.
        assert_eq!(stats(&ok)["dropped"]["missing"], 0);

        for scenario in ["rate-limit", "rate-limit-ms", "server-error", "hang"] {
            let r = run(
                &dir(&format!("{provider}-{scenario}")),
                &config(provider, &base, scenario, seed),
                Some(KEY),
                &[],
            );
            assert_completed(&r, &format!("{provider} {scenario}"));
            assert_eq!(
                stats(&r)["retries"],
                REQUESTS,
                "{provider} {scenario}: each prompt failed once, then was retried: {}",
                stats(&r)
            );
        }
        let g = run(
            &dir(&format!("{provider}-garbage")),
            &config(provider, &base, "garbage", seed),
            Some(KEY),
            &[],
        );
        assert_completed(&g, &format!("{provider} garbage"));
        assert_eq!(
            stats(&g)["unparsable"],
            REQUESTS,
            "{provider}: each nonsense answer counted, then asked again"
        );
    }
    let hangs = &server.stats()["hang"]["by_status"];
    assert_eq!(
        hangs["hang"],
        3 * REQUESTS,
        "the server saw the hung requests: {hangs}"
    );
}

#[test]
fn a_bad_key_stops_plainly_and_keeps_what_finished() {
    let server = FakeProvider::start();
    let secret = "sk-this-is-the-wrong-key-0123456789";
    for provider in ["openai", "anthropic", "gemini"] {
        let out = dir(&format!("badkey-{provider}"));
        let r = run(
            &out,
            &config(provider, &base_for(provider, &server), "ok", 7),
            Some(secret),
            &[],
        );
        assert_eq!(r.code, 1, "{provider}: {}", r.stderr);
        assert!(
            r.stderr.contains("refused the API key"),
            "{provider}: {}",
            r.stderr
        );
        assert!(r.results["halted"]
            .as_str()
            .unwrap()
            .contains("refused the API key"));
        // Offline A2C ran before iALP and is kept.
        assert!(r.results["runs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["method"] == "offline_a2c" && m["finished"] == true));
        // Nothing is sent after the first refusal (2 in flight at once).
        assert!(stats_total(&server, "ok") <= 2 * 3, "{provider}");
        for piece in [secret, &secret[3..15]] {
            assert!(
                !r.stderr.contains(piece) && !r.stdout.contains(piece),
                "{provider}: the key leaked into the output"
            );
            assert!(
                !all_text(&out).contains(piece),
                "{provider}: the key leaked into a file"
            );
        }
    }
}

fn stats_total(server: &FakeProvider, scenario: &str) -> u64 {
    server.stats()[scenario]["by_status"]["401"]
        .as_u64()
        .unwrap_or(0)
        + server.stats()[scenario]["by_status"]["400"]
            .as_u64()
            .unwrap_or(0)
}

#[test]
fn a_rerun_from_the_cache_needs_no_key_and_makes_no_call() {
    let server = FakeProvider::start();
    let base = base_for("openai", &server);
    let cfg = config("openai", &base, "ok", 11);
    let first_dir = dir("cache-first");
    let cache = first_dir.join("cache.json");
    let first = run(
        &first_dir,
        &cfg,
        Some(KEY),
        &["--llm-cache", cache.to_str().unwrap()],
    );
    assert_completed(&first, "first run");
    let calls_before = server.stats()["total"].as_u64().unwrap();
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(!text.contains(KEY), "the cache holds no key");

    let second = run(
        &dir("cache-second"),
        &cfg,
        None,
        &["--llm-cache", cache.to_str().unwrap()],
    );
    assert_completed(&second, "rerun");
    assert_eq!(stats(&second)["calls"], 0);
    assert_eq!(stats(&second)["cache_hits"], REQUESTS);
    assert_eq!(
        server.stats()["total"].as_u64().unwrap(),
        calls_before,
        "no request reached the server"
    );
    assert_eq!(
        first.results["summary"], second.results["summary"],
        "same answers, same numbers"
    );

    // A broken cache file is refused before anything runs.
    std::fs::write(&cache, "{not json").unwrap();
    let bad = run(
        &dir("cache-bad"),
        &cfg,
        Some(KEY),
        &["--llm-cache", cache.to_str().unwrap()],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not an LLM cache"), "{}", bad.stderr);
}

#[test]
fn unrecoverable_answers_stop_with_a_clear_reason() {
    let server = FakeProvider::start();
    let base = base_for("openai", &server);
    let r = run(
        &dir("garbage-body"),
        &config("openai", &base, "garbage-body", 3),
        Some(KEY),
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not the provider's JSON"), "{}", r.stderr);
    assert!(r.results["halted"]
        .as_str()
        .unwrap()
        .contains("no usable rating"));
    let mut cfg = config("openai", &base, "always-500", 3);
    cfg["llm"]["max_retries"] = json!(1);
    let r = run(&dir("always-500"), &cfg, Some(KEY), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(stats(&r)["failures"], REQUESTS);
    assert_eq!(stats(&r)["calls"], 2 * REQUESTS, "one retry each, bounded");
    // A remote provider without a key (and not on localhost) is refused up front.
    let cfg = config("anthropic", "https://api.anthropic.com", "ok", 3);
    let r = run(&dir("no-key"), &cfg, None, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("IALP_TEST_LLM_KEY"), "{}", r.stderr);
}

#[test]
fn the_call_cap_is_honoured_and_reported() {
    let server = FakeProvider::start();
    let mut cfg = config("openai", &base_for("openai", &server), "ok", 5);
    cfg["llm"]["max_calls"] = json!(2);
    let r = run(&dir("cap"), &cfg, Some(KEY), &[]);
    assert_completed(&r, "capped");
    assert_eq!(stats(&r)["requests"], 2);
    assert_eq!(server.stats()["total"], 2);
    assert_eq!(
        r.results["distillations"][0]["labelled_states"],
        2 * PER_REQUEST as u64
    );
}

#[test]
fn a_key_bound_to_an_origin_goes_there_only() {
    let a = FakeProvider::start();
    let b = FakeProvider::start();
    let cfg = config("openai", &format!("{}/v1", a.base()), "ok", 51);
    let out = dir("key-env-origin");
    let bound = format!("IALP_TEST_LLM_KEY@{}", b.base());
    let r = run_plain(
        &out,
        &cfg,
        &[("IALP_TEST_LLM_KEY", KEY)],
        &["--key-env", &bound, "--yes"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&a.base()) && r.stderr.contains(&b.base()),
        "names both origins: {}",
        r.stderr
    );
    assert_eq!(a.log(), Vec::<Value>::new(), "A saw nothing");
    assert_eq!(b.log(), Vec::<Value>::new(), "B saw nothing");
    // Bound to the run's own origin: sent there.
    let bound = format!("IALP_TEST_LLM_KEY@{}", a.base());
    let r = run_plain(
        &out,
        &cfg,
        &[("IALP_TEST_LLM_KEY", KEY)],
        &["--key-env", &bound, "--yes"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!a.log().is_empty() && a.log().iter().all(|e| e["key"] == KEY));
}

/// `ialp sweep GRID --out DIR` with these arguments and the key in the environment.
fn sweep(out: &Path, grid: &Value, extra: &[&str]) -> Run {
    let grid_path = out.join("grid-in.json");
    std::fs::write(&grid_path, grid.to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args(["sweep", grid_path.to_str().unwrap(), "--out"])
        .arg(out.join("sweep"))
        .args(extra)
        .env("IALP_TEST_LLM_KEY", KEY)
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    Run::of(&o)
}

#[test]
fn a_grid_naming_two_hosts_gets_no_key_unless_one_is_named() {
    let a = FakeProvider::start();
    let b = FakeProvider::start();
    let grid = json!({
        "config": config("openai", &format!("{}/v1", a.base()), "ok", 61),
        "axes": [{"path": "llm.base_url", "values": [format!("{}/v1", a.base()), format!("{}/v1", b.base())]}],
        "seeds": [61]
    });
    // A plain --key-env would approve both hosts: refused, for the run and the script.
    for extra in [&["--yes"][..], &["--emit", "tasks", "--yes"][..]] {
        let out = dir("sweep-two-origins");
        let r = sweep(&out, &grid, &[&["--key-env", "IALP_TEST_LLM_KEY"][..], extra].concat());
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("2 origins"), "{}", r.stderr);
        assert!(!out.join("sweep/tasks.txt").exists());
    }
    // Bound to A: the run naming B is refused before anything runs, naming both.
    let out = dir("sweep-bound");
    let bound = format!("IALP_TEST_LLM_KEY@{}", a.base());
    let r = sweep(&out, &grid, &["--key-env", &bound, "--yes"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&a.base()) && r.stderr.contains(&b.base()),
        "{}",
        r.stderr
    );
    assert_eq!(a.log(), Vec::<Value>::new());
    assert_eq!(b.log(), Vec::<Value>::new());
    // One host: the job script carries the key's binding to it (and the confirmation).
    let one = json!({
        "config": config("openai", &format!("{}/v1", a.base()), "ok", 61),
        "axes": [{"path": "llm.temperature", "values": [0.0, 0.5]}],
        "seeds": [61]
    });
    let out = dir("sweep-emit-bound");
    let r = sweep(&out, &one, &["--key-env", "IALP_TEST_LLM_KEY", "--emit", "tasks", "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tasks = std::fs::read_to_string(out.join("sweep/tasks.txt")).unwrap();
    assert!(
        tasks.contains(&format!("IALP_TEST_LLM_KEY@{}", a.base())) && tasks.contains("--yes"),
        "{tasks}"
    );
    assert!(!tasks.contains(KEY));
    // Without --yes there is no one to ask: the script is not written.
    let out = dir("sweep-emit-unconfirmed");
    let r = sweep(&out, &one, &["--key-env", "IALP_TEST_LLM_KEY", "--emit", "tasks"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--yes"), "{}", r.stderr);
    assert!(!out.join("sweep/tasks.txt").exists());
}

#[test]
fn a_paid_run_asks_first_and_honours_max_cost() {
    let server = FakeProvider::start();
    let base = format!("{}/v1", server.base());
    let env = [("IALP_TEST_LLM_KEY", KEY)];
    let flag = ["--key-env", "IALP_TEST_LLM_KEY"];
    let out = dir("confirm");
    // No terminal to ask and no --yes: refused, saying what to pass.
    let cfg = config("openai", &base, "gpt-4o-mini", 71);
    let r = run_plain(&out, &cfg, &env, &flag);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("pass --yes"), "{}", r.stderr);
    assert!(r.stderr.contains("Worst case"), "the estimate is shown: {}", r.stderr);
    // A worst case above --max-cost is refused, even with --yes.
    let r = run_plain(&out, &cfg, &env, &[&flag[..], &["--yes", "--max-cost", "0.000001"]].concat());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("more than --max-cost"), "{}", r.stderr);
    // A model whose price is unknown cannot be held to a cap.
    let r = run_plain(
        &out,
        &config("openai", &base, "ok", 71),
        &env,
        &[&flag[..], &["--yes", "--max-cost", "100"]].concat(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not known"), "{}", r.stderr);
    assert_eq!(server.log(), Vec::<Value>::new(), "nothing was sent");
    let r = run_plain(&out, &cfg, &env, &[&flag[..], &["--yes", "--max-cost", "1000"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!server.log().is_empty());
}

#[test]
fn answers_from_another_host_are_not_replayed() {
    let a = FakeProvider::start();
    let b = FakeProvider::start();
    let out = dir("cache-other-host");
    let cache = out.join("cache.json");
    let cache_flag = ["--llm-cache", cache.to_str().unwrap()];
    let first = run(&out, &config("openai", &base_for("openai", &a), "ok", 81), Some(KEY), &cache_flag);
    assert_completed(&first, "from A");
    let second = run(&out, &config("openai", &base_for("openai", &b), "ok", 81), Some(KEY), &cache_flag);
    assert_completed(&second, "from B");
    assert_eq!(stats(&second)["cache_hits"], 0, "A's answers are not B's");
    assert_eq!(b.stats()["total"], REQUESTS);
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(text.contains(&a.base()) && text.contains(&b.base()), "each answer names its host");
}

#[test]
fn a_key_is_never_sent_over_plain_http_to_another_machine() {
    let out = dir("plain-http");
    let cfg = config("openai", "http://llm.invalid/v1", "ok", 91);
    let r = run(&out, &cfg, Some(KEY), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("http://llm.invalid") && r.stderr.contains("unencrypted"),
        "{}",
        r.stderr
    );
}
