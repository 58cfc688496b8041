//! Data files made to exhaust memory are refused while they are read, naming the file
//! and the line, with memory bounded (src/limits.rs, src/env/real/capped.rs): a 300 MB
//! line without a line end, a CSV record left open for 300 MB, a zip entry declaring
//! 1 KB that inflates to 300 MB, and more rows than a log or a table may have. In the
//! library the peak of live bytes is measured by a counting allocator, through the CLI
//! the child's peak resident memory (VmHWM). The allocator's counter is process-wide,
//! so the tests take turns.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Mutex;

use ialp::env::real::generate::{self, MemSink, Size};
use ialp::env::real::{self, DataError, Source, ZipSource};
use ialp::env::Preset;

#[path = "common/counting.rs"]
mod counting;
use counting::{LIVE, PEAK};

#[global_allocator]
static COUNTING: counting::Counting = counting::Counting;

/// One test at a time: the counter is process-wide.
static TURN: Mutex<()> = Mutex::new(());

const MB: u64 = 1 << 20;
/// The size of every oversized line, record and entry.
const HUGE: u64 = 300 * MB;
/// What a refused load may hold above what was live before it.
const BOUND: usize = 64 << 20;

/// Runs `f`; returns its value and the peak of live bytes above the start.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed).saturating_sub(base))
}

/// Generated files in memory, and one file streamed from `make` (never held whole).
struct Streamed {
    files: Vec<(String, Vec<u8>)>,
    name: &'static str,
    len: u64,
    make: Make,
}

/// Opens a streamed file afresh.
type Make = Box<dyn Fn() -> Box<dyn Read>>;

impl Source for Streamed {
    fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = self.files.iter().map(|(p, _)| real::source::base_name(p).to_string()).collect();
        n.push(self.name.into());
        n
    }
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError> {
        if name == self.name {
            return Ok(Some(((self.make)(), self.len)));
        }
        Ok(self
            .files
            .iter()
            .find(|(p, _)| real::source::base_name(p) == name)
            .map(|(_, b)| (Box::new(&b[..]) as Box<dyn Read>, b.len() as u64)))
    }
}

fn generated(preset: Preset) -> Vec<(String, Vec<u8>)> {
    let mut sink = MemSink::default();
    generate::write(preset, Size::Scale(0.03), 7, &mut sink).unwrap();
    sink.0
}

/// `head`, then `HUGE` bytes of `fill` repeated, without a line end.
fn head_then(head: &'static str, fill: &'static [u8]) -> Make {
    Box::new(move || Box::new(Cursor::new(head.as_bytes()).chain(Repeat { fill, left: HUGE, at: 0 })))
}

/// `fill` repeated for `left` bytes.
struct Repeat {
    fill: &'static [u8],
    left: u64,
    at: usize,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.left) as usize;
        for b in &mut buf[..n] {
            *b = self.fill[self.at];
            self.at = (self.at + 1) % self.fill.len();
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn refused(preset: Preset, source: &mut dyn Source) -> (String, usize) {
    let (r, peak) = measured(|| real::load(preset, source, &mut |_| {}).map(|_| ()));
    (r.expect_err("an oversized file must be refused").to_string(), peak)
}

#[test]
fn a_300_mb_line_or_record_is_refused_naming_the_file_and_line_in_bounded_memory() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let line = "longer than 64 KB (a line of a data file is at most 64 KB: is it the right file, with its line ends?)";
    let cases: [(Preset, &'static str, Make, String); 3] = [
        (Preset::MovieLens, "users.dat", head_then("1::M::1::10::48067\n", b"a"), format!("users.dat, line 2: {line}")),
        (Preset::KuaiRec, "small_matrix.csv", head_then("user_id,video_id,video_duration,watch_ratio\n", b"a"), format!("small_matrix.csv, line 2: {line}")),
        // Short lines inside a quote that is never closed: one record of 300 MB.
        (
            Preset::KuaiRec,
            "item_categories.csv",
            head_then("video_id,feat\n0,\"[1]\"\n1,\"[2,\n", b"3,\n"),
            "item_categories.csv, line 3: starts a record longer than 256 KB (a record of a data file is at most 256 KB: is a quote left open?)".into(),
        ),
    ];
    for (preset, name, make, want) in cases {
        let files = generated(preset).into_iter().filter(|(p, _)| real::source::base_name(p) != name).collect();
        let mut source = Streamed { files, name, len: HUGE, make };
        let (e, peak) = refused(preset, &mut source);
        eprintln!("{name}: refused holding at most {:.1} MB", peak as f64 / 1e6);
        assert_eq!(e, want);
        assert!(peak < BOUND, "{name}: {peak} bytes held");
    }
}

/// A zip archive in memory whose `ml-1m/users.dat` inflates to `HUGE` bytes of `a` but
/// declares 1,000 (in its local header and in the central directory).
fn zip_bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("ml-1m/users.dat", opts).unwrap();
    let chunk = vec![b'a'; MB as usize];
    for _ in 0..HUGE / MB {
        w.write_all(&chunk).unwrap();
    }
    let mut bytes = w.finish().unwrap().into_inner();
    let le32 = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    assert_eq!(le32(&bytes, 0), 0x0403_4b50, "a local header first");
    assert_eq!(le32(&bytes, 22) as u64, HUGE, "a 32-bit size, no zip64");
    bytes[22..26].copy_from_slice(&1000u32.to_le_bytes());
    let end = (0..bytes.len() - 21).rev().find(|&k| le32(&bytes, k) == 0x0605_4b50).expect("the end record");
    let central = le32(&bytes, end + 16) as usize;
    assert_eq!(le32(&bytes, central), 0x0201_4b50);
    bytes[central + 24..central + 28].copy_from_slice(&1000u32.to_le_bytes());
    bytes
}

