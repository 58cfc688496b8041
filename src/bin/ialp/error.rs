//! Why a command did not finish, and the exit code it gives: every handler returns a
//! [`CliError`], and `main` reports it once.

/// Why a command did not finish. `main` reports it once, with its exit code.
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

impl CliError {
    /// Exit codes: 1 the run failed (e.g. bad data files), 2 bad usage, 130 Ctrl-C.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) => 1,
            CliError::Interrupted => 130,
        }
    }
}

/// Bad usage (exit 2), in the words of `e`.
pub(crate) fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// A failed run (exit 1), in the words of `e`.
pub(crate) fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}
