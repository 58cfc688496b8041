//! Invariants of the method that no digest shows: a digest says a number did not change,
//! these say the numbers mean what the method says. A2C learns where there is something
//! to learn; iALP with λ = 0 is trained on Offline A2C's reward exactly; A-iALP_ap's
//! rollback restores the anchor's weights; the anchor's return is a running estimate that
//! follows a shift after deployment; and each method's spec (`src/methods/`)
//! answers what the method needs (an LLM, a pre-trained policy, online feedback).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use ialp::adapt::{AdaptConfig, AnchorPolicy, ApLearner, Check, CompromiseDetector};
use ialp::env::{Environment, Episode};
use ialp::env::world::WorldInfo;
use ialp::experiment::{build_world, Experiment, ExperimentConfig, ValidConfig};
use ialp::ialp::pretrain::{mixed_reward, LearntReward};
use ialp::ialp::reward_model::AttributeFeatures;
use ialp::ialp::RewardModel;
use ialp::methods::a2c::A2cLearner;
use ialp::methods::{self, Build};
use ialp::learner::{Feedback, Ground, Learner};
use ialp::policy::a2c::{A2c, A2cConfig};
use ialp::methods::Method;
use ialp::policy::Policy;
use ialp::rng::{self, Stream};
use ialp::user_model::UserModel;

/// A small Coat-shaped synthetic world, everything a learner is built from.
struct Bench {
    config: ValidConfig,
    model: Arc<UserModel>,
    truth: Environment,
    offline: Environment,
    info: WorldInfo,
}

impl Bench {
    fn new(seed: u64) -> Self {
        let json = format!(
            r#"{{"env":{{"preset":"coat","mode":"nx0","scale":0.3}},"methods":["offline_a2c"],"seed":{seed},"a2c":{{"episodes_per_update":8}}}}"#
        );
        let config = ExperimentConfig::from_json(&json).unwrap();
        let world = Arc::new(build_world(&config, None).unwrap());
        let model = Arc::new(UserModel::fit(&world, &config.raw().user_model, seed));
        let truth = Environment::new(world.clone(), config.settings);
        let offline = Environment::new(Arc::new(model.world(&world)), config.settings);
        let info = WorldInfo {
            preset: world.preset,
            source: world.source.clone(),
            users: world.n_users(),
            items: world.n_items(),
            log_size: world.log.len(),
        };
        Self {
            config,
            model,
            truth,
            offline,
            info,
        }
    }

    fn build(&self, method: Method) -> Build<'_> {
        Build {
            method,
            config: self.config.raw().method_settings(),
            seed: self.config.seed(),
            model: &self.model,
            truth: &self.truth,
            pretrained: None,
            world_info: &self.info,
            imported: None,
        }
    }

    /// `n` episodes in `env` with items drawn at random among the allowed ones.
    fn episodes(&self, env: &Environment, n: usize, seed: u64) -> Vec<Episode> {
        let mut r = rng::stream(seed, Stream::Training, 0);
        (0..n)
            .map(|_| {
                let mut ep = env.reset(rng::index(&mut r, env.world().n_users()));
                while !ep.is_done() {
                    let allowed: Vec<usize> = (0..env.world().n_items())
                        .filter(|&i| env.allowed(&ep, i))
                        .collect();
                    let item = allowed[rng::index(&mut r, allowed.len())];
                    env.step(&mut ep, item).unwrap();
                }
                ep
            })
            .collect()
    }

    fn feedback<'a>(&self, env: &'a Environment) -> Feedback<'a> {
        Feedback {
            world: env.world(),
            masks_repeats: self.config.settings.mode.masks_repeats(),
            quit_window: env.settings().quit.n(),
            trained: 0,
            corrupted: false,
        }
    }

    /// A fitted-shape `R_φ` (untrained weights: any finite scores will do).
    fn learnt_reward(&self, tracker_dim: usize) -> Arc<LearntReward> {
        let world = self.truth.world();
        let features = AttributeFeatures::of(world, None);
        let reward = RewardModel::new(
            tracker_dim + features.dim(),
            self.config.raw().ialp.reward_model,
            world.reward,
            5,
        );
        Arc::new(LearntReward { reward, features })
    }
}

