//! The worlds of the experiment, each described once ([`WorldSpec`], one row of
//! [`WORLDS`]): what it is called, the shape of its published data set, the quit rule
//! METHOD.md gives it, what a prompt calls its items, the sizes the spend estimate
//! assumes, and how its real data is used. The config check, the cost estimate, the
//! prompt, the link and the page read this table instead of matching on worlds.
//!
//! Adding a world: a variant at the end of [`Preset`] and of [`Preset::ALL`], its row
//! here, its generator parameters in `synthetic.rs` (and attribute words in
//! `vocab.rs`), and, if it has a real data set, a loader under `real/` dispatched in
//! `real/mod.rs`.

use serde::{Deserialize, Serialize};

use super::quit::QuitRule;

/// The three environments of the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Coat jacket shop: 290 users × 300 items, ratings 1–5.
    Coat,
    /// KuaiRec short videos: 1,411 × 3,327, watch ratio in [0, 5].
    #[serde(rename = "kuairec")]
    KuaiRec,
    /// MovieLens-1M: 6,040 × 3,706, ratings 1–5.
    #[serde(rename = "movielens")]
    MovieLens,
}

/// One world, described once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorldSpec {
    pub preset: Preset,
    /// The identifier used in configs, URLs and the CLI.
    pub id: &'static str,
    /// A display name.
    pub label: &'static str,
    /// Users × items of the published data set.
    pub real_shape: (usize, usize),
    /// The quit rule at the published size (EasyRL4Rec's defaults, DORL's N and τ); an
    /// item-distance τ is scaled with the world ([`Preset::default_quit_rule`]).
    pub quit: QuitRule,
    /// What the prompt calls the domain (`{domain}`: "movie").
    pub domain: &'static str,
    /// Mean length, in characters, of a user's and an item's text in its prompts,
    /// measured on the synthetic worlds and real Coat (the spend estimate; checked
    /// against real prompts within 25 % by tests/llm_budget.rs).
    pub prompt_text: (usize, usize),
    /// Its real data is used whole: `env.scale` cuts a synthetic world but not the real
    /// files (Coat's 290 × 300 is small enough; the others are cut by `env.scale`).
    pub real_is_whole: bool,
    /// Its real data set is big: loaded once into the training worker and kept there,
    /// in memory beside each run's cut of it (MovieLens, KuaiRec); otherwise its few
    /// small files go with each run (Coat).
    pub real_kept_loaded: bool,
}

/// Every world, in [`Preset::ALL`]'s order.
pub const WORLDS: [WorldSpec; 3] = [
    WorldSpec {
        preset: Preset::Coat,
        id: "coat",
        label: "Coat (jacket shop)",
        real_shape: (290, 300),
        quit: QuitRule::ItemDistance { n: 7, tau: 6.0 },
        domain: "clothing (jackets)",
        prompt_text: (95, 92),
        real_is_whole: true,
        real_kept_loaded: false,
    },
    WorldSpec {
        preset: Preset::KuaiRec,
        id: "kuairec",
        label: "KuaiRec (short videos)",
        real_shape: (1411, 3327),
        quit: QuitRule::TagCount { n: 4, tau: 0 },
        domain: "short-video",
        prompt_text: (45, 70),
        real_is_whole: false,
        real_kept_loaded: true,
    },
    WorldSpec {
        preset: Preset::MovieLens,
        id: "movielens",
        label: "MovieLens-1M (films)",
        real_shape: (6040, 3706),
        quit: QuitRule::ItemDistance { n: 7, tau: 75.0 },
        domain: "movie",
        prompt_text: (60, 60),
        real_is_whole: false,
        real_kept_loaded: true,
    },
];

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Coat, Preset::KuaiRec, Preset::MovieLens];

    /// The world's row of [`WORLDS`].
    pub fn spec(self) -> &'static WorldSpec {
        &WORLDS[self as usize]
    }

    /// The identifier used in configs, URLs and the CLI.
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// A display name.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn from_id(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.id() == s)
    }

    /// Users × items of the real data set.
    pub fn real_shape(self) -> (usize, usize) {
        self.spec().real_shape
    }

    /// EasyRL4Rec's default quit rule for a world with `n_users` users.
    ///
    /// Item distances are Euclidean over users, so they grow like √(users); for a
    /// world scaled down from the real size we scale τ by √(n_users / real users) so that
    /// users leave about as often as in the full-size world. (Our choice, not the peers'.)
    pub fn default_quit_rule(self, n_users: usize) -> QuitRule {
        let shrink = (n_users as f32 / self.real_shape().0 as f32).sqrt();
        match self.spec().quit {
            QuitRule::ItemDistance { n, tau } => QuitRule::ItemDistance {
                n,
                tau: round2(tau * shrink),
            },
            rule => rule,
        }
    }

    /// A rule of this preset's kind with explicit N and τ.
    pub fn quit_rule_with(self, n: usize, tau: f32) -> QuitRule {
        match self.spec().quit {
            QuitRule::TagCount { .. } => QuitRule::TagCount {
                n,
                tau: tau.max(0.0) as u32,
            },
            QuitRule::ItemDistance { .. } => QuitRule::ItemDistance { n, tau },
        }
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_follows_preset_all() {
        for (k, p) in Preset::ALL.iter().enumerate() {
            assert_eq!(WORLDS[k].preset, *p, "{}", WORLDS[k].id);
            assert_eq!(Preset::from_id(p.id()), Some(*p));
        }
    }
}
