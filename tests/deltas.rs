//! Snapshots as changes (issue 17): streaming a run's results as a first whole snapshot
//! and then only what changed, and applying each change to the previous copy, gives the
//! worker's results exactly at every snapshot (compared as JSON), through a resume too;
//! a change with nothing to apply it to is refused.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use ialp::experiment::delta::{Deltas, ResultsChange};
use ialp::experiment::{build_world, Experiment, ExperimentConfig, Results};

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

/// Sends a snapshot every `every` units of work, as the worker does, and checks the
/// page's copy against the worker's results each time. Returns the number of snapshots
/// and how many bytes of runs the changes carried against whole snapshots.
fn stream(sim: &mut Experiment, every: usize) -> (usize, usize, usize) {
    let mut deltas = Deltas::default();
    let mut page: Option<Results> = None;
    let (mut n, mut sent, mut whole) = (0, 0, 0);
    loop {
        let now = sim.results();
        let change = deltas.change(&now);
        sent += json(&change).len();
        whole += json(&now).len();
        // Through JSON, as any wire format would carry it.
        let change: ResultsChange = serde_json::from_str(&json(&change)).unwrap();
        change.apply_to(&mut page).unwrap();
        assert_eq!(json(page.as_ref().unwrap()), json(&now), "snapshot {n}");
        n += 1;
        if sim.is_finished() {
            return (n, sent, whole);
        }
        sim.advance(every);
    }
}

fn config() -> ialp::experiment::ValidConfig {
    ExperimentConfig::from_json(
        r#"{"env":{"preset":"coat","scale":0.2},"seed":5,"seeds":2,"eval_episodes":6,
            "methods":["random","popular","offline_a2c","online_a2c","ialp","a_ialp_ap"],
            "training":{"offline_episodes":24,"online_episodes":24,"eval_every":8},
            "llm":{"provider":"heuristic"},"ialp":{"states":12},"a2c":{"hidden":8,"episodes_per_update":4}}"#,
    )
    .unwrap()
}

#[test]
fn changes_applied_in_order_give_the_workers_results_at_every_snapshot() {
    let c = config();
    for every in [7, 64] {
        let mut sim = Experiment::new(c.clone(), Arc::new(build_world(&c, None).unwrap()));
        let (n, sent, whole) = stream(&mut sim, every);
        assert!(n > 5, "{n} snapshots");
        assert!(sent < whole, "changes ({sent} B) carry less than whole snapshots ({whole} B)");
    }
}

#[test]
fn a_resumed_run_streams_from_a_whole_snapshot_too() {
    let c = config();
    let mut sim = Experiment::new(c.clone(), Arc::new(build_world(&c, None).unwrap()));
    while sim.jobs_done() < 5 {
        sim.advance(16);
    }
    let mut again = Experiment::resume(c.clone(), Arc::new(build_world(&c, None).unwrap()), sim.checkpoint()).unwrap();
    stream(&mut again, 16);
}

#[test]
fn a_change_with_nothing_to_apply_it_to_is_refused() {
    let c = config();
    let mut sim = Experiment::new(c.clone(), Arc::new(build_world(&c, None).unwrap()));
    let mut deltas = Deltas::default();
    let first = deltas.change(&sim.results());
    sim.advance(200);
    let second = deltas.change(&sim.results());
    assert!(matches!(first, ResultsChange::Whole(_)));
    assert!(matches!(second, ResultsChange::Since(_)));
    assert!(second.clone().apply_to(&mut None).is_err(), "no copy to apply to");
    // Applied to an older copy with fewer records than it starts from.
    let mut empty = sim.results();
    empty.runs.clear();
    while sim.jobs_done() < 3 {
        sim.advance(64);
    }
    let third = deltas.change(&sim.results());
    let ResultsChange::Since(d) = &third else { panic!("a change, not a whole snapshot") };
    assert!(d.runs_from > 0, "finished records are not sent again");
    let mut older = Some(empty.clone());
    assert!(third.apply_to(&mut older).is_err());
    assert_eq!(older, Some(empty), "a change that does not fit leaves the copy as it was");
}
