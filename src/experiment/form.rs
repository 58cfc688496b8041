//! The page's settings as a person types them (text boxes, selects), turned into an
//! [`ExperimentConfig`]. Pure, so it is tested natively; the page only forwards events.

use super::config::{ConfigError, DataSource, EnvConfig, ExperimentConfig, ValidConfig};
use crate::env::{synthetic, Mode, Preset, QuitRule, Window};
use crate::llm::prompt::DEFAULT_TEMPLATE;
use crate::llm::{LlmConfig, Provider};
use crate::methods::Method;

/// Text and choices as shown in the page's controls. Empty optional boxes mean "the
/// preset's default".
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigForm {
    pub preset: Preset,
    pub data: DataSource,
    pub scale: String,
    pub seed: String,
    pub mode: Mode,
    /// Episodes per evaluation.
    pub eval_episodes: String,
    pub seeds: String,
    pub offline_episodes: String,
    pub online_episodes: String,
    pub eval_every: String,
    pub a2c_learning_rate: String,
    pub a2c_entropy_weight: String,
    pub leave_n: String,
    pub leave_tau: String,
    pub window: Window,
    pub methods: Vec<Method>,
    /// Who rates iALP's cases, and the LLM panel's boxes.
    pub llm_provider: Provider,
    pub llm_base_url: String,
    pub llm_model: String,
    pub llm_oracle_noise: String,
    pub llm_max_calls: String,
    pub llm_max_concurrent: String,
    pub llm_timeout_secs: String,
    pub llm_cases_per_request: String,
    /// The prompt template as edited (the default's text when untouched).
    pub llm_template: String,
    pub ialp_lambda: String,
    pub ialp_states: String,
    /// Everything the form does not show, kept as it was.
    pub rest: ExperimentConfig,
}

impl Default for ConfigForm {
    fn default() -> Self {
        Self::from_config(&ExperimentConfig::default())
    }
}

impl ConfigForm {
    /// The form showing `c`.
    pub fn from_config(c: &ExperimentConfig) -> Self {
        let opt = |v: Option<String>| v.unwrap_or_default();
        Self {
            preset: c.env.preset,
            data: c.env.data,
            scale: opt(c.env.scale.map(|s| s.to_string())),
            seed: c.seed.to_string(),
            mode: c.env.mode,
            eval_episodes: c.eval_episodes.to_string(),
            seeds: c.seeds.to_string(),
            offline_episodes: c.training.offline_episodes.to_string(),
            online_episodes: c.training.online_episodes.to_string(),
            eval_every: c.training.eval_every.to_string(),
            a2c_learning_rate: c.a2c.learning_rate.to_string(),
            a2c_entropy_weight: c.a2c.entropy_weight.to_string(),
            leave_n: opt(c.env.leave_n.map(|n| n.to_string())),
            leave_tau: opt(c.env.leave_tau.map(|t| t.to_string())),
            window: c.env.window,
            methods: c.methods.clone(),
            llm_provider: c.llm.provider,
            llm_base_url: opt(c.llm.base_url.clone()),
            llm_model: opt(c.llm.model.clone()),
            llm_oracle_noise: c.llm.oracle_noise.to_string(),
            llm_max_calls: c.llm.max_calls.to_string(),
            llm_max_concurrent: c.llm.max_concurrent.to_string(),
            llm_timeout_secs: c.llm.timeout_secs.to_string(),
            llm_cases_per_request: c.llm.cases_per_request.to_string(),
            llm_template: c.llm.template_text().to_string(),
            ialp_lambda: c.ialp.lambda.to_string(),
            ialp_states: c.ialp.states.to_string(),
            rest: c.clone(),
        }
    }

    /// Switches the environment (real data stays selected: every preset has a real
    /// data set); the quit-rule and size boxes go back to the new preset's defaults.
    pub fn set_preset(&mut self, p: Preset) {
        if p != self.preset {
            self.preset = p;
            self.leave_n.clear();
            self.leave_tau.clear();
            self.scale.clear();
        }
    }

