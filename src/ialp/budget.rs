//! What a run would spend at a remote provider, worked out from the config alone before
//! anything is sent: requests, HTTP calls in the worst case, tokens, and a cost where the
//! model's list price is known. The page shows it and asks for an explicit Start; the
//! CLI prints it. It also names the caps a config raises above their documented
//! defaults, so a shared link cannot quietly ask for more.

use serde::Serialize;

use super::IalpConfig;
use crate::env::Preset;
use crate::limits::thousands;
use crate::llm::{LlmConfig, Provider};

/// Unparsable answers are asked once more (as `ialp::distill` does).
const REASKS: usize = 1;

/// Mean length, in characters, of a user's and an item's text in each domain's prompts
/// (the world's [`crate::env::WorldSpec::prompt_text`]).
fn text_sizes(preset: Preset) -> (usize, usize) {
    preset.spec().prompt_text
}

/// List prices in US dollars per million (prompt, completion) tokens of the providers'
/// default models, as published by the providers in 2025. A model not listed here gets
/// a token estimate only: check its price with the provider.
pub const PRICES: &[(Provider, &str, f64, f64)] = &[
    (Provider::OpenAi, "gpt-4o-mini", 0.15, 0.60),
    (Provider::Anthropic, "claude-3-5-haiku-latest", 0.80, 4.00),
    (Provider::Gemini, "gemini-2.0-flash", 0.10, 0.40),
];

/// The documented defaults a link may lower but not raise without the user's say-so.
pub fn default_caps() -> LlmConfig {
    LlmConfig::default()
}

/// A cap the config sets above its default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaisedCap {
    pub path: &'static str,
    pub value: f64,
    pub default: f64,
}

impl std::fmt::Display for RaisedCap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {} (default {})",
            self.path, self.value, self.default
        )
    }
}

/// What a run may spend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Distillations (one per seed that runs iALP).
    pub distillations: usize,
    /// Requests per distillation as planned (before the cache, which makes some free).
    pub planned_per_seed: usize,
    /// The most requests per distillation: planned plus re-asks, never above `max_calls`.
    pub most_per_seed: usize,
    /// The most requests in all, and the most HTTP calls with every retry.
    pub most_requests: usize,
    pub most_calls: usize,
    /// Prompt tokens of the planned requests (about 4 characters a token).
    pub prompt_tokens: u64,
    /// Completion tokens expected, and the most the caps allow.
    pub completion_tokens: u64,
    pub most_completion_tokens: u64,
    /// US dollars for the planned requests and for the worst case, if the price is known.
    pub cost_usd: Option<f64>,
    pub most_cost_usd: Option<f64>,
    pub raised: Vec<RaisedCap>,
    /// The settings that differ from the provider's defaults and decide where the
    /// prompts go and what they say (a link can set them): host, model, template.
    pub custom: Vec<CustomSetting>,
}

/// A non-default `llm.base_url`, `llm.model` or `llm.template`, for the user to see
/// before anything is sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomSetting {
    pub path: &'static str,
    /// The value as code (the origin for a base URL; the model name as given), or, for a
    /// template, its size and the copies of `{cases}` it holds.
    pub value: String,
}

impl std::fmt::Display for CustomSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {}", self.path, self.value)
    }
}

/// The settings of `llm` that are not its provider's defaults (none for the stand-ins,
/// which send nothing).
pub fn custom_settings(llm: &LlmConfig) -> Vec<CustomSetting> {
    let mut out = Vec::new();
    if !llm.provider.is_remote() {
        return out;
    }
    if llm.base_url() != llm.provider.default_base_url() {
        out.push(CustomSetting {
            path: "llm.base_url",
            value: llm.base_url().to_string(),
        });
    }
    if llm.model() != llm.provider.default_model() {
        out.push(CustomSetting {
            path: "llm.model",
            value: llm.model(),
        });
    }
    if llm.template_text() != crate::llm::prompt::DEFAULT_TEMPLATE {
        let t = llm.template_text();
        out.push(CustomSetting {
            path: "llm.template",
            value: format!(
                "a custom template: {} characters, {{cases}} {} time(s)",
                thousands(t.chars().count() as u64),
                t.matches("{cases}").count()
            ),
        });
    }
    out
}

