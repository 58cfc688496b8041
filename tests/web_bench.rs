//! The browser benchmark: the same work as `benches/core.rs`, timed in headless
//! Chromium with `performance.now()`. It asserts nothing about speed (timing belongs in
//! benchmarks, not tests); `scripts/bench.sh` runs it with `--nocapture` and reads the
//! printed lines.
#![cfg(target_arch = "wasm32")]

use ialp::bench_work::{a2c_update_setup, env_steps_setup};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

#[wasm_bindgen_test]
fn bench_a2c_update_and_env_steps() {
    let (mut net, batch) = a2c_update_setup();
    for _ in 0..5 {
        net.update(&batch); // warm-up
    }
    let n = 40;
    let t0 = now();
    for _ in 0..n {
        net.update(&batch);
    }
    let per_s = n as f64 / ((now() - t0) / 1000.0);
    console_log!("BENCH wasm a2c_update_per_s {per_s:.2}");

    let (env, users) = env_steps_setup();
    let mut rng = ialp::rng::stream(1, ialp::rng::Stream::Policy, 0);
    let mut steps = 0usize;
    let t0 = now();
    while now() - t0 < 2000.0 {
        steps += ialp::policy::rollout(
            &env,
            &mut ialp::policy::RandomPolicy,
            &users,
            &mut rng,
            false,
        )
        .iter()
        .map(|e| e.len())
        .sum::<usize>();
    }
    let per_s = steps as f64 / ((now() - t0) / 1000.0);
    console_log!("BENCH wasm env_steps_per_s {per_s:.0}");
}
