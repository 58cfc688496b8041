//! The golden digests: every case of `common::DIGEST_CASES` must give, natively, the
//! digest stored in `tests/golden/digests.txt` (the browser test `tests/web.rs` checks
//! the same file in wasm). A refactor changes no number, so it keeps them.
//!
//! A deliberate change of behaviour re-blesses them in its own commit, with the reason
//! in the message: `IALP_BLESS=1 cargo test --test digest_native`.

mod common;

const HEADER: &str = "# Golden digests (Results::numbers_digest) of tests/common DIGEST_CASES.\n# Re-bless only for a deliberate change of behaviour, in its own commit with the reason:\n#   IALP_BLESS=1 cargo test --test digest_native\n";

#[test]
fn every_case_gives_its_golden_digest_and_is_deterministic() {
    let real = common::coat_files(&common::real_coat_texts());
    let digests: Vec<(&str, String)> = common::DIGEST_CASES
        .iter()
        .map(|(name, json)| {
            let real = name.contains("real").then_some(&real);
            let d = common::digest_of(json, real);
            assert_eq!(d, common::digest_of(json, real), "{name}: two runs differ");
            assert_eq!(d.len(), 64);
            (*name, d)
        })
        .collect();
    if std::env::var_os("IALP_BLESS").is_some() {
        let mut text = String::from(HEADER);
        for (name, d) in &digests {
            text.push_str(&format!("{name} {d}\n"));
        }
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/digests.txt");
        std::fs::write(&path, text).unwrap();
        eprintln!("blessed {} digests into {}", digests.len(), path.display());
        return;
    }
    let golden = common::golden();
    let mut wrong = Vec::new();
    for (name, d) in &digests {
        match golden.iter().find(|(n, _)| n == name) {
            Some((_, g)) if g == d => {}
            Some((_, g)) => wrong.push(format!("{name}: now {d}, golden {g}")),
            None => wrong.push(format!("{name}: no golden digest")),
        }
    }
    for (n, _) in &golden {
        if !digests.iter().any(|(name, _)| name == n) {
            wrong.push(format!(
                "{n}: golden digest of a case that no longer exists"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the numbers changed:\n  {}\n(a deliberate change re-blesses them in its own commit: IALP_BLESS=1 cargo test --test digest_native)",
        wrong.join("\n  ")
    );
}
