//! Policy files: a trained A2C policy exported with its provenance, read back, and
//! deployed on the ground truth by method `imported` (the offline → online story).

use std::sync::Arc;

use ialp::experiment::{build_world, Experiment, ExperimentConfig, PolicyFile};
use ialp::policy::a2c::{A2c, A2cConfig};
use ialp::methods::Method;

fn run(json: &str, policy: Option<PolicyFile>) -> Experiment {
    let config = ExperimentConfig::from_json(json).unwrap();
    let world = Arc::new(build_world(&config, None).unwrap());
    let mut exp = Experiment::new(config, world);
    if let Some(p) = policy {
        exp = exp.with_imported(p);
    }
    exp.run();
    exp
}

const TRAIN: &str = r#"{"env":{"preset":"coat","scale":0.3},"methods":["random","offline_a2c"],
    "seed":5,"eval_episodes":40,"training":{"offline_episodes":300,"online_episodes":0,"eval_every":100}}"#;

fn deploy(online: usize) -> String {
    format!(
        r#"{{"env":{{"preset":"coat","scale":0.3}},"methods":["imported"],"seed":5,"eval_episodes":40,
            "training":{{"offline_episodes":0,"online_episodes":{online},"eval_every":100}}}}"#
    )
}

#[test]
fn weights_survive_a_round_trip_bit_for_bit() {
    let net = A2c::new(
        7,
        11,
        A2cConfig {
            hidden: 5,
            ..A2cConfig::default()
        },
        3,
    );
    let w = net.weights();
    let back = A2c::from_weights(&w, A2cConfig::default()).unwrap();
    let states: Vec<f32> = (0..14).map(|i| i as f32 / 7.0 - 1.0).collect();
    let masked = vec![vec![1, 2], vec![]];
    assert_eq!(
        net.probabilities(&states, &masked, &[]),
        back.probabilities(&states, &masked, &[])
    );
    assert_eq!(back.weights(), w);
    assert_eq!(
        back.config().hidden,
        5,
        "the file's sizes win over the config's"
    );
}

#[test]
fn a_trained_policy_is_exported_and_deployed_online() {
    let trained = run(TRAIN, None);
    assert!(
        trained.policy_file(Method::Random, 0).is_none(),
        "no network, no file"
    );
    let file = trained
        .policy_file(Method::OfflineA2c, 0)
        .expect("a trained offline A2C");
    assert_eq!((file.method, file.seed), (Method::OfflineA2c, 5));
    let last = trained
        .results()
        .runs
        .iter()
        .find(|r| r.method == Method::OfflineA2c)
        .unwrap()
        .last
        .clone()
        .unwrap();
    assert_eq!(file.r_tra, Some(last.r_tra.mean));
    let text = file.to_json();
    assert!(!text.contains("api_key") && text.contains("\"format\":\"ialp-policy\""));
    let back = PolicyFile::from_json(&text).unwrap();
    assert_eq!(back, file);
    assert!(
        back.describe().contains("Offline A2C (seed 5)"),
        "{}",
        back.describe()
    );

    // Deployed with no online budget: one evaluation of exactly these weights.
    let frozen = run(&deploy(0), Some(back.clone()));
    assert!(frozen.results().complete, "{:?}", frozen.halted());
    assert_eq!(
        frozen.policy_file(Method::Imported, 0).unwrap().weights,
        file.weights
    );
    // With an online budget: fine-tuned on the ground truth, every episode counted.
    let tuned = run(&deploy(200), Some(back));
    let r = tuned.results();
    assert!(r.complete, "{:?}", r.halted);
    let imp = r
        .runs
        .iter()
        .find(|x| x.method == Method::Imported)
        .unwrap();
    assert_eq!(imp.online.unwrap().episodes, 200);
    assert_eq!(imp.curve.len(), 3, "evaluated at 0, 100, 200");
    assert_ne!(
        tuned.policy_file(Method::Imported, 0).unwrap().weights,
        file.weights,
        "it learned"
    );
}

#[test]
fn a_policy_that_does_not_fit_halts_with_the_reason() {
    let file = run(TRAIN, None).policy_file(Method::OfflineA2c, 0).unwrap();
    let other = run(
        r#"{"env":{"preset":"movielens","scale":0.3},"methods":["imported"],"seed":5,"eval_episodes":10,
            "training":{"online_episodes":50,"eval_every":50}}"#,
        Some(file.clone()),
    );
    let why = other.halted().expect("halted");
    assert!(why.contains("items") && why.contains("MovieLens"), "{why}");
    let dims = run(
        r#"{"env":{"preset":"coat","scale":0.3},"methods":["imported"],"seed":5,"eval_episodes":10,
            "user_model":{"dim":9},"training":{"online_episodes":50,"eval_every":50}}"#,
        Some(file),
    );
    let why = dims.halted().expect("halted");
    assert!(why.contains("states of"), "{why}");
    let none = run(&deploy(50), None);
    assert!(
        none.halted().unwrap().contains("load one first"),
        "{:?}",
        none.halted()
    );
}

#[test]
fn broken_policy_files_are_refused_with_a_reason() {
    let good = run(TRAIN, None).policy_file(Method::OfflineA2c, 0).unwrap();
    assert!(PolicyFile::from_json("{")
        .unwrap_err()
        .to_string()
        .starts_with("not a policy file"));
    let mut v: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
    v["format"] = "something-else".into();
    assert!(PolicyFile::from_json(&v.to_string())
        .unwrap_err()
        .to_string()
        .contains("format"));
    let mut v: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
    v["weights"]["actor"][1]["weight"] = serde_json::json!([1.0, 2.0]);
    let e = PolicyFile::from_json(&v.to_string())
        .unwrap_err()
        .to_string();
    assert!(e.contains("actor's layer 2"), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
    v["version"] = 7.into();
    assert!(PolicyFile::from_json(&v.to_string())
        .unwrap_err()
        .to_string()
        .contains("version 7"));
}

#[test]
fn a_policy_claiming_a_billion_inputs_or_another_config_is_refused_before_use() {
    let good = run(TRAIN, None).policy_file(Method::OfflineA2c, 0).unwrap();
    let v: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        PolicyFile::from_json(&v.to_string()).unwrap_err().to_string()
    };
    let e = with(&|v| v["weights"]["state_dim"] = 1_000_000_000u64.into());
    assert!(e.contains("claims 1000000000 inputs") && e.contains("more than the 50000000 a policy may have"), "{e}");
    // A product past 2⁶⁴ is refused, not wrapped.
    let e = with(&|v| {
        v["weights"]["state_dim"] = (1u64 << 40).into();
        v["weights"]["hidden"] = (1u64 << 40).into();
    });
    assert!(e.contains("more than 2⁶⁴ parameters"), "{e}");
    // The embedded config is checked like any config.
    let e = with(&|v| v["config"]["seeds"] = 1_000_000.into());
    assert!(e.contains("seeds: must be between 1 and 100"), "{e}");
    // The weights must be the network its config and world describe.
    let e = with(&|v| v["config"]["a2c"]["hidden"] = 32.into());
    assert!(e.contains("a2c.hidden is 32"), "{e}");
    let e = with(&|v| v["world"]["items"] = 7.into());
    assert!(e.contains("its world has 7"), "{e}");
    // Bigger than a policy file may be.
    let huge = format!("{}{}", good.to_json(), " ".repeat(64_000_001));
    assert!(PolicyFile::from_json(&huge).unwrap_err().to_string().contains("more than the 64 MB"));
}
