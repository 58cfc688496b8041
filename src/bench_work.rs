//! The work the benchmarks time, defined once so the native (criterion) and browser
//! benchmarks measure exactly the same thing.

use std::sync::Arc;

use crate::env::synthetic::{generate, SyntheticParams};
use crate::env::{EnvSettings, Environment, Mode, Preset, Window, MAX_TURN};
use crate::policy::a2c::{A2c, A2cConfig, Transitions};
use crate::rng::{self, Stream};

/// States per A2C update in the benchmark (BENCHMARKS.md: "batch 1,024 states").
pub const A2C_BATCH: usize = 1024;
/// Coat's catalogue.
pub const COAT_ITEMS: usize = 300;
/// KuaiRec's (the small matrix's 3,327 videos).
pub const KUAIREC_ITEMS: usize = 3327;
/// 32-d embedding + normalised reward.
pub const STATE_DIM: usize = 33;

/// A Coat-sized actor-critic (33 → 64 → 64 → 300) and a batch of 1,024 random
/// transitions (no masks), seeded.
pub fn a2c_update_setup() -> (A2c, Transitions) {
    a2c_update_setup_for(COAT_ITEMS)
}

/// The same for a catalogue of `items` (the KuaiRec-sized update: 3,327).
pub fn a2c_update_setup_for(items: usize) -> (A2c, Transitions) {
    let net = A2c::new(STATE_DIM, items, A2cConfig::default(), 7);
    let mut r = rng::stream(7, Stream::Training, 0);
    let batch = Transitions {
        states: (0..A2C_BATCH * STATE_DIM)
            .map(|_| rng::normal(&mut r) as f32 * 0.3)
            .collect(),
        actions: (0..A2C_BATCH).map(|_| rng::index(&mut r, items)).collect(),
        returns: (0..A2C_BATCH)
            .map(|_| (rng::normal(&mut r) * 3.0 + 10.0) as f32)
            .collect(),
        masked: vec![Vec::new(); A2C_BATCH],
        prior: Vec::new(),
    };
    (net, batch)
}

/// Synthetic Coat in FB mode with EasyRL4Rec's rule, and 256 users to start episodes.
pub fn env_steps_setup() -> (Environment, Vec<usize>) {
    let world = Arc::new(generate(SyntheticParams {
        preset: Preset::Coat,
        seed: 1,
        scale: 1.0,
    }));
    let settings = EnvSettings {
        mode: Mode::Fb,
        quit: Preset::Coat.default_quit_rule(290),
        window: Window::Intended,
        max_turn: MAX_TURN,
    };
    let users = (0..256).map(|k| k % world.n_users()).collect();
    (Environment::new(world, settings), users)
}
