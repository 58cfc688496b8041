//! Which model plays the user, and how hard we may call it. Part of the experiment
//! config (the key is not: it never leaves the page or the environment variable).
//!
//! Each provider is described once, in [`SPECS`] (id, label, protocol, default host and
//! model, key variable). Adding one: a variant at the end of [`Provider`] and of
//! [`Provider::ALL`], its line in [`SPECS`] and its arm in [`Provider::spec`]; a new
//! [`Protocol`] also needs its arms in `provider.rs` (the compiler names them: no match
//! over providers or protocols has a catch-all). Outside `llm/`: its list price in
//! `ialp/budget.rs`.

use serde::{Deserialize, Serialize};

/// Who answers the prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The no-key text heuristic (METHOD.md §8): attribute overlap with liked history.
    #[default]
    Heuristic,
    /// The no-key oracle: peeks at the ground truth and adds noise. For teaching only.
    Oracle,
    /// OpenAI-compatible chat completions (OpenAI, OpenRouter, Groq, Ollama, LM Studio).
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Google Gemini `generateContent`.
    Gemini,
}

/// How a provider's answers are had: on this machine, or over one of the HTTP protocols
/// `provider.rs` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// No network: a stand-in answers on this machine (`standin.rs`); no key, no host.
    StandIn,
    /// OpenAI-compatible chat completions: `POST {base}/chat/completions`, the key as
    /// `Authorization: Bearer`.
    OpenAiChat,
    /// Anthropic Messages: `POST {base}/v1/messages`, the key as `x-api-key`.
    AnthropicMessages,
    /// Google Gemini: `POST {base}/v1beta/models/{model}:generateContent`, the key as
    /// `x-goog-api-key`.
    GeminiGenerateContent,
}

/// One provider, described once: everything else (the config, the key rules, the
/// protocol code, the page's list, the CLI) reads this instead of matching on providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderSpec {
    pub provider: Provider,
    /// The id in configs, links, cache entries and `--provider`.
    pub id: &'static str,
    pub label: &'static str,
    pub protocol: Protocol,
    /// Where requests go unless the config names a base URL (empty for a stand-in).
    pub default_base_url: &'static str,
    /// The model asked unless the config names one (a small, cheap one).
    pub default_model: &'static str,
    /// The environment variable the CLI reads the key from (`None`: no key).
    pub key_env: Option<&'static str>,
}

/// Every provider, in [`Provider::ALL`]'s order.
pub const SPECS: [ProviderSpec; 5] = [
    ProviderSpec {
        provider: Provider::Heuristic,
        id: "heuristic",
        label: "Heuristic stand-in (no key)",
        protocol: Protocol::StandIn,
        default_base_url: "",
        default_model: "heuristic-v1",
        key_env: None,
    },
    ProviderSpec {
        provider: Provider::Oracle,
        id: "oracle",
        label: "Oracle — peeks at the ground truth (no key)",
        protocol: Protocol::StandIn,
        default_base_url: "",
        default_model: "oracle-v1",
        key_env: None,
    },
    ProviderSpec {
        provider: Provider::OpenAi,
        id: "openai",
        label: "OpenAI-compatible (OpenAI, OpenRouter, Groq, Ollama, LM Studio)",
        protocol: Protocol::OpenAiChat,
        default_base_url: "https://api.openai.com/v1",
        default_model: "gpt-4o-mini",
        key_env: Some("OPENAI_API_KEY"),
    },
    ProviderSpec {
        provider: Provider::Anthropic,
        id: "anthropic",
        label: "Anthropic",
        protocol: Protocol::AnthropicMessages,
        default_base_url: "https://api.anthropic.com",
        default_model: "claude-3-5-haiku-latest",
        key_env: Some("ANTHROPIC_API_KEY"),
    },
    ProviderSpec {
        provider: Provider::Gemini,
        id: "gemini",
        label: "Google Gemini",
        protocol: Protocol::GeminiGenerateContent,
        default_base_url: "https://generativelanguage.googleapis.com",
        default_model: "gemini-2.0-flash",
        key_env: Some("GEMINI_API_KEY"),
    },
];

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::Heuristic,
        Provider::Oracle,
        Provider::OpenAi,
        Provider::Anthropic,
        Provider::Gemini,
    ];

    /// This provider's line in [`SPECS`]. The match is exhaustive: a new variant does not
    /// compile until it has its spec.
    pub fn spec(self) -> &'static ProviderSpec {
        let i = match self {
            Provider::Heuristic => 0,
            Provider::Oracle => 1,
            Provider::OpenAi => 2,
            Provider::Anthropic => 3,
            Provider::Gemini => 4,
        };
        &SPECS[i]
    }

    pub fn id(self) -> &'static str {
        self.spec().id
    }

    pub fn from_id(s: &str) -> Option<Provider> {
        SPECS.iter().find(|p| p.id == s).map(|p| p.provider)
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn protocol(self) -> Protocol {
        self.spec().protocol
    }

    /// Whether answers come over the network (and need a key or a local server).
    pub fn is_remote(self) -> bool {
        self.protocol() != Protocol::StandIn
    }

    pub fn default_base_url(self) -> &'static str {
        self.spec().default_base_url
    }

    pub fn default_model(self) -> &'static str {
        self.spec().default_model
    }

    /// The environment variable the CLI reads the key from.
    pub fn key_env(self) -> Option<&'static str> {
        self.spec().key_env
    }
}

