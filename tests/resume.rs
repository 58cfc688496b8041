//! Runs that survive an interruption (issue 16): a checkpoint taken at any point of a run
//! (mid-job, mid-distillation, between seeds), written out as JSON and read back into a
//! fresh experiment, goes on to the same final results, digest for digest, as the run
//! never interrupted. A checkpoint from other settings, another world, or edited by
//! hand is refused.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use ialp::experiment::{build_world, Checkpoint, Experiment, ExperimentConfig, ResumeError, ValidConfig};

/// Every kind of job: fixed policies, a bandit-free offline and online learner, iALP with
/// its distillation, both A-iALPs (which deploy iALP) and the twins (which deploy
/// Offline A2C); two seeds, so a checkpoint can fall between runs.
fn config(seed: u64) -> ValidConfig {
    ExperimentConfig::from_json(&format!(
        r#"{{"env":{{"preset":"coat","scale":0.2}},"seed":{seed},"seeds":2,"eval_episodes":6,
            "methods":["random","offline_a2c","online_a2c","ialp","a_ialp_ft","a_ialp_ap","offline_a2c_ft","offline_a2c_ap"],
            "training":{{"offline_episodes":24,"online_episodes":24,"eval_every":8}},
            "llm":{{"provider":"heuristic"}},"ialp":{{"states":12}},"a2c":{{"hidden":8,"episodes_per_update":4}}}}"#
    ))
    .unwrap()
}

fn fresh(c: &ValidConfig) -> Experiment {
    let world = Arc::new(build_world(c, None).unwrap());
    Experiment::new(c.clone(), world)
}

fn resumed(c: &ValidConfig, saved: Checkpoint) -> Result<Experiment, ResumeError> {
    let world = Arc::new(build_world(c, None).unwrap());
    Experiment::resume(c.clone(), world, saved)
}

/// The checkpoint as the page keeps it: JSON, read back.
fn through_json(c: &Checkpoint) -> Checkpoint {
    serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap()
}

#[test]
fn a_run_resumed_from_any_checkpoint_ends_as_the_run_never_interrupted() {
    for seed in [7, 2026] {
        let c = config(seed);
        let whole = {
            let mut sim = fresh(&c);
            sim.run();
            assert!(sim.is_finished() && sim.halted().is_none());
            sim.results()
        };
        assert!(whole.complete);
        // Interrupt in the last unit of work of every job (after its distillation, just
        // before it finishes), so a resume meets partial reports and, for A-iALP and the
        // twins, a policy to replay; and once at the end.
        let end = sim_progress_at_end(&c);
        let mut sim = fresh(&c);
        let mut resumes = 0;
        let mut check = |saved: Checkpoint| {
            let saved = through_json(&saved);
            let mut again = resumed(&c, saved.clone()).unwrap();
            assert_eq!(again.progress().done, saved.done_episodes, "progress restarts where the checkpoint was");
            again.run();
            let r = again.results();
            assert!(r.complete, "seed {seed}, from job {}", saved.jobs_done);
            assert_eq!(
                r.digest(),
                whole.digest(),
                "seed {seed}: resumed after {} of {} jobs",
                saved.jobs_done,
                saved.jobs
            );
            assert_eq!(again.progress(), end, "every episode counted once");
            resumes += 1;
        };
        while !sim.is_finished() {
            let before = sim.checkpoint();
            sim.advance(1);
            if sim.jobs_done() != before.jobs_done {
                check(before);
            }
        }
        check(sim.checkpoint());
        assert_eq!(resumes, 2 * 8 + 1, "a resume before every job's end, and from the end");
    }
}

fn sim_progress_at_end(c: &ValidConfig) -> ialp::experiment::Progress {
    let mut sim = fresh(c);
    sim.run();
    sim.progress()
}

#[test]
fn a_checkpoint_from_other_settings_another_world_or_edited_is_refused() {
    let c = config(7);
    let mut sim = fresh(&c);
    while sim.jobs_done() < 5 {
        sim.advance(40);
    }
    let saved = sim.checkpoint();

    // Other settings.
    let other = config(8);
    assert_eq!(resumed(&other, saved.clone()).err(), Some(ResumeError::Config));

    // The same settings in another world (a changed digest stands for other data).
    let mut w = saved.clone();
    w.world_digest = "0".repeat(64);
    assert_eq!(resumed(&c, w).err(), Some(ResumeError::World));

    // Edited: a job removed, jobs out of order, a count past the end.
    let mut e = saved.clone();
    e.results.runs.pop();
    assert!(matches!(resumed(&c, e).err(), Some(ResumeError::Damaged(_))));
    let mut e = saved.clone();
    e.results.runs.swap(0, 1);
    assert!(matches!(resumed(&c, e).err(), Some(ResumeError::Damaged(_))));
    let mut e = saved.clone();
    e.jobs_done = 99;
    assert!(matches!(resumed(&c, e).err(), Some(ResumeError::Damaged(_))));
    let mut e = saved.clone();
    e.done_episodes = usize::MAX;
    assert!(matches!(resumed(&c, e).err(), Some(ResumeError::Damaged(_))));

    // The message says what to do.
    assert!(ResumeError::World.to_string().contains("load the same data set"));
    // And the untouched one resumes.
    assert!(resumed(&c, saved).is_ok());
}
