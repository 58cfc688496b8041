//! The API key and where it may go: a key is bound to the origin it was given for
//! (provider + the base URL's scheme, host and port), is never printed by `Debug`, and is
//! hidden from every text we show or keep, whole or in pieces, raw or encoded.
//!
//! These are the rules the page and the CLI both enforce (README, "Using an API key"):
//! a link or config can name any host, but a key only goes to the origin it is bound to,
//! and the CLI sends a provider's default key variable only to that provider's default
//! host unless `--key-env` names the variable explicitly.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::config::{LlmConfig, Provider};

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

/// Why a base URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("must start with http:// or https://, got {0:?}")]
    Scheme(String),
    #[error("has no host")]
    NoHost,
    #[error("must not carry a user name or password (user:pass@host): put the key in the key field, never in the URL")]
    UserInfo,
    #[error("must not have a query (?…) or a fragment (#…): a key in the URL would end up in links, results and logs; put it in the key field")]
    Query,
    #[error("has a bad port {0:?}")]
    Port(String),
}

/// The origin of `url`: `scheme://host[:port]`, lower-case, the scheme's default port
/// left out (`https://API.example.com:443/v1` → `https://api.example.com`). Refuses URLs
/// with user info, a query or a fragment, where a key could hide.
pub fn origin_of(url: &str) -> Result<String, UrlError> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("https://") {
        ("https", &url[8..])
    } else if lower.starts_with("http://") {
        ("http", &url[7..])
    } else {
        return Err(UrlError::Scheme(url.to_string()));
    };
    if rest.contains('?') || rest.contains('#') {
        return Err(UrlError::Query);
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(UrlError::UserInfo);
    }
    // `[::1]:8080`, `host:8080`, `host`.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']').ok_or(UrlError::NoHost)?;
        let after = &v6[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(UrlError::Port(after.to_string())),
        };
        (format!("[{}]", &v6[..end]), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(UrlError::NoHost);
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| UrlError::Port(p.to_string()))?,
        ),
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let host = host.to_ascii_lowercase();
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Where a key may be sent: one provider protocol at one origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBinding {
    pub provider: Provider,
    pub origin: String,
}

impl KeyBinding {
    /// Where `config`'s requests go; `None` for the stand-ins or a URL we refuse.
    pub fn of(config: &LlmConfig) -> Option<KeyBinding> {
        if !config.provider.is_remote() {
            return None;
        }
        Some(KeyBinding {
            provider: config.provider,
            origin: origin_of(config.base_url()).ok()?,
        })
    }

    /// Whether this is the provider's own public API (not a host a config named).
    pub fn is_default_host(&self) -> bool {
        origin_of(self.provider.default_base_url()).is_ok_and(|o| o == self.origin)
    }

    /// `openai at https://api.openai.com`.
    pub fn describe(&self) -> String {
        format!("{} at {}", self.provider.id(), self.origin)
    }
}