/// Why a run is refused under `--max-cost`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverBudget {
    #[error("the worst case costs about ${cost:.2} at list price ({} HTTP calls, every request retried), more than --max-cost {max_usd}: nothing was sent. Lower llm.max_calls, llm.max_retries or llm.max_tokens, or raise --max-cost", thousands(*.calls))]
    Costs { cost: f64, calls: u64, max_usd: f64 },
    #[error("--max-cost {max_usd}: this model's price is not known here (list prices are known for {}), so its cost cannot be bounded: nothing was sent. Leave out --max-cost to run on the token estimate alone", known_prices())]
    PriceUnknown { max_usd: f64 },
}

fn known_prices() -> String {
    PRICES.iter().map(|p| p.1).collect::<Vec<_>>().join(", ")
}

impl Estimate {
    /// The estimate for `seeds` distillations with these settings in `preset`'s domain
    /// (the prompt's size from `llm`'s template: its own text, and every case once per
    /// `{cases}` it holds).
    pub fn of(llm: &LlmConfig, ialp: &IalpConfig, preset: Preset, seeds: usize) -> Estimate {
        let template = llm.template_text();
        // Each `{cases}` is replaced by every case (llm/prompt.rs), up to
        // limits::TEMPLATE_CASES times; a template is refused without one.
        let placeholders = template.matches("{cases}").count();
        let copies = placeholders.max(1);
        let template_chars = template
            .chars()
            .count()
            .saturating_sub(placeholders * "{cases}".len());
        let per = llm.cases_per_request.max(1);
        let planned = ialp.states.div_ceil(per);
        let most = (planned * (1 + REASKS)).min(llm.max_calls);
        let (user, item) = text_sizes(preset);
        let history = ialp.history as f64 * 0.9;
        let case_chars = 60.0
            + user as f64
            + history * (item as f64 + 22.0)
            + ialp.candidates as f64 * (item as f64 + 12.0);
        let request_chars = template_chars as f64 + 100.0 + (copies * per) as f64 * case_chars;
        let prompt_per_request = (request_chars / 4.0).ceil() as u64;
        // `"123":4,` is about 4 tokens; plus the JSON frame per case.
        let completion_per_request =
            ((per * (ialp.candidates * 4 + 8) + 16) as u64).min(llm.max_tokens as u64);
        let sent = planned.min(llm.max_calls) as u64;
        let n = seeds as u64;
        let price = PRICES
            .iter()
            .find(|(p, m, _, _)| *p == llm.provider && *m == llm.model())
            .map(|(_, _, i, o)| (*i, *o));
        let cost = |p: u64, c: u64| price.map(|(i, o)| (p as f64 * i + c as f64 * o) / 1e6);
        let prompt_tokens = n * sent * prompt_per_request;
        let completion_tokens = n * sent * completion_per_request;
        let most_requests = seeds * most;
        let most_calls = most_requests * (1 + llm.max_retries as usize);
        // A retried call is billed again only if the provider answered; count every call.
        let most_prompt = most_calls as u64 * prompt_per_request;
        let most_completion_tokens = most_calls as u64 * llm.max_tokens as u64;
        Estimate {
            distillations: seeds,
            planned_per_seed: planned,
            most_per_seed: most,
            most_requests,
            most_calls,
            prompt_tokens,
            completion_tokens,
            most_completion_tokens,
            cost_usd: cost(prompt_tokens, completion_tokens),
            most_cost_usd: cost(most_prompt, most_completion_tokens),
            raised: raised_caps(llm),
            custom: custom_settings(llm),
        }
    }

