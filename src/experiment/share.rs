//! A config as a link: the URL fragment `#v=1&seeds=5&methods=random,a2c_online`.
//!
//! Only values that differ from [`ExperimentConfig::default`] are written, one
//! `path=value` pair each, where `path` is the value's JSON path (`a2c.learning_rate`,
//! `env.preset`) and lists are comma-separated. So a link is short, versioned and can be
//! edited by hand. Reading a link never fails: each pair is checked like any input, and a
//! bad one is named in a [`LinkProblem`] and left at its default. The API key is not part
//! of a config, so it can never be in a link.

use serde_json::Value;

use super::config::{ConfigError, ExperimentConfig, ValidConfig, CONFIG_VERSION};
use super::settings::{default_text, explain, flatten, leaf_text, set, to_value};

/// One pair of a link that could not be used, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkProblem {
    /// The pair's key as written (`"seeds"`), or `"v"` for the version.
    pub key: String,
    pub value: String,
    pub problem: String,
}

impl std::fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}: {}", self.key, self.value, self.problem)
    }
}

/// What a link gave: a valid config (defaults where a pair was bad) and the problems.
#[derive(Debug, Clone)]
pub struct FromLink {
    pub config: ValidConfig,
    pub problems: Vec<LinkProblem>,
}

/// The fragment (without `#`) for `config`: `v=1` and then the non-default values.
pub fn to_fragment(config: &ExperimentConfig) -> String {
    let mut now = Vec::new();
    flatten("", &to_value(config), &mut now);
    let mut default = Vec::new();
    flatten("", &to_value(&ExperimentConfig::default()), &mut default);
    let mut out = vec![format!("v={CONFIG_VERSION}")];
    for (path, v) in &now {
        if path == "version" {
            continue;
        }
        if default.iter().any(|(p, d)| p == path && d == v) {
            continue;
        }
        out.push(format!("{}={}", encode(path), encode(&leaf_text(v))));
    }
    // A value the default has and this config leaves out (an option set to "none").
    for (path, _) in &default {
        if path != "version" && !now.iter().any(|(p, _)| p == path) {
            out.push(format!("{}=", encode(path)));
        }
    }
    out.join("&")
}

/// Longest link fragment read (characters).
pub const MAX_LINK_BYTES: usize = 16 * 1024;
/// Most `path=value` pairs read from a link (the config has about 90 settings).
pub const MAX_LINK_PAIRS: usize = 256;

