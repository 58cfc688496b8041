//! The real Coat files from ../shared/data/coat: loading, the world they make, and
//! what happens to broken copies of them.

mod common;

use std::sync::Arc;

use ialp::env::real::DataError;
use ialp::experiment::{build_world, Experiment, ExperimentConfig};

fn texts() -> Vec<(String, String)> {
    common::real_coat_texts()
}

#[test]
fn real_coat_loads_into_the_common_world_type() {
    let w = common::coat_files(&texts()).load().unwrap();
    assert_eq!((w.n_users(), w.n_items()), (290, 300));
    assert_eq!(w.log.len(), 6960, "self-selected ratings (SOURCE.md)");
    assert_eq!(
        w.held_out.len(),
        4640,
        "random-exposure ratings (SOURCE.md)"
    );
    assert!((0..290).all(|u| w.truth.row(u).iter().all(|r| (1.0..=5.0).contains(r))));
    // Item 0 of the real features: women's (col 1), jacket type col 27-? → check text reads.
    let text = w.item_text(0);
    assert!(
        text.contains("jacket") && text.contains("gender: "),
        "{text}"
    );
    assert!(
        w.user_text(0).contains("fashioninterest: "),
        "{}",
        w.user_text(0)
    );
    // The log is self-selected: rated items are rated higher than the truth's average.
    let log_mean = w.log.iter().map(|r| r.value as f64).sum::<f64>() / w.log.len() as f64;
    assert!(
        log_mean > w.truth.mean(),
        "log {log_mean} truth {}",
        w.truth.mean()
    );
}

fn run(json: &str) -> ialp::experiment::PolicySummary {
    let config = ExperimentConfig::from_json(json).unwrap();
    let loaded = common::coat_files(&texts()).load().unwrap();
    let world = build_world(&config, Some(&loaded)).unwrap();
    let mut exp = Experiment::new(config, Arc::new(world));
    exp.run();
    exp.results().runs.remove(0).last.expect("evaluated")
}

#[test]
fn random_policy_on_real_coat_behaves_as_the_quit_rules_say() {
    let cfg = |mode: &str, n: usize, tau: f64| {
        format!(
            r#"{{"env":{{"preset":"coat","data":"real","mode":"{mode}","leave_n":{n},"leave_tau":{tau}}},"policies":["random"],"episodes":400,"seed":1}}"#
        )
    };
    let easy_fb = run(&cfg("fb", 7, 6.0));
    let dorl_fb = run(&cfg("fb", 3, 10.0));
    // τ = 10 catches ~40 % of item pairs, τ = 6 under 2 %: DORL's setting ends sessions
    // much sooner.
    assert!(
        dorl_fb.length.mean < easy_fb.length.mean / 2.0,
        "{:?} vs {:?}",
        dorl_fb.length,
        easy_fb.length
    );
    // Reward per step of a random policy is the matrix mean (2.23), whatever the rule.
    assert!(
        (easy_fb.r_each.mean - 2.23).abs() < 0.1,
        "{:?}",
        easy_fb.r_each
    );
    let nx10 = run(&cfg("nx10", 7, 6.0));
    assert_eq!((nx10.length.mean, nx10.length.std), (10.0, 0.0));
}

#[test]
fn broken_copies_give_errors_naming_file_and_line() {
    let good = texts();
    let with = |name: &str, f: &dyn Fn(&str) -> String| {
        let t: Vec<(String, String)> = good
            .iter()
            .map(|(n, s)| (n.clone(), if n == name { f(s) } else { s.clone() }))
            .collect();
        common::coat_files(&t).load().unwrap_err()
    };
    // Letters in a row.
    let e = with("train.ascii", &|s| s.replacen("0 0 0", "0 x 0", 1));
    assert!(
        matches!(&e, DataError::Malformed { file, line: 1, problem } if file == "train.ascii" && problem.contains("'x' is not a whole number")),
        "{e}"
    );
    // Wrong size: a line missing.
    let e = with("pseudo_gt_rating_matrix.ascii", &|s| {
        s.lines().skip(1).collect::<Vec<_>>().join("\n")
    });
    assert!(
        e.to_string()
            .contains("has 289 non-empty lines, expected 290 lines of 300 ratings 1-5"),
        "{e}"
    );
    // A short row.
    let e = with("test.ascii", &|s| {
        s.replacen('\n', " \n", 1).replacen("0 \n", "\n", 1)
    });
    assert!(
        matches!(&e, DataError::Malformed { file, line: 1, .. } if file == "test.ascii"),
        "{e}"
    );
    // A feature row with two ones in one field.
    let e = with("item_features.ascii", &|s| s.replacen("1 0", "1 1", 1));
    assert!(
        e.to_string()
            .contains("item_features.ascii, line 1: field 'gender' has 2 ones"),
        "{e}"
    );
    // A missing file.
    let t: Vec<(String, String)> = good
        .iter()
        .filter(|(n, _)| n != "user_features.ascii")
        .cloned()
        .collect();
    let e = common::coat_files(&t).load().unwrap_err();
    assert!(
        matches!(&e, DataError::Missing { file, .. } if file == "user_features.ascii"),
        "{e}"
    );
}
