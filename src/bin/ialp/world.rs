//! `ialp world`: an environment's world described as one JSON object (shape, rewards,
//! log, item distances, its quit rule and digest; for real data, what the load found).

use ialp::env::real::world_digest;
use ialp::experiment::{DataSource, EnvConfig, ExperimentConfig};
use serde_json::json;

use crate::args::WorldArgs;
use crate::error::{usage, CliError};
use crate::load::{load_world, loaded_report};

pub(crate) fn world(a: WorldArgs) -> Result<(), CliError> {
    let a = a.world;
    let config = ExperimentConfig {
        env: EnvConfig {
            preset: a.env,
            data: if a.real_dir.is_some() {
                DataSource::Real
            } else {
                DataSource::Synthetic
            },
            scale: a.scale,
            ..ExperimentConfig::default().env
        },
        seed: a.seed,
        ..ExperimentConfig::default()
    };
    let valid = config
        .check()
        .map_err(|e| usage(format!("invalid setting {e}")))?;
    let w = load_world(&valid, a.real_dir.as_deref())?;
    let mut v = serde_json::to_value(w.stats()).expect("stats serialise");
    v["quit_rule"] = serde_json::to_value(valid.settings.quit).expect("rule serialises");
    v["source"] = serde_json::to_value(&w.source).expect("source serialises");
    v["digest"] = json!(world_digest(&w));
    v["held_out_size"] = json!(w.held_out.len());
    if let Some(report) = a
        .real_dir
        .as_deref()
        .and_then(|p| loaded_report(p, valid.preset()))
    {
        v["load"] = serde_json::to_value(report).expect("report serialises");
    }
    println!("{v}");
    Ok(())
}
