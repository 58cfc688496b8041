//! A-iALP_ap's repair really fires: while the online feedback is corrupted (a test-only
//! shift: learners are told the opposite of what users felt), the fine-tuned policy
//! degrades; A-iALP_ap detects that its users fare worse than the anchor's, rolls back,
//! and ends above A-iALP_ft.

use std::sync::Arc;

use ialp::experiment::{build_world, Experiment, ExperimentConfig};
use ialp::methods::Method;

#[test]
fn ap_detects_a_compromised_policy_and_recovers_above_ft() {
    let config = ExperimentConfig::from_json(
        r#"{"env":{"preset":"coat","scale":0.3},"methods":["ialp","a_ialp_ft","a_ialp_ap"],
            "seed":21,"eval_episodes":60,
            "training":{"offline_episodes":400,"online_episodes":1200,"eval_every":200},
            "ialp":{"states":40},"a2c":{"learning_rate":0.005},
            "adapt":{"window":40,"check_every":20,"patience":2,"llm_explore":0.0}}"#,
    )
    .unwrap();
    let world = Arc::new(build_world(&config, None).unwrap());
    let mut exp = Experiment::new(config, world).corrupt_online_feedback(200, 1000);
    exp.run();
    let r = exp.results();
    assert!(r.complete, "{:?}", r.halted);
    let run = |m: Method| r.runs.iter().find(|x| x.method == m).unwrap();
    let (ft, ap) = (run(Method::AIalpFt), run(Method::AIalpAp));
    let at = |m: &ialp::experiment::MethodRun, x: usize| {
        m.curve
            .iter()
            .find(|p| p.trained_episodes == x)
            .unwrap()
            .r_tra
    };

    eprintln!(
        "ft {:?}\nap {:?}\nrepairs {:?}",
        ft.curve.iter().map(|p| p.r_tra).collect::<Vec<_>>(),
        ap.curve.iter().map(|p| p.r_tra).collect::<Vec<_>>(),
        ap.repairs
    );
    // The corrupted feedback makes plain fine-tuning degrade...
    assert!(
        at(ft, 1000) < 0.7 * at(ft, 0),
        "ft did not degrade: {:?}",
        ft.curve
    );
    // ... ap notices during the corruption, and only then ...
    assert!(!ap.repairs.is_empty(), "no repair");
    assert!(
        ap.repairs
            .iter()
            .all(|x| (200..=1100).contains(&x.online_episode)),
        "{:?}",
        ap.repairs
    );
    assert!(ap
        .repairs
        .iter()
        .all(|x| x.moving_average < x.anchor_return));
    // ... and ends above ft, with more reward for its users along the way.
    assert!(
        at(ap, 1200) > at(ft, 1200),
        "ap {:?}\nft {:?}",
        ap.curve,
        ft.curve
    );
    assert!(ap.online.unwrap().total_reward > ft.online.unwrap().total_reward);
}

#[test]
fn a_ialp_needs_ialp_listed_before_it() {
    let e = ExperimentConfig::from_json(
        r#"{"env":{"preset":"coat"},"methods":["a_ialp_ap","ialp"],"seed":1}"#,
    )
    .unwrap_err();
    assert_eq!(e.field, "methods");
    assert!(e.problem.contains("list \"ialp\" before it"), "{e}");
}
