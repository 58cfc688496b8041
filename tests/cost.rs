//! The cost model (src/experiment/cost.rs): every preset fits the page's budgets, the
//! configs issue 16 names are refused with the limit named.

use ialp::experiment::cost::{estimate, MEMORY_BUDGET, WORK_BUDGET};
use ialp::experiment::presets::PRESETS;
use ialp::experiment::ExperimentConfig;

#[test]
fn every_preset_fits_the_budgets() {
    for p in &PRESETS {
        let c: ExperimentConfig = serde_json::from_str(p.json).unwrap();
        let cost = estimate(&c);
        eprintln!("{:24} {:>6} MB {:10.3e} MAC ({:.4} of the budget) {:10.3e} steps", p.name, cost.memory_bytes / 1_000_000, cost.work, cost.work / WORK_BUDGET, cost.steps);
        assert!(cost.memory_bytes <= MEMORY_BUDGET && cost.work <= WORK_BUDGET, "{}: {cost:?}", p.name);
    }
}

fn refused(c: ExperimentConfig) -> String {
    c.check().expect_err("over a limit").to_string()
}

#[test]
fn a_million_seeds_are_refused_with_the_limit() {
    let mut c = ExperimentConfig::default();
    c.seeds = 1_000_000;
    assert_eq!(refused(c), "seeds: must be between 1 and 100, got 1000000");
}

#[test]
fn movielens_at_scale_2_with_100_seeds_is_refused_by_its_memory() {
    let mut c = ExperimentConfig::default();
    c.env.preset = ialp::env::Preset::MovieLens;
    c.env.scale = Some(2.0);
    c.seeds = 100;
    let e = refused(c.clone());
    assert!(e.starts_with("budget: the run would hold about "), "{e}");
    assert!(e.contains("the 2.0 GB the page can give it (a 12080 × 7412 world)"), "{e}");
    // One seed of the same world fits.
    c.seeds = 1;
    c.check().expect("one seed of MovieLens at scale 2 fits");
}

#[test]
fn an_evaluation_every_episode_of_a_million_is_refused_by_its_work() {
    let mut c = ExperimentConfig::default();
    c.training.offline_episodes = 1_000_000;
    c.training.eval_every = 1;
    let e = refused(c);
    assert!(e.starts_with("budget: the run would take about "), "{e}");
    assert!(e.contains("the 1e14 multiply-adds the page allows"), "{e}");
}

#[test]
fn a_link_asking_for_1e12_episodes_is_refused_with_the_limit() {
    let l = ialp::experiment::share::from_fragment("v=1&training.offline_episodes=1e12&autorun=1");
    assert_eq!(l.config.raw().training.offline_episodes, ExperimentConfig::default().training.offline_episodes);
    let p = l.problems.iter().find(|p| p.key == "training.offline_episodes").expect("named");
    assert!(p.problem.contains("must be between 0 and 1000000, got 1e12"), "{}", p.problem);
    // A huge link is read up to its limit, and says so.
    let huge = format!("v=1&{}", "seeds=2&".repeat(100_000));
    let l = ialp::experiment::share::from_fragment(&huge);
    assert_eq!(l.config.seeds(), 2);
    assert!(l.problems.iter().any(|p| p.key == "(link)" && p.problem.contains("16384 characters")));
}
