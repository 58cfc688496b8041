//! Every bounded value of the config, written once: its path (as in `config.json`, in
//! links and in the page's All settings panel), what it allows, and how to read it.
//!
//! [`ExperimentConfig::check`] walks [`BOUNDS`]; the page's form asks a field's path
//! whether it wants a whole number; All settings shows [`allowed`]. No reader finds a
//! range by parsing an error message, and a new hyper-parameter is one line here.
//! Bounds that depend on other values (the seed, `ialp.popular_share`'s sum with
//! `ialp.top_share`, the quit rule of real data) stay in the check and say so there.

use serde::Serialize;

use super::config::{ConfigError, DataSource, ExperimentConfig, MAX_EPISODES, MAX_SEED};
use crate::env::synthetic::SCALE_RANGE;
use crate::env::{Mode, Preset, Window};
use crate::llm::Provider;
use crate::policy::a2c::Baseline;

/// One bounded number: `lo ≤ value ≤ hi`, finite.
pub struct Bound {
    pub path: &'static str,
    pub lo: f64,
    pub hi: f64,
    /// A count (the form asks for "a whole number").
    pub whole: bool,
    /// The value in `c`, or `None` when it is unset (the preset's default then applies).
    read: fn(&ExperimentConfig) -> Option<f64>,
}

impl Bound {
    /// What the check allows, as the page shows it: `between 1 and 100`.
    pub fn allowed(&self) -> String {
        if self.whole {
            format!("between {} and {}", self.lo, self.hi)
        } else {
            format!("a number between {} and {}", self.lo, self.hi)
        }
    }

    fn check(&self, c: &ExperimentConfig) -> Result<(), ConfigError> {
        match (self.read)(c) {
            Some(v) if !(v.is_finite() && (self.lo..=self.hi).contains(&v)) => Err(ConfigError {
                field: self.path.into(),
                problem: format!("must be {}, got {v}", self.allowed()),
            }),
            _ => Ok(()),
        }
    }
}

macro_rules! bound {
    ($path:literal, $lo:expr, $hi:expr, $whole:expr, |$c:ident| $read:expr) => {
        Bound {
            path: $path,
            lo: $lo as f64,
            hi: $hi as f64,
            whole: $whole,
            read: |$c| $read,
        }
    };
}
/// A count.
macro_rules! count {
    ($path:literal, $lo:expr, $hi:expr, |$c:ident| $e:expr) => {
        bound!($path, $lo, $hi, true, |$c| Some($e as f64))
    };
}
/// A real number.
macro_rules! real {
    ($path:literal, $lo:expr, $hi:expr, |$c:ident| $e:expr) => {
        bound!($path, $lo, $hi, false, |$c| Some($e as f64))
    };
}