/// Whether a base URL or origin points at this machine (a local server may need no
/// key, and may be spoken to over plain `http://`): the host, parsed out of
/// `scheme://host[:port][/path]`, is `localhost`, a loopback IPv4 address (`127.0.0.0/8`)
/// or `[::1]`. `127.0.0.1.evil.example` and `localhost.evil` are other hosts.
pub fn is_loopback(url: &str) -> bool {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    // `[::1]:8080` / `host:8080` / `host`; a port, if any, must be digits.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, after)) => match after {
                "" => (h, None),
                a => match a.strip_prefix(':') {
                    Some(p) => (h, Some(p)),
                    None => return false,
                },
            },
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return false;
    }
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if authority.starts_with('[') {
        return host.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why a key may not be sent to an origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyTransportError {
    #[error("{0} is plain http:// to a host that is not this machine: the API key would cross the network unencrypted, readable by anyone on the way. Use https://, or a server on this machine (localhost, 127.0.0.1, [::1]), or send no key")]
    PlainHttp(String),
}

/// Whether a key may be sent to `origin` at all: over `https://`, or over `http://` only
/// to this machine ([`is_loopback`]).
pub fn key_may_travel_to(origin: &str) -> Result<(), KeyTransportError> {
    let plain = origin
        .trim()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    if plain && !is_loopback(origin) {
        return Err(KeyTransportError::PlainHttp(origin.to_string()));
    }
    Ok(())
}

/// Whether a page whose `connect-src` directive holds `sources` (space-separated, as
/// www/boot.js writes them) may connect to `origin` (`scheme://host[:port]`, as
/// [`origin_of`] gives it), the page itself being at `page_origin`. Knows the source
/// forms the page uses: `'self'`, `https:` / `http:`, an exact origin, and an origin
/// with any port (`http://localhost:*`).
pub fn connect_src_allows(sources: &str, origin: &str, page_origin: &str) -> bool {
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    // `[::1]:8080` / `host:8080` / `host`: the host without its port.
    let host = match rest.strip_prefix('[') {
        Some(v6) => format!("[{}", v6.split(']').next().unwrap_or_default()) + "]",
        None => rest.split(':').next().unwrap_or_default().to_string(),
    };
    sources.split_ascii_whitespace().any(|s| {
        let s = s.to_ascii_lowercase();
        match s.as_str() {
            "'self'" => origin == page_origin,
            "*" => true,
            x if x.ends_with(':') && !x.contains('/') => x.trim_end_matches(':') == scheme,
            x => match x.strip_suffix(":*") {
                Some(any_port) => any_port == format!("{scheme}://{host}"),
                None => x == origin,
            },
        }
    })
}

/// The CLI's `--key-env VAR` or `--key-env VAR@ORIGIN`: the variable that holds the key
/// and, bound to it, the one origin it may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEnv {
    pub var: String,
    /// `scheme://host[:port]` as [`origin_of`] gives it; `None`: whatever one origin the
    /// run (or every run of a grid) names.
    pub origin: Option<String>,
}

/// Why a `--key-env` value cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyEnvError {
    #[error("--key-env {flag:?}: give the name of an environment variable, as NAME or NAME@https://host")]
    NotAName { flag: String },
    #[error("--key-env {flag}: the origin after @ {error}")]
    Origin { flag: String, error: UrlError },
}

impl KeyEnv {
    /// Reads the flag's value; the origin may be given as a base URL (its path is dropped).
    pub fn parse(flag: &str) -> Result<KeyEnv, KeyEnvError> {
        let (var, origin) = match flag.split_once('@') {
            Some((v, o)) => (v.trim(), Some(o.trim())),
            None => (flag.trim(), None),
        };
        if var.is_empty() || var.contains(['=', '\0']) || var.chars().any(char::is_whitespace) {
            return Err(KeyEnvError::NotAName { flag: flag.into() });
        }
        let origin = origin
            .map(|o| {
                origin_of(o).map_err(|error| KeyEnvError::Origin {
                    flag: flag.into(),
                    error,
                })
            })
            .transpose()?;
        Ok(KeyEnv {
            var: var.to_string(),
            origin,
        })
    }

    /// The flag's value again (`VAR` or `VAR@ORIGIN`), for a job script.
    pub fn to_flag(&self) -> String {
        match &self.origin {
            Some(o) => format!("{}@{o}", self.var),
            None => self.var.clone(),
        }
    }
}

/// Why the CLI does not send a key from the environment where a config points. Every
/// message ends the run before anything is sent, and says how to allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    /// Plain `http://` to another machine.
    #[error(transparent)]
    Transport(#[from] KeyTransportError),
    /// `--key-env VAR@BOUND`, and the config names another origin.
    #[error("--key-env {var}@{bound} lets the key go to {bound} only, but the config sends {provider} requests to {origin}: refused, nothing was sent. Use --key-env {var}@{origin} if you trust that host")]
    OtherOrigin {
        var: String,
        bound: String,
        provider: &'static str,
        origin: String,
    },
    /// No `--key-env`: the provider's default variable, and a host other than its own.
    #[error("the config sends {provider} requests to {origin}, not to {default_url}; {default_var} is not sent to another host unless you name it: add --key-env {default_var}@{origin} if you trust {origin}, or unset {default_var} (a local server may need no key)")]
    NotDefaultHost {
        provider: &'static str,
        origin: String,
        default_url: &'static str,
        default_var: &'static str,
    },
}

