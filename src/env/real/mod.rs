//! Real data sets as distributed: Coat, MovieLens-1M and KuaiRec 2.0 (METHOD.md §2).
//!
//! A data set is read from a [`Source`]: named files that can be opened as byte streams
//! (a folder, a zip archive, files the page was given, or bytes in memory). The big
//! files are *streamed*: a loader holds one line at a time, never a whole file's text,
//! and reports how many bytes it has read so a page can show a progress bar. Every
//! error names the file, the line and, where it is about one value, the column; a
//! failed load returns an error and changes nothing.
//!
//! A loaded data set is one full-size [`World`]; [`subsample`] cuts a seeded,
//! browser-sized world out of it (`env.scale` < 1), so the full data is parsed once and
//! every run's world is a cheap cut.

pub mod capped;
pub mod complete;
pub mod generate;
pub mod kuairec;
pub mod movielens;
pub mod source;

use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Serialize};

pub use super::coat::DataError;
use super::world::{Rating, RatingMatrix, World, WorldSource};
use super::Preset;
use crate::rng::{self, Stream};
pub use source::{MemSource, Source, ZipSource};
#[cfg(not(target_arch = "wasm32"))]
pub use source::DirSource;

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

/// Loads the data set of `preset` from `source`.
pub fn load(
    preset: Preset,
    source: &mut dyn Source,
    progress: OnProgress,
) -> Result<Loaded, DataError> {
    match preset {
        Preset::Coat => {
            let files = super::coat::CoatFiles::from_source(source)?;
            let world = files.load()?;
            let report = LoadReport {
                files: super::coat::CoatFile::ALL
                    .iter()
                    .map(|f| (f.file_name().to_string(), 0))
                    .collect(),
                ..LoadReport::default()
            };
            Ok(Loaded { world, report })
        }
        Preset::MovieLens => movielens::load(source, progress),
        Preset::KuaiRec => kuairec::load(source, progress),
    }
}

/// The file names a data set is read from, required first.
pub fn expected_files(preset: Preset) -> &'static [&'static str] {
    match preset {
        Preset::Coat => &[
            "train.ascii",
            "test.ascii",
            "pseudo_gt_rating_matrix.ascii",
            "user_features.ascii",
            "item_features.ascii",
        ],
        Preset::MovieLens => &movielens::FILES,
        Preset::KuaiRec => &kuairec::FILES,
    }
}

/// Where to get each data set (README, the page's loader).
pub fn where_to_get(preset: Preset) -> &'static str {
    match preset {
        Preset::Coat => "https://www.cs.cornell.edu/~schnabts/mnar/ (coat.zip)",
        Preset::MovieLens => "https://grouplens.org/datasets/movielens/1m/ (ml-1m.zip)",
        Preset::KuaiRec => "https://kuairec.com/ (KuaiRec.zip, version 2.0)",
    }
}

/// How a world was cut out of a bigger one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Subsample {
    pub seed: u64,
    pub scale: f64,
}

/// A seeded cut of `world`: `round(scale × users)` users and `round(scale × items)`
/// items drawn without replacement (kept in their original order), the truth, log and
/// held-out ratings restricted to them. `scale` ≥ 1 returns the world unchanged.
pub fn subsample(world: &World, sub: Subsample) -> World {
    if sub.scale >= 1.0 {
        return world.clone();
    }
    let pick = |n: usize, offset: u64| -> Vec<usize> {
        let k = ((n as f64 * sub.scale).round() as usize).clamp(10.min(n), n);
        let mut rng = rng::stream(sub.seed, Stream::World, 1000 + offset);
        let mut idx: Vec<usize> = (0..n).collect();
        // Partial Fisher–Yates: the first k are a uniform sample.
        for j in 0..k {
            let r = j + rng::index(&mut rng, n - j);
            idx.swap(j, r);
        }
        let mut chosen = idx[..k].to_vec();
        chosen.sort_unstable();
        chosen
    };
    let users = pick(world.n_users(), 0);
    let items = pick(world.n_items(), 1);
    let mut user_at = vec![u32::MAX; world.n_users()];
    for (k, u) in users.iter().enumerate() {
        user_at[*u] = k as u32;
    }
    let mut item_at = vec![u32::MAX; world.n_items()];
    for (k, i) in items.iter().enumerate() {
        item_at[*i] = k as u32;
    }
    let keep = |rs: &[Rating]| -> Vec<Rating> {
        rs.iter()
            .filter_map(|r| {
                let (u, i) = (user_at[r.user as usize], item_at[r.item as usize]);
                (u != u32::MAX && i != u32::MAX).then_some(Rating {
                    user: u,
                    item: i,
                    value: r.value,
                })
            })
            .collect()
    };
    let mut data = Vec::with_capacity(users.len() * items.len());
    for &u in &users {
        let row = world.truth.row(u);
        data.extend(items.iter().map(|&i| row[i]));
    }
    World {
        preset: world.preset,
        source: match &world.source {
            WorldSource::Real { preset, .. } => WorldSource::Real {
                preset: *preset,
                subsample: Some(sub),
            },
            WorldSource::RealCoat => WorldSource::Real {
                preset: Preset::Coat,
                subsample: Some(sub),
            },
            other => other.clone(),
        },
        user_fields: world.user_fields.clone(),
        item_fields: world.item_fields.clone(),
        users: users.iter().map(|&u| world.users[u].clone()).collect(),
        items: items.iter().map(|&i| world.items[i].clone()).collect(),
        tag_field: world.tag_field,
        truth: RatingMatrix::new(users.len(), items.len(), data).expect("shape of the cut"),
        log: keep(&world.log),
        held_out: keep(&world.held_out),
        reward: world.reward,
    }
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

/// A malformed-line error.
pub(crate) fn bad(file: &str, line: usize, problem: impl Into<String>) -> DataError {
    DataError::Malformed {
        file: file.into(),
        line,
        problem: problem.into(),
    }
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
    crate::limits::check_size(name, n, MAX_FILE_BYTES).map_err(|problem| DataError::Shape {
        file: name.into(),
        problem: problem.strip_prefix(name).unwrap_or(&problem).trim_start().to_string(),
    })?;
    Ok((r, n))
}

/// The digest of a world: SHA-256 over its users, items, truth and log, so the page
/// and the CLI can show they loaded the same data.
pub fn world_digest(world: &World) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(format!("{:?}|{}x{}|", world.preset, world.n_users(), world.n_items()));
    for u in &world.users {
        h.update(format!("{:?};", u.attrs));
    }
    for i in &world.items {
        h.update(format!("{}|{:?}|{:?}|{};", i.title, i.attrs, i.tags, i.category));
    }
    for u in 0..world.n_users() {
        for v in world.truth.row(u) {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    for set in [&world.log, &world.held_out] {
        h.update((set.len() as u64).to_le_bytes());
        for r in set {
            h.update(r.user.to_le_bytes());
            h.update(r.item.to_le_bytes());
            h.update(r.value.to_bits().to_le_bytes());
        }
    }
    let d = h.finalize();
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