#[test]
fn a_mixed_reward_with_lambda_zero_is_r_hat_exactly() {
    for (r, phi) in [(0.0, 3.5), (4.25, -1.0), (-2.0, 1e6), (1e-7, 0.3)] {
        assert_eq!(mixed_reward(0.0, r, phi).to_bits(), r.to_bits());
        assert_eq!(mixed_reward(1.0, r, phi), phi);
    }
}

#[test]
fn ialp_with_lambda_zero_trains_exactly_as_offline_a2c() {
    let bench = Bench::new(31);
    let b = bench.build(Method::OfflineA2c);
    let mut plain = A2cLearner::fresh(&b, Ground::UserModel);
    // Copies of one network (burn's seed is global to the process, so two networks
    // made from one seed in parallel tests need not be equal).
    let mut mixed = A2cLearner::new(plain.agent.deployed(), Ground::UserModel).mixing(0.0);
    let reward = bench.learnt_reward(mixed.agent.tracker.state_dim());
    mixed.reward_learnt(reward.clone());
    // The same R_φ at λ = 0.5 must train differently, or this test could not fail.
    let mut half = A2cLearner::new(plain.agent.deployed(), Ground::UserModel).mixing(0.5);
    half.reward_learnt(reward);
    assert_eq!(plain.agent.net.weights(), mixed.agent.net.weights());
    let fb = bench.feedback(&bench.offline);
    for k in 0..3 {
        let eps = bench.episodes(&bench.offline, 8, 100 + k);
        plain.learn(&eps, &fb);
        mixed.learn(&eps, &fb);
        half.learn(&eps, &fb);
    }
    assert_eq!(
        plain.agent.net.weights(),
        mixed.agent.net.weights(),
        "λ = 0: iALP's pre-training is Offline A2C's"
    );
    assert_ne!(plain.agent.net.weights(), half.agent.net.weights());
}

#[test]
fn rollback_restores_the_anchors_weights() {
    let bench = Bench::new(32);
    let b = bench.build(Method::OnlineA2c);
    let pretrained = A2cLearner::fresh(&b, Ground::Truth).agent;
    let anchor = pretrained.net.weights();
    let config = AdaptConfig::default();
    assert!(config.rollback);
    let entropy = bench.config.raw().a2c.entropy_weight;
    let mut ap = ApLearner::deploy(&pretrained, config, entropy, None);
    let fb = bench.feedback(&bench.truth);
    let eps = bench.episodes(&bench.truth, 16, 7);
    ap.learn(&eps, &fb);
    assert_ne!(
        ap.agent.net.weights(),
        anchor,
        "a batch moved the online policy"
    );
    assert_eq!(ap.anchor.net.weights(), anchor, "the anchor stays frozen");
    let kl = ap.kl_weight();
    ap.repair();
    assert_eq!(ap.agent.net.weights(), anchor, "rollback");
    assert!(
        ap.kl_weight() > kl,
        "the KL penalty toward the anchor grows"
    );
    assert_eq!(ap.entropy_weight(), entropy * config.entropy_repair);

    // Without rollback the repair keeps the online weights.
    let mut kept = ApLearner::deploy(
        &pretrained,
        AdaptConfig {
            rollback: false,
            ..config
        },
        entropy,
        None,
    );
    kept.learn(&eps, &fb);
    let moved = kept.agent.net.weights();
    kept.repair();
    assert_eq!(kept.agent.net.weights(), moved);
}

#[test]
fn a_shift_after_deployment_moves_the_anchors_running_estimate() {
    // The users change after deployment: every policy, the anchor too, now earns about
    // half. A stale anchor (its deployment return) calls the online policy compromised
    // though it does as well as the anchor would; the running estimate follows the shift.
    let config = AdaptConfig {
        window: 4,
        check_every: 2,
        margin: 0.2,
        patience: 2,
        anchor_rate: 0.5,
        ..AdaptConfig::default()
    };
    let deployed = AnchorPolicy {
        expected_return: 10.0,
    };
    let mut stale = CompromiseDetector::new(config, deployed);
    let mut running = CompromiseDetector::new(config, deployed);
    for _ in 0..3 {
        running.anchor_measured(5.0); // a batch the anchor served, after the shift
    }
    assert_eq!(running.anchor().expected_return, 5.625);
    let (mut false_alarms, mut alarms) = (0, 0);
    for _ in 0..12 {
        if matches!(stale.observe(5.0), Check::Compromised(_)) {
            false_alarms += 1;
        }
        if matches!(running.observe(5.0), Check::Compromised(_)) {
            alarms += 1;
        }
    }
    assert!(false_alarms > 0, "the stale anchor sees a compromise");
    assert_eq!(alarms, 0, "the running estimate does not");
}

