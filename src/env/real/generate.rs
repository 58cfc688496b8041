//! Files in the exact public formats of MovieLens-1M and KuaiRec 2.0, generated from a
//! seed (the real archives are not on our machines and may not go into the
//! repository). The worlds behind them are the synthetic worlds of the same preset, so
//! a test can compare what a loader read with what was written.
//!
//! Byte-level format, as distributed:
//! - MovieLens-1M (`ml-1m/`): `users.dat` `UserID::Gender::Age::Occupation::Zip-code`,
//!   `movies.dat` `MovieID::Title::Genres` in Latin-1 (titles such as
//!   `"City of Lost Children, The (Cité des enfants perdus, La) (1995)"`, genres joined
//!   by `|`), `ratings.dat` `UserID::MovieID::Rating::Timestamp`; `\n` line ends, no
//!   header; MovieIDs 1–3952 with gaps, 3,883 films of which 3,706 are rated.
//! - KuaiRec 2.0 (`KuaiRec 2.0/data/`): CSV with a header line as pandas writes it;
//!   `small_matrix.csv` / `big_matrix.csv` `user_id,video_id,play_duration,
//!   video_duration,time,date,timestamp,watch_ratio` (`watch_ratio` =
//!   play/video duration, unclipped; empty fields for missing times), 
//!   `item_categories.csv` `video_id,feat` with `feat` a list (`[8]`, `"[27, 9]"`),
//!   `user_features.csv` with its 31 columns (ranges such as `"[1,10)"` quoted).

use std::io::{self, Write};

use rand::Rng;

use crate::env::synthetic::{generate as synthetic, SyntheticParams};
use crate::env::vocab::KUAIREC_TAGS;
use crate::env::world::World;
use crate::env::Preset;
use crate::rng::{self, SimRng, Stream};

use super::kuairec::{ACTIVITY, DURATION_BOUNDS_MS, FOLLOWER_BOUNDS, MATRIX_HEADER};
use super::movielens::AGE_CODES;

/// How big the generated data set is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// The published size (MovieLens 6,040 × 3,706 with 1,000,209 ratings; KuaiRec
    /// 1,411 × 3,327 small matrix and a 12,530,806-row big matrix).
    Full,
    /// A share of each dimension (rows scale with its square).
    Scale(f64),
}

impl Size {
    fn factor(self) -> f64 {
        match self {
            Size::Full => 1.0,
            Size::Scale(s) => s.clamp(0.02, 1.0),
        }
    }
}

/// Where generated files go: one writer per file name (`ml-1m/ratings.dat`).
pub trait Sink {
    fn file(&mut self, path: &str, body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
}

/// Files collected in memory as `(path, bytes)`.
#[derive(Debug, Default)]
pub struct MemSink(pub Vec<(String, Vec<u8>)>);

impl Sink for MemSink {
    fn file(&mut self, path: &str, body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let mut v = Vec::new();
        body(&mut v)?;
        self.0.push((path.to_string(), v));
        Ok(())
    }
}

/// Files written into a folder (created as needed), buffered.
#[cfg(not(target_arch = "wasm32"))]
pub struct DirSink(pub std::path::PathBuf);

#[cfg(not(target_arch = "wasm32"))]
impl Sink for DirSink {
    fn file(&mut self, path: &str, body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let p = self.0.join(path);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        let mut w = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(p)?);
        body(&mut w)?;
        w.flush()
    }
}

/// Files written into a zip archive, deflated, as the public archives are.
pub struct ZipSink<W: Write + io::Seek>(pub zip::ZipWriter<W>);

impl<W: Write + io::Seek> Sink for ZipSink<W> {
    fn file(&mut self, path: &str, body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        self.0.start_file(path, opts).map_err(io::Error::other)?;
        body(&mut self.0)
    }
}

/// The synthetic world behind a generated data set.
pub fn world_of(preset: Preset, size: Size, seed: u64) -> World {
    synthetic(SyntheticParams { preset, seed, scale: size.factor() })
}

