//! Computes the digests of the shared cases natively and writes them where the browser
//! test (`tests/web.rs`, compiled after this ran) reads them, so the two are compared
//! bit for bit. scripts/test.sh runs this before the wasm tests.

mod common;

#[test]
fn native_digests_are_stable_and_written_for_the_browser_test() {
    let real = common::coat_files(&common::real_coat_texts());
    let mut lines = String::new();
    for (name, json) in common::DIGEST_CASES {
        let real = name.contains("real").then_some(&real);
        let d = common::digest_of(json, real);
        assert_eq!(d, common::digest_of(json, real), "{name}: two runs differ");
        assert_eq!(d.len(), 64);
        lines.push_str(&format!("{name} {d}\n"));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/digests");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("native.txt"), lines).unwrap();
}
