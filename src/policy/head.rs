//! The actor's output, fused: the masked softmax over the whole catalogue, A2C's loss
//! terms (policy gradient, entropy bonus, A-iALP_ap's KL toward the anchor) and their
//! gradient with respect to the logits, written out in closed form. An update's widest
//! arrays are `[batch, n_items]`, so this makes one such array (the logits, turned into
//! the gradient in place) and runs `exp` once per logit; `mlp.rs` backpropagates the
//! gradient through the layers.
//!
//! For one row with logits `z`, allowed items `j` (masked ones have `p_j = 0`),
//! `p = softmax(z)`, `log p_j = z_j − max − ln Σ e^{z − max}`, chosen action `a` and
//! advantage `A`, averaged over the `n` rows:
//!
//! - policy loss `−A · log p_a`, gradient `−A (δ_ja − p_j)`;
//! - entropy `H = −Σ p log p`, and the loss's `−β H` has gradient `β p_j (log p_j + H)`;
//! - `KL(p ‖ p₀) = Σ p (log p − log p₀)`, gradient `p_j (log p_j − log p₀_j − KL)`.

use crate::nn::kernels::exp;

/// What the loss is made of, besides the logits.
#[derive(Debug, Clone, Copy)]
pub struct LossTerms<'a> {
    /// The item recommended in each row.
    pub actions: &'a [usize],
    /// The (normalised) advantage of each row.
    pub advantages: &'a [f32],
    pub entropy_weight: f32,
    /// The anchor's log-probabilities `[rows, items]` and the KL weight (A-iALP_ap).
    pub anchor: Option<(&'a [f32], f32)>,
}

/// The loss terms' values, averaged over rows (for reporting; the gradient is exact).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeadLoss {
    pub policy_loss: f32,
    pub entropy: f32,
    pub kl: f32,
}

/// Marks the masked items of each row with `−∞` (they get probability exactly 0).
pub fn mask(z: &mut [f32], items: usize, masked: &[Vec<usize>]) {
    for (row, m) in z.chunks_exact_mut(items).zip(masked) {
        for &i in m {
            row[i] = f32::NEG_INFINITY;
        }
    }
}

/// Lanes of the sums below: eight partial sums, element `j` into lane `j mod 8`, then
/// added in a fixed tree. The order is part of the definition (the same on every
/// target), and eight independent sums let the compiler use vector registers, which a
/// single running sum (each add waiting for the last) would not.
const LANES: usize = 8;

/// `Σ x` in the fixed order described at [`LANES`].
#[inline(always)]
pub fn sum(x: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    for (a, v) in acc.iter_mut().zip(chunks.remainder()) {
        *a += v;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `Σ f(a_j, b_j)` in the same fixed order.
#[inline(always)]
fn sum_zip(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (mut ca, mut cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..LANES {
            acc[k] += f(x[k], y[k]);
        }
    }
    for ((s, x), y) in acc.iter_mut().zip(ca.remainder()).zip(cb.remainder()) {
        *s += f(*x, *y);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `x_j = f(x_j)` for every element, eight at a time then the rest: the fixed-length inner
/// loop is what a build optimised for size still vectorises (the page's, see
/// Cargo.toml), where a plain loop of unknown length stays scalar. Element-wise, so the
/// same bits in any order.
#[inline(always)]
fn each(x: &mut [f32], f: impl Fn(f32) -> f32) {
    let mut c = x.chunks_exact_mut(LANES);
    for c in &mut c {
        for v in c.iter_mut() {
            *v = f(*v);
        }
    }
    for v in c.into_remainder() {
        *v = f(*v);
    }
}

/// `x_j = f(x_j, y_j)`, as [`each`].
#[inline(always)]
fn each_zip(x: &mut [f32], y: &[f32], f: impl Fn(f32, f32) -> f32) {
    let (mut cx, mut cy) = (x.chunks_exact_mut(LANES), y.chunks_exact(LANES));
    for (a, b) in (&mut cx).zip(&mut cy) {
        for k in 0..LANES {
            a[k] = f(a[k], b[k]);
        }
    }
    for (a, b) in cx.into_remainder().iter_mut().zip(cy.remainder()) {
        *a = f(*a, *b);
    }
}

/// `x_j = f(x_j, y_j, w_j)`, as [`each`].
#[inline(always)]
fn each_zip3(x: &mut [f32], y: &[f32], w: &[f32], f: impl Fn(f32, f32, f32) -> f32) {
    let (mut cx, mut cy, mut cw) = (x.chunks_exact_mut(LANES), y.chunks_exact(LANES), w.chunks_exact(LANES));
    for ((a, b), c) in (&mut cx).zip(&mut cy).zip(&mut cw) {
        for k in 0..LANES {
            a[k] = f(a[k], b[k], c[k]);
        }
    }
    for ((a, b), c) in cx.into_remainder().iter_mut().zip(cy.remainder()).zip(cw.remainder()) {
        *a = f(*a, *b, *c);
    }
}

/// The largest element (exact in any order; lanes again, for the vector registers).
#[inline(always)]
fn max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a = if *v > *a { *v } else { *a };
        }
    }
    for (a, v) in acc.iter_mut().zip(chunks.remainder()) {
        *a = if *v > *a { *v } else { *a };
    }
    acc.iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m })
}

