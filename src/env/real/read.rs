//! What every loader shares: progress, the load's report, reading a stream line by
//! line under the caps, opening a file of a [`Source`] under the size limit, and the
//! field parsers whose errors name file, line and column.

use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};

use super::capped;
use super::complete;
use super::error::{bad, DataError};
use super::source::Source;
use crate::env::world::World;

/// Largest file a loader reads (bytes): the full KuaiRec `big_matrix.csv` is 1.14 GB.
pub const MAX_FILE_BYTES: u64 = crate::limits::DATA_FILE_BYTES;

/// Where a load is: which file, how many of its bytes have been read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadProgress {
    /// What is being done ("reading ratings.dat", "completing the matrix").
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

/// Called as a load goes on; returns nothing, cannot cancel.
pub type OnProgress<'a> = &'a mut dyn FnMut(LoadProgress);

/// What a load read and what it did to the data, for the page and `ialp world`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// `(file, data lines read)`.
    pub files: Vec<(String, u64)>,
    /// Plain-language notes: rows dropped and why, entries filled, values clipped.
    pub notes: Vec<String>,
    /// Matrix completion (MovieLens): RMSE on the ratings it was fitted to and on the
    /// 5 % held out from the fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion: Option<complete::CompletionReport>,
}

/// A loaded data set: its full-size world and what the load did.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub world: World,
    pub report: LoadReport,
}

/// Reads `reader` line by line (`\n` or `\r\n`), calling `each(line_number, bytes)`
/// with the line's bytes without its end; stops at the first error, or at a line longer
/// than [`crate::limits::LINE_BYTES`] (so at most one such line is held). Reports
/// progress every 4 MB read. Returns the number of lines.
pub(crate) fn for_each_line<R: Read>(
    reader: R,
    file: &str,
    total: u64,
    progress: &mut dyn FnMut(LoadProgress),
    mut each: impl FnMut(usize, &[u8]) -> Result<(), DataError>,
) -> Result<u64, DataError> {
    let mut r = BufReader::with_capacity(1 << 20, capped::Capped::lines(reader));
    let mut buf = Vec::with_capacity(256);
    let (mut line, mut read, mut next_report) = (0usize, 0u64, 0u64);
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf).map_err(|e| {
            capped::as_data_error(file, &e).unwrap_or_else(|| bad(file, line + 1, format!("could not be read ({e})")))
        })?;
        if n == 0 {
            break;
        }
        line += 1;
        read += n as u64;
        let mut l: &[u8] = &buf;
        if let Some(s) = l.strip_suffix(b"\n") {
            l = s;
        }
        if let Some(s) = l.strip_suffix(b"\r") {
            l = s;
        }
        each(line, l)?;
        if read >= next_report {
            progress(LoadProgress {
                stage: format!("reading {file}"),
                done: read,
                total,
            });
            next_report = read + (4 << 20);
        }
    }
    progress(LoadProgress {
        stage: format!("reading {file}"),
        done: read,
        total: total.max(read),
    });
    Ok(line as u64)
}

/// A row past a limit on rows (src/limits.rs) was met at `line` of `file`.
pub(crate) fn too_many_rows(file: &str, line: usize, limit: usize, what: &str) -> DataError {
    bad(file, line, format!("more than the {} {what} this app keeps (the real data sets have far fewer)", crate::limits::thousands(limit as u64)))
}


/// A value as the error shows it: at most 24 characters, control bytes escaped.
pub(crate) fn shown(bytes: &[u8]) -> String {
    let s: String = String::from_utf8_lossy(bytes).chars().take(24).collect();
    s.escape_debug().to_string()
}

/// Parses a whole number field, naming the column on failure.
pub(crate) fn int_field<T: std::str::FromStr>(
    file: &str,
    line: usize,
    col: usize,
    name: &str,
    bytes: &[u8],
) -> Result<T, DataError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.trim().parse::<T>().ok())
        .ok_or_else(|| {
            bad(
                file,
                line,
                format!("column {col} ({name}): '{}' is not a whole number", shown(bytes)),
            )
        })
}

/// Rejects bytes that cannot be text in a single-byte or UTF-8 encoding (UTF-16 files
/// have NUL bytes; so do binaries).
pub(crate) fn check_text(file: &str, line: usize, bytes: &[u8]) -> Result<(), DataError> {
    if bytes.contains(&0) {
        return Err(bad(
            file,
            line,
            "has NUL bytes: the file is binary or UTF-16, not text (save it as UTF-8 or Latin-1)",
        ));
    }
    Ok(())
}

/// Opens a file of `source` or says it is missing.
pub(crate) fn open<'s>(
    source: &'s mut dyn Source,
    name: &str,
    expected: &str,
) -> Result<(Box<dyn Read + 's>, u64), DataError> {
    let (r, n) = source.open(name)?.ok_or_else(|| DataError::Missing {
        file: name.into(),
        expected: expected.into(),
    })?;
    // Refused before a byte is read when its size is known (it is counted as read, too).
    crate::limits::check_size(name, n, MAX_FILE_BYTES).map_err(|e| {
        let problem = e.to_string();
        DataError::Shape {
        file: name.into(),
        problem: problem.strip_prefix(name).unwrap_or(&problem).trim_start().to_string(),
        }
    })?;
    Ok((r, n))
}
