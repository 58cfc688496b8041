//! The real Coat data set (Schnabel et al., ICML 2016) as DORL/EasyRL4Rec use it:
//! the self-selected ratings are the offline log, the pseudo-ground-truth matrix (every
//! entry 1–5) is the reward, the random-exposure ratings are held out.
//!
//! The loader takes file *contents* (the page reads them from a file picker, the CLI
//! from a folder) and checks every line, so a bad file gives an error naming the file,
//! the line and what was expected, never a panic.

use super::error::DataError;
use crate::env::catalogue::{coat_item, COAT_TAG_FIELD};
use crate::env::vocab::{FieldSpec, COAT_ITEM, COAT_USER};
use crate::env::world::{Rating, RatingMatrix, RewardScale, User, World, WorldSource};
use crate::env::Preset;

/// The files a Coat world is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoatFile {
    Train,
    Test,
    PseudoGt,
    UserFeatures,
    ItemFeatures,
}

impl CoatFile {
    pub const ALL: [CoatFile; 5] = [
        CoatFile::Train,
        CoatFile::Test,
        CoatFile::PseudoGt,
        CoatFile::UserFeatures,
        CoatFile::ItemFeatures,
    ];

    /// The file's name in the public data.
    pub fn file_name(self) -> &'static str {
        match self {
            CoatFile::Train => "train.ascii",
            CoatFile::Test => "test.ascii",
            CoatFile::PseudoGt => "pseudo_gt_rating_matrix.ascii",
            CoatFile::UserFeatures => "user_features.ascii",
            CoatFile::ItemFeatures => "item_features.ascii",
        }
    }

    /// Recognises a file by name, also under RL4Rec's name for the pseudo ground truth.
    pub fn from_name(name: &str) -> Option<CoatFile> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if base == "coat_pseudoGT_ratingM.ascii" {
            return Some(CoatFile::PseudoGt);
        }
        CoatFile::ALL.into_iter().find(|f| f.file_name() == base)
    }

    fn expected(self) -> String {
        let (u, i) = Preset::Coat.real_shape();
        match self {
            CoatFile::Train => {
                format!("{u} lines of {i} ratings 0-5 (0 = not rated): the self-selected log")
            }
            CoatFile::Test => {
                format!("{u} lines of {i} ratings 0-5 (0 = not rated): random-exposure ratings")
            }
            CoatFile::PseudoGt => {
                format!("{u} lines of {i} ratings 1-5: the completed ground truth")
            }
            CoatFile::UserFeatures => format!("{u} lines of {} one-hot columns", width(COAT_USER)),
            CoatFile::ItemFeatures => format!("{i} lines of {} one-hot columns", width(COAT_ITEM)),
        }
    }
}

fn width(fields: &[FieldSpec]) -> usize {
    fields.iter().map(|f| f.values.len()).sum()
}

/// The contents of the five Coat files.
#[derive(Debug, Clone, Default)]
pub struct CoatFiles {
    texts: [Option<String>; 5],
}

