//! The spend estimate shown before a remote run (src/ialp/budget.rs) against the real
//! prompts the runner would send: within 25 % of their size on every world, and the
//! request count exact. No network: the prompts are taken from the runner, not sent.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Arc;

use ialp::experiment::{build_world, Experiment, ExperimentConfig};
use ialp::ialp::Estimate;

fn prompts(config: &str, real: bool) -> (ExperimentConfig, Vec<String>) {
    let valid = ExperimentConfig::from_json(config).unwrap();
    let loaded = real.then(|| common::coat_files(&common::real_coat_texts()).load().unwrap());
    let world = Arc::new(build_world(&valid, loaded.as_ref()).unwrap());
    let mut exp = Experiment::new(valid.clone(), world);
    while !exp.waiting_for_llm() {
        exp.advance(1_000);
        assert!(!exp.is_finished(), "the run never asked for ratings");
    }
    let tickets = exp.take_llm_requests(10_000);
    (
        valid.raw().clone(),
        tickets.into_iter().map(|t| t.request.prompt).collect(),
    )
}

#[test]
fn the_estimate_matches_the_prompts_that_would_be_sent() {
    for (name, json, real) in [
        (
            "coat",
            r#"{"seed":1,"eval_episodes":5,"env":{"preset":"coat"},"methods":["ialp"],"ialp":{"states":60},"llm":{"provider":"openai"}}"#,
            false,
        ),
        (
            "coat-real",
            r#"{"seed":1,"eval_episodes":5,"env":{"preset":"coat","data":"real"},"methods":["ialp"],"ialp":{"states":60},"llm":{"provider":"openai"}}"#,
            true,
        ),
        (
            // A link's template may repeat the cases (up to 4 times): each copy counts.
            "coat-4-copies",
            r#"{"seed":1,"eval_episodes":5,"env":{"preset":"coat"},"methods":["ialp"],"ialp":{"states":60},"llm":{"provider":"openai","template":"Rate ({domain}): {cases}\n{cases}\n{cases}\n{cases}"}}"#,
            false,
        ),
        (
            "kuairec",
            r#"{"seed":1,"eval_episodes":5,"env":{"preset":"kuairec","scale":0.1},"methods":["ialp"],"ialp":{"states":60,"candidates":15},"llm":{"provider":"anthropic","cases_per_request":3}}"#,
            false,
        ),
        (
            "movielens",
            r#"{"seed":1,"eval_episodes":5,"env":{"preset":"movielens","scale":0.05},"methods":["ialp"],"ialp":{"states":60,"history":5},"llm":{"provider":"gemini","cases_per_request":6}}"#,
            false,
        ),
    ] {
        let (raw, prompts) = prompts(json, real);
        let e = Estimate::of(&raw.llm, &raw.ialp, raw.env.preset, 1);
        assert_eq!(e.planned_per_seed, prompts.len(), "{name}: requests");
        let chars: usize = prompts.iter().map(|p| p.chars().count()).sum();
        let estimated = e.prompt_tokens as f64 * 4.0;
        let ratio = estimated / chars as f64;
        println!(
            "{name}: {} prompts, {chars} chars, estimate {estimated:.0} ({ratio:.2}×)",
            prompts.len()
        );
        assert!(
            (0.75..=1.25).contains(&ratio),
            "{name}: the estimate is {ratio:.2}× the real prompts"
        );
    }
}
