//! The two no-key stand-ins for a language model (METHOD.md §8). Both answer the very
//! prompt a real model would get, with text in the JSON shape it asks for, so their
//! answers go through the same parser and cache as a provider's.
//!
//! - The **heuristic** reads only the prompt: it scores each candidate by how many of
//!   its attributes it shares with what the user liked (and with who the user is),
//!   minus what they disliked, plus noise. It is what "an LLM that only reads" could
//!   do at the very least.
//! - The **oracle** peeks at the ground truth `R[u, i]` and adds Gaussian noise: a
//!   teaching tool for "how much does the quality of the LLM matter?". It is labelled
//!   as peeking everywhere it is shown.

use std::collections::HashSet;

use rand::SeedableRng;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::env::World;
use crate::rng::{self, SimRng};

/// A case as the prompt's text shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromptCase {
    pub number: usize,
    pub user: Option<usize>,
    /// `field=value` tokens of the user line.
    pub user_attrs: HashSet<String>,
    /// (id, attribute tokens, rating) of the history lines.
    pub history: Vec<(usize, HashSet<String>, f32)>,
    /// (id, attribute tokens) of the candidate lines.
    pub candidates: Vec<(usize, HashSet<String>)>,
}

/// Reads the cases back out of a rendered prompt (see [`super::prompt`]).
pub fn read_prompt(prompt: &str) -> Vec<PromptCase> {
    let mut cases: Vec<PromptCase> = Vec::new();
    let mut in_candidates = false;
    for line in prompt.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("### Case ") {
            let number = rest.trim().parse().unwrap_or(cases.len() + 1);
            cases.push(PromptCase {
                number,
                ..PromptCase::default()
            });
            in_candidates = false;
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("User ") {
            if let Some((id, text)) = rest.split_once(':') {
                case.user = id.trim().parse().ok();
                case.user_attrs = tokens(text);
            }
        } else if line.starts_with("Candidates") {
            in_candidates = true;
        } else if let Some(rest) = line.strip_prefix("- [id ") {
            let Some((id, text)) = rest.split_once(']') else {
                continue;
            };
            let Ok(id) = id.trim().parse::<usize>() else {
                continue;
            };
            if in_candidates {
                case.candidates.push((id, item_tokens(text)));
            } else if let Some((text, rating)) = text.rsplit_once("— rated ") {
                if let Ok(r) = rating.trim().parse::<f32>() {
                    case.history.push((id, item_tokens(text), r));
                }
            }
        }
    }
    cases
}

/// `field=value` tokens of `"field: a, b; other: c"`.
fn tokens(text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for part in text.split(';') {
        if let Some((field, values)) = part.split_once(':') {
            for v in values.split(',') {
                let v = v.trim();
                if !v.is_empty() {
                    out.insert(format!("{}={}", field.trim(), v));
                }
            }
        }
    }
    out
}

/// The attributes of an item line: the text inside its last parentheses.
fn item_tokens(text: &str) -> HashSet<String> {
    match (text.rfind('('), text.rfind(')')) {
        (Some(a), Some(b)) if a < b => tokens(&text[a + 1..b]),
        _ => HashSet::new(),
    }
}

/// A seeded RNG from the prompt itself, so the same prompt always gets the same answer.
fn rng_of(prompt: &str, salt: &str) -> SimRng {
    let h = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(prompt.as_bytes())
        .finalize();
    SimRng::from_seed(h.into())
}

fn answer_text(cases: &[PromptCase], mut score: impl FnMut(&PromptCase, usize) -> f64) -> String {
    let list: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            let scores: serde_json::Map<String, serde_json::Value> = c
                .candidates
                .iter()
                .enumerate()
                .map(|(k, (id, _))| {
                    (
                        id.to_string(),
                        json!(score(c, k).round().clamp(1.0, 5.0) as u8),
                    )
                })
                .collect();
            json!({"case": c.number, "scores": scores})
        })
        .collect();
    json!({ "cases": list }).to_string()
}

/// Noise of the heuristic, in rating points.
pub const HEURISTIC_NOISE: f64 = 0.5;

