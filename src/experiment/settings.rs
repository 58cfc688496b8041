//! A config as a list of settings, one `path = value` per leaf of its JSON
//! (`a2c.gamma = 0.9`): what the page's "All settings" panel lists ([`settings`]) and
//! edits ([`with_setting`]), and what a link's pairs are read with (`share.rs`). What a
//! path allows comes from the table the check walks (`bounds.rs`).

use serde_json::{Map, Value};

use super::config::{ConfigError, ExperimentConfig, ValidConfig};

/// Why a value cannot be set at a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("is not a setting")]
    NotASetting,
    #[error("is a group of settings, not one")]
    Group,
    #[error("must be a whole number, got {0}")]
    NotWhole(String),
    #[error("{0} is far over any limit of this setting")]
    FarOver(String),
    #[error("must be {allowed}, got {text}")]
    OutOfRange { allowed: String, text: String },
}

pub(super) fn to_value(c: &ExperimentConfig) -> Value {
    serde_json::to_value(c).expect("a config serialises")
}

/// `(path, leaf)` for every non-object value; lists are leaves.
pub(super) fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// A JSON value as a link (and a sweep's run name) writes it.
pub(crate) fn leaf_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        // An f32 field comes out of serde_json as the nearest f64 (0.9 → 0.8999999761…):
        // write the f32's own shortest form, which reads back as the same f32.
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or_default();
            let f = x as f32;
            if f as f64 == x {
                format!("{f}")
            } else {
                format!("{x}")
            }
        }
        Value::Array(a) => a.iter().map(leaf_text).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub(super) fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// Sets `path` in `v` from the text `text`, typed like the default's value there.
pub(super) fn set(v: &mut Value, default: &Value, path: &str, text: &str) -> Result<(), SetError> {
    // Only a path the config has: any other would build a value as deep as the link is
    // long (`env.a.a.a…`) before serde could refuse it.
    if !is_setting(path) {
        return Err(SetError::NotASetting);
    }
    let typed = match lookup(default, path) {
        Some(Value::Object(_)) => return Err(SetError::Group),
        Some(Value::Array(_)) => Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(scalar)
                .collect(),
        ),
        Some(Value::String(_)) => Value::String(text.to_string()),
        _ if text.is_empty() => Value::Null,
        // A count written as a float ("1e12", "5.0") is read as the whole number it is,
        // so the check can say which limit it is over.
        Some(Value::Number(n)) if n.is_u64() => match scalar(text) {
            Value::Number(x) if x.is_f64() => {
                let f = x.as_f64().unwrap_or(f64::NAN);
                if f.fract() != 0.0 || f < 0.0 {
                    return Err(SetError::NotWhole(text.into()));
                }
                if f >= u64::MAX as f64 {
                    return Err(SetError::FarOver(text.into()));
                }
                Value::from(f as u64)
            }
            other => other,
        },
        _ => scalar(text),
    };
    // A number past a bounded setting's limit is named with the limit here: it may not
    // even fit the field (a count is 32 bits in the page).
    if let (Some(b), Some(x)) = (super::bounds::bound(path), typed.as_f64()) {
        if x.is_finite() && !(b.lo..=b.hi).contains(&x) {
            return Err(SetError::OutOfRange {
                allowed: b.allowed(),
                text: text.into(),
            });
        }
    }
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().expect("a path has a key");
    let mut at = v;
    for k in keys {
        let obj = at.as_object_mut().ok_or(SetError::NotASetting)?;
        at = obj
            .entry(k.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let obj = at.as_object_mut().ok_or(SetError::NotASetting)?;
    if typed.is_null() {
        obj.remove(last);
    } else {
        obj.insert(last.to_string(), typed);
    }
    Ok(())
}

/// Whether `path` is one of the config's settings (an option left out of the default's
/// JSON included).
pub(super) fn is_setting(path: &str) -> bool {
    known_settings().iter().any(|k| k.path == path) || super::bounds::bound(path).is_some()
}

/// A number, `true`/`false`, or else the text as a string.
pub(super) fn scalar(s: &str) -> Value {
    match serde_json::from_str::<Value>(s) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(s.to_string()),
    }
}

/// Makes serde's messages about one pair readable: an unknown key says so.
pub(super) fn explain(error: &str, key: &str) -> String {
    if error.starts_with("unknown field") {
        format!("'{key}' is not a setting")
    } else {
        error.to_string()
    }
}

pub(super) fn default_text(default: &Value, path: &str) -> String {
    match lookup(default, path) {
        Some(v) => format!("the default ({}) is used", leaf_text(v)),
        None => "the default is used".into(),
    }
}

/// One value of a config, as the page's "All settings" panel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The JSON path, also the link's key (`a2c.gamma`).
    pub path: String,
    pub value: String,
    pub default: String,
    /// What the config's check allows (`between 0 and 1`, `one of coat, kuairec, …`),
    /// read from the table the check walks, so it cannot drift from it.
    pub allowed: Option<String>,
}

