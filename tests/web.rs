//! Browser tests, run in headless Chromium by wasm-bindgen-test (scripts/test.sh).
#![cfg(target_arch = "wasm32")]

mod common;

use ialp::env::real::coat::CoatFiles;
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

/// Issue 17: every message of the worker protocol crosses the JS boundary as a JS value
/// (serde-wasm-bindgen, as `postMessage` sends it) and comes back equal (compared as their
/// JSON), 64-bit seeds included; a value of the wrong shape is an error, not a panic.
#[wasm_bindgen_test]
fn every_worker_message_round_trips_through_a_js_value() {
    use ialp::env::real::{LoadProgress, LoadReport};
    use ialp::env::Preset;
    use ialp::experiment::delta::{Deltas, ResultsChange};
    use ialp::llm::{ApiKey, LlmCache};
    use ialp::methods::Method;
    use ialp::web::protocol::{
        from_js, to_js, DataSummary, FromTrainer, RunState, Speed, StartRun, ToTrainer, Update,
    };
    use serde::{de::DeserializeOwned, Serialize};

    fn round_trip<T: Serialize + DeserializeOwned>(msg: &T) {
        let before = serde_json::to_string(msg).unwrap();
        let value = to_js(msg);
        // What postMessage does to it.
        let clone: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"structuredClone".into()).unwrap().into();
        let cloned = clone.call1(&wasm_bindgen::JsValue::NULL, &value).unwrap();
        let back: T = from_js(cloned).unwrap_or_else(|e| panic!("{before}: {e}"));
        assert_eq!(serde_json::to_string(&back).unwrap(), before);
    }

    // A small finished run (results, a checkpoint midway), the largest seed the config
    // allows, and 64-bit values past a double's integers where the protocol has them.
    let (raw, mut sim) = small_run_two_jobs_in();
    let checkpoint = sim.checkpoint();
    // Snapshots as the worker sends them: the first whole, the next as a change.
    let mut deltas = Deltas::default();
    let first = deltas.change(&sim.results());
    sim.run();
    let results = sim.results();
    let later = deltas.change(&results);
    assert!(matches!(later, ResultsChange::Since(_)));
    let mut cache = LlmCache::new();
    cache.insert("openai", "https://api.openai.com", "gpt-4o-mini", "a prompt", "{\"3\": 4}");

    let to: Vec<ToTrainer> = vec![
        ToTrainer::Start(Box::new(StartRun {
            run: 7,
            config: raw.clone(),
            real: vec![("train.ascii".into(), "1 2\n".into())],
            cache: cache.to_json(),
            key: ApiKey::new("sk-test-not-a-real-key"),
            speed: Speed::Normal,
            paused: true,
            policy: Some("{}".into()),
            resume: Some(Box::new(checkpoint.clone())),
        })),
        ToTrainer::ExportPolicy { method: Method::OfflineA2c, index: 1 },
        ToTrainer::Pause,
        ToTrainer::Resume,
        ToTrainer::Step,
        ToTrainer::Stop,
        ToTrainer::Speed(Speed::Slow),
        ToTrainer::LoadData { load: 3, preset: Preset::MovieLens },
        ToTrainer::PanicForTest,
    ];
    for m in &to {
        round_trip(m);
    }
    let from: Vec<FromTrainer> = vec![
        FromTrainer::Ready,
        FromTrainer::Update {
            update: Box::new(Update {
                run: 7,
                state: RunState::Finished,
                progress: sim.progress(),
                current: Some((Method::OnlineA2c, u64::MAX - 1)),
                elapsed_ms: 1234.5,
                llm: sim.llm_stats(),
                digest: Some(results.digest()),
                memory_bytes: 1 << 40,
            }),
            results: first,
        },
        FromTrainer::Update {
            update: Box::new(Update {
                run: 7,
                state: RunState::Running,
                progress: sim.progress(),
                current: None,
                elapsed_ms: 0.0,
                llm: None,
                digest: None,
                memory_bytes: 0,
            }),
            results: later,
        },
        FromTrainer::Failed { run: 7, message: "a reason".into() },
        FromTrainer::Crashed { message: "a panic".into() },
        FromTrainer::Policy(Ok(("p.json".into(), "{}".into()))),
        FromTrainer::Policy(Err("none yet".into())),
        FromTrainer::LoadProgress {
            load: 3,
            progress: LoadProgress { stage: "reading ratings.dat".into(), done: 5, total: u64::MAX },
        },
        FromTrainer::Loaded(Box::new(DataSummary {
            load: 3,
            preset: Preset::KuaiRec,
            users: 10,
            items: 20,
            log: 30,
            digest: "ab".repeat(32),
            report: LoadReport::default(),
            ms: 2.5,
            memory_bytes: 85_000_000,
        })),
        FromTrainer::LoadFailed { load: 3, message: "ratings.dat line 2".into() },
        FromTrainer::Checkpoint { run: 7, checkpoint: Box::new(checkpoint) },
        FromTrainer::Answers(cache),
    ];
    for m in &from {
        round_trip(m);
    }

    // Wrong shapes: an unknown command, a JSON string of one (the old protocol), a
    // message of the wrong type, nothing.
    for bad in [
        wasm_bindgen::JsValue::from_str("Explode"),
        wasm_bindgen::JsValue::from_str("\"Pause\""),
        wasm_bindgen::JsValue::from_f64(3.0),
        wasm_bindgen::JsValue::UNDEFINED,
    ] {
        assert!(from_js::<ToTrainer>(bad).is_err());
    }
    let start_of_wrong_shape = js_sys::JSON::parse(r#"{"Start": {"run": "seven"}}"#).unwrap();
    let e = from_js::<ToTrainer>(start_of_wrong_shape).unwrap_err();
    assert!(!e.is_empty());
}

