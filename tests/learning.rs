//! The product's claim, as a test that could fail: at the paper-* presets' budgets (what
//! fits in the page), on each synthetic world and on seeds other than the presets' own,
//! Online A2C learns to keep users, and ends far above both Random and Most popular.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use ialp::experiment::{build_world, Experiment, ExperimentConfig};
use ialp::policy::Method;
use serde_json::Value;

fn summary(config: &str) -> Vec<(Method, f64, f64, f64)> {
    let valid = ExperimentConfig::from_json(config).unwrap();
    let world = Arc::new(build_world(&valid, None).unwrap());
    let mut exp = Experiment::new(valid, world);
    exp.run();
    let r = exp.results();
    assert!(r.complete);
    r.summary
        .iter()
        .map(|s| (s.method, s.r_tra.mean, s.r_tra.std, s.length.mean))
        .collect()
}

#[test]
fn online_a2c_beats_random_and_most_popular_at_the_page_budgets() {
    for name in ["paper-coat", "paper-kuairec", "paper-movielens"] {
        let preset = ialp::experiment::presets::find(name).unwrap();
        let mut c: Value = serde_json::from_str(preset.json).unwrap();
        c["methods"] = serde_json::json!(["random", "popular", "online_a2c"]);
        c["seeds"] = 2.into();
        c["seed"] = 777.into(); // not the presets' seeds
        c["eval_episodes"] = 30.into();
        let s = summary(&c.to_string());
        let get = |m: Method| *s.iter().find(|x| x.0 == m).unwrap();
        let (random, popular, a2c) = (
            get(Method::Random),
            get(Method::Popular),
            get(Method::OnlineA2c),
        );
        let best_fixed = random.1.max(popular.1);
        let spread = random.2.max(popular.2).max(1.0);
        assert!(
            a2c.1 > best_fixed + 3.0 * spread,
            "{name}: Online A2C {:.1} ± {:.1} against Random {:.1} ± {:.1} and Most popular {:.1} ± {:.1}",
            a2c.1, a2c.2, random.1, random.2, popular.1, popular.2
        );
        assert!(
            a2c.3 > random.3.max(popular.3) * 1.5,
            "{name}: users stay longer ({:.1} steps)",
            a2c.3
        );
    }
}