/// Every value of `config` (and every value the default config has), in JSON order.
pub fn settings(config: &ExperimentConfig) -> Vec<Setting> {
    let mut now = Vec::new();
    flatten("", &to_value(config), &mut now);
    let known = known_settings();
    // Options left out of the JSON when unset: listed too (empty = the default).
    for k in known {
        if !now.iter().any(|(q, _)| q == &k.path) {
            now.push((k.path.clone(), Value::Null));
        }
    }
    now.into_iter()
        .filter(|(p, _)| p != "version")
        .map(|(path, v)| {
            let k = known.iter().find(|k| k.path == path);
            Setting {
                value: leaf_text(&v),
                default: k.map(|k| k.default.clone()).unwrap_or_default(),
                allowed: k.and_then(|k| k.allowed.clone()),
                path,
            }
        })
        .collect()
}

/// Every path a config can have, with its default and what the check allows there
/// (src/experiment/bounds.rs): the same for every config, so worked out once.
fn known_settings() -> &'static [Setting] {
    static KNOWN: std::sync::OnceLock<Vec<Setting>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let default_value = to_value(&ExperimentConfig::default());
        let mut full = ExperimentConfig::default();
        full.env.scale = Some(1.0);
        full.env.leave_n = Some(1);
        full.env.leave_tau = Some(1.0);
        full.llm.base_url = Some(String::new());
        full.llm.model = Some(String::new());
        full.llm.template = Some(String::new());
        let mut paths = Vec::new();
        flatten("", &to_value(&full), &mut paths);
        paths
            .into_iter()
            .map(|(path, _)| Setting {
                value: String::new(),
                default: lookup(&default_value, &path)
                    .map(leaf_text)
                    .unwrap_or_default(),
                allowed: super::bounds::allowed(&path),
                path,
            })
            .collect()
    })
}

/// `config` with the value at `path` set from `text`, checked; the error says what is
/// wrong.
pub fn with_setting(
    config: &ExperimentConfig,
    path: &str,
    text: &str,
) -> Result<ValidConfig, ConfigError> {
    let at = |problem: String| ConfigError {
        field: path.into(),
        problem,
    };
    let default = to_value(&ExperimentConfig::default());
    let mut v = to_value(config);
    set(&mut v, &default, path, text.trim()).map_err(|e| at(e.to_string()))?;
    let raw: ExperimentConfig =
        serde_json::from_value(v).map_err(|e| at(explain(&e.to_string(), path)))?;
    raw.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_listed_with_its_default_and_allowed_range() {
        let all = settings(&ExperimentConfig::default());
        let get = |p: &str| {
            all.iter()
                .find(|s| s.path == p)
                .unwrap_or_else(|| panic!("{p} missing"))
        };
        assert!(all.len() > 60, "{} settings", all.len());
        assert_eq!(
            get("a2c.gamma").allowed.as_deref(),
            Some("a number between 0 and 1")
        );
        assert_eq!(get("seeds").allowed.as_deref(), Some("between 1 and 100"));
        assert_eq!(get("adapt.patience").default, "3");
        assert_eq!(
            get("a2c.gamma").default,
            "0.9",
            "an f32 is written as itself"
        );
        assert_eq!(get("a2c.learning_rate").default, "0.01");
        assert_eq!(get("state.attributes").default, "false");
        assert!(
            get("env.preset")
                .allowed
                .as_deref()
                .unwrap()
                .contains("kuairec"),
            "{:?}",
            get("env.preset")
        );
        assert!(get("methods").value.contains("online_a2c"));
        assert!(
            all.iter().any(|s| s.path == "env.scale"),
            "options left at their default are listed"
        );
        // A number with no bounds in the check gets none.
        assert!(all.iter().all(|s| s.path != "version"));
    }

    #[test]
    fn a_setting_is_checked_like_any_input() {
        let c = ExperimentConfig::default();
        let ok = with_setting(&c, "a2c.gamma", "0.9").unwrap();
        assert_eq!(ok.raw().a2c.gamma, 0.9);
        let e = with_setting(&c, "a2c.gamma", "2").unwrap_err().to_string();
        assert!(
            e.contains("a2c.gamma") && e.contains("between 0 and 1"),
            "{e}"
        );
        assert!(with_setting(&c, "a2c.gamma", "x").is_err());
        assert!(with_setting(&c, "nope", "1")
            .unwrap_err()
            .to_string()
            .contains("not a setting"));
        let scaled = with_setting(&c, "env.scale", "0.5").unwrap();
        assert_eq!(scaled.raw().env.scale, Some(0.5));
        assert_eq!(
            with_setting(scaled.raw(), "env.scale", "")
                .unwrap()
                .raw()
                .env
                .scale,
            None
        );
    }
}
