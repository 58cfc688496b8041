//! The API key and where it may go: a key is bound to the origin it was given for
//! (provider + the base URL's scheme, host and port), is never printed by `Debug`, and is
//! hidden from every text we show or keep, whole or in pieces, raw or encoded.
//!
//! These are the rules the page and the CLI both enforce (README, "Using an API key"):
//! a link or config can name any host, but a key only goes to the origin it is bound to,
//! and the CLI sends a provider's default key variable only to that provider's default
//! host unless `--key-env` names the variable explicitly.
//!
//! This file holds [`ApiKey`]; the rules are by topic: `origin.rs` (origins, the binding,
//! loopback, plain http, the page's `connect-src`), `cli.rs` (`--key-env` and where the
//! CLI sends a key from the environment), `ring.rs` (the keys the page keeps, and their
//! storage format), `redact.rs` (hiding a key in every text).

mod cli;
mod origin;
mod redact;
mod ring;

use serde::{Deserialize, Serialize};

pub use cli::{cli_key_allowed, grid_key_origin, GridOrigins, KeyEnv, KeyEnvError, KeyRefused};
pub use origin::{
    connect_src_allows, is_loopback, key_may_travel_to, origin_of, KeyBinding, KeyTransportError,
    UrlError,
};
pub use redact::{redact, redact_cut, HIDDEN};
pub use ring::{BoundKey, KeyRing, KEYRING_VERSION};

/// A provider's API key. `Debug` prints `<key>`, so no struct that carries one can leak
/// it into a log; serialising it (to hand it to the worker for one run) is explicit.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: &str) -> Self {
        Self(key.trim().to_string())
    }
    /// The key itself: only for the request header and for redaction.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<no key>"
        } else {
            "<key>"
        })
    }
}
