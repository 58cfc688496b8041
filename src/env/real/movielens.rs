//! MovieLens-1M as distributed by GroupLens (`ml-1m.zip`): `users.dat`, `movies.dat`
//! and `ratings.dat`, fields separated by `::`, `movies.dat` in Latin-1 (a UTF-8
//! re-encoded copy is read too). The 1,000,209 ratings are the self-selected log; the
//! ground truth is the matrix completed by factorisation ([`super::complete`]). The
//! catalogue is the films with at least one rating (3,706 of the 3,883 in `movies.dat`).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use super::complete::{complete, split};
use super::error::bad;
use super::read::{check_text, for_each_line, int_field, open, shown, too_many_rows, LoadReport, Loaded, OnProgress};
use crate::limits::{LOG_ROWS, TABLE_ROWS};
use super::error::DataError;
use super::read::LoadProgress;
use super::source::Source;
use crate::env::vocab::{FieldSpec, MOVIELENS_GENRES, MOVIELENS_ITEM, MOVIELENS_USER};
use crate::env::world::{Item, Rating, RatingMatrix, RewardScale, User, World, WorldSource};
use crate::env::{Preset, QuitRule};

pub const USERS: &str = "users.dat";
pub const MOVIES: &str = "movies.dat";
pub const RATINGS: &str = "ratings.dat";
pub const FILES: [&str; 3] = [RATINGS, USERS, MOVIES];

/// Largest users × films a loaded world may have (the full data set is 22.4 M).
pub const MAX_ENTRIES: usize = 60_000_000;

/// MovieLens-1M's age codes, in the order of the "age" field's values.
pub const AGE_CODES: [u32; 7] = [1, 18, 25, 35, 45, 50, 56];

/// The first decade of the "decade" field; earlier films are counted in it.
pub const FIRST_DECADE: u32 = 1920;

