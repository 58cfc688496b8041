//! Where data files come from: a folder, a zip archive, or bytes in memory. A loader
//! asks for a file by its base name (`ratings.dat`) wherever it sits in the folder or
//! archive (`ml-1m/ratings.dat`).

use std::io::{Read, Seek};

use super::error::DataError;

/// Named files that can be opened as byte streams.
pub trait Source {
    /// The base names of the files it holds.
    fn names(&self) -> Vec<String>;
    /// Opens the file called `name` (a base name); `None` if there is none. Also
    /// returns its length in bytes (for progress).
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError>;
}

/// The base name of a path inside a folder or an archive.
pub fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Files held in memory as `(name, bytes)` (tests; small files the page read).
#[derive(Debug, Clone, Default)]
pub struct MemSource {
    pub files: Vec<(String, Vec<u8>)>,
}

impl MemSource {
    pub fn new(files: Vec<(String, Vec<u8>)>) -> Self {
        Self { files }
    }
}

impl Source for MemSource {
    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(n, _)| base_name(n).to_string()).collect()
    }
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError> {
        Ok(self
            .files
            .iter()
            .rev()
            .find(|(n, _)| base_name(n) == name)
            .map(|(_, b)| (Box::new(&b[..]) as Box<dyn Read>, b.len() as u64)))
    }
}

/// The files inside a zip archive (stored or deflated), read entry by entry: an entry
/// is decompressed as it is read, never held whole.
pub struct ZipSource<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    name: String,
    /// `(base name, entry index)` of the regular files, skipping macOS resource forks.
    entries: Vec<(String, usize)>,
}

impl<R: Read + Seek> ZipSource<R> {
    /// Opens the archive `name` (for messages) read from `reader`.
    pub fn new(name: &str, reader: R) -> Result<Self, DataError> {
        let archive = zip::ZipArchive::new(reader).map_err(|e| DataError::Shape {
            file: name.into(),
            problem: format!("is not a zip archive that can be read ({e})"),
        })?;
        let entries = (0..archive.len())
            .filter_map(|i| {
                let path = archive.name_for_index(i)?.ok()?.to_string();
                let base = base_name(&path).to_string();
                let skip = path.ends_with('/')
                    || path.starts_with("__MACOSX/")
                    || base.starts_with("._")
                    || base.is_empty();
                (!skip).then_some((base, i))
            })
            .collect();
        Ok(Self {
            archive,
            name: name.into(),
            entries,
        })
    }
}

impl<R: Read + Seek> Source for ZipSource<R> {
    fn names(&self) -> Vec<String> {
        self.entries.iter().map(|(n, _)| n.clone()).collect()
    }
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError> {
        let Some(&(_, index)) = self.entries.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        let archive_name = self.name.clone();
        let entry = self.archive.by_index(index).map_err(|e| DataError::Shape {
            file: format!("{archive_name}: {name}"),
            problem: format!("cannot be read from the archive ({e})"),
        })?;
        let size = entry.size();
        Ok(Some((Box::new(entry), size)))
    }
}

/// The files of a folder (the CLI's `--real-dir`), also one level down
/// (`ml-1m/ratings.dat`, `KuaiRec 2.0/data/small_matrix.csv` two levels down).
#[cfg(not(target_arch = "wasm32"))]
pub struct DirSource {
    files: Vec<(String, std::path::PathBuf)>,
}

#[cfg(not(target_arch = "wasm32"))]
impl DirSource {
    pub fn new(dir: &std::path::Path) -> Result<Self, DataError> {
        if !dir.is_dir() {
            return Err(DataError::Shape {
                file: dir.display().to_string(),
                problem: "is not a folder".into(),
            });
        }
        let mut files = Vec::new();
        let mut queue = std::collections::VecDeque::from([(dir.to_path_buf(), 0)]);
        while let Some((d, depth)) = queue.pop_front() {
            let rd = std::fs::read_dir(&d).map_err(|e| DataError::Shape {
                file: d.display().to_string(),
                problem: format!("cannot be listed ({e})"),
            })?;
            let mut here: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            here.sort();
            for p in here {
                if p.is_dir() && depth < 2 {
                    queue.push_back((p, depth + 1));
                } else if p.is_file() {
                    if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
                        // A file at a shallower level wins over one deeper down.
                        if !files.iter().any(|(f, _): &(String, _)| f == n) {
                            files.push((n.to_string(), p.clone()));
                        }
                    }
                }
            }
        }
        Ok(Self { files })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Source for DirSource {
    fn names(&self) -> Vec<String> {
        self.files.iter().map(|(n, _)| n.clone()).collect()
    }
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError> {
        let Some((_, path)) = self.files.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        let f = std::fs::File::open(path).map_err(|e| DataError::Shape {
            file: path.display().to_string(),
            problem: format!("cannot be opened ({e})"),
        })?;
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Some((Box::new(f), len)))
    }
}
