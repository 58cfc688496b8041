//! `ialp`: the command-line edge. Files, flags, stdout and exit codes live here; all
//! the computing is in the library. This file parses the command line and hands it to
//! the command's file (`simulate.rs`, `world.rs`, `run.rs`, `generate.rs`, `sweep.rs`);
//! `args.rs` holds every flag.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(exit_code(try_main()));
}

// Commands.
#[cfg(not(target_arch = "wasm32"))]
mod generate;
#[cfg(not(target_arch = "wasm32"))]
mod run;
#[cfg(not(target_arch = "wasm32"))]
mod simulate;
#[cfg(not(target_arch = "wasm32"))]
mod sweep;
#[cfg(not(target_arch = "wasm32"))]
mod world;

// What the commands share.
#[cfg(not(target_arch = "wasm32"))]
mod args;
#[cfg(not(target_arch = "wasm32"))]
mod drive;
#[cfg(not(target_arch = "wasm32"))]
mod error;
#[cfg(not(target_arch = "wasm32"))]
mod load;
#[cfg(not(target_arch = "wasm32"))]
mod spend;

/// Exit codes: 0 ok, 1 the run failed (e.g. bad data files), 2 bad usage, 130 Ctrl-C
/// (which has already said what it kept).
#[cfg(not(target_arch = "wasm32"))]
fn exit_code(r: Result<(), error::CliError>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(error::CliError::Interrupted) => 130,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn try_main() -> Result<(), error::CliError> {
    use args::{Cli, Command};
    use clap::Parser;

    match Cli::parse().command {
        // Cli::parse exits with 2 and a message on bad flags.
        Command::Simulate(a) => simulate::simulate(a),
        Command::World(a) => world::world(a),
        Command::Run(a) => run::run(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Collect(a) => sweep::collect(a),
        Command::GenerateData(a) => generate::generate_data(a),
        Command::Presets => {
            for p in &ialp::experiment::presets::PRESETS {
                println!("{}", p.name);
            }
            Ok(())
        }
    }
}
