//! The prompt: who the user is, what they recently saw and how they rated it, and the
//! candidates with their ids, all as text, in a template the user can edit. Several
//! states ("cases") can share one request.

use crate::env::World;

/// The default template. Placeholders: `{domain}`, `{n_cases}`, `{cases}` (required).
pub const DEFAULT_TEMPLATE: &str = "You are simulating users of a {domain} recommender. For each of the {n_cases} case(s) below, read who the user is and what they were recently shown and how they rated it, then predict how much this user would like each candidate item, on a scale from 1 (dislike) to 5 (love it).

{cases}

Answer with JSON only, in exactly this shape: one entry per case, with every candidate id of that case as a key:
{\"cases\":[{\"case\":1,\"scores\":{\"<item id>\":<1-5>}}]}";

/// One state to be rated: a user, their recent history, and the candidate items.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub user: usize,
    /// Recently shown items with the reward the user gave.
    pub history: Vec<(usize, f32)>,
    pub candidates: Vec<usize>,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptTemplate {
    text: String,
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "the template must contain the placeholder {{cases}}, where the users and candidates go"
    )]
    NoCases,
    #[error("the template is longer than {} characters", crate::limits::TEMPLATE_CHARS)]
    TooLong,
    #[error("the template uses {{cases}} {0} times; at most {max} (each copy repeats every user and candidate)", max = crate::limits::TEMPLATE_CASES)]
    TooManyCases(usize),
}

impl PromptTemplate {
    pub fn new(text: &str) -> Result<Self, TemplateError> {
        if !text.contains("{cases}") {
            return Err(TemplateError::NoCases);
        }
        if text.chars().count() > crate::limits::TEMPLATE_CHARS {
            return Err(TemplateError::TooLong);
        }
        let copies = text.matches("{cases}").count();
        if copies > crate::limits::TEMPLATE_CASES {
            return Err(TemplateError::TooManyCases(copies));
        }
        Ok(Self {
            text: text.to_string(),
        })
    }

    /// The prompt for `cases` (numbered from 1, in order).
    pub fn render(&self, world: &World, cases: &[Case]) -> String {
        let body: Vec<String> = cases
            .iter()
            .enumerate()
            .map(|(k, c)| render_case(world, k + 1, c))
            .collect();
        self.text
            .replace("{domain}", domain(world))
            .replace("{n_cases}", &cases.len().to_string())
            .replace("{cases}", &body.join("\n\n"))
    }
}

fn domain(world: &World) -> &'static str {
    world.preset.spec().domain
}

/// A reward as a 1–5 rating, as the user would say it.
pub fn stars(world: &World, reward: f32) -> u8 {
    let s = &world.reward;
    let x = 1.0 + 4.0 * (reward - s.min) / (s.max - s.min).max(1e-6);
    x.round().clamp(1.0, 5.0) as u8
}

/// A 1–5 rating back on the world's reward scale.
pub fn reward_of_stars(world: &World, rating: f32) -> f32 {
    let s = &world.reward;
    s.min + (rating - 1.0) / 4.0 * (s.max - s.min)
}

fn render_case(world: &World, k: usize, case: &Case) -> String {
    let user = world.user_text(case.user);
    let mut out = format!(
        "### Case {k}\nUser {}: {}\n",
        case.user,
        if user.is_empty() {
            "nothing is known about them"
        } else {
            &user
        }
    );
    out.push_str("Recently shown to them, with their rating (1-5):\n");
    if case.history.is_empty() {
        out.push_str("- nothing yet\n");
    }
    for &(item, r) in &case.history {
        out.push_str(&format!(
            "- [id {item}] {} — rated {}\n",
            world.item_text(item),
            stars(world, r)
        ));
    }
    out.push_str("Candidates:\n");
    let lines: Vec<String> = case
        .candidates
        .iter()
        .map(|&i| format!("- [id {i}] {}", world.item_text(i)))
        .collect();
    out.push_str(&lines.join("\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Preset, RatingMatrix};

    #[test]
    fn renders_cases_with_ids_history_and_candidates() {
        let m = RatingMatrix::from_rows(&[vec![1.0, 5.0, 3.0], vec![2.0, 2.0, 2.0]]).unwrap();
        let mut w = World::from_matrix(Preset::Coat, m, vec![vec![0], vec![1], vec![0, 1]]);
        w.reward.min = 1.0;
        let t = PromptTemplate::new(DEFAULT_TEMPLATE).unwrap();
        let p = t.render(
            &w,
            &[
                Case {
                    user: 1,
                    history: vec![(1, 5.0)],
                    candidates: vec![0, 2],
                },
                Case {
                    user: 0,
                    history: vec![],
                    candidates: vec![1],
                },
            ],
        );
        assert!(p.contains("clothing (jackets)"));
        assert!(p.contains("the 2 case(s)"));
        assert!(p.contains("### Case 1\nUser 1: nothing is known about them"));
        assert!(p.contains("- [id 1] item 1 (tags: t1) — rated 5"));
        assert!(
            p.contains("Candidates:\n- [id 0] item 0 (tags: t0)\n- [id 2] item 2 (tags: t0, t1)")
        );
        assert!(p.contains("### Case 2") && p.contains("- nothing yet"));
        assert_eq!(
            PromptTemplate::new("rate these"),
            Err(TemplateError::NoCases)
        );
    }

    #[test]
    fn stars_round_trip_on_other_scales() {
        let m = RatingMatrix::from_rows(&[vec![0.0, 5.0]]).unwrap();
        let w = World::from_matrix(Preset::KuaiRec, m, vec![vec![0], vec![0]]);
        assert_eq!(stars(&w, 0.0), 1);
        assert_eq!(stars(&w, 5.0), 5);
        assert_eq!(reward_of_stars(&w, 3.0), 2.5);
    }
}
