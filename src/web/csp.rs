//! The page's `connect-src`, as www/boot.js narrowed it at load (the providers' own APIs,
//! servers on this machine, and the hosts the user allowed), and "Allow and reload" for
//! a host the user chooses. A policy can only be narrowed after load, so a new host
//! takes effect on the next load; the page asks before anything is sent there.

use crate::llm::key::connect_src_allows;

/// Where the hosts the user allowed are kept (www/boot.js reads the same key).
const ALLOW_KEY: &str = "ialp-connect-allow";

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The sources of the narrowing policy, if boot.js set one.
fn connect_sources() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let meta = doc.query_selector("meta[data-ialp-connect]").ok()??;
    let content = meta.get_attribute("content")?;
    Some(content.trim().strip_prefix("connect-src").unwrap_or(&content).to_string())
}

/// Whether the page may connect to `origin` (`scheme://host[:port]`).
pub fn allows(origin: &str) -> bool {
    match connect_sources() {
        Some(s) => connect_src_allows(&s, origin, &page_origin()),
        None => true,
    }
}

/// Adds `origin` to the hosts the user allowed and reloads the page (the link in the
/// address bar keeps the settings). Fails if this browser keeps no storage.
pub fn allow_and_reload(origin: &str) -> Result<(), String> {
    let w = web_sys::window().ok_or("no window")?;
    let storage = w
        .local_storage()
        .ok()
        .flatten()
        .ok_or("this browser keeps no local storage, so the page cannot remember the host")?;
    let mut allowed: Vec<String> = storage
        .get_item(ALLOW_KEY)
        .ok()
        .flatten()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    if !allowed.iter().any(|o| o == origin) {
        allowed.push(origin.to_string());
    }
    storage
        .set_item(ALLOW_KEY, &serde_json::to_string(&allowed).unwrap_or_default())
        .map_err(|_| "the browser refused to store the host (storage full?)".to_string())?;
    w.location().reload().map_err(|_| "the page could not reload itself; reload it by hand".to_string())
}

/// Keeps `value` for this tab's session (survives the reload that allows a host).
pub fn session_set(key: &str, value: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = s.set_item(key, value);
    }
}

/// What [`session_set`] kept, if anything.
pub fn session_get(key: &str) -> Option<String> {
    web_sys::window()?.session_storage().ok()??.get_item(key).ok()?
}
