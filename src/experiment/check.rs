//! The config check: JSON in, [`ValidConfig`] out. Every fixed range is in
//! `bounds.rs` (walked here), the budget in `cost.rs`; the rules that depend on other
//! values (the seed range, a deployed method listed first, the quit rule of real data,
//! the LLM's host) are here.

use super::config::{ConfigError, DataSource, ExperimentConfig, ValidConfig, CONFIG_VERSION, MAX_SEED};
use crate::env::synthetic::{self, SyntheticParams};
use crate::env::{EnvSettings, QuitRule};
use crate::llm::PromptTemplate;

impl ExperimentConfig {
    /// Parses JSON and checks it; a JSON error names the field's path
    /// (e.g. `methods[2]: unknown variant ...`).
    pub fn from_json(text: &str) -> Result<ValidConfig, ConfigError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let raw: ExperimentConfig = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "config".to_string()
            } else {
                path
            };
            bad(&field, e.into_inner().to_string())
        })?;
        raw.check()
    }

    /// Checks every value; the error names the first bad field and its allowed range.
    pub fn check(self) -> Result<ValidConfig, ConfigError> {
        if self.version != CONFIG_VERSION {
            return Err(bad(
                "version",
                format!("must be {CONFIG_VERSION}, got {}", self.version),
            ));
        }
        // Every value with fixed bounds (src/experiment/bounds.rs), then those whose
        // bounds depend on others.
        super::bounds::check(&self)?;
        let runs = (self.first_run + self.seeds) as u64;
        if self.seed > MAX_SEED - runs {
            return Err(bad(
                "seed",
                format!(
                    "must be between 0 and {} with {} seeds, got {}",
                    MAX_SEED - runs,
                    runs,
                    self.seed
                ),
            ));
        }
        if self.methods.is_empty() {
            return Err(bad("methods", "choose at least one method"));
        }
        for (i, p) in self.methods.iter().enumerate() {
            if self.methods[..i].contains(p) {
                return Err(bad("methods", format!("'{}' is listed twice", p.id())));
            }
        }
        for (i, m) in self.methods.iter().enumerate() {
            if let Some(d) = m.spec().deploys {
                if !self.methods[..i].contains(&d) {
                    return Err(bad(
                        "methods",
                        format!(
                            "'{}' deploys {}'s policy: list \"{}\" before it",
                            m.id(),
                            d.label(),
                            d.id()
                        ),
                    ));
                }
            }
        }
        let l = &self.llm;
        if let Some(t) = &l.template {
            PromptTemplate::new(t).map_err(|e| bad("llm.template", e.to_string()))?;
        }
        if let Some(m) = &l.model {
            // A link can set it, and the estimate panel shows it: bounded, one line.
            let n = m.chars().count();
            if n > crate::limits::MODEL_CHARS {
                return Err(bad(
                    "llm.model",
                    format!(
                        "must be at most {} characters, got {n}",
                        crate::limits::MODEL_CHARS
                    ),
                ));
            }
            if m.chars().any(char::is_control) {
                return Err(bad("llm.model", "must not contain control characters (line breaks, tabs, …)"));
            }
        }
        if let Some(u) = l.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
            // No user:pass@ and no ?query: a key hidden there would travel in links,
            // results and the address bar.
            crate::llm::key::origin_of(u).map_err(|e| bad("llm.base_url", e.to_string()))?;
        }
        let i = &self.ialp;
        if i.top_share + i.popular_share > 1.0 {
            return Err(bad(
                "ialp.popular_share",
                format!(
                    "must be at most 1 − ialp.top_share = {}, got {}",
                    1.0 - i.top_share,
                    i.popular_share
                ),
            ));
        }
        let env = &self.env;
        let synthetic = match env.data {
            DataSource::Real => {
                if env.scale.is_some_and(|s| s > 1.0) {
                    return Err(bad(
                        "env.scale",
                        format!(
                            "real data can be cut down to a share of its users and items (at most 1), not scaled up; got {}",
                            env.scale.unwrap_or(1.0)
                        ),
                    ));
                }
                None
            }
            DataSource::Synthetic => {
                let scale = env
                    .scale
                    .unwrap_or_else(|| synthetic::default_scale(env.preset));
                Some(SyntheticParams {
                    preset: env.preset,
                    seed: self.seed,
                    scale,
                })
            }
        };
        // τ follows the published shape of real data (cut down by env.scale).
        let n_users = match synthetic {
            Some(p) => synthetic::shape(p.preset, p.scale).0,
            None => synthetic::shape(env.preset, env.scale.unwrap_or(1.0)).0,
        };
        let default_rule = env.preset.default_quit_rule(n_users);
        let n = env.leave_n.unwrap_or(default_rule.n());
        let quit = match (env.leave_n, env.leave_tau) {
            (None, None) => default_rule,
            (_, tau) => {
                let tau = tau.unwrap_or(match default_rule {
                    QuitRule::ItemDistance { tau, .. } => tau,
                    QuitRule::TagCount { tau, .. } => tau as f32,
                });
                if matches!(default_rule, QuitRule::TagCount { .. }) && tau.fract() != 0.0 {
                    return Err(bad(
                        "env.leave_tau",
                        format!("counts tags, so it must be a whole number, got {tau}"),
                    ));
                }
                env.preset.quit_rule_with(n, tau)
            }
        };
        let settings = EnvSettings {
            mode: env.mode,
            quit,
            window: env.window,
            max_turn: env.max_turn,
        };
        // Each value in range can still multiply into gigabytes or days: bound the whole.
        super::cost::estimate(&self)
            .within_budget()
            .map_err(|e| bad("budget", e.to_string()))?;
        Ok(ValidConfig {
            raw: self,
            synthetic,
            settings,
        })
    }
}

fn bad(field: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.into(),
        problem: problem.into(),
    }
}
