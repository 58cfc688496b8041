//! The three provider protocols as pure functions: the HTTP request for a prompt, the
//! answer text and token usage in a response, and what a failure means (stop, or retry
//! after how long). The page sends these requests with fetch, the CLI with a native
//! client; both read the responses here, so both behave the same.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::config::{LlmConfig, Protocol, Provider};

/// The system message: the model plays users and answers in JSON.
pub const SYSTEM: &str =
    "You simulate recommender-system users and rate items for them. Answer with JSON only.";

/// An HTTP POST to send. Its `Debug` hides credentials.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Headers that carry the key.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-goog-api-key"];

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
                        "<hidden>"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

/// Token counts, when the provider reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub usage: Option<Usage>,
}

/// How a request ended, as the edge reports it (the CLI's transport, the page's fetch, or
/// the runner answering for a stand-in).
#[derive(Debug, Clone, PartialEq)]
pub struct LlmOutcome {
    pub result: Result<Completion, LlmFailure>,
    /// HTTP calls made for it (1 + retries); 0 if nothing was sent.
    pub calls: usize,
}

/// Why a request did not give an answer. Messages never contain the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LlmFailure {
    #[error("the provider refused the API key (HTTP {status}): {message}. Check the key and the provider; nothing more will be sent.")]
    BadKey { status: u16, message: String },
    #[error("rate limited (HTTP 429){}", retry_after_ms.map(|ms| format!(", asked to wait {:.1} s", ms as f64 / 1000.0)).unwrap_or_default())]
    RateLimited { retry_after_ms: Option<u64> },
    #[error("the provider had a server error (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("the provider rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("no answer within {secs} s")]
    Timeout { secs: f64 },
    #[error("could not reach {url} ({detail}). For a local server (Ollama, LM Studio) allow this page's origin, e.g. start Ollama with OLLAMA_ORIGINS=*; otherwise check the base URL, your connection, and that the provider allows calls from a browser (CORS).")]
    Network { url: String, detail: String },
    #[error("the response is not the provider's JSON (HTTP {status}): {snippet}")]
    BadResponse { status: u16, snippet: String },
    #[error("the provider answered with a redirect{} to {to}. LLM requests never follow redirects, so your key was not sent there; if you trust it, set the base URL to it. Nothing more will be sent.", if *status > 0 { format!(" (HTTP {status})") } else { String::new() })]
    Redirected { status: u16, to: String },
}

impl LlmFailure {
    /// Failures after which nothing more should be sent.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            LlmFailure::BadKey { .. } | LlmFailure::Redirected { .. }
        )
    }

    /// Whether the same request may succeed if sent again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmFailure::RateLimited { .. }
                | LlmFailure::Server { .. }
                | LlmFailure::Timeout { .. }
                | LlmFailure::Network { .. }
        )
    }

    /// The same failure with `key` hidden in every text it carries (see
    /// [`super::key::redact`]): providers sometimes echo a bad key, whole or in part.
    /// Each text is cut to [`crate::limits::ERROR_TEXT_BYTES`] first
    /// ([`super::key::redact_cut`]): an error body may be megabytes, and is redacted
    /// again on every retry.
    pub fn redacted(self, key: &str) -> Self {
        let r = |s: String| super::key::redact_cut(&s, key, crate::limits::ERROR_TEXT_BYTES);
        match self {
            LlmFailure::BadKey { status, message } => LlmFailure::BadKey {
                status,
                message: r(message),
            },
            LlmFailure::Server { status, message } => LlmFailure::Server {
                status,
                message: r(message),
            },
            LlmFailure::Rejected { status, message } => LlmFailure::Rejected {
                status,
                message: r(message),
            },
            LlmFailure::Network { url, detail } => LlmFailure::Network {
                url: r(url),
                detail: r(detail),
            },
            LlmFailure::BadResponse { status, snippet } => LlmFailure::BadResponse {
                status,
                snippet: r(snippet),
            },
            LlmFailure::Redirected { status, to } => LlmFailure::Redirected { status, to: r(to) },
            // No text to hide.
            f @ (LlmFailure::RateLimited { .. } | LlmFailure::Timeout { .. }) => f,
        }
    }
}

pub use super::key::redact;

