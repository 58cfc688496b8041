//! Reading a model's answer, forgivingly and honestly: the JSON may sit in prose or a
//! code fence, be cut off, name ids that were not asked about, give a score twice or
//! out of range. Whatever is valid is kept; everything dropped is counted by reason.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Ratings dropped from answers, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// An id that was not among the case's candidates (or no id at all).
    pub unknown_ids: usize,
    /// A case number that was not asked about.
    pub unknown_cases: usize,
    /// A score outside 1–5.
    pub out_of_range: usize,
    /// A score that is not a number.
    pub not_numbers: usize,
    /// A second score for the same item (the first is kept).
    pub duplicates: usize,
    /// Candidates the answer did not rate.
    pub missing: usize,
}

impl Dropped {
    pub fn add(&mut self, o: &Dropped) {
        self.unknown_ids += o.unknown_ids;
        self.unknown_cases += o.unknown_cases;
        self.out_of_range += o.out_of_range;
        self.not_numbers += o.not_numbers;
        self.duplicates += o.duplicates;
        self.missing += o.missing;
    }
    pub fn total(&self) -> usize {
        self.unknown_ids
            + self.unknown_cases
            + self.out_of_range
            + self.not_numbers
            + self.duplicates
            + self.missing
    }
}

/// The usable part of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAnswer {
    /// Per case, per candidate (in the order asked): the 1–5 score, if one was given.
    pub scores: Vec<Vec<Option<f32>>>,
    pub dropped: Dropped,
}

impl ParsedAnswer {
    pub fn valid(&self) -> usize {
        self.scores.iter().flatten().filter(|s| s.is_some()).count()
    }
}

/// An answer with nothing usable in it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("the answer contains no JSON")]
    NoJson,
    #[error("the answer's JSON contains no usable rating ({0} dropped)")]
    NoRatings(usize),
}

/// Parses `text` for the cases whose candidates are `expected` (case k+1 = `expected[k]`).
pub fn parse_answer(text: &str, expected: &[Vec<usize>]) -> Result<ParsedAnswer, ParseError> {
    let mut best: Option<ParsedAnswer> = None;
    for span in json_spans(text) {
        let Ok(value) = serde_json::from_str::<Value>(&span) else {
            continue;
        };
        let entries = interpret(&value);
        if entries.is_empty() {
            continue;
        }
        let parsed = collect(&entries, expected);
        if best.as_ref().is_none_or(|b| parsed.valid() > b.valid()) {
            best = Some(parsed);
        }
    }
    match best {
        None => Err(ParseError::NoJson),
        Some(p) if p.valid() == 0 => Err(ParseError::NoRatings(p.dropped.total())),
        Some(p) => Ok(p),
    }
}

/// (case number, id value, score value) triples found in a JSON value.
type Entry = (usize, Value, Value);

fn interpret(v: &Value) -> Vec<Entry> {
    let mut out = Vec::new();
    let cases = match v {
        Value::Object(o) => o
            .get("cases")
            .or_else(|| o.get("results"))
            .and_then(Value::as_array),
        Value::Array(a) if a.iter().any(|e| scores_of(e).is_some()) => Some(a),
        _ => None,
    };
    if let Some(cases) = cases {
        for (k, c) in cases.iter().enumerate() {
            let no = c
                .as_object()
                .and_then(|o| o.get("case").or_else(|| o.get("case_id")))
                .and_then(number_in)
                .map(|x| x as usize)
                .unwrap_or(k + 1);
            if let Some(s) = scores_of(c) {
                pairs(s, no, &mut out);
            }
        }
        return out;
    }
    // A single case: {"scores": …}, {"12": 4, …} or [{"id": 12, "score": 4}, …].
    match scores_of(v) {
        Some(s) => pairs(s, 1, &mut out),
        None => pairs(v, 1, &mut out),
    }
    out
}

