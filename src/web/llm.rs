//! The browser edge of the LLM: fetch transport (same protocol code as the CLI's), the
//! key's optional storage, the answer cache in localStorage, and file downloads.
//!
//! The key lives in the page's memory; only with "remember on this device" is it put
//! in localStorage, under its own entry. It goes nowhere else: not in the URL, the
//! results, the cache, exports, logs or error messages.

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;

use crate::ialp::distill::LlmOutcome;
use crate::llm::provider::{build_request, read_response, retry_after_ms, LlmFailure, RetryPolicy};
use crate::llm::{Completion, LlmCache, LlmConfig};

/// localStorage entries.
const KEY_ENTRY: &str = "ialp.llm.key";
const CACHE_ENTRY: &str = "ialp.llm.cache";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered key, if the user asked to remember one.
pub fn remembered_key() -> Option<String> {
    storage()?
        .get_item(KEY_ENTRY)
        .ok()?
        .filter(|k| !k.is_empty())
}

/// Remembers `key` on this device, or forgets it (`None`).
pub fn remember_key(key: Option<&str>) {
    if let Some(s) = storage() {
        let _ = match key {
            Some(k) => s.set_item(KEY_ENTRY, k),
            None => s.remove_item(KEY_ENTRY),
        };
    }
}

/// The saved answer cache (empty if none or unreadable).
pub fn load_cache() -> LlmCache {
    storage()
        .and_then(|s| s.get_item(CACHE_ENTRY).ok().flatten())
        .and_then(|t| LlmCache::from_json(&t).ok())
        .unwrap_or_else(LlmCache::new)
}

/// Saves the answer cache; returns an error message if the browser refused (quota).
pub fn save_cache(cache: &LlmCache) -> Result<(), String> {
    let s = storage().ok_or("this browser gives the page no storage")?;
    s.set_item(
        CACHE_ENTRY,
        &serde_json::to_string(cache).unwrap_or_default(),
    )
    .map_err(|_| "the browser's storage is full: export the cache to keep it".to_string())
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |_| format!("could not offer {name} for download");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Offers a `data:` URL (a canvas export) for download.
pub fn download_url(name: &str, url: &str) -> Result<(), String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| format!("could not offer {name} for download"))?
        .unchecked_into();
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

/// One fetch, abandoned after the config's timeout.
async fn call(config: &LlmConfig, key: &str, prompt: &str) -> Result<Completion, LlmFailure> {
    let req = build_request(config, key, prompt);
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let timer = controller.clone().map(|c| {
        gloo::timers::callback::Timeout::new((config.timeout_secs * 1000.0) as u32, move || {
            c.abort()
        })
    });
    let mut builder = gloo_net::http::Request::post(&req.url).abort_signal(signal.as_ref());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let aborted = || signal.as_ref().is_some_and(|s| s.aborted());
    let network = |e: gloo_net::Error| LlmFailure::Network {
        url: req.url.clone(),
        detail: e.to_string(),
    };
    let sent = match builder.body(req.body.clone()) {
        Ok(r) => r.send().await,
        Err(e) => Err(e),
    };
    let result = match sent {
        Ok(resp) => {
            let status = resp.status();
            let h = resp.headers();
            let wait = retry_after_ms(
                h.get("retry-after").as_deref(),
                h.get("retry-after-ms").as_deref(),
            );
            match resp.text().await {
                Ok(body) => read_response(config.provider, status, wait, &body),
                Err(_) if aborted() => Err(LlmFailure::Timeout {
                    secs: config.timeout_secs,
                }),
                Err(e) => Err(network(e)),
            }
        }
        Err(_) if aborted() => Err(LlmFailure::Timeout {
            secs: config.timeout_secs,
        }),
        Err(e) => Err(network(e)),
    };
    drop(timer);
    result.map_err(|f| f.redacted(key))
}

/// Asks until an answer, a fatal failure, or the retries run out (the same
/// [`RetryPolicy`] as the CLI).
pub async fn ask(config: LlmConfig, key: String, prompt: String) -> LlmOutcome {
    let policy = RetryPolicy::of(&config);
    let mut calls = 0;
    loop {
        calls += 1;
        match call(&config, &key, &prompt).await {
            Ok(c) => {
                return LlmOutcome {
                    result: Ok(c),
                    calls,
                }
            }
            Err(f) => {
                // Jitter only spreads retries; it never changes results.
                match policy.delay_ms(&f, calls as u32 - 1, js_sys::Math::random()) {
                    Some(ms) => TimeoutFuture::new(ms as u32).await,
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
