//! The experiment config: what the page's controls, a URL, a JSON file and the CLI's
//! flags all become. It is checked once, on entry ([`ExperimentConfig::check`] →
//! [`ValidConfig`]); an invalid value is named with its allowed range and never reaches
//! the simulation.

use serde::{Deserialize, Serialize};

use crate::env::synthetic::{self, SyntheticParams, SCALE_RANGE};
use crate::env::{EnvSettings, Mode, Preset, QuitRule, Window, MAX_TURN};
use crate::policy::PolicyKind;

/// The current config format. Bump on incompatible changes.
pub const CONFIG_VERSION: u32 = 1;
/// Largest seed: seeds must survive a round trip through JavaScript numbers.
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Most episodes a simulation may run.
pub const MAX_EPISODES: usize = 1_000_000;

/// Synthetic world or the real data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    #[default]
    Synthetic,
    Real,
}

/// The environment part of a config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    pub preset: Preset,
    #[serde(default)]
    pub data: DataSource,
    /// Shape of a synthetic world relative to the real data (default per preset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    #[serde(default)]
    pub mode: Mode,
    /// Quit-rule window N (default: the preset's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_n: Option<usize>,
    /// Quit-rule threshold τ (default: the preset's, scaled with the world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_tau: Option<f32>,
    #[serde(default)]
    pub window: Window,
    #[serde(default = "default_max_turn")]
    pub max_turn: usize,
}

fn default_max_turn() -> usize {
    MAX_TURN
}

/// A whole experiment, as written by people and programs. Check it before use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    #[serde(default = "default_version")]
    pub version: u32,
    pub env: EnvConfig,
    pub policies: Vec<PolicyKind>,
    pub episodes: usize,
    pub seed: u64,
}

fn default_version() -> u32 {
    CONFIG_VERSION
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            env: EnvConfig {
                preset: Preset::Coat,
                data: DataSource::Synthetic,
                scale: None,
                mode: Mode::Nx0,
                leave_n: None,
                leave_tau: None,
                window: Window::Intended,
                max_turn: MAX_TURN,
            },
            policies: vec![PolicyKind::Random, PolicyKind::Popular],
            episodes: 500,
            seed: 2025,
        }
    }
}

/// A config value outside what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    /// The field's path, e.g. `"env.scale"`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

fn bad(field: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), problem: problem.into() }
}

/// A config that passed [`ExperimentConfig::check`]: every value in range, defaults
/// resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidConfig {
    raw: ExperimentConfig,
    /// The synthetic world's parameters (`None` for real data).
    pub synthetic: Option<SyntheticParams>,
    /// The resolved environment rules.
    pub settings: EnvSettings,
}

impl ValidConfig {
    pub fn raw(&self) -> &ExperimentConfig {
        &self.raw
    }
    pub fn preset(&self) -> Preset {
        self.raw.env.preset
    }
    pub fn episodes(&self) -> usize {
        self.raw.episodes
    }
    pub fn seed(&self) -> u64 {
        self.raw.seed
    }
    pub fn policies(&self) -> &[PolicyKind] {
        &self.raw.policies
    }
    pub fn data(&self) -> DataSource {
        self.raw.env.data
    }
}

impl ExperimentConfig {
    /// Parses JSON and checks it.
    pub fn from_json(text: &str) -> Result<ValidConfig, ConfigError> {
        let raw: ExperimentConfig = serde_json::from_str(text).map_err(|e| bad("config", e.to_string()))?;
        raw.check()
    }

