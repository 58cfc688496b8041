//! Which model plays the user, and how hard we may call it. Part of the experiment
//! config (the key is not: it never leaves the page or the environment variable).

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

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::Heuristic,
        Provider::Oracle,
        Provider::OpenAi,
        Provider::Anthropic,
        Provider::Gemini,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Provider::Heuristic => "heuristic",
            Provider::Oracle => "oracle",
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Gemini => "gemini",
        }
    }

    pub fn from_id(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Heuristic => "Heuristic stand-in (no key)",
            Provider::Oracle => "Oracle — peeks at the ground truth (no key)",
            Provider::OpenAi => "OpenAI-compatible (OpenAI, OpenRouter, Groq, Ollama, LM Studio)",
            Provider::Anthropic => "Anthropic",
            Provider::Gemini => "Google Gemini",
        }
    }

    /// Whether answers come over the network (and need a key or a local server).
    pub fn is_remote(self) -> bool {
        !matches!(self, Provider::Heuristic | Provider::Oracle)
    }

    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::OpenAi => "https://api.openai.com/v1",
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::Gemini => "https://generativelanguage.googleapis.com",
            Provider::Heuristic | Provider::Oracle => "",
        }
    }

    pub fn default_model(self) -> &'static str {
        match self {
            Provider::OpenAi => "gpt-4o-mini",
            Provider::Anthropic => "claude-3-5-haiku-latest",
            Provider::Gemini => "gemini-2.0-flash",
            Provider::Heuristic => "heuristic-v1",
            Provider::Oracle => "oracle-v1",
        }
    }

    /// The environment variable the CLI reads the key from.
    pub fn key_env(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("OPENAI_API_KEY"),
            Provider::Anthropic => Some("ANTHROPIC_API_KEY"),
            Provider::Gemini => Some("GEMINI_API_KEY"),
            Provider::Heuristic | Provider::Oracle => None,
        }
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
            p => self
                .model
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(p.default_model())
                .to_string(),
        }
    }

    /// Where answers come from, as the cache keeps it: the base URL's origin for a
    /// remote provider (the URL itself if it has none we can read), empty for the
    /// stand-ins.
    pub fn answer_origin(&self) -> String {
        if !self.provider.is_remote() {
            return String::new();
        }
        super::key::origin_of(self.base_url()).unwrap_or_else(|_| self.base_url().to_string())
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
            p => format!("{} · {} · {}", p.id(), self.model(), self.base_url()),
        }
    }
}