    /// What the estimate says, as (label, text) rows for a person.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let money = |c: Option<f64>| match c {
            Some(c) if c < 0.01 => "under $0.01".to_string(),
            Some(c) => format!("about ${c:.2}"),
            None => "unknown for this model (tokens only)".to_string(),
        };
        vec![
            (
                "Requests",
                format!(
                    "{} per seed × {} seed(s), {} per seed at most (re-asks, call cap)",
                    thousands(self.planned_per_seed as u64),
                    self.distillations,
                    thousands(self.most_per_seed as u64)
                ),
            ),
            (
                "Tokens",
                format!(
                    "≈ {} prompt + {} completion",
                    thousands(self.prompt_tokens),
                    thousands(self.completion_tokens)
                ),
            ),
            ("Cost at list price", money(self.cost_usd)),
            (
                "Worst case",
                format!(
                    "every request retried: {} HTTP calls, ≤ {} completion tokens, {}",
                    thousands(self.most_calls as u64),
                    thousands(self.most_completion_tokens),
                    money(self.most_cost_usd)
                ),
            ),
        ]
    }

    /// Whether the worst case is within `max_usd` (the CLI's `--max-cost`): refused when it
    /// is above, or when the model's price is unknown and so is the worst case.
    pub fn within(&self, max_usd: f64) -> Result<(), OverBudget> {
        match self.most_cost_usd {
            Some(c) if c <= max_usd => Ok(()),
            Some(cost) => Err(OverBudget::Costs {
                cost,
                calls: self.most_calls as u64,
                max_usd,
            }),
            None => Err(OverBudget::PriceUnknown { max_usd }),
        }
    }

    /// The estimate of several runs (a sweep's): counts and costs added up, a cost
    /// unknown if any is.
    pub fn sum(all: &[Estimate]) -> Option<Estimate> {
        let mut it = all.iter();
        let mut total = it.next()?.clone();
        let add = |a: Option<f64>, b: Option<f64>| Some(a? + b?);
        for e in it {
            total.distillations += e.distillations;
            total.planned_per_seed = total.planned_per_seed.max(e.planned_per_seed);
            total.most_per_seed = total.most_per_seed.max(e.most_per_seed);
            total.most_requests += e.most_requests;
            total.most_calls += e.most_calls;
            total.prompt_tokens += e.prompt_tokens;
            total.completion_tokens += e.completion_tokens;
            total.most_completion_tokens += e.most_completion_tokens;
            total.cost_usd = add(total.cost_usd, e.cost_usd);
            total.most_cost_usd = add(total.most_cost_usd, e.most_cost_usd);
            for r in &e.raised {
                if !total.raised.contains(r) {
                    total.raised.push(r.clone());
                }
            }
            for c in &e.custom {
                if !total.custom.contains(c) {
                    total.custom.push(c.clone());
                }
            }
        }
        Some(total)
    }

    /// One line for a person (the CLI prints it). Answers in the cache cost nothing.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .lines()
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        parts.join(" · ") + " (answers already in the cache cost nothing)"
    }
}


