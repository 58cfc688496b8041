//! The interrupted run, kept in the browser's IndexedDB so a reload, a closed tab or a
//! crashed worker does not lose it: the run's settings, the real Coat files and policy
//! file it used, and a [`Checkpoint`] of its finished jobs. Never the API key. One record
//! (a page runs one experiment at a time); it is replaced at every finished job and
//! deleted when the run finishes or the user discards it.
//!
//! The record is a JS value (serde-wasm-bindgen, as the worker's messages are), which
//! IndexedDB structured-clones, not JSON text; a record kept as JSON text by an earlier
//! version of the page is still read.
//!
//! The LLM's answer cache lives in the same database, store `answers`: one record per
//! answer, keyed by its hash ([`crate::llm::cache::cache_key`]), so keeping an answer
//! writes that answer alone (the whole cache rewritten to localStorage at every answer
//! was quadratic, and lost once the ~5 MB quota was full).
//!
//! Raw web-sys rather than an IndexedDB crate: three operations on one record do not
//! need one, and the async crates pull in an executor the bundle has no room for.

use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

use crate::experiment::{Checkpoint, ExperimentConfig};

const DB: &str = "ialp-playground";
/// Version 1 had `runs`; 2 adds `answers`.
const DB_VERSION: u32 = 2;
const STORE: &str = "runs";
const ANSWERS: &str = "answers";
const KEY: &str = "interrupted";

/// What the page keeps of a run to resume it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedRun {
    pub config: ExperimentConfig,
    /// The real Coat files as (name, text), for real-Coat runs.
    pub coat: Vec<(String, String)>,
    /// The policy file (name, JSON) that method `imported` deployed.
    pub policy: Option<(String, String)>,
    pub checkpoint: Checkpoint,
    /// When it was saved (ms since 1970).
    pub saved_at: f64,
}

/// Why something could not be kept or read, as the page says it.
fn problem(e: JsValue) -> String {
    match e.dyn_ref::<web_sys::DomException>() {
        Some(d) if d.name() == "QuotaExceededError" => {
            "this browser's storage for the page is full (free some site data, or export the results now)".into()
        }
        Some(d) => format!("{}: {}", d.name(), d.message()),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}

/// Waits for `req`'s success (its result) or error. The handlers are removed and their
/// closures freed afterwards (closures left to the garbage collector leaked about 70 KB
/// of JS heap per run, one pair per saved job: the soak in BENCHMARKS.md).
async fn settled(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let mut handlers = Vec::new();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = req.clone();
        let on_ok = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let bad = req.clone();
        let on_bad = Closure::<dyn FnMut()>::new(move || {
            let e = bad.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(on_ok.as_ref().unchecked_ref()));
        req.set_onerror(Some(on_bad.as_ref().unchecked_ref()));
        handlers.push(on_ok);
        handlers.push(on_bad);
    });
    let r = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    drop(handlers);
    r
}

/// `tx`'s completion as a future, its handlers set now (before anything else is
/// awaited, so it cannot commit unseen), and a guard that removes and frees them.
fn committed(tx: &IdbTransaction) -> (JsFuture, TxHandlers) {
    let mut handlers = Vec::new();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_ok = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let t = tx.clone();
        let on_bad = Closure::<dyn FnMut()>::new(move || {
            let e = t.error().map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(on_ok.as_ref().unchecked_ref()));
        tx.set_onabort(Some(on_bad.as_ref().unchecked_ref()));
        handlers.push(on_ok);
        handlers.push(on_bad);
    });
    (JsFuture::from(promise), TxHandlers { tx: tx.clone(), _closures: handlers })
}

struct TxHandlers {
    tx: IdbTransaction,
    _closures: Vec<Closure<dyn FnMut()>>,
}

