//! The keys the page holds, each bound to one provider and origin, and the format
//! "Remember on this device" stores them in.

use serde::{Deserialize, Serialize};

use super::{ApiKey, KeyBinding};

/// A key with the place it may go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundKey {
    pub binding: KeyBinding,
    pub key: ApiKey,
}

/// The keys the page holds: each bound to one provider and origin; plus, from an older
/// version of the page, at most one key bound to nothing, used only after the user
/// confirms it for a host. What "Remember on this device" stores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRing {
    pub version: u32,
    pub keys: Vec<BoundKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unbound: Option<ApiKey>,
}

/// The storage format of [`KeyRing`].
pub const KEYRING_VERSION: u32 = 2;

impl KeyRing {
    pub fn new() -> Self {
        Self {
            version: KEYRING_VERSION,
            ..Self::default()
        }
    }

    /// The key for exactly this provider and origin, if any.
    pub fn get(&self, binding: &KeyBinding) -> Option<&ApiKey> {
        self.keys
            .iter()
            .find(|k| &k.binding == binding)
            .map(|k| &k.key)
    }

    /// Binds `key` to `binding` (an empty key removes that binding's key).
    pub fn set(&mut self, binding: KeyBinding, key: ApiKey) {
        self.keys.retain(|k| k.binding != binding);
        if !key.is_empty() {
            self.keys.push(BoundKey { binding, key });
        }
    }

    /// Where the other keys may go (for the page to say "your key for … is not sent").
    pub fn others(&self, binding: &KeyBinding) -> Vec<&KeyBinding> {
        self.keys
            .iter()
            .map(|k| &k.binding)
            .filter(|b| *b != binding)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.unbound.is_none()
    }

    /// Reads a stored ring; a bare string is an older page's key, kept unbound.
    pub fn from_stored(text: &str) -> KeyRing {
        match serde_json::from_str::<KeyRing>(text) {
            Ok(r) if r.version == KEYRING_VERSION => r,
            _ if !text.trim().is_empty() && !text.trim_start().starts_with('{') => KeyRing {
                unbound: Some(ApiKey::new(text)),
                ..KeyRing::new()
            },
            _ => KeyRing::new(),
        }
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a key ring serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::config::Provider;

    #[test]
    fn a_ring_gives_a_key_only_for_its_own_provider_and_origin() {
        let a = KeyBinding {
            provider: Provider::OpenAi,
            origin: "http://127.0.0.1:1000".into(),
        };
        let b = KeyBinding {
            origin: "http://127.0.0.1:2000".into(),
            ..a.clone()
        };
        let a_anthropic = KeyBinding {
            provider: Provider::Anthropic,
            ..a.clone()
        };
        let mut ring = KeyRing::new();
        ring.set(a.clone(), ApiKey::new("key-for-a"));
        assert_eq!(ring.get(&a).map(ApiKey::expose), Some("key-for-a"));
        assert_eq!(ring.get(&b), None, "another port is another origin");
        assert_eq!(ring.get(&a_anthropic), None, "another protocol too");
        assert_eq!(ring.others(&b), vec![&a]);
        let back = KeyRing::from_stored(&ring.to_stored());
        assert_eq!(back, ring);
        ring.set(a.clone(), ApiKey::default());
        assert!(ring.is_empty());
        // An older page stored a bare key: kept, but bound to nothing.
        let old = KeyRing::from_stored("sk-old-key");
        assert_eq!(old.unbound.as_ref().map(ApiKey::expose), Some("sk-old-key"));
        assert!(old.keys.is_empty());
        assert_eq!(KeyRing::from_stored("{broken"), KeyRing::new());
        assert!(!format!("{:?}", back).contains("key-for-a"));
    }
}
