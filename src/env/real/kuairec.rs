//! KuaiRec 2.0 as distributed (`KuaiRec.zip`, folder `KuaiRec 2.0/data/`):
//! `small_matrix.csv` (1,411 users × 3,327 videos, 99.6 % observed) is the ground
//! truth, `big_matrix.csv` (12.5 M rows) the log, `item_categories.csv` the videos'
//! tags (`feat`, a list such as `"[27, 9]"`), `user_features.csv` the users'
//! activity and follower counts. `watch_ratio` is clipped to [0, 5]. Every file is
//! streamed as CSV (quoted fields as pandas writes them); only the rows kept are held.

use std::collections::HashMap;
use std::io::Read;

use super::capped::{as_data_error, Capped};
use super::error::bad;
use super::read::{open, shown, too_many_rows, LoadReport, Loaded, OnProgress};
use crate::limits::LOG_ROWS;
use super::error::DataError;
use super::read::LoadProgress;
use super::source::Source;
use crate::env::vocab::{FieldSpec, KUAIREC_ITEM, KUAIREC_TAGS, KUAIREC_USER};
use crate::env::world::{Item, Rating, RatingMatrix, RewardScale, User, World, WorldSource};
use crate::env::Preset;
use crate::rng::{self, Stream};

pub const SMALL: &str = "small_matrix.csv";
pub const BIG: &str = "big_matrix.csv";
pub const CATEGORIES: &str = "item_categories.csv";
pub const USER_FEATURES: &str = "user_features.csv";
pub const FILES: [&str; 4] = [SMALL, BIG, CATEGORIES, USER_FEATURES];

/// The columns of both matrices.
pub const MATRIX_HEADER: [&str; 8] = [
    "user_id", "video_id", "play_duration", "video_duration", "time", "date", "timestamp", "watch_ratio",
];

/// Largest users × videos of the ground truth (the full small matrix is 4.7 M).
pub const MAX_ENTRIES: usize = 30_000_000;

/// Rows of the small matrix held per allocation while it is read.
const ROW_CHUNK: usize = 1 << 20;

/// Small-matrix entries held out as the unbiased check of the user model (like Coat's
/// random-exposure `test.ascii`; they stay in the truth).
pub const HELD_OUT: usize = 10_000;

/// Upper bounds of the "duration" field's values, in ms (the last is open).
pub const DURATION_BOUNDS_MS: [f64; 4] = [15_000.0, 30_000.0, 60_000.0, 180_000.0];

/// Upper bounds of the "followers" field's values (the last is open).
pub const FOLLOWER_BOUNDS: [f64; 3] = [10.0, 100.0, 1000.0];

/// `user_active_degree` values, in the order of the "activity" field.
pub const ACTIVITY: [&str; 4] = ["low_active", "middle_active", "high_active", "full_active"];

fn bucket(x: f64, bounds: &[f64]) -> u16 {
    bounds.iter().position(|b| x < *b).unwrap_or(bounds.len()) as u16
}

/// A streamed CSV file with named columns, its lines and records capped.
struct Csv<'r> {
    file: &'static str,
    reader: csv::Reader<Capped<Box<dyn Read + 'r>>>,
    total: u64,
    record: csv::ByteRecord,
    next_report: u64,
}

