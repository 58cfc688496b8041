//! `ialp run`: an experiment config (a file or a built-in preset) trained and evaluated
//! to the end, or until Ctrl-C; its summary on stdout, its files in --out.

use std::path::PathBuf;
use std::sync::Arc;

use ialp::experiment::presets::{self, PRESETS};
use ialp::experiment::{
    paired, DataSource, Experiment, ExperimentConfig, PolicyFile, Results, ValidConfig,
};
use ialp::limits::{read_text, CACHE_FILE_BYTES, CONFIG_FILE_BYTES, POLICY_FILE_BYTES};
use ialp::llm::LlmCache;
use serde_json::json;

use crate::args::RunArgs;
use crate::drive::{drive, stop_on_ctrl_c, write_outputs};
use crate::error::{failed, usage, CliError};
use crate::load::load_world;
use crate::spend::{confirm_spend, transport_for};

/// The config of `ialp run`: a file or a built-in preset, with --seeds and --scale
/// applied.
fn run_config(a: &RunArgs) -> Result<ValidConfig, CliError> {
    let valid = if let Some(name) = &a.preset {
        let p = presets::find(name).ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            usage(format!(
                "--preset {name}: no such preset (there are: {})",
                names.join(", ")
            ))
        })?;
        p.config(None).map_err(usage)?
    } else {
        let path = a
            .config
            .as_ref()
            .expect("clap requires a config or --preset");
        let text = read_text(path, CONFIG_FILE_BYTES)
            .map_err(|e| usage(format!("{}: {e}", path.display())))?;
        ExperimentConfig::from_json(&text)
            .map_err(|e| usage(format!("invalid config {}: {e}", path.display())))?
    };
    if a.seeds.is_none() && a.scale.is_none() {
        return Ok(valid);
    }
    let mut raw = valid.raw().clone();
    if let Some(k) = a.seeds {
        raw.seeds = k;
    }
    if let Some(s) = a.scale {
        raw.env.scale = Some(s);
    }
    raw.check()
        .map_err(|e| usage(format!("--seeds / --scale: {e}")))
}

pub(crate) fn run(a: RunArgs) -> Result<(), CliError> {
    let valid = run_config(&a)?;
    if valid.data() == DataSource::Real && a.real_dir.is_none() {
        return Err(usage("the config asks for real data: give the data set's folder or archive with --real-dir DIR|FILE.zip"));
    }
    let world = Arc::new(load_world(&valid, a.real_dir.as_deref())?);
    let uses_llm = valid.uses_llm();
    let key_env = a.spend.key_env()?;
    let planned = transport_for(&valid, key_env.as_ref(), "")?;
    if let Some(p) = planned.as_ref().filter(|p| p.paid) {
        confirm_spend(&p.estimate, &a.spend, "this run")?;
    }
    let transport = planned.map(|p| p.transport);
    let cache = match a.llm_cache.as_deref().filter(|p| p.exists()) {
        None => LlmCache::new(),
        Some(path) => match read_text(path, CACHE_FILE_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|t| LlmCache::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(c) => {
                eprintln!("LLM cache: {} answers from {}", c.len(), path.display());
                c
            }
            Err(e) => {
                return Err(usage(format!("--llm-cache {}: {e}", path.display())));
            }
        },
    };
    stop_on_ctrl_c();
    let mut exp = Experiment::new(valid.clone(), world).with_cache(cache);
    if let Some(path) = &a.policy {
        match read_text(path, POLICY_FILE_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|t| PolicyFile::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(p) => {
                eprintln!("policy: {}", p.describe());
                exp = exp.with_imported(p);
            }
            Err(e) => {
                return Err(usage(format!("--policy {}: {e}", path.display())));
            }
        }
    }
    drive(&mut exp, &valid, transport.as_ref(), "");
    let results = exp.results();
    let interrupted = !results.complete;
    if interrupted {
        eprintln!(
            "stopped early: keeping the {} finished method runs (and the partial one)",
            results.runs.iter().filter(|r| r.finished).count()
        );
    }
    let mut cache_files: Vec<PathBuf> = a.llm_cache.iter().cloned().collect();
    if let Some(dir) = &a.out {
        write_outputs(dir, &results)?;
        eprintln!(
            "wrote {}/results.json, results.csv, curves.svg",
            dir.display()
        );
        if a.policies {
            let folder = dir.join("policies");
            let mut n = 0;
            for r in results.runs.iter().filter(|r| r.finished) {
                if let Some(p) = exp.policy_file(r.method, r.run) {
                    let path = folder.join(format!("{}-seed{}.json", r.method.id(), r.seed));
                    if let Err(e) = std::fs::create_dir_all(&folder)
                        .and_then(|()| std::fs::write(&path, p.to_json()))
                    {
                        return Err(failed(format!("{}: {e}", path.display())));
                    }
                    n += 1;
                }
            }
            eprintln!("wrote {n} policy file(s) to {}", folder.display());
        }
        if uses_llm {
            cache_files.push(dir.join("llm-cache.json"));
        }
    }
    if uses_llm {
        for path in cache_files {
            if let Err(e) = std::fs::write(&path, exp.cache().to_json()) {
                return Err(failed(format!("{}: {e}", path.display())));
            }
            eprintln!(
                "wrote {} ({} LLM answers)",
                path.display(),
                exp.cache().len()
            );
        }
    }
    if a.json {
        println!(
            "{}",
            json!({ "complete": results.complete, "halted": results.halted, "summary": results.summary, "user_models": results.user_models, "distillations": results.distillations, "digest": results.digest() })
        );
    } else {
        print_summary(&valid, &results);
    }
    match (exp.halted(), interrupted) {
        (Some(why), _) => Err(failed(why)),
        (None, true) => Err(CliError::Interrupted),
        (None, false) => Ok(()),
    }
}

