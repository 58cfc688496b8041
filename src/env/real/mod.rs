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
pub mod coat;
pub mod complete;
pub mod error;
pub mod generate;
pub mod kuairec;
pub mod movielens;
pub mod read;
pub mod source;

pub use error::DataError;
pub use read::{LoadProgress, LoadReport, Loaded, OnProgress, MAX_FILE_BYTES};
use super::world::{Rating, RatingMatrix, Subsample, World, WorldSource};
use super::Preset;
use crate::rng::{self, Stream};
pub use source::{MemSource, Source, ZipSource};
#[cfg(not(target_arch = "wasm32"))]
pub use source::DirSource;

/// Loads the data set of `preset` from `source`.
pub fn load(
    preset: Preset,
    source: &mut dyn Source,
    progress: OnProgress,
) -> Result<Loaded, DataError> {
    match preset {
        Preset::Coat => {
            let files = coat::CoatFiles::from_source(source)?;
            let world = files.load()?;
            let report = LoadReport {
                files: coat::CoatFile::ALL
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
