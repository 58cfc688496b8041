//! Asking a language model to play the user (METHOD.md §4.1, §8): the providers, each
//! described once (`config.rs`), their protocols as pure functions (request building,
//! response reading, error mapping, retry decisions: `provider.rs`), the prompt, the
//! forgiving answer parser, the answer cache, the two no-key stand-ins, and the key and
//! where it may go (`key/`). Nothing here touches the network: the edges (`web/llm.rs`
//! with fetch, `bin/ialp/` with the native client in `transport.rs`) send the requests
//! this module describes.

pub mod cache;
pub mod config;
pub mod key;
pub mod parse;
pub mod prompt;
pub mod provider;
pub mod standin;
#[cfg(not(target_arch = "wasm32"))]
pub mod transport;

pub use cache::LlmCache;
pub use config::{LlmConfig, Protocol, Provider, ProviderSpec};
pub use key::{ApiKey, KeyBinding};
pub use parse::{parse_answer, Dropped, ParsedAnswer};
pub use prompt::{Case, PromptTemplate};
pub use provider::{Completion, HttpRequest, LlmFailure, LlmOutcome, Usage};

use serde::{Deserialize, Serialize};

/// Live counters of one distillation: what the page shows and results.json keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LlmStats {
    /// Requests that needed an answer (cache misses), whoever answered them.
    pub requests: usize,
    /// HTTP calls sent to a provider, retries included (0 for the stand-ins).
    pub calls: usize,
    /// Requests answered from the cache (no call, no cost).
    pub cache_hits: usize,
    /// Retries after a 429, a 5xx, a timeout or a network error.
    pub retries: usize,
    /// Requests that failed for good (after their retries).
    pub failures: usize,
    /// Answers in which no usable rating could be found.
    pub unparsable: usize,
    /// Tokens the provider reported (0 when it reports none).
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Ratings kept.
    pub labels: usize,
    /// What the parser dropped, by reason.
    pub dropped: Dropped,
}