/// The row's maximum, `e^{z − max}` in place, and the sum of those.
#[inline(always)]
fn exp_row(row: &mut [f32]) -> (f32, f32) {
    let m = max(row);
    each(row, |x| exp(x - m));
    (m, sum(row))
}

/// Masked logits (see [`mask`]) to probabilities, in place.
pub fn softmax(z: &mut [f32], items: usize) {
    for row in z.chunks_exact_mut(items) {
        let (_, sum) = exp_row(row);
        let inv = 1.0 / sum;
        each(row, |x| x * inv);
    }
}

/// Masked logits to log-probabilities, in place (masked items stay `−∞`).
pub fn log_softmax(z: &mut [f32], items: usize) {
    let mut e = vec![0.0f32; items];
    for row in z.chunks_exact_mut(items) {
        e.copy_from_slice(row);
        let (max, sum) = exp_row(&mut e);
        let shift = max + sum.ln();
        each(row, |x| x - shift);
    }
}

/// Turns masked logits `z` (`[rows, items]`) into `∂L/∂z` in place, where `L` is the
/// mean over rows of the policy-gradient loss, minus the entropy bonus, plus the KL
/// term; returns the terms' values.
pub fn loss_grad(z: &mut [f32], items: usize, terms: &LossTerms) -> HeadLoss {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX. The same code with wider vectors: no FMA, the
            // same order of operations, the same bits.
            return unsafe { loss_grad_avx(z, items, terms) };
        }
    }
    loss_grad_body(z, items, terms)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn loss_grad_avx(z: &mut [f32], items: usize, terms: &LossTerms) -> HeadLoss {
    loss_grad_body(z, items, terms)
}