#[test]
fn the_anchor_serves_a_batch_every_anchor_every_episodes_and_it_trains_nothing() {
    let bench = Bench::new(34);
    let b = bench.build(Method::OnlineA2c);
    let pretrained = A2cLearner::fresh(&b, Ground::Truth).agent;
    let config = AdaptConfig {
        anchor_every: 16,
        anchor_rate: 0.5,
        ..AdaptConfig::default()
    };
    let entropy = bench.config.raw().a2c.entropy_weight;
    let mut ap = ApLearner::deploy(&pretrained, config, entropy, None);
    let fb = bench.feedback(&bench.truth);
    assert_eq!(ap.anchor_return(), None);
    ap.evaluated(100.0); // measured at deployment, before the users changed
    ap.training(true);
    ap.learn(&bench.episodes(&bench.truth, 8, 1), &fb);
    assert!(!ap.probing(), "8 of 16 online episodes");
    ap.learn(&bench.episodes(&bench.truth, 8, 2), &fb);
    assert!(
        ap.probing(),
        "16 online episodes: the anchor serves the next batch"
    );

    // While probing, the anchor acts: the same items as the anchor with the same draws.
    let ep = bench.truth.reset(3);
    let mut r1 = rng::stream(9, Stream::Training, 0);
    let mut r2 = rng::stream(9, Stream::Training, 0);
    let online_before = ap.agent.net.weights();
    assert_eq!(
        ap.act(&bench.truth, &[&ep], &mut r1),
        ap.anchor.act(&bench.truth, &[&ep], &mut r2)
    );
    let probe = bench.episodes(&bench.truth, 8, 3);
    let mean = probe.iter().map(|e| e.r_tra()).sum::<f64>() / 8.0;
    assert!(
        mean < 50.0,
        "the probe's users earn far less than 100: {mean}"
    );
    let repairs = ap.learn(&probe, &fb);
    assert!(repairs.is_empty());
    assert_eq!(
        ap.agent.net.weights(),
        online_before,
        "a probe trains nothing"
    );
    assert!(!ap.probing());
    assert_eq!(ap.anchor_return(), Some(100.0 + 0.5 * (mean - 100.0)));

    // anchor_every = 0: the deployment evaluation stays the estimate.
    let mut fixed = ApLearner::deploy(
        &pretrained,
        AdaptConfig {
            anchor_every: 0,
            ..config
        },
        entropy,
        None,
    );
    fixed.evaluated(100.0);
    fixed.training(true);
    for k in 0..4 {
        fixed.learn(&bench.episodes(&bench.truth, 8, 10 + k), &fb);
        assert!(!fixed.probing());
    }
    assert_eq!(fixed.anchor_return(), Some(100.0));
}

/// Mean final R_tra per method over `seeds` runs of `json`.
fn final_returns(json: &str) -> Vec<(Method, f64)> {
    let valid = ExperimentConfig::from_json(json).unwrap();
    let world = Arc::new(build_world(&valid, None).unwrap());
    let mut exp = Experiment::new(valid, world);
    exp.run();
    let r = exp.results();
    assert!(r.complete, "{:?}", r.halted);
    r.summary.iter().map(|s| (s.method, s.r_tra.mean)).collect()
}

#[test]
fn a2c_beats_random_on_a_small_world_it_can_learn() {
    // 30 jackets, 88 users: the ground truth's best items are learnable in a few hundred
    // episodes. Two worlds, so no one world's luck carries the test.
    for seed in [3, 41] {
        let json = format!(
            r#"{{"env":{{"preset":"coat","mode":"nx0","scale":0.3}},"methods":["random","offline_a2c","online_a2c"],"seed":{seed},"seeds":2,"eval_episodes":40,"training":{{"offline_episodes":400,"online_episodes":400,"eval_every":400}}}}"#
        );
        let s = final_returns(&json);
        let get = |m: Method| s.iter().find(|x| x.0 == m).unwrap().1;
        let random = get(Method::Random);
        eprintln!("world {seed}: {s:?}");
        for m in [Method::OfflineA2c, Method::OnlineA2c] {
            assert!(
                get(m) > random * 1.2,
                "world {seed}: {} {:.2} against Random {random:.2}",
                m.label(),
                get(m)
            );
        }
    }
}