/// Splits a line on `::`.
pub(crate) fn fields(line: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(5);
    let mut start = 0;
    let mut i = 0;
    while i + 1 < line.len() {
        if line[i] == b':' && line[i + 1] == b':' {
            out.push(&line[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&line[start..]);
    out
}

/// The fields of a line, exactly `n` of them, or an error that says what the line
/// looks like instead (another MovieLens release, another separator).
fn split_exact<'l>(file: &str, line: usize, bytes: &'l [u8], n: usize) -> Result<Vec<&'l [u8]>, DataError> {
    check_text(file, line, bytes)?;
    let f = fields(bytes);
    if f.len() == n {
        return Ok(f);
    }
    if f.len() == 1 {
        let hint = if bytes.contains(&b',') {
            ": it looks comma-separated, like MovieLens 'latest' or 25M (ratings.csv), not ml-1m's .dat files"
        } else if bytes.contains(&b'\t') {
            ": it looks tab-separated, like MovieLens-100K's u.data, not ml-1m's .dat files"
        } else if bytes.contains(&b'|') && !file.starts_with("movies") {
            ": it looks '|'-separated, like MovieLens-100K's u.user / u.item"
        } else {
            ""
        };
        return Err(bad(
            file,
            line,
            format!("expected {n} fields separated by '::' (MovieLens-1M's format), found no '::'{hint}"),
        ));
    }
    Err(bad(
        file,
        line,
        format!("has {} fields separated by '::', expected {n} (a truncated or edited line?)", f.len()),
    ))
}

/// A title's text: UTF-8 if it is valid UTF-8, else Latin-1 (each byte one character).
fn decode_title(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The year at the end of a title, `"Toy Story (1995)"` → 1995.
fn title_year(title: &str) -> Option<u32> {
    let t = title.trim_end();
    let open = t.rfind('(')?;
    let inner = t[open + 1..].strip_suffix(')')?;
    (inner.len() == 4).then(|| inner.parse().ok()).flatten()
}

fn value_index(spec: &FieldSpec, value: &str) -> Option<u16> {
    spec.values.iter().position(|v| *v == value).map(|i| i as u16)
}

struct Movie {
    id: u32,
    title: String,
    decade: u16,
    genres: Vec<u16>,
}

fn read_users(r: impl Read, total: u64, progress: &mut dyn FnMut(LoadProgress)) -> Result<(Vec<(u32, User)>, u64), DataError> {
    let mut users = Vec::new();
    let mut seen = HashSet::new();
    let lines = for_each_line(r, USERS, total, progress, |line, bytes| {
        if bytes.is_empty() {
            return Ok(());
        }
        if users.len() >= TABLE_ROWS {
            return Err(too_many_rows(USERS, line, TABLE_ROWS, "users"));
        }
        let f = split_exact(USERS, line, bytes, 5)?;
        let id: u32 = int_field(USERS, line, 1, "UserID", f[0])?;
        if id == 0 {
            return Err(bad(USERS, line, "column 1 (UserID): ids start at 1, found 0"));
        }
        if !seen.insert(id) {
            return Err(bad(USERS, line, format!("column 1 (UserID): user {id} appears a second time")));
        }
        let gender = match f[1] {
            b"M" => 0,
            b"F" => 1,
            other => {
                return Err(bad(USERS, line, format!("column 2 (Gender): '{}' is not M or F", shown(other))))
            }
        };
        let code: u32 = int_field(USERS, line, 3, "Age", f[2])?;
        let age = AGE_CODES.iter().position(|c| *c == code).ok_or_else(|| {
            bad(USERS, line, format!("column 3 (Age): {code} is not one of MovieLens-1M's age codes 1, 18, 25, 35, 45, 50, 56"))
        })? as u16;
        let occ: u16 = int_field(USERS, line, 4, "Occupation", f[3])?;
        if occ as usize >= MOVIELENS_USER[2].values.len() {
            return Err(bad(USERS, line, format!("column 4 (Occupation): {occ} is outside 0-20")));
        }
        users.push((id, User { attrs: vec![vec![gender], vec![age], vec![occ]] }));
        Ok(())
    })?;
    users.sort_by_key(|(id, _)| *id);
    Ok((users, lines))
}

fn read_movies(r: impl Read, total: u64, progress: &mut dyn FnMut(LoadProgress), early: &mut usize) -> Result<(Vec<Movie>, u64), DataError> {
    let mut movies = Vec::new();
    let mut seen = HashSet::new();
    let lines = for_each_line(r, MOVIES, total, progress, |line, bytes| {
        if bytes.is_empty() {
            return Ok(());
        }
        if movies.len() >= TABLE_ROWS {
            return Err(too_many_rows(MOVIES, line, TABLE_ROWS, "films"));
        }
        let f = split_exact(MOVIES, line, bytes, 3)?;
        let id: u32 = int_field(MOVIES, line, 1, "MovieID", f[0])?;
        if !seen.insert(id) {
            return Err(bad(MOVIES, line, format!("column 1 (MovieID): movie {id} appears a second time")));
        }
        let title = decode_title(f[1]);
        let year = title_year(&title).ok_or_else(|| {
            bad(MOVIES, line, format!("column 2 (Title): '{}' does not end with its year in brackets, e.g. 'Toy Story (1995)'", shown(f[1])))
        })?;
        if year < FIRST_DECADE {
            *early += 1;
        }
        let decade = (year.saturating_sub(FIRST_DECADE) / 10).min(MOVIELENS_ITEM[0].values.len() as u32 - 1) as u16;
        let text = std::str::from_utf8(f[2]).map_err(|_| bad(MOVIES, line, "column 3 (Genres): not text"))?;
        let mut genres = Vec::new();
        for g in text.split('|') {
            let k = value_index(&MOVIELENS_ITEM[1], g).ok_or_else(|| {
                bad(MOVIES, line, format!("column 3 (Genres): '{}' is not one of the 18 genres ({})", shown(g.as_bytes()), MOVIELENS_GENRES.join(", ")))
            })?;
            if !genres.contains(&k) {
                genres.push(k);
            }
        }
        movies.push(Movie { id, title, decade, genres });
        Ok(())
    })?;
    movies.sort_by_key(|m| m.id);
    Ok((movies, lines))
}

/// Loads MovieLens-1M from `source`.
pub fn load(source: &mut dyn Source, progress: OnProgress) -> Result<Loaded, DataError> {
    let mut report = LoadReport::default();
    let (r, n) = open(source, USERS, "UserID::Gender::Age::Occupation::Zip-code lines")?;
    let (users, lines) = read_users(r, n, progress)?;
    if users.is_empty() {
        return Err(DataError::Shape { file: USERS.into(), problem: "is empty: expected one line per user".into() });
    }
    report.files.push((USERS.into(), lines));
    let mut early = 0;
    let (r, n) = open(source, MOVIES, "MovieID::Title::Genres lines")?;
    let (movies, lines) = read_movies(r, n, progress, &mut early)?;
    if movies.is_empty() {
        return Err(DataError::Shape { file: MOVIES.into(), problem: "is empty: expected one line per film".into() });
    }
    report.files.push((MOVIES.into(), lines));

    let user_at: HashMap<u32, u32> = users.iter().enumerate().map(|(k, (id, _))| (*id, k as u32)).collect();
    let movie_at: HashMap<u32, u32> = movies.iter().enumerate().map(|(k, m)| (m.id, k as u32)).collect();
    if users.len().saturating_mul(movies.len()) > 4 * MAX_ENTRIES {
        return Err(DataError::Shape {
            file: MOVIES.into(),
            problem: format!("lists {} films, which with the {} users of {USERS} is more than the {} M user-film pairs this app reads", movies.len(), users.len(), 4 * MAX_ENTRIES / 1_000_000),
        });
    }
    let (r, n) = open(source, RATINGS, "UserID::MovieID::Rating::Timestamp lines")?;
    // Sized from the file (a line is ~22 bytes) so the vector does not double past it,
    // and the pairs seen as one bit each (3 MB for MovieLens-1M, not a 30 MB hash set).
    // (user index, movie index, rating), in file order.
    let mut raw: Vec<(u32, u32, u8)> = Vec::with_capacity((n / 20).min(1 << 22) as usize);
    let mut pairs = vec![0u64; (users.len() * movies.len()).div_ceil(64)];
    let lines = for_each_line(r, RATINGS, n, progress, |line, bytes| {
        if bytes.is_empty() {
            return Ok(());
        }
        if raw.len() >= LOG_ROWS {
            return Err(too_many_rows(RATINGS, line, LOG_ROWS, "ratings"));
        }
        let f = split_exact(RATINGS, line, bytes, 4)?;
        let uid: u32 = int_field(RATINGS, line, 1, "UserID", f[0])?;
        let mid: u32 = int_field(RATINGS, line, 2, "MovieID", f[1])?;
        let value: u8 = int_field(RATINGS, line, 3, "Rating", f[2])?;
        let _ts: u64 = int_field(RATINGS, line, 4, "Timestamp", f[3])?;
        let u = *user_at.get(&uid).ok_or_else(|| bad(RATINGS, line, format!("column 1 (UserID): user {uid} is not in users.dat")))?;
        let m = *movie_at.get(&mid).ok_or_else(|| bad(RATINGS, line, format!("column 2 (MovieID): movie {mid} is not in movies.dat")))?;
        if !(1..=5).contains(&value) {
            return Err(bad(RATINGS, line, format!("column 3 (Rating): {value} is outside 1-5")));
        }
        let bit = u as usize * movies.len() + m as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if pairs[word] & mask != 0 {
            return Err(bad(RATINGS, line, format!("user {uid} rated movie {mid} a second time")));
        }
        pairs[word] |= mask;
        raw.push((u, m, value));
        Ok(())
    })?;
    drop(pairs);
    if raw.is_empty() {
        return Err(DataError::Shape { file: RATINGS.into(), problem: "has no ratings".into() });
    }
    report.files.push((RATINGS.into(), lines));

    // The catalogue: films with a rating, in MovieID order.
    let mut rated = vec![false; movies.len()];
    for (_, m, _) in &raw {
        rated[*m as usize] = true;
    }
    let mut item_of = vec![u32::MAX; movies.len()];
    let mut items = Vec::new();
    for (k, m) in movies.into_iter().enumerate() {
        if rated[k] {
            item_of[k] = items.len() as u32;
            items.push(Item {
                title: m.title,
                category: m.genres[0],
                tags: m.genres.clone(),
                attrs: vec![vec![m.decade], m.genres],
            });
        }
    }
    let unrated = item_of.iter().filter(|i| **i == u32::MAX).count();
    let (nu, ni) = (users.len(), items.len());
    if nu.saturating_mul(ni) > MAX_ENTRIES {
        return Err(DataError::Shape {
            file: RATINGS.into(),
            problem: format!("makes a {nu} × {ni} matrix ({} M entries), more than the {} M this app completes", nu * ni / 1_000_000, MAX_ENTRIES / 1_000_000),
        });
    }
    // In place (same size and alignment): no second copy of a million ratings.
    let ratings: Vec<Rating> = raw
        .into_iter()
        .map(|(u, m, v)| Rating { user: u, item: item_of[m as usize], value: v as f32 })
        .collect();
    report.notes.push(format!(
        "{} ratings by {nu} users on {ni} films ({unrated} films of movies.dat have no rating and are left out of the catalogue)",
        ratings.len()
    ));
    if early > 0 {
        report.notes.push(format!("{early} films from before {FIRST_DECADE} are in the '1920s' decade value (their titles keep the year)"));
    }

    let skeleton = World {
        preset: Preset::MovieLens,
        source: WorldSource::Real { preset: Preset::MovieLens, subsample: None },
        user_fields: MOVIELENS_USER.iter().map(FieldSpec::to_field).collect(),
        item_fields: MOVIELENS_ITEM.iter().map(FieldSpec::to_field).collect(),
        users: users.into_iter().map(|(_, u)| u).collect(),
        items,
        tag_field: 1,
        truth: RatingMatrix::new(1, 1, vec![0.0]).expect("1 × 1"),
        log: Vec::new(),
        held_out: Vec::new(),
        reward: RewardScale { min: 1.0, max: 5.0, name: "rating 1-5" },
    };
    progress(LoadProgress { stage: "completing the matrix".into(), done: 0, total: 1 });
    let (fitted, held_out) = split(&ratings);
    drop(ratings);
    let (truth, completion, fitted) = complete(&skeleton, fitted, &held_out);
    progress(LoadProgress { stage: "completing the matrix".into(), done: 1, total: 1 });
    report.notes.push(format!(
        "ground truth: the {nu} × {ni} matrix completed by factorisation (dim {}, {} epochs) on {} ratings; RMSE {:.3} on them, {:.3} on the {} held out (predicting the mean: {:.3})",
        completion.dim, completion.epochs, completion.fitted, completion.train_rmse, completion.held_out_rmse, completion.held_out, completion.mean_rmse
    ));
    report.completion = Some(completion);
    let world = World { truth, log: fitted, held_out, ..skeleton };
    report.notes.push(quit_pressure(&world));
    Ok(Loaded { world, report })
}

/// How hard METHOD.md's quit rule (N = 7, τ = 75) presses on users of `world`: the
/// completed matrix is smoother than a synthetic world's truth, so its items sit closer
/// together and the same τ can make users leave after two or three films. The note
/// says where τ falls among the item distances and which τ gives the pressure the
/// synthetic MovieLens world has (τ at its 10th percentile). `ialp world` prints the
/// percentiles too.
fn quit_pressure(world: &World) -> String {
    let QuitRule::ItemDistance { n, tau } = Preset::MovieLens.default_quit_rule(world.n_users()) else {
        return String::new();
    };
    let d = world.distance_sample();
    let within = d.iter().filter(|x| **x <= tau as f64).count() as f64 / d.len().max(1) as f64;
    let p10 = crate::env::world::percentile(&d, 10.0);
    let verdict = if within > 0.2 { "users leave early" } else { "about the synthetic world's pressure" };
    format!(
        "quit rule: N = {n}, τ = {tau} (METHOD.md) has {:.0} % of item pairs within τ in this world (the synthetic MovieLens world: about 10 %): {verdict}; env.leave_tau = {:.0} (its 10th percentile; times √scale for a cut) gives the synthetic world's pressure",
        100.0 * within,
        p10
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_on_double_colons_only() {
        assert_eq!(fields(b"1::Toy Story (1995)::Animation"), vec![&b"1"[..], b"Toy Story (1995)", b"Animation"]);
        assert_eq!(fields(b"a:b"), vec![&b"a:b"[..]]);
        assert_eq!(fields(b"1::"), vec![&b"1"[..], b""]);
    }

    #[test]
    fn titles_decode_latin1_and_utf8_alike() {
        assert_eq!(decode_title(b"Cit\xe9 (1995)"), "Cité (1995)");
        assert_eq!(decode_title("Cité (1995)".as_bytes()), "Cité (1995)");
        assert_eq!(title_year("City of Lost Children, The (Cité des enfants perdus, La) (1995)"), Some(1995));
        assert_eq!(title_year("No year"), None);
    }

    #[test]
    fn a_csv_line_is_named_for_what_it_is() {
        let e = split_exact(RATINGS, 1, b"userId,movieId,rating,timestamp", 4).unwrap_err();
        assert!(e.to_string().contains("comma-separated"), "{e}");
        let e = split_exact(RATINGS, 3, b"1::2::3", 4).unwrap_err();
        assert_eq!(e.to_string(), "ratings.dat, line 3: has 3 fields separated by '::', expected 4 (a truncated or edited line?)");
    }
}
