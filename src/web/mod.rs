//! The browser edge: the yew app, canvas drawing, file reading. Nothing in the core
//! imports this module; it only turns DOM events into configs and results into pixels.

mod app;
mod blob;
mod body;
mod canvas;
mod csp;
mod llm;
pub mod store;
pub mod protocol;
mod trainer;
mod worker;

/// Whether this module runs in the training worker (no window there).
pub fn in_worker() -> bool {
    web_sys::window().is_none()
}

/// The worker's entry point (see `worker.rs`).
pub fn start_worker() {
    trainer::run();
}

use wasm_bindgen::JsCast;

/// Mounts the app on `#app` (or `<body>`), after installing a panic hook that shows a
/// readable message instead of leaving a blank page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("The playground hit an internal error and stopped: {info}. Reload the page; please report this with the settings you used.");
        web_sys::console::error_1(&msg.clone().into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(el) = doc.get_element_by_id("fatal") {
                el.set_text_content(Some(&msg));
                // A class, not a style attribute: the security policy allows no inline style.
                let _ = el.set_attribute("data-shown", "");
            }
        }
    }));
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .and_then(|e| e.dyn_into::<web_sys::Element>().ok());
    // The static "Starting…" line (index.html) says what to do if the app never starts.
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("starting"))
    {
        el.remove();
    }
    match root {
        Some(el) => yew::Renderer::<app::App>::with_root(el).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}