/// The bounds, in the order the check reports them.
pub static BOUNDS: &[Bound] = &[
    count!("eval_episodes", 1, MAX_EPISODES, |c| c.eval_episodes),
    count!("seeds", 1, 100, |c| c.seeds),
    count!("first_run", 0, 10_000, |c| c.first_run),
    count!("seed", 0, MAX_SEED, |c| c.seed),
    count!("training.offline_episodes", 0, MAX_EPISODES, |c| c
        .training
        .offline_episodes),
    count!("training.online_episodes", 0, MAX_EPISODES, |c| c
        .training
        .online_episodes),
    count!("training.eval_every", 1, MAX_EPISODES, |c| c
        .training
        .eval_every),
    count!("user_model.dim", 1, 256, |c| c.user_model.dim),
    count!("user_model.epochs", 1, 1000, |c| c.user_model.epochs),
    real!("user_model.learning_rate", 1e-6, 1.0, |c| c
        .user_model
        .learning_rate),
    real!("user_model.l2", 0.0, 10.0, |c| c.user_model.l2),
    count!("state.window", 1, 30, |c| c.state.window),
    real!("state.prior", 0.0, 100.0, |c| c.state.prior),
    count!("a2c.hidden", 1, 1024, |c| c.a2c.hidden),
    real!("a2c.learning_rate", 1e-7, 1.0, |c| c.a2c.learning_rate),
    real!("a2c.gamma", 0.0, 1.0, |c| c.a2c.gamma),
    real!("a2c.value_weight", 0.0, 100.0, |c| c.a2c.value_weight),
    real!("a2c.entropy_weight", 0.0, 100.0, |c| c.a2c.entropy_weight),
    count!("a2c.episodes_per_update", 1, 4096, |c| c
        .a2c
        .episodes_per_update),
    count!("a2c.minibatch", 0, 65_536, |c| c.a2c.minibatch),
    real!("baselines.epsilon", 0.0, 1.0, |c| c.baselines.epsilon),
    real!("baselines.ucb_c", 0.0, 100.0, |c| c.baselines.ucb_c),
    real!("baselines.dorl_entropy", 0.0, 100.0, |c| c
        .baselines
        .dorl_entropy),
    real!("llm.oracle_noise", 0.0, 10.0, |c| c.llm.oracle_noise),
    count!("llm.max_calls", 0, 100_000, |c| c.llm.max_calls),
    count!("llm.max_concurrent", 1, 64, |c| c.llm.max_concurrent),
    real!("llm.timeout_secs", 1.0, 600.0, |c| c.llm.timeout_secs),
    count!("llm.max_retries", 0, 10, |c| c.llm.max_retries),
    real!("llm.temperature", 0.0, 2.0, |c| c.llm.temperature),
    count!("llm.max_tokens", 16, 32_768, |c| c.llm.max_tokens),
    count!("llm.cases_per_request", 1, 50, |c| c.llm.cases_per_request),
    real!("ialp.lambda", 0.0, 1.0, |c| c.ialp.lambda),
    count!("ialp.states", 1, 100_000, |c| c.ialp.states),
    real!("ialp.log_share", 0.0, 1.0, |c| c.ialp.log_share),
    count!("ialp.candidates", 2, 100, |c| c.ialp.candidates),
    real!("ialp.top_share", 0.0, 1.0, |c| c.ialp.top_share),
    real!("ialp.popular_share", 0.0, 1.0, |c| c.ialp.popular_share),
    real!("ialp.held_out_share", 0.0, 0.9, |c| c.ialp.held_out_share),
    count!("ialp.history", 1, 30, |c| c.ialp.history),
    count!("ialp.reward_model.hidden", 1, 1024, |c| c
        .ialp
        .reward_model
        .hidden),
    count!("ialp.reward_model.epochs", 1, 10_000, |c| c
        .ialp
        .reward_model
        .epochs),
    real!("ialp.reward_model.learning_rate", 1e-7, 1.0, |c| c
        .ialp
        .reward_model
        .learning_rate),
    count!("ialp.reward_model.batch", 1, 65_536, |c| c
        .ialp
        .reward_model
        .batch),
    count!("ialp.reward_model.patience", 1, 10_000, |c| c
        .ialp
        .reward_model
        .patience),
    count!("adapt.window", 1, 100_000, |c| c.adapt.window),
    count!("adapt.check_every", 1, 100_000, |c| c.adapt.check_every),
    real!("adapt.margin", 0.0, 10.0, |c| c.adapt.margin),
    count!("adapt.patience", 1, 1000, |c| c.adapt.patience),
    real!("adapt.kl_weight", 0.0, 100.0, |c| c.adapt.kl_weight),
    real!("adapt.kl_growth", 1.0, 100.0, |c| c.adapt.kl_growth),
    real!("adapt.kl_max", 0.0, 1000.0, |c| c.adapt.kl_max),
    real!("adapt.kl_decay", 0.0, 1.0, |c| c.adapt.kl_decay),
    real!("adapt.llm_explore", 0.0, 1.0, |c| c.adapt.llm_explore),
    real!("adapt.llm_explore_decay", 0.0, 1.0, |c| c
        .adapt
        .llm_explore_decay),
    count!("adapt.llm_top", 1, 1000, |c| c.adapt.llm_top),
    real!("adapt.entropy_repair", 0.0, 1.0, |c| c.adapt.entropy_repair),
    real!("adapt.entropy_recover", 1.0, 100.0, |c| c
        .adapt
        .entropy_recover),
    count!("adapt.anchor_every", 0, MAX_EPISODES, |c| c
        .adapt
        .anchor_every),
    real!("adapt.anchor_rate", 0.0, 1.0, |c| c.adapt.anchor_rate),
    count!("env.max_turn", 1, 100, |c| c.env.max_turn),
    bound!("env.scale", SCALE_RANGE.0, SCALE_RANGE.1, false, |c| c
        .env
        .scale),
    bound!("env.leave_n", 1, 30, true, |c| c
        .env
        .leave_n
        .map(|n| n as f64)),
    bound!("env.leave_tau", 0, 1000, false, |c| c
        .env
        .leave_tau
        .map(f64::from)),
];

