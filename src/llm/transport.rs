//! The native transport (CLI): sends [`HttpRequest`](super::HttpRequest)s with a
//! blocking client, retries as [`RetryPolicy`] says, and reports [`LlmOutcome`]s. The
//! page's fetch transport (`web/llm.rs`) does the same with the same protocol code.

use std::time::Duration;

use rand::SeedableRng;

use super::provider::{
    build_request, read_response, redirect_failure, retry_after_ms, LlmFailure, LlmOutcome,
    RetryPolicy,
};
use super::{ApiKey, LlmConfig};
use crate::rng::SimRng;

/// A client for one distillation's settings.
pub struct NativeTransport {
    agent: ureq::Agent,
    config: LlmConfig,
    key: ApiKey,
}

impl NativeTransport {
    pub fn new(config: &LlmConfig, key: ApiKey) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs_f64(config.timeout_secs)))
            .http_status_as_error(false)
            // Never follow a redirect: the key headers would go wherever it points.
            // The 3xx comes back as a response and becomes `LlmFailure::Redirected`.
            .max_redirects(0)
            .build()
            .into();
        Self {
            agent,
            config: config.clone(),
            key,
        }
    }

    /// One HTTP call.
    fn call(&self, prompt: &str) -> Result<super::Completion, LlmFailure> {
        let req = build_request(&self.config, self.key.expose(), prompt);
        let mut r = self.agent.post(&req.url);
        for (k, v) in &req.headers {
            r = r.header(k, v);
        }
        match r.send(req.body.as_str()) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let header = |name: &str| {
                    resp.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                if let Some(f) = redirect_failure(status, header("location").as_deref()) {
                    return Err(f.redacted(self.key.expose()));
                }
                let wait = retry_after_ms(
                    header("retry-after").as_deref(),
                    header("retry-after-ms").as_deref(),
                );
                // One byte over the bound reads as "too long" in read_response.
                let body = match resp
                    .body_mut()
                    .with_config()
                    .limit(crate::limits::RESPONSE_BYTES + 1)
                    .lossy_utf8(true)
                    .read_to_string()
                {
                    Ok(b) => b,
                    Err(ureq::Error::BodyExceedsLimit(_)) => {
                        return Err(LlmFailure::BadResponse {
                            status,
                            snippet: format!(
                                "more than the {} an answer may be",
                                crate::limits::human(crate::limits::RESPONSE_BYTES)
                            ),
                        })
                    }
                    Err(ureq::Error::Timeout(_)) => {
                        return Err(LlmFailure::Timeout {
                            secs: self.config.timeout_secs,
                        })
                    }
                    Err(e) => {
                        return Err(LlmFailure::Network {
                            url: req.url.clone(),
                            detail: e.to_string(),
                        })
                    }
                };
                read_response(self.config.provider, status, wait, &body)
            }
            Err(ureq::Error::Timeout(_)) => Err(LlmFailure::Timeout {
                secs: self.config.timeout_secs,
            }),
            Err(e) => Err(LlmFailure::Network {
                url: req.url.clone(),
                detail: e.to_string(),
            }),
        }
        .map_err(|f| f.redacted(self.key.expose()))
    }

    /// Asks until an answer, a fatal failure, or the retries run out.
    pub fn ask(&self, id: usize, prompt: &str) -> LlmOutcome {
        let policy = RetryPolicy::of(&self.config);
        let mut jitter = SimRng::seed_from_u64(id as u64);
        let mut calls = 0;
        loop {
            calls += 1;
            match self.call(prompt) {
                Ok(c) => {
                    return LlmOutcome {
                        result: Ok(c),
                        calls,
                    }
                }
                Err(f) => {
                    use rand::Rng;
                    match policy.delay_ms(&f, calls as u32 - 1, jitter.random::<f64>()) {
                        Some(ms) => std::thread::sleep(Duration::from_millis(ms)),
                        None => {
                            return LlmOutcome {
                                result: Err(f),
                                calls,
                            }
                        }
                    }
                }
            }
        }
    }

    /// Answers `prompts` concurrently (one thread each: the caller takes at most
    /// `max_concurrent` at a time); outcomes in the same order.
    pub fn ask_all(&self, prompts: &[(usize, &str)]) -> Vec<LlmOutcome> {
        std::thread::scope(|s| {
            let handles: Vec<_> = prompts
                .iter()
                .map(|(id, p)| s.spawn(move || self.ask(*id, p)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an LLM request thread panicked"))
                .collect()
        })
    }
}
