//! The browser edge of the LLM: fetch transport (same protocol code as the CLI's), the
//! key's optional storage, the answer cache (IndexedDB, web/store.rs), and file downloads.
//!
//! Keys live in the page's memory, each bound to the provider and origin it was typed
//! for (`llm::key::KeyRing`); only with "remember on this device" are they put in
//! localStorage, under their own entry. They go nowhere else: not in the URL, the
//! results, the cache, exports, logs or error messages. LLM requests never follow a
//! redirect (`redirect: "manual"`), so a key goes only to the origin it was sent to.

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;

use crate::llm::key::KeyRing;
use crate::llm::provider::{
    build_request, read_response, redirect_failure, retry_after_ms, LlmFailure, RetryPolicy,
};
use crate::llm::{ApiKey, Completion, LlmCache, LlmConfig, LlmOutcome};

/// localStorage entries.
const KEYS_ENTRY: &str = "ialp.llm.keys";
/// Where an older version of the page kept a bare key (read once, then moved).
const LEGACY_KEY_ENTRY: &str = "ialp.llm.key";
/// Where earlier versions kept the answer cache (moved into IndexedDB on load).
const CACHE_ENTRY: &str = "ialp.llm.cache";
/// A stored cache this version cannot read is moved here (plus a time stamp), not
/// overwritten.
const ASIDE_PREFIX: &str = "ialp.llm.cache.unreadable.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered keys, if the user asked to remember them (an older page's bare key
/// comes back unbound).
pub fn remembered_keys() -> Option<KeyRing> {
    let s = storage()?;
    if let Some(text) = s.get_item(KEYS_ENTRY).ok().flatten() {
        return Some(KeyRing::from_stored(&text));
    }
    let old = s.get_item(LEGACY_KEY_ENTRY).ok().flatten()?;
    let ring = KeyRing::from_stored(&old);
    (!ring.is_empty()).then_some(ring)
}

/// Remembers `ring` on this device, or forgets every key (`None`).
pub fn remember_keys(ring: Option<&KeyRing>) {
    if let Some(s) = storage() {
        let _ = s.remove_item(LEGACY_KEY_ENTRY);
        let _ = match ring.filter(|r| !r.is_empty()) {
            Some(r) => s.set_item(KEYS_ENTRY, &r.to_stored()),
            None => s.remove_item(KEYS_ENTRY),
        };
    }
}

/// Moves an unreadable stored cache aside (never deletes it); returns where it went.
fn keep_aside(s: &web_sys::Storage, text: &str) -> String {
    let name = format!("{ASIDE_PREFIX}{}", js_sys::Date::now() as u64);
    let _ = s.set_item(&name, text);
    name
}

/// Written (a time stamp) whenever this tab keeps answers, so other tabs' `storage`
/// events tell them to read the answers again.
pub const CACHE_TOUCHED: &str = "ialp.llm.cache.touched";

/// The answer cache kept in this browser (IndexedDB, one record per answer), with what
/// went wrong if some of it could not be read. A cache an earlier version kept in
/// localStorage is moved into IndexedDB first (and removed from localStorage only once
/// it is there); one that cannot be read is kept aside, never deleted.
pub async fn load_cache() -> (LlmCache, Option<String>) {
    let mut problems = Vec::new();
    let mut old = LlmCache::new();
    if let Some(s) = storage() {
        if let Some(text) = s.get_item(CACHE_ENTRY).ok().flatten() {
            match LlmCache::from_json(&text) {
                Ok(c) => {
                    let entries: Vec<_> = c.entries.clone().into_iter().collect();
                    match crate::web::store::put_answers(&entries).await {
                        Ok(()) => {
                            let _ = s.remove_item(CACHE_ENTRY);
                        }
                        Err(e) => problems.push(format!("The answers kept by an earlier version of the page could not be moved into IndexedDB ({e}); they stay in localStorage and are used.")),
                    }
                    old = c;
                }
                Err(e) => {
                    let aside = keep_aside(&s, &text);
                    let _ = s.remove_item(CACHE_ENTRY);
                    problems.push(format!("The answer cache stored in this browser could not be read ({e}). It was kept aside as “{aside}” in this site's storage, nothing was deleted, and a new cache was started; “Download the unreadable cache” saves it."));
                }
            }
        }
    }
    let mut cache = match crate::web::store::all_answers().await {
        Ok((c, 0)) => c,
        Ok((c, bad)) => {
            problems.push(format!("{bad} stored answers could not be read (an other version's?); they were left where they are and are not used."));
            c
        }
        Err(e) => {
            problems.push(format!("Answers cannot be kept in this browser ({e}): they last as long as this page; export the cache to keep them."));
            LlmCache::new()
        }
    };
    cache.merge(old);
    (cache, (!problems.is_empty()).then(|| problems.join(" ")))
}