impl<'r> Csv<'r> {
    fn new(file: &'static str, r: Box<dyn Read + 'r>, total: u64) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .buffer_capacity(1 << 20)
            .from_reader(Capped::csv(r));
        Csv { file, reader, total, record: csv::ByteRecord::new(), next_report: 0 }
    }

    fn error(&self, e: csv::Error) -> DataError {
        if let Some(capped) = match e.kind() {
            csv::ErrorKind::Io(io) => as_data_error(self.file, io),
            _ => None,
        } {
            return capped;
        }
        let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
        let problem = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("has {len} fields, expected {expected_len} (a truncated or edited line?)")
            }
            csv::ErrorKind::Io(io) => format!("could not be read ({io})"),
            _ => e.to_string(),
        };
        if line == 0 {
            DataError::Shape { file: self.file.into(), problem }
        } else {
            bad(self.file, line, problem)
        }
    }

    /// Reads the header line and returns the index of each of `wanted`.
    fn header(&mut self, wanted: &[&str]) -> Result<Vec<usize>, DataError> {
        let more = self.reader.read_byte_record(&mut self.record).map_err(|e| self.error(e))?;
        if !more {
            return Err(DataError::Shape { file: self.file.into(), problem: "is empty: expected a header line and rows".into() });
        }
        let names: Vec<String> = self.record.iter().map(|f| String::from_utf8_lossy(f).trim_start_matches('\u{feff}').to_string()).collect();
        let mut at = Vec::new();
        for w in wanted {
            match names.iter().position(|n| n == w) {
                Some(k) => at.push(k),
                None => {
                    let raw = names.join(",");
                    let hint = if names.len() == 1 && (raw.contains(';') || raw.contains('\t')) {
                        " (the file seems separated by ';' or tabs, not commas)"
                    } else {
                        ""
                    };
                    return Err(bad(self.file, 1, format!("the header has no '{w}' column{hint}: expected {}, found '{}'", wanted.join(","), shown(raw.as_bytes()))));
                }
            }
        }
        Ok(at)
    }

    /// The next row, or `None` at the end; reports progress every 8 MB.
    fn next(&mut self, progress: &mut dyn FnMut(LoadProgress)) -> Result<Option<usize>, DataError> {
        let more = self.reader.read_byte_record(&mut self.record).map_err(|e| self.error(e))?;
        let byte = self.reader.position().byte();
        if !more || byte >= self.next_report {
            progress(LoadProgress { stage: format!("reading {}", self.file), done: byte, total: self.total.max(byte) });
            self.next_report = byte + (8 << 20);
        }
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map(|p| p.line() as usize).unwrap_or(0);
        Ok(Some(line))
    }

    fn field(&self, k: usize) -> &[u8] {
        self.record.get(k).unwrap_or(b"")
    }

    fn int(&self, line: usize, k: usize, name: &str) -> Result<u32, DataError> {
        let b = self.field(k);
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| {
                let s = s.trim();
                s.parse::<u32>().ok().or_else(|| s.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 4e9).map(|f| f as u32))
            })
            .ok_or_else(|| bad(self.file, line, format!("column {} ({name}): '{}' is not a whole number ≥ 0", k + 1, shown(b))))
    }

    /// A number, or `None` for an empty field (pandas writes NaN as nothing).
    fn num(&self, line: usize, k: usize, name: &str) -> Result<Option<f64>, DataError> {
        let b = self.field(k);
        if b.is_empty() {
            return Ok(None);
        }
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|v| !v.is_infinite())
            .map(|v| (!v.is_nan()).then_some(v))
            .ok_or_else(|| bad(self.file, line, format!("column {} ({name}): '{}' is not a number", k + 1, shown(b))))
    }
}

/// A video's tags from `feat`: `[8]`, `[27, 9]`.
fn parse_feat(file: &str, line: usize, col: usize, b: &[u8]) -> Result<Vec<u16>, DataError> {
    let s = std::str::from_utf8(b).map_err(|_| bad(file, line, format!("column {col} (feat): not text")))?.trim();
    let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).ok_or_else(|| {
        bad(file, line, format!("column {col} (feat): '{}' is not a list such as [8] or \"[27, 9]\"", shown(b)))
    })?;
    let mut tags = Vec::new();
    for t in inner.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let v: usize = t.parse().map_err(|_| bad(file, line, format!("column {col} (feat): '{}' is not a category number", shown(t.as_bytes()))))?;
        if v >= KUAIREC_TAGS.len() {
            return Err(bad(file, line, format!("column {col} (feat): category {v} is outside 0-{}", KUAIREC_TAGS.len() - 1)));
        }
        if !tags.contains(&(v as u16)) {
            tags.push(v as u16);
        }
    }
    Ok(tags)
}