/// The CLI's rule for where a key from the environment may go, checked when the
/// variable holds a key:
/// - `--key-env VAR@ORIGIN`: only to ORIGIN; a config naming another is refused.
/// - `--key-env VAR`: to the config's origin (a grid must name one only, see
///   [`grid_key_origin`]).
/// - no flag, the provider's *default* variable (`OPENAI_API_KEY`, …): only to the
///   provider's default host, so a shared config cannot redirect a key that merely
///   happens to be in the environment.
///
/// And never over plain `http://` to another machine ([`key_may_travel_to`]).
pub fn cli_key_allowed(config: &LlmConfig, key_env: Option<&KeyEnv>) -> Result<(), KeyRefused> {
    let Some(binding) = KeyBinding::of(config) else {
        return Ok(());
    };
    key_may_travel_to(&binding.origin)?;
    match key_env {
        Some(KeyEnv {
            var,
            origin: Some(bound),
        }) if *bound != binding.origin => Err(KeyRefused::OtherOrigin {
            var: var.clone(),
            bound: bound.clone(),
            provider: config.provider.id(),
            origin: binding.origin,
        }),
        Some(_) => Ok(()),
        None => {
            let Some(default_var) = config.provider.key_env() else {
                return Ok(());
            };
            if binding.is_default_host() {
                return Ok(());
            }
            Err(KeyRefused::NotDefaultHost {
                provider: config.provider.id(),
                origin: binding.origin,
                default_url: config.provider.default_base_url(),
                default_var,
            })
        }
    }
}

/// A plain `--key-env VAR` for a grid whose runs name several origins (`origins`, each
/// once, sorted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the grid sends requests to {} origins ({}): --key-env {var} would send the key to each. Name the one it may go to, e.g. --key-env {var}@{} (runs naming another origin are then refused)", .origins.len(), .origins.join(", "), .origins.first().map_or("", String::as_str))]
pub struct GridOrigins {
    pub var: String,
    pub origins: Vec<String>,
}

