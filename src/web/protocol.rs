//! What the page and the training worker say to each other: these types, as JS values
//! made by serde-wasm-bindgen and passed by `postMessage`'s structured clone (no JSON
//! text; JSON is kept for the file formats).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::env::real::{LoadProgress, LoadReport};
use crate::env::Preset;
use crate::experiment::delta::ResultsChange;
use crate::experiment::{Checkpoint, ExperimentConfig, Progress};
use crate::llm::{ApiKey, LlmCache, LlmStats};
use crate::methods::Method;

/// How fast the worker trains: all out, or slowly enough to watch the curves grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speed {
    /// About a dozen episodes a second.
    Slow,
    /// Short chunks with a pause between them.
    Normal,
    /// As fast as the machine goes.
    #[default]
    Max,
}

impl Speed {
    pub const ALL: [Speed; 3] = [Speed::Slow, Speed::Normal, Speed::Max];
    pub fn id(self) -> &'static str {
        match self {
            Speed::Slow => "slow",
            Speed::Normal => "normal",
            Speed::Max => "max",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Speed::Slow => "slow (watch it learn)",
            Speed::Normal => "normal",
            Speed::Max => "fastest",
        }
    }
    pub fn from_id(s: &str) -> Option<Speed> {
        Self::ALL.into_iter().find(|x| x.id() == s)
    }
    /// Work per chunk (ms of simulation, or `None` for one episode), and the pause
    /// after it.
    pub fn chunk(self) -> (Option<f64>, u32) {
        match self {
            Speed::Slow => (None, 80),
            Speed::Normal => (Some(8.0), 24),
            Speed::Max => (Some(40.0), 0),
        }
    }
}

/// What a run starts from. `Debug` shows `<key>` for the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartRun {
    pub run: u64,
    pub config: ExperimentConfig,
    /// The real Coat files as (name, text), for real-data runs.
    pub real: Vec<(String, String)>,
    /// The LLM answer cache (JSON), so cached prompts are not asked again.
    pub cache: String,
    /// The provider key, for this run's requests only (never stored by the worker). The
    /// page passes it only when the run's provider and origin are the ones the key is
    /// bound to, after the user pressed Start in the estimate panel.
    pub key: ApiKey,
    pub speed: Speed,
    /// Start paused (for stepping from the first episode).
    pub paused: bool,
    /// A policy file (JSON) for method `imported` to deploy.
    pub policy: Option<String>,
    /// Goes on from this checkpoint of the same settings (a run interrupted by a reload
    /// or a crash) instead of from the start.
    #[serde(default)]
    pub resume: Option<Box<Checkpoint>>,
}

/// Page → worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ToTrainer {
    /// Starts a run (any run in progress is dropped).
    Start(Box<StartRun>),
    /// The trained policy of `method` in run index `index` of the current run, as a file.
    ExportPolicy {
        method: Method,
        index: usize,
    },
    Pause,
    Resume,
    /// While paused: one more episode.
    Step,
    Stop,
    Speed(Speed),
    /// Loads a real data set from the files posted beside this message (a zip archive
    /// or loose files) and keeps it for this worker's runs of `preset`; the previous
    /// data set stays if this one fails.
    LoadData { load: u64, preset: Preset },
    /// Test-only: makes the worker panic, so the end-to-end tests can check that a
    /// crash loses no answer and the next Run starts a fresh worker. The page never
    /// sends it.
    #[doc(hidden)]
    PanicForTest,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Paused,
    WaitingForLlm,
    Finished,
    /// Stopped by the user: what finished is kept.
    Stopped,
    /// Stopped by a problem (see `Results::halted`).
    Halted,
}

impl RunState {
    pub fn is_over(self) -> bool {
        matches!(
            self,
            RunState::Finished | RunState::Stopped | RunState::Halted
        )
    }
    pub fn id(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::WaitingForLlm => "waiting",
            RunState::Finished => "finished",
            RunState::Stopped => "stopped",
            RunState::Halted => "halted",
        }
    }
}

/// Where a run stands, streamed a few times a second with its results (as changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub run: u64,
    pub state: RunState,
    pub progress: Progress,
    /// The method and seed being worked on.
    pub current: Option<(Method, u64)>,
    /// Time spent running (pauses excluded).
    pub elapsed_ms: f64,
    pub llm: Option<LlmStats>,
    /// The results' digest, once complete (computed where the numbers were made).
    pub digest: Option<String>,
    /// The worker's WebAssembly memory now (its high-water mark: wasm memory never
    /// shrinks).
    #[serde(default)]
    pub memory_bytes: u64,
}

/// A loaded data set, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    pub load: u64,
    pub preset: Preset,
    pub users: usize,
    pub items: usize,
    pub log: usize,
    /// [`crate::env::real::world_digest`] of the full world (`ialp world` prints it).
    pub digest: String,
    pub report: LoadReport,
    /// Time to read, check and (MovieLens) complete, in ms.
    pub ms: f64,
    /// The worker's WebAssembly memory after the load (it never shrinks, so this is
    /// the load's peak plus what the worker held before).
    pub memory_bytes: u64,
}

/// Worker → page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromTrainer {
    /// The worker has loaded and listens.
    Ready,
    /// A snapshot: where the run stands, and its results, whole the first time and then
    /// as what changed (see [`ResultsChange`]).
    Update {
        update: Box<Update>,
        results: ResultsChange,
    },
    /// A run could not start (bad config or data), with the reason.
    Failed {
        run: u64,
        message: String,
    },
    /// The worker hit an internal error (a panic) and must be replaced.
    Crashed {
        message: String,
    },
    /// The answer to `ExportPolicy`: the file's name and JSON, or why there is none.
    Policy(Result<(String, String), String>),
    /// How far a `LoadData` is.
    LoadProgress { load: u64, progress: LoadProgress },
    /// A data set is loaded and kept in the worker.
    Loaded(Box<DataSummary>),
    /// A `LoadData` failed: why (file, line, column); the previous data set stays.
    LoadFailed { load: u64, message: String },
    /// The run finished another job: what to keep for a resume.
    Checkpoint { run: u64, checkpoint: Box<Checkpoint> },
    /// LLM answers worth keeping, sent the moment they arrive (whatever became of the
    /// run that asked: stopped, reset, replaced), so a paid answer is never lost.
    Answers(LlmCache),
}

/// `msg` as a JS value for `postMessage`. 64-bit integers (seeds) become `BigInt`s, so
/// none is rounded to a double on the way.
pub fn to_js<T: Serialize>(msg: &T) -> JsValue {
    try_to_js(msg).expect("messages serialise")
}

/// [`to_js`], with the error instead of a panic (for values not built by the page alone,
/// such as a record written to storage).
pub fn try_to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    value.serialize(&ser).map_err(|e| e.to_string())
}

/// A message read back from a JS value; a value of the wrong shape (an old worker, a
/// hand-made `postMessage`) is an error that says what did not fit.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}
