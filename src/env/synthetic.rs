//! Synthetic worlds shaped like the real data sets, generated from a seed.
//!
//! Users' tastes live over the same attributes an LLM will read as text: every user
//! attribute value (e.g. "age: 20-30") shifts the taste for every item attribute value
//! (e.g. "color: black"), a user's own taste adds to that, and matching attributes
//! (a woman and a women's jacket) attract. So the text really carries signal. A
//! low-rank latent part, a user bias and noise keep the matrix from being *only* text.
//! Scores become ratings by matching the real data's histogram; the offline log is
//! self-selected (users rate what they like, popular items get seen more): missing not
//! at random. One table row per preset; no per-preset copies of the generator.

use serde::{Deserialize, Serialize};

use super::catalogue::{coat_item, COAT_TAG_FIELD};
use super::vocab::{self, FieldSpec};
use super::world::{Item, Rating, RatingMatrix, RewardScale, User, World, WorldSource};
use super::Preset;
use crate::rng::{self, SimRng, Stream};
use rand::Rng;

/// Smallest and largest allowed scale of a synthetic world.
pub const SCALE_RANGE: (f64, f64) = (0.02, 2.0);

/// How ratings are made from taste scores.
#[derive(Debug, Clone, Copy)]
enum Scale {
    /// Integer stars 1–5 with this histogram (shares of 1, 2, 3, 4, 5).
    Stars([f64; 5]),
    /// KuaiRec's watch ratio: log-normal around `median`, clipped to [0, 5].
    WatchRatio { median: f64, spread: f64 },
}

/// How a preset's world is shaped. One row per preset.
struct Spec {
    user_fields: &'static [FieldSpec],
    item_fields: &'static [FieldSpec],
    tag_field: usize,
    scale: Scale,
    /// Mean share of the catalogue a user has in the log.
    log_density: f64,
    /// How strongly users pick what they like into the log (weight ∝ exp(s · (r − mean))).
    self_selection: f64,
    /// Whether every user has the same number of logged items (Coat: 24 each).
    log_fixed_per_user: bool,
    /// Random-exposure ratings per user, as a share of the catalogue (Coat: 16 / 300).
    held_out_density: f64,
    /// Standard deviations of the taste components (see the module docs).
    taste: Taste,
    make_item: fn(&mut SimRng, Vec<Vec<u16>>) -> Item,
}

#[derive(Debug, Clone, Copy)]
struct Taste {
    attribute: f64,
    own: f64,
    matching: f64,
    quality: f64,
    latent: f64,
    user_bias: f64,
    noise: f64,
    /// σ of log ρ_i: how much users disagree about item i. Items users agree on have
    /// near-identical columns, which gives the close item pairs the quit rule needs.
    polarisation: f64,
}

fn spec(preset: Preset) -> Spec {
    match preset {
        // Coat pseudo-GT histogram of 1..5: 13.8 %, 54.3 %, 26.8 %, 5.0 %, 0.1 %.
        Preset::Coat => Spec {
            user_fields: vocab::COAT_USER,
            item_fields: vocab::COAT_ITEM,
            tag_field: COAT_TAG_FIELD,
            scale: Scale::Stars([0.138, 0.543, 0.268, 0.050, 0.001]),
            log_density: 24.0 / 300.0,
            self_selection: 1.4,
            log_fixed_per_user: true,
            held_out_density: 16.0 / 300.0,
            taste: Taste {
                attribute: 0.2,
                own: 0.2,
                matching: 0.5,
                quality: 0.15,
                latent: 0.2,
                user_bias: 1.8,
                noise: 0.25,
                polarisation: 0.8,
            },
            make_item: |_, attrs| coat_item(attrs),
        },
        Preset::KuaiRec => Spec {
            user_fields: vocab::KUAIREC_USER,
            item_fields: vocab::KUAIREC_ITEM,
            tag_field: 0,
            scale: Scale::WatchRatio {
                median: 0.75,
                spread: 0.6,
            },
            log_density: 0.16,
            self_selection: 0.8,
            log_fixed_per_user: false,
            held_out_density: 0.0,
            taste: Taste {
                attribute: 0.45,
                own: 0.5,
                matching: 0.0,
                quality: 0.4,
                latent: 0.3,
                user_bias: 0.4,
                noise: 0.3,
                polarisation: 0.5,
            },
            make_item: kuairec_item,
        },
        // MovieLens-1M histogram of 1..5: 5.6 %, 10.8 %, 26.1 %, 34.9 %, 22.6 %.
        Preset::MovieLens => Spec {
            user_fields: vocab::MOVIELENS_USER,
            item_fields: vocab::MOVIELENS_ITEM,
            tag_field: 1,
            scale: Scale::Stars([0.056, 0.108, 0.261, 0.349, 0.226]),
            log_density: 165.6 / 3706.0,
            self_selection: 0.3,
            log_fixed_per_user: false,
            held_out_density: 0.0,
            taste: Taste {
                attribute: 0.35,
                own: 0.4,
                matching: 0.0,
                quality: 0.5,
                latent: 0.35,
                user_bias: 0.5,
                noise: 0.35,
                polarisation: 0.5,
            },
            make_item: movielens_item,
        },
    }
}