impl Drop for TxHandlers {
    fn drop(&mut self) {
        self.tx.set_oncomplete(None);
        self.tx.set_onabort(None);
    }
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser gives the page no IndexedDB (a private window may not)")?;
    let req = factory.open_with_u32(DB, DB_VERSION).map_err(problem)?;
    let upgrade = req.clone();
    let on_upgrade = Closure::<dyn FnMut()>::new(move || {
        if let Ok(db) = upgrade.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
            // From nothing, or from version 1 (which has `runs` and its record).
            for name in [STORE, ANSWERS] {
                if !db.object_store_names().contains(name) {
                    let _ = db.create_object_store(name);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = settled(&req).await;
    req.set_onupgradeneeded(None);
    drop(on_upgrade);
    let db = db.map_err(problem)?;
    db.dyn_into::<IdbDatabase>().map_err(problem)
}

/// Runs `op` on `store` in one transaction and waits for it to commit: the results of
/// the requests `op` returns, in order. If `op` fails, nothing of it is kept.
async fn transact(
    store: &str,
    mode: IdbTransactionMode,
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<Vec<IdbRequest>, JsValue>,
) -> Result<Vec<JsValue>, String> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(store, mode).map_err(problem)?;
    let (done, handlers) = committed(&tx);
    let reqs = match tx.object_store(store).and_then(|s| op(&s)) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.abort();
            drop(handlers);
            db.close();
            return Err(problem(e));
        }
    };
    let mut values = Vec::with_capacity(reqs.len());
    let mut failed = None;
    for req in &reqs {
        match settled(req).await {
            Ok(v) => values.push(v),
            Err(e) => {
                failed.get_or_insert(problem(e));
            }
        }
    }
    let commit = done.await.map_err(problem);
    drop(handlers);
    db.close();
    commit?;
    failed.map_or(Ok(values), Err)
}

/// One request on the store of runs.
async fn with_store(
    mode: IdbTransactionMode,
    op: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<JsValue, String> {
    let mut values = transact(STORE, mode, |s| Ok(vec![op(s)?])).await?;
    Ok(values.pop().unwrap_or(JsValue::UNDEFINED))
}

/// Keeps `run`, replacing the one kept before.
pub async fn save(run: &SavedRun) -> Result<(), String> {
    let value = crate::web::protocol::try_to_js(run)?;
    with_store(IdbTransactionMode::Readwrite, |s| {
        s.put_with_key(&value, &JsValue::from_str(KEY))
    })
    .await
    .map(|_| ())
}

/// The run kept, if any (`Err` if it cannot be read: the page says so and offers to
/// discard it).
pub async fn load() -> Result<Option<SavedRun>, String> {
    let value = with_store(IdbTransactionMode::Readonly, |s| s.get(&JsValue::from_str(KEY))).await?;
    read(value)
}

/// The run in a stored record: nothing (no record), a JS value as [`save`] writes it, or
/// JSON text as earlier versions of the page wrote it; anything else is an error that
/// says what did not fit.
pub fn read(record: JsValue) -> Result<Option<SavedRun>, String> {
    if record.is_undefined() || record.is_null() {
        return Ok(None);
    }
    let run = match record.as_string() {
        Some(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
        None => crate::web::protocol::from_js(record),
    };
    run.map(Some)
        .map_err(|e| format!("the run kept in this browser cannot be read ({e})"))
}

/// Forgets the run kept.
pub async fn discard() -> Result<(), String> {
    with_store(IdbTransactionMode::Readwrite, |s| s.delete(&JsValue::from_str(KEY)))
        .await
        .map(|_| ())
}

/// Keeps `answers` (hash, answer), one record each, in one transaction.
pub async fn put_answers(
    answers: &[(String, crate::llm::cache::CachedAnswer)],
) -> Result<(), String> {
    if answers.is_empty() {
        return Ok(());
    }
    let values = answers
        .iter()
        .map(|(k, a)| crate::web::protocol::try_to_js(a).map(|v| (k, v)))
        .collect::<Result<Vec<_>, _>>()?;
    // Only the commit is awaited: a put that fails aborts the transaction.
    transact(ANSWERS, IdbTransactionMode::Readwrite, |store| {
        for (k, v) in &values {
            store.put_with_key(v, &JsValue::from_str(k))?;
        }
        Ok(Vec::new())
    })
    .await
    .map(|_| ())
}

/// Every answer kept, and how many records could not be read (left where they are).
pub async fn all_answers() -> Result<(crate::llm::LlmCache, usize), String> {
    let got = transact(ANSWERS, IdbTransactionMode::Readonly, |s| {
        Ok(vec![s.get_all_keys()?, s.get_all()?])
    })
    .await?;
    let [keys, values] = <[JsValue; 2]>::try_from(got).map_err(|_| "two answers expected from IndexedDB".to_string())?;
    let (keys, values) = (js_sys::Array::from(&keys), js_sys::Array::from(&values));
    let mut cache = crate::llm::LlmCache::new();
    let mut unreadable = 0;
    for (k, v) in keys.iter().zip(values.iter()) {
        match (k.as_string(), crate::web::protocol::from_js::<crate::llm::cache::CachedAnswer>(v)) {
            (Some(k), Ok(a)) if k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()) => {
                cache.entries.insert(k, a);
            }
            _ => unreadable += 1,
        }
    }
    Ok((cache, unreadable))
}
