//! Files the user picked, read in the training worker without holding them whole:
//! `FileReaderSync` (workers only) reads one slice of a `Blob` at a time, so a 1 GB
//! `big_matrix.csv`, or a zip archive, is streamed like a file on disk.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use crate::env::real::source::base_name;
use crate::env::real::{DataError, Source, ZipSource};

/// A `Blob` as a seekable byte stream.
pub struct BlobReader {
    blob: web_sys::Blob,
    reader: web_sys::FileReaderSync,
    pos: u64,
    len: u64,
}

impl BlobReader {
    pub fn new(blob: web_sys::Blob) -> Result<Self, String> {
        let reader = web_sys::FileReaderSync::new()
            .map_err(|e| format!("this browser cannot read files in a worker: {e:?}"))?;
        let len = blob.size() as u64;
        Ok(Self { blob, reader, pos: 0, len })
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let end = (self.pos + buf.len() as u64).min(self.len);
        let slice = self
            .blob
            .slice_with_f64_and_f64(self.pos as f64, end as f64)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        let bytes = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| io::Error::other(format!("the file could not be read ({e:?}); was it moved or changed?")))?;
        let arr = js_sys::Uint8Array::new(&bytes);
        let n = arr.length() as usize;
        arr.copy_to(&mut buf[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let next = match to {
            SeekFrom::Start(p) => p as i128,
            SeekFrom::End(d) => self.len as i128 + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        if next < 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"));
        }
        self.pos = next as u64;
        Ok(self.pos)
    }
}

/// Files picked as loose files.
pub struct FileSource {
    files: Vec<web_sys::File>,
}

impl Source for FileSource {
    fn names(&self) -> Vec<String> {
        self.files.iter().map(|f| base_name(&f.name()).to_string()).collect()
    }
    fn open(&mut self, name: &str) -> Result<Option<(Box<dyn Read + '_>, u64)>, DataError> {
        let Some(f) = self.files.iter().rev().find(|f| base_name(&f.name()) == name) else {
            return Ok(None);
        };
        let r = BlobReader::new(f.clone().into()).map_err(|problem| DataError::Shape { file: name.into(), problem })?;
        let len = r.len;
        Ok(Some((Box::new(r), len)))
    }
}

/// The picked files as a [`Source`]: one zip archive (by name or by its first bytes)
/// is opened as an archive; anything else is taken as loose files.
pub fn source_of(files: Vec<web_sys::File>) -> Result<Box<dyn Source>, DataError> {
    if let [one] = files.as_slice() {
        let name = one.name();
        let mut r = BlobReader::new(one.clone().into()).map_err(|problem| DataError::Shape { file: name.clone(), problem })?;
        let mut magic = [0u8; 4];
        let n = r.read(&mut magic).unwrap_or(0);
        if name.to_ascii_lowercase().ends_with(".zip") || (n == 4 && magic == *b"PK\x03\x04") {
            r.seek(SeekFrom::Start(0)).map_err(|e| DataError::Shape { file: name.clone(), problem: e.to_string() })?;
            let zip = ZipSource::new(&name, BufReader::with_capacity(1 << 20, r))?;
            return Ok(Box::new(zip));
        }
    }
    Ok(Box::new(FileSource { files }))
}