/// The shape of a synthetic world at `scale` (1.0 = the real data's shape).
pub fn shape(preset: Preset, scale: f64) -> (usize, usize) {
    let (u, i) = preset.real_shape();
    let s = |n: usize| ((n as f64 * scale).round() as usize).max(10);
    (s(u), s(i))
}

/// The default scale of each preset: full size where that is quick in a browser.
pub fn default_scale(preset: Preset) -> f64 {
    match preset {
        Preset::Coat => 1.0,
        Preset::KuaiRec => 0.25,
        Preset::MovieLens => 0.1,
    }
}

/// Parameters of a synthetic world.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SyntheticParams {
    pub preset: Preset,
    pub seed: u64,
    /// Shape relative to the real data, in [`SCALE_RANGE`].
    pub scale: f64,
}

/// Generates the world. Deterministic for the parameters, natively and in wasm.
pub fn generate(p: SyntheticParams) -> World {
    let sp = spec(p.preset);
    let mut rng = rng::stream(p.seed, Stream::World, 0);
    let (n_users, n_items) = shape(p.preset, p.scale);

    let users: Vec<User> = (0..n_users)
        .map(|_| User {
            attrs: draw_attrs(&mut rng, sp.user_fields),
        })
        .collect();
    let items: Vec<Item> = (0..n_items)
        .map(|_| {
            let attrs = draw_attrs(&mut rng, sp.item_fields);
            (sp.make_item)(&mut rng, attrs)
        })
        .collect();

    let scores = taste_scores(&mut rng, &sp, &users, &items);
    let truth = to_rewards(&mut rng, sp.scale, scores, n_users, n_items);
    let log = self_selected_log(&mut rng, &sp, &truth);
    let held_out = random_exposure(&mut rng, &sp, &truth);
    let reward = match sp.scale {
        Scale::Stars(_) => RewardScale {
            min: 1.0,
            max: 5.0,
            name: "rating 1-5",
        },
        Scale::WatchRatio { .. } => RewardScale {
            min: 0.0,
            max: 5.0,
            name: "watch ratio",
        },
    };
    World {
        preset: p.preset,
        source: WorldSource::Synthetic {
            seed: p.seed,
            scale: p.scale,
        },
        user_fields: sp.user_fields.iter().map(FieldSpec::to_field).collect(),
        item_fields: sp.item_fields.iter().map(FieldSpec::to_field).collect(),
        users,
        items,
        tag_field: sp.tag_field,
        truth,
        log,
        held_out,
        reward,
    }
}

/// Values for each field; values are not equally common (log-normal weights per value,
/// fixed by the field's position so every world of a preset has the same skew shape).
fn draw_attrs(rng: &mut SimRng, fields: &[FieldSpec]) -> Vec<Vec<u16>> {
    fields
        .iter()
        .map(|f| {
            let weights: Vec<f64> = (0..f.values.len())
                .map(|v| value_weight(f.name, v))
                .collect();
            let k = match f.several {
                None => 1,
                Some((lo, hi)) => lo + rng::index(rng, hi - lo + 1),
            };
            let mut vs: Vec<u16> = rng::weighted_sample_without_replacement(rng, &weights, k)
                .into_iter()
                .map(|v| v as u16)
                .collect();
            vs.sort_unstable();
            vs
        })
        .collect()
}

