//! The page's settings as a person types them (text boxes, selects, checkboxes), turned
//! into an [`ExperimentConfig`]. One table, [`ROWS`]: a row per control, with its config
//! path, its element id, its label, its kind, and how the config's value reads as the
//! control's text and goes back. Ranges are not here: a number's bound is the line at
//! the same path in `bounds.rs`. Pure, so it is tested natively; the page only forwards
//! events (`Edit(SettingId, text)`).

use super::config::{ConfigError, DataSource, ExperimentConfig, ValidConfig};
use crate::env::{synthetic, Mode, Preset, QuitRule, Window};
use crate::llm::prompt::DEFAULT_TEMPLATE;
use crate::llm::Provider;
use crate::methods::Method;

/// What kind of control a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A text box holding a number; its range is the bound at the row's path.
    Number,
    /// Free text (an address, a model name, the prompt template).
    Text,
    /// A select: the text is the option's value, as the config's JSON names it.
    Choice,
    /// A set of checkboxes: the text is the ticked ids, joined by commas.
    Checks,
}

/// One control of the form.
pub struct Row {
    pub id: SettingId,
    /// The value's path in `config.json` and in links.
    pub path: &'static str,
    /// The control's element id in the page (the e2e tests find it by this).
    pub element: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// The config's value as the control shows it.
    read: fn(&ExperimentConfig) -> String,
    /// The control's text into the config; the error names the path.
    write: fn(&mut ExperimentConfig, &str) -> Result<(), ConfigError>,
}

/// What a number box wants, read from the config's bounds: a count or a number.
fn what(path: &str) -> &'static str {
    match super::bounds::bound(path) {
        Some(b) if b.whole => "a whole number",
        _ => "a number",
    }
}

/// An optional number: an empty box is `None` (the preset's default).
fn opt<T: std::str::FromStr>(path: &str, s: &str) -> Result<Option<T>, ConfigError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| ConfigError {
        field: path.into(),
        problem: format!("'{s}' is not {}", what(path)),
    })
}

/// A number that must be there.
fn req<T: std::str::FromStr>(path: &str, s: &str) -> Result<T, ConfigError> {
    opt(path, s)?.ok_or_else(|| ConfigError {
        field: path.into(),
        problem: format!("is empty; enter {}", what(path)),
    })
}

/// Free text where empty means "none" (the provider's default).
fn opt_text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

fn data_source(s: &str) -> DataSource {
    if s == "real" {
        DataSource::Real
    } else {
        DataSource::Synthetic
    }
}

fn data_id(d: DataSource) -> &'static str {
    match d {
        DataSource::Synthetic => "synthetic",
        DataSource::Real => "real",
    }
}

fn window(s: &str) -> Window {
    if s == "peer_compatible" {
        Window::PeerCompatible
    } else {
        Window::Intended
    }
}

fn window_id(w: Window) -> &'static str {
    match w {
        Window::Intended => "intended",
        Window::PeerCompatible => "peer_compatible",
    }
}

fn methods(s: &str) -> Vec<Method> {
    s.split(',').filter_map(Method::from_id).collect()
}

fn methods_text(m: &[Method]) -> String {
    m.iter().map(|m| m.id()).collect::<Vec<_>>().join(",")
}

/// `req |c| PLACE` (a number that must be there) or `opt |c| PLACE` (empty = default):
/// a number row's read and write from the one place in the config it edits.
macro_rules! number {
    (req, $path:literal, |$c:ident| $place:expr) => {
        (
            |$c: &ExperimentConfig| $place.to_string(),
            |$c: &mut ExperimentConfig, s: &str| {
                $place = req($path, s)?;
                Ok(())
            },
        )
    };
    (opt, $path:literal, |$c:ident| $place:expr) => {
        (
            |$c: &ExperimentConfig| $place.map(|v| v.to_string()).unwrap_or_default(),
            |$c: &mut ExperimentConfig, s: &str| {
                $place = opt($path, s)?;
                Ok(())
            },
        )
    };
}

/// Any other row: how its text reads from `c`, and how `s` goes into `c`.
macro_rules! other {
    (|$c:ident| $read:expr, |$w:ident, $s:ident| $write:expr) => {
        (
            |$c: &ExperimentConfig| -> String { $read.into() },
            |$w: &mut ExperimentConfig, $s: &str| {
                $write;
                Ok(())
            },
        )
    };
}