/// Writes the data set of `preset` (MovieLens or KuaiRec) to `sink`.
pub fn write(preset: Preset, size: Size, seed: u64, sink: &mut dyn Sink) -> io::Result<()> {
    match preset {
        Preset::MovieLens => movielens(size, seed, sink),
        Preset::KuaiRec => kuairec(size, seed, sink),
        Preset::Coat => Err(io::Error::other("Coat's real files are in ../shared/data/coat; nothing to generate")),
    }
}

/// Latin-1 bytes of a string (every character must be below U+0100).
fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(c as u32).expect("a Latin-1 character")).collect()
}

/// Foreign alternative titles, as MovieLens writes them in brackets.
const ALT_TITLES: &[&str] = &[
    "Cité des enfants perdus, La",
    "Être et avoir",
    "Señor de los cielos, El",
    "Mädchen in Uniform",
    "Trois couleurs: Bleu",
    "Niño de la bruja, El",
    "Fröken Julie",
    "Amour à mort, L'",
];

/// MovieLens moves a leading article to the end: "The Silent River" → "Silent River, The".
fn movielens_title(title: &str, k: usize) -> String {
    let (name, year) = match title.rfind(" (") {
        Some(p) => (&title[..p], &title[p..]),
        None => (title, ""),
    };
    let name = ["The ", "A "]
        .iter()
        .find_map(|a| name.strip_prefix(a).map(|rest| format!("{rest}, {}", a.trim())))
        .unwrap_or_else(|| name.to_string());
    if k % 37 == 5 {
        format!("{name} ({}){year}", ALT_TITLES[(k / 37) % ALT_TITLES.len()])
    } else {
        format!("{name}{year}")
    }
}