fn scores_of(v: &Value) -> Option<&Value> {
    let o = v.as_object()?;
    ["scores", "ratings", "preferences", "items"]
        .iter()
        .find_map(|k| o.get(*k))
}

fn pairs(s: &Value, case: usize, out: &mut Vec<Entry>) {
    match s {
        Value::Object(o) => {
            for (k, v) in o {
                out.push((case, Value::String(k.clone()), v.clone()));
            }
        }
        Value::Array(a) => {
            for e in a {
                if let Some(o) = e.as_object() {
                    let id = ["id", "item", "item_id", "itemId"]
                        .iter()
                        .find_map(|k| o.get(*k));
                    let score = ["score", "rating", "preference", "value"]
                        .iter()
                        .find_map(|k| o.get(*k));
                    if let (Some(id), Some(score)) = (id, score) {
                        out.push((case, id.clone(), score.clone()));
                    } else {
                        out.push((case, Value::Null, Value::Null));
                    }
                }
            }
        }
        _ => {}
    }
}

/// A number in a JSON number or in a string ("4", "4/5", "id 12", "[id 12]").
fn number_in(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let start = s.find(|c: char| c.is_ascii_digit())?;
            let neg = s[..start].ends_with('-');
            let rest = &s[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let x: f64 = rest[..end].trim_end_matches('.').parse().ok()?;
            Some(if neg { -x } else { x })
        }
        _ => None,
    }
}

fn collect(entries: &[Entry], expected: &[Vec<usize>]) -> ParsedAnswer {
    let mut scores: Vec<Vec<Option<f32>>> = expected.iter().map(|c| vec![None; c.len()]).collect();
    let mut d = Dropped::default();
    for (case, id, score) in entries {
        let case = *case;
        let Some(cands) = case.checked_sub(1).and_then(|k| expected.get(k)) else {
            d.unknown_cases += 1;
            continue;
        };
        let pos = number_in(id)
            .filter(|x| x.fract() == 0.0 && *x >= 0.0)
            .and_then(|x| cands.iter().position(|c| *c as f64 == x));
        let Some(pos) = pos else {
            d.unknown_ids += 1;
            continue;
        };
        let Some(s) = number_in(score) else {
            d.not_numbers += 1;
            continue;
        };
        if !(1.0..=5.0).contains(&s) {
            d.out_of_range += 1;
            continue;
        }
        let slot = &mut scores[case - 1][pos];
        if slot.is_some() {
            d.duplicates += 1;
        } else {
            *slot = Some(s as f32);
        }
    }
    d.missing = scores.iter().flatten().filter(|s| s.is_none()).count();
    ParsedAnswer { scores, dropped: d }
}

/// Longest answer read (bytes): a `max_tokens` of 32,768 is about 130 KB of text.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Spans nested deeper than this are not tried on their own: an answer's JSON sits at
/// the top of the text or inside one or two wrappers (prose brackets, a list), and
/// bounding the depth keeps the work linear in the text's length (each depth's spans
/// are disjoint).
const MAX_SPAN_DEPTH: usize = 3;

/// A text derailed by a stray quote inside brackets (`[1" ] {…}`: the rest reads as
/// one string) is scanned again from just after its first open bracket, at most this
/// many times.
const MAX_RESCANS: usize = 4;