/// The one origin a grid's key goes to, given the origins its runs send requests to
/// (`None`: no run calls a remote provider). A plain `--key-env VAR` would approve every
/// host a grid's axis names, so it is refused for a grid naming more than one origin;
/// `VAR@ORIGIN` names it, and each run is then held to it by [`cli_key_allowed`].
pub fn grid_key_origin(
    key_env: &KeyEnv,
    origins: &[String],
) -> Result<Option<String>, GridOrigins> {
    if let Some(o) = &key_env.origin {
        return Ok(Some(o.clone()));
    }
    let mut distinct: Vec<&String> = origins.iter().collect();
    distinct.sort();
    distinct.dedup();
    match distinct.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(GridOrigins {
            var: key_env.var.clone(),
            origins: many.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

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

/// What stands for a hidden key in every text.
pub const HIDDEN: &str = "<key>";

/// Shortest piece of a key that is hidden wherever it appears.
const MIN_PIECE: usize = 4;

/// The forms in which a key can turn up in a response or an error: as itself,
/// JSON-escaped, percent-encoded (either case) and base64 (standard and URL-safe, at each
/// of the three byte alignments; only the characters that do not depend on the
/// neighbouring bytes).
fn key_forms(key: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![key.as_bytes().to_vec()];
    let json = serde_json::to_string(key).unwrap_or_default();
    forms.push(json.as_bytes()[1..json.len().saturating_sub(1).max(1)].to_vec());
    let (mut upper, mut lower, mut plus) = (String::new(), String::new(), String::new());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            for s in [&mut upper, &mut lower, &mut plus] {
                s.push(b as char);
            }
        } else {
            upper.push_str(&format!("%{b:02X}"));
            lower.push_str(&format!("%{b:02x}"));
            if b == b' ' {
                plus.push('+');
            } else {
                plus.push_str(&format!("%{b:02X}"));
            }
        }
    }
    forms.extend([upper, lower, plus].map(String::into_bytes));
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        for align in 0..3usize {
            let mut bytes = vec![0u8; align];
            bytes.extend_from_slice(key.as_bytes());
            let enc = engine.encode(&bytes);
            // Characters 4·g + c for the groups fully inside the key's bytes; the first
            // `skip` and the tail depend on the padding or on the next bytes.
            let skip = match align {
                0 => 0,
                1 => 2,
                _ => 3,
            };
            let full_bytes = bytes.len() / 3 * 3;
            let keep = full_bytes / 3 * 4;
            if keep > skip {
                forms.push(enc.as_bytes()[skip..keep].to_vec());
            }
        }
    }
    forms.retain(|f| !f.is_empty());
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with `key` hidden: the whole key (whatever its length) and every piece of it of
/// 4 or more characters, in each of [`key_forms`], replaced by `<key>`. Over-hiding a
/// short common word that happens to be in the key is the price of never showing a piece
/// of it.
pub fn redact(text: &str, key: &str) -> String {
    let key = key.trim();
    if key.is_empty() || text.is_empty() {
        return text.to_string();
    }
    render(text, &hidden_bytes(text, key), text.len())
}

/// `text`'s first `bound` bytes or so (cut on a character boundary, `…` added when
/// something was cut) with `key` hidden as [`redact`] hides it. The text is cut *before*
/// the costly redaction, but with room for the longest form of the key after the bound,
/// and only bytes before the bound are shown: a key that straddles the cut is seen whole
/// and hidden, never left as a tail too short to be recognised.
pub fn redact_cut(text: &str, key: &str, bound: usize) -> String {
    if text.len() <= bound {
        return redact(text, key);
    }
    let key = key.trim();
    // JSON-escaping a control character takes 6 bytes (`\u0001`); no form is longer.
    let margin = 6 * key.len() + 8;
    let seen = floor_boundary(text, bound.saturating_add(margin));
    let shown = floor_boundary(text, bound);
    let hidden = if key.is_empty() {
        vec![false; seen.len()]
    } else {
        hidden_bytes(seen, key)
    };
    let mut out = render(seen, &hidden, shown.len());
    out.push_str(&format!(
        "… (cut: {} in all)",
        crate::limits::human(text.len() as u64)
    ));
    out
}

/// The longest prefix of `text` of at most `n` bytes that ends on a character boundary.
fn floor_boundary(text: &str, n: usize) -> &str {
    let mut n = n.min(text.len());
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    &text[..n]
}

/// Which bytes of `text` belong to the key or a piece of it (whole characters).
fn hidden_bytes(text: &str, key: &str) -> Vec<bool> {
    let t = text.as_bytes();
    let mut hidden = vec![false; t.len()];
    let mark = |hidden: &mut Vec<bool>, from: usize, len: usize| {
        for h in &mut hidden[from..from + len] {
            *h = true;
        }
    };
    // The whole key, even a short one.
    let k = key.as_bytes();
    if k.len() <= t.len() {
        for i in 0..=t.len() - k.len() {
            if &t[i..i + k.len()] == k {
                mark(&mut hidden, i, k.len());
            }
        }
    }
    for form in key_forms(key) {
        let min = MIN_PIECE.min(form.len());
        if min < MIN_PIECE && form.as_slice() != k {
            continue;
        }
        // Every maximal common run of `text` and `form` (a diagonal of their match grid).
        for i in 0..t.len() {
            for j in 0..form.len() {
                if t[i] != form[j] || (i > 0 && j > 0 && t[i - 1] == form[j - 1]) {
                    continue;
                }
                let mut len = 0;
                while i + len < t.len() && j + len < form.len() && t[i + len] == form[j + len] {
                    len += 1;
                }
                if len >= min {
                    mark(&mut hidden, i, len);
                }
            }
        }
    }
    // Widen hidden runs to whole characters.
    for i in 0..t.len() {
        if hidden[i] {
            let mut a = i;
            while a > 0 && !text.is_char_boundary(a) {
                a -= 1;
                hidden[a] = true;
            }
            let mut b = i + 1;
            while b < t.len() && !text.is_char_boundary(b) {
                hidden[b] = true;
                b += 1;
            }
        }
    }
    hidden
}

/// `text[..upto]` (a character boundary) with each run of hidden bytes replaced by one
/// marker.
fn render(text: &str, hidden: &[bool], upto: usize) -> String {
    let mut out = String::with_capacity(upto);
    let mut i = 0;
    while i < upto {
        if hidden[i] {
            out.push_str(HIDDEN);
            while i < upto && hidden[i] {
                i += 1;
            }
        } else {
            let ch = text[i..].chars().next().expect("at a char boundary");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod csp_tests {
    use super::connect_src_allows;

    #[test]
    fn connect_src_matches_the_forms_the_page_writes() {
        let d = "'self' https://api.openai.com http://localhost:* http://127.0.0.1:*";
        let page = "https://ialp.example";
        assert!(connect_src_allows(d, "https://ialp.example", page));
        assert!(connect_src_allows(d, "https://api.openai.com", page));
        assert!(!connect_src_allows(d, "https://api.openai.com:8443", page));
        assert!(!connect_src_allows(d, "https://openrouter.ai", page));
        assert!(connect_src_allows(d, "http://127.0.0.1:11434", page));
        assert!(connect_src_allows(d, "http://localhost", page));
        assert!(!connect_src_allows(d, "http://[::1]:8080", page));
        assert!(!connect_src_allows(d, "http://127.0.0.2:8080", page));
        assert!(!connect_src_allows(d, "https://127.0.0.1:8080", page));
        assert!(connect_src_allows("'self' https:", "https://any.example", page));
        assert!(!connect_src_allows("'self' https:", "http://any.example", page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-Ab3dEf9hIjKlMnOpQrStUvWx";

    fn assert_hidden(text: &str, piece: &str) {
        let out = redact(text, KEY);
        assert!(!out.contains(piece), "{piece:?} still in {out:?}");
        assert!(out.contains(HIDDEN), "{out:?}");
    }

    #[test]
    fn debug_never_prints_the_key() {
        let k = ApiKey::new(KEY);
        assert_eq!(format!("{k:?}"), "<key>");
        assert_eq!(format!("{:?}", ApiKey::default()), "<no key>");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Start {
            key: ApiKey,
        }
        assert!(!format!("{:?}", Start { key: k }).contains("Ab3d"));
    }

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

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://API.OpenAI.com:443/v1/").unwrap(),
            "https://api.openai.com"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/v1").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin_of("http://[::1]:11434/v1").unwrap(),
            "http://[::1]:11434"
        );
        assert_eq!(origin_of("http://localhost").unwrap(), "http://localhost");
        assert_eq!(
            origin_of("ftp://x"),
            Err(UrlError::Scheme("ftp://x".into()))
        );
        assert_eq!(
            origin_of("https://u:p@evil.example/v1"),
            Err(UrlError::UserInfo)
        );
        assert_eq!(
            origin_of("https://evil.example/v1?key=sk-1"),
            Err(UrlError::Query)
        );
        assert_eq!(origin_of("https://evil.example/v1#k"), Err(UrlError::Query));
        assert_eq!(origin_of("https:///v1"), Err(UrlError::NoHost));
        assert!(matches!(
            origin_of("http://h:99999"),
            Err(UrlError::Port(_))
        ));
        // Another port is another origin.
        assert_ne!(
            origin_of("http://127.0.0.1:1/").unwrap(),
            origin_of("http://127.0.0.1:2/").unwrap()
        );
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost"));
        assert!(!is_loopback("https://localhost.evil.example"));
    }

    #[test]
    fn the_cli_sends_a_default_variable_only_to_the_default_host() {
        let mut c = LlmConfig {
            provider: Provider::OpenAi,
            ..LlmConfig::default()
        };
        assert!(cli_key_allowed(&c, None).is_ok());
        c.base_url = Some("https://api.openai.com/v1/".into());
        assert!(cli_key_allowed(&c, None).is_ok());
        c.base_url = Some("http://127.0.0.1:9/v1".into());
        let e = cli_key_allowed(&c, None).unwrap_err().to_string();
        assert!(
            e.contains("--key-env OPENAI_API_KEY") && e.contains("127.0.0.1:9"),
            "{e}"
        );
        let plain = |v: &str| KeyEnv::parse(v).unwrap();
        assert!(cli_key_allowed(&c, Some(&plain("OPENAI_API_KEY"))).is_ok());
        assert!(cli_key_allowed(&c, Some(&plain("MY_VAR"))).is_ok());
        let h = LlmConfig::default();
        assert!(cli_key_allowed(&h, None).is_ok(), "stand-ins send nothing");
    }

    #[test]
    fn key_env_with_an_origin_sends_the_key_there_only() {
        let k = KeyEnv::parse("MY_KEY@https://API.example.com:443/v1").unwrap();
        assert_eq!(k.var, "MY_KEY");
        assert_eq!(k.origin.as_deref(), Some("https://api.example.com"));
        assert_eq!(k.to_flag(), "MY_KEY@https://api.example.com");
        assert_eq!(KeyEnv::parse("MY_KEY").unwrap().origin, None);
        assert!(KeyEnv::parse("@https://x.example").is_err());
        assert!(KeyEnv::parse("MY_KEY@ftp://x").is_err());
        let at = |url: &str| LlmConfig {
            provider: Provider::OpenAi,
            base_url: Some(url.into()),
            ..LlmConfig::default()
        };
        assert!(cli_key_allowed(&at("https://api.example.com/v1"), Some(&k)).is_ok());
        let e = cli_key_allowed(&at("https://evil.example/v1"), Some(&k))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("https://api.example.com") && e.contains("https://evil.example"),
            "names both: {e}"
        );
        // A grid: one origin for a plain flag, named for a bound one.
        let plain = KeyEnv::parse("MY_KEY").unwrap();
        let a = "https://a.example".to_string();
        let b = "https://b.example".to_string();
        assert_eq!(grid_key_origin(&plain, &[]), Ok(None));
        assert_eq!(
            grid_key_origin(&plain, &[a.clone(), a.clone()]),
            Ok(Some(a.clone()))
        );
        let e = grid_key_origin(&plain, &[a.clone(), b.clone()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 origins") && e.contains("MY_KEY@"), "{e}");
        assert_eq!(grid_key_origin(&k, &[a, b]), Ok(k.origin.clone()));
    }

    #[test]
    fn keys_never_travel_over_plain_http_to_another_machine() {
        let at = |url: &str| LlmConfig {
            provider: Provider::OpenAi,
            base_url: Some(url.into()),
            ..LlmConfig::default()
        };
        let flag = KeyEnv::parse("MY_KEY").unwrap();
        let e = cli_key_allowed(&at("http://llm.example.com/v1"), Some(&flag))
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://llm.example.com") && e.contains("unencrypted"), "{e}");
        assert!(cli_key_allowed(&at("https://llm.example.com/v1"), Some(&flag)).is_ok());
        for local in ["http://127.0.0.1:8080/v1", "http://localhost:11434/v1", "http://[::1]:1/v1"] {
            assert!(cli_key_allowed(&at(local), Some(&flag)).is_ok(), "{local}");
        }
        assert!(key_may_travel_to("http://127.0.0.1.evil.example").is_err());
        assert!(key_may_travel_to("HTTP://10.0.0.2:8080").is_err());
        assert!(key_may_travel_to("https://10.0.0.2:8080").is_ok());
    }

    #[test]
    fn loopback_is_the_host_not_a_prefix_of_it() {
        for yes in [
            "http://127.0.0.1",
            "http://127.0.0.1:8080",
            "http://127.0.0.1/v1",
            "http://127.1.2.3:9",
            "http://localhost",
            "http://LOCALHOST:3000/v1",
            "localhost:3000",
            "127.0.0.1",
            "http://[::1]",
            "http://[::1]:8080/v1",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "http://127.0.0.1.evil.com",
            "http://127.0.0.1.evil.com:80",
            "http://localhost.evil",
            "https://localhost.evil.example",
            "http://evil.example/127.0.0.1",
            "http://user@127.0.0.1",
            "http://[::2]:80",
            "http://[::1]x",
            "http://127.0.0.1:http",
            "http://10.0.0.1",
            "",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }

    #[test]
    fn redaction_hides_the_key_and_its_pieces_in_every_form() {
        assert_hidden(&format!("bad key {KEY}!"), KEY);
        // A provider echoing the start and end of the key.
        assert_hidden("Incorrect API key provided: sk-proj-Ab3d****UvWx", "Ab3d");
        assert_hidden("… ending in UvWx.", "UvWx");
        // Successive windows leave no fragment (the old 8-character windows did).
        let out = redact("key fragment dEf9hIjK and lMnO", KEY);
        for piece in ["dEf9", "hIjK", "lMnO"] {
            assert!(!out.contains(piece), "{out}");
        }
        // JSON-escaped, percent-encoded, base64 (all alignments) echoes.
        let weird = "k\"ey/with\\odd+chars é=1";
        let json = serde_json::to_string(weird).unwrap();
        let out = redact(&format!("{{\"echo\":{json}}}"), weird);
        assert!(!out.contains("with"), "{out}");
        let pct = "k%22ey%2Fwith%5Codd%2Bchars%20%C3%A9%3D1";
        assert!(
            !redact(pct, weird).contains("odd%2Bchars"),
            "{}",
            redact(pct, weird)
        );
        assert!(!redact(&pct.to_lowercase(), weird).contains("odd%2bchars"));
        let b64 = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "x", "xy", "Bearer: "] {
            let enc = b64.encode(format!("{prefix}{KEY}"));
            let out = redact(&format!("auth={enc}"), KEY);
            // Nothing longer than a few characters of the encoded key survives.
            let inner = &enc[enc.len() / 3..enc.len() / 3 + 8];
            assert!(!out.contains(inner), "{prefix:?}: {out}");
        }
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(KEY);
        assert!(!redact(&url, KEY).contains(&url[4..12]));
    }

    #[test]
    fn short_keys_and_unicode_are_hidden_too() {
        assert_eq!(redact("my key is ab, yes", "ab"), "my key is <key>, yes");
        assert_eq!(redact("xyz", "xyz"), "<key>");
        // A key with multi-byte characters: no broken UTF-8, no fragment.
        let k = "ключ-секрет-1234";
        let out = redact("echo: ключ-сек and секрет", k);
        assert!(!out.contains("секрет") && !out.contains("ключ"), "{out}");
        assert_eq!(redact("nothing here", "abcdef"), "nothing here");
        assert_eq!(redact("anything", ""), "anything");
    }

    #[test]
    fn cutting_leaves_no_piece_of_a_key_that_straddles_the_cut() {
        let key = "QZj7-wxyz-abcd-0123-4567";
        let bound = 100;
        // The key starts 3 bytes before the bound: cut first and redacted after, "QZj"
        // would stay visible (too short to be recognised as a piece).
        let text = format!("{}{key} and more", "e".repeat(bound - 3));
        let out = redact_cut(&text, key, bound);
        assert!(!out.contains("QZj"), "{out}");
        assert!(out.starts_with(&"e".repeat(bound - 3)) && out.contains(HIDDEN), "{out}");
        // Percent-encoded, which is longer than the key.
        let pct = format!("{}QZj7-wxyz-abcd-0123-4567%20", "e".repeat(bound - 2));
        assert!(!redact_cut(&pct, key, bound).contains("QZ"));
        // Runs of hidden text do not pull later (unchecked) bytes into view.
        let many = format!("{}{}QZj", key.repeat(8), "e".repeat(10));
        let out = redact_cut(&many, key, bound);
        assert!(!out.contains("QZ"), "{out}");
        // Multi-byte characters at the cut: no broken UTF-8.
        let out = redact_cut(&"é".repeat(100), key, 51);
        assert!(out.starts_with(&"é".repeat(25)) && !out.starts_with(&"é".repeat(26)));
        assert_eq!(redact_cut("short", key, bound), "short");
    }
}