impl CoatFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file by its name; returns which file it was, or `None` if the name is not
    /// one of Coat's (such files are ignored, e.g. the `*_map.txt` files).
    pub fn add(&mut self, name: &str, text: String) -> Option<CoatFile> {
        let f = CoatFile::from_name(name)?;
        self.texts[f as usize] = Some(text);
        Some(f)
    }

    /// Reads the five files (and RL4Rec's name for the ground truth) from `source`;
    /// missing ones are reported by [`CoatFiles::load`].
    pub fn from_source(source: &mut dyn super::source::Source) -> Result<Self, DataError> {
        let mut files = CoatFiles::new();
        for name in source.names() {
            let Some(f) = CoatFile::from_name(&name) else { continue };
            let Some((r, n)) = source.open(&name)? else { continue };
            let limit = crate::limits::COAT_FILE_BYTES;
            let too_big = || DataError::Shape {
                file: f.file_name().into(),
                problem: format!("is more than the {} a Coat file may be (the largest is ~0.5 MB)", crate::limits::human(limit)),
            };
            if n > limit {
                return Err(too_big());
            }
            let mut bytes = Vec::new();
            let capped = super::capped::Capped::lines(r);
            std::io::Read::read_to_end(&mut std::io::Read::take(capped, limit + 1), &mut bytes).map_err(|e| {
                super::capped::as_data_error(f.file_name(), &e).unwrap_or_else(|| DataError::Shape {
                    file: f.file_name().into(),
                    problem: format!("could not be read ({e})"),
                })
            })?;
            if bytes.len() as u64 > limit {
                return Err(too_big());
            }
            let text = String::from_utf8(bytes).map_err(|_| DataError::Shape {
                file: f.file_name().into(),
                problem: "is not a text file (not UTF-8/ASCII)".into(),
            })?;
            files.texts[f as usize] = Some(text);
        }
        Ok(files)
    }

    /// The files still missing.
    pub fn missing(&self) -> Vec<CoatFile> {
        CoatFile::ALL
            .into_iter()
            .filter(|f| self.texts[*f as usize].is_none())
            .collect()
    }

    fn text(&self, f: CoatFile) -> Result<&str, DataError> {
        self.texts[f as usize]
            .as_deref()
            .ok_or_else(|| DataError::Missing {
                file: f.file_name().into(),
                expected: f.expected(),
            })
    }

    /// Checks every file and builds the world.
    pub fn load(&self) -> Result<World, DataError> {
        let (n_users, n_items) = Preset::Coat.real_shape();
        let truth = parse_grid(
            CoatFile::PseudoGt,
            self.text(CoatFile::PseudoGt)?,
            n_users,
            n_items,
            1,
            5,
        )?;
        let train = parse_grid(
            CoatFile::Train,
            self.text(CoatFile::Train)?,
            n_users,
            n_items,
            0,
            5,
        )?;
        let test = parse_grid(
            CoatFile::Test,
            self.text(CoatFile::Test)?,
            n_users,
            n_items,
            0,
            5,
        )?;
        let user_oh = parse_grid(
            CoatFile::UserFeatures,
            self.text(CoatFile::UserFeatures)?,
            n_users,
            width(COAT_USER),
            0,
            1,
        )?;
        let item_oh = parse_grid(
            CoatFile::ItemFeatures,
            self.text(CoatFile::ItemFeatures)?,
            n_items,
            width(COAT_ITEM),
            0,
            1,
        )?;

        let users = one_hot_attrs(CoatFile::UserFeatures, &user_oh, COAT_USER)?
            .into_iter()
            .map(|attrs| User { attrs })
            .collect();
        let items = one_hot_attrs(CoatFile::ItemFeatures, &item_oh, COAT_ITEM)?
            .into_iter()
            .map(|attrs| coat_item(attrs))
            .collect();
        let observed = |grid: &[Vec<u8>]| -> Vec<Rating> {
            let mut out = Vec::new();
            for (u, row) in grid.iter().enumerate() {
                for (i, v) in row.iter().enumerate() {
                    if *v > 0 {
                        out.push(Rating {
                            user: u as u32,
                            item: i as u32,
                            value: *v as f32,
                        });
                    }
                }
            }
            out
        };
        let rows: Vec<Vec<f32>> = truth
            .iter()
            .map(|r| r.iter().map(|v| *v as f32).collect())
            .collect();
        Ok(World {
            preset: Preset::Coat,
            source: WorldSource::RealCoat,
            user_fields: COAT_USER.iter().map(FieldSpec::to_field).collect(),
            item_fields: COAT_ITEM.iter().map(FieldSpec::to_field).collect(),
            users,
            items,
            tag_field: COAT_TAG_FIELD,
            truth: RatingMatrix::from_rows(&rows).expect("shape checked by parse_grid"),
            log: observed(&train),
            held_out: observed(&test),
            reward: RewardScale {
                min: 1.0,
                max: 5.0,
                name: "rating 1-5",
            },
        })
    }
}

/// One Coat file's grid, as the loader parses it (exposed for the fuzz tests, which
/// drive it at small shapes: the full files are 290 × 300).
#[doc(hidden)]
pub fn parse_coat_grid(file: CoatFile, text: &str, rows: usize, cols: usize, lo: u8, hi: u8) -> Result<Vec<Vec<u8>>, DataError> {
    parse_grid(file, text, rows, cols, lo, hi)
}