/// The heuristic stand-in's answer to `prompt`.
pub fn heuristic_answer(prompt: &str) -> String {
    let cases = read_prompt(prompt);
    let mut rng = rng_of(prompt, "heuristic");
    answer_text(&cases, |c, k| {
        let attrs = &c.candidates[k].1;
        let overlap = |other: &HashSet<String>| {
            if attrs.is_empty() {
                0.0
            } else {
                attrs.intersection(other).count() as f64 / attrs.len() as f64
            }
        };
        let (mut like, mut n_like, mut dislike, mut n_dislike) = (0.0, 0, 0.0, 0);
        for (_, h, r) in &c.history {
            if *r >= 4.0 {
                like += overlap(h);
                n_like += 1;
            } else if *r <= 2.0 {
                dislike += overlap(h);
                n_dislike += 1;
            }
        }
        let like = if n_like > 0 {
            like / n_like as f64
        } else {
            0.0
        };
        let dislike = if n_dislike > 0 {
            dislike / n_dislike as f64
        } else {
            0.0
        };
        // Sharing a field and value with the user ("gender=women") counts as well.
        let me = attrs.intersection(&c.user_attrs).count() as f64;
        3.0 + 2.5 * (like - dislike) + 0.75 * me.min(2.0) - 0.5
            + HEURISTIC_NOISE * rng::normal(&mut rng)
    })
}

/// The oracle's answer to `prompt`: the truth for the named user, on 1–5, plus noise of
/// standard deviation `noise`. Unknown users or items get 3.
pub fn oracle_answer(prompt: &str, world: &World, noise: f64) -> String {
    let cases = read_prompt(prompt);
    let mut rng = rng_of(prompt, &format!("oracle {noise}"));
    answer_text(&cases, |c, k| {
        let item = c.candidates[k].0;
        let truth = match c.user {
            Some(u) if u < world.n_users() && item < world.n_items() => {
                let s = &world.reward;
                1.0 + 4.0 * ((world.truth.get(u, item) - s.min) / (s.max - s.min).max(1e-6)) as f64
            }
            _ => 3.0,
        };
        truth + noise * rng::normal(&mut rng)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Preset, RatingMatrix};
    use crate::llm::parse::parse_answer;
    use crate::llm::prompt::{Case, PromptTemplate, DEFAULT_TEMPLATE};

    fn world() -> World {
        let m =
            RatingMatrix::from_rows(&[vec![1.0, 5.0, 5.0, 1.0], vec![5.0, 1.0, 1.0, 5.0]]).unwrap();
        let mut w = World::from_matrix(Preset::Coat, m, vec![vec![0], vec![1], vec![1], vec![0]]);
        w.reward.min = 1.0;
        w
    }

    #[test]
    fn prompt_is_read_back_and_answers_parse() {
        let w = world();
        let cases = [
            Case {
                user: 1,
                history: vec![(0, 5.0), (1, 1.0)],
                candidates: vec![3, 2],
            },
            Case {
                user: 0,
                history: vec![],
                candidates: vec![1],
            },
        ];
        let p = PromptTemplate::new(DEFAULT_TEMPLATE)
            .unwrap()
            .render(&w, &cases);
        let read = read_prompt(&p);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].user, Some(1));
        assert_eq!(read[0].history.len(), 2);
        assert_eq!(
            read[0].candidates.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![3, 2]
        );
        let expected = vec![vec![3, 2], vec![1]];
        let h = parse_answer(&heuristic_answer(&p), &expected).unwrap();
        assert_eq!(h.valid(), 3);
        // Item 3 shares tag t0 with the liked item 0; item 2 shares t1 with the disliked item 1.
        assert!(h.scores[0][0] > h.scores[0][1], "{:?}", h.scores);
        assert_eq!(
            heuristic_answer(&p),
            heuristic_answer(&p),
            "same prompt, same answer"
        );
        let o = parse_answer(&oracle_answer(&p, &w, 0.0), &expected).unwrap();
        assert_eq!(o.scores, vec![vec![Some(5.0), Some(1.0)], vec![Some(5.0)]]);
    }
}
