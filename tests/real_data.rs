//! MovieLens-1M and KuaiRec 2.0 loaders, on files generated in their exact public
//! formats (src/env/real/generate.rs): what is read equals what was written, a zip
//! archive reads like the loose files, and every kind of broken file gives an error
//! naming the file and line (nothing panics).

use std::io::Cursor;

use ialp::env::real::generate::{self, MemSink, Size, ZipSink};
use ialp::env::real::{self, subsample, world_digest, DataError, MemSource, ZipSource};
use ialp::env::world::Subsample;
use ialp::env::{Preset, World};

fn files(preset: Preset, scale: f64) -> Vec<(String, Vec<u8>)> {
    let mut sink = MemSink::default();
    generate::write(preset, Size::Scale(scale), 7, &mut sink).unwrap();
    sink.0
}

fn load(preset: Preset, files: Vec<(String, Vec<u8>)>) -> Result<real::Loaded, DataError> {
    real::load(preset, &mut MemSource::new(files), &mut |_| {})
}

fn edit(mut files: Vec<(String, Vec<u8>)>, name: &str, f: impl Fn(&mut Vec<u8>)) -> Vec<(String, Vec<u8>)> {
    let e = files.iter_mut().find(|(n, _)| n.ends_with(name)).expect("file generated");
    f(&mut e.1);
    files
}

/// Replaces line `k` (1-based) of a text file.
fn set_line(bytes: &mut Vec<u8>, k: usize, line: &[u8]) {
    let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(|l| l.to_vec()).collect();
    lines[k - 1] = line.to_vec();
    *bytes = lines.join(&b'\n');
}

fn err(preset: Preset, files: Vec<(String, Vec<u8>)>) -> String {
    load(preset, files).map(|_| ()).expect_err("a broken file must be refused").to_string()
}

#[test]
fn movielens_reads_back_what_was_written() {
    let scale = 0.06;
    let synthetic = generate::world_of(Preset::MovieLens, Size::Scale(scale), 7);
    let l = load(Preset::MovieLens, files(Preset::MovieLens, scale)).unwrap();
    let w = &l.world;
    assert_eq!((w.n_users(), w.n_items()), (synthetic.n_users(), synthetic.n_items()));
    for (a, b) in w.users.iter().zip(&synthetic.users) {
        assert_eq!(a.attrs, b.attrs);
    }
    for (a, b) in w.items.iter().zip(&synthetic.items) {
        assert_eq!(a.attrs, b.attrs, "{}", a.title);
    }
    // Latin-1 alternative titles decode; articles moved as MovieLens writes them.
    assert!(w.items.iter().any(|i| i.title.contains("Cité des enfants perdus, La")), "no Latin-1 title read");
    assert!(w.items.iter().any(|i| i.title.contains(", The (")));
    let target = (1_000_209.0f64 * scale * scale).round() as usize;
    assert_eq!(w.log.len() + w.held_out.len(), target);
    let c = l.report.completion.expect("completion report");
    assert!(c.held_out_rmse < c.mean_rmse, "completion no better than the mean: {c:?}");
    // Observed ratings are kept in the truth; the rest lies in 1-5.
    for r in w.log.iter().take(500) {
        assert_eq!(w.truth.get(r.user as usize, r.item as usize), r.value);
    }
    assert!((0..w.n_users()).all(|u| w.truth.row(u).iter().all(|v| (1.0..=5.0).contains(v))));
    assert_eq!(w.source, ialp::env::world::WorldSource::Real { preset: Preset::MovieLens, subsample: None });
}

