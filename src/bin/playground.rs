//! The browser entry point: trunk builds this binary for wasm32 (see `index.html`).

#[cfg(target_arch = "wasm32")]
fn main() {
    ialp::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground runs in a browser: build and serve it with scripts/serve.sh");
    std::process::exit(2);
}
