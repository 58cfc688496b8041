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
    /// Line `line` passed [`LINE_BYTES`].
    #[error("longer than {} (a line of a data file is at most {}: is it the right file, with its line ends?)", human(LINE_BYTES as u64), human(LINE_BYTES as u64))]
    Line { line: u64 },
    /// The CSV record starting on line `line` passed [`RECORD_BYTES`].
    #[error("starts a record longer than {} (a record of a data file is at most {}: is a quote left open?)", human(RECORD_BYTES as u64), human(RECORD_BYTES as u64))]
    Record { line: u64 },
    /// The file passed [`DATA_FILE_BYTES`].
    #[error("is larger than the {} a data file may be", human(DATA_FILE_BYTES))]
    File,
}

// Where a CSV byte is, as far as record ends go (the `csv` crate's reading: a quote opens
// a quoted field only at a field's start, `""` inside one is a quote).
const FIELD_START: u8 = 0;
const UNQUOTED: u8 = 1;
const QUOTED: u8 = 2;
/// A quote inside a quoted field: it closes the field, or a second one follows.
const QUOTE_IN_QUOTED: u8 = 3;
/// Flags of a [`CSV_STEP`] entry beside the next state (its low two bits).
const ENDS_RECORD: u8 = 4;
const ENDS_LINE: u8 = 8;

/// The next state and flags for every state and byte, for reads with a quote in them
/// (the others need only their line ends: see `scan_unquoted`).
static CSV_STEP: [[u8; 256]; 4] = csv_step();

const fn csv_step() -> [[u8; 256]; 4] {
    let mut t = [[0u8; 256]; 4];
    let mut s = 0;
    while s < 4 {
        let mut b = 0;
        while b < 256 {
            let byte = b as u8;
            let (next, ends) = match (s as u8, byte) {
                (QUOTED, b'"') => (QUOTE_IN_QUOTED, false),
                (QUOTED, _) => (QUOTED, false),
                (QUOTE_IN_QUOTED, b'"') => (QUOTED, false),
                (FIELD_START, b'"') => (QUOTED, false),
                (_, b',') => (FIELD_START, false),
                (_, b'\n' | b'\r') => (FIELD_START, true),
                _ => (UNQUOTED, false),
            };
            let line = if byte == b'\n' { ENDS_LINE } else { 0 };
            t[s][b] = next | if ends { ENDS_RECORD } else { 0 } | line;
            b += 1;
        }
        s += 1;
    }
    t
}

/// `inner` with every line at most [`LINE_BYTES`], every CSV record (when read as CSV)
/// at most [`RECORD_BYTES`], and the whole at most [`DATA_FILE_BYTES`]. The bytes up
/// to a cap are passed on, then every read fails with an [`Overlong`].
pub struct Capped<R> {
    inner: R,
    /// The CSV state, `None` when lines are read as lines.
    csv: Option<u8>,
    line_cap: u64,
    record_cap: u64,
    /// The line being read (1-based) and the offset where it started.
    line: u64,
    line_start: u64,
    /// The line the current record started on, and its offset.
    record_line: u64,
    record_start: u64,
    /// Bytes read so far.
    total: u64,
    failed: Option<Overlong>,
}

impl<R: Read> Capped<R> {
    /// Lines end at `\n` (MovieLens' `.dat` files, Coat's matrices).
    pub fn lines(inner: R) -> Self {
        Self::new(inner, None, LINE_BYTES, RECORD_BYTES)
    }

    /// CSV as pandas writes it (KuaiRec): lines, and records that may span lines inside
    /// quotes.
    pub fn csv(inner: R) -> Self {
        Self::new(inner, Some(FIELD_START), LINE_BYTES, RECORD_BYTES)
    }

    fn new(inner: R, csv: Option<u8>, line_cap: usize, record_cap: usize) -> Self {
        let (line_cap, record_cap) = (line_cap as u64, record_cap as u64);
        Capped { inner, csv, line_cap, record_cap, line: 1, line_start: 0, record_line: 1, record_start: 0, total: 0, failed: None }
    }

    /// The first offset past a cap of the line and the record open at offset `at`, if
    /// either is over (both are checked at every line or record end and at the end of
    /// every read, so none is missed).
    fn over(&self, at: u64) -> Option<(u64, Overlong)> {
        let line = (at - self.line_start > self.line_cap).then(|| (self.line_start + self.line_cap, Overlong::Line { line: self.line }));
        let record = (self.csv.is_some() && at - self.record_start > self.record_cap)
            .then(|| (self.record_start + self.record_cap, Overlong::Record { line: self.record_line }));
        match (line, record) {
            (Some(l), Some(r)) => Some(if r.0 < l.0 { r } else { l }),
            (l, r) => l.or(r),
        }
    }

    /// How many of `bytes` (read from offset `base`) fit before a cap; sets `failed`
    /// when one is passed.
    fn scan(&mut self, base: u64, bytes: &[u8]) -> usize {
        let end = base + bytes.len() as u64;
        let cut = match self.csv {
            None => self.scan_lines(base, bytes),
            Some(state) => self.scan_csv(base, bytes, state),
        }
        .or_else(|| self.over(end));
        match cut {
            Some((at, why)) => {
                self.failed = Some(why);
                (at - base) as usize
            }
            None => bytes.len(),
        }
    }