/// The bound at `path`, if the config bounds that value.
pub fn bound(path: &str) -> Option<&'static Bound> {
    BOUNDS.iter().find(|b| b.path == path)
}

/// Checks every bound, in [`BOUNDS`]' order.
pub(super) fn check(c: &ExperimentConfig) -> Result<(), ConfigError> {
    BOUNDS.iter().try_for_each(|b| b.check(c))
}

/// The names a choice at `path` takes (`env.preset`: coat, kuairec, movielens), as the
/// config's JSON writes them.
pub fn choices(path: &str) -> Option<Vec<String>> {
    fn names<T: Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .filter_map(|v| serde_json::to_value(v).ok()?.as_str().map(str::to_string))
            .collect()
    }
    Some(match path {
        "env.preset" => names(&Preset::ALL),
        "env.data" => names(&DataSource::ALL),
        "env.mode" => names(&Mode::ALL),
        "env.window" => names(&Window::ALL),
        "llm.provider" => names(&Provider::ALL),
        "a2c.baseline" => names(&Baseline::ALL),
        _ => return None,
    })
}

/// What the config allows at `path`, as All settings shows it; `None` for free values
/// (text, switches, the method list).
pub fn allowed(path: &str) -> Option<String> {
    if let Some(b) = bound(path) {
        return Some(b.allowed());
    }
    choices(path).map(|c| format!("one of {}", c.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_names_a_value_of_the_config() {
        // Each path exists in a config with every option set, and no path is listed twice.
        let mut full = ExperimentConfig::default();
        full.env.scale = Some(1.0);
        full.env.leave_n = Some(1);
        full.env.leave_tau = Some(1.0);
        full.first_run = 1; // written only when not 0
        let v = serde_json::to_value(&full).unwrap();
        for (i, b) in BOUNDS.iter().enumerate() {
            let at = b.path.split('.').try_fold(&v, |v, k| v.get(k));
            assert!(at.is_some_and(|x| x.is_number()), "{}", b.path);
            assert!(BOUNDS[..i].iter().all(|o| o.path != b.path), "{}", b.path);
            assert!((b.read)(&full).is_some(), "{}", b.path);
            assert!(b.lo <= b.hi, "{}", b.path);
        }
    }

    #[test]
    fn the_default_config_is_inside_every_bound_and_each_bound_bites() {
        let c = ExperimentConfig::default();
        assert!(check(&c).is_ok());
        let mut big = c.clone();
        big.a2c.gamma = 1.5;
        let e = check(&big).unwrap_err();
        assert_eq!(e.field, "a2c.gamma");
        assert_eq!(e.problem, "must be a number between 0 and 1, got 1.5");
        let mut nan = c;
        nan.env.leave_tau = Some(f32::NAN);
        assert_eq!(check(&nan).unwrap_err().field, "env.leave_tau");
    }

    #[test]
    fn choices_are_the_names_the_json_takes() {
        assert_eq!(
            choices("env.preset").unwrap(),
            ["coat", "kuairec", "movielens"]
        );
        assert!(choices("llm.provider").unwrap().contains(&"openai".into()));
        assert_eq!(allowed("seeds").as_deref(), Some("between 1 and 100"));
        assert_eq!(allowed("llm.model"), None);
    }
}
