//! Fuzzing every parser of untrusted input (issue 16): Coat grids, MovieLens-1M and
//! KuaiRec 2.0 files (loose and zipped), results files, policy files, answer caches,
//! configs, sweep grids, links and embed flags, the LLM answer parser and every
//! provider's response reader. Inputs are valid files with one to three mutations
//! (bytes flipped, JSON/CSV punctuation spliced in, cut, lines duplicated) or random
//! bytes. A parser must return (Ok or a plain error), never panic.
//!
//! The test suite runs a short budget; `scripts/fuzz.sh` runs a long one
//! (FUZZ_CASES per target) and FUZZING.md has its figures. Each target prints
//! `FUZZ <name>: <executions> executions in <s> s`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Cursor;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

use ialp::env::real::coat::{parse_coat_grid, CoatFile};
use ialp::env::real::generate::{self, MemSink, Size, ZipSink};
use ialp::env::real::{self, MemSource, ZipSource};
use ialp::env::Preset;
use ialp::experiment::embed::Layout;
use ialp::experiment::share::{from_fragment, to_fragment};
use ialp::experiment::sweep::Grid;
use ialp::experiment::{build_world, Experiment, ExperimentConfig, PolicyFile, Results};
use ialp::llm::provider::read_response;
use ialp::llm::{parse_answer, LlmCache, Provider};
use ialp::methods::Method;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Executions per target: FUZZ_CASES, or `default` (the test suite's short budget).
fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Pieces spliced into inputs: the punctuation of JSON, CSV and `::` files, numbers at
/// the edges, bytes that are not UTF-8.
const TOKENS: &[&[u8]] = &[
    b"{", b"}", b"[", b"]", b"\"", b",", b":", b"::", b"\n", b"\r\n", b"\t", b" ", b"-1", b"0",
    b"1e309", b"NaN", b"-0", b"99999999999999999999", b"18446744073709551616", b"null", b"true",
    b"\\", b"\\u0000", b"\xff\xfe", b"\xc3", b"\xe9", b"%", b"%zz", b"&", b"=", b"#", b"PK\x03\x04",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Splice(usize, usize),
    Delete(usize, usize),
    Truncate(usize),
    /// Repeats the line around a position.
    Duplicate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Flip(p, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Edit::Splice(p, t)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Delete(p, n)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::Duplicate),
    ]
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = base.to_vec();
    for e in edits {
        let at = |p: usize| if b.is_empty() { 0 } else { p % (b.len() + 1) };
        match *e {
            Edit::Flip(p, x) if !b.is_empty() => {
                let k = p % b.len();
                b[k] = x;
            }
            Edit::Flip(..) => {}
            Edit::Splice(p, t) => {
                let k = at(p);
                b.splice(k..k, TOKENS[t].iter().copied());
            }
            Edit::Delete(p, n) => {
                let k = at(p);
                let end = (k + n).min(b.len());
                b.drain(k..end);
            }
            Edit::Truncate(p) => {
                let k = at(p);
                b.truncate(k);
            }
            Edit::Duplicate(p) => {
                let k = at(p).min(b.len());
                let start = b[..k].iter().rposition(|c| *c == b'\n').map_or(0, |i| i + 1);
                let end = b[k..].iter().position(|c| *c == b'\n').map_or(b.len(), |i| k + i + 1);
                let line = b[start..end].to_vec();
                b.splice(end..end, line);
            }
        }
    }
    b
}