/// The `{…}` / `[…]` spans of `text` that could be JSON, in text order (an outer span
/// before the spans inside it), with trailing commas removed, and a cut-off span closed
/// after its last whole value. Linear in the text's length: a few passes, and at most
/// `MAX_SPAN_DEPTH + 1` times the text in spans per pass.
fn json_spans(text: &str) -> Vec<String> {
    let text = &text[..floor_char_boundary(text, MAX_ANSWER_BYTES)];
    let b = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut unclosed: Option<Vec<usize>> = None;
    let mut from = 0;
    for _ in 0..=MAX_RESCANS {
        let scan = scan_brackets(b, from);
        spans.extend(scan.spans);
        let derailed = scan.in_string.then(|| scan.open.first().copied()).flatten();
        unclosed.get_or_insert(scan.open);
        match derailed {
            Some(start) => from = start + 1,
            None => break,
        }
    }
    spans.sort_unstable();
    spans.dedup();
    let mut out: Vec<(usize, String)> = spans
        .into_iter()
        .filter_map(|(s, e)| Some((s, drop_trailing_commas(text.get(s..e)?))))
        .collect();
    // A cut-off answer: closed from each of its outermost unclosed openers.
    for start in unclosed.unwrap_or_default().into_iter().take(MAX_SPAN_DEPTH + 1) {
        if let Some(closed) = text.get(start..).and_then(close_truncated) {
            out.push((start, drop_trailing_commas(&closed)));
        }
    }
    out.sort_by_key(|(start, _)| *start);
    out.into_iter().map(|(_, s)| s).collect()
}

/// The largest index ≤ `at` on a char boundary of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut k = at.min(s.len());
    while !s.is_char_boundary(k) {
        k -= 1;
    }
    k
}

/// Whether a byte-by-byte scan is inside a JSON string, escapes honoured: the one
/// string reader the scans below share. The caller decides where a string opens (a
/// quote in prose is not one); [`StringScan::eat`] then takes its bytes up to and with
/// the closing quote.
#[derive(Debug, Clone, Copy, Default)]
struct StringScan {
    inside: bool,
    escaped: bool,
}

impl StringScan {
    /// A scan just past an opening quote.
    fn opened() -> Self {
        Self {
            inside: true,
            escaped: false,
        }
    }

    fn open(&mut self) {
        self.inside = true;
    }

    /// Takes `c` if the scan is inside a string (the closing quote included, after
    /// which it is outside); says whether it did.
    fn eat(&mut self, c: u8) -> bool {
        if !self.inside {
            return false;
        }
        match (self.escaped, c) {
            (true, _) => self.escaped = false,
            (false, b'\\') => self.escaped = true,
            (false, b'"') => self.inside = false,
            _ => {}
        }
        true
    }
}

/// The index of the quote closing the string that opens just before `from`, if `b` has
/// one.
fn closing_quote(b: &[u8], from: usize) -> Option<usize> {
    let mut scan = StringScan::opened();
    (from..b.len()).find(|&k| scan.eat(b[k]) && !scan.inside)
}

struct BracketScan {
    /// Balanced spans `[start, end)` nested at most `MAX_SPAN_DEPTH` deep.
    spans: Vec<(usize, usize)>,
    /// Where the brackets still open at the end begin, outermost first.
    open: Vec<usize>,
    /// Whether the text ended inside a string.
    in_string: bool,
}

/// One pass from `from`: matched brackets, string-aware (a quote outside any bracket is
/// prose, as in "it's" or a quoted title, and is not a string).
fn scan_brackets(b: &[u8], from: usize) -> BracketScan {
    let mut spans = Vec::new();
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut string = StringScan::default();
    for (k, &c) in b.iter().enumerate().skip(from) {
        if string.eat(c) {
            continue;
        }
        match c {
            b'"' if !open.is_empty() => string.open(),
            b'{' | b'[' => open.push((k, c)),
            b'}' | b']' => {
                let want = if c == b'}' { b'{' } else { b'[' };
                match open.last() {
                    Some(&(start, o)) if o == want => {
                        open.pop();
                        if open.len() <= MAX_SPAN_DEPTH {
                            spans.push((start, k + 1));
                        }
                    }
                    // A stray closer: what was open cannot be JSON; start afresh.
                    _ => open.clear(),
                }
            }
            _ => {}
        }
    }
    BracketScan {
        spans,
        open: open.into_iter().map(|(k, _)| k).collect(),
        in_string: string.inside,
    }
}

