//! Every answer, kept by a hash of (provider, model, prompt), so that rerunning an
//! experiment — yours or someone else's, from an exported cache — costs no call and
//! needs no key. The cache holds prompts' hashes and answers only: never a key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cache file format. Bump on incompatible changes.
pub const CACHE_VERSION: u32 = 1;

/// One cached answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedAnswer {
    pub provider: String,
    pub model: String,
    pub text: String,
}

/// Answers by hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmCache {
    pub version: u32,
    pub entries: BTreeMap<String, CachedAnswer>,
}

/// A cache file that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CacheError {
    #[error("not an LLM cache file: {0}")]
    Format(String),
    #[error("cache version {0} is not supported (this version reads {CACHE_VERSION})")]
    Version(u32),
}

/// The hash an answer is kept under.
pub fn cache_key(provider: &str, model: &str, prompt: &str) -> String {
    let mut h = Sha256::new();
    for part in [provider, model, prompt] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl LlmCache {
    pub fn new() -> Self {
        Self {
            version: CACHE_VERSION,
            entries: BTreeMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, provider: &str, model: &str, prompt: &str) -> Option<&str> {
        self.entries
            .get(&cache_key(provider, model, prompt))
            .map(|a| a.text.as_str())
    }

    pub fn insert(&mut self, provider: &str, model: &str, prompt: &str, text: &str) {
        let a = CachedAnswer {
            provider: provider.into(),
            model: model.into(),
            text: text.into(),
        };
        self.entries.insert(cache_key(provider, model, prompt), a);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a cache serialises")
    }

    pub fn from_json(text: &str) -> Result<Self, CacheError> {
        if text.len() as u64 > crate::limits::CACHE_FILE_BYTES {
            return Err(CacheError::Format(format!(
                "{} of cache, more than the {} an answer cache may be",
                crate::limits::human(text.len() as u64),
                crate::limits::human(crate::limits::CACHE_FILE_BYTES)
            )));
        }
        // The version first: a newer page's cache may have another shape, and should be
        // named as newer, not as broken.
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        if let Ok(Versioned { version }) = serde_json::from_str::<Versioned>(text) {
            if version != CACHE_VERSION {
                return Err(CacheError::Version(version));
            }
        }
        let c: LlmCache =
            serde_json::from_str(text).map_err(|e| CacheError::Format(e.to_string()))?;
        if c.version != CACHE_VERSION {
            return Err(CacheError::Version(c.version));
        }
        if c.entries.len() > crate::limits::CACHE_ENTRIES {
            return Err(CacheError::Format(format!(
                "{} answers, more than the {} a cache may hold",
                c.entries.len(),
                crate::limits::CACHE_ENTRIES
            )));
        }
        if let Some(k) = c
            .entries
            .keys()
            .find(|k| k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(CacheError::Format(format!(
                "entry key {k:?} is not a SHA-256 hash"
            )));
        }
        Ok(c)
    }

    /// Adds `other`'s answers (existing ones are kept); returns how many were new.
    pub fn merge(&mut self, other: LlmCache) -> usize {
        let before = self.entries.len();
        for (k, v) in other.entries {
            self.entries.entry(k).or_insert(v);
        }
        self.entries.len() - before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_merge_and_bad_files() {
        let mut c = LlmCache::new();
        c.insert("openai", "m", "p", "{\"cases\":[]}");
        assert_eq!(c.get("openai", "m", "p"), Some("{\"cases\":[]}"));
        assert_eq!(c.get("openai", "m2", "p"), None);
        let back = LlmCache::from_json(&c.to_json()).unwrap();
        assert_eq!(back, c);
        let mut d = LlmCache::new();
        d.insert("openai", "m", "q", "x");
        assert_eq!(d.merge(back), 1);
        assert_eq!(d.len(), 2);
        assert!(matches!(
            LlmCache::from_json("[1,2"),
            Err(CacheError::Format(_))
        ));
        assert!(matches!(
            LlmCache::from_json(r#"{"version":9,"entries":{}}"#),
            Err(CacheError::Version(9))
        ));
        // A newer version with another entry shape is named as newer, not as broken.
        assert!(matches!(
            LlmCache::from_json(r#"{"version":9,"entries":{"x":1},"more":true}"#),
            Err(CacheError::Version(9))
        ));
        assert!(matches!(
            LlmCache::from_json(
                r#"{"version":1,"entries":{"abc":{"provider":"a","model":"b","text":"c"}}}"#
            ),
            Err(CacheError::Format(_))
        ));
        // Length-prefixed parts: moving a boundary changes the hash.
        assert_ne!(cache_key("ab", "c", "p"), cache_key("a", "bc", "p"));
    }
}
