//! `ialp`: the command-line edge. Files, flags, stdout and exit codes live here; all
//! the computing is in the library.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main());
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use clap::{Parser, Subcommand, ValueEnum};
    use ialp::env::coat::{CoatFile, CoatFiles};
    use ialp::env::{Mode, Preset, QuitRule, Window};
    use ialp::experiment::{build_world, DataSource, EnvConfig, ExperimentConfig, Simulation};
    use ialp::policy::PolicyKind;
    use serde_json::json;

    #[derive(Parser)]
    #[command(name = "ialp", version, about = "iALP Playground on the command line: simulate recommendation environments (a reconstruction of iALP / A-iALP, WSDM 2025)")]
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
    }

    #[derive(clap::Args)]
    struct WorldArgs {
        #[arg(long)]
        env: EnvArg,
        /// Folder with the real Coat files; without it, a synthetic world.
        #[arg(long, value_name = "DIR")]
        real_dir: Option<PathBuf>,
        #[arg(long, allow_negative_numbers = true)]
        scale: Option<f64>,
        #[arg(long, default_value_t = 2025, allow_negative_numbers = true)]
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
        /// Folder with the real Coat files (train.ascii, test.ascii,
        /// pseudo_gt_rating_matrix.ascii, user_features.ascii, item_features.ascii).
        /// Without it a synthetic world is generated from the seed.
        #[arg(long, value_name = "DIR")]
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

    /// Exit codes: 0 ok, 1 the run failed (e.g. bad data files), 2 bad usage.
    pub fn main() -> i32 {
        let cli = Cli::parse(); // exits with 2 and a message on bad flags
        match cli.command {
            Command::Simulate(a) => simulate(a),
            Command::World(a) => world(a),
        }
    }

    fn simulate(a: SimulateArgs) -> i32 {
        let preset = preset_of(a.env);
        let policy = match a.policy {
            PolicyArg::Random => PolicyKind::Random,
            PolicyArg::Popular => PolicyKind::Popular,
        };
        let config = ExperimentConfig {
            env: EnvConfig {
                preset,
                data: if a.real_dir.is_some() { DataSource::Real } else { DataSource::Synthetic },
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
            policies: vec![policy],
            episodes: a.episodes,
            seed: a.seed,
            ..ExperimentConfig::default()
        };
        let valid = match config.check() {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: invalid setting {e}");
                return 2;
            }
        };
        let files = match a.real_dir.as_deref().map(read_coat_dir).transpose() {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
        let world = match build_world(&valid, files.as_ref()) {
            Ok(w) => Arc::new(w),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        };
        let mut sim = Simulation::new(valid.clone(), world);
        sim.run();
        let s = &sim.summaries()[0];
        let (n, tau) = match valid.settings.quit {
            QuitRule::ItemDistance { n, tau } => (n, tau as f64),
            QuitRule::TagCount { n, tau } => (n, tau as f64),
        };
        if a.json {
            let out = json!({
                "env": preset.id(),
                "data": if files.is_some() { "real" } else { "synthetic" },
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
                "digest": sim.digest(),
            });
            println!("{out}");
        } else {
            let w = sim.world();
            println!(
                "{} ({}, {} users × {} items) · {} · quit rule N = {n}, τ = {tau} ({} window) · seed {}",
                preset.label(),
                if files.is_some() { "real data" } else { "synthetic" },
                w.n_users(),
                w.n_items(),
                valid.settings.mode.label(),
                match valid.settings.window {
                    Window::Intended => "intended",
                    Window::PeerCompatible => "peer-compatible",
                },
                valid.seed()
            );
            println!("{:<14} {:>9} {:>18} {:>18} {:>18}", "policy", "episodes", "R_tra", "R_each", "Length");
            println!(
                "{:<14} {:>9} {:>18} {:>18} {:>18}",
                policy.label(),
                s.episodes,
                s.r_tra.to_string(),
                s.r_each.to_string(),
                s.length.to_string()
            );
            println!("coverage {:.3} · MCD {:.3} · digest {}", s.coverage, s.mcd, &sim.digest()[..16]);
        }
        0
    }

    fn world(a: WorldArgs) -> i32 {
        let config = ExperimentConfig {
            env: EnvConfig {
                preset: preset_of(a.env),
                data: if a.real_dir.is_some() { DataSource::Real } else { DataSource::Synthetic },
                scale: a.scale,
                ..ExperimentConfig::default().env
            },
            seed: a.seed,
            ..ExperimentConfig::default()
        };
        let valid = match config.check() {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: invalid setting {e}");
                return 2;
            }
        };
        let world = a
            .real_dir
            .as_deref()
            .map(read_coat_dir)
            .transpose()
            .and_then(|files| build_world(&valid, files.as_ref()).map_err(|e| e.to_string()));
        match world {
            Ok(w) => {
                let mut v = serde_json::to_value(w.stats()).expect("stats serialise");
                v["quit_rule"] = serde_json::to_value(valid.settings.quit).expect("rule serialises");
                println!("{v}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        }
    }

    fn preset_of(e: EnvArg) -> Preset {
        match e {
            EnvArg::Coat => Preset::Coat,
            EnvArg::Kuairec => Preset::KuaiRec,
            EnvArg::Movielens => Preset::MovieLens,
        }
    }

    /// Reads the five Coat files from `dir`; a missing or unreadable one is named.
    fn read_coat_dir(dir: &Path) -> Result<CoatFiles, String> {
        if !dir.is_dir() {
            return Err(format!("--real-dir {}: not a folder", dir.display()));
        }
        let mut files = CoatFiles::new();
        for f in CoatFile::ALL {
            let path = dir.join(f.file_name());
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not a text file", path.display()))?;
                    files.add(f.file_name(), text);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {} // reported by load()
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
        Ok(files)
    }
}
