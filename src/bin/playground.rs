//! The browser entry point: trunk builds this binary for wasm32 (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    // The same module runs the page and, in a worker, the training (src/web/worker.rs).
    if ialp::web::in_worker() {
        ialp::web::start_worker();
    } else {
        ialp::web::start();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground runs in a browser: build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
