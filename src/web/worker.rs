//! The page's side of the training worker.
//!
//! The worker runs this same WebAssembly module: a module worker made from a two-line
//! script imports the app's own JS and wasm files (found in the page's preload links),
//! and `main` sees it is not in a window and starts [`super::trainer::run`]. One build,
//! one download (the browser's cache serves the second fetch). We drive `web_sys::Worker`
//! directly rather than through gloo-worker 0.5, because that crate's bridge neither
//! reports a crashed worker to the page nor lets a message fail to decode without a
//! panic; here both become a visible error and the page keeps what it had.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{from_js, to_js, FromTrainer, ToTrainer};

/// A running worker; dropping it terminates the worker.
pub struct TrainerHandle {
    worker: web_sys::Worker,
    /// Messages sent before the worker said Ready (`None` once it has).
    queue: Rc<RefCell<Option<Vec<JsValue>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// The absolute URL of a `<link>` in the page matching `selector`.
fn link_href(doc: &web_sys::Document, selector: &str) -> Option<String> {
    let el = doc.query_selector(selector).ok()??;
    let href = el.get_attribute("href")?;
    let base = doc.base_uri().ok()??;
    web_sys::Url::new_with_base(&href, &base)
        .ok()
        .map(|u| u.href())
}

impl TrainerHandle {
    /// Starts the worker. `on_message` gets every message; `on_error` a readable reason
    /// if the worker could not load or crashed.
    pub fn spawn(
        on_message: impl Fn(FromTrainer) + 'static,
        on_error: impl Fn(String) + 'static,
    ) -> Result<Self, String> {
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let js = link_href(&doc, r#"link[rel="modulepreload"][href$=".js"]"#);
        let wasm = link_href(&doc, r#"link[rel="preload"][href$="_bg.wasm"]"#);
        let (Some(js), Some(wasm)) = (js, wasm) else {
            return Err("the page's own script files were not found, so training cannot start in the background; reload the page".into());
        };
        // A blocked request is said in the console with what blocked it (the worker
        // inherits the page's security policy).
        let source = format!(
            "addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation in the training worker: ${{e.violatedDirective}} blocked ${{e.blockedURI}}`));\nimport init from {};\nawait init({{ module_or_path: {} }});\n",
            serde_json::to_string(&js).unwrap_or_default(),
            serde_json::to_string(&wasm).unwrap_or_default()
        );
        let parts = js_sys::Array::of1(&JsValue::from_str(&source));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
            .map_err(|_| "could not make the worker's script")?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)
            .map_err(|_| "could not make the worker's script")?;
        let wo = web_sys::WorkerOptions::new();
        wo.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(&url, &wo)
            .map_err(|e| format!("this browser could not start a module worker: {e:?}"))?;
        let queue: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_error = Rc::new(on_error);
        let on_message = {
            let (queue, worker, on_error) = (queue.clone(), worker.clone(), on_error.clone());
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                match from_js::<FromTrainer>(e.data()) {
                    Ok(FromTrainer::Ready) => {
                        if let Some(q) = queue.borrow_mut().take() {
                            for m in q {
                                let _ = worker.post_message(&m);
                            }
                        }
                        on_message(FromTrainer::Ready);
                    }
                    Ok(m) => on_message(m),
                    Err(e) => on_error(format!(
                        "the training worker sent something unreadable: {e}"
                    )),
                }
            })
        };
        let on_err =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                let msg = e.message();
                on_error(if msg.is_empty() {
                    "the training worker could not load (is the page served over http(s)?)".into()
                } else {
                    format!("the training worker stopped: {msg}")
                });
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_err.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            queue,
            _on_message: on_message,
            _on_error: on_err,
        })
    }

    pub fn send(&self, msg: &ToTrainer) {
        self.post(to_js(msg));
    }

    /// Sends `msg` with `files` beside it (structured clone passes `File`s as handles,
    /// not contents): the message is the array `[message, file, file, …]` (a message on
    /// its own is never an array).
    pub fn send_with_files(&self, msg: &ToTrainer, files: &[web_sys::File]) {
        let arr = js_sys::Array::of1(&to_js(msg));
        for f in files {
            arr.push(f);
        }
        self.post(arr.into());
    }

    fn post(&self, value: JsValue) {
        if let Some(q) = self.queue.borrow_mut().as_mut() {
            q.push(value);
            return;
        }
        let _ = self.worker.post_message(&value);
    }
}

impl Drop for TrainerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