/// Reads a fragment (with or without `#`). Never fails: what cannot be used is reported
/// and replaced by its default.
pub fn from_fragment(fragment: &str) -> FromLink {
    let fragment = fragment.trim().trim_start_matches('#');
    let mut problems = Vec::new();
    let mut pairs = Vec::new();
    let mut version = None;
    // Every setting fits in a few kilobytes; each pair is checked on its own when the
    // whole fails, so a link's size bounds the work of reading it.
    let mut parts: Vec<&str> = fragment.split('&').filter(|p| !p.is_empty()).collect();
    if fragment.len() > MAX_LINK_BYTES || parts.len() > MAX_LINK_PAIRS {
        problems.push(LinkProblem {
            key: "(link)".into(),
            value: format!("{} characters, {} settings", fragment.len(), parts.len()),
            problem: format!(
                "is longer than a link may be ({MAX_LINK_BYTES} characters, {MAX_LINK_PAIRS} settings); only the first {MAX_LINK_PAIRS} settings within the first {MAX_LINK_BYTES} characters are read"
            ),
        });
        let mut used = 0;
        parts.retain(|p| {
            used += p.len() + 1;
            used <= MAX_LINK_BYTES
        });
        parts.truncate(MAX_LINK_PAIRS);
    }
    for part in parts {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let (k, v) = match (decode(k), decode(v)) {
            (Some(k), Some(v)) => (k, v),
            _ => {
                problems.push(LinkProblem {
                    key: k.into(),
                    value: v.into(),
                    problem: "is not valid percent-encoding; ignored".into(),
                });
                continue;
            }
        };
        if k == "v" || k == "version" {
            version = Some(v);
        } else {
            pairs.push((k, v));
        }
    }
    match version.as_deref() {
        Some(v) if v == CONFIG_VERSION.to_string() => {}
        Some(v) => problems.push(LinkProblem {
            key: "v".into(),
            value: v.into(),
            problem: format!(
                "this page reads links of version {CONFIG_VERSION}; the values below were read as such"
            ),
        }),
        None if pairs.is_empty() => {}
        None => problems.push(LinkProblem {
            key: "v".into(),
            value: String::new(),
            problem: format!("missing; read as version {CONFIG_VERSION}"),
        }),
    }
    let default = to_value(&ExperimentConfig::default());
    let check = |v: &Value| -> Result<ValidConfig, Unreadable> {
        let raw: ExperimentConfig = serde_json::from_value(v.clone())?;
        Ok(raw.check()?)
    };
    // All together first (values may depend on each other); if that fails, one by one,
    // keeping each pair that leaves the config valid.
    let mut all = default.clone();
    let mut set_problems = Vec::new();
    for (k, v) in &pairs {
        if let Err(p) = set(&mut all, &default, k, v) {
            set_problems.push(LinkProblem {
                key: k.clone(),
                value: v.clone(),
                problem: p.to_string(),
            });
        }
    }
    if set_problems.is_empty() {
        if let Ok(config) = check(&all) {
            return FromLink { config, problems };
        }
    }
    let mut base = default.clone();
    let mut config = check(&base).expect("the default config is valid");
    for (k, v) in &pairs {
        let mut candidate = base.clone();
        let outcome = set(&mut candidate, &default, k, v)
            .map_err(|e| e.to_string())
            .and_then(|()| check(&candidate).map_err(|e| explain(&e.to_string(), k)));
        match outcome {
            Ok(c) => {
                base = candidate;
                config = c;
            }
            Err(p) => problems.push(LinkProblem {
                key: k.clone(),
                value: v.clone(),
                problem: format!("{p}; {}", default_text(&default, k)),
            }),
        }
    }
    FromLink { config, problems }
}

/// Percent-encodes everything but unreserved characters, `,` and `.`.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and `+` for a space); `None` for broken escapes or bad UTF-8.
pub(crate) fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Why a link's values do not make a config: they do not read as one, or they fail its
/// check.
#[derive(Debug, thiserror::Error)]
enum Unreadable {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Check(#[from] ConfigError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::presets::PRESETS;
    use crate::methods::Method;

    #[test]
    fn the_default_is_just_the_version() {
        assert_eq!(to_fragment(&ExperimentConfig::default()), "v=1");
        let back = from_fragment("#v=1");
        assert!(back.problems.is_empty());
        assert_eq!(back.config.raw(), &ExperimentConfig::default());
    }

    #[test]
    fn every_preset_survives_a_round_trip() {
        for p in PRESETS {
            let c = p.config(None).unwrap();
            let link = to_fragment(c.raw());
            let back = from_fragment(&link);
            assert!(back.problems.is_empty(), "{}: {:?}", p.name, back.problems);
            assert_eq!(back.config.raw(), c.raw(), "{}: {link}", p.name);
        }
    }

    #[test]
    fn odd_values_survive_a_round_trip() {
        let mut c = ExperimentConfig::default();
        c.llm.template = Some("Rate {cases} & more = 100% {domain} {n_cases}\n\"ok\"".into());
        c.llm.model = Some("gpt 4o/mini".into());
        c.env.scale = Some(0.5);
        c.env.leave_tau = Some(0.125);
        c.methods = vec![Method::Ialp, Method::AIalpAp];
        c.seed = (1 << 53) - 10;
        c.a2c.learning_rate = 3.3e-4;
        c.a2c.gamma = 0.3;
        c.ialp.lambda = 0.7;
        let c = c.check().unwrap();
        let link = to_fragment(c.raw());
        assert!(link.contains("a2c.gamma=0.3&"), "{link}");
        let back = from_fragment(&link);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.config.raw(), c.raw());
    }

