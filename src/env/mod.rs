//! The simulated users (METHOD.md §2): worlds, quit rules, evaluation modes, and the
//! step-by-step environment API every policy and evaluation goes through.

pub mod catalogue;
pub mod matrix;
pub mod mf;
pub mod preset;
pub mod quit;
pub mod real;
pub mod synthetic;
pub mod vocab;
pub mod world;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use preset::{Preset, WorldSpec};
pub use quit::{LeaveReason, QuitRule, StepView, Window};
pub use world::{RatingMatrix, World};

/// Evaluation modes (METHOD.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Repeats allowed, quit rule on.
    Fb,
    /// Repeats masked, quit rule on.
    #[default]
    Nx0,
    /// Repeats masked, no quit rule, exactly [`NX10_LENGTH`] steps.
    Nx10,
}

/// The episode length of NX_10.
pub const NX10_LENGTH: usize = 10;

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Fb, Mode::Nx0, Mode::Nx10];

    pub fn id(self) -> &'static str {
        match self {
            Mode::Fb => "fb",
            Mode::Nx0 => "nx0",
            Mode::Nx10 => "nx10",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Mode::Fb => "FB (repeats allowed)",
            Mode::Nx0 => "NX_0 (no repeats, quit rule)",
            Mode::Nx10 => "NX_10 (no repeats, 10 steps)",
        }
    }
    pub fn from_id(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.id() == s)
    }
    /// Whether an item already shown in this episode is masked out.
    pub fn masks_repeats(self) -> bool {
        self != Mode::Fb
    }
}

/// How an environment runs episodes over a world.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnvSettings {
    pub mode: Mode,
    pub quit: QuitRule,
    pub window: Window,
    /// Longest episode (30 in DORL/EasyRL4Rec).
    pub max_turn: usize,
}

/// The default `max_turn`.
pub const MAX_TURN: usize = 30;

/// A recommendation that the environment refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnvError {
    #[error("item {item} does not exist (the catalogue has {n_items} items)")]
    NoSuchItem { item: usize, n_items: usize },
    #[error(
        "item {item} was already recommended in this episode, and mode {mode:?} masks repeats"
    )]
    Repeat { item: usize, mode: Mode },
    #[error("the episode is over")]
    Finished,
}

/// One user's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub user: usize,
    /// Items recommended so far, in order.
    pub items: Vec<usize>,
    /// The reward of each step.
    pub rewards: Vec<f32>,
    /// Set when the episode is over.
    pub end: Option<LeaveReason>,
}

impl Episode {
    pub fn is_done(&self) -> bool {
        self.end.is_some()
    }
    /// R_tra: the episode's cumulative reward.
    pub fn r_tra(&self) -> f64 {
        self.rewards.iter().map(|r| *r as f64).sum()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// What one step returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub reward: f32,
    pub done: bool,
}

/// The ground-truth environment: a world plus the rules of one evaluation mode.
#[derive(Debug, Clone)]
pub struct Environment {
    world: Arc<World>,
    settings: EnvSettings,
    tags: Vec<Vec<u16>>,
}

impl Environment {
    pub fn new(world: Arc<World>, settings: EnvSettings) -> Self {
        let tags = world.tags();
        Self {
            world,
            settings,
            tags,
        }
    }

    pub fn world(&self) -> &World {
        &self.world
    }
    pub fn settings(&self) -> &EnvSettings {
        &self.settings
    }

    /// A new episode for `user`.
    pub fn reset(&self, user: usize) -> Episode {
        Episode {
            user,
            items: Vec::new(),
            rewards: Vec::new(),
            end: None,
        }
    }

    /// Whether `item` may be recommended next in `episode`.
    pub fn allowed(&self, episode: &Episode, item: usize) -> bool {
        item < self.world.n_items()
            && !(self.settings.mode.masks_repeats() && episode.items.contains(&item))
    }

    /// Recommends `item` to the episode's user: the reward is `R[u, item]`; the user may
    /// leave (the reward still counts) and the episode may reach its last turn.
    pub fn step(&self, episode: &mut Episode, item: usize) -> Result<Step, EnvError> {
        if episode.is_done() {
            return Err(EnvError::Finished);
        }
        let n_items = self.world.n_items();
        if item >= n_items {
            return Err(EnvError::NoSuchItem { item, n_items });
        }
        if self.settings.mode.masks_repeats() && episode.items.contains(&item) {
            return Err(EnvError::Repeat {
                item,
                mode: self.settings.mode,
            });
        }
        let reward = self.world.truth.get(episode.user, item);
        let left = match self.settings.mode {
            Mode::Nx10 => None,
            Mode::Fb | Mode::Nx0 => self.settings.quit.check(
                self.settings.window,
                &self.world.truth,
                &self.tags,
                &episode.items,
                item,
            ),
        };
        episode.items.push(item);
        episode.rewards.push(reward);
        let turns = episode.items.len();
        episode.end = match (left, self.settings.mode) {
            (Some(reason), _) => Some(reason),
            (None, Mode::Nx10) if turns >= NX10_LENGTH => Some(LeaveReason::FixedLength { turns }),
            (None, _) if turns >= self.settings.max_turn => Some(LeaveReason::MaxTurn { turns }),
            (None, m) if m.masks_repeats() && turns >= n_items => {
                Some(LeaveReason::CatalogueExhausted { turns })
            }
            (None, _) => None,
        };
        Ok(Step {
            reward,
            done: episode.is_done(),
        })
    }
}
