//! Running an experiment to the end from the terminal (`run` and `sweep`): its LLM
//! requests answered over HTTP, its progress on stderr, Ctrl-C between chunks; and the
//! files a finished run leaves (`run --out`, `collect`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use ialp::chart::{curves_of, learning_curves_svg, Curve};
use ialp::experiment::{Experiment, Results, ValidConfig};
use ialp::llm::transport::NativeTransport;

use crate::error::{failed, CliError};

/// Set by Ctrl-C; the run loop stops between chunks.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Has Ctrl-C set [`INTERRUPTED`] (the loop in [`drive`] then stops between chunks).
pub(crate) fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Runs `exp` until it finishes, halts or Ctrl-C is pressed: answers its LLM requests
/// through `transport`, and says on stderr (after `prefix`) whenever another method
/// or seed starts.
pub(crate) fn drive(
    exp: &mut Experiment,
    valid: &ValidConfig,
    transport: Option<&NativeTransport>,
    prefix: &str,
) {
    let llm = &valid.raw().llm;
    let started = std::time::Instant::now();
    let mut shown = None;
    while !exp.is_finished() && !INTERRUPTED.load(Ordering::SeqCst) && exp.halted().is_none() {
        let p = exp.advance(2_000);
        if exp.current() != shown {
            shown = exp.current();
            if let Some((m, run)) = shown {
                eprintln!(
                    "{prefix}[{:5.1} s] {:>5.1} % · {} · seed {}",
                    started.elapsed().as_secs_f64(),
                    100.0 * p.fraction(),
                    m.label(),
                    valid.run_seed(run)
                );
            }
        }
        if let (Some(t), true) = (transport, exp.waiting_for_llm()) {
            let tickets = exp.take_llm_requests(llm.max_concurrent);
            let prompts: Vec<(usize, &str)> = tickets
                .iter()
                .map(|t| (t.request.id, t.request.prompt.as_str()))
                .collect();
            for (ticket, outcome) in tickets.iter().zip(t.ask_all(&prompts)) {
                if let Err(f) = &outcome.result {
                    eprintln!("  LLM request {}: {f}", ticket.request.id + 1);
                }
                exp.give_llm_answer(ticket, outcome);
            }
            if let Some(s) = exp.llm_stats() {
                eprintln!(
                    "  LLM: {} requests, {} calls ({} retries), {} from cache, {} failed, {} unparsable, {} ratings, {} tokens",
                    s.requests, s.calls, s.retries, s.cache_hits, s.failures, s.unparsable, s.labels, s.prompt_tokens + s.completion_tokens
                );
            }
        }
    }
}

/// Writes results.json, results.csv and curves.svg to `dir` (made if missing).
pub(crate) fn write_outputs(dir: &Path, results: &Results) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))?;
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| failed(format!("{}: {e}", dir.join(name).display())))
    };
    write("results.json", results.to_json())?;
    write("results.csv", results.to_csv())?;
    let curves: Vec<Curve> = curves_of(results);
    let svg = learning_curves_svg(&curves, "R_tra (mean ± std over seeds)", (900, 520))
        .map_err(failed)?;
    write("curves.svg", svg)
}
