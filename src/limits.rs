//! The upper bound of every size a user, a link or a file can set, in one place. Each
//! door of untrusted input (data files, results overlays, policy files, answer caches,
//! links, configs, LLM answers and provider responses) is checked against its bound
//! *before* it is read whole, and the error names the bound. The config's own numbers
//! are bounded in `experiment/bounds.rs`, and their products (memory, work) in
//! `experiment/cost.rs`. README's security section lists them.

/// A data file of a real data set (KuaiRec's `big_matrix.csv` is 1.14 GB).
pub const DATA_FILE_BYTES: u64 = 1_500_000_000;
/// A line of a data file. The longest of the three data sets' are ~600 bytes (a row of
/// Coat's 300 ratings; MovieLens' and KuaiRec's are under 400), so a line past this is
/// a file without line ends, refused before it is held whole.
pub const LINE_BYTES: usize = 64_000;
/// A record of a CSV data file (KuaiRec), which may span lines inside quotes; none of
/// KuaiRec's does, so one past this is a quote left open.
pub const RECORD_BYTES: usize = 256_000;
/// Rows of the offline log a loader keeps (MovieLens-1M has 1,000,209 ratings,
/// KuaiRec's `big_matrix.csv` 12,530,806 rows): 12 bytes each, 300 MB at most.
pub const LOG_ROWS: usize = 25_000_000;
/// Rows of a table of users or items (MovieLens-1M has 6,040 users and 3,883 films);
/// each row is a few small allocations.
pub const TABLE_ROWS: usize = 1_000_000;
/// One of the five Coat files (the largest is ~0.5 MB), read whole.
pub const COAT_FILE_BYTES: u64 = 16_000_000;
/// A results file to overlay (paper-coat-real's is ~6 MB).
pub const RESULTS_FILE_BYTES: u64 = 256_000_000;
/// A policy file (a MovieLens-at-scale-2 policy is ~10 MB of JSON).
pub const POLICY_FILE_BYTES: u64 = 64_000_000;
/// An LLM answer cache to import.
pub const CACHE_FILE_BYTES: u64 = 64_000_000;
/// Entries an answer cache may hold (a run asks at most `llm.max_calls` = 100,000).
pub const CACHE_ENTRIES: usize = 100_000;
/// A config file (a full config is ~3 KB).
pub const CONFIG_FILE_BYTES: u64 = 1_000_000;
/// A sweep grid file.
pub const GRID_FILE_BYTES: u64 = 1_000_000;
/// A provider's HTTP response body (an answer of `llm.max_tokens` = 32,768 tokens is
/// ~130 KB).
pub const RESPONSE_BYTES: u64 = 8_000_000;
/// A provider's error text as kept and shown (bytes): cut to this before the key is
/// hidden in it, so a huge error body is not searched for the key on every retry.
pub const ERROR_TEXT_BYTES: usize = 2_000;
/// A model name (characters): a link can set it, and the estimate panel shows it.
pub const MODEL_CHARS: usize = 200;
/// A prompt template (characters).
pub const TEMPLATE_CHARS: usize = 20_000;
/// Copies of `{cases}` in a template (each repeats every user and candidate).
pub const TEMPLATE_CASES: usize = 4;
/// Parameters of a policy network (actor and critic): a 1,024-wide network over
/// 20,000 items is ~22 M.
pub const POLICY_PARAMETERS: usize = 50_000_000;

/// Something bigger than a size limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is {}, more than the {} such a file may be", human(*.bytes), human(*.limit))]
pub struct TooBig {
    pub what: String,
    pub bytes: u64,
    pub limit: u64,
}

/// `Err` naming `what` and the bound if `bytes` is over `limit`.
pub fn check_size(what: &str, bytes: u64, limit: u64) -> Result<(), TooBig> {
    if bytes > limit {
        Err(TooBig {
            what: what.into(),
            bytes,
            limit,
        })
    } else {
        Ok(())
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes for people: `1.5 GB`, `64 MB`, `12 KB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} KB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads the text file at `path`, refusing one over `limit` bytes before reading more
/// than that (the error names the bound; other errors keep their kind, so a caller can
/// still tell a missing file).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_text(path: &std::path::Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "is more than the {} such a file may be",
            human(limit)
        )));
    }
    Ok(text)
}
