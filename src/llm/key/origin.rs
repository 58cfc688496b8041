//! Where a key may go: the origin of a base URL, the (provider, origin) binding a key is
//! given for, whether a host is this machine, the plain-`http://` rule, and whether the
//! page's `connect-src` lets it reach an origin.

use serde::{Deserialize, Serialize};

use crate::llm::config::{LlmConfig, Provider};

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

impl LlmConfig {
    /// Where answers come from, as the cache keeps it: the base URL's origin for a
    /// remote provider (the URL itself if it has none we can read), empty for the
    /// stand-ins.
    pub fn answer_origin(&self) -> String {
        if !self.provider.is_remote() {
            return String::new();
        }
        origin_of(self.base_url()).unwrap_or_else(|_| self.base_url().to_string())
    }
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
}