/// A fixed, deterministic skew: some colours, genres and tags are more common.
fn value_weight(field: &str, v: usize) -> f64 {
    let h = field.bytes().fold(
        (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) + 1,
        |a, b| a.rotate_left(7) ^ b as u64,
    );
    let h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 20;
    0.3 + (h % 1000) as f64 / 1000.0 * 1.7
}

fn taste_scores(rng: &mut SimRng, sp: &Spec, users: &[User], items: &[Item]) -> Vec<f64> {
    let t = sp.taste;
    let n_user_vals: usize = sp.user_fields.iter().map(|f| f.values.len()).sum();
    let item_offsets = offsets(sp.item_fields);
    let user_offsets = offsets(sp.user_fields);
    let n_item_vals: usize = sp.item_fields.iter().map(|f| f.values.len()).sum();
    let normal = |s: f64, rng: &mut SimRng| rng::normal(rng) * s;

    // Effect of each user attribute value on each item attribute value.
    let effect: Vec<f64> = (0..n_user_vals * n_item_vals)
        .map(|_| normal(t.attribute, rng))
        .collect();
    let base: Vec<f64> = (0..n_item_vals).map(|_| normal(0.3, rng)).collect();
    const LATENT: usize = 4;
    let item_q: Vec<f64> = (0..items.len()).map(|_| normal(t.quality, rng)).collect();
    let item_z: Vec<f64> = (0..items.len() * LATENT)
        .map(|_| normal(1.0, rng))
        .collect();
    let item_rho: Vec<f64> = (0..items.len())
        .map(|_| normal(t.polarisation, rng).exp().min(1.5))
        .collect();

    // Attribute pairs with the same field name and value text attract ("gender: women").
    let mut matching = vec![0.0; n_user_vals * n_item_vals];
    for (uf, uo) in sp.user_fields.iter().zip(&user_offsets) {
        for (itf, io) in sp.item_fields.iter().zip(&item_offsets) {
            if uf.name == itf.name {
                for (a, av) in uf.values.iter().enumerate() {
                    for (b, bv) in itf.values.iter().enumerate() {
                        matching[(uo + a) * n_item_vals + io + b] =
                            if av == bv { t.matching } else { -t.matching };
                    }
                }
            }
        }
    }

    let mut scores = Vec::with_capacity(users.len() * items.len());
    let mut w = vec![0.0; n_item_vals];
    for user in users {
        for (v, wv) in w.iter_mut().enumerate() {
            *wv = base[v] + normal(t.own, rng);
        }
        for (f, vals) in user.attrs.iter().enumerate() {
            for &a in vals {
                let row = (user_offsets[f] + a as usize) * n_item_vals;
                for (v, wv) in w.iter_mut().enumerate() {
                    *wv += effect[row + v] + matching[row + v];
                }
            }
        }
        let bias = normal(t.user_bias, rng);
        let z: Vec<f64> = (0..LATENT).map(|_| normal(t.latent, rng)).collect();
        for (i, item) in items.iter().enumerate() {
            let mut taste = 0.0;
            for (f, vals) in item.attrs.iter().enumerate() {
                taste += vals
                    .iter()
                    .map(|v| w[item_offsets[f] + *v as usize])
                    .sum::<f64>()
                    / vals.len() as f64;
            }
            taste += (0..LATENT)
                .map(|k| z[k] * item_z[i * LATENT + k])
                .sum::<f64>();
            taste += normal(t.noise, rng);
            scores.push(bias + item_q[i] + item_rho[i] * taste);
        }
    }
    scores
}

fn offsets(fields: &[FieldSpec]) -> Vec<usize> {
    super::vocab::value_offsets(fields.iter().map(|f| f.values.len())).0
}

