//! The browser benchmark: the same work as `benches/core.rs`, timed in headless
//! Chromium with `performance.now()`. It asserts nothing about speed (timing belongs in
//! benchmarks, not tests); `scripts/bench.sh` runs it with `--nocapture` and reads the
//! printed lines.
#![cfg(target_arch = "wasm32")]

use ialp::bench_work::{a2c_update_setup_for, env_steps_setup, COAT_ITEMS, KUAIREC_ITEMS};
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
    for (name, items, n) in [("coat", COAT_ITEMS, 60), ("kuairec", KUAIREC_ITEMS, 12)] {
        let (mut net, batch) = a2c_update_setup_for(items);
        for _ in 0..3 {
            net.update(&batch); // warm-up
        }
        let t0 = now();
        for _ in 0..n {
            net.update(&batch);
        }
        let per_s = n as f64 / ((now() - t0) / 1000.0);
        console_log!("BENCH wasm a2c_update_{name}_per_s {per_s:.2}");
    }

    // The head's product alone: [1024, 64] · [64, 300].
    let (m, k, n) = (1024usize, 64usize, 300usize);
    let a: Vec<f32> = (0..m * k).map(|i| (i % 17) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 13) as f32 * 0.1).collect();
    let mut c = vec![0.0f32; m * n];
    let t0 = now();
    for _ in 0..50 {
        ialp::nn::kernels::gemm(m, n, k, &a, k, 1, &b, n, &mut c, n, false);
    }
    let ms = (now() - t0) / 50.0;
    console_log!(
        "BENCH wasm gemm_1024x64x300_gflops {:.2}",
        2.0 * (m * n * k) as f64 / ms / 1e6
    );

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