/// The table and the ids naming its rows, from one list: a new control is one line.
macro_rules! rows {
    ($($(#[$doc:meta])* $id:ident: $kind:ident $path:literal, $element:literal, $label:literal, $rw:expr;)*) => {
        /// A control of the form: its row in [`ROWS`] (the discriminant is the index).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SettingId {
            $($(#[$doc])* $id,)*
        }

        /// Every control, in the order `to_config` reads them (so the first error named
        /// is the one a person sees first, as it always was).
        pub static ROWS: &[Row] = &[$({
            let (read, write) = $rw;
            Row { id: SettingId::$id, path: $path, element: $element, label: $label, kind: Kind::$kind, read, write }
        },)*];
    };
}

rows! {
    Preset: Choice "env.preset", "preset", "Environment",
        other!(|c| c.env.preset.id(), |c, s| if let Some(p) = Preset::from_id(s) { c.env.preset = p });
    Data: Choice "env.data", "data-source", "Data",
        other!(|c| data_id(c.env.data), |c, s| c.env.data = data_source(s));
    /// The label depends on the data (the page writes it).
    Scale: Number "env.scale", "scale", "World size (× real)", number!(opt, "env.scale", |c| c.env.scale);
    Mode: Choice "env.mode", "mode", "Evaluation mode",
        other!(|c| c.env.mode.id(), |c, s| c.env.mode = Mode::from_id(s).unwrap_or_default());
    LeaveN: Number "env.leave_n", "leave-n", "Window N", number!(opt, "env.leave_n", |c| c.env.leave_n);
    /// KuaiRec's τ counts tags (the page says so).
    LeaveTau: Number "env.leave_tau", "leave-tau", "Threshold τ (item distance)", number!(opt, "env.leave_tau", |c| c.env.leave_tau);
    Window: Choice "env.window", "window", "Window",
        other!(|c| window_id(c.env.window), |c, s| c.env.window = window(s));
    /// One checkbox per method, `method-ID`.
    Methods: Checks "methods", "method-", "Methods",
        other!(|c| methods_text(&c.methods), |c, s| c.methods = methods(s));
    EvalEpisodes: Number "eval_episodes", "eval-episodes", "Episodes per evaluation", number!(req, "eval_episodes", |c| c.eval_episodes);
    Seed: Number "seed", "seed", "Seed", number!(req, "seed", |c| c.seed);
    Seeds: Number "seeds", "seeds", "Seeds (runs per method)", number!(req, "seeds", |c| c.seeds);
    OfflineEpisodes: Number "training.offline_episodes", "offline-episodes", "Offline training episodes (user model)",
        number!(req, "training.offline_episodes", |c| c.training.offline_episodes);
    OnlineEpisodes: Number "training.online_episodes", "online-episodes", "Online training episodes (ground truth)",
        number!(req, "training.online_episodes", |c| c.training.online_episodes);
    EvalEvery: Number "training.eval_every", "eval-every", "Evaluate every … training episodes",
        number!(req, "training.eval_every", |c| c.training.eval_every);
    A2cLearningRate: Number "a2c.learning_rate", "a2c-lr", "Learning rate (Adam)", number!(req, "a2c.learning_rate", |c| c.a2c.learning_rate);
    A2cEntropyWeight: Number "a2c.entropy_weight", "a2c-entropy", "Entropy bonus weight", number!(req, "a2c.entropy_weight", |c| c.a2c.entropy_weight);
    A2cGamma: Number "a2c.gamma", "a2c-gamma", "Discount γ", number!(req, "a2c.gamma", |c| c.a2c.gamma);
    LlmProvider: Choice "llm.provider", "llm-provider", "Ratings from",
        other!(|c| c.llm.provider.id(), |c, s| c.llm.provider = Provider::from_id(s).unwrap_or_default());
    LlmBaseUrl: Text "llm.base_url", "llm-base-url", "Base URL",
        other!(|c| c.llm.base_url.clone().unwrap_or_default(), |c, s| c.llm.base_url = opt_text(s));
    LlmModel: Text "llm.model", "llm-model", "Model",
        other!(|c| c.llm.model.clone().unwrap_or_default(), |c, s| c.llm.model = opt_text(s));
    LlmOracleNoise: Number "llm.oracle_noise", "llm-noise", "Oracle noise σ (rating points)", number!(req, "llm.oracle_noise", |c| c.llm.oracle_noise);
    LlmMaxCalls: Number "llm.max_calls", "llm-max-calls", "Most requests per distillation", number!(req, "llm.max_calls", |c| c.llm.max_calls);
    LlmMaxConcurrent: Number "llm.max_concurrent", "llm-concurrent", "Requests at once", number!(req, "llm.max_concurrent", |c| c.llm.max_concurrent);
    LlmTimeoutSecs: Number "llm.timeout_secs", "llm-timeout", "Timeout per request (s)", number!(req, "llm.timeout_secs", |c| c.llm.timeout_secs);
    LlmCasesPerRequest: Number "llm.cases_per_request", "llm-cases", "States per request", number!(req, "llm.cases_per_request", |c| c.llm.cases_per_request);
    /// The template as edited (the default's text when untouched, which is not written
    /// into the config).
    LlmTemplate: Text "llm.template", "llm-template", "Prompt template",
        other!(|c| c.llm.template_text(), |c, s| c.llm.template = Some(s.to_string()).filter(|t| t != DEFAULT_TEMPLATE));
    IalpLambda: Number "ialp.lambda", "ialp-lambda", "λ: weight of R_φ in the reward (0 = Offline A2C)", number!(req, "ialp.lambda", |c| c.ialp.lambda);
    IalpStates: Number "ialp.states", "ialp-states", "States to rate", number!(req, "ialp.states", |c| c.ialp.states);
}

impl SettingId {
    /// Its row of the table.
    pub fn row(self) -> &'static Row {
        &ROWS[self as usize]
    }
}

/// Text and choices as shown in the page's controls, one text per row of [`ROWS`]. Empty
/// optional boxes mean "the preset's default".
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigForm {
    /// `texts[id as usize]` is what the control `id` shows.
    texts: Vec<String>,
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
        Self {
            texts: ROWS.iter().map(|r| (r.read)(c)).collect(),
            rest: c.clone(),
        }
    }

    /// What control `id` shows.
    pub fn text(&self, id: SettingId) -> &str {
        &self.texts[id as usize]
    }

    /// The person changed control `id` to `text`. A choice is kept as the config names
    /// it; a new environment resets the boxes that default to the preset's values.
    pub fn edit(&mut self, id: SettingId, text: &str) {
        let row = id.row();
        match id {
            SettingId::Preset => {
                if let Some(p) = Preset::from_id(text) {
                    self.set_preset(p);
                }
            }
            _ if row.kind == Kind::Choice => {
                let mut c = self.rest.clone();
                // A choice's write never fails: an unknown name is the default's.
                let _ = (row.write)(&mut c, text);
                self.texts[id as usize] = (row.read)(&c);
            }
            _ => self.texts[id as usize] = text.to_string(),
        }
    }

    pub fn preset(&self) -> Preset {
        Preset::from_id(self.text(SettingId::Preset)).unwrap_or(self.rest.env.preset)
    }

    pub fn data(&self) -> DataSource {
        data_source(self.text(SettingId::Data))
    }

    pub fn set_data(&mut self, d: DataSource) {
        self.edit(SettingId::Data, data_id(d));
    }

    pub fn mode(&self) -> Mode {
        Mode::from_id(self.text(SettingId::Mode)).unwrap_or_default()
    }

    pub fn window(&self) -> Window {
        window(self.text(SettingId::Window))
    }

    pub fn provider(&self) -> Provider {
        Provider::from_id(self.text(SettingId::LlmProvider)).unwrap_or_default()
    }

    /// The ticked methods, in the order they were ticked into the list.
    pub fn methods(&self) -> Vec<Method> {
        methods(self.text(SettingId::Methods))
    }

    pub fn set_methods(&mut self, m: &[Method]) {
        self.texts[SettingId::Methods as usize] = methods_text(m);
    }

    /// Ticks (in `Method::ALL`'s order) or unticks method `m`.
    pub fn tick_method(&mut self, m: Method, on: bool) {
        let mut ms = self.methods();
        ms.retain(|q| *q != m);
        if on {
            ms.push(m);
            ms.sort_by_key(|q| Method::ALL.iter().position(|x| x == q));
        }
        self.set_methods(&ms);
    }

    /// Switches the environment (real data stays selected: every preset has a real
    /// data set); the quit-rule and size boxes go back to the new preset's defaults.
    pub fn set_preset(&mut self, p: Preset) {
        if p != self.preset() {
            self.texts[SettingId::Preset as usize] = p.id().to_string();
            for id in [SettingId::LeaveN, SettingId::LeaveTau, SettingId::Scale] {
                self.texts[id as usize].clear();
            }
        }
    }

    /// The defaults the empty boxes stand for: (scale, N, τ).
    pub fn defaults(&self) -> (f64, usize, String) {
        let preset = self.preset();
        let scale = synthetic::default_scale(preset);
        let typed = self
            .text(SettingId::Scale)
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0);
        let users = match self.data() {
            DataSource::Real => synthetic::shape(preset, typed.unwrap_or(1.0)).0,
            DataSource::Synthetic => synthetic::shape(preset, typed.unwrap_or(scale)).0,
        };
        match preset.default_quit_rule(users) {
            QuitRule::ItemDistance { n, tau } => (scale, n, tau.to_string()),
            QuitRule::TagCount { n, tau } => (scale, n, tau.to_string()),
        }
    }

    /// Parses every control, in the table's order, and checks the result; the error
    /// names the field.
    pub fn to_config(&self) -> Result<ValidConfig, ConfigError> {
        let mut c = self.rest.clone();
        // Real Coat is used whole (the page hides the box); other real data sets are
        // cut to the box's share of their users and items.
        let whole_coat = self.data() == DataSource::Real && self.preset() == Preset::Coat;
        for row in ROWS {
            if row.id == SettingId::Scale && whole_coat {
                c.env.scale = None;
            } else {
                (row.write)(&mut c, self.text(row.id))?;
            }
        }
        c.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::bounds;

    fn with(id: SettingId, text: &str) -> ConfigForm {
        let mut f = ConfigForm::default();
        f.edit(id, text);
        f
    }

    #[test]
    fn default_form_is_the_default_config() {
        assert_eq!(
            ConfigForm::default().to_config().unwrap().raw(),
            &ExperimentConfig::default()
        );
    }

    #[test]
    fn typing_errors_name_the_field() {
        let e = with(SettingId::Seed, "12a").to_config().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.as_str()),
            ("seed", "'12a' is not a whole number")
        );
        let e = with(SettingId::Seed, " ").to_config().unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.problem.as_str()),
            ("seed", "is empty; enter a whole number")
        );
        let e = with(SettingId::EvalEpisodes, "-5").to_config().unwrap_err();
        assert_eq!(e.field, "eval_episodes");
        let e = with(SettingId::A2cLearningRate, "NaN").to_config().unwrap_err();
        assert_eq!(e.field, "a2c.learning_rate", "{e}");
        let e = with(SettingId::A2cLearningRate, "fast").to_config().unwrap_err();
        assert_eq!(e.problem, "'fast' is not a number");
        let e = with(SettingId::OnlineEpisodes, "lots").to_config().unwrap_err();
        assert_eq!(e.field, "training.online_episodes");
        let e = with(SettingId::LeaveTau, "NaN").to_config().unwrap_err();
        assert_eq!(e.field, "env.leave_tau");
    }

    #[test]
    fn the_first_bad_box_in_the_tables_order_is_named() {
        let mut f = with(SettingId::IalpStates, "x");
        f.edit(SettingId::Seeds, "y");
        assert_eq!(f.to_config().unwrap_err().field, "seeds");
    }

    #[test]
    fn real_data_keeps_its_share_except_for_coat() {
        let mut f = ConfigForm::default();
        f.set_preset(Preset::MovieLens);
        f.set_data(DataSource::Real);
        f.edit(SettingId::Scale, "0.1");
        assert_eq!(f.to_config().unwrap().raw().env.scale, Some(0.1));
        f.set_preset(Preset::Coat);
        f.edit(SettingId::Scale, "0.5");
        assert_eq!(f.to_config().unwrap().raw().env.scale, None);
        // The hidden box is not even read.
        f.edit(SettingId::Scale, "lots");
        assert!(f.to_config().is_ok());
    }

    #[test]
    fn switching_preset_keeps_real_data_and_resets_the_rule() {
        let mut f = ConfigForm::default();
        f.set_data(DataSource::Real);
        f.edit(SettingId::LeaveN, "3");
        f.edit(SettingId::Preset, Preset::KuaiRec.id());
        assert_eq!(
            (f.data(), f.text(SettingId::LeaveN)),
            (DataSource::Real, "")
        );
        assert_eq!(f.defaults().1, 4);
        // An unknown environment changes nothing.
        f.edit(SettingId::LeaveN, "3");
        f.edit(SettingId::Preset, "atlantis");
        assert_eq!((f.preset(), f.text(SettingId::LeaveN)), (Preset::KuaiRec, "3"));
    }

    #[test]
    fn choices_are_kept_as_the_config_names_them() {
        let f = with(SettingId::Mode, "no-such-mode");
        assert_eq!(f.mode(), Mode::default());
        assert_eq!(f.text(SettingId::Mode), Mode::default().id());
        let f = with(SettingId::Data, "real");
        assert_eq!(f.to_config().unwrap().raw().env.data, DataSource::Real);
        let f = with(SettingId::Window, "peer_compatible");
        assert_eq!(f.window(), Window::PeerCompatible);
        let f = with(SettingId::LlmProvider, Provider::Oracle.id());
        assert_eq!(f.to_config().unwrap().raw().llm.provider, Provider::Oracle);
    }

    #[test]
    fn methods_tick_in_the_lists_order() {
        let mut f = ConfigForm::default();
        f.set_methods(&[]);
        f.tick_method(Method::ALL[2], true);
        f.tick_method(Method::ALL[0], true);
        assert_eq!(f.methods(), [Method::ALL[0], Method::ALL[2]]);
        f.tick_method(Method::ALL[0], false);
        assert_eq!(f.to_config().unwrap().raw().methods, [Method::ALL[2]]);
    }

    #[test]
    fn an_untouched_template_is_not_written_into_the_config() {
        let f = with(SettingId::LlmTemplate, DEFAULT_TEMPLATE);
        assert_eq!(f.to_config().unwrap().raw().llm.template, None);
        let own = format!("{DEFAULT_TEMPLATE} Be brief.");
        let f = with(SettingId::LlmTemplate, &own);
        assert_eq!(f.to_config().unwrap().raw().llm.template, Some(own));
        let f = with(SettingId::LlmModel, "  ");
        assert_eq!(f.to_config().unwrap().raw().llm.model, None);
    }

    #[test]
    fn every_row_is_a_bounded_number_or_a_known_other_setting() {
        // A number's range lives in bounds.rs, at the same path; every other row names a
        // value the config has (a choice, with the names the check allows).
        let mut full = ExperimentConfig::default();
        full.env.scale = Some(1.0);
        full.env.leave_n = Some(1);
        full.env.leave_tau = Some(1.0);
        full.llm.base_url = Some("http://localhost:1".into());
        full.llm.model = Some("m".into());
        full.llm.template = Some("t".into());
        let v = serde_json::to_value(&full).unwrap();
        for (i, r) in ROWS.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{}", r.path);
            let at = r.path.split('.').try_fold(&v, |v, k| v.get(k));
            assert!(at.is_some(), "{}: not a config path", r.path);
            match r.kind {
                Kind::Number => assert!(bounds::bound(r.path).is_some(), "{}: no bound", r.path),
                Kind::Choice => assert!(bounds::choices(r.path).is_some(), "{}", r.path),
                Kind::Text | Kind::Checks => {
                    assert!(bounds::allowed(r.path).is_none(), "{}", r.path)
                }
            }
            assert!(ROWS[..i].iter().all(|o| o.path != r.path), "{} twice", r.path);
            assert!(ROWS[..i].iter().all(|o| o.element != r.element), "{} twice", r.element);
        }
    }

    #[test]
    fn every_choice_reads_back_as_one_of_the_names_the_config_takes() {
        for r in ROWS.iter().filter(|r| r.kind == Kind::Choice) {
            let names = bounds::choices(r.path).unwrap();
            for name in &names {
                let f = with(r.id, name);
                assert_eq!(f.text(r.id), name, "{}", r.path);
            }
        }
    }

    #[test]
    fn every_preset_goes_through_the_form_unchanged() {
        for p in crate::experiment::presets::PRESETS.iter() {
            let c = p.config(None).unwrap();
            let back = ConfigForm::from_config(c.raw()).to_config().unwrap();
            assert_eq!(back.raw(), c.raw(), "{}", p.name);
        }
    }
}
