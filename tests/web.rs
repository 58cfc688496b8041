//! Browser tests, run in headless Chromium by wasm-bindgen-test (scripts/test.sh).
#![cfg(target_arch = "wasm32")]

mod common;

use ialp::env::coat::CoatFiles;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
fn wasm_gives_the_golden_digests_native_gives() {
    // tests/golden/digests.txt, which tests/digest_native.rs checks natively.
    let real = real_coat();
    let golden = common::golden();
    assert_eq!(
        golden.len(),
        common::DIGEST_CASES.len(),
        "a case has no golden digest"
    );
    for (name, json) in common::DIGEST_CASES {
        let (_, want) = golden
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name}: no golden digest"));
        let real = name.contains("real").then_some(&real);
        assert_eq!(
            common::digest_of(json, real),
            *want,
            "{name}: wasm and the stored (native) digest differ"
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