#[test]
fn each_spec_answers_what_its_method_needs() {
    for m in Method::ALL {
        let spec = methods::spec(m);
        assert_eq!(spec.method, m);
        assert_eq!(
            spec.uses_llm,
            m == Method::Ialp,
            "{}: only iALP asks an LLM",
            spec.id
        );
        let deploys = match m {
            Method::AIalpFt | Method::AIalpAp => Some(Method::Ialp),
            Method::OfflineA2cFt | Method::OfflineA2cAp => Some(Method::OfflineA2c),
            _ => None,
        };
        assert_eq!(spec.deploys, deploys, "{}", spec.id);
        // A method that deploys another's policy is refused unless that one comes first.
        let alone = format!(
            r#"{{"env":{{"preset":"coat"}},"seed":1,"methods":["{}"]}}"#,
            spec.id
        );
        if let Some(d) = spec.deploys {
            let after = format!(
                r#"{{"env":{{"preset":"coat"}},"seed":1,"methods":["{}","{}"]}}"#,
                d.id(),
                spec.id
            );
            let before = format!(
                r#"{{"env":{{"preset":"coat"}},"seed":1,"methods":["{}","{}"]}}"#,
                spec.id,
                d.id()
            );
            for json in [&alone, &before] {
                let e = ExperimentConfig::from_json(json).unwrap_err();
                assert!(e.to_string().contains(d.label()), "{json}: {e}");
            }
            assert!(ExperimentConfig::from_json(&after).is_ok(), "{after}");
        } else if m != Method::Imported {
            let valid =
                ExperimentConfig::from_json(&alone).unwrap_or_else(|e| panic!("{alone}: {e}"));
            assert_eq!(valid.uses_llm(), spec.uses_llm, "{alone}");
        }
    }
}

#[test]
fn online_feedback_is_recorded_for_online_methods_only() {
    let json = r#"{"env":{"preset":"coat","mode":"nx0","scale":0.3},"methods":["random","popular","greedy","epsilon_greedy","ucb","offline_a2c","dorl_a2c","online_a2c","ialp","a_ialp_ft","a_ialp_ap","offline_a2c_ft","offline_a2c_ap"],"eval_episodes":10,"seed":2,"training":{"offline_episodes":16,"online_episodes":16,"eval_every":16},"a2c":{"episodes_per_update":8},"ialp":{"states":10,"reward_model":{"epochs":2}}}"#;
    let valid = ExperimentConfig::from_json(json).unwrap();
    assert!(valid.uses_llm());
    let world = Arc::new(build_world(&valid, None).unwrap());
    let mut exp = Experiment::new(valid, world);
    exp.run();
    let r = exp.results();
    assert!(r.complete, "{:?}", r.halted);
    assert_eq!(r.runs.len(), 13);
    for run in &r.runs {
        let spec = methods::spec(run.method);
        assert_eq!(
            run.online.is_some(),
            spec.learning.is_online(),
            "{}: online statistics iff it learns online",
            spec.id
        );
        if spec.learning.is_online() {
            assert!(run.online.as_ref().unwrap().episodes > 0, "{}", spec.id);
        }
    }
    assert_eq!(r.distillations.len(), 1, "one distillation, by iALP");
}

#[test]
fn networks_built_on_parallel_threads_equal_those_built_alone() {
    // burn's initialiser draws from one process-wide RNG: without the lock in
    // `policy::a2c::seeded`, networks made at once on several threads mix their streams.
    let alone: Vec<_> = (0..8u64)
        .map(|s| A2c::new(6, 40, A2cConfig::default(), s).weights())
        .collect();
    let together: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8u64)
            .map(|s| scope.spawn(move || A2c::new(6, 40, A2cConfig::default(), s).weights()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(alone, together);
    assert_ne!(alone[0], alone[1], "the seed matters");
}