    /// The defaults the empty boxes stand for: (scale, N, τ).
    pub fn defaults(&self) -> (f64, usize, String) {
        let scale = synthetic::default_scale(self.preset);
        let scale_now = self
            .scale
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(scale);
        let users = match self.data {
            DataSource::Real => synthetic::shape(
                self.preset,
                self.scale.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0),
            )
            .0,
            DataSource::Synthetic => synthetic::shape(self.preset, scale_now).0,
        };
        match self.preset.default_quit_rule(users) {
            QuitRule::ItemDistance { n, tau } => (scale, n, tau.to_string()),
            QuitRule::TagCount { n, tau } => (scale, n, tau.to_string()),
        }
    }

    /// Parses every box and checks the result; the error names the field.
    pub fn to_config(&self) -> Result<ValidConfig, ConfigError> {
        // What a box wants is read from the config's bounds: a count or a number.
        fn what(field: &str) -> &'static str {
            match super::bounds::bound(field) {
                Some(b) if b.whole => "a whole number",
                _ => "a number",
            }
        }
        fn opt<T: std::str::FromStr>(field: &str, s: &str) -> Result<Option<T>, ConfigError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse().map(Some).map_err(|_| ConfigError {
                field: field.into(),
                problem: format!("'{s}' is not {}", what(field)),
            })
        }
        fn req<T: std::str::FromStr>(field: &str, s: &str) -> Result<T, ConfigError> {
            opt(field, s)?.ok_or_else(|| ConfigError {
                field: field.into(),
                problem: format!("is empty; enter {}", what(field)),
            })
        }
        let config = ExperimentConfig {
            env: EnvConfig {
                preset: self.preset,
                data: self.data,
                // Real Coat is used whole (the page hides the box); other real data
                // sets are cut to the box's share of their users and items.
                scale: if self.data == DataSource::Real && self.preset == Preset::Coat {
                    None
                } else {
                    opt("env.scale", &self.scale)?
                },
                mode: self.mode,
                leave_n: opt("env.leave_n", &self.leave_n)?,
                leave_tau: opt("env.leave_tau", &self.leave_tau)?,
                window: self.window,
                max_turn: self.rest.env.max_turn,
            },
            methods: self.methods.clone(),
            eval_episodes: req("eval_episodes", &self.eval_episodes)?,
            seed: req("seed", &self.seed)?,
            seeds: req("seeds", &self.seeds)?,
            first_run: self.rest.first_run,
            training: super::config::Training {
                offline_episodes: req("training.offline_episodes", &self.offline_episodes)?,
                online_episodes: req("training.online_episodes", &self.online_episodes)?,
                eval_every: req("training.eval_every", &self.eval_every)?,
            },
            a2c: crate::policy::a2c::A2cConfig {
                learning_rate: req("a2c.learning_rate", &self.a2c_learning_rate)?,
                entropy_weight: req("a2c.entropy_weight", &self.a2c_entropy_weight)?,
                ..self.rest.a2c
            },
            llm: LlmConfig {
                provider: self.llm_provider,
                base_url: Some(self.llm_base_url.trim().to_string()).filter(|s| !s.is_empty()),
                model: Some(self.llm_model.trim().to_string()).filter(|s| !s.is_empty()),
                oracle_noise: req("llm.oracle_noise", &self.llm_oracle_noise)?,
                max_calls: req("llm.max_calls", &self.llm_max_calls)?,
                max_concurrent: req("llm.max_concurrent", &self.llm_max_concurrent)?,
                timeout_secs: req("llm.timeout_secs", &self.llm_timeout_secs)?,
                cases_per_request: req("llm.cases_per_request", &self.llm_cases_per_request)?,
                // An untouched template is not written into the config.
                template: Some(self.llm_template.clone()).filter(|t| t != DEFAULT_TEMPLATE),
                ..self.rest.llm.clone()
            },
            ialp: crate::ialp::IalpConfig {
                lambda: req("ialp.lambda", &self.ialp_lambda)?,
                states: req("ialp.states", &self.ialp_states)?,
                ..self.rest.ialp
            },
            ..self.rest.clone()
        };
        config.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_form_is_the_default_config() {
        assert_eq!(
            ConfigForm::default().to_config().unwrap().raw(),
            &ExperimentConfig::default()
        );
    }

    #[test]
    fn typing_errors_name_the_field() {
        let mut f = ConfigForm::default();
        f.seed = "12a".into();
        let e = f.to_config().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.as_str()),
            ("seed", "'12a' is not a whole number")
        );
        let mut f = ConfigForm::default();
        f.eval_episodes = "-5".into();
        assert_eq!(f.to_config().unwrap_err().field, "eval_episodes");
        let mut f = ConfigForm::default();
        f.a2c_learning_rate = "NaN".into();
        let e = f.to_config().unwrap_err();
        assert_eq!(e.field, "a2c.learning_rate", "{e}");
        let mut f = ConfigForm::default();
        f.online_episodes = "lots".into();
        assert_eq!(f.to_config().unwrap_err().field, "training.online_episodes");
        let mut f = ConfigForm::default();
        f.leave_tau = "NaN".into();
        assert_eq!(f.to_config().unwrap_err().field, "env.leave_tau");
    }

    #[test]
    fn real_data_keeps_its_share_except_for_coat() {
        let mut f = ConfigForm::default();
        f.set_preset(Preset::MovieLens);
        f.data = DataSource::Real;
        f.scale = "0.1".into();
        assert_eq!(f.to_config().unwrap().raw().env.scale, Some(0.1));
        f.set_preset(Preset::Coat);
        f.scale = "0.5".into();
        assert_eq!(f.to_config().unwrap().raw().env.scale, None);
    }

    #[test]
    fn switching_preset_keeps_real_data_and_resets_the_rule() {
        let mut f = ConfigForm::default();
        f.data = DataSource::Real;
        f.leave_n = "3".into();
        f.set_preset(Preset::KuaiRec);
        assert_eq!((f.data, f.leave_n.as_str()), (DataSource::Real, ""));
        assert_eq!(f.defaults().1, 4);
    }
}
