//! The CLI's side of the key rules: `--key-env VAR[@ORIGIN]`, and where a key read from
//! the environment may be sent, for one run or a grid of them.

use super::origin::{key_may_travel_to, origin_of, KeyBinding, KeyTransportError, UrlError};
use crate::llm::config::LlmConfig;

/// The CLI's `--key-env VAR` or `--key-env VAR@ORIGIN`: the variable that holds the key
/// and, bound to it, the one origin it may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEnv {
    pub var: String,
    /// `scheme://host[:port]` as [`origin_of`] gives it; `None`: whatever one origin the
    /// run (or every run of a grid) names.
    pub origin: Option<String>,
}

/// Why a `--key-env` value cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyEnvError {
    #[error("--key-env {flag:?}: give the name of an environment variable, as NAME or NAME@https://host")]
    NotAName { flag: String },
    #[error("--key-env {flag}: the origin after @ {error}")]
    Origin { flag: String, error: UrlError },
}

impl KeyEnv {
    /// Reads the flag's value; the origin may be given as a base URL (its path is dropped).
    pub fn parse(flag: &str) -> Result<KeyEnv, KeyEnvError> {
        let (var, origin) = match flag.split_once('@') {
            Some((v, o)) => (v.trim(), Some(o.trim())),
            None => (flag.trim(), None),
        };
        if var.is_empty() || var.contains(['=', '\0']) || var.chars().any(char::is_whitespace) {
            return Err(KeyEnvError::NotAName { flag: flag.into() });
        }
        let origin = origin
            .map(|o| {
                origin_of(o).map_err(|error| KeyEnvError::Origin {
                    flag: flag.into(),
                    error,
                })
            })
            .transpose()?;
        Ok(KeyEnv {
            var: var.to_string(),
            origin,
        })
    }

    /// The flag's value again (`VAR` or `VAR@ORIGIN`), for a job script.
    pub fn to_flag(&self) -> String {
        match &self.origin {
            Some(o) => format!("{}@{o}", self.var),
            None => self.var.clone(),
        }
    }
}

/// Why the CLI does not send a key from the environment where a config points. Every
/// message ends the run before anything is sent, and says how to allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    /// Plain `http://` to another machine.
    #[error(transparent)]
    Transport(#[from] KeyTransportError),
    /// `--key-env VAR@BOUND`, and the config names another origin.
    #[error("--key-env {var}@{bound} lets the key go to {bound} only, but the config sends {provider} requests to {origin}: refused, nothing was sent. Use --key-env {var}@{origin} if you trust that host")]
    OtherOrigin {
        var: String,
        bound: String,
        provider: &'static str,
        origin: String,
    },
    /// No `--key-env`: the provider's default variable, and a host other than its own.
    #[error("the config sends {provider} requests to {origin}, not to {default_url}; {default_var} is not sent to another host unless you name it: add --key-env {default_var}@{origin} if you trust {origin}, or unset {default_var} (a local server may need no key)")]
    NotDefaultHost {
        provider: &'static str,
        origin: String,
        default_url: &'static str,
        default_var: &'static str,
    },
}

/// The CLI's rule for where a key from the environment may go, checked when the
/// variable holds a key:
/// - `--key-env VAR@ORIGIN`: only to ORIGIN; a config naming another is refused.
/// - `--key-env VAR`: to the config's origin (a grid must name one only, see
///   [`grid_key_origin`]).
/// - no flag, the provider's *default* variable (`OPENAI_API_KEY`, …): only to the
///   provider's default host, so a shared config cannot redirect a key that merely
///   happens to be in the environment.
///
/// And never over plain `http://` to another machine ([`key_may_travel_to`]).
pub fn cli_key_allowed(config: &LlmConfig, key_env: Option<&KeyEnv>) -> Result<(), KeyRefused> {
    let Some(binding) = KeyBinding::of(config) else {
        return Ok(());
    };
    key_may_travel_to(&binding.origin)?;
    match key_env {
        Some(KeyEnv {
            var,
            origin: Some(bound),
        }) if *bound != binding.origin => Err(KeyRefused::OtherOrigin {
            var: var.clone(),
            bound: bound.clone(),
            provider: config.provider.id(),
            origin: binding.origin,
        }),
        Some(_) => Ok(()),
        None => {
            let Some(default_var) = config.provider.key_env() else {
                return Ok(());
            };
            if binding.is_default_host() {
                return Ok(());
            }
            Err(KeyRefused::NotDefaultHost {
                provider: config.provider.id(),
                origin: binding.origin,
                default_url: config.provider.default_base_url(),
                default_var,
            })
        }
    }
}

/// A plain `--key-env VAR` for a grid whose runs name several origins (`origins`, each
/// once, sorted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the grid sends requests to {} origins ({}): --key-env {var} would send the key to each. Name the one it may go to, e.g. --key-env {var}@{} (runs naming another origin are then refused)", .origins.len(), .origins.join(", "), .origins.first().map_or("", String::as_str))]
pub struct GridOrigins {
    pub var: String,
    pub origins: Vec<String>,
}

