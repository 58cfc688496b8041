//! The answer parser over realistic messy answers: what real models write around,
//! inside and instead of the JSON we ask for. Valid ratings are kept; everything dropped
//! is counted by reason; nothing panics.

use ialp::llm::parse::{parse_answer, Dropped, ParseError};

/// Two cases: candidates [12, 7, 30] and [5, 9].
fn expected() -> Vec<Vec<usize>> {
    vec![vec![12, 7, 30], vec![5, 9]]
}

fn scores(text: &str) -> (Vec<Vec<Option<f32>>>, Dropped) {
    let p = parse_answer(text, &expected()).unwrap_or_else(|e| panic!("{e} in {text:?}"));
    (p.scores, p.dropped)
}

const FULL: [[Option<f32>; 3]; 2] = [
    [Some(4.0), Some(2.0), Some(5.0)],
    [Some(1.0), Some(3.0), None],
];

fn full() -> Vec<Vec<Option<f32>>> {
    vec![FULL[0].to_vec(), FULL[1][..2].to_vec()]
}

#[test]
fn prose_around_json() {
    let t = r#"Sure! Based on the user's history, here are my predictions:
{"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}
Let me know if you need anything else."#;
    assert_eq!(scores(t), (full(), Dropped::default()));
}

#[test]
fn fenced_json_with_a_language_tag_and_a_trailing_comma() {
    let t = "```json\n{\n  \"cases\": [\n    {\"case\": 1, \"scores\": {\"12\": 4, \"7\": 2, \"30\": 5,}},\n    {\"case\": 2, \"scores\": {\"5\": 1, \"9\": 3}}\n  ]\n}\n```";
    assert_eq!(scores(t).0, full());
}

#[test]
fn a_cut_off_answer_keeps_the_complete_pairs() {
    let t = "```json\n{\"cases\":[{\"case\":1,\"scores\":{\"12\":4,\"7\":2,\"30\":5}},{\"case\":2,\"scores\":{\"5\":1,\"9\"";
    let (s, d) = scores(t);
    assert_eq!(
        s,
        vec![vec![Some(4.0), Some(2.0), Some(5.0)], vec![Some(1.0), None]]
    );
    assert_eq!(d.missing, 1);
}

#[test]
fn wrong_and_decorated_ids() {
    // "[id 12]" and "id 7" name real candidates; 99 was never asked about; case 3 does
    // not exist.
    let t = r#"{"cases":[{"case":1,"scores":{"[id 12]":4,"id 7":2,"99":5}},{"case":2,"scores":{"5":1,"9":3}},{"case":3,"scores":{"1":2}}]}"#;
    let (s, d) = scores(t);
    assert_eq!(s[0], vec![Some(4.0), Some(2.0), None]);
    assert_eq!(d.unknown_ids, 1);
    assert_eq!(d.unknown_cases, 1);
    assert_eq!(d.missing, 1);
}

#[test]
fn out_of_range_strings_and_duplicates() {
    let t = r#"{"cases":[{"case":1,"scores":[{"id":12,"score":"4/5"},{"id":12,"score":1},{"id":7,"score":0},{"id":30,"score":"high"}]},{"case":2,"scores":[{"item":5,"rating":5.5},{"item_id":"9","preference":2.5}]}]}"#;
    let (s, d) = scores(t);
    assert_eq!(s, vec![vec![Some(4.0), None, None], vec![None, Some(2.5)]]);
    assert_eq!(d.duplicates, 1);
    assert_eq!(d.out_of_range, 2);
    assert_eq!(d.not_numbers, 1);
    assert_eq!(d.missing, 3);
}

#[test]
fn a_bare_list_of_cases_without_case_numbers() {
    let t = r#"[{"scores":{"12":4,"7":2,"30":5}},{"ratings":{"5":1,"9":3}}]"#;
    assert_eq!(scores(t).0, full());
}

#[test]
fn a_single_case_as_a_flat_map() {
    let p = parse_answer(r#"Ratings: {"12": 4, "7": 2, "30": 5}"#, &[vec![12, 7, 30]]).unwrap();
    assert_eq!(p.scores, vec![vec![Some(4.0), Some(2.0), Some(5.0)]]);
}

#[test]
fn braces_in_prose_before_the_json_do_not_hide_it() {
    let t = r#"I used the template {cases} as asked. {"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}"#;
    assert_eq!(scores(t).0, full());
}

#[test]
fn the_richest_of_several_json_blocks_wins() {
    let t = r#"Example format: {"cases":[{"case":1,"scores":{"<item id>":3}}]}
Actual answer: {"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}"#;
    assert_eq!(scores(t).0, full());
}

#[test]
fn nonsense_is_unparsable_not_a_crash() {
    assert_eq!(
        parse_answer(
            "As an AI language model I cannot rate jackets.",
            &expected()
        ),
        Err(ParseError::NoJson)
    );
    assert!(matches!(
        parse_answer(r#"{"cases":[{"case":1,"scores":{"99":4}}]}"#, &expected()),
        Err(ParseError::NoRatings(_))
    ));
    for junk in [
        "",
        "{",
        "[[[[",
        "}}}]]]",
        "{\"cases\": \"none\"}",
        "\u{feff}{\"a\":",
        "```\n```",
        "{\"cases\":[null, 3, \"x\"]}",
    ] {
        assert!(parse_answer(junk, &expected()).is_err(), "{junk:?}");
    }
}

#[test]
fn unicode_and_escapes_inside_strings_do_not_confuse_the_scanner() {
    let t = "Voilà — «ratings» {\"note\":\"a } inside \\\" quotes {\",\"cases\":[{\"case\":1,\"scores\":{\"12\":4,\"7\":2,\"30\":5}},{\"case\":2,\"scores\":{\"5\":1,\"9\":3}}]}";
    assert_eq!(scores(t).0, full());
}

#[test]
fn thousands_of_mangled_answers_never_panic() {
    // Real answers cut, spliced and salted with JSON punctuation at random: the parser
    // must return Ok or Err, never panic, and never keep a rating it was not asked for.
    use rand::{Rng, SeedableRng};
    let seeds = [
        r#"{"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}"#,
        r#"[{"scores":[{"id":12,"score":"4/5"},{"id":7,"score":2}]},{"ratings":{"5":1}}]"#,
        "```json\n{\"12\": 4, \"7\": 2}\n```",
    ];
    let junk = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "é", "5", "-1", "1e309", "null", " ",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    for _ in 0..5000 {
        let base = seeds[rng.random_range(0..seeds.len())];
        let mut s: Vec<char> = base.chars().collect();
        for _ in 0..rng.random_range(0..6) {
            let at = rng.random_range(0..=s.len());
            match rng.random_range(0..3) {
                0 if at < s.len() => {
                    s.remove(at);
                }
                1 => s.truncate(at),
                _ => s
                    .splice(at..at, junk[rng.random_range(0..junk.len())].chars())
                    .for_each(drop),
            }
        }
        let text: String = s.into_iter().collect();
        if let Ok(p) = parse_answer(&text, &expected()) {
            assert!(p.valid() > 0);
            for (case, cands) in p.scores.iter().zip(expected()) {
                assert_eq!(case.len(), cands.len());
                assert!(
                    case.iter().flatten().all(|v| (1.0..=5.0).contains(v)),
                    "{text:?}"
                );
            }
        }
    }
}

#[test]
fn a_stray_quote_in_bracketed_prose_does_not_hide_the_json_after_it() {
    let t = r#"(see [1" above]) then {"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}"#;
    assert_eq!(scores(t).0, full());
}

#[test]
fn pathological_nesting_ends_in_a_plain_error() {
    // Each of these once cost the parser quadratic (or cubic) time; the linear scanner
    // reads each a few times. The speed is measured in BENCHMARKS.md (cargo bench).
    for text in ["[".repeat(200_000), "[1,".repeat(50_000), "{\"a\":".repeat(50_000), "[]".repeat(100_000)] {
        assert!(parse_answer(&text, &expected()).is_err(), "{}…", &text[..20]);
    }
    // Deep nesting around a real answer: found at any depth up to three wrappers.
    let inner = r#"{"cases":[{"case":1,"scores":{"12":4,"7":2,"30":5}},{"case":2,"scores":{"5":1,"9":3}}]}"#;
    assert_eq!(scores(&format!("[note [see {inner}]]")).0, full());
}