    #[test]
    fn bad_pairs_are_named_and_fall_back_to_defaults() {
        let got = from_fragment(
            "v=1&seeds=abc&a2c.learning_rate=-1&nonsense=3&methods=random,bogus&eval_episodes=7&env.preset=kuairec",
        );
        let keys: Vec<&str> = got.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["seeds", "a2c.learning_rate", "nonsense", "methods"]);
        let d = ExperimentConfig::default();
        let c = got.config.raw();
        assert_eq!(
            (c.seeds, c.a2c.learning_rate),
            (d.seeds, d.a2c.learning_rate)
        );
        assert_eq!(c.methods, d.methods);
        // The good pairs are kept.
        assert_eq!(c.eval_episodes, 7);
        assert_eq!(c.env.preset, crate::env::Preset::KuaiRec);
        assert!(got.problems[0].to_string().contains("seeds=abc"));
        assert!(
            got.problems[0].problem.contains("default (1)"),
            "{}",
            got.problems[0]
        );
        assert!(
            got.problems[2].problem.contains("not a setting"),
            "{}",
            got.problems[2]
        );
    }

    #[test]
    fn broken_links_never_panic() {
        for s in [
            "",
            "#",
            "&&&",
            "=",
            "v",
            "v=9",
            "%",
            "%zz=1",
            "a..b=1",
            ".=1",
            "env=3",
            "env.=1",
            "methods=",
            "seed=1e400",
            "seed=-1",
            "version=1&seeds=2",
            "seeds=%F0%28",
            "training=1",
            "llm.template=",
            "env.scale=",
            "env.leave_n=x",
        ] {
            let got = from_fragment(s);
            got.config.raw().clone().check().unwrap();
        }
        let got = from_fragment("v=9&seeds=2");
        assert_eq!(got.config.raw().seeds, 2);
        assert_eq!(got.problems[0].key, "v");
        assert_eq!(from_fragment("seeds=2").problems[0].key, "v");
        assert_eq!(from_fragment("v=1&env=3").problems[0].key, "env");
    }

    #[test]
    fn only_the_configs_settings_are_set_and_a_deep_path_builds_nothing() {
        let default = to_value(&ExperimentConfig::default());
        let deep = format!("env{}", ".a".repeat(5000));
        for path in [deep.as_str(), "env.a", "nonsense", "llm.model.x", "methods.x"] {
            let shown = &path[..path.len().min(20)];
            let mut v = default.clone();
            assert!(set(&mut v, &default, path, "1").map_err(|e| e.to_string()) == Err("is not a setting".into()), "{shown}");
            assert!(v == default, "{shown}: nothing is added");
        }
        // Options the default leaves out, and `first_run`, are settings.
        for (path, text) in [("env.scale", "0.5"), ("llm.model", "m"), ("first_run", "2"), ("a2c.gamma", "0.5")] {
            let mut v = default.clone();
            assert_eq!(set(&mut v, &default, path, text).map_err(|e| e.to_string()), Ok(()), "{path}");
        }
        let got = from_fragment(&format!("v=1&{deep}=1&seeds=3"));
        assert_eq!(got.config.raw().seeds, 3);
        assert_eq!(got.problems.len(), 1);
        assert!(got.problems[0].key == deep);
        assert!(got.problems[0].problem.starts_with("is not a setting"), "{}", got.problems[0].problem);
    }

    #[test]
    fn the_order_of_dependent_pairs_does_not_matter() {
        // a_ialp_ft needs ialp before it: given together they are fine.
        let got = from_fragment("v=1&methods=ialp,a_ialp_ft&seeds=3&seed=5");
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        assert_eq!(
            got.config.raw().methods,
            vec![Method::Ialp, Method::AIalpFt]
        );
    }
}