/// The text of the newest cache kept aside, for download.
pub fn aside_cache() -> Option<(String, String)> {
    let s = storage()?;
    let mut newest: Option<String> = None;
    for i in 0..s.length().unwrap_or(0) {
        if let Some(k) = s
            .key(i)
            .ok()
            .flatten()
            .filter(|k| k.starts_with(ASIDE_PREFIX))
        {
            if newest.as_ref().is_none_or(|n| k > *n) {
                newest = Some(k);
            }
        }
    }
    let k = newest?;
    let text = s.get_item(&k).ok().flatten()?;
    Some((k, text))
}

/// The answers kept in this browser, as another tab may have added them.
pub async fn stored_cache() -> Result<LlmCache, String> {
    crate::web::store::all_answers().await.map(|(c, _)| c)
}

/// The answers in `new` that `cache` lacks (or holds differently), as records to keep.
pub fn news(cache: &LlmCache, new: &LlmCache) -> Vec<(String, crate::llm::cache::CachedAnswer)> {
    new.entries
        .iter()
        .filter(|(k, a)| cache.entries.get(*k) != Some(a))
        .map(|(k, a)| (k.clone(), a.clone()))
        .collect()
}

/// Keeps `answers`, one record each (only these: nothing else is rewritten), and tells
/// other tabs. An error message if the browser refused (quota, no IndexedDB).
pub async fn save_answers(answers: Vec<(String, crate::llm::cache::CachedAnswer)>) -> Result<(), String> {
    if answers.is_empty() {
        return Ok(());
    }
    crate::web::store::put_answers(&answers)
        .await
        .map_err(|e| format!("answers could not be kept in this browser ({e}): export the cache to keep them"))?;
    if let Some(s) = storage() {
        let _ = s.set_item(CACHE_TOUCHED, &js_sys::Date::now().to_string());
    }
    Ok(())
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
    // "manual": the browser does not follow a redirect (so no key header goes on to
    // wherever it points); the page reports it instead.
    let mut builder = gloo_net::http::Request::post(&req.url)
        .abort_signal(signal.as_ref())
        .redirect(web_sys::RequestRedirect::Manual);
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
        Ok(resp) if resp.type_() == web_sys::ResponseType::Opaqueredirect => {
            // The browser hides the status and target of a redirect it did not follow.
            Err(LlmFailure::Redirected {
                status: 0,
                to: "another address".into(),
            })
        }
        Ok(resp) => {
            let status = resp.status();
            let h = resp.headers();
            if let Some(f) = redirect_failure(status, h.get("location").as_deref()) {
                return Err(f.redacted(key));
            }
            let wait = retry_after_ms(
                h.get("retry-after").as_deref(),
                h.get("retry-after-ms").as_deref(),
            );
            let announced = h.get("content-length").and_then(|n| n.trim().parse::<u64>().ok());
            if let Some(n) = announced.filter(|n| *n > crate::limits::RESPONSE_BYTES) {
                return Err(LlmFailure::BadResponse {
                    status,
                    snippet: format!(
                        "{} of response, more than the {} an answer may be",
                        crate::limits::human(n),
                        crate::limits::human(crate::limits::RESPONSE_BYTES)
                    ),
                }
                .redacted(key));
            }
            // Streamed with a byte counter: a body without a length, or lying about it,
            // is cut off at the limit instead of being held whole.
            match crate::web::body::read_text(&resp, crate::limits::RESPONSE_BYTES).await {
                Ok(body) => read_response(config.provider, status, wait, &body),
                Err(crate::web::body::BodyError::TooLarge { limit }) => {
                    Err(LlmFailure::BadResponse {
                        status,
                        snippet: format!(
                            "more than the {} an answer may be (the rest was not read)",
                            crate::limits::human(limit)
                        ),
                    })
                }
                Err(_) if aborted() => Err(LlmFailure::Timeout {
                    secs: config.timeout_secs,
                }),
                Err(e) => Err(LlmFailure::Network {
                    url: req.url.clone(),
                    detail: e.to_string(),
                }),
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
pub async fn ask(config: LlmConfig, key: ApiKey, prompt: String) -> LlmOutcome {
    let policy = RetryPolicy::of(&config);
    let mut calls = 0;
    loop {
        calls += 1;
        match call(&config, key.expose(), &prompt).await {
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
