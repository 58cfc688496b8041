//! Native benchmarks of the hot paths (numbers go to BENCHMARKS.md; `scripts/bench.sh`).
//! The browser benchmark (`tests/web_bench.rs`) times the same work in headless Chromium.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ialp::bench_work::{a2c_update_setup_for, env_steps_setup, COAT_ITEMS, KUAIREC_ITEMS};

fn a2c_update(c: &mut Criterion) {
    let mut g = c.benchmark_group("a2c");
    g.throughput(Throughput::Elements(1));
    for (name, items) in [
        ("update_coat_33x64x64x300_batch1024", COAT_ITEMS),
        ("update_kuairec_33x64x64x3327_batch1024", KUAIREC_ITEMS),
    ] {
        let (mut net, batch) = a2c_update_setup_for(items);
        g.bench_function(name, |b| b.iter(|| net.update(&batch)));
    }
    g.finish();
}

fn env_steps(c: &mut Criterion) {
    let (env, users) = env_steps_setup();
    let env = Arc::new(env);
    let mut g = c.benchmark_group("env");
    let mut rng = ialp::rng::stream(1, ialp::rng::Stream::Policy, 0);
    let steps: usize = ialp::policy::rollout(
        &env,
        &mut ialp::policy::RandomPolicy,
        &users,
        &mut rng,
        false,
    )
    .iter()
    .map(|e| e.len())
    .sum();
    g.throughput(Throughput::Elements(steps as u64));
    g.bench_function("random_policy_coat_fb_steps", |b| {
        b.iter(|| {
            ialp::policy::rollout(
                &env,
                &mut ialp::policy::RandomPolicy,
                &users,
                &mut rng,
                false,
            )
        })
    });
    g.finish();
}

/// The LLM answer parser on pathological input at three sizes each (issue 16): time
/// should grow linearly with the length (it was quadratic, cubic in its repair).
fn parse_pathological(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_answer");
    g.sample_size(20);
    let expected = vec![vec![1, 2, 3]];
    for n in [50_000usize, 100_000, 200_000] {
        let open = "[".repeat(n);
        g.throughput(Throughput::Bytes(open.len() as u64));
        g.bench_function(format!("open_brackets_{n}"), |b| {
            b.iter(|| ialp::llm::parse::parse_answer(&open, &expected))
        });
    }
    for n in [12_500usize, 25_000, 50_000] {
        let list = "[1,".repeat(n);
        g.throughput(Throughput::Bytes(list.len() as u64));
        g.bench_function(format!("unclosed_lists_{n}"), |b| {
            b.iter(|| ialp::llm::parse::parse_answer(&list, &expected))
        });
    }
    g.finish();
}

criterion_group!(benches, a2c_update, env_steps, parse_pathological);
criterion_main!(benches);