#[test]
fn kuairec_reads_back_what_was_written() {
    let scale = 0.05;
    let synthetic = generate::world_of(Preset::KuaiRec, Size::Scale(scale), 7);
    let l = load(Preset::KuaiRec, files(Preset::KuaiRec, scale)).unwrap();
    let w = &l.world;
    assert_eq!((w.n_users(), w.n_items()), (synthetic.n_users(), synthetic.n_items()));
    for (a, b) in w.users.iter().zip(&synthetic.users) {
        assert_eq!(a.attrs, b.attrs);
    }
    for (a, b) in w.items.iter().zip(&synthetic.items) {
        assert_eq!(a.attrs, b.attrs);
        assert_eq!(a.tags, b.tags);
    }
    // The truth is the written watch ratio (to the ms of a duration), clipped to 5;
    // unobserved entries are filled, inside [0, 5].
    let mut close = 0;
    for u in 0..w.n_users() {
        for i in 0..w.n_items() {
            let (a, b) = (w.truth.get(u, i), synthetic.truth.get(u, i));
            assert!((0.0..=5.0).contains(&a));
            if (a - b).abs() < 2e-3 {
                close += 1;
            }
        }
    }
    let n = w.n_users() * w.n_items();
    assert!(close as f64 > 0.99 * n as f64, "{close} of {n} entries as written");
    assert_eq!(w.log.len(), synthetic.log.len(), "the log is the big matrix's rows inside the world");
    assert!(l.report.notes.iter().any(|n| n.contains("clipped")), "{:?}", l.report.notes);
    assert!(l.report.notes.iter().any(|n| n.contains("filled")), "{:?}", l.report.notes);
    assert_eq!(w.held_out.len(), real::kuairec::HELD_OUT.min(n));
}

#[test]
fn a_zip_archive_loads_to_the_same_world_as_its_files() {
    for (preset, scale) in [(Preset::MovieLens, 0.04), (Preset::KuaiRec, 0.04)] {
        let mut sink = ZipSink(zip::ZipWriter::new(Cursor::new(Vec::new())));
        generate::write(preset, Size::Scale(scale), 7, &mut sink).unwrap();
        let bytes = sink.0.finish().unwrap().into_inner();
        let mut zip = ZipSource::new("data.zip", Cursor::new(bytes)).unwrap();
        let mut stages = Vec::new();
        let a = real::load(preset, &mut zip, &mut |p| stages.push(p.stage)).unwrap();
        let b = load(preset, files(preset, scale)).unwrap();
        assert_eq!(world_digest(&a.world), world_digest(&b.world), "{preset:?}");
        assert!(stages.iter().any(|s| s.starts_with("reading ")), "{stages:?}");
    }
    let e = ZipSource::new("ml-1m.zip", Cursor::new(b"PK\x03\x04 not really".to_vec())).err().unwrap();
    assert!(e.to_string().starts_with("ml-1m.zip: is not a zip archive"), "{e}");
}

#[test]
fn subsamples_are_seeded_cuts() {
    let w: World = load(Preset::MovieLens, files(Preset::MovieLens, 0.05)).unwrap().world;
    let a = subsample(&w, Subsample { seed: 3, scale: 0.5 });
    let b = subsample(&w, Subsample { seed: 3, scale: 0.5 });
    let c = subsample(&w, Subsample { seed: 4, scale: 0.5 });
    assert_eq!(world_digest(&a), world_digest(&b));
    assert_ne!(world_digest(&a), world_digest(&c));
    assert_eq!(a.n_users(), (w.n_users() as f64 * 0.5).round() as usize);
    assert!(a.log.iter().all(|r| (r.user as usize) < a.n_users() && (r.item as usize) < a.n_items()));
    assert!(!a.log.is_empty());
}

