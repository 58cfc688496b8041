//! The world a config asks for: generated from the seed, or cut from a real data set on
//! disk (a folder or its zip archive). A data set is read once per process and kept, so
//! a sweep's runs share it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ialp::env::real::{self, DirSource, LoadReport, ZipSource};
use ialp::env::{Preset, World};
use ialp::experiment::{build_world, DataSource, ValidConfig};

use crate::error::{failed, CliError};

/// The config's world: generated, or cut from the real data set at `real` (a folder
/// or a zip archive). A data set is loaded once per process and kept (a sweep's
/// runs share it).
pub(crate) fn load_world(valid: &ValidConfig, real: Option<&Path>) -> Result<World, CliError> {
    let loaded = match (valid.data(), real) {
        (DataSource::Real, Some(path)) => Some(load_real(valid.preset(), path).map_err(failed)?),
        _ => None,
    };
    build_world(valid, loaded.as_ref().map(|l| &l.0)).map_err(failed)
}

type Kept = (PathBuf, Preset, Arc<(World, LoadReport)>);
static LOADED: Mutex<Option<Kept>> = Mutex::new(None);

/// What the load of `path` reported, if it was loaded.
pub(crate) fn loaded_report(path: &Path, preset: Preset) -> Option<LoadReport> {
    let kept = LOADED.lock().ok()?;
    kept.as_ref()
        .filter(|(p, pr, _)| p == path && *pr == preset)
        .map(|(_, _, l)| l.1.clone())
}

/// Loads the data set of `preset` from a folder or a zip archive, printing progress
/// on stderr; kept for the next call with the same path.
fn load_real(preset: Preset, path: &Path) -> Result<Arc<(World, LoadReport)>, String> {
    if let Some((p, pr, l)) = LOADED.lock().map_err(|e| e.to_string())?.as_ref() {
        if p == path && *pr == preset {
            return Ok(l.clone());
        }
    }
    let mut last = String::new();
    let mut progress = |p: real::LoadProgress| {
        if p.stage != last {
            eprintln!("{}…", p.stage);
            last = p.stage.clone();
        }
    };
    let loaded = if path.is_dir() {
        let mut src = DirSource::new(path).map_err(|e| e.to_string())?;
        real::load(preset, &mut src, &mut progress)
    } else if path.is_file() {
        let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("archive");
        let mut src =
            ZipSource::new(name, std::io::BufReader::new(f)).map_err(|e| e.to_string())?;
        real::load(preset, &mut src, &mut progress)
    } else {
        return Err(format!(
            "--real-dir {}: no such folder or file",
            path.display()
        ));
    }
    .map_err(|e| e.to_string())?;
    let kept = Arc::new((loaded.world, loaded.report));
    *LOADED.lock().map_err(|e| e.to_string())? = Some((path.to_path_buf(), preset, kept.clone()));
    Ok(kept)
}