/// The failure for a 3xx answer: LLM requests never follow a redirect, so the key never
/// goes on to wherever it points (only the target's origin is shown).
pub fn redirect_failure(status: u16, location: Option<&str>) -> Option<LlmFailure> {
    (300..400)
        .contains(&status)
        .then(|| LlmFailure::Redirected {
            status,
            to: location
                .map(|l| {
                    let before_query = l.split(['?', '#']).next().unwrap_or_default();
                    super::key::origin_of(before_query).unwrap_or_else(|_| "another address".into())
                })
                .unwrap_or_else(|| "another address".into()),
        })
}

/// The request asking `config`'s provider to answer `prompt`.
pub fn build_request(config: &LlmConfig, key: &str, prompt: &str) -> HttpRequest {
    let base = config.base_url();
    let model = config.model();
    let key = key.trim();
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let (url, body) = match config.provider.protocol() {
        Protocol::AnthropicMessages => {
            headers.push(("x-api-key".into(), key.into()));
            headers.push(("anthropic-version".into(), "2023-06-01".into()));
            // Anthropic refuses browser (CORS) calls without this header.
            headers.push((
                "anthropic-dangerous-direct-browser-access".into(),
                "true".into(),
            ));
            let body = json!({
                "model": model, "max_tokens": config.max_tokens, "temperature": config.temperature,
                "system": SYSTEM, "messages": [{"role": "user", "content": prompt}],
            });
            (format!("{base}/v1/messages"), body)
        }
        Protocol::GeminiGenerateContent => {
            // The key goes in a header, never in the URL (`?key=` would end up in logs).
            headers.push(("x-goog-api-key".into(), key.into()));
            let body = json!({
                "systemInstruction": {"parts": [{"text": SYSTEM}]},
                "contents": [{"role": "user", "parts": [{"text": prompt}]}],
                "generationConfig": {"temperature": config.temperature, "maxOutputTokens": config.max_tokens},
            });
            (
                format!(
                    "{base}/v1beta/models/{}:generateContent",
                    encode_path(&model)
                ),
                body,
            )
        }
        // The stand-ins never reach a transport but share the OpenAI-compatible shape.
        Protocol::OpenAiChat | Protocol::StandIn => {
            if !key.is_empty() {
                headers.push(("authorization".into(), format!("Bearer {key}")));
            }
            let body = json!({
                "model": model, "temperature": config.temperature, "max_tokens": config.max_tokens,
                "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
            });
            (format!("{base}/chat/completions"), body)
        }
    };
    HttpRequest {
        url,
        headers,
        body: body.to_string(),
    }
}

fn encode_path(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                c.to_string()
            } else {
                format!("%{:02X}", c as u32 & 0xff)
            }
        })
        .collect()
}

/// Parses a `retry-after` value (seconds; HTTP dates are not worth the code here) or a
/// `retry-after-ms` value, into milliseconds.
pub fn retry_after_ms(retry_after: Option<&str>, retry_after_ms: Option<&str>) -> Option<u64> {
    if let Some(ms) = retry_after_ms
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
    {
        return Some(ms as u64);
    }
    retry_after
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|s| (s * 1000.0) as u64)
}

/// Reads a provider's response: the answer text, or what went wrong.
pub fn read_response(
    provider: Provider,
    status: u16,
    retry_after: Option<u64>,
    body: &str,
) -> Result<Completion, LlmFailure> {
    if body.len() as u64 > crate::limits::RESPONSE_BYTES {
        return Err(LlmFailure::BadResponse {
            status,
            snippet: format!(
                "{} of response, more than the {} an answer may be",
                crate::limits::human(body.len() as u64),
                crate::limits::human(crate::limits::RESPONSE_BYTES)
            ),
        });
    }
    let json: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&status) {
        let message = json
            .as_ref()
            .and_then(error_message)
            .unwrap_or_else(|| snippet(body));
        let key_problem = message.contains("API key")
            || message.contains("API_KEY_INVALID")
            || message.contains("api_key");
        return Err(match status {
            300..=399 => redirect_failure(status, None).expect("a 3xx status"),
            401 | 403 => LlmFailure::BadKey { status, message },
            400 if key_problem || body.contains("API_KEY_INVALID") => {
                LlmFailure::BadKey { status, message }
            }
            429 => LlmFailure::RateLimited {
                retry_after_ms: retry_after,
            },
            408 => LlmFailure::Timeout { secs: 0.0 },
            s if s >= 500 => LlmFailure::Server { status, message },
            _ => LlmFailure::Rejected { status, message },
        });
    }
    let Some(json) = json else {
        return Err(LlmFailure::BadResponse {
            status,
            snippet: snippet(body),
        });
    };
    // Where each protocol puts the answer's text parts and its token counts.
    let (text, usage) = match provider.protocol() {
        Protocol::AnthropicMessages => (
            text_parts(&json["content"]),
            usage_of(&json["usage"], "input_tokens", "output_tokens"),
        ),
        Protocol::GeminiGenerateContent => (
            text_parts(&json["candidates"][0]["content"]["parts"]),
            usage_of(
                &json["usageMetadata"],
                "promptTokenCount",
                "candidatesTokenCount",
            ),
        ),
        Protocol::OpenAiChat | Protocol::StandIn => {
            let content = &json["choices"][0]["message"]["content"];
            (
                content
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| text_parts(content)),
                usage_of(&json["usage"], "prompt_tokens", "completion_tokens"),
            )
        }
    };
    match text {
        Some(text) => Ok(Completion { text, usage }),
        None => Err(LlmFailure::BadResponse {
            status,
            snippet: snippet(body),
        }),
    }
}