fn movielens(size: Size, seed: u64, sink: &mut dyn Sink) -> io::Result<()> {
    let f = size.factor();
    let world = world_of(Preset::MovieLens, size, seed);
    let mut rng = rng::stream(seed, Stream::World, 4000);
    let (nu, ni) = (world.n_users(), world.n_items());
    // 3,883 films in movies.dat (177 never rated), ids 1..=3952 with gaps.
    let n_unrated = ((177.0 * f).round() as usize).max(1);
    let n_movies = ni + n_unrated;
    let max_id = ((3952.0 * f).round() as usize).max(n_movies + 1);
    let ids = sorted_sample(&mut rng, max_id, n_movies);
    let unrated = sorted_sample(&mut rng, n_movies, n_unrated);
    let mut item_of_slot = Vec::with_capacity(n_movies);
    let mut next = 0usize;
    for slot in 0..n_movies {
        if unrated.binary_search(&slot).is_ok() {
            item_of_slot.push(None);
        } else {
            item_of_slot.push(Some(next));
            next += 1;
        }
    }
    let movie_id_of_item: Vec<usize> = (0..n_movies).filter(|s| item_of_slot[*s].is_some()).map(|s| ids[s] + 1).collect();

    sink.file("ml-1m/users.dat", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 4001);
        for (u, user) in world.users.iter().enumerate() {
            let g = if user.attrs[0][0] == 0 { "M" } else { "F" };
            let age = AGE_CODES[user.attrs[1][0] as usize];
            let zip: u32 = r.random_range(1000..99999);
            if r.random_range(0..20) == 0 {
                writeln!(w, "{}::{g}::{age}::{}::{zip:05}-{:04}", u + 1, user.attrs[2][0], r.random_range(0..9999u32))?;
            } else {
                writeln!(w, "{}::{g}::{age}::{}::{zip:05}", u + 1, user.attrs[2][0])?;
            }
        }
        Ok(())
    })?;
    sink.file("ml-1m/movies.dat", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 4002);
        for slot in 0..n_movies {
            let (title, genres): (String, Vec<u16>) = match item_of_slot[slot] {
                Some(i) => (movielens_title(&world.items[i].title, i), world.items[i].attrs[1].clone()),
                None => (
                    format!("Lost Reel No. {slot} ({})", 1930 + r.random_range(0..70u32)),
                    vec![r.random_range(0..18u16)],
                ),
            };
            let g: Vec<&str> = genres.iter().map(|g| crate::env::vocab::MOVIELENS_GENRES[*g as usize]).collect();
            w.write_all(format!("{}::", ids[slot] + 1).as_bytes())?;
            w.write_all(&latin1(&title))?;
            w.write_all(format!("::{}\n", g.join("|")).as_bytes())?;
        }
        Ok(())
    })?;
    // Exactly 1,000,209 ratings at full size: the log, trimmed or topped up with
    // ratings of the truth on pairs the log lacks.
    let target = (1_000_209.0 * f * f).round() as usize;
    let mut log: Vec<(u32, u32, u8)> = world.log.iter().map(|r| (r.user, r.item, r.value.round().clamp(1.0, 5.0) as u8)).collect();
    let mut r = rng::stream(seed, Stream::World, 4003);
    // Films the log never reached get one rating, so every film of the world is rated.
    let mut rated = vec![false; ni];
    for e in &log {
        rated[e.1 as usize] = true;
    }
    for (i, _) in rated.iter().enumerate().filter(|(_, r)| !**r) {
        let u = rng::index(&mut r, nu);
        log.push((u as u32, i as u32, world.truth.get(u, i).round().clamp(1.0, 5.0) as u8));
    }
    if log.len() > target {
        for k in (1..log.len()).rev() {
            log.swap(k, rng::index(&mut r, k + 1));
        }
        // Every film keeps a rating, so the catalogue stays the world's.
        let mut seen = vec![false; ni];
        let (mut first, mut rest): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
        for e in log {
            if seen[e.1 as usize] {
                rest.push(e);
            } else {
                seen[e.1 as usize] = true;
                first.push(e);
            }
        }
        rest.truncate(target.saturating_sub(first.len()));
        first.extend(rest);
        log = first;
    } else {
        let mut have: std::collections::HashSet<(u32, u32)> = log.iter().map(|(u, i, _)| (*u, *i)).collect();
        while log.len() < target && have.len() < nu * ni {
            let (u, i) = (rng::index(&mut r, nu) as u32, rng::index(&mut r, ni) as u32);
            if have.insert((u, i)) {
                log.push((u, i, world.truth.get(u as usize, i as usize).round().clamp(1.0, 5.0) as u8));
            }
        }
    }
    log.sort_unstable_by_key(|(u, _, _)| *u);
    sink.file("ml-1m/ratings.dat", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 4004);
        for (u, i, v) in &log {
            let ts = 956_703_932u64 + r.random_range(0..89_750_000u64);
            writeln!(w, "{}::{}::{v}::{ts}", u + 1, movie_id_of_item[*i as usize])?;
        }
        Ok(())
    })?;
    sink.file("ml-1m/README", &mut |w| {
        w.write_all(b"SUMMARY\n================================================================================\n\nThese files are GENERATED by iALP Playground (scripts, src/env/real/generate.rs) in the\nformat of the MovieLens-1M release; they are not GroupLens data.\n")
    })
}