/// Maps scores to the reward scale, matching the real data's marginal distribution
/// (quantiles estimated on a sample of scores, so huge worlds need no full sort).
fn to_rewards(
    rng: &mut SimRng,
    scale: Scale,
    scores: Vec<f64>,
    n_users: usize,
    n_items: usize,
) -> RatingMatrix {
    let mut sample: Vec<f64> = (0..scores.len().min(20_000))
        .map(|_| scores[rng::index(rng, scores.len())])
        .collect();
    sample.sort_by(f64::total_cmp);
    let quantile =
        |q: f64| sample[((q * (sample.len() - 1) as f64).round() as usize).min(sample.len() - 1)];
    let data: Vec<f32> = match scale {
        Scale::Stars(hist) => {
            let mut cum = 0.0;
            let cuts: Vec<f64> = hist[..4]
                .iter()
                .map(|h| {
                    cum += h;
                    quantile(cum)
                })
                .collect();
            scores
                .iter()
                .map(|s| 1.0 + cuts.iter().filter(|c| s > c).count() as f32)
                .collect()
        }
        Scale::WatchRatio { median, spread } => {
            let mid = quantile(0.5);
            let iqr = (quantile(0.75) - quantile(0.25)).max(1e-9) / 1.349;
            scores
                .iter()
                .map(|s| (median * (spread * (s - mid) / iqr).exp()).clamp(0.0, 5.0) as f32)
                .collect()
        }
    };
    RatingMatrix::new(n_users, n_items, data).expect("one score per user and item")
}

/// The offline log: each user rates items they like more often, and popular items more
/// often (missing not at random).
fn self_selected_log(rng: &mut SimRng, sp: &Spec, truth: &RatingMatrix) -> Vec<Rating> {
    let n_items = truth.n_items();
    let popularity: Vec<f64> = (0..n_items).map(|_| rng::normal(rng).exp()).collect();
    let mean = truth.mean();
    let spread = sp.self_selection;
    let mut log = Vec::new();
    for u in 0..truth.n_users() {
        let mean_k = sp.log_density * n_items as f64;
        let k = if sp.log_fixed_per_user {
            mean_k
        } else {
            mean_k * (0.6 * rng::normal(rng) - 0.18).exp()
        };
        let k = (k.round() as usize).clamp(3.min(n_items), n_items);
        let weights: Vec<f64> = (0..n_items)
            .map(|i| popularity[i] * (spread * (truth.get(u, i) as f64 - mean)).exp())
            .collect();
        let mut picked = rng::weighted_sample_without_replacement(rng, &weights, k);
        picked.sort_unstable();
        log.extend(picked.into_iter().map(|i| Rating {
            user: u as u32,
            item: i as u32,
            value: truth.get(u, i),
        }));
    }
    log
}

/// Ratings on uniformly random items (like Coat's `test.ascii`).
fn random_exposure(rng: &mut SimRng, sp: &Spec, truth: &RatingMatrix) -> Vec<Rating> {
    let k = (sp.held_out_density * truth.n_items() as f64).round() as usize;
    let uniform = vec![1.0; truth.n_items()];
    let mut out = Vec::new();
    for u in 0..truth.n_users() {
        let mut picked = rng::weighted_sample_without_replacement(rng, &uniform, k);
        picked.sort_unstable();
        out.extend(picked.into_iter().map(|i| Rating {
            user: u as u32,
            item: i as u32,
            value: truth.get(u, i),
        }));
    }
    out
}

fn kuairec_item(rng: &mut SimRng, attrs: Vec<Vec<u16>>) -> Item {
    let tags = attrs[0].clone();
    let names: Vec<&str> = tags
        .iter()
        .map(|t| vocab::KUAIREC_TAGS[*t as usize])
        .collect();
    let n: u32 = rng.random_range(100..99_999);
    Item {
        title: format!("video #{n}: {}", names.join(" / ")),
        category: tags[0],
        tags,
        attrs,
    }
}

