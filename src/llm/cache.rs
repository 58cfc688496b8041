//! Every answer, kept by a hash of (provider, host, model, prompt), so that rerunning an
//! experiment — yours or someone else's, from an exported cache — costs no call and
//! needs no key. The cache holds prompts' hashes and answers only: never a key. The host
//! (the base URL's origin) is part of the key: answers another host gave under a
//! provider's name are never replayed as that provider's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The cache file format. Bump on incompatible changes. Version 2 keys answers by host
/// too; version 1 files (keyed by provider, model and prompt only) are refused by name.
pub const CACHE_VERSION: u32 = 2;

/// One cached answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedAnswer {
    pub provider: String,
    /// Where the answer came from: the base URL's origin (`https://api.openai.com`);
    /// empty for the stand-ins, which answer on this machine.
    pub origin: String,
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
    #[error("this cache is of version 1, which did not record which host gave each answer, so its answers cannot be replayed for a host (this version reads version {CACHE_VERSION}); nothing was taken from it: run again to ask anew")]
    NoHost,
}

/// The hash an answer is kept under: who was asked (`provider`, at `origin`, `model`)
/// and the prompt. `origin` is the base URL's origin, empty for the stand-ins.
pub fn cache_key(provider: &str, origin: &str, model: &str, prompt: &str) -> String {
    let mut h = Sha256::new();
    for part in [provider, origin, model, prompt] {
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

    /// The answer `provider` at `origin` gave with `model` to `prompt`, if kept.
    pub fn get(&self, provider: &str, origin: &str, model: &str, prompt: &str) -> Option<&str> {
        self.entries
            .get(&cache_key(provider, origin, model, prompt))
            .map(|a| a.text.as_str())
    }

    pub fn insert(&mut self, provider: &str, origin: &str, model: &str, prompt: &str, text: &str) {
        let a = CachedAnswer {
            provider: provider.into(),
            origin: origin.into(),
            model: model.into(),
            text: text.into(),
        };
        self.entries
            .insert(cache_key(provider, origin, model, prompt), a);
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
            if version == 1 {
                return Err(CacheError::NoHost);
            }
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
        let o = "https://api.openai.com";
        c.insert("openai", o, "m", "p", "{\"cases\":[]}");
        assert_eq!(c.get("openai", o, "m", "p"), Some("{\"cases\":[]}"));
        assert_eq!(c.get("openai", o, "m2", "p"), None);
        let back = LlmCache::from_json(&c.to_json()).unwrap();
        assert_eq!(back, c);
        let mut d = LlmCache::new();
        d.insert("openai", o, "m", "q", "x");
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
                r#"{"version":2,"entries":{"abc":{"provider":"a","origin":"","model":"b","text":"c"}}}"#
            ),
            Err(CacheError::Format(_))
        ));
        // Length-prefixed parts: moving a boundary changes the hash.
        assert_ne!(cache_key("ab", "", "c", "p"), cache_key("a", "", "bc", "p"));
    }

    #[test]
    fn an_answer_from_another_host_is_not_replayed() {
        let mut c = LlmCache::new();
        c.insert("openai", "http://127.0.0.1:9", "gpt-4o-mini", "p", "{}");
        assert_eq!(
            c.get("openai", "https://api.openai.com", "gpt-4o-mini", "p"),
            None
        );
        assert_eq!(
            c.get("openai", "http://127.0.0.1:9", "gpt-4o-mini", "p"),
            Some("{}")
        );
        let kept = LlmCache::from_json(&c.to_json()).unwrap();
        let a = kept.entries.values().next().unwrap();
        assert_eq!(
            a.origin, "http://127.0.0.1:9",
            "the answer says where it came from"
        );
        // A version-1 file (no host) is refused by name, not read as if from any host.
        let old = format!(
            r#"{{"version":1,"entries":{{"{}":{{"provider":"openai","model":"m","text":"{{}}"}}}}}}"#,
            "a".repeat(64)
        );
        let e = LlmCache::from_json(&old).unwrap_err();
        assert_eq!(e, CacheError::NoHost);
        assert!(e.to_string().contains("which host"), "{e}");
    }
}