fn drop_trailing_commas(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut string = StringScan::default();
    // Where the text copied so far ends; a comma is held back until the next
    // non-blank byte shows whether it closes a list or object.
    let mut from = 0;
    let mut comma: Option<usize> = None;
    for (k, &c) in b.iter().enumerate() {
        if string.eat(c) {
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        if let Some(at) = comma.take() {
            if c == b'}' || c == b']' {
                out.push_str(&s[from..at]);
                from = at + 1;
            }
        }
        match c {
            b'"' => string.open(),
            b',' => comma = Some(k),
            _ => {}
        }
    }
    out.push_str(&s[from..]);
    out
}

/// Closes a cut-off JSON text after its last complete value, e.g.
/// `{"cases":[{"case":1,"scores":{"3":4,"5":` → `{"cases":[{"case":1,"scores":{"3":4}}]}`.
/// Linear: a safe point is a position and a stack depth, not a copy of the stack
/// (every pop is itself a safe point, so the stack below a safe point's depth is the
/// same when the text ends).
fn close_truncated(s: &str) -> Option<String> {
    #[derive(Clone, Copy)]
    enum C {
        Obj { key_next: bool },
        Arr,
    }
    let b = s.as_bytes();
    let mut stack: Vec<C> = Vec::new();
    let mut safe: Option<(usize, usize)> = None;
    let mut i = 0;
    let mark = |p: usize, st: &Vec<C>, safe: &mut Option<(usize, usize)>| {
        if !st.is_empty() {
            *safe = Some((p, st.len()));
        }
    };
    while i < b.len() {
        match b[i] {
            b'{' => stack.push(C::Obj { key_next: true }),
            b'[' => stack.push(C::Arr),
            b'}' | b']' => {
                stack.pop()?;
                mark(i + 1, &stack, &mut safe);
                if stack.is_empty() {
                    return Some(s[..i + 1].to_string());
                }
            }
            b',' => {
                if let Some(C::Obj { key_next }) = stack.last_mut() {
                    *key_next = true;
                }
            }
            b':' => {
                if let Some(C::Obj { key_next }) = stack.last_mut() {
                    *key_next = false;
                }
            }
            b'"' => {
                let Some(k) = closing_quote(b, i + 1) else {
                    break;
                };
                let is_key = matches!(stack.last(), Some(C::Obj { key_next: true }));
                i = k;
                if !is_key {
                    mark(i + 1, &stack, &mut safe);
                }
            }
            c if c == b'-' || c.is_ascii_alphanumeric() => {
                let mut k = i;
                while k < b.len()
                    && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'.' | b'-' | b'+'))
                {
                    k += 1;
                }
                if k >= b.len() {
                    break; // the number may have been cut
                }
                i = k - 1;
                mark(k, &stack, &mut safe);
            }
            _ => {}
        }
        i += 1;
    }
    let (p, depth) = safe?;
    let mut out = s.get(..p)?.to_string();
    for c in stack.get(..depth)?.iter().rev() {
        out.push(match c {
            C::Obj { .. } => '}',
            C::Arr => ']',
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, expected: &[Vec<usize>]) -> ParsedAnswer {
        parse_answer(text, expected).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn strict_shape() {
        let p = ok(
            r#"{"cases":[{"case":1,"scores":{"3":4,"5":1}},{"case":2,"scores":{"9":5}}]}"#,
            &[vec![3, 5], vec![9]],
        );
        assert_eq!(p.scores, vec![vec![Some(4.0), Some(1.0)], vec![Some(5.0)]]);
        assert_eq!(p.dropped, Dropped::default());
    }

    #[test]
    fn truncated_answer_keeps_complete_pairs() {
        let p = ok(
            "```json\n{\"cases\":[{\"case\":1,\"scores\":{\"3\":4,\"5\":2,\"7\":",
            &[vec![3, 5, 7]],
        );
        assert_eq!(p.scores, vec![vec![Some(4.0), Some(2.0), None]]);
        assert_eq!(p.dropped.missing, 1);
    }
}
