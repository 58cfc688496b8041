//! Browser tests, run in headless Chromium by wasm-bindgen-test (scripts/test.sh).
#![cfg(target_arch = "wasm32")]

mod common;

use ialp::env::coat::CoatFiles;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Digests written by the native test `digest_native` in the same test run.
const NATIVE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/digests/native.txt"
));

fn real_coat() -> CoatFiles {
    // Compiled in from ../shared at build time; nothing is copied into the repository.
    let mut f = CoatFiles::new();
    f.add(
        "train.ascii",
        include_str!("../../shared/data/coat/train.ascii").into(),
    );
    f.add(
        "test.ascii",
        include_str!("../../shared/data/coat/test.ascii").into(),
    );
    f.add(
        "pseudo_gt_rating_matrix.ascii",
        include_str!("../../shared/data/coat/pseudo_gt_rating_matrix.ascii").into(),
    );
    f.add(
        "user_features.ascii",
        include_str!("../../shared/data/coat/user_features.ascii").into(),
    );
    f.add(
        "item_features.ascii",
        include_str!("../../shared/data/coat/item_features.ascii").into(),
    );
    f
}

#[wasm_bindgen_test]
fn same_seed_same_episodes_in_wasm_as_natively() {
    let real = real_coat();
    let native: Vec<(&str, &str)> = NATIVE.lines().filter_map(|l| l.split_once(' ')).collect();
    assert_eq!(
        native.len(),
        common::DIGEST_CASES.len(),
        "native digests missing: run scripts/test.sh"
    );
    for ((name, json), (native_name, native_digest)) in common::DIGEST_CASES.iter().zip(native) {
        assert_eq!(*name, native_name);
        let real = name.contains("real").then_some(&real);
        assert_eq!(
            common::digest_of(json, real),
            native_digest,
            "{name}: wasm and native runs differ"
        );
    }
}

#[wasm_bindgen_test]
fn bad_coat_files_are_errors_not_panics_in_wasm() {
    let mut f = real_coat();
    f.add("train.ascii", "1 2 x\n".into());
    let e = f.load().unwrap_err().to_string();
    assert!(e.contains("train.ascii"), "{e}");
    let mut f = CoatFiles::new();
    f.add("train.ascii", "0 1\n".into());
    assert!(f.load().unwrap_err().to_string().contains("missing"));
}