#[inline(always)]
fn loss_grad_body(z: &mut [f32], items: usize, terms: &LossTerms) -> HeadLoss {
    let rows = terms.actions.len();
    let inv_n = 1.0 / rows as f32;
    let beta = terms.entropy_weight;
    let mut out = HeadLoss::default();
    let mut logits = vec![0.0f32; items];
    for (r, row) in z.chunks_exact_mut(items).enumerate() {
        logits.copy_from_slice(row);
        let (max, sum) = exp_row(row); // row = e^{z − max}
        let ln_sum = sum.ln();
        let inv = 1.0 / sum;
        // p in place; Σ p (z − max), for H = ln Σ − Σ p (z − max).
        each(row, |p| p * inv);
        let pz = sum_zip(
            row,
            &logits,
            |p, z| if p > 0.0 { p * (z - max) } else { 0.0 },
        );
        let h = ln_sum - pz;
        let shift = max + ln_sum; // log p = z − shift
        let a = terms.actions[r];
        let adv = terms.advantages[r];
        out.policy_loss -= adv * (logits[a] - shift);
        out.entropy += h;
        match terms.anchor {
            Some((logp0, w)) if w > 0.0 => {
                let logp0 = &logp0[r * items..(r + 1) * items];
                // p (log p − log p₀) = p (z − shift − q); logits − q first, then the sum.
                let mut dz = logits.clone();
                each_zip(&mut dz, logp0, |z, q| (z - shift) - q);
                let kl = sum_zip(row, &dz, |p, d| if p > 0.0 { p * d } else { 0.0 });
                out.kl += kl;
                each_zip3(row, &logits, logp0, |p, z, q| {
                    let g = if p > 0.0 {
                        let logp = z - shift;
                        adv * p + beta * p * (logp + h) + w * p * ((logp - q) - kl)
                    } else {
                        0.0
                    };
                    g * inv_n
                });
            }
            _ => {
                each_zip(row, &logits, |p, z| {
                    let g = if p > 0.0 {
                        adv * p + beta * p * ((z - shift) + h)
                    } else {
                        0.0
                    };
                    g * inv_n
                });
            }
        }
        // −A·δ_ja for the chosen item.
        row[a] -= adv * inv_n;
    }
    out.policy_loss *= inv_n;
    out.entropy *= inv_n;
    out.kl *= inv_n;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loss as a plain f64 function of the logits, for finite differences.
    fn loss_f64(z: &[f64], items: usize, terms: &LossTerms, masked: &[Vec<usize>]) -> f64 {
        let rows = terms.actions.len();
        let mut total = 0.0;
        for r in 0..rows {
            let row = &z[r * items..(r + 1) * items];
            let allowed: Vec<usize> = (0..items).filter(|j| !masked[r].contains(j)).collect();
            let max = allowed
                .iter()
                .map(|&j| row[j])
                .fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = allowed.iter().map(|&j| (row[j] - max).exp()).sum();
            let logp = |j: usize| row[j] - max - s.ln();
            let a = terms.actions[r];
            total -= terms.advantages[r] as f64 * logp(a);
            let h: f64 = -allowed
                .iter()
                .map(|&j| logp(j).exp() * logp(j))
                .sum::<f64>();
            total -= terms.entropy_weight as f64 * h;
            if let Some((q, w)) = terms.anchor {
                let kl: f64 = allowed
                    .iter()
                    .map(|&j| logp(j).exp() * (logp(j) - q[r * items + j] as f64))
                    .sum();
                total += w as f64 * kl;
            }
        }
        total / rows as f64
    }

    #[test]
    fn the_closed_form_gradient_matches_finite_differences() {
        let (rows, items) = (3, 7);
        let z0: Vec<f32> = (0..rows * items)
            .map(|k| ((k * 37 % 11) as f32 - 5.0) * 0.3)
            .collect();
        let masked = vec![vec![], vec![2, 5], vec![0]];
        let mut q: Vec<f32> = (0..rows * items).map(|k| (k % 5) as f32 * 0.2).collect();
        mask(&mut q, items, &masked);
        log_softmax(&mut q, items);
        let actions = [4, 1, 6];
        let advantages = [1.3, -0.7, 0.4];
        for anchor in [None, Some((&q[..], 0.8f32))] {
            let terms = LossTerms {
                actions: &actions,
                advantages: &advantages,
                entropy_weight: 0.05,
                anchor,
            };
            let mut g = z0.clone();
            mask(&mut g, items, &masked);
            let loss = loss_grad(&mut g, items, &terms);
            let z64: Vec<f64> = z0.iter().map(|&x| x as f64).collect();
            let f = |z: &[f64]| loss_f64(z, items, &terms, &masked);
            let base = f(&z64);
            let total = loss.policy_loss as f64 - 0.05 * loss.entropy as f64
                + 0.8 * loss.kl as f64 * anchor.is_some() as u8 as f64;
            assert!((total - base).abs() < 1e-4, "loss {total} vs {base}");
            for k in 0..rows * items {
                let (r, j) = (k / items, k % items);
                if masked[r].contains(&j) {
                    assert_eq!(g[k], 0.0, "a masked item gets no gradient");
                    continue;
                }
                let eps = 1e-5;
                let mut up = z64.clone();
                up[k] += eps;
                let mut dn = z64.clone();
                dn[k] -= eps;
                let num = (f(&up) - f(&dn)) / (2.0 * eps);
                assert!(
                    (num - g[k] as f64).abs() < 2e-5,
                    "∂L/∂z[{r},{j}] = {} vs {num}",
                    g[k]
                );
            }
        }
    }

    #[test]
    fn softmax_gives_masked_items_exactly_zero() {
        let mut z = vec![1.0, 2.0, 3.0, 1.0e9 * -1.0, 0.5, 0.5];
        mask(&mut z, 3, &[vec![1], vec![]]);
        softmax(&mut z, 3);
        assert_eq!(z[1], 0.0);
        assert!((z[0] + z[2] - 1.0).abs() < 1e-6);
        assert_eq!(z[3], 0.0, "a logit far below the rest underflows to 0");
        assert!((z[4] - 0.5).abs() < 1e-6);
    }
}
