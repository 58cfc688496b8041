//! `ialp generate-data`: a data set in the exact public format of MovieLens-1M or
//! KuaiRec 2.0, generated from a seed, as a folder or one zip archive.

use ialp::env::real::generate::{self, DirSink, Size, ZipSink};
use ialp::env::Preset;

use crate::args::GenerateArgs;
use crate::error::{failed, usage, CliError};

pub(crate) fn generate_data(a: GenerateArgs) -> Result<(), CliError> {
    let preset = a.env;
    if preset == Preset::Coat {
        return Err(usage("--env coat: the real Coat files are public and small (../shared/data/coat); nothing to generate"));
    }
    let size = match a.scale {
        None => Size::Full,
        Some(s) if (0.02..=1.0).contains(&s) => Size::Scale(s),
        Some(s) => return Err(usage(format!("--scale {s}: must be within 0.02-1"))),
    };
    let t = std::time::Instant::now();
    if a.zip {
        let f = std::fs::File::create(&a.out)
            .map_err(|e| failed(format!("{}: {e}", a.out.display())))?;
        let mut sink = ZipSink(zip::ZipWriter::new(std::io::BufWriter::new(f)));
        generate::write(preset, size, a.seed, &mut sink).map_err(failed)?;
        sink.0.finish().map_err(failed)?;
    } else {
        generate::write(preset, size, a.seed, &mut DirSink(a.out.clone())).map_err(failed)?;
    }
    eprintln!(
        "wrote {} in {:.1} s",
        a.out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
