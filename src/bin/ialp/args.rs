//! The command line: every command's flags (clap derive). The worlds, modes and methods
//! a flag takes are the core's own ids (`from_id`, listed from `ALL`), so a new world or
//! mode needs no edit here.

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use ialp::env::{Mode, Preset, Window, MAX_TURN};
use ialp::methods::Method;

#[derive(Parser)]
#[command(
    name = "ialp",
    version,
    about = "iALP Playground on the command line: simulate recommendation environments (a reconstruction of iALP / A-iALP, WSDM 2025)"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a fixed policy for N episodes on an environment's ground truth.
    Simulate(SimulateArgs),
    /// Describe an environment's world: shape, rewards, log, item distances.
    World(WorldArgs),
    /// Run an experiment config (JSON): train and evaluate every method for every
    /// seed; write results.json, results.csv and curves.svg to --out.
    Run(RunArgs),
    /// List the built-in presets, one name a line (run one with `run --preset NAME`).
    Presets,
    /// Write a data set in the exact public format of MovieLens-1M or KuaiRec 2.0,
    /// generated from a seed (for tests and benchmarks; not the real data).
    GenerateData(GenerateArgs),
    /// Run a grid of settings × seeds (GRID.json), one single-seed run per folder in
    /// --out; a finished run is never redone. With --task, one run (a job array's
    /// index); with --emit, write a scheduler's script instead of running.
    Sweep(SweepArgs),
    /// Merge a sweep's folder into one table (results.md) and one results.json the
    /// page can overlay.
    Collect(CollectArgs),
}

/// The world a command looks at: the environment, its data and the seed (`simulate`
/// and `world`).
#[derive(clap::Args)]
pub(crate) struct WorldOpts {
    /// The environment.
    #[arg(long, value_parser = preset())]
    pub(crate) env: Preset,
    /// The real data set: a folder with its files (Coat: train.ascii, test.ascii,
    /// pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii) or
    /// its archive (ml-1m.zip, KuaiRec.zip). Without it a synthetic world is
    /// generated from the seed; with --scale below 1, a seeded cut of it.
    #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
    pub(crate) real_dir: Option<PathBuf>,
    /// Size of a synthetic world relative to the real data (default per preset), or
    /// the share of the real data set's users and items.
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) scale: Option<f64>,
    #[arg(long, default_value_t = 2025, allow_negative_numbers = true)]
    pub(crate) seed: u64,
}

#[derive(clap::Args)]
pub(crate) struct SimulateArgs {
    #[command(flatten)]
    pub(crate) world: WorldOpts,
    #[arg(long, default_value = "random", value_parser = fixed_policy())]
    pub(crate) policy: Method,
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
    pub(crate) episodes: usize,
    #[arg(long, default_value = "nx0", value_parser = mode())]
    pub(crate) mode: Mode,
    /// Quit-rule window N (default: the preset's).
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) leave_n: Option<usize>,
    /// Quit-rule threshold τ (default: the preset's).
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) leave_tau: Option<f32>,
    /// `peer`: the peers' wrapped window, to reproduce their numbers.
    #[arg(long, default_value = "intended", value_parser = window())]
    pub(crate) window: Window,
    #[arg(long, default_value_t = MAX_TURN, allow_negative_numbers = true)]
    pub(crate) max_turn: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(clap::Args)]
pub(crate) struct WorldArgs {
    #[command(flatten)]
    pub(crate) world: WorldOpts,
}

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// The experiment config (JSON); or use --preset.
    #[arg(required_unless_present = "preset", conflicts_with = "preset")]
    pub(crate) config: Option<PathBuf>,
    /// A built-in preset instead of a config file (see `ialp presets`).
    #[arg(long, value_name = "NAME")]
    pub(crate) preset: Option<String>,
    /// Override the number of seeds (runs per method).
    #[arg(long, value_name = "K")]
    pub(crate) seeds: Option<usize>,
    /// Override env.scale: a synthetic world's size, or the share of a real data
    /// set's users and items (1 = the full data set, e.g. `--preset
    /// paper-movielens-real --scale 1`).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub(crate) scale: Option<f64>,
    /// Folder for results.json, results.csv and curves.svg.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// The real data set, for a config with "data": "real": a folder with its files
    /// or its archive as distributed (coat, ml-1m.zip, KuaiRec.zip).
    #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
    pub(crate) real_dir: Option<PathBuf>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// LLM answer cache: read before the run if the file exists (prompts found in
    /// it cost no call), written after it. The run's answers are also written to
    /// DIR/llm-cache.json with --out.
    #[arg(long, value_name = "FILE")]
    pub(crate) llm_cache: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) spend: SpendArgs,
    /// A policy file (from the page's "Download policy" or --policies) for method
    /// "imported" to deploy on the ground truth and fine-tune online.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// With --out: also write each trained A2C policy to
    /// DIR/policies/METHOD-seedSEED.json (the page can deploy them).
    #[arg(long, requires = "out")]
    pub(crate) policies: bool,
}

