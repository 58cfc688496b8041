//! Before a run asks a remote LLM: which key it sends and where (refused if the key may
//! not go there), its spend estimate on stderr, and the confirmation a paid run needs
//! (`--yes`, or y/N on the terminal; `--max-cost` caps the worst case).

use ialp::experiment::ValidConfig;
use ialp::ialp::Estimate;
use ialp::llm::key::{cli_key_allowed, is_loopback, origin_of, KeyEnv};
use ialp::llm::transport::NativeTransport;
use ialp::llm::{ApiKey, LlmConfig};

use crate::args::SpendArgs;
use crate::error::{failed, usage, CliError};

impl SpendArgs {
    /// The parsed `--key-env`.
    pub(crate) fn key_env(&self) -> Result<Option<KeyEnv>, CliError> {
        self.key_env
            .as_deref()
            .map(KeyEnv::parse)
            .transpose()
            .map_err(usage)
    }
}

/// A run's client for a remote LLM, with its spend estimate.
pub(crate) struct Planned {
    pub(crate) transport: NativeTransport,
    pub(crate) estimate: Estimate,
    /// A key is sent: the run costs money (ask first, see [`confirm_spend`]).
    pub(crate) paid: bool,
}

/// The client for a config whose methods ask a remote LLM (its spend estimate said on
/// stderr first, after `prefix`); `None` when no request leaves the machine.
pub(crate) fn transport_for(
    valid: &ValidConfig,
    key_env: Option<&KeyEnv>,
    prefix: &str,
) -> Result<Option<Planned>, CliError> {
    let llm = &valid.raw().llm;
    if !(valid.uses_llm() && llm.provider.is_remote()) {
        return Ok(None);
    }
    let key = api_key(llm, key_env)?;
    let estimate = Estimate::of(llm, &valid.raw().ialp, valid.preset(), valid.seeds());
    eprintln!("{prefix}LLM: {} · {}", llm.describe(), estimate.describe());
    for c in &estimate.custom {
        eprintln!("{prefix}LLM: note: {c}, not the provider's default");
    }
    for c in &estimate.raised {
        eprintln!("{prefix}LLM: note: {c}, above the documented default");
    }
    Ok(Some(Planned {
        paid: !key.is_empty(),
        transport: NativeTransport::new(llm, key),
        estimate,
    }))
}

/// Before a paid run: refuses a worst case above `--max-cost`, then asks y/N on the
/// terminal unless `--yes` (with no terminal to ask, refuses and says to pass it).
pub(crate) fn confirm_spend(
    estimate: &Estimate,
    spend: &SpendArgs,
    what: &str,
) -> Result<(), CliError> {
    use std::io::{BufRead, IsTerminal, Write};
    if let Some(max) = spend.max_cost {
        if !(max.is_finite() && max >= 0.0) {
            return Err(usage(format!(
                "--max-cost {max}: give an amount of US dollars, 0 or more"
            )));
        }
        estimate.within(max).map_err(usage)?;
    }
    if spend.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(usage(format!(
            "{what} sends requests, with your API key, to a paid provider (estimate above), and there is no terminal to ask: pass --yes to start it (and --max-cost USD to cap it); nothing was sent"
        )));
    }
    eprint!("{what}: send these requests (estimate above)? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(failed)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(usage("not confirmed: nothing was sent"))
    }
}

/// The provider's key from the environment. A local server (localhost) may go
/// without one. A key from the provider's default variable goes only to the
/// provider's default host, unless `--key-env` names that variable; with
/// `--key-env NAME@ORIGIN` only to ORIGIN; never over plain http:// to another
/// machine (`ialp::llm::key::cli_key_allowed`).
fn api_key(llm: &LlmConfig, key_env: Option<&KeyEnv>) -> Result<ApiKey, CliError> {
    let name = key_env
        .map(|k| k.var.as_str())
        .or(llm.provider.key_env())
        .unwrap_or("IALP_LLM_KEY");
    if key_env.is_some_and(|k| k.origin.is_some()) {
        // A key bound to an origin: a run naming another is refused, key set or not.
        cli_key_allowed(llm, key_env).map_err(usage)?;
    }
    match std::env::var(name) {
        Ok(k) if !k.trim().is_empty() => {
            cli_key_allowed(llm, key_env).map_err(usage)?;
            Ok(ApiKey::new(&k))
        }
        _ => {
            let local = origin_of(llm.base_url()).is_ok_and(|o| is_loopback(&o));
            if local {
                Ok(ApiKey::default())
            } else {
                Err(usage(format!("the config asks {} for ratings: put the API key in the environment variable {name} (or name another with --key-env)", llm.provider.label())))
            }
        }
    }
}