#[test]
fn a_zip_entry_inflating_past_its_declared_size_is_refused_naming_it_in_bounded_memory() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let bomb = zip_bomb();
    assert!(bomb.len() < 4 << 20, "{} bytes compressed", bomb.len());
    let mut source = ZipSource::new("ml-1m.zip", Cursor::new(&bomb[..])).unwrap();
    let (e, peak) = refused(Preset::MovieLens, &mut source);
    eprintln!("zip entry: refused holding at most {:.1} MB", peak as f64 / 1e6);
    assert!(e.starts_with("users.dat, line 1: could not be read ("), "{e}");
    assert!(e.contains("larger than its declared"), "{e}");
    assert!(peak < BOUND, "{peak} bytes held");
}

#[test]
fn more_rows_than_a_log_or_a_table_may_have_are_refused_naming_the_line() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    use ialp::limits::{LOG_ROWS, TABLE_ROWS};
    // The log: KuaiRec's big matrix with one row of the world repeated past the cap.
    let files = generated(Preset::KuaiRec);
    let small = &files.iter().find(|(p, _)| p.ends_with("small_matrix.csv")).unwrap().1;
    let first = std::str::from_utf8(small).unwrap().lines().nth(1).unwrap();
    let pair: Vec<&str> = first.split(',').take(2).collect();
    let row: &'static str = Box::leak(format!("{},{},1.0\n", pair[0], pair[1]).into_boxed_str());
    let rows = LOG_ROWS as u64 + 1;
    let files: Vec<_> = files.into_iter().filter(|(p, _)| !p.ends_with("big_matrix.csv")).collect();
    let mut source = Streamed {
        files,
        name: "big_matrix.csv",
        len: rows * row.len() as u64,
        make: Box::new(move || Box::new(Cursor::new("user_id,video_id,watch_ratio\n").chain(Repeat { fill: row.as_bytes(), left: rows * row.len() as u64, at: 0 }))),
    };
    let e = real::load(Preset::KuaiRec, &mut source, &mut |_| {}).map(|_| ()).unwrap_err().to_string();
    assert_eq!(e, format!("big_matrix.csv, line {}: more than the 25,000,000 log rows this app keeps (the real data sets have far fewer)", LOG_ROWS + 2));
    // A table: users.dat with a user more than the cap.
    let files: Vec<_> = generated(Preset::MovieLens).into_iter().filter(|(p, _)| !p.ends_with("users.dat")).collect();
    let users: Vec<u8> = (1..=TABLE_ROWS + 1).flat_map(|k| format!("{k}::M::1::10::48067\n").into_bytes()).collect();
    let users: &'static [u8] = Box::leak(users.into_boxed_slice());
    let mut source = Streamed { files, name: "users.dat", len: users.len() as u64, make: Box::new(move || Box::new(users)) };
    let e = real::load(Preset::MovieLens, &mut source, &mut |_| {}).map(|_| ()).unwrap_err().to_string();
    assert_eq!(e, format!("users.dat, line {}: more than the 1,000,000 users this app keeps (the real data sets have far fewer)", TABLE_ROWS + 1));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ialp-oversized-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `ialp args`; returns its exit code, stderr and peak resident memory (VmHWM,
/// read from /proc while it runs; bytes).
fn ialp_peak(args: &[&str]) -> (Option<i32>, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ialp"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    let mut peak = 0u64;
    let code = loop {
        // VmHWM only grows, so the last value read before the end is the peak so far.
        if let Some(kb) = std::fs::read_to_string(&status)
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>())))
            .and_then(Result::ok)
        {
            peak = peak.max(kb * 1024);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    (code, reader.join().unwrap(), peak)
}

/// A file of `head` and then `HUGE` bytes of `a`, without a line end, written in chunks.
fn write_long_line(path: &Path, head: &str) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'a'; MB as usize];
    for _ in 0..HUGE / MB {
        f.write_all(&chunk).unwrap();
    }
    f.flush().unwrap();
}

#[test]
fn the_cli_refuses_a_300_mb_line_and_a_zip_bomb_naming_the_file_in_bounded_memory() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = scratch("cli");
    write_long_line(&dir.join("users.dat"), "1::M::1::10::48067\n");
    for f in ["movies.dat", "ratings.dat"] {
        std::fs::write(dir.join(f), "").unwrap();
    }
    let (code, err, peak) = ialp_peak(&["world", "--env", "movielens", "--real-dir", dir.to_str().unwrap()]);
    std::fs::remove_file(dir.join("users.dat")).unwrap();
    eprintln!("ialp world, a 300 MB line: peak resident {:.1} MB", peak as f64 / 1e6);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("users.dat, line 2: longer than 64 KB"), "{err}");
    assert!(peak > 0 && peak < BOUND as u64, "VmHWM {peak} bytes");

    let zip = dir.join("ml-1m.zip");
    std::fs::write(&zip, zip_bomb()).unwrap();
    let (code, err, peak) = ialp_peak(&["world", "--env", "movielens", "--real-dir", zip.to_str().unwrap()]);
    eprintln!("ialp world, a zip entry inflating to 300 MB: peak resident {:.1} MB", peak as f64 / 1e6);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("users.dat, line 1: could not be read (") && err.contains("larger than its declared"), "{err}");
    assert!(peak > 0 && peak < BOUND as u64, "VmHWM {peak} bytes");
    std::fs::remove_dir_all(&dir).unwrap();
}