/// The caps `llm` sets above [`default_caps`].
pub fn raised_caps(llm: &LlmConfig) -> Vec<RaisedCap> {
    let d = default_caps();
    let pairs: [(&'static str, f64, f64); 5] = [
        ("llm.max_calls", llm.max_calls as f64, d.max_calls as f64),
        (
            "llm.max_retries",
            llm.max_retries as f64,
            d.max_retries as f64,
        ),
        ("llm.max_tokens", llm.max_tokens as f64, d.max_tokens as f64),
        (
            "llm.max_concurrent",
            llm.max_concurrent as f64,
            d.max_concurrent as f64,
        ),
        ("llm.timeout_secs", llm.timeout_secs, d.timeout_secs),
    ];
    pairs
        .into_iter()
        .filter(|(_, v, d)| v > d)
        .map(|(path, value, default)| RaisedCap {
            path,
            value,
            default,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_calls_and_cost() {
        let llm = LlmConfig {
            provider: Provider::OpenAi,
            cases_per_request: 4,
            ..LlmConfig::default()
        };
        let ialp = IalpConfig {
            states: 200,
            ..IalpConfig::default()
        };
        let e = Estimate::of(&llm, &ialp, Preset::Coat, 5);
        assert_eq!(e.planned_per_seed, 50);
        assert_eq!(e.most_per_seed, 100);
        assert_eq!(e.most_requests, 500);
        assert_eq!(e.most_calls, 500 * 5, "4 retries each");
        assert!(e.cost_usd.unwrap() > 0.0 && e.most_cost_usd.unwrap() > e.cost_usd.unwrap());
        assert!(e.raised.is_empty());
        assert!(
            e.describe().contains("Requests: 50 per seed × 5 seed(s)"),
            "{}",
            e.describe()
        );
        assert!(
            e.describe().contains("2,500 HTTP calls"),
            "{}",
            e.describe()
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        // An unknown model: tokens only.
        let other = LlmConfig {
            model: Some("my-local-model".into()),
            ..llm.clone()
        };
        let e = Estimate::of(&other, &ialp, Preset::Coat, 1);
        assert_eq!(e.cost_usd, None);
        assert!(e.describe().contains("unknown for this model"));
        // The call cap bounds everything.
        let capped = LlmConfig {
            max_calls: 10,
            ..llm
        };
        let e = Estimate::of(&capped, &ialp, Preset::Coat, 2);
        assert_eq!((e.most_per_seed, e.most_requests), (10, 20));
    }

    #[test]
    fn names_the_caps_a_config_raises() {
        let llm = LlmConfig {
            max_calls: 100_000,
            max_tokens: 64,
            max_retries: 10,
            ..LlmConfig::default()
        };
        let r = raised_caps(&llm);
        let paths: Vec<&str> = r.iter().map(|c| c.path).collect();
        assert_eq!(paths, ["llm.max_calls", "llm.max_retries"]);
        assert_eq!(r[0].to_string(), "llm.max_calls = 100000 (default 200)");
    }

    #[test]
    fn every_copy_of_the_cases_is_counted() {
        let ialp = IalpConfig {
            states: 200,
            ..IalpConfig::default()
        };
        let once = LlmConfig {
            provider: Provider::OpenAi,
            template: Some("Rate these: {cases}".into()),
            ..LlmConfig::default()
        };
        let four = LlmConfig {
            template: Some("Rate these: {cases} {cases} {cases} {cases}".into()),
            ..once.clone()
        };
        let (a, b) = (
            Estimate::of(&once, &ialp, Preset::Coat, 1),
            Estimate::of(&four, &ialp, Preset::Coat, 1),
        );
        let ratio = b.prompt_tokens as f64 / a.prompt_tokens as f64;
        assert!(
            (3.8..=4.0).contains(&ratio),
            "4 copies cost {ratio:.2}× one"
        );
        assert!(b.most_cost_usd.unwrap() > 3.0 * a.most_cost_usd.unwrap() / 2.0);
    }

    #[test]
    fn a_non_default_host_model_or_template_is_listed() {
        let ialp = IalpConfig::default();
        let d = LlmConfig {
            provider: Provider::OpenAi,
            ..LlmConfig::default()
        };
        assert!(Estimate::of(&d, &ialp, Preset::Coat, 1).custom.is_empty());
        let c = LlmConfig {
            base_url: Some("https://llm.example.com/v1/".into()),
            model: Some("big-model".into()),
            template: Some("{cases}\n{cases}".into()),
            ..d.clone()
        };
        let e = Estimate::of(&c, &ialp, Preset::Coat, 1);
        let paths: Vec<&str> = e.custom.iter().map(|c| c.path).collect();
        assert_eq!(paths, ["llm.base_url", "llm.model", "llm.template"]);
        assert_eq!(e.custom[0].value, "https://llm.example.com/v1");
        assert_eq!(e.custom[1].value, "big-model");
        assert!(
            e.custom[2].value.contains("{cases} 2 time(s)"),
            "{}",
            e.custom[2]
        );
        // The stand-ins send nothing: nothing to flag.
        let h = LlmConfig {
            model: Some("x".into()),
            ..LlmConfig::default()
        };
        assert!(custom_settings(&h).is_empty());
    }

    #[test]
    fn a_cost_cap_refuses_a_dearer_or_unknown_worst_case() {
        let llm = LlmConfig {
            provider: Provider::OpenAi,
            ..LlmConfig::default()
        };
        let e = Estimate::of(&llm, &IalpConfig::default(), Preset::Coat, 2);
        let most = e.most_cost_usd.unwrap();
        assert!(e.within(most * 1.01).is_ok());
        let err = e.within(most / 2.0).unwrap_err().to_string();
        assert!(err.contains("--max-cost"), "{err}");
        let unknown = Estimate::of(
            &LlmConfig {
                model: Some("mystery".into()),
                ..llm
            },
            &IalpConfig::default(),
            Preset::Coat,
            1,
        );
        assert!(unknown.within(1e9).unwrap_err().to_string().contains("not known"));
        let total = Estimate::sum(&[e.clone(), e.clone()]).unwrap();
        assert_eq!(total.most_calls, 2 * e.most_calls);
        assert!((total.most_cost_usd.unwrap() - 2.0 * most).abs() < 1e-9);
        assert_eq!(Estimate::sum(&[e, unknown]).unwrap().most_cost_usd, None);
    }
}