/// `k` distinct values of `0..n`, sorted.
fn sorted_sample(rng: &mut SimRng, n: usize, k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    for j in 0..k.min(n) {
        let r = j + rng::index(rng, n - j);
        idx.swap(j, r);
    }
    let mut out = idx[..k.min(n)].to_vec();
    out.sort_unstable();
    out
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// One matrix row: `user,video,play,duration,time,date,timestamp,ratio`.
fn matrix_row(w: &mut dyn Write, r: &mut SimRng, user: usize, video: usize, duration_ms: u64, ratio: f64) -> io::Result<()> {
    let play = ((ratio * duration_ms as f64).round() as u64).max(if ratio > 0.0 { 1 } else { 0 });
    let watch = play as f64 / duration_ms as f64;
    if r.random_range(0..1000) == 0 {
        // Pandas writes a missing time as empty fields.
        return writeln!(w, "{user},{video},{play},{duration_ms},,,,{watch}");
    }
    // 2020-07-04 .. 2020-09-05, Beijing time.
    let t_ms = 1_593_792_000_000u64 + r.random_range(0..63 * 86_400_000u64);
    let local = (t_ms / 1000) as i64 + 8 * 3600;
    let (y, mo, d) = civil(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    writeln!(
        w,
        "{user},{video},{play},{duration_ms},{y}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{:03},{y}{mo:02}{d:02}.0,{}.{:03},{watch}",
        s / 3600, (s / 60) % 60, s % 60, t_ms % 1000, t_ms / 1000, t_ms % 1000
    )
}

/// A duration (ms) inside duration band `band`.
fn duration_in(r: &mut SimRng, band: u16) -> u64 {
    let lo = if band == 0 { 3_000.0 } else { DURATION_BOUNDS_MS[band as usize - 1] };
    let hi = DURATION_BOUNDS_MS.get(band as usize).copied().unwrap_or(600_000.0);
    r.random_range(lo as u64..hi as u64)
}

fn kuairec(size: Size, seed: u64, sink: &mut dyn Sink) -> io::Result<()> {
    let f = size.factor();
    let world = world_of(Preset::KuaiRec, size, seed);
    let (nu, ni) = (world.n_users(), world.n_items());
    let mut rng = rng::stream(seed, Stream::World, 5000);
    let big_users = ((7176.0 * f).round() as usize).max(nu + 1);
    let big_videos = ((10_728.0 * f).round() as usize).max(ni + 1);
    let user_ids = sorted_sample(&mut rng, big_users, nu);
    let video_ids = sorted_sample(&mut rng, big_videos, ni);
    let mut in_world_user = vec![None; big_users];
    for (k, id) in user_ids.iter().enumerate() {
        in_world_user[*id] = Some(k);
    }
    let mut in_world_video = vec![None; big_videos];
    for (k, id) in video_ids.iter().enumerate() {
        in_world_video[*id] = Some(k);
    }
    // Every video's duration (world videos inside their band) and tags.
    let mut durations = Vec::with_capacity(big_videos);
    let mut feats = Vec::with_capacity(big_videos);
    for v in 0..big_videos {
        match in_world_video[v] {
            Some(k) => {
                durations.push(duration_in(&mut rng, world.items[k].attrs[1][0]));
                feats.push(world.items[k].attrs[0].clone());
            }
            None => {
                let band = rng.random_range(0..5u16);
                durations.push(duration_in(&mut rng, band));
                let n = rng.random_range(1..=3usize);
                let mut t: Vec<u16> = Vec::new();
                while t.len() < n {
                    let x = rng.random_range(0..KUAIREC_TAGS.len() as u16);
                    if !t.contains(&x) {
                        t.push(x);
                    }
                }
                feats.push(t);
            }
        }
    }
    let header = MATRIX_HEADER.join(",");
    // Small matrix: every pair but 0.4 %; ratios of 5 (clipped) written as 5-20.
    sink.file("KuaiRec 2.0/data/small_matrix.csv", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 5001);
        writeln!(w, "{header}")?;
        for (u, uid) in user_ids.iter().enumerate() {
            for (i, vid) in video_ids.iter().enumerate() {
                if r.random_range(0..1000) < 4 {
                    continue;
                }
                let mut ratio = world.truth.get(u, i) as f64;
                if ratio >= 5.0 && r.random_range(0..4) == 0 {
                    ratio = 5.0 + r.random_range(0.01..15.0);
                }
                matrix_row(w, &mut r, *uid, *vid, durations[*vid], ratio)?;
            }
        }
        Ok(())
    })?;
    // Big matrix: the world's log plus rows on other users or videos, 12,530,806 in all
    // at full size, grouped by user.
    let target = (12_530_806.0 * f * f).round() as usize;
    let filler = target.saturating_sub(world.log.len());
    let mut by_user: Vec<Vec<(usize, f32)>> = vec![Vec::new(); nu];
    for rt in &world.log {
        by_user[rt.user as usize].push((rt.item as usize, rt.value));
    }
    sink.file("KuaiRec 2.0/data/big_matrix.csv", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 5002);
        writeln!(w, "{header}")?;
        let mut written = 0usize;
        for uid in 0..big_users {
            // Rows left spread evenly over the users left.
            let quota = (filler - written) / (big_users - uid);
            if let Some(u) = in_world_user[uid] {
                for (i, v) in &by_user[u] {
                    matrix_row(w, &mut r, uid, video_ids[*i], durations[video_ids[*i]], *v as f64)?;
                }
            }
            let mut k = 0;
            while k < quota {
                let vid = rng::index(&mut r, big_videos);
                if in_world_user[uid].is_some() && in_world_video[vid].is_some() {
                    continue;
                }
                let ratio = (0.75f64.ln() + 0.6 * rng::normal(&mut r)).exp();
                matrix_row(w, &mut r, uid, vid, durations[vid], ratio)?;
                k += 1;
            }
            written += quota;
        }
        Ok(())
    })?;
    sink.file("KuaiRec 2.0/data/item_categories.csv", &mut |w| {
        writeln!(w, "video_id,feat")?;
        for (v, t) in feats.iter().enumerate() {
            let list = t.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
            if t.len() > 1 {
                writeln!(w, "{v},\"[{list}]\"")?;
            } else {
                writeln!(w, "{v},[{list}]")?;
            }
        }
        Ok(())
    })?;
    sink.file("KuaiRec 2.0/data/user_features.csv", &mut |w| {
        let mut r = rng::stream(seed, Stream::World, 5003);
        let onehot: Vec<String> = (0..18).map(|k| format!("onehot_feat{k}")).collect();
        writeln!(w, "user_id,user_active_degree,is_lowactive_period,is_live_streamer,is_video_author,follow_user_num,follow_user_num_range,fans_user_num,fans_user_num_range,friend_user_num,friend_user_num_range,register_days,register_days_range,{}", onehot.join(","))?;
        for uid in 0..big_users {
            let (activity, followers) = match in_world_user[uid] {
                Some(u) => (world.users[u].attrs[0][0] as usize, world.users[u].attrs[1][0] as usize),
                None => (r.random_range(0..4), r.random_range(0..4)),
            };
            let lo = if followers == 0 { 0.0 } else { FOLLOWER_BOUNDS[followers - 1] };
            let hi = FOLLOWER_BOUNDS.get(followers).copied().unwrap_or(20_000.0);
            let fans = r.random_range(lo as u64..hi as u64);
            let fans_range = match fans {
                0 => "0".to_string(),
                1..=9 => "\"[1,10)\"".into(),
                10..=99 => "\"[10,100)\"".into(),
                100..=999 => "\"[100,1k)\"".into(),
                _ => "\"[1k,5k)\"".into(),
            };
            let follow = r.random_range(0..500u32);
            let friends = r.random_range(0..30u32);
            let days = r.random_range(8..2000u32);
            let oh: Vec<String> = (0..18).map(|k| r.random_range(0..(3 + k * 2) as u32).to_string()).collect();
            writeln!(
                w,
                "{uid},{},{},{},{},{follow},\"({},{}]\",{fans},{fans_range},{friends},\"[{},{})\",{days},{}-{},{}",
                ACTIVITY[activity], r.random_range(0..2), r.random_range(0..2), r.random_range(0..2),
                follow / 50 * 50, follow / 50 * 50 + 50, friends / 5 * 5, friends / 5 * 5 + 5, days / 30 * 30, days / 30 * 30 + 30,
                oh.join(",")
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_move_the_article_and_some_get_a_latin1_alternative() {
        assert_eq!(movielens_title("The Silent River (1994)", 0), "Silent River, The (1994)");
        assert_eq!(movielens_title("Rivers of Rome (1960)", 5), "Rivers of Rome (Cité des enfants perdus, La) (1960)");
        assert_eq!(latin1("Cité"), b"Cit\xe9");
    }

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(18_448), (2020, 7, 5));
    }
}