    fn scan_lines(&mut self, base: u64, bytes: &[u8]) -> Option<(u64, Overlong)> {
        let mut k = 0;
        while let Some(p) = bytes[k..].iter().position(|&b| b == b'\n') {
            let at = base + (k + p) as u64;
            if let Some(cut) = self.over(at) {
                return Some(cut);
            }
            self.line += 1;
            self.line_start = at + 1;
            k += p + 1;
        }
        None
    }

    fn scan_csv(&mut self, base: u64, bytes: &[u8], mut state: u8) -> Option<(u64, Overlong)> {
        // Most reads have no quote (KuaiRec's big matrix has none): then every `\n` and
        // `\r` ends a record, found without stepping byte by byte.
        if state != QUOTED && state != QUOTE_IN_QUOTED && !bytes.contains(&b'"') {
            return self.scan_unquoted(base, bytes);
        }
        for (k, &b) in bytes.iter().enumerate() {
            let step = CSV_STEP[state as usize][b as usize];
            state = step & 3;
            if step & (ENDS_LINE | ENDS_RECORD) != 0 {
                let at = base + k as u64;
                if let Some(cut) = self.over(at) {
                    return Some(cut);
                }
                if step & ENDS_LINE != 0 {
                    self.line += 1;
                    self.line_start = at + 1;
                }
                if step & ENDS_RECORD != 0 {
                    self.record_line = self.line;
                    self.record_start = at + 1;
                }
            }
        }
        self.csv = Some(state);
        None
    }

    fn scan_unquoted(&mut self, base: u64, bytes: &[u8]) -> Option<(u64, Overlong)> {
        let mut k = 0;
        while let Some(p) = bytes[k..].iter().position(|&b| b == b'\n' || b == b'\r') {
            let at = base + (k + p) as u64;
            if let Some(cut) = self.over(at) {
                return Some(cut);
            }
            if bytes[k + p] == b'\n' {
                self.line += 1;
                self.line_start = at + 1;
            }
            self.record_line = self.line;
            self.record_start = at + 1;
            k += p + 1;
        }
        if let Some(&last) = bytes.last() {
            self.csv = Some(if matches!(last, b',' | b'\n' | b'\r') { FIELD_START } else { UNQUOTED });
        }
        None
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(io::Error::other(e.clone()));
        }
        let n = self.inner.read(buf)?;
        let base = self.total;
        self.total += n as u64;
        if self.total > DATA_FILE_BYTES {
            self.failed = Some(Overlong::File);
            return Err(io::Error::other(Overlong::File));
        }
        let kept = self.scan(base, &buf[..n]);
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
        Overlong::Line { line } | Overlong::Record { line } => super::error::bad(file, *line as usize, o.to_string()),
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

    /// The rule byte by byte, as simply as it can be written.
    fn reference(bytes: &[u8], csv: bool, line_cap: usize, record_cap: usize) -> (Vec<u8>, Option<Overlong>) {
        let (mut line, mut in_line, mut record_line, mut in_record, mut state) = (1u64, 0, 1u64, 0, FIELD_START);
        for (k, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                line += 1;
                in_line = 0;
            } else {
                in_line += 1;
                if in_line > line_cap {
                    return (bytes[..k].to_vec(), Some(Overlong::Line { line }));
                }
            }
            if csv {
                let (next, ends) = match (state, b) {
                    (QUOTED, b'"') => (QUOTE_IN_QUOTED, false),
                    (QUOTED, _) => (QUOTED, false),
                    (QUOTE_IN_QUOTED, b'"') => (QUOTED, false),
                    (FIELD_START, b'"') => (QUOTED, false),
                    (_, b',') => (FIELD_START, false),
                    (_, b'\n' | b'\r') => (FIELD_START, true),
                    _ => (UNQUOTED, false),
                };
                state = next;
                if ends {
                    in_record = 0;
                    record_line = line;
                } else {
                    in_record += 1;
                    if in_record > record_cap {
                        return (bytes[..k].to_vec(), Some(Overlong::Record { line: record_line }));
                    }
                }
            }
        }
        (bytes.to_vec(), None)
    }

    /// Hands out `bytes` in pieces of the given sizes, in turn.
    struct Pieces<'a> {
        bytes: &'a [u8],
        sizes: Vec<usize>,
        turn: usize,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.sizes[self.turn % self.sizes.len()].min(buf.len()).min(self.bytes.len());
            self.turn += 1;
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn the_scan_cuts_where_the_byte_by_byte_rule_does_whatever_the_reads() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..20_000 {
            let len = next(120) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| b"aa,\"\n\r"[next(6) as usize]).collect();
            let csv = next(2) == 0;
            let (line_cap, record_cap) = (1 + next(12) as usize, 1 + next(40) as usize);
            let sizes: Vec<usize> = (0..3).map(|_| 1 + next(30) as usize).collect();
            let pieces = Pieces { bytes: &bytes, sizes, turn: 0 };
            let r = Capped::new(pieces, csv.then_some(FIELD_START), line_cap, record_cap);
            assert_eq!(read_all(r), reference(&bytes, csv, line_cap, record_cap), "{:?} csv {csv} caps {line_cap} {record_cap}", String::from_utf8_lossy(&bytes));
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