    /// Checks every value; the error names the first bad field and its allowed range.
    pub fn check(self) -> Result<ValidConfig, ConfigError> {
        if self.version != CONFIG_VERSION {
            return Err(bad("version", format!("must be {CONFIG_VERSION}, got {}", self.version)));
        }
        if self.episodes == 0 || self.episodes > MAX_EPISODES {
            return Err(bad("episodes", format!("must be between 1 and {MAX_EPISODES}, got {}", self.episodes)));
        }
        if self.seed > MAX_SEED {
            return Err(bad("seed", format!("must be between 0 and {MAX_SEED}, got {}", self.seed)));
        }
        if self.policies.is_empty() {
            return Err(bad("policies", "choose at least one policy"));
        }
        for (i, p) in self.policies.iter().enumerate() {
            if self.policies[..i].contains(p) {
                return Err(bad("policies", format!("'{}' is listed twice", p.id())));
            }
        }
        let env = &self.env;
        if env.max_turn == 0 || env.max_turn > 100 {
            return Err(bad("env.max_turn", format!("must be between 1 and 100, got {}", env.max_turn)));
        }
        let synthetic = match env.data {
            DataSource::Real if env.preset != Preset::Coat => {
                return Err(bad("env.data", format!("real data can be loaded for coat only, not {}", env.preset.id())))
            }
            DataSource::Real => None,
            DataSource::Synthetic => {
                let scale = env.scale.unwrap_or_else(|| synthetic::default_scale(env.preset));
                let (lo, hi) = SCALE_RANGE;
                if !(scale.is_finite() && (lo..=hi).contains(&scale)) {
                    return Err(bad("env.scale", format!("must be between {lo} and {hi}, got {scale}")));
                }
                Some(SyntheticParams { preset: env.preset, seed: self.seed, scale })
            }
        };
        let n_users = match synthetic {
            Some(p) => synthetic::shape(p.preset, p.scale).0,
            None => env.preset.real_shape().0,
        };
        let default_rule = env.preset.default_quit_rule(n_users);
        let n = env.leave_n.unwrap_or(default_rule.n());
        if n == 0 || n > 30 {
            return Err(bad("env.leave_n", format!("must be between 1 and 30, got {n}")));
        }
        let quit = match (env.leave_n, env.leave_tau) {
            (None, None) => default_rule,
            (_, tau) => {
                let tau = tau.unwrap_or(match default_rule {
                    QuitRule::ItemDistance { tau, .. } => tau,
                    QuitRule::TagCount { tau, .. } => tau as f32,
                });
                if !(tau.is_finite() && (0.0..=1000.0).contains(&tau)) {
                    return Err(bad("env.leave_tau", format!("must be between 0 and 1000, got {tau}")));
                }
                if matches!(default_rule, QuitRule::TagCount { .. }) && tau.fract() != 0.0 {
                    return Err(bad("env.leave_tau", format!("counts tags, so it must be a whole number, got {tau}")));
                }
                env.preset.quit_rule_with(n, tau)
            }
        };
        let settings = EnvSettings { mode: env.mode, quit, window: env.window, max_turn: env.max_turn };
        Ok(ValidConfig { raw: self, synthetic, settings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(c: ExperimentConfig) -> String {
        c.check().unwrap_err().field
    }

    #[test]
    fn defaults_are_valid_and_resolve_the_preset_rule() {
        let v = ExperimentConfig::default().check().unwrap();
        assert_eq!(v.settings.quit, QuitRule::ItemDistance { n: 7, tau: 6.0 });
        assert_eq!(v.synthetic.unwrap().scale, 1.0);
    }

    #[test]
    fn bad_values_name_their_field() {
        let mut c = ExperimentConfig::default();
        c.episodes = 0;
        assert_eq!(field_of(c), "episodes");
        let mut c = ExperimentConfig::default();
        c.env.scale = Some(f64::NAN);
        assert_eq!(field_of(c), "env.scale");
        let mut c = ExperimentConfig::default();
        c.env.leave_tau = Some(-1.0);
        assert_eq!(field_of(c), "env.leave_tau");
        let mut c = ExperimentConfig::default();
        c.env.preset = Preset::KuaiRec;
        c.env.data = DataSource::Real;
        assert_eq!(field_of(c), "env.data");
        let mut c = ExperimentConfig::default();
        c.policies = vec![PolicyKind::Random, PolicyKind::Random];
        assert_eq!(field_of(c), "policies");
        let mut c = ExperimentConfig::default();
        c.seed = MAX_SEED + 1;
        assert_eq!(field_of(c), "seed");
    }

    #[test]
    fn json_round_trip_and_unknown_fields_are_rejected() {
        let c = ExperimentConfig::default();
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(ExperimentConfig::from_json(&text).unwrap().raw(), &c);
        let e = ExperimentConfig::from_json(r#"{"env":{"preset":"coat"},"policies":["random"],"episodes":5,"seed":1,"speed":3}"#).unwrap_err();
        assert!(e.problem.contains("unknown field `speed`"), "{e}");
    }

    #[test]
    fn explicit_n_tau_override_and_dorl_coat_setting() {
        let mut c = ExperimentConfig::default();
        c.env.leave_n = Some(3);
        c.env.leave_tau = Some(10.0);
        assert_eq!(c.check().unwrap().settings.quit, QuitRule::ItemDistance { n: 3, tau: 10.0 });
        let mut k = ExperimentConfig::default();
        k.env.preset = Preset::KuaiRec;
        k.env.leave_tau = Some(1.5);
        assert_eq!(field_of(k), "env.leave_tau");
    }
}
