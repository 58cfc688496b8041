//! The page inside another page: the layout flags of its query string (`?embed=1`,
//! `autorun`, `hide=`, `show=`, `preset=`) and the `<iframe>` snippet "Embed this" hands a
//! teacher for the current settings. Pure: the page gives it its own address.

use super::share::{decode, encode};

/// The page's layout flags from its query string: `?embed=1` shows a compact view for an
/// `<iframe>` (chart, table, run bar); `hide=` and `show=` take comma-separated panel
/// names (`header, settings, bar, chart, table, llm, inspector, explain`); `autorun=1`
/// starts the link's config at once; `preset=NAME` starts from a built-in preset when the
/// link has no `#fragment` (a fragment's settings win).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub embed: bool,
    pub autorun: bool,
    /// A built-in preset's name (checked by the page against the presets it knows).
    pub preset: Option<String>,
    hidden: Vec<String>,
    /// Unknown flags and panels, to name in a message.
    pub problems: Vec<String>,
}

/// The longest preset name a query may carry (the longest built-in one is 20).
const MAX_PRESET_NAME: usize = 64;

impl Layout {
    pub const PANELS: [&'static str; 8] = [
        "header",
        "settings",
        "bar",
        "chart",
        "table",
        "llm",
        "inspector",
        "explain",
    ];
    /// Hidden in embed mode unless shown with `show=`.
    pub const EMBED_HIDES: [&'static str; 5] =
        ["header", "settings", "llm", "inspector", "explain"];

    pub fn from_query(query: &str) -> Layout {
        let mut l = Layout::default();
        let (mut hide, mut show) = (Vec::new(), Vec::new());
        for part in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (k, v) = part.split_once('=').unwrap_or((part, "1"));
            let v = decode(v).unwrap_or_default();
            let on = !matches!(v.as_str(), "0" | "false" | "no");
            match k {
                "embed" => l.embed = on,
                "autorun" => l.autorun = on,
                "preset" => {
                    if v.is_empty()
                        || v.len() > MAX_PRESET_NAME
                        || !v
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    {
                        l.problems.push(
                            "preset=…: not a preset name (letters, digits, - and _)".to_string(),
                        );
                    } else {
                        l.preset = Some(v);
                    }
                }
                "hide" | "show" => {
                    for p in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        if Self::PANELS.contains(&p) {
                            if k == "hide" {
                                hide.push(p.to_string())
                            } else {
                                show.push(p.to_string())
                            }
                        } else {
                            l.problems.push(format!(
                                "{k}={}: no such panel (panels: {})",
                                cut(p, 40),
                                Self::PANELS.join(", ")
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if l.embed {
            l.hidden = Self::EMBED_HIDES.iter().map(|s| s.to_string()).collect();
        }
        l.hidden.retain(|p| !show.contains(p));
        l.hidden.extend(hide);
        l
    }

    pub fn shows(&self, panel: &str) -> bool {
        !self.hidden.iter().any(|p| p == panel)
    }
}

/// At most `n` characters of `s`, with "…" when cut.
fn cut(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// What "Embed this" makes a snippet of.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedOptions {
    /// The frame's starting height in CSS pixels (the frame then follows its content
    /// when the snippet's script runs).
    pub height: u32,
    pub autorun: bool,
    /// The panels the embed shows (of [`Layout::PANELS`]).
    pub panels: Vec<String>,
}

impl Default for EmbedOptions {
    fn default() -> Self {
        EmbedOptions {
            height: 640,
            autorun: true,
            panels: Layout::PANELS
                .iter()
                .filter(|p| !Layout::EMBED_HIDES.contains(p))
                .map(|p| p.to_string())
                .collect(),
        }
    }
}

/// The message type the framed page posts to its parent (`{type, height}`), and the
/// only thing it ever posts.
pub const HEIGHT_MESSAGE: &str = "ialp-height";
/// The parent's script keeps the frame's height within these bounds.
pub const MIN_HEIGHT: u32 = 200;
pub const MAX_HEIGHT: u32 = 10_000;

impl EmbedOptions {
    /// The frame's address: `page` (the playground's address, no query or fragment)
    /// with the embed flags, then the settings' `fragment`. `show=`/`hide=` name only
    /// what differs from the embed's default panels.
    pub fn src(&self, page: &str, fragment: &str) -> String {
        let page = page.split(['?', '#']).next().unwrap_or_default();
        let mut q = vec!["embed=1".to_string()];
        if self.autorun {
            q.push("autorun=1".to_string());
        }
        let default = EmbedOptions::default().panels;
        let show: Vec<&str> = Layout::PANELS
            .iter()
            .copied()
            .filter(|p| self.panels.iter().any(|s| s == p) && !default.iter().any(|d| d == p))
            .collect();
        let hide: Vec<&str> = Layout::PANELS
            .iter()
            .copied()
            .filter(|p| !self.panels.iter().any(|s| s == p) && default.iter().any(|d| d == p))
            .collect();
        if !show.is_empty() {
            q.push(format!("show={}", encode(&show.join(","))));
        }
        if !hide.is_empty() {
            q.push(format!("hide={}", encode(&hide.join(","))));
        }
        let fragment = fragment.trim_start_matches('#');
        format!(
            "{page}?{}{}",
            q.join("&"),
            if fragment.is_empty() {
                String::new()
            } else {
                format!("#{fragment}")
            }
        )
    }

    /// The HTML a teacher pastes into a course page: the `<iframe>` and a short script
    /// that sets the frame's height from the messages the playground posts, trusting only
    /// messages from that frame and the playground's origin. Without the script (a page
    /// whose CSP forbids inline scripts) the frame keeps `height`.
    pub fn snippet(&self, page: &str, fragment: &str) -> String {
        let src = self.src(page, fragment);
        let origin = origin_of(&src);
        let id = format!("ialp-{:08x}", fnv(&src) as u32);
        let height = self.height.clamp(MIN_HEIGHT, MAX_HEIGHT);
        format!(
            r#"<iframe id="{id}" src="{src}" title="iALP Playground" width="100%" height="{height}" style="border:0;max-width:100%" loading="lazy" allow="clipboard-write"></iframe>
<script>
/* iALP Playground: the frame follows its content's height. Only messages from this frame
   and {origin} are read; the playground reads none from this page. */
addEventListener("message", function (e) {{
  var f = document.getElementById("{id}");
  if (!f || e.source !== f.contentWindow || e.origin !== "{origin}") return;
  var d = e.data;
  if (!d || d.type !== "{HEIGHT_MESSAGE}" || typeof d.height !== "number" || !isFinite(d.height)) return;
  f.style.height = Math.min({MAX_HEIGHT}, Math.max({MIN_HEIGHT}, Math.ceil(d.height))) + "px";
}});
</script>"#,
            src = html_attr(&src),
        )
    }
}

/// `scheme://host[:port]` of an absolute URL; empty for anything else.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

/// Escapes what would end an attribute or start markup.
fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// FNV-1a: a stable id for the frame, the same for the same settings.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_hides_the_panels_and_flags_adjust_it() {
        let full = Layout::from_query("");
        assert!(Layout::PANELS.iter().all(|p| full.shows(p)));
        let e = Layout::from_query("?embed=1");
        assert!(
            e.embed
                && !e.shows("settings")
                && !e.shows("header")
                && e.shows("chart")
                && e.shows("bar")
        );
        let e = Layout::from_query("embed=1&show=inspector&hide=table,bogus&autorun=1");
        assert!(e.shows("inspector") && !e.shows("table") && e.autorun);
        assert_eq!(e.problems.len(), 1, "{:?}", e.problems);
        assert!(!Layout::from_query("embed=0").embed);
    }

    #[test]
    fn a_preset_name_is_taken_only_when_it_looks_like_one() {
        assert_eq!(
            Layout::from_query("?preset=paper-coat").preset.as_deref(),
            Some("paper-coat")
        );
        for bad in ["preset=", "preset=%3Cscript%3E", "preset=a%2Fb"] {
            let l = Layout::from_query(bad);
            assert_eq!(l.preset, None, "{bad}");
            assert_eq!(l.problems.len(), 1, "{bad}: {:?}", l.problems);
        }
        let long = format!("preset={}", "a".repeat(65));
        assert_eq!(Layout::from_query(&long).preset, None);
        // A long unknown panel is named, cut.
        let l = Layout::from_query(&format!("hide={}", "x".repeat(5000)));
        assert!(l.problems[0].len() < 200, "{}", l.problems[0]);
    }

    #[test]
    fn the_frame_address_reads_back_as_the_layout_it_was_made_for() {
        let page = "https://example.org/course/ialp/index.html?preset=x#old";
        let opts = EmbedOptions {
            height: 500,
            autorun: true,
            panels: vec!["chart".into(), "inspector".into(), "bar".into()],
        };
        let src = opts.src(page, "#seed=7");
        assert!(src.starts_with("https://example.org/course/ialp/index.html?embed=1&autorun=1"), "{src}");
        assert!(src.ends_with("#seed=7"), "{src}");
        let (_, q) = src.split_once('?').unwrap();
        let l = Layout::from_query(q.split('#').next().unwrap());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert!(l.embed && l.autorun);
        for p in Layout::PANELS {
            assert_eq!(l.shows(p), opts.panels.iter().any(|s| s == p), "{p} in {src}");
        }
        // The defaults need no show/hide.
        let d = EmbedOptions {
            autorun: false,
            ..EmbedOptions::default()
        };
        assert_eq!(d.src("http://127.0.0.1:8080/", ""), "http://127.0.0.1:8080/?embed=1");
    }

    #[test]
    fn the_snippet_trusts_only_its_frame_and_the_playgrounds_origin() {
        let s = EmbedOptions::default().snippet("https://u.github.io/ialp/", "seed=3");
        assert!(s.contains(r#"src="https://u.github.io/ialp/?embed=1&amp;autorun=1#seed=3""#), "{s}");
        assert!(s.contains(r#"e.origin !== "https://u.github.io""#), "{s}");
        assert!(s.contains("e.source !== f.contentWindow"), "{s}");
        assert!(s.contains(HEIGHT_MESSAGE));
        // The same settings give the same snippet (the same frame id); others another.
        assert_eq!(s, EmbedOptions::default().snippet("https://u.github.io/ialp/", "seed=3"));
        let other = EmbedOptions::default().snippet("https://u.github.io/ialp/", "seed=4");
        assert_ne!(s.split('"').nth(1), other.split('"').nth(1));
        // Heights out of range are clamped in the frame's attribute.
        let tall = EmbedOptions {
            height: 1_000_000,
            ..EmbedOptions::default()
        };
        assert!(tall.snippet("https://a.b/", "").contains(r#"height="10000""#));
        // Nothing in a fragment can end the attribute.
        let s = EmbedOptions::default().snippet("https://a.b/", "x=\"><script>");
        assert!(!s.contains("\"><script>"), "{s}");
    }
}