/// Issue 17: the run kept for a resume goes into IndexedDB as a JS value (structured-
/// cloned there, not JSON text) and reads back equal, 64-bit seed included; a record kept
/// as JSON text by an earlier page still reads; a record of the wrong shape is an error.
#[wasm_bindgen_test]
async fn the_kept_run_is_stored_as_a_js_value_and_read_back() {
    use ialp::web::protocol::to_js;
    use ialp::web::store::{self, SavedRun};
    use wasm_bindgen::JsValue;

    let (raw, sim) = small_run_two_jobs_in();
    let run = SavedRun {
        config: raw,
        coat: vec![("train.ascii".into(), "1 2\n".into())],
        policy: Some(("p.json".into(), "{}".into())),
        checkpoint: sim.checkpoint(),
        saved_at: 1.7e12,
    };
    let json = serde_json::to_string(&run).unwrap();
    let as_json = |r: Option<SavedRun>| serde_json::to_string(&r.expect("a run")).unwrap();

    store::save(&run).await.unwrap();
    assert_eq!(as_json(store::load().await.unwrap()), json);
    assert_eq!(as_json(store::read(to_js(&run)).unwrap()), json);
    assert_eq!(as_json(store::read(JsValue::from_str(&json)).unwrap()), json, "an earlier page's record");
    assert!(store::read(JsValue::UNDEFINED).unwrap().is_none());
    for bad in [
        js_sys::JSON::parse(r#"{"config": 3}"#).unwrap(),
        JsValue::from_str("{not json"),
        JsValue::from_f64(1.0),
    ] {
        let e = store::read(bad).unwrap_err();
        assert!(e.contains("cannot be read"), "{e}");
    }
    store::discard().await.unwrap();
    assert!(store::load().await.unwrap().is_none());
}

/// A small run (2 seeds, 8 episodes) with the largest seed the check allows with 2 seeds
/// (64-bit values past a double's integers), advanced until two jobs are done; and its
/// config as written.
fn small_run_two_jobs_in() -> (ialp::experiment::ExperimentConfig, ialp::experiment::Experiment) {
    use ialp::experiment::{build_world, Experiment, ExperimentConfig};
    let mut raw = ExperimentConfig::default();
    raw.seed = (1 << 53) - 3;
    raw.seeds = 2;
    raw.eval_episodes = 4;
    raw.training.offline_episodes = 8;
    raw.training.online_episodes = 8;
    raw.training.eval_every = 4;
    let config = raw.clone().check().unwrap();
    let world = std::sync::Arc::new(build_world(&config, None).unwrap());
    let mut sim = Experiment::new(config, world);
    while sim.jobs_done() < 2 {
        sim.advance(64);
    }
    (raw, sim)
}
