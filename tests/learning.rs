//! The product's claim, as a test that could fail: at the paper-* presets' budgets (what
//! fits in the page), on each synthetic world and on worlds other than the presets' own
//! (the world is drawn from the experiment's seed), Online A2C learns to keep users, and
//! ends above both Random and Most popular by more than their seed spread (issue 12's
//! criterion). On some Coat worlds the most popular jackets happen to be far apart, so
//! Most popular keeps users all 30 steps too; only a policy that personalises beats it
//! there (the presets' `state.prior`). The CI run of 2026-12-02 failed on world 777
//! before that option (Online A2C 66.5 against Most popular 66.1).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use ialp::experiment::{build_world, Experiment, ExperimentConfig};
use ialp::methods::Method;
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
    for (name, seed) in [
        ("paper-coat", 777),
        ("paper-coat", 4242),
        ("paper-kuairec", 777),
        ("paper-kuairec", 4242),
        ("paper-movielens", 777),
        ("paper-movielens", 4242),
    ] {
        let preset = ialp::experiment::presets::find(name).unwrap();
        let mut c: Value = serde_json::from_str(preset.json).unwrap();
        c["methods"] = serde_json::json!(["random", "popular", "online_a2c"]);
        c["seeds"] = 3.into();
        c["seed"] = seed.into(); // not the presets' world
        c["eval_episodes"] = 40.into();
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
            a2c.1 > best_fixed + spread,
            "{name}, world {seed}: Online A2C {:.1} ± {:.1} against Random {:.1} ± {:.1} and Most popular {:.1} ± {:.1}",
            a2c.1, a2c.2, random.1, random.2, popular.1, popular.2
        );
        assert!(
            a2c.3 > random.3 * 1.5 && a2c.3 + 1.0 >= popular.3,
            "{name}, world {seed}: users stay longer than with Random and about as long as with Most popular at least ({:.1} steps against {:.1} and {:.1})",
            a2c.3,
            random.3,
            popular.3
        );
    }
}