/// Loads KuaiRec 2.0 from `source`.
pub fn load(source: &mut dyn Source, progress: OnProgress) -> Result<Loaded, DataError> {
    let mut report = LoadReport::default();
    let mut notes = Vec::new();

    // 1. The small matrix: the world's users, videos and truth.
    let (r, n) = open(source, SMALL, "the fully observed matrix: a header user_id,video_id,...,watch_ratio and one row per pair")?;
    let mut csv = Csv::new(SMALL, r, n);
    let c = csv.header(&["user_id", "video_id", "video_duration", "watch_ratio"])?;
    // In chunks of a million rows: a vector doubling past the full matrix's 4.7 M rows
    // would hold 50 + 100 MB at once.
    let mut rows: Vec<Vec<(u32, u32, f32)>> = Vec::new();
    let mut duration: HashMap<u32, f64> = HashMap::new();
    let (mut clipped, mut empty, mut lines) = (0u64, 0u64, 0u64);
    while let Some(line) = csv.next(progress)? {
        lines += 1;
        let u = csv.int(line, c[0], "user_id")?;
        let v = csv.int(line, c[1], "video_id")?;
        if let Some(d) = csv.num(line, c[2], "video_duration")? {
            duration.entry(v).or_insert(d);
        }
        match csv.num(line, c[3], "watch_ratio")? {
            None => empty += 1,
            Some(w) => {
                if !(0.0..=5.0).contains(&w) {
                    clipped += 1;
                }
                if rows.last().is_none_or(|c| c.len() == ROW_CHUNK) {
                    if rows.len() * ROW_CHUNK >= MAX_ENTRIES {
                        return Err(bad(SMALL, line, format!("has more than the {} M rows a ground truth may have", MAX_ENTRIES / 1_000_000)));
                    }
                    rows.push(Vec::with_capacity(ROW_CHUNK));
                }
                if let Some(c) = rows.last_mut() {
                    c.push((u, v, w.clamp(0.0, 5.0) as f32));
                }
            }
        }
    }
    drop(csv);
    report.files.push((SMALL.into(), lines));
    if rows.is_empty() {
        return Err(DataError::Shape { file: SMALL.into(), problem: "has no rows with a watch_ratio".into() });
    }
    // The distinct ids (thousands), not one id per row.
    let distinct = |f: fn(&(u32, u32, f32)) -> u32| -> Vec<u32> {
        let mut ids: Vec<u32> = rows.iter().flatten().map(f).collect::<std::collections::HashSet<u32>>().into_iter().collect();
        ids.sort_unstable();
        ids
    };
    let user_ids = distinct(|r| r.0);
    let video_ids = distinct(|r| r.1);
    let (nu, ni) = (user_ids.len(), video_ids.len());
    if nu.saturating_mul(ni) > MAX_ENTRIES {
        return Err(DataError::Shape {
            file: SMALL.into(),
            problem: format!("makes a {nu} × {ni} matrix ({} M entries), more than the {} M this app holds", nu * ni / 1_000_000, MAX_ENTRIES / 1_000_000),
        });
    }
    let user_at: HashMap<u32, u32> = user_ids.iter().enumerate().map(|(k, id)| (*id, k as u32)).collect();
    let video_at: HashMap<u32, u32> = video_ids.iter().enumerate().map(|(k, id)| (*id, k as u32)).collect();
    let mut truth = vec![f32::NAN; nu * ni];
    let mut repeated = 0u64;
    for (u, v, w) in rows.iter().flatten() {
        let k = user_at[u] as usize * ni + video_at[v] as usize;
        if !truth[k].is_nan() {
            repeated += 1;
        }
        truth[k] = *w;
    }
    drop(rows);
    // Missing entries: user mean + video mean − overall mean (a bias-only completion).
    let (mut us, mut uc, mut is, mut ic) = (vec![0f64; nu], vec![0u32; nu], vec![0f64; ni], vec![0u32; ni]);
    for u in 0..nu {
        for i in 0..ni {
            let x = truth[u * ni + i];
            if !x.is_nan() {
                us[u] += x as f64;
                uc[u] += 1;
                is[i] += x as f64;
                ic[i] += 1;
            }
        }
    }
    let all: f64 = us.iter().sum::<f64>() / uc.iter().map(|c| *c as f64).sum::<f64>().max(1.0);
    let mean = |s: f64, c: u32| if c == 0 { all } else { s / c as f64 };
    let mut filled = 0u64;
    for u in 0..nu {
        for i in 0..ni {
            let x = &mut truth[u * ni + i];
            if x.is_nan() {
                *x = (mean(us[u], uc[u]) + mean(is[i], ic[i]) - all).clamp(0.0, 5.0) as f32;
                filled += 1;
            }
        }
    }
    notes.push(format!("ground truth: small_matrix.csv's {nu} users × {ni} videos; {filled} of {} entries ({:.2} %) were not observed and are filled with user mean + video mean − overall mean", nu * ni, 100.0 * filled as f64 / (nu * ni) as f64));
    if clipped > 0 {
        notes.push(format!("{clipped} watch ratios of small_matrix.csv outside [0, 5] clipped"));
    }
    if empty > 0 {
        notes.push(format!("{empty} rows of small_matrix.csv without a watch_ratio skipped"));
    }
    if repeated > 0 {
        notes.push(format!("{repeated} repeated (user, video) pairs in small_matrix.csv: the last row counts"));
    }

    // 2. The videos' tags.
    let (r, n) = open(source, CATEGORIES, "a header video_id,feat and one row per video, feat a list such as [8] or \"[27, 9]\"")?;
    let mut csv = Csv::new(CATEGORIES, r, n);
    let c = csv.header(&["video_id", "feat"])?;
    let mut tags: Vec<Option<Vec<u16>>> = vec![None; ni];
    let mut lines = 0;
    while let Some(line) = csv.next(progress)? {
        lines += 1;
        let v = csv.int(line, c[0], "video_id")?;
        let t = parse_feat(CATEGORIES, line, c[1] + 1, csv.field(c[1]))?;
        if let Some(&k) = video_at.get(&v) {
            tags[k as usize] = Some(t);
        }
    }
    drop(csv);
    report.files.push((CATEGORIES.into(), lines));
    let median_bucket = {
        let mut b: Vec<u16> = duration.values().map(|d| bucket(*d, &DURATION_BOUNDS_MS)).collect();
        b.sort_unstable();
        b.get(b.len() / 2).copied().unwrap_or(2)
    };
    let mut no_duration = 0;
    let mut untagged = 0;
    let items: Vec<Item> = video_ids
        .iter()
        .zip(tags)
        .map(|(vid, t)| {
            let t = t.ok_or_else(|| DataError::Shape { file: CATEGORIES.into(), problem: format!("has no row for video {vid}, which small_matrix.csv has") })?;
            if t.is_empty() {
                untagged += 1;
            }
            let d = match duration.get(vid) {
                Some(d) => bucket(*d, &DURATION_BOUNDS_MS),
                None => {
                    no_duration += 1;
                    median_bucket
                }
            };
            let names: Vec<&str> = t.iter().map(|k| KUAIREC_TAGS[*k as usize]).collect();
            Ok(Item {
                title: format!("video {vid}: {}", if names.is_empty() { "untagged".to_string() } else { names.join(" / ") }),
                category: t.first().copied().unwrap_or(0),
                tags: t.clone(),
                attrs: vec![t, vec![d]],
            })
        })
        .collect::<Result<_, DataError>>()?;
    if untagged > 0 {
        notes.push(format!("{untagged} videos have an empty feat list: no tags, category 0 for MCD"));
    }
    if no_duration > 0 {
        notes.push(format!("{no_duration} videos have no video_duration: given the most common duration band"));
    }

    // 3. The users' features.
    let (r, n) = open(source, USER_FEATURES, "a header user_id,user_active_degree,...,fans_user_num,... and one row per user")?;
    let mut csv = Csv::new(USER_FEATURES, r, n);
    let c = csv.header(&["user_id", "user_active_degree", "fans_user_num"])?;
    let mut users: Vec<Option<User>> = vec![None; nu];
    let (mut lines, mut unknown) = (0, 0);
    while let Some(line) = csv.next(progress)? {
        lines += 1;
        let u = csv.int(line, c[0], "user_id")?;
        let Some(&k) = user_at.get(&u) else { continue };
        let degree = csv.field(c[1]);
        let activity = match ACTIVITY.iter().position(|a| a.as_bytes() == degree) {
            Some(a) => a as u16,
            None if degree == b"UNKNOWN" || degree.is_empty() => {
                unknown += 1;
                0
            }
            None => {
                return Err(bad(USER_FEATURES, line, format!("column {} (user_active_degree): '{}' is not one of {}", c[1] + 1, shown(degree), ACTIVITY.join(", "))))
            }
        };
        let fans = csv.num(line, c[2], "fans_user_num")?.unwrap_or(0.0);
        users[k as usize] = Some(User { attrs: vec![vec![activity], vec![bucket(fans, &FOLLOWER_BOUNDS)]] });
    }
    drop(csv);
    report.files.push((USER_FEATURES.into(), lines));
    if unknown > 0 {
        notes.push(format!("{unknown} users with user_active_degree UNKNOWN are counted as low activity"));
    }
    let users: Vec<User> = user_ids
        .iter()
        .zip(users)
        .map(|(id, u)| u.ok_or_else(|| DataError::Shape { file: USER_FEATURES.into(), problem: format!("has no row for user {id}, which small_matrix.csv has") }))
        .collect::<Result<_, _>>()?;

    // 4. The log: the big matrix's rows by the world's users on its videos.
    let (r, n) = open(source, BIG, "the log: a header user_id,video_id,...,watch_ratio and one row per interaction")?;
    let mut csv = Csv::new(BIG, r, n);
    let c = csv.header(&["user_id", "video_id", "watch_ratio"])?;
    let mut log = Vec::new();
    let (mut lines, mut outside, mut no_ratio) = (0u64, 0u64, 0u64);
    while let Some(line) = csv.next(progress)? {
        lines += 1;
        let u = csv.int(line, c[0], "user_id")?;
        let v = csv.int(line, c[1], "video_id")?;
        let (Some(&uk), Some(&vk)) = (user_at.get(&u), video_at.get(&v)) else {
            outside += 1;
            continue;
        };
        match csv.num(line, c[2], "watch_ratio")? {
            Some(_) if log.len() >= LOG_ROWS => return Err(too_many_rows(BIG, line, LOG_ROWS, "log rows")),
            Some(w) => log.push(Rating { user: uk, item: vk, value: w.clamp(0.0, 5.0) as f32 }),
            None => no_ratio += 1,
        }
    }
    drop(csv);
    report.files.push((BIG.into(), lines));
    if log.is_empty() {
        return Err(DataError::Shape { file: BIG.into(), problem: format!("has none of its {lines} rows by small_matrix.csv's users on its videos: the log would be empty") });
    }
    notes.push(format!("log: {} rows of big_matrix.csv by the world's users on its videos ({outside} rows on other users or videos left out{})", log.len(), if no_ratio > 0 { format!(", {no_ratio} without a watch_ratio skipped") } else { String::new() }));

    // 5. Held-out: a seeded sample of observed small-matrix entries.
    let mut rng = rng::stream(0, Stream::World, 3000);
    let mut held_out = Vec::with_capacity(HELD_OUT.min(nu * ni));
    for _ in 0..HELD_OUT.min(nu * ni) {
        let k = rng::index(&mut rng, nu * ni);
        held_out.push(Rating { user: (k / ni) as u32, item: (k % ni) as u32, value: truth[k] });
    }
    report.notes = notes;
    Ok(Loaded {
        world: World {
            preset: Preset::KuaiRec,
            source: WorldSource::Real { preset: Preset::KuaiRec, subsample: None },
            user_fields: KUAIREC_USER.iter().map(FieldSpec::to_field).collect(),
            item_fields: KUAIREC_ITEM.iter().map(FieldSpec::to_field).collect(),
            users,
            items,
            tag_field: 0,
            truth: RatingMatrix::new(nu, ni, truth).expect("nu × ni"),
            log,
            held_out,
            reward: RewardScale { min: 0.0, max: 5.0, name: "watch ratio" },
        },
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feat_lists_parse_as_pandas_writes_them() {
        assert_eq!(parse_feat("f", 2, 2, b"[8]").unwrap(), vec![8]);
        assert_eq!(parse_feat("f", 2, 2, b"[27, 9]").unwrap(), vec![27, 9]);
        assert_eq!(parse_feat("f", 2, 2, b"[]").unwrap(), Vec::<u16>::new());
        let e = parse_feat("item_categories.csv", 5, 2, b"[31]").unwrap_err();
        assert_eq!(e.to_string(), "item_categories.csv, line 5: column 2 (feat): category 31 is outside 0-30");
        assert!(parse_feat("f", 2, 2, b"8").is_err());
    }

    #[test]
    fn buckets_follow_their_bounds() {
        assert_eq!(bucket(14_999.0, &DURATION_BOUNDS_MS), 0);
        assert_eq!(bucket(15_000.0, &DURATION_BOUNDS_MS), 1);
        assert_eq!(bucket(1e9, &DURATION_BOUNDS_MS), 4);
        assert_eq!(bucket(0.0, &FOLLOWER_BOUNDS), 0);
        assert_eq!(bucket(5000.0, &FOLLOWER_BOUNDS), 3);
    }
}