/// LLM settings of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmConfig {
    pub provider: Provider,
    /// Base URL for remote providers (default: the provider's public API). For a local
    /// Ollama: `http://localhost:11434/v1` with provider `openai`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Model name (default: a small, cheap model of the provider).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Standard deviation (in rating points) of the oracle's noise.
    pub oracle_noise: f64,
    /// Most requests a distillation may send (cache hits are free). When reached, the
    /// remaining states go unlabelled and the count says so.
    pub max_calls: usize,
    /// Requests in flight at once.
    pub max_concurrent: usize,
    /// Seconds before a request is abandoned (then retried).
    pub timeout_secs: f64,
    /// Retries after a 429, a 5xx, a timeout or a network error.
    pub max_retries: u32,
    /// Sampling temperature sent to the provider.
    pub temperature: f64,
    /// Most tokens an answer may have.
    pub max_tokens: u32,
    /// States rated per request.
    pub cases_per_request: usize,
    /// The prompt template (`None`: [`crate::llm::prompt::DEFAULT_TEMPLATE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            provider: Provider::Heuristic,
            base_url: None,
            model: None,
            oracle_noise: 0.5,
            max_calls: 200,
            max_concurrent: 4,
            timeout_secs: 60.0,
            max_retries: 4,
            temperature: 0.0,
            max_tokens: 1024,
            cases_per_request: 4,
            template: None,
        }
    }
}

impl LlmConfig {
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(self.provider.default_base_url())
            .trim_end_matches('/')
    }

    pub fn model(&self) -> String {
        match self.provider {
            Provider::Oracle => format!("oracle-noise-{}", self.oracle_noise),
            Provider::Heuristic | Provider::OpenAi | Provider::Anthropic | Provider::Gemini => {
                self.model
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(self.provider.default_model())
                    .to_string()
            }
        }
    }

    pub fn template_text(&self) -> &str {
        self.template
            .as_deref()
            .unwrap_or(super::prompt::DEFAULT_TEMPLATE)
    }

    /// What the answers came from, in words (the oracle always says it peeks).
    pub fn describe(&self) -> String {
        match self.provider {
            Provider::Heuristic => "heuristic stand-in (reads the prompt's text only)".into(),
            Provider::Oracle => format!(
                "oracle — peeks at the ground truth, noise σ = {}",
                self.oracle_noise
            ),
            Provider::OpenAi | Provider::Anthropic | Provider::Gemini => format!(
                "{} · {} · {}",
                self.provider.id(),
                self.model(),
                self.base_url()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_its_own_spec_in_the_order_of_all() {
        assert_eq!(SPECS.len(), Provider::ALL.len());
        for (k, p) in Provider::ALL.into_iter().enumerate() {
            assert_eq!(SPECS[k].provider, p);
            assert_eq!(p.spec().provider, p);
            assert_eq!(Provider::from_id(p.id()), Some(p));
            // The serde name is the id (configs and links carry it).
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.id()));
            // A remote provider has a host and a key variable; a stand-in neither.
            assert_eq!(p.is_remote(), !p.default_base_url().is_empty());
            assert_eq!(p.is_remote(), p.key_env().is_some());
        }
        assert_eq!(Provider::from_id("gpt"), None);
    }
}