fn print_summary(valid: &ValidConfig, results: &Results) {
    println!(
        "{} · {} users × {} items · {} · {} seed(s) from {} · {} evaluation episodes",
        valid.preset().label(),
        results.world.users,
        results.world.items,
        valid.settings.mode.label(),
        valid.seeds(),
        valid.seed(),
        valid.eval_episodes()
    );
    println!(
        "{:<22} {:>5} {:>18} {:>16} {:>16} {:>9} {:>7} {:>18} {:>20}",
        "method",
        "seeds",
        "R_tra",
        "R_each",
        "Length",
        "coverage",
        "MCD",
        "first 100 online",
        "users' total reward"
    );
    for m in &results.summary {
        let dash = || "–".to_string();
        println!(
            "{:<22} {:>5} {:>18} {:>16} {:>16} {:>9.3} {:>7.3} {:>18} {:>20}",
            m.method.label(),
            m.seeds,
            m.r_tra.to_string(),
            m.r_each.to_string(),
            m.length.to_string(),
            m.coverage.mean,
            m.mcd.mean,
            m.first_k.map(|x| x.to_string()).unwrap_or_else(dash),
            m.online_total
                .map(|x| format!("{:.0} ± {:.0}", x.mean, x.std))
                .unwrap_or_else(dash)
        );
    }
    for r in &results.runs {
        for x in &r.repairs {
            println!(
                "{} seed {}: repair after online episode {} (mean return {:.2} below the anchor's {:.2}; KL weight {:.2})",
                r.method.label(), r.seed, x.online_episode, x.moving_average, x.anchor_return, x.kl_weight
            );
        }
    }
    for p in paired::paired(results) {
        println!("Does the LLM help? {}", p.describe());
    }
    for d in &results.distillations {
        let s = &d.stats;
        println!(
            "iALP seed {}: {} · {} states in {} requests: {} calls ({} retries, {} cached, {} failed, {} unparsable), {} ratings kept, {} dropped · agreement with the truth on {} held-out states: LLM ρ {:.3} NDCG@5 {:.3} · R_φ ρ {:.3} NDCG@5 {:.3} · R̂ ρ {:.3} NDCG@5 {:.3}",
            d.seed, d.source, d.states, d.planned_requests, s.calls, s.retries, s.cache_hits, s.failures, s.unparsable, s.labels, s.dropped.total(),
            d.agreement.llm.states, d.agreement.llm.spearman, d.agreement.llm.ndcg5, d.agreement.reward_model.spearman, d.agreement.reward_model.ndcg5,
            d.agreement.user_model.spearman, d.agreement.user_model.ndcg5
        );
    }
}
