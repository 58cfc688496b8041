//! `ialp sweep` and `ialp collect`: a grid of settings × seeds run as single-seed runs
//! in one folder (resumable, or one task per run on a cluster), and the folder merged
//! into one table and one results file. The grid logic is `ialp::experiment::sweep`;
//! here are the files, the flags and the scheduler's script.

use std::path::Path;
use std::sync::Arc;

use ialp::experiment::paired::paired;
use ialp::experiment::sweep::{
    builtin, collect as merge, slurm_script, table, task_lines, Grid, SweepRun, SWEEPS,
};
use ialp::experiment::{DataSource, Experiment, Results};
use ialp::ialp::Estimate;
use ialp::limits::{read_text, GRID_FILE_BYTES, RESULTS_FILE_BYTES};
use ialp::llm::key::{cli_key_allowed, grid_key_origin, is_loopback, KeyBinding, KeyEnv};
use serde_json::json;

use crate::args::{CollectArgs, EmitArg, SpendArgs, SweepArgs};
use crate::drive::{drive, stop_on_ctrl_c, write_outputs};
use crate::error::{failed, usage, CliError};
use crate::load::load_world;
use crate::spend::{confirm_spend, transport_for, Planned};

/// A sweep's grid, from its file; the copy kept in its folder must be the same grid.
fn sweep_grid(a: &SweepArgs) -> Result<Vec<SweepRun>, CliError> {
    let text = match read_text(&a.grid, GRID_FILE_BYTES) {
        Ok(t) => t,
        Err(e) => match a.grid.to_str().and_then(builtin) {
            Some(t) if !a.grid.exists() => t.to_string(),
            _ => {
                let names: Vec<&str> = SWEEPS.iter().map(|s| s.0).collect();
                return Err(usage(format!(
                    "{}: {e} (nor a built-in grid: {})",
                    a.grid.display(),
                    names.join(", ")
                )));
            }
        },
    };
    let grid = Grid::from_json(&text).map_err(|e| usage(format!("{}: {e}", a.grid.display())))?;
    let runs = grid
        .expand()
        .map_err(|e| usage(format!("{}: {e}", a.grid.display())))?;
    let kept = a.out.join("grid.json");
    match read_text(&kept, GRID_FILE_BYTES) {
        Ok(old) => {
            if Grid::from_json(&old).ok().as_ref() != Some(&grid) {
                return Err(usage(format!(
                    "{} holds another sweep (its grid.json differs from {}): give another --out, or delete the folder",
                    a.out.display(),
                    a.grid.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let json = serde_json::to_string_pretty(&grid).expect("a grid serialises");
            write_atomically(&kept, &json)?;
        }
        Err(e) => return Err(failed(format!("{}: {e}", kept.display()))),
    }
    Ok(runs)
}

/// Writes `text` to `path` through a temporary file in the same folder, so a reader
/// (or a task killed half-way) never sees half a file.
fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| failed(format!("{}: {e}", path.display())))
}

/// A run's results in a sweep's folder: `Ok(None)` if there are none yet, an error if
/// they are unreadable or belong to another config.
fn finished_run(dir: &Path, run: &SweepRun) -> Result<Option<Results>, CliError> {
    let path = dir.join("runs").join(&run.name).join("results.json");
    let text = match read_text(&path, RESULTS_FILE_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failed(format!("{}: {e}", path.display()))),
    };
    let r = Results::from_json(&text).map_err(|e| failed(format!("{}: {e}", path.display())))?;
    if &r.config != run.config.raw() {
        return Err(failed(format!(
            "{}: made by another config than run {} of this grid",
            path.display(),
            run.index
        )));
    }
    Ok(r.complete.then_some(r))
}

pub(crate) fn sweep(a: SweepArgs) -> Result<(), CliError> {
    let runs = sweep_grid(&a)?;
    if a.list {
        for r in &runs {
            println!("{}\t{}", r.index, r.name);
        }
        return Ok(());
    }
    let key_env = grid_key_env(&a.spend, &runs)?;
    if let Some(format) = a.emit {
        return emit(&a, format, &runs, key_env.as_ref());
    }
    let chosen: Vec<&SweepRun> = match a.task {
        Some(i) if i >= runs.len() => {
            return Err(usage(format!(
                "--task {i}: the sweep has {} runs (0 to {})",
                runs.len(),
                runs.len().saturating_sub(1)
            )))
        }
        Some(i) => vec![&runs[i]],
        None => runs.iter().collect(),
    };
    // Every run's client and estimate first, so the whole sweep is confirmed once, before
    // anything is sent (a job runs unattended).
    let mut plans: Vec<Option<Option<Planned>>> = Vec::with_capacity(chosen.len());
    for (k, run) in chosen.iter().enumerate() {
        let head = format!("[run {}/{} {}] ", k + 1, chosen.len(), run.name);
        plans.push(if finished_run(&a.out, run)?.is_some() {
            None
        } else {
            Some(transport_for(&run.config, key_env.as_ref(), &head)?)
        });
    }
    let paid: Vec<Estimate> = plans
        .iter()
        .flatten()
        .flatten()
        .filter(|p| p.paid)
        .map(|p| p.estimate.clone())
        .collect();
    if let Some(total) = Estimate::sum(&paid) {
        if paid.len() > 1 {
            eprintln!("LLM, {} runs in all: {}", paid.len(), total.describe());
        }
        confirm_spend(
            &total,
            &a.spend,
            &format!("this sweep ({} paid run(s))", paid.len()),
        )?;
    }
    stop_on_ctrl_c();
    let (mut kept, mut ran) = (0, 0);
    for ((k, run), plan) in chosen.iter().enumerate().zip(plans) {
        let head = format!("[run {}/{} {}] ", k + 1, chosen.len(), run.name);
        let Some(plan) = plan else {
            eprintln!("{head}already finished: kept");
            kept += 1;
            continue;
        };
        let valid = &run.config;
        if valid.data() == DataSource::Real && a.real_dir.is_none() {
            return Err(usage("the grid asks for real data: give the data set's folder or archive with --real-dir DIR|FILE.zip"));
        }
        let world = Arc::new(load_world(valid, a.real_dir.as_deref())?);
        let transport = plan.map(|p| p.transport);
        let mut exp = Experiment::new(valid.clone(), world);
        drive(&mut exp, valid, transport.as_ref(), &head);
        let results = exp.results();
        if let Some(why) = exp.halted() {
            return Err(failed(format!("run {}: {why}", run.name)));
        }
        if !results.complete {
            eprintln!("{head}stopped before the end: not written, it runs again next time");
            return Err(CliError::Interrupted);
        }
        let file = a.out.join("runs").join(&run.name).join("results.json");
        write_atomically(&file, &results.to_json())?;
        ran += 1;
        eprintln!(
            "{head}done: {}",
            results
                .summary
                .iter()
                .map(|m| format!("{} {:.2}", m.method.label(), m.r_tra.mean))
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    eprintln!(
        "{ran} run(s) now, {kept} already finished; merge them with `ialp collect {}`",
        a.out.display()
    );
    Ok(())
}

/// The `--key-env` every run of the grid is held to: a plain `NAME` is bound to the one
/// origin the grid's runs name (refused if they name several), and with `NAME@ORIGIN`
/// a run naming another origin is refused before anything runs, naming both.
fn grid_key_env(spend: &SpendArgs, runs: &[SweepRun]) -> Result<Option<KeyEnv>, CliError> {
    let Some(flag) = spend.key_env()? else {
        return Ok(None);
    };
    let remote: Vec<&SweepRun> = runs
        .iter()
        .filter(|r| r.config.uses_llm() && r.config.raw().llm.provider.is_remote())
        .collect();
    let origins: Vec<String> = remote
        .iter()
        .filter_map(|r| KeyBinding::of(&r.config.raw().llm).map(|b| b.origin))
        .collect();
    let origin = grid_key_origin(&flag, &origins).map_err(usage)?;
    let bound = KeyEnv {
        var: flag.var.clone(),
        origin,
    };
    if bound.origin.is_some() {
        for r in &remote {
            cli_key_allowed(&r.config.raw().llm, Some(&bound))
                .map_err(|e| usage(format!("run {} ({}): {e}", r.index, r.name)))?;
        }
    }
    Ok(Some(bound))
}

/// Writes the scheduler's script for the sweep: every task runs this binary on the
/// grid kept in the sweep's folder, by index, with the key bound to the grid's origin.
/// A grid that calls a remote provider is confirmed here, once (its tasks run with
/// `--yes` and the same `--max-cost`).
fn emit(
    a: &SweepArgs,
    format: EmitArg,
    all: &[SweepRun],
    key_env: Option<&KeyEnv>,
) -> Result<(), CliError> {
    let runs = all.len();
    let mut extra = Vec::new();
    if let Some(d) = &a.real_dir {
        extra.push("--real-dir".to_string());
        extra.push(absolute(d));
    }
    if let Some(k) = key_env {
        extra.push("--key-env".to_string());
        extra.push(k.to_flag());
    }
    // Runs that may send a key: a remote provider, unless on this machine with no key
    // variable named.
    let remote: Vec<Estimate> = all
        .iter()
        .filter(|r| r.config.uses_llm() && r.config.raw().llm.provider.is_remote())
        .filter(|r| key_env.is_some() || !is_loopback(r.config.raw().llm.base_url()))
        .map(|r| {
            let c = r.config.raw();
            Estimate::of(&c.llm, &c.ialp, r.config.preset(), r.config.seeds())
        })
        .collect();
    if let Some(total) = Estimate::sum(&remote) {
        eprintln!("LLM, {} runs in all: {}", remote.len(), total.describe());
        confirm_spend(
            &total,
            &a.spend,
            &format!("the script's {} run(s) calling a provider", remote.len()),
        )?;
        extra.push("--yes".to_string());
        if let Some(max) = a.spend.max_cost {
            extra.push("--max-cost".to_string());
            extra.push(max.to_string());
        }
    }
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "ialp".into());
    let out = absolute(&a.out);
    let grid = format!("{out}/grid.json");
    let (name, text, how) = match format {
        EmitArg::Slurm => (
            "sweep.slurm",
            slurm_script(&exe, &grid, &out, runs, &extra),
            "submit it with `sbatch",
        ),
        EmitArg::Tasks => (
            "tasks.txt",
            task_lines(&exe, &grid, &out, runs, &extra),
            "run it with `parallel <",
        ),
    };
    let path = a.out.join(name);
    write_atomically(&path, &text)?;
    eprintln!(
        "wrote {} ({runs} runs); {how} {}`, then `ialp collect {}`",
        path.display(),
        path.display(),
        a.out.display()
    );
    Ok(())
}

pub(crate) fn collect(a: CollectArgs) -> Result<(), CliError> {
    let kept = a.dir.join("grid.json");
    let bad = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", kept.display()));
    let text = read_text(&kept, GRID_FILE_BYTES).map_err(|e| {
        usage(format!(
            "{}: {e} (is {} the --out of `ialp sweep`?)",
            kept.display(),
            a.dir.display()
        ))
    })?;
    let grid = Grid::from_json(&text).map_err(|e| bad(&e))?;
    let runs = grid.expand().map_err(|e| bad(&e))?;
    let base = grid.base().map_err(|e| bad(&e))?;
    let mut found = Vec::with_capacity(runs.len());
    for r in &runs {
        found.push(finished_run(&a.dir, r).unwrap_or_else(|e| {
            eprintln!("warning: {e}; counted as not finished");
            None
        }));
    }
    let c = merge(&base, &runs, found);
    let mut report = table(&c);
    let pairs = c.results.as_ref().map(paired).unwrap_or_default();
    if !pairs.is_empty() {
        report.push_str("\nDoes the LLM help? (paired by seed)\n\n");
        for p in &pairs {
            report.push_str(&format!("- {}\n", p.describe()));
        }
    }
    if let Some(r) = &c.results {
        write_outputs(&a.dir, r)?;
    }
    write_atomically(&a.dir.join("results.md"), &report)?;
    if a.json {
        println!(
            "{}",
            json!({
                "runs": runs.len(),
                "missing": c.missing,
                "summary": c.results.as_ref().map(|r| &r.summary),
                "paired": pairs,
            })
        );
    } else {
        print!("{report}");
    }
    eprintln!(
        "{} of {} runs finished; wrote {}/results.md{}",
        runs.len() - c.missing.len(),
        runs.len(),
        a.dir.display(),
        if c.results.is_some() {
            ", results.json, results.csv, curves.svg"
        } else {
            ""
        }
    );
    Ok(())
}

/// A path made absolute where it can be (a script runs it from another folder).
fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