/// Which key a paid run uses, where it may go, and how it is confirmed (`run` and
/// `sweep`).
#[derive(clap::Args, Clone)]
pub(crate) struct SpendArgs {
    /// Environment variable holding the provider's API key (default:
    /// OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY by provider).
    /// NAME@ORIGIN (e.g. MY_KEY@https://openrouter.ai) sends it to that origin only
    /// and refuses a run that names another; a plain NAME is refused for a grid
    /// naming more than one origin.
    #[arg(long, value_name = "NAME[@ORIGIN]")]
    pub(crate) key_env: Option<String>,
    /// Start a paid run (a remote provider, with a key) without asking; without it
    /// the estimate is shown and the terminal asks y/N (no terminal: refused).
    #[arg(long)]
    pub(crate) yes: bool,
    /// Refuse a paid run whose worst-case cost at list price (every request
    /// retried) is above USD dollars, or cannot be bounded (unknown price).
    #[arg(long, value_name = "USD")]
    pub(crate) max_cost: Option<f64>,
}

#[derive(clap::Args)]
pub(crate) struct GenerateArgs {
    /// movielens or kuairec.
    #[arg(long, value_parser = preset())]
    pub(crate) env: Preset,
    /// Folder to write into (ml-1m/…, KuaiRec 2.0/data/…), or with --zip the
    /// archive's path.
    #[arg(long, value_name = "PATH")]
    pub(crate) out: PathBuf,
    /// Share of each dimension (0.02-1); without it, the published size.
    #[arg(long)]
    pub(crate) scale: Option<f64>,
    /// Write one zip archive (deflated, as distributed) instead of a folder.
    #[arg(long)]
    pub(crate) zip: bool,
    #[arg(long, default_value_t = 2025)]
    pub(crate) seed: u64,
}

#[derive(clap::Args)]
pub(crate) struct SweepArgs {
    /// The grid file ({"preset" or "config", "set", "axes": [{"path", "values"}],
    /// "seeds"}), or a built-in grid's name (paper-coat-lambda, paper-coat-real-lambda).
    pub(crate) grid: PathBuf,
    /// The sweep's folder: grid.json, runs/NAME/results.json, the scheduler's script.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Run only the run with this index (0-based: a job array's task id).
    #[arg(long, value_name = "I")]
    pub(crate) task: Option<usize>,
    /// Write a script instead of running: `slurm` (DIR/sweep.slurm, a job array) or
    /// `tasks` (DIR/tasks.txt, one command a line for GNU parallel or xargs).
    #[arg(long, value_name = "FORMAT")]
    pub(crate) emit: Option<EmitArg>,
    /// List the runs (index, name) and stop.
    #[arg(long)]
    pub(crate) list: bool,
    /// The real data set (a folder or its zip archive), for a grid on real data.
    #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
    pub(crate) real_dir: Option<PathBuf>,
    /// The key, where it may go, and the confirmation (as for `run`; one confirmation
    /// for the whole sweep, given when it starts or when --emit writes the script).
    #[command(flatten)]
    pub(crate) spend: SpendArgs,
}

/// The scheduler's script `sweep --emit` writes (the CLI's own choice, no core type).
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum EmitArg {
    Slurm,
    Tasks,
}

#[derive(clap::Args)]
pub(crate) struct CollectArgs {
    /// A sweep's folder (--out of `ialp sweep`).
    pub(crate) dir: PathBuf,
    /// Print the merged summary as JSON instead of the table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The policies `simulate` runs: the fixed ones that need no user model.
const FIXED_POLICIES: [Method; 2] = [Method::Random, Method::Popular];

/// A flag whose values are a core type's ids: the help and the error for an unknown
/// value list `ids` (clap's "[possible values: …]", with its "a similar value exists"
/// tip), and a value is turned into the type by its `from_id`.
fn by_id<T: Clone + Send + Sync + 'static>(
    ids: impl IntoIterator<Item = &'static str>,
    from_id: fn(&str) -> Option<T>,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(ids).try_map(move |s| {
        from_id(&s).ok_or_else(|| format!("'{s}' is not one of the possible values"))
    })
}

/// `--env`: every world of [`Preset::ALL`].
fn preset() -> impl TypedValueParser<Value = Preset> {
    by_id(Preset::ALL.map(Preset::id), Preset::from_id)
}

/// `--mode`: every evaluation mode of [`Mode::ALL`].
fn mode() -> impl TypedValueParser<Value = Mode> {
    by_id(Mode::ALL.map(Mode::id), Mode::from_id)
}

/// `simulate --policy`: the methods of [`FIXED_POLICIES`].
fn fixed_policy() -> impl TypedValueParser<Value = Method> {
    by_id(FIXED_POLICIES.map(Method::id), |s| {
        Method::from_id(s).filter(|m| FIXED_POLICIES.contains(m))
    })
}

/// `--window`: every window of [`Window::ALL`], by its flag name.
fn window() -> impl TypedValueParser<Value = Window> {
    by_id(Window::ALL.map(window_flag), |s| {
        Window::ALL.into_iter().find(|&w| window_flag(w) == s)
    })
}

/// The name of a quit-rule window on the command line: the core has no id for it
/// (its serde name, `peer_compatible`, is longer than the flag's `peer`).
fn window_flag(w: Window) -> &'static str {
    match w {
        Window::Intended => "intended",
        Window::PeerCompatible => "peer",
    }
}
