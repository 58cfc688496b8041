//! Hiding a key in every text we show or keep: whole or in pieces, raw, JSON-escaped,
//! percent-encoded or base64, and cutting a long text without leaving a piece of a key
//! at the cut.

use base64::Engine;

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
mod tests {
    use super::*;
    use crate::llm::key::ApiKey;

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