fn movielens_item(rng: &mut SimRng, attrs: Vec<Vec<u16>>) -> Item {
    let pick = |rng: &mut SimRng, words: &[&'static str]| words[rng::index(rng, words.len())];
    let adj = pick(rng, vocab::TITLE_ADJECTIVES);
    let noun = pick(rng, vocab::TITLE_NOUNS);
    let place = pick(rng, vocab::TITLE_PLACES);
    let title = match rng::index(rng, 4) {
        0 => format!("The {adj} {noun}"),
        1 => format!("{noun} of {place}"),
        2 => format!("{adj} {noun}s"),
        _ => format!("A {noun} in {place}"),
    };
    let decade = 1920 + 10 * attrs[0][0] as u32;
    let year = decade + rng.random_range(0..10u32);
    let genres = attrs[1].clone();
    Item {
        title: format!("{title} ({year})"),
        category: genres[0],
        tags: genres,
        attrs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(preset: Preset) -> World {
        generate(SyntheticParams {
            preset,
            seed: 11,
            scale: default_scale(preset),
        })
    }

    #[test]
    fn same_seed_same_world_other_seed_other_world() {
        let a = generate(SyntheticParams {
            preset: Preset::Coat,
            seed: 5,
            scale: 0.3,
        });
        let b = generate(SyntheticParams {
            preset: Preset::Coat,
            seed: 5,
            scale: 0.3,
        });
        let c = generate(SyntheticParams {
            preset: Preset::Coat,
            seed: 6,
            scale: 0.3,
        });
        assert_eq!(a, b);
        assert_ne!(a.truth, c.truth);
    }

    #[test]
    fn coat_matches_the_real_shape_and_rating_histogram() {
        let w = world(Preset::Coat);
        assert_eq!((w.n_users(), w.n_items()), (290, 300));
        assert_eq!(
            w.log.len(),
            290 * 24,
            "24 self-selected ratings per user, as in Coat"
        );
        let mut hist = [0usize; 5];
        for u in 0..290 {
            for i in 0..300 {
                hist[w.truth.get(u, i) as usize - 1] += 1;
            }
        }
        let share = |k: usize| hist[k] as f64 / (290.0 * 300.0);
        assert!((share(1) - 0.543).abs() < 0.03, "share of 2s {}", share(1));
        assert!((share(0) - 0.138).abs() < 0.03, "share of 1s {}", share(0));
    }

    #[test]
    fn the_log_is_missing_not_at_random() {
        for preset in Preset::ALL {
            let w = world(preset);
            let log_mean = w.log.iter().map(|r| r.value as f64).sum::<f64>() / w.log.len() as f64;
            assert!(
                log_mean > w.truth.mean() + 0.1,
                "{preset:?}: log {log_mean} vs all {}",
                w.truth.mean()
            );
        }
    }

    #[test]
    fn text_carries_signal_users_alike_in_text_rate_alike() {
        // Users with identical attributes agree more than random pairs of users.
        let w = world(Preset::Coat);
        let corr = |a: usize, b: usize| {
            let (x, y) = (w.truth.row(a), w.truth.row(b));
            let (mx, my) = (
                x.iter().sum::<f32>() / x.len() as f32,
                y.iter().sum::<f32>() / y.len() as f32,
            );
            let c: f32 = x.iter().zip(y).map(|(p, q)| (p - mx) * (q - my)).sum();
            let vx: f32 = x.iter().map(|p| (p - mx).powi(2)).sum();
            let vy: f32 = y.iter().map(|q| (q - my).powi(2)).sum();
            (c / (vx * vy).sqrt().max(1e-6)) as f64
        };
        let (mut same, mut other) = (vec![], vec![]);
        for a in 0..120 {
            for b in a + 1..120 {
                if w.users[a] == w.users[b] {
                    same.push(corr(a, b))
                } else {
                    other.push(corr(a, b))
                }
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(!same.is_empty());
        assert!(
            mean(&same) > mean(&other) + 0.1,
            "same {} other {}",
            mean(&same),
            mean(&other)
        );
    }

    #[test]
    fn kuairec_and_movielens_have_their_vocabularies_and_ranges() {
        let k = world(Preset::KuaiRec);
        assert_eq!(k.item_fields[0].values.len(), 31);
        assert!(k.items.iter().all(|i| (1..=3).contains(&i.tags.len())));
        assert!((0..k.n_users()).all(|u| k.truth.row(u).iter().all(|r| (0.0..=5.0).contains(r))));
        let m = world(Preset::MovieLens);
        assert_eq!(m.item_fields[1].values.len(), 18);
        assert!(m.items[0].title.contains('('), "{}", m.items[0].title);
        assert_eq!((m.n_users(), m.n_items()), (604, 371));
    }
}