/// The `text` of every part of an array of content parts, joined.
fn text_parts(parts: &Value) -> Option<String> {
    parts
        .as_array()
        .map(|parts| parts.iter().filter_map(|p| p["text"].as_str()).collect())
}

/// Token counts under the protocol's two field names (none if the prompt count is missing).
fn usage_of(u: &Value, prompt: &str, completion: &str) -> Option<Usage> {
    u[prompt].as_u64().map(|p| Usage {
        prompt_tokens: p,
        completion_tokens: u[completion].as_u64().unwrap_or(0),
    })
}

fn error_message(v: &Value) -> Option<String> {
    let e = &v["error"];
    e["message"]
        .as_str()
        .or_else(|| e.as_str())
        .or_else(|| v["message"].as_str())
        .map(str::to_string)
}

fn snippet(body: &str) -> String {
    let s: String = body.chars().take(120).collect();
    if body.chars().count() > 120 {
        format!("{s}…")
    } else if s.trim().is_empty() {
        "(empty body)".into()
    } else {
        s
    }
}

/// How long to wait before retrying, bounded; `None`: give up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    /// First back-off, doubled each retry.
    pub base_ms: u64,
    /// Longest wait, also for a provider's `retry-after`.
    pub max_ms: u64,
}

impl RetryPolicy {
    pub fn of(config: &LlmConfig) -> Self {
        Self {
            max_retries: config.max_retries,
            base_ms: 500,
            max_ms: 30_000,
        }
    }

