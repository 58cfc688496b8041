//! The cost model's memory estimate is an upper bound of what a run really holds: small
//! configs drawn at random (and two presets cut short) are checked, built and run to the
//! end under a counting allocator, and the peak of live bytes is compared with
//! `cost::estimate`. Every config the check accepts is also within the budget it
//! documents. One test in this file: the allocator's counter is process-wide.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use ialp::experiment::cost::{estimate, MEMORY_BUDGET, WORK_BUDGET};
use ialp::experiment::presets::PRESETS;
use ialp::experiment::{build_world, Experiment, ExperimentConfig};
use ialp::methods::Method;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[path = "common/counting.rs"]
mod counting;
use counting::{LIVE, PEAK};

#[global_allocator]
static COUNTING: counting::Counting = counting::Counting;

/// Runs `c` to the end; returns (peak live bytes above the start, the estimate).
fn measure(c: &ExperimentConfig) -> (usize, u64) {
    let valid = c.clone().check().expect("accepted");
    let est = estimate(c).memory_bytes;
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    {
        let world = Arc::new(build_world(&valid, None).expect("a synthetic world"));
        let mut sim = Experiment::new(valid, world);
        sim.run();
        assert!(sim.is_finished());
    }
    (PEAK.load(Relaxed) - base, est)
}

fn small_config() -> impl Strategy<Value = ExperimentConfig> {
    let methods = proptest::sample::subsequence(
        vec![Method::Random, Method::Popular, Method::OfflineA2c, Method::OnlineA2c, Method::Ialp, Method::AIalpFt, Method::AIalpAp],
        1..=4,
    );
    (
        0usize..3,
        0.02f64..0.3,
        methods,
        1usize..=3,
        0usize..=60,
        1usize..=40,
        1usize..=30,
        prop_oneof![Just(16usize), Just(32), Just(64)],
        1usize..=16,
        any::<bool>(),
        0u64..1000,
    )
        .prop_map(|(preset, scale, methods, seeds, episodes, eval_every, eval_episodes, hidden, per_update, prior, seed)| {
            let preset = ["coat", "kuairec", "movielens"][preset];
            let mut methods = methods;
            // A-iALP deploys iALP's policy: keep the list valid.
            if methods.iter().any(|m| matches!(m, Method::AIalpFt | Method::AIalpAp)) && !methods.contains(&Method::Ialp) {
                methods.insert(0, Method::Ialp);
            }
            let json = serde_json::json!({
                "env": { "preset": preset, "scale": scale },
                "methods": methods,
                "seeds": seeds,
                "seed": seed,
                "eval_episodes": eval_episodes,
                "training": { "offline_episodes": episodes, "online_episodes": episodes, "eval_every": eval_every },
                "a2c": { "hidden": hidden, "episodes_per_update": per_update },
                "state": { "prior": if prior { 5.0 } else { 0.0 } },
                "ialp": { "states": 8, "reward_model": { "epochs": 5 } },
            });
            serde_json::from_value(json).expect("a config")
        })
}

#[test]
fn the_memory_estimate_bounds_what_runs_hold_and_accepted_configs_fit_the_budgets() {
    // Two presets, their episodes cut short (the world, networks and batches are theirs).
    for name in ["paper-kuairec", "paper-coat"] {
        let p = PRESETS.iter().find(|p| p.name == name).unwrap();
        let mut c: ExperimentConfig = serde_json::from_str(p.json).unwrap();
        c.seeds = 2;
        c.training.offline_episodes = 40;
        c.training.online_episodes = 40;
        c.training.eval_every = 20;
        c.eval_episodes = 10;
        let (peak, est) = measure(&c);
        eprintln!("{name}: peak {peak} bytes, estimate {est}");
        assert!(peak as u64 <= est, "{name}: measured {peak} > estimated {est}");
    }
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&small_config(), |c| {
            let cost = estimate(&c);
            match c.clone().check() {
                Ok(_) => {
                    prop_assert!(cost.memory_bytes <= MEMORY_BUDGET && cost.work <= WORK_BUDGET);
                    let (peak, est) = measure(&c);
                    prop_assert!(peak as u64 <= est, "measured {} > estimated {} for {:?}", peak, est, c);
                }
                Err(e) => prop_assert!(false, "a small config was refused: {}", e),
            }
            Ok(())
        })
        .unwrap();
}
