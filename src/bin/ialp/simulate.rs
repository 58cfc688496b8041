//! `ialp simulate`: a fixed policy (random or most popular) for N episodes on an
//! environment's ground truth, as a table or one JSON object.

use std::sync::Arc;

use ialp::env::{QuitRule, Window};
use ialp::experiment::{DataSource, EnvConfig, Experiment, ExperimentConfig};
use serde_json::json;

use crate::args::SimulateArgs;
use crate::error::{failed, usage, CliError};
use crate::load::load_world;

pub(crate) fn simulate(a: SimulateArgs) -> Result<(), CliError> {
    let preset = a.world.env;
    let policy = a.policy;
    let config = ExperimentConfig {
        env: EnvConfig {
            preset,
            data: if a.world.real_dir.is_some() {
                DataSource::Real
            } else {
                DataSource::Synthetic
            },
            scale: a.world.scale,
            mode: a.mode,
            leave_n: a.leave_n,
            leave_tau: a.leave_tau,
            window: a.window,
            max_turn: a.max_turn,
        },
        methods: vec![policy],
        eval_episodes: a.episodes,
        seed: a.world.seed,
        ..ExperimentConfig::default()
    };
    let valid = config
        .check()
        .map_err(|e| usage(format!("invalid setting {e}")))?;
    let real = valid.data() == DataSource::Real;
    let world = Arc::new(load_world(&valid, a.world.real_dir.as_deref())?);
    let mut sim = Experiment::new(valid.clone(), world);
    sim.run();
    let results = sim.results();
    let Some(s) = results.runs.first().and_then(|r| r.last.as_ref()) else {
        return Err(failed("the run produced no evaluation"));
    };
    let (n, tau) = match valid.settings.quit {
        QuitRule::ItemDistance { n, tau } => (n, tau as f64),
        QuitRule::TagCount { n, tau } => (n, tau as f64),
    };
    if a.json {
        let out = json!({
            "env": preset.id(),
            "data": if real { "real" } else { "synthetic" },
            "users": sim.world().n_users(),
            "items": sim.world().n_items(),
            "policy": policy.id(),
            "mode": valid.settings.mode.id(),
            "leave_n": n,
            "leave_tau": tau,
            "window": valid.settings.window,
            "max_turn": valid.settings.max_turn,
            "seed": valid.seed(),
            "episodes": s.episodes,
            "r_tra": s.r_tra,
            "r_each": s.r_each,
            "length": s.length,
            "coverage": s.coverage,
            "mcd": s.mcd,
            "ends": s.ends.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<String, serde_json::Value>>(),
            "digest": results.digest(),
        });
        println!("{out}");
    } else {
        let w = sim.world();
        println!(
            "{} ({}, {} users × {} items) · {} · quit rule N = {n}, τ = {tau} ({} window) · seed {}",
            preset.label(),
            if real { "real data" } else { "synthetic" },
            w.n_users(),
            w.n_items(),
            valid.settings.mode.label(),
            match valid.settings.window {
                Window::Intended => "intended",
                Window::PeerCompatible => "peer-compatible",
            },
            valid.seed()
        );
        println!(
            "{:<14} {:>9} {:>18} {:>18} {:>18}",
            "policy", "episodes", "R_tra", "R_each", "Length"
        );
        println!(
            "{:<14} {:>9} {:>18} {:>18} {:>18}",
            policy.label(),
            s.episodes,
            s.r_tra.to_string(),
            s.r_each.to_string(),
            s.length.to_string()
        );
        println!(
            "coverage {:.3} · MCD {:.3} · digest {}",
            s.coverage,
            s.mcd,
            &results.digest()[..16]
        );
    }
    Ok(())
}
