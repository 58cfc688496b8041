//! `ialp`: the command-line edge. Files, flags, stdout and exit codes live here; all
//! the computing is in the library.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main());
}

#[cfg(not(target_arch = "wasm32"))]
mod sweep;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use clap::{Parser, Subcommand, ValueEnum};
    use ialp::chart::{learning_curves_svg, Curve};
    use ialp::env::{Mode, Preset, QuitRule, Window};
    use ialp::experiment::{
        build_world, DataSource, EnvConfig, Experiment, ExperimentConfig, Results, ValidConfig,
    };
    use ialp::llm::transport::NativeTransport;
    use ialp::ialp::Estimate;
    use ialp::llm::key::KeyEnv;
    use ialp::llm::{ApiKey, LlmCache, LlmConfig};
    use ialp::methods::Method;
    use serde_json::json;

    #[derive(Parser)]
    #[command(
        name = "ialp",
        version,
        about = "iALP Playground on the command line: simulate recommendation environments (a reconstruction of iALP / A-iALP, WSDM 2025)"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
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
        Sweep(crate::sweep::SweepArgs),
        /// Merge a sweep's folder into one table (results.md) and one results.json the
        /// page can overlay.
        Collect(crate::sweep::CollectArgs),
    }

    #[derive(clap::Args)]
    struct RunArgs {
        /// The experiment config (JSON); or use --preset.
        #[arg(required_unless_present = "preset", conflicts_with = "preset")]
        config: Option<PathBuf>,
        /// A built-in preset instead of a config file (see `ialp presets`).
        #[arg(long, value_name = "NAME")]
        preset: Option<String>,
        /// Override the number of seeds (runs per method).
        #[arg(long, value_name = "K")]
        seeds: Option<usize>,
        /// Override env.scale: a synthetic world's size, or the share of a real data
        /// set's users and items (1 = the full data set, e.g. `--preset
        /// paper-movielens-real --scale 1`).
        #[arg(long, value_name = "S", allow_negative_numbers = true)]
        scale: Option<f64>,
        /// Folder for results.json, results.csv and curves.svg.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The real data set, for a config with "data": "real": a folder with its files
        /// or its archive as distributed (coat, ml-1m.zip, KuaiRec.zip).
        #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
        real_dir: Option<PathBuf>,
        /// Print the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// LLM answer cache: read before the run if the file exists (prompts found in
        /// it cost no call), written after it. The run's answers are also written to
        /// DIR/llm-cache.json with --out.
        #[arg(long, value_name = "FILE")]
        llm_cache: Option<PathBuf>,
        #[command(flatten)]
        spend: SpendArgs,
        /// A policy file (from the page's "Download policy" or --policies) for method
        /// "imported" to deploy on the ground truth and fine-tune online.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// With --out: also write each trained A2C policy to
        /// DIR/policies/METHOD-seedSEED.json (the page can deploy them).
        #[arg(long, requires = "out")]
        policies: bool,
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

    impl SpendArgs {
        /// The parsed `--key-env`.
        pub(crate) fn key_env(&self) -> Result<Option<KeyEnv>, CliError> {
            self.key_env
                .as_deref()
                .map(KeyEnv::parse)
                .transpose()
                .map_err(usage)
        }
    }

    #[derive(clap::Args)]
    struct WorldArgs {
        #[arg(long)]
        env: EnvArg,
        /// The real data set: a folder with its files or its archive as distributed
        /// (coat, ml-1m.zip, KuaiRec.zip); without it, a synthetic world. With --scale
        /// below 1, a seeded cut of it.
        #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
        real_dir: Option<PathBuf>,
        #[arg(long, allow_negative_numbers = true)]
        scale: Option<f64>,
        #[arg(long, default_value_t = 2025, allow_negative_numbers = true)]
        seed: u64,
    }

    #[derive(clap::Args)]
    struct GenerateArgs {
        /// movielens or kuairec.
        #[arg(long)]
        env: EnvArg,
        /// Folder to write into (ml-1m/…, KuaiRec 2.0/data/…), or with --zip the
        /// archive's path.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Share of each dimension (0.02-1); without it, the published size.
        #[arg(long)]
        scale: Option<f64>,
        /// Write one zip archive (deflated, as distributed) instead of a folder.
        #[arg(long)]
        zip: bool,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum EnvArg {
        Coat,
        Kuairec,
        Movielens,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum PolicyArg {
        Random,
        Popular,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum ModeArg {
        Fb,
        Nx0,
        Nx10,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum WindowArg {
        Intended,
        Peer,
    }

    #[derive(clap::Args)]
    struct SimulateArgs {
        /// The environment.
        #[arg(long)]
        env: EnvArg,
        /// The real data set: a folder with its files (Coat: train.ascii, test.ascii,
        /// pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii) or
        /// its archive (ml-1m.zip, KuaiRec.zip). Without it a synthetic world is
        /// generated from the seed.
        #[arg(long, visible_alias = "real", value_name = "DIR|FILE.zip")]
        real_dir: Option<PathBuf>,
        /// Size of a synthetic world relative to the real data (default per preset).
        #[arg(long, allow_negative_numbers = true)]
        scale: Option<f64>,
        #[arg(long, default_value = "random")]
        policy: PolicyArg,
        #[arg(long, default_value_t = 1000, allow_negative_numbers = true)]
        episodes: usize,
        #[arg(long, default_value_t = 2025, allow_negative_numbers = true)]
        seed: u64,
        #[arg(long, default_value = "nx0")]
        mode: ModeArg,
        /// Quit-rule window N (default: the preset's).
        #[arg(long, allow_negative_numbers = true)]
        leave_n: Option<usize>,
        /// Quit-rule threshold τ (default: the preset's).
        #[arg(long, allow_negative_numbers = true)]
        leave_tau: Option<f32>,
        /// `peer`: the peers' wrapped window, to reproduce their numbers.
        #[arg(long, default_value = "intended")]
        window: WindowArg,
        #[arg(long, default_value_t = ialp::env::MAX_TURN, allow_negative_numbers = true)]
        max_turn: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    }

    /// Why a command did not finish. [`main`] reports it once, with its exit code.
    #[derive(Debug, thiserror::Error)]
    pub(crate) enum CliError {
        /// Bad flags, config, key or input file: exit 2.
        #[error("{0}")]
        Usage(String),
        /// The run failed (bad data files, an unwritable output, a halted experiment): exit 1.
        #[error("{0}")]
        Failed(String),
        /// Ctrl-C: what was finished is kept and written, and said so; exit 130.
        #[error("interrupted")]
        Interrupted,
    }

    pub(crate) fn usage(e: impl std::fmt::Display) -> CliError {
        CliError::Usage(e.to_string())
    }

    pub(crate) fn failed(e: impl std::fmt::Display) -> CliError {
        CliError::Failed(e.to_string())
    }

    /// Exit codes: 0 ok, 1 the run failed (e.g. bad data files), 2 bad usage, 130 Ctrl-C.
    pub fn main() -> i32 {
        match try_main() {
            Ok(()) => 0,
            Err(CliError::Interrupted) => 130,
            Err(e) => {
                eprintln!("error: {e}");
                match e {
                    CliError::Usage(_) => 2,
                    _ => 1,
                }
            }
        }
    }

    fn try_main() -> Result<(), CliError> {
        let cli = Cli::parse(); // exits with 2 and a message on bad flags
        match cli.command {
            Command::Simulate(a) => simulate(a),
            Command::World(a) => world(a),
            Command::Run(a) => run(a),
            Command::Sweep(a) => crate::sweep::sweep(a),
            Command::Collect(a) => crate::sweep::collect(a),
            Command::GenerateData(a) => generate_data(a),
            Command::Presets => {
                for p in &ialp::experiment::presets::PRESETS {
                    println!("{}", p.name);
                }
                Ok(())
            }
        }
    }

    fn generate_data(a: GenerateArgs) -> Result<(), CliError> {
        use ialp::env::real::generate::{self, DirSink, Size, ZipSink};
        let preset = preset_of(a.env);
        if preset == Preset::Coat {
            return Err(usage("--env coat: the real Coat files are public and small (../shared/data/coat); nothing to generate"));
        }
        let size = match a.scale {
            None => Size::Full,
            Some(s) if (0.02..=1.0).contains(&s) => Size::Scale(s),
            Some(s) => return Err(usage(format!("--scale {s}: must be within 0.02-1"))),
        };
        let t = std::time::Instant::now();
        if a.zip {
            let f = std::fs::File::create(&a.out).map_err(|e| failed(format!("{}: {e}", a.out.display())))?;
            let mut sink = ZipSink(zip::ZipWriter::new(std::io::BufWriter::new(f)));
            generate::write(preset, size, a.seed, &mut sink).map_err(failed)?;
            sink.0.finish().map_err(failed)?;
        } else {
            generate::write(preset, size, a.seed, &mut DirSink(a.out.clone())).map_err(failed)?;
        }
        eprintln!("wrote {} in {:.1} s", a.out.display(), t.elapsed().as_secs_f64());
        Ok(())
    }

    fn simulate(a: SimulateArgs) -> Result<(), CliError> {
        let preset = preset_of(a.env);
        let policy = match a.policy {
            PolicyArg::Random => Method::Random,
            PolicyArg::Popular => Method::Popular,
        };
        let config = ExperimentConfig {
            env: EnvConfig {
                preset,
                data: if a.real_dir.is_some() {
                    DataSource::Real
                } else {
                    DataSource::Synthetic
                },
                scale: a.scale,
                mode: match a.mode {
                    ModeArg::Fb => Mode::Fb,
                    ModeArg::Nx0 => Mode::Nx0,
                    ModeArg::Nx10 => Mode::Nx10,
                },
                leave_n: a.leave_n,
                leave_tau: a.leave_tau,
                window: match a.window {
                    WindowArg::Intended => Window::Intended,
                    WindowArg::Peer => Window::PeerCompatible,
                },
                max_turn: a.max_turn,
            },
            methods: vec![policy],
            eval_episodes: a.episodes,
            seed: a.seed,
            ..ExperimentConfig::default()
        };
        let valid = config
            .check()
            .map_err(|e| usage(format!("invalid setting {e}")))?;
        let real = valid.data() == DataSource::Real;
        let world = Arc::new(load_world(&valid, a.real_dir.as_deref()).map_err(failed)?);
        let mut sim = Experiment::new(valid.clone(), world);
        sim.run();
        let results = sim.results();
        let Some(s) = results.runs.first().and_then(|r| r.last.as_ref()) else {
            return Err(failed("the run produced no evaluation"));
        };
        let (n, tau) = match valid.settings.quit {
            QuitRule::ItemDistance { n, tau } => (n, tau as f64),
            QuitRule::TagCount { n, tau } => (n, tau as f64),
        };
        if a.json {
            let out = json!({
                "env": preset.id(),
                "data": if real { "real" } else { "synthetic" },
                "users": sim.world().n_users(),
                "items": sim.world().n_items(),
                "policy": policy.id(),
                "mode": valid.settings.mode.id(),
                "leave_n": n,
                "leave_tau": tau,
                "window": valid.settings.window,
                "max_turn": valid.settings.max_turn,
                "seed": valid.seed(),
                "episodes": s.episodes,
                "r_tra": s.r_tra,
                "r_each": s.r_each,
                "length": s.length,
                "coverage": s.coverage,
                "mcd": s.mcd,
                "ends": s.ends.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<String, serde_json::Value>>(),
                "digest": results.digest(),
            });
            println!("{out}");
        } else {
            let w = sim.world();
            println!(
                "{} ({}, {} users × {} items) · {} · quit rule N = {n}, τ = {tau} ({} window) · seed {}",
                preset.label(),
                if real { "real data" } else { "synthetic" },
                w.n_users(),
                w.n_items(),
                valid.settings.mode.label(),
                match valid.settings.window {
                    Window::Intended => "intended",
                    Window::PeerCompatible => "peer-compatible",
                },
                valid.seed()
            );
            println!(
                "{:<14} {:>9} {:>18} {:>18} {:>18}",
                "policy", "episodes", "R_tra", "R_each", "Length"
            );
            println!(
                "{:<14} {:>9} {:>18} {:>18} {:>18}",
                policy.label(),
                s.episodes,
                s.r_tra.to_string(),
                s.r_each.to_string(),
                s.length.to_string()
            );
            println!(
                "coverage {:.3} · MCD {:.3} · digest {}",
                s.coverage,
                s.mcd,
                &results.digest()[..16]
            );
        }
        Ok(())
    }

    fn world(a: WorldArgs) -> Result<(), CliError> {
        let config = ExperimentConfig {
            env: EnvConfig {
                preset: preset_of(a.env),
                data: if a.real_dir.is_some() {
                    DataSource::Real
                } else {
                    DataSource::Synthetic
                },
                scale: a.scale,
                ..ExperimentConfig::default().env
            },
            seed: a.seed,
            ..ExperimentConfig::default()
        };
        let valid = config
            .check()
            .map_err(|e| usage(format!("invalid setting {e}")))?;
        let w = load_world(&valid, a.real_dir.as_deref()).map_err(failed)?;
        let mut v = serde_json::to_value(w.stats()).expect("stats serialise");
        v["quit_rule"] = serde_json::to_value(valid.settings.quit).expect("rule serialises");
        v["source"] = serde_json::to_value(&w.source).expect("source serialises");
        v["digest"] = json!(ialp::env::real::world_digest(&w));
        v["held_out_size"] = json!(w.held_out.len());
        if let Some(report) = a.real_dir.as_deref().and_then(|p| loaded_report(p, valid.preset())) {
            v["load"] = serde_json::to_value(report).expect("report serialises");
        }
        println!("{v}");
        Ok(())
    }

    /// Set by Ctrl-C; the run loop stops between chunks.
    pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

    /// The config of `ialp run`: a file or a built-in preset, with --seeds and --scale
    /// applied.
    fn run_config(a: &RunArgs) -> Result<ValidConfig, String> {
        let valid = if let Some(name) = &a.preset {
            let p = ialp::experiment::presets::find(name).ok_or_else(|| {
                let names: Vec<&str> = ialp::experiment::presets::PRESETS
                    .iter()
                    .map(|p| p.name)
                    .collect();
                format!(
                    "--preset {name}: no such preset (there are: {})",
                    names.join(", ")
                )
            })?;
            p.config(None).map_err(|e| e.to_string())?
        } else {
            let path = a
                .config
                .as_ref()
                .expect("clap requires a config or --preset");
            let text = ialp::limits::read_text(path, ialp::limits::CONFIG_FILE_BYTES)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            ExperimentConfig::from_json(&text)
                .map_err(|e| format!("invalid config {}: {e}", path.display()))?
        };
        if a.seeds.is_none() && a.scale.is_none() {
            return Ok(valid);
        }
        let mut raw = valid.raw().clone();
        if let Some(k) = a.seeds {
            raw.seeds = k;
        }
        if let Some(s) = a.scale {
            raw.env.scale = Some(s);
        }
        raw.check().map_err(|e| format!("--seeds / --scale: {e}"))
    }

    fn run(a: RunArgs) -> Result<(), CliError> {
        let valid = run_config(&a).map_err(usage)?;
        if valid.data() == DataSource::Real && a.real_dir.is_none() {
            return Err(usage("the config asks for real data: give the data set's folder or archive with --real-dir DIR|FILE.zip"));
        }
        let world = Arc::new(load_world(&valid, a.real_dir.as_deref()).map_err(failed)?);
        let uses_llm = valid.uses_llm();
        let key_env = a.spend.key_env()?;
        let planned = transport_for(&valid, key_env.as_ref(), "")?;
        if let Some(p) = planned.as_ref().filter(|p| p.paid) {
            confirm_spend(&p.estimate, &a.spend, "this run")?;
        }
        let transport = planned.map(|p| p.transport);
        let cache = match a.llm_cache.as_deref().filter(|p| p.exists()) {
            None => LlmCache::new(),
            Some(path) => match ialp::limits::read_text(path, ialp::limits::CACHE_FILE_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|t| LlmCache::from_json(&t).map_err(|e| e.to_string()))
            {
                Ok(c) => {
                    eprintln!("LLM cache: {} answers from {}", c.len(), path.display());
                    c
                }
                Err(e) => {
                    return Err(usage(format!("--llm-cache {}: {e}", path.display())));
                }
            },
        };
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
        let mut exp = Experiment::new(valid.clone(), world).with_cache(cache);
        if let Some(path) = &a.policy {
            match ialp::limits::read_text(path, ialp::limits::POLICY_FILE_BYTES)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    ialp::experiment::PolicyFile::from_json(&t).map_err(|e| e.to_string())
                }) {
                Ok(p) => {
                    eprintln!("policy: {}", p.describe());
                    exp = exp.with_imported(p);
                }
                Err(e) => {
                    return Err(usage(format!("--policy {}: {e}", path.display())));
                }
            }
        }
        drive(&mut exp, &valid, transport.as_ref(), "");
        let results = exp.results();
        let interrupted = !results.complete;
        if interrupted {
            eprintln!(
                "stopped early: keeping the {} finished method runs (and the partial one)",
                results.runs.iter().filter(|r| r.finished).count()
            );
        }
        let mut cache_files: Vec<PathBuf> = a.llm_cache.iter().cloned().collect();
        if let Some(dir) = &a.out {
            if let Err(e) = write_outputs(dir, &results) {
                return Err(failed(e));
            }
            eprintln!(
                "wrote {}/results.json, results.csv, curves.svg",
                dir.display()
            );
            if a.policies {
                let folder = dir.join("policies");
                let mut n = 0;
                for r in results.runs.iter().filter(|r| r.finished) {
                    if let Some(p) = exp.policy_file(r.method, r.run) {
                        let path = folder.join(format!("{}-seed{}.json", r.method.id(), r.seed));
                        if let Err(e) = std::fs::create_dir_all(&folder)
                            .and_then(|()| std::fs::write(&path, p.to_json()))
                        {
                            return Err(failed(format!("{}: {e}", path.display())));
                        }
                        n += 1;
                    }
                }
                eprintln!("wrote {n} policy file(s) to {}", folder.display());
            }
            if uses_llm {
                cache_files.push(dir.join("llm-cache.json"));
            }
        }
        if uses_llm {
            for path in cache_files {
                if let Err(e) = std::fs::write(&path, exp.cache().to_json()) {
                    return Err(failed(format!("{}: {e}", path.display())));
                }
                eprintln!(
                    "wrote {} ({} LLM answers)",
                    path.display(),
                    exp.cache().len()
                );
            }
        }
        if a.json {
            println!(
                "{}",
                json!({ "complete": results.complete, "halted": results.halted, "summary": results.summary, "user_models": results.user_models, "distillations": results.distillations, "digest": results.digest() })
            );
        } else {
            print_summary(&valid, &results);
        }
        match (exp.halted(), interrupted) {
            (Some(why), _) => Err(failed(why)),
            (None, true) => Err(CliError::Interrupted),
            (None, false) => Ok(()),
        }
    }

    /// A run's client for a remote LLM, with its spend estimate.
    pub(crate) struct Planned {
        pub(crate) transport: NativeTransport,
        pub(crate) estimate: Estimate,
        /// A key is sent: the run costs money (ask first, see [`confirm_spend`]).
        pub(crate) paid: bool,
    }

    /// The client for a config whose methods ask a remote LLM (its spend estimate said on
    /// stderr first, after `prefix`); `None` when no request leaves the machine.
    pub(crate) fn transport_for(
        valid: &ValidConfig,
        key_env: Option<&KeyEnv>,
        prefix: &str,
    ) -> Result<Option<Planned>, CliError> {
        let llm = &valid.raw().llm;
        if !(valid.uses_llm() && llm.provider.is_remote()) {
            return Ok(None);
        }
        let key = api_key(llm, key_env).map_err(usage)?;
        let estimate = Estimate::of(llm, &valid.raw().ialp, valid.preset(), valid.seeds());
        eprintln!("{prefix}LLM: {} · {}", llm.describe(), estimate.describe());
        for c in &estimate.custom {
            eprintln!("{prefix}LLM: note: {c}, not the provider's default");
        }
        for c in &estimate.raised {
            eprintln!("{prefix}LLM: note: {c}, above the documented default");
        }
        Ok(Some(Planned {
            paid: !key.is_empty(),
            transport: NativeTransport::new(llm, key),
            estimate,
        }))
    }

    /// Before a paid run: refuses a worst case above `--max-cost`, then asks y/N on the
    /// terminal unless `--yes` (with no terminal to ask, refuses and says to pass it).
    pub(crate) fn confirm_spend(
        estimate: &Estimate,
        spend: &SpendArgs,
        what: &str,
    ) -> Result<(), CliError> {
        use std::io::{BufRead, IsTerminal, Write};
        if let Some(max) = spend.max_cost {
            if !(max.is_finite() && max >= 0.0) {
                return Err(usage(format!("--max-cost {max}: give an amount of US dollars, 0 or more")));
            }
            estimate.within(max).map_err(usage)?;
        }
        if spend.yes {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(usage(format!(
                "{what} sends requests, with your API key, to a paid provider (estimate above), and there is no terminal to ask: pass --yes to start it (and --max-cost USD to cap it); nothing was sent"
            )));
        }
        eprint!("{what}: send these requests (estimate above)? [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer).map_err(failed)?;
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            Err(usage("not confirmed: nothing was sent"))
        }
    }

    /// Runs `exp` until it finishes, halts or Ctrl-C is pressed: answers its LLM requests
    /// through `transport`, and says on stderr (after `prefix`) whenever another method
    /// or seed starts.
    pub(crate) fn drive(
        exp: &mut Experiment,
        valid: &ValidConfig,
        transport: Option<&NativeTransport>,
        prefix: &str,
    ) {
        let llm = &valid.raw().llm;
        let started = std::time::Instant::now();
        let mut shown = None;
        while !exp.is_finished() && !INTERRUPTED.load(Ordering::SeqCst) && exp.halted().is_none() {
            let p = exp.advance(2_000);
            if exp.current() != shown {
                shown = exp.current();
                if let Some((m, run)) = shown {
                    eprintln!(
                        "{prefix}[{:5.1} s] {:>5.1} % · {} · seed {}",
                        started.elapsed().as_secs_f64(),
                        100.0 * p.fraction(),
                        m.label(),
                        valid.run_seed(run)
                    );
                }
            }
            if let (Some(t), true) = (transport, exp.waiting_for_llm()) {
                let tickets = exp.take_llm_requests(llm.max_concurrent);
                let prompts: Vec<(usize, &str)> = tickets
                    .iter()
                    .map(|t| (t.request.id, t.request.prompt.as_str()))
                    .collect();
                for (ticket, outcome) in tickets.iter().zip(t.ask_all(&prompts)) {
                    if let Err(f) = &outcome.result {
                        eprintln!("  LLM request {}: {f}", ticket.request.id + 1);
                    }
                    exp.give_llm_answer(ticket, outcome);
                }
                if let Some(s) = exp.llm_stats() {
                    eprintln!(
                        "  LLM: {} requests, {} calls ({} retries), {} from cache, {} failed, {} unparsable, {} ratings, {} tokens",
                        s.requests, s.calls, s.retries, s.cache_hits, s.failures, s.unparsable, s.labels, s.prompt_tokens + s.completion_tokens
                    );
                }
            }
        }
    }

    /// The provider's key from the environment. A local server (localhost) may go
    /// without one. A key from the provider's default variable goes only to the
    /// provider's default host, unless `--key-env` names that variable; with
    /// `--key-env NAME@ORIGIN` only to ORIGIN; never over plain http:// to another
    /// machine (`ialp::llm::key::cli_key_allowed`).
    fn api_key(llm: &LlmConfig, key_env: Option<&KeyEnv>) -> Result<ApiKey, String> {
        let name = key_env
            .map(|k| k.var.as_str())
            .or(llm.provider.key_env())
            .unwrap_or("IALP_LLM_KEY");
        if key_env.is_some_and(|k| k.origin.is_some()) {
            // A key bound to an origin: a run naming another is refused, key set or not.
            ialp::llm::key::cli_key_allowed(llm, key_env).map_err(|e| e.to_string())?;
        }
        match std::env::var(name) {
            Ok(k) if !k.trim().is_empty() => {
                ialp::llm::key::cli_key_allowed(llm, key_env).map_err(|e| e.to_string())?;
                Ok(ApiKey::new(&k))
            }
            _ => {
                let local = ialp::llm::key::origin_of(llm.base_url())
                    .is_ok_and(|o| ialp::llm::key::is_loopback(&o));
                if local {
                    Ok(ApiKey::default())
                } else {
                    Err(format!("the config asks {} for ratings: put the API key in the environment variable {name} (or name another with --key-env)", llm.provider.label()))
                }
            }
        }
    }

    pub(crate) fn write_outputs(dir: &Path, results: &Results) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |name: &str, text: String| {
            std::fs::write(dir.join(name), text)
                .map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        write("results.json", results.to_json())?;
        write("results.csv", results.to_csv())?;
        let curves: Vec<Curve> = ialp::chart::curves_of(results);
        write(
            "curves.svg",
            learning_curves_svg(&curves, "R_tra (mean ± std over seeds)", (900, 520))?,
        )
    }

    fn print_summary(valid: &ValidConfig, results: &Results) {
        println!(
            "{} · {} users × {} items · {} · {} seed(s) from {} · {} evaluation episodes",
            valid.preset().label(),
            results.world.users,
            results.world.items,
            valid.settings.mode.label(),
            valid.seeds(),
            valid.seed(),
            valid.eval_episodes()
        );
        println!(
            "{:<22} {:>5} {:>18} {:>16} {:>16} {:>9} {:>7} {:>18} {:>20}",
            "method",
            "seeds",
            "R_tra",
            "R_each",
            "Length",
            "coverage",
            "MCD",
            "first 100 online",
            "users' total reward"
        );
        for m in &results.summary {
            let dash = || "–".to_string();
            println!(
                "{:<22} {:>5} {:>18} {:>16} {:>16} {:>9.3} {:>7.3} {:>18} {:>20}",
                m.method.label(),
                m.seeds,
                m.r_tra.to_string(),
                m.r_each.to_string(),
                m.length.to_string(),
                m.coverage.mean,
                m.mcd.mean,
                m.first_k.map(|x| x.to_string()).unwrap_or_else(dash),
                m.online_total
                    .map(|x| format!("{:.0} ± {:.0}", x.mean, x.std))
                    .unwrap_or_else(dash)
            );
        }
        for r in &results.runs {
            for x in &r.repairs {
                println!(
                    "{} seed {}: repair after online episode {} (mean return {:.2} below the anchor's {:.2}; KL weight {:.2})",
                    r.method.label(), r.seed, x.online_episode, x.moving_average, x.anchor_return, x.kl_weight
                );
            }
        }
        for p in ialp::experiment::paired::paired(results) {
            println!("Does the LLM help? {}", p.describe());
        }
        for d in &results.distillations {
            let s = &d.stats;
            println!(
                "iALP seed {}: {} · {} states in {} requests: {} calls ({} retries, {} cached, {} failed, {} unparsable), {} ratings kept, {} dropped · agreement with the truth on {} held-out states: LLM ρ {:.3} NDCG@5 {:.3} · R_φ ρ {:.3} NDCG@5 {:.3} · R̂ ρ {:.3} NDCG@5 {:.3}",
                d.seed, d.source, d.states, d.planned_requests, s.calls, s.retries, s.cache_hits, s.failures, s.unparsable, s.labels, s.dropped.total(),
                d.agreement.llm.states, d.agreement.llm.spearman, d.agreement.llm.ndcg5, d.agreement.reward_model.spearman, d.agreement.reward_model.ndcg5,
                d.agreement.user_model.spearman, d.agreement.user_model.ndcg5
            );
        }
    }

    fn preset_of(e: EnvArg) -> Preset {
        match e {
            EnvArg::Coat => Preset::Coat,
            EnvArg::Kuairec => Preset::KuaiRec,
            EnvArg::Movielens => Preset::MovieLens,
        }
    }

    /// The config's world: generated, or cut from the real data set at `real` (a folder
    /// or a zip archive). A data set is loaded once per process and kept (a sweep's
    /// runs share it).
    pub(crate) fn load_world(
        valid: &ValidConfig,
        real: Option<&Path>,
    ) -> Result<ialp::env::World, String> {
        let loaded = match (valid.data(), real) {
            (DataSource::Real, Some(path)) => Some(load_real(valid.preset(), path)?),
            _ => None,
        };
        build_world(valid, loaded.as_ref().map(|l| &l.0)).map_err(|e| e.to_string())
    }

    type Kept = (PathBuf, Preset, Arc<(ialp::env::World, ialp::env::real::LoadReport)>);
    static LOADED: std::sync::Mutex<Option<Kept>> = std::sync::Mutex::new(None);

    /// What the load of `path` reported, if it was loaded.
    fn loaded_report(path: &Path, preset: Preset) -> Option<ialp::env::real::LoadReport> {
        let kept = LOADED.lock().ok()?;
        kept.as_ref()
            .filter(|(p, pr, _)| p == path && *pr == preset)
            .map(|(_, _, l)| l.1.clone())
    }

    /// Loads the data set of `preset` from a folder or a zip archive, printing progress
    /// on stderr; kept for the next call with the same path.
    fn load_real(
        preset: Preset,
        path: &Path,
    ) -> Result<Arc<(ialp::env::World, ialp::env::real::LoadReport)>, String> {
        use ialp::env::real::{self, DirSource, ZipSource};
        if let Some((p, pr, l)) = LOADED.lock().map_err(|e| e.to_string())?.as_ref() {
            if p == path && *pr == preset {
                return Ok(l.clone());
            }
        }
        let mut last = String::new();
        let mut progress = |p: real::LoadProgress| {
            if p.stage != last {
                eprintln!("{}…", p.stage);
                last = p.stage.clone();
            }
        };
        let loaded = if path.is_dir() {
            let mut src = DirSource::new(path).map_err(|e| e.to_string())?;
            real::load(preset, &mut src, &mut progress)
        } else if path.is_file() {
            let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("archive");
            let mut src = ZipSource::new(name, std::io::BufReader::new(f)).map_err(|e| e.to_string())?;
            real::load(preset, &mut src, &mut progress)
        } else {
            return Err(format!("--real-dir {}: no such folder or file", path.display()));
        }
        .map_err(|e| e.to_string())?;
        let kept = Arc::new((loaded.world, loaded.report));
        *LOADED.lock().map_err(|e| e.to_string())? = Some((path.to_path_buf(), preset, kept.clone()));
        Ok(kept)
    }
}