#[test]
fn broken_movielens_files_are_named_with_their_line() {
    let ml = || files(Preset::MovieLens, 0.04);
    let cases: Vec<(Vec<(String, Vec<u8>)>, &str)> = vec![
        (edit(ml(), "ratings.dat", |b| set_line(b, 3, b"1,2,5,978300760")), "ratings.dat, line 3: expected 4 fields separated by '::'"),
        (edit(ml(), "ratings.dat", |b| set_line(b, 3, b"1::2::5")), "ratings.dat, line 3: has 3 fields"),
        (edit(ml(), "ratings.dat", |b| set_line(b, 2, b"1::2::6::978300760")), "ratings.dat, line 2: column 3 (Rating): 6 is outside 1-5"),
        (edit(ml(), "ratings.dat", |b| set_line(b, 2, b"99999::2::4::978300760")), "ratings.dat, line 2: column 1 (UserID): user 99999 is not in users.dat"),
        (edit(ml(), "ratings.dat", |b| set_line(b, 4, b"1::x::4::978300760")), "ratings.dat, line 4: column 2 (MovieID): 'x' is not a whole number"),
        (edit(ml(), "ratings.dat", |b| b.clear()), "ratings.dat: has no ratings"),
        (edit(ml(), "users.dat", |b| set_line(b, 1, b"1::X::1::10::48067")), "users.dat, line 1: column 2 (Gender): 'X' is not M or F"),
        (edit(ml(), "users.dat", |b| set_line(b, 1, b"1::F::2::10::48067")), "users.dat, line 1: column 3 (Age): 2 is not one of"),
        (edit(ml(), "movies.dat", |b| set_line(b, 2, b"2::Jumanji (1995)::Adventure|Space Opera")), "movies.dat, line 2: column 3 (Genres): 'Space Opera' is not one of the 18 genres"),
        (edit(ml(), "movies.dat", |b| set_line(b, 2, b"2::Jumanji::Adventure")), "movies.dat, line 2: column 2 (Title): 'Jumanji' does not end with its year"),
        (edit(ml(), "movies.dat", |b| *b = b.iter().flat_map(|c| [*c, 0]).collect()), "movies.dat, line 1: has NUL bytes"),
        (ml().into_iter().filter(|(n, _)| !n.ends_with("users.dat")).collect(), "users.dat is missing"),
    ];
    for (files, says) in cases {
        let e = err(Preset::MovieLens, files);
        assert!(e.starts_with(says), "expected '{says}…', got: {e}");
    }
}

#[test]
fn broken_kuairec_files_are_named_with_their_line() {
    let kr = || files(Preset::KuaiRec, 0.04);
    let cases: Vec<(Vec<(String, Vec<u8>)>, &str)> = vec![
        (edit(kr(), "small_matrix.csv", |b| set_line(b, 1, b"user_id;video_id;watch_ratio")), "small_matrix.csv, line 1: the header has no 'user_id' column (the file seems separated by ';'"),
        (edit(kr(), "small_matrix.csv", |b| set_line(b, 3, b"0,1,2,3,,,,abc")), "small_matrix.csv, line 3: column 8 (watch_ratio): 'abc' is not a number"),
        (edit(kr(), "small_matrix.csv", |b| set_line(b, 3, b"0,1,2")), "small_matrix.csv, line 3: has 3 fields, expected 8"),
        (edit(kr(), "small_matrix.csv", |b| set_line(b, 4, b"-5,1,2,3,,,,0.5")), "small_matrix.csv, line 4: column 1 (user_id): '-5' is not a whole number"),
        (edit(kr(), "small_matrix.csv", |b| b.clear()), "small_matrix.csv: is empty"),
        (edit(kr(), "item_categories.csv", |b| set_line(b, 2, b"0,[31]")), "item_categories.csv, line 2: column 2 (feat): category 31 is outside 0-30"),
        (edit(kr(), "item_categories.csv", |b| set_line(b, 2, b"0,\"[1, 2")), "item_categories.csv"),
        (edit(kr(), "user_features.csv", |b| set_line(b, 2, b"0,sleepy_active,0,0,0,1,\"(0,10]\",1,\"[1,10)\",0,\"[0,5)\",9,0-30,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0")), "user_features.csv"),
        (edit(kr(), "big_matrix.csv", |b| { let keep = b.len() / 2; b.truncate(keep); b.extend_from_slice(b"\n1,2") }), "big_matrix.csv, line"),
        (kr().into_iter().filter(|(n, _)| !n.ends_with("big_matrix.csv")).collect(), "big_matrix.csv is missing"),
    ];
    for (files, says) in cases {
        let e = err(Preset::KuaiRec, files);
        assert!(e.starts_with(says), "expected '{says}…', got: {e}");
    }
}