/// The one origin a grid's key goes to, given the origins its runs send requests to
/// (`None`: no run calls a remote provider). A plain `--key-env VAR` would approve every
/// host a grid's axis names, so it is refused for a grid naming more than one origin;
/// `VAR@ORIGIN` names it, and each run is then held to it by [`cli_key_allowed`].
pub fn grid_key_origin(
    key_env: &KeyEnv,
    origins: &[String],
) -> Result<Option<String>, GridOrigins> {
    if let Some(o) = &key_env.origin {
        return Ok(Some(o.clone()));
    }
    let mut distinct: Vec<&String> = origins.iter().collect();
    distinct.sort();
    distinct.dedup();
    match distinct.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(GridOrigins {
            var: key_env.var.clone(),
            origins: many.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::config::Provider;

    #[test]
    fn the_cli_sends_a_default_variable_only_to_the_default_host() {
        let mut c = LlmConfig {
            provider: Provider::OpenAi,
            ..LlmConfig::default()
        };
        assert!(cli_key_allowed(&c, None).is_ok());
        c.base_url = Some("https://api.openai.com/v1/".into());
        assert!(cli_key_allowed(&c, None).is_ok());
        c.base_url = Some("http://127.0.0.1:9/v1".into());
        let e = cli_key_allowed(&c, None).unwrap_err().to_string();
        assert!(
            e.contains("--key-env OPENAI_API_KEY") && e.contains("127.0.0.1:9"),
            "{e}"
        );
        let plain = |v: &str| KeyEnv::parse(v).unwrap();
        assert!(cli_key_allowed(&c, Some(&plain("OPENAI_API_KEY"))).is_ok());
        assert!(cli_key_allowed(&c, Some(&plain("MY_VAR"))).is_ok());
        let h = LlmConfig::default();
        assert!(cli_key_allowed(&h, None).is_ok(), "stand-ins send nothing");
    }

    #[test]
    fn key_env_with_an_origin_sends_the_key_there_only() {
        let k = KeyEnv::parse("MY_KEY@https://API.example.com:443/v1").unwrap();
        assert_eq!(k.var, "MY_KEY");
        assert_eq!(k.origin.as_deref(), Some("https://api.example.com"));
        assert_eq!(k.to_flag(), "MY_KEY@https://api.example.com");
        assert_eq!(KeyEnv::parse("MY_KEY").unwrap().origin, None);
        assert!(KeyEnv::parse("@https://x.example").is_err());
        assert!(KeyEnv::parse("MY_KEY@ftp://x").is_err());
        let at = |url: &str| LlmConfig {
            provider: Provider::OpenAi,
            base_url: Some(url.into()),
            ..LlmConfig::default()
        };
        assert!(cli_key_allowed(&at("https://api.example.com/v1"), Some(&k)).is_ok());
        let e = cli_key_allowed(&at("https://evil.example/v1"), Some(&k))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("https://api.example.com") && e.contains("https://evil.example"),
            "names both: {e}"
        );
        // A grid: one origin for a plain flag, named for a bound one.
        let plain = KeyEnv::parse("MY_KEY").unwrap();
        let a = "https://a.example".to_string();
        let b = "https://b.example".to_string();
        assert_eq!(grid_key_origin(&plain, &[]), Ok(None));
        assert_eq!(
            grid_key_origin(&plain, &[a.clone(), a.clone()]),
            Ok(Some(a.clone()))
        );
        let e = grid_key_origin(&plain, &[a.clone(), b.clone()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 origins") && e.contains("MY_KEY@"), "{e}");
        assert_eq!(grid_key_origin(&k, &[a, b]), Ok(k.origin.clone()));
    }

    #[test]
    fn keys_never_travel_over_plain_http_to_another_machine() {
        let at = |url: &str| LlmConfig {
            provider: Provider::OpenAi,
            base_url: Some(url.into()),
            ..LlmConfig::default()
        };
        let flag = KeyEnv::parse("MY_KEY").unwrap();
        let e = cli_key_allowed(&at("http://llm.example.com/v1"), Some(&flag))
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://llm.example.com") && e.contains("unencrypted"), "{e}");
        assert!(cli_key_allowed(&at("https://llm.example.com/v1"), Some(&flag)).is_ok());
        for local in ["http://127.0.0.1:8080/v1", "http://localhost:11434/v1", "http://[::1]:1/v1"] {
            assert!(cli_key_allowed(&at(local), Some(&flag)).is_ok(), "{local}");
        }
        assert!(key_may_travel_to("http://127.0.0.1.evil.example").is_err());
        assert!(key_may_travel_to("HTTP://10.0.0.2:8080").is_err());
        assert!(key_may_travel_to("https://10.0.0.2:8080").is_ok());
    }
}
