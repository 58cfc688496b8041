//! Why a data set could not be loaded: every error names the file and, where it is
//! about one line, the line.

/// Why a data set's files could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("{file} is missing: expected {expected}")]
    Missing { file: String, expected: String },
    #[error("{file}, line {line}: {problem}")]
    Malformed {
        file: String,
        line: usize,
        problem: String,
    },
    #[error("{file}: {problem}")]
    Shape { file: String, problem: String },
}

/// A malformed-line error.
pub fn bad(file: &str, line: usize, problem: impl Into<String>) -> DataError {
    DataError::Malformed {
        file: file.into(),
        line,
        problem: problem.into(),
    }
}
