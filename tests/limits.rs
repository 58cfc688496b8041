//! Files over their documented size (src/limits.rs) are refused before they are read,
//! with the limit named: a 2 GB data file, config, answer cache and policy file, in the
//! library and through the CLI. The files are sparse: 2 GB on paper, no disk used.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use ialp::env::real::generate::{self, MemSink, Size};
use ialp::env::real::{self, DirSource};
use ialp::env::Preset;

const TWO_GB: u64 = 2_000_000_000;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ialp-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sparse(path: &Path, bytes: u64) {
    std::fs::File::create(path).unwrap().set_len(bytes).unwrap();
}

#[test]
fn a_2_gb_data_file_is_refused_before_it_is_read() {
    let dir = scratch("data");
    let mut sink = MemSink::default();
    generate::write(Preset::KuaiRec, Size::Scale(0.03), 7, &mut sink).unwrap();
    for (name, bytes) in sink.0 {
        let base = Path::new(&name).file_name().unwrap();
        std::fs::write(dir.join(base), bytes).unwrap();
    }
    sparse(&dir.join("big_matrix.csv"), TWO_GB);
    let e = real::load(Preset::KuaiRec, &mut DirSource::new(&dir).unwrap(), &mut |_| {})
        .unwrap_err()
        .to_string();
    assert_eq!(e, "big_matrix.csv: is 2.0 GB, more than the 1.5 GB such a file may be");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_cli_refuses_a_2_gb_config_cache_or_policy_naming_the_limit() {
    let dir = scratch("cli");
    let big = dir.join("big.json");
    sparse(&big, TWO_GB);
    let small = dir.join("config.json");
    std::fs::write(&small, r#"{"env":{"preset":"coat","scale":0.1},"methods":["random"],"eval_episodes":5,"seed":1}"#).unwrap();
    let out = dir.join("out");
    let ialp = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_ialp")).args(args).output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).to_string())
    };
    let (code, err) = ialp(&["run", big.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is more than the 1 MB such a file may be"), "{err}");
    for (flag, limit) in [("--llm-cache", "64 MB"), ("--policy", "64 MB")] {
        let (code, err) = ialp(&["run", small.to_str().unwrap(), flag, big.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_ne!(code, Some(0), "{flag}: {err}");
        assert!(err.contains(&format!("is more than the {limit} such a file may be")), "{flag}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