    /// The wait before retry number `attempt + 1` after `failure`; `jitter` in [0, 1)
    /// spreads retries of concurrent requests (full jitter on the upper half).
    pub fn delay_ms(&self, failure: &LlmFailure, attempt: u32, jitter: f64) -> Option<u64> {
        if attempt >= self.max_retries || !failure.is_retryable() {
            return None;
        }
        if let LlmFailure::RateLimited {
            retry_after_ms: Some(ms),
        } = failure
        {
            return Some((*ms).min(self.max_ms));
        }
        let exp = self
            .base_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(self.max_ms);
        Some(((exp as f64) * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(p: Provider) -> LlmConfig {
        LlmConfig {
            provider: p,
            ..LlmConfig::default()
        }
    }

    #[test]
    fn requests_follow_each_protocol_and_debug_hides_the_key() {
        let r = build_request(&cfg(Provider::OpenAi), "sk-secret-123456", "hi");
        assert_eq!(r.url, "https://api.openai.com/v1/chat/completions");
        assert!(r
            .headers
            .contains(&("authorization".into(), "Bearer sk-secret-123456".into())));
        assert!(!format!("{r:?}").contains("secret"));
        let r = build_request(&cfg(Provider::Anthropic), "k", "hi");
        assert_eq!(r.url, "https://api.anthropic.com/v1/messages");
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "anthropic-dangerous-direct-browser-access" && v == "true"));
        let r = build_request(
            &LlmConfig {
                model: Some("gemini 2/x".into()),
                ..cfg(Provider::Gemini)
            },
            "k",
            "hi",
        );
        assert_eq!(r.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini%202%2Fx:generateContent");
        assert!(!r.url.contains("key="));
    }

    #[test]
    fn responses_and_failures() {
        let ok = r#"{"choices":[{"message":{"content":"{}"}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#;
        assert_eq!(
            read_response(Provider::OpenAi, 200, None, ok)
                .unwrap()
                .usage,
            Some(Usage {
                prompt_tokens: 3,
                completion_tokens: 2
            })
        );
        let ant = r#"{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"usage":{"input_tokens":1,"output_tokens":1}}"#;
        assert_eq!(
            read_response(Provider::Anthropic, 200, None, ant)
                .unwrap()
                .text,
            "ab"
        );
        let gem_bad = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}"#;
        assert!(matches!(
            read_response(Provider::Gemini, 400, None, gem_bad),
            Err(LlmFailure::BadKey { status: 400, .. })
        ));
        assert_eq!(
            read_response(Provider::OpenAi, 429, Some(1000), "{}"),
            Err(LlmFailure::RateLimited {
                retry_after_ms: Some(1000)
            })
        );
        assert!(matches!(
            read_response(Provider::Anthropic, 529, None, "{}"),
            Err(LlmFailure::Server { status: 529, .. })
        ));
        assert!(matches!(
            read_response(Provider::OpenAi, 200, None, "<html>502</html>"),
            Err(LlmFailure::BadResponse { .. })
        ));
        assert_eq!(retry_after_ms(Some("2"), None), Some(2000));
        assert_eq!(
            retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT"), Some("300")),
            Some(300)
        );
    }

    #[test]
    fn retries_are_bounded_and_honour_retry_after() {
        let p = RetryPolicy {
            max_retries: 3,
            base_ms: 500,
            max_ms: 4000,
        };
        let server = LlmFailure::Server {
            status: 500,
            message: String::new(),
        };
        assert_eq!(p.delay_ms(&server, 0, 1.0), Some(500));
        assert_eq!(p.delay_ms(&server, 2, 0.0), Some(1000));
        assert_eq!(p.delay_ms(&server, 3, 0.5), None);
        assert_eq!(
            p.delay_ms(
                &LlmFailure::RateLimited {
                    retry_after_ms: Some(60_000)
                },
                0,
                0.0
            ),
            Some(4000)
        );
        assert_eq!(
            p.delay_ms(
                &LlmFailure::BadKey {
                    status: 401,
                    message: String::new()
                },
                0,
                0.0
            ),
            None
        );
    }

    #[test]
    fn redirects_are_fatal_and_name_only_the_origin() {
        let f = redirect_failure(307, Some("http://127.0.0.1:9/v1/chat?key=sk-x")).unwrap();
        assert_eq!(
            f,
            LlmFailure::Redirected {
                status: 307,
                to: "http://127.0.0.1:9".into()
            },
            "only the origin, never the path or query"
        );
        assert!(redirect_failure(301, Some("https://u:p@x.example/"))
            .unwrap()
            .to_string()
            .contains("another address"));
        let f = redirect_failure(302, Some("https://Other.example:8443/x")).unwrap();
        assert!(f.to_string().contains("https://other.example:8443"), "{f}");
        assert!(f.is_fatal() && !f.is_retryable());
        assert!(redirect_failure(200, None).is_none());
        assert!(matches!(
            read_response(Provider::OpenAi, 308, None, ""),
            Err(LlmFailure::Redirected { status: 308, .. })
        ));
    }

    #[test]
    fn redaction_hides_whole_and_partial_keys() {
        let f = LlmFailure::BadKey {
            status: 401,
            message: "Incorrect API key provided: sk-abcdefgh****wxyz".into(),
        };
        let LlmFailure::BadKey { message, .. } = f.redacted("sk-abcdefghijklmnopqrstuvwxyz") else {
            unreachable!()
        };
        assert!(!message.contains("abcdefgh"), "{message}");
    }

    #[test]
    fn a_huge_error_text_is_cut_before_it_is_redacted() {
        let key = "qz7-wxyzabcdefgh0123456789";
        let huge = format!("{}{key}", "e".repeat(7_900_000));
        let body = serde_json::json!({"error": {"message": huge}}).to_string();
        let f = read_response(Provider::OpenAi, 500, None, &body).unwrap_err();
        let t = std::time::Instant::now();
        let LlmFailure::Server { message, .. } = f.redacted(key) else {
            unreachable!()
        };
        assert!(
            message.len() <= crate::limits::ERROR_TEXT_BYTES + 40,
            "{} bytes kept",
            message.len()
        );
        assert!(
            message.ends_with("(cut: 8 MB in all)"),
            "{}",
            &message[1990..]
        );
        // Bounded work: the whole 8 MB is never searched (it took minutes in debug).
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
        // Without a key the text is cut too.
        let f = read_response(Provider::OpenAi, 500, None, &body).unwrap_err();
        assert!(f.redacted("").to_string().len() < 2_200);
    }
}
