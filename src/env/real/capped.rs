//! A data file's bytes with its lines, its CSV records and its size capped as they are
//! read (src/limits.rs): a file without line ends, or with a quote left open, is refused
//! once a line passes the cap, naming the line, so a loader never holds more than one
//! capped line of it however big the file is.

use std::io::{self, Read};

use crate::limits::{human, DATA_FILE_BYTES, LINE_BYTES, RECORD_BYTES};

/// Why a data file was refused while it was read; carried inside an [`io::Error`] so it
/// passes through `BufRead` and the CSV reader, and turned back into a [`DataError`]
/// naming the file by [`as_data_error`].
///
/// [`DataError`]: super::DataError
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Overlong {
    #[error("longer than {} (a line of a data file is at most {}: is it the right file, with its line ends?)", human(LINE_BYTES as u64), human(LINE_BYTES as u64))]
    Line { line: u64 },
    #[error("starts a record longer than {} (a record of a data file is at most {}: is a quote left open?)", human(RECORD_BYTES as u64), human(RECORD_BYTES as u64))]
    Record { line: u64 },
    #[error("is larger than the {} a data file may be", human(DATA_FILE_BYTES))]
    File,
}

/// Where a CSV byte is, as far as record ends go (the `csv` crate's reading: a quote
/// opens a quoted field only at a field's start, `""` inside one is a quote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Csv {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closes the field, or a second one follows.
    QuoteInQuoted,
}

/// `inner` with every line at most [`LINE_BYTES`], every CSV record (when read as CSV)
/// at most [`RECORD_BYTES`], and the whole at most [`DATA_FILE_BYTES`]. The bytes up
/// to a cap are passed on, then every read fails with an [`Overlong`].
pub struct Capped<R> {
    inner: R,
    csv: Option<Csv>,
    /// The line being read (1-based), its bytes so far.
    line: u64,
    in_line: usize,
    /// The line the current record started on, its bytes so far.
    record_line: u64,
    in_record: usize,
    total: u64,
    failed: Option<Overlong>,
}

impl<R: Read> Capped<R> {
    /// Lines end at `\n` (MovieLens' `.dat` files, Coat's matrices).
    pub fn lines(inner: R) -> Self {
        Self::new(inner, None)
    }

    /// CSV as pandas writes it (KuaiRec): lines, and records that may span lines inside
    /// quotes.
    pub fn csv(inner: R) -> Self {
        Self::new(inner, Some(Csv::FieldStart))
    }

    fn new(inner: R, csv: Option<Csv>) -> Self {
        Capped { inner, csv, line: 1, in_line: 0, record_line: 1, in_record: 0, total: 0, failed: None }
    }

    /// How many of `bytes` fit before a cap; sets `failed` when one is passed.
    fn scan(&mut self, bytes: &[u8]) -> usize {
        for (k, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.in_line = 0;
            } else {
                self.in_line += 1;
                if self.in_line > LINE_BYTES {
                    self.failed = Some(Overlong::Line { line: self.line });
                    return k;
                }
            }
            if let Some(state) = self.csv {
                let (next, ends) = match (state, b) {
                    (Csv::Quoted, b'"') => (Csv::QuoteInQuoted, false),
                    (Csv::Quoted, _) => (Csv::Quoted, false),
                    (Csv::QuoteInQuoted, b'"') => (Csv::Quoted, false),
                    (Csv::FieldStart, b'"') => (Csv::Quoted, false),
                    (_, b',') => (Csv::FieldStart, false),
                    (_, b'\n' | b'\r') => (Csv::FieldStart, true),
                    _ => (Csv::Unquoted, false),
                };
                self.csv = Some(next);
                if ends {
                    self.in_record = 0;
                    self.record_line = self.line;
                } else {
                    self.in_record += 1;
                    if self.in_record > RECORD_BYTES {
                        self.failed = Some(Overlong::Record { line: self.record_line });
                        return k;
                    }
                }
            }
        }
        bytes.len()
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(io::Error::other(e.clone()));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > DATA_FILE_BYTES {
            self.failed = Some(Overlong::File);
            return Err(io::Error::other(Overlong::File));
        }
        let kept = self.scan(&buf[..n]);
        if kept == 0 && n > 0 {
            return Err(io::Error::other(self.failed.clone().expect("a cap was passed")));
        }
        Ok(kept)
    }
}

/// The [`Overlong`] inside `e`, as the loader's error naming `file` (and the line).
pub fn as_data_error(file: &str, e: &io::Error) -> Option<super::DataError> {
    let o = e.get_ref()?.downcast_ref::<Overlong>()?;
    Some(match o {
        Overlong::Line { line } | Overlong::Record { line } => super::bad(file, *line as usize, o.to_string()),
        Overlong::File => super::DataError::Shape { file: file.into(), problem: o.to_string() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mut r: impl Read) -> (Vec<u8>, Option<Overlong>) {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, e.get_ref().and_then(|i| i.downcast_ref::<Overlong>()).cloned()),
            }
        }
    }

    #[test]
    fn lines_up_to_the_cap_pass_and_the_first_longer_one_is_named() {
        let ok = format!("a\n{}\r\nb", "x".repeat(LINE_BYTES - 1));
        assert_eq!(read_all(Capped::lines(ok.as_bytes())), (ok.clone().into_bytes(), None));
        let long = format!("a\nb\n{}\nc", "x".repeat(LINE_BYTES + 1));
        let (got, e) = read_all(Capped::lines(long.as_bytes()));
        assert_eq!(e, Some(Overlong::Line { line: 3 }));
        assert_eq!(got.len(), 4 + LINE_BYTES, "nothing past the cap is passed on");
    }

    #[test]
    fn a_csv_record_is_capped_across_its_lines_and_quotes_are_read_as_csv_reads_them() {
        // Quoted line ends: one record of many short lines.
        let open = format!("id,feat\n1,\"{}", "12345\n".repeat(RECORD_BYTES / 6 + 1));
        assert_eq!(read_all(Capped::csv(open.as_bytes())).1, Some(Overlong::Record { line: 2 }));
        // Closed quotes, doubled quotes and a quote inside an unquoted field end nothing.
        let fine = "id,feat\n1,\"[27, 9]\"\n2,\"a \"\"b\"\"\"\n3,x\"y\n".repeat(RECORD_BYTES / 20);
        assert_eq!(read_all(Capped::csv(fine.as_bytes())).1, None);
        // As lines, the same text is fine: no record cap.
        assert_eq!(read_all(Capped::lines(open.as_bytes())).1, None);
    }
}