/// Runs `target` on mutations of `inputs` (which input, and its bytes) and on random
/// bytes (given as input 0's replacement); proptest reports (and shrinks) any panic.
fn fuzz(name: &str, default_cases: u32, inputs: Vec<Vec<u8>>, target: impl Fn(usize, &[u8])) {
    let n = inputs.len();
    let inputs = Arc::new(inputs);
    let mutated = {
        let inputs = inputs.clone();
        (0..n, vec(edit(), 1..=3)).prop_map(move |(k, e)| (k, apply(&inputs[k], &e)))
    };
    let random = (0..n, vec(any::<u8>(), 0..512));
    let strategy = prop_oneof![4 => mutated.boxed(), 1 => random.boxed()];
    let count = AtomicU64::new(0);
    let start = Instant::now();
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    });
    runner
        .run(&strategy, |(k, bytes)| {
            count.fetch_add(1, Relaxed);
            target(k, &bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!("FUZZ {name}: {} executions in {:.1} s, 0 panics", count.load(Relaxed), start.elapsed().as_secs_f64());
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tiny_files(preset: Preset) -> Vec<(String, Vec<u8>)> {
    let mut sink = MemSink::default();
    generate::write(preset, Size::Scale(0.006), 3, &mut sink).unwrap();
    sink.0
}

/// A data set target: input k is file k of `files`, replaced by the mutated bytes.
fn fuzz_data_set(name: &str, preset: Preset) {
    let files = tiny_files(preset);
    let inputs = files.iter().map(|(_, b)| b.clone()).collect();
    fuzz(name, 150, inputs, |k, bytes| {
        let mut f = files.clone();
        f[k].1 = bytes.to_vec();
        let _ = real::load(preset, &mut MemSource::new(f), &mut |_| {});
    });
}

#[test]
fn fuzz_movielens_files() {
    fuzz_data_set("movielens", Preset::MovieLens);
}

#[test]
fn fuzz_kuairec_files() {
    fuzz_data_set("kuairec", Preset::KuaiRec);
}

#[test]
fn fuzz_zip_archives() {
    let mut sink = ZipSink(zip::ZipWriter::new(Cursor::new(Vec::new())));
    generate::write(Preset::MovieLens, Size::Scale(0.006), 3, &mut sink).unwrap();
    let zip = sink.0.finish().unwrap().into_inner();
    fuzz("zip", 150, vec![zip], |_, bytes| {
        if let Ok(mut z) = ZipSource::new("ml-1m.zip", Cursor::new(bytes.to_vec())) {
            let _ = real::load(Preset::MovieLens, &mut z, &mut |_| {});
        }
    });
}

#[test]
fn fuzz_coat_grids() {
    let grid = b"1 2 3 4 5\n0 0 1 2 3\n5 4 3 2 1\n0 1 0 1 0\n".to_vec();
    let onehot = b"1 0 0\n0 1 0\n0 0 1\n0 1 0\n".to_vec();
    fuzz("coat", 1000, vec![grid, onehot], |k, bytes| {
        let t = text(bytes);
        let _ = match k {
            0 => parse_coat_grid(CoatFile::Train, &t, 4, 5, 0, 5),
            _ => parse_coat_grid(CoatFile::UserFeatures, &t, 4, 3, 0, 1),
        };
    });
}

/// A finished tiny run: its results and the trained policy of Offline A2C.
fn tiny_run() -> (String, String) {
    let c = ExperimentConfig::from_json(
        r#"{"env":{"preset":"coat","scale":0.05},"methods":["random","offline_a2c","online_a2c"],"seed":1,"eval_episodes":3,
            "training":{"offline_episodes":8,"online_episodes":8,"eval_every":4},"a2c":{"hidden":4,"episodes_per_update":4}}"#,
    )
    .unwrap();
    let world = Arc::new(build_world(&c, None).unwrap());
    let mut sim = Experiment::new(c, world);
    sim.run();
    (sim.results().to_json(), sim.policy_file(Method::OfflineA2c, 0).unwrap().to_json())
}

#[test]
fn fuzz_results_and_policy_files() {
    let (results, policy) = tiny_run();
    fuzz("results", 300, vec![results.into_bytes()], |_, b| {
        let _ = Results::from_json(&text(b));
    });
    fuzz("policy", 300, vec![policy.into_bytes()], |_, b| {
        let _ = PolicyFile::from_json(&text(b));
    });
}

#[test]
fn fuzz_answer_caches() {
    let mut c = LlmCache::new();
    c.insert("openai", "https://api.openai.com", "gpt-4o-mini", "prompt one", r#"{"cases":[{"case":1,"scores":{"3":4}}]}"#);
    c.insert("gemini", "https://generativelanguage.googleapis.com", "gemini-2.0-flash", "prompt two", "Sure! {\"3\": 5}");
    fuzz("cache", 2000, vec![c.to_json().into_bytes()], |_, b| {
        let _ = LlmCache::from_json(&text(b));
    });
}

#[test]
fn fuzz_configs_and_sweep_grids() {
    let presets: Vec<Vec<u8>> = ialp::experiment::presets::PRESETS.iter().map(|p| p.json.as_bytes().to_vec()).collect();
    fuzz("config", 1000, presets, |_, b| {
        let _ = ExperimentConfig::from_json(&text(b));
    });
    let grids: Vec<Vec<u8>> = ialp::experiment::sweep::SWEEPS.iter().map(|s| s.2.as_bytes().to_vec()).collect();
    fuzz("sweep grid", 1000, grids, |_, b| {
        if let Ok(g) = Grid::from_json(&text(b)) {
            let _ = g.expand();
        }
    });
}

#[test]
fn fuzz_links_and_embed_flags() {
    let links: Vec<Vec<u8>> = ialp::experiment::presets::PRESETS
        .iter()
        .map(|p| to_fragment(ExperimentConfig::from_json(p.json).unwrap().raw()).into_bytes())
        .collect();
    fuzz("link", 300, links, |_, b| {
        let _ = from_fragment(&text(b));
    });
    fuzz("embed flags", 2000, vec![b"embed=1&panels=chart,table&runbar=0&autorun=1".to_vec()], |_, b| {
        let _ = Layout::from_query(&text(b));
    });
}

#[test]
fn fuzz_llm_answers() {
    let answers = [
        r#"{"cases":[{"case":1,"scores":{"3":4,"5":1,"7":2}},{"case":2,"scores":{"9":5,"12":3}}]}"#,
        "Here you go:\n```json\n[{\"scores\":[{\"id\":3,\"score\":\"4/5\"},{\"id\":5,\"score\":2}]},{\"ratings\":{\"9\":1}}]\n```",
        "{\"cases\":[{\"case\":1,\"scores\":{\"3\":4,\"5\":",
    ];
    let expected = vec![vec![3, 5, 7], vec![9, 12]];
    fuzz("llm answer", 3000, answers.iter().map(|a| a.as_bytes().to_vec()).collect(), |_, b| {
        if let Ok(p) = parse_answer(&text(b), &expected) {
            assert!(p.scores.iter().flatten().flatten().all(|s| (1.0..=5.0).contains(s)));
        }
    });
}

#[test]
fn fuzz_provider_responses() {
    let bodies = [
        (Provider::OpenAi, r#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"{\"3\":4}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#),
        (Provider::Anthropic, r#"{"id":"x","type":"message","role":"assistant","content":[{"type":"text","text":"{\"3\":4}"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5}}"#),
        (Provider::Gemini, r#"{"candidates":[{"content":{"parts":[{"text":"{\"3\":4}"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5}}"#),
        (Provider::OpenAi, r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#),
    ];
    let providers: Vec<Provider> = bodies.iter().map(|b| b.0).collect();
    fuzz("provider responses", 3000, bodies.iter().map(|b| b.1.as_bytes().to_vec()).collect(), |k, b| {
        for status in [200, 401, 429, 500] {
            let _ = read_response(providers[k], status, None, &text(b));
        }
    });
}