/// Parses a whitespace-separated grid of small integers with an exact shape.
fn parse_grid(
    file: CoatFile,
    text: &str,
    rows: usize,
    cols: usize,
    lo: u8,
    hi: u8,
) -> Result<Vec<Vec<u8>>, DataError> {
    let name = file.file_name();
    // The page hands over texts it read whole (at most a Coat file's size): their lines
    // are capped like a streamed file's.
    if let Some((idx, _)) = text.lines().enumerate().find(|(_, l)| l.len() > crate::limits::LINE_BYTES) {
        return Err(DataError::Malformed {
            file: name.into(),
            line: idx + 1,
            problem: super::capped::Overlong::Line { line: idx as u64 + 1 }.to_string(),
        });
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() != rows {
        return Err(DataError::Shape {
            file: name.into(),
            problem: format!(
                "has {} non-empty lines, expected {}",
                lines.len(),
                file.expected()
            ),
        });
    }
    let mut grid = Vec::with_capacity(rows);
    for (idx, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let malformed = |problem: String| DataError::Malformed {
            file: name.into(),
            line: idx + 1,
            problem,
        };
        let mut row = Vec::with_capacity(cols);
        for (col, tok) in line.split_whitespace().enumerate() {
            // Some exports write integers as floats ("3.0"); accept those, nothing else.
            let value = tok
                .parse::<u8>()
                .ok()
                .or_else(|| {
                    tok.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= 255.0)
                        .map(|f| f as u8)
                })
                .ok_or_else(|| {
                    malformed(format!(
                        "column {}: '{}' is not a whole number",
                        col + 1,
                        clip(tok)
                    ))
                })?;
            if value < lo || value > hi {
                return Err(malformed(format!(
                    "column {}: {value} is outside {lo}-{hi}",
                    col + 1
                )));
            }
            row.push(value);
        }
        if row.len() != cols {
            return Err(malformed(format!(
                "has {} values, expected {cols}",
                row.len()
            )));
        }
        grid.push(row);
    }
    Ok(grid)
}

fn clip(s: &str) -> String {
    s.chars().take(20).collect()
}

/// Reads one-hot groups (one per field, in order) into value indices.
fn one_hot_attrs(
    file: CoatFile,
    grid: &[Vec<u8>],
    fields: &[FieldSpec],
) -> Result<Vec<Vec<Vec<u16>>>, DataError> {
    grid.iter()
        .enumerate()
        .map(|(r, row)| {
            let mut start = 0;
            fields
                .iter()
                .map(|f| {
                    let group = &row[start..start + f.values.len()];
                    start += f.values.len();
                    let ones: Vec<u16> = group
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| **v == 1)
                        .map(|(i, _)| i as u16)
                        .collect();
                    if ones.len() == 1 {
                        Ok(ones)
                    } else {
                        Err(DataError::Malformed {
                            file: file.file_name().into(),
                            line: r + 1,
                            problem: format!(
                                "field '{}' has {} ones, expected exactly one",
                                f.name,
                                ones.len()
                            ),
                        })
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_recognised() {
        assert_eq!(
            CoatFile::from_name("data/coat/train.ascii"),
            Some(CoatFile::Train)
        );
        assert_eq!(
            CoatFile::from_name("coat_pseudoGT_ratingM.ascii"),
            Some(CoatFile::PseudoGt)
        );
        assert_eq!(CoatFile::from_name("item_features_map.txt"), None);
    }

    #[test]
    fn grid_errors_name_line_and_column() {
        let e = parse_grid(CoatFile::Train, "1 2 3\n1 x 3\n", 2, 3, 0, 5).unwrap_err();
        assert_eq!(
            e,
            DataError::Malformed {
                file: "train.ascii".into(),
                line: 2,
                problem: "column 2: 'x' is not a whole number".into()
            }
        );
        let e = parse_grid(CoatFile::Train, "1 2 3\n1 2\n", 2, 3, 0, 5).unwrap_err();
        assert!(
            e.to_string().contains("line 2: has 2 values, expected 3"),
            "{e}"
        );
        let e = parse_grid(CoatFile::PseudoGt, "1 2 0\n", 1, 3, 1, 5).unwrap_err();
        assert!(e.to_string().contains("0 is outside 1-5"), "{e}");
        assert!(parse_grid(CoatFile::Train, "1 2 3.0\n", 1, 3, 0, 5).is_ok());
    }

    #[test]
    fn a_line_past_the_cap_is_named_read_whole_or_streamed() {
        let long = format!("1 2 3\n{}\n", "1 ".repeat(crate::limits::LINE_BYTES));
        let want = "train.ascii, line 2: longer than 64 KB (a line of a data file is at most 64 KB: is it the right file, with its line ends?)";
        let e = parse_grid(CoatFile::Train, &long, 2, 3, 0, 5).unwrap_err();
        assert_eq!(e.to_string(), want);
        let mut source = crate::env::real::MemSource::new(vec![("coat/train.ascii".into(), long.into_bytes())]);
        let e = CoatFiles::from_source(&mut source).unwrap_err();
        assert_eq!(e.to_string(), want);
    }
}
