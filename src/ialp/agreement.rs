//! How good distilled preferences are: per state, compare a scorer's ranking of the
//! candidates with the ground truth (Spearman ρ, NDCG@5), averaged over held-out states.

use serde::{Deserialize, Serialize};

/// Mean agreement of one scorer with the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Mean Spearman ρ over states where both rankings vary (NaN-free; 0 if none).
    pub spearman: f64,
    /// Mean NDCG@5 (gain 2^(stars−1) − 1).
    pub ndcg5: f64,
    /// States averaged.
    pub states: usize,
}

/// Accumulates per-state scores.
#[derive(Debug, Clone, Default)]
pub struct AgreementSum {
    rho: (f64, usize),
    ndcg: (f64, usize),
}

impl AgreementSum {
    /// Adds one state: predicted scores and true 1–5 ratings of the same candidates.
    pub fn add(&mut self, predicted: &[f64], truth_stars: &[f64]) {
        if predicted.len() < 2 {
            return;
        }
        if let Some(r) = spearman(predicted, truth_stars) {
            self.rho.0 += r;
            self.rho.1 += 1;
        }
        if let Some(n) = ndcg_at(predicted, truth_stars, 5) {
            self.ndcg.0 += n;
            self.ndcg.1 += 1;
        }
    }

    pub fn finish(&self) -> Agreement {
        let mean = |(s, n): (f64, usize)| if n == 0 { 0.0 } else { s / n as f64 };
        Agreement {
            spearman: mean(self.rho),
            ndcg5: mean(self.ndcg),
            states: self.ndcg.1.max(self.rho.1),
        }
    }
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[idx[k]] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's ρ (Pearson on average ranks); `None` if either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// NDCG@k of ordering by `predicted` (ties: the order asked), with gain 2^(stars−1) − 1;
/// `None` if every candidate has the lowest rating.
pub fn ndcg_at(predicted: &[f64], truth_stars: &[f64], k: usize) -> Option<f64> {
    let gain = |s: f64| 2f64.powf((s - 1.0).max(0.0)) - 1.0;
    let dcg = |order: &[usize]| {
        order
            .iter()
            .take(k)
            .enumerate()
            .map(|(r, &i)| gain(truth_stars[i]) / (r as f64 + 2.0).log2())
            .sum::<f64>()
    };
    let mut by_pred: Vec<usize> = (0..predicted.len()).collect();
    by_pred.sort_by(|&a, &b| predicted[b].total_cmp(&predicted[a]));
    let mut ideal: Vec<usize> = (0..truth_stars.len()).collect();
    ideal.sort_by(|&a, &b| truth_stars[b].total_cmp(&truth_stars[a]));
    let best = dcg(&ideal);
    (best > 0.0).then(|| dcg(&by_pred) / best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_reversed_and_tied_rankings() {
        let t = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&t, &t).unwrap() - 1.0).abs() < 1e-12);
        let rev: Vec<f64> = t.iter().rev().copied().collect();
        assert!((spearman(&rev, &t).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&[3.0; 5], &t), None);
        assert_eq!(ranks(&[2.0, 1.0, 2.0]), vec![2.5, 1.0, 2.5]);
        assert!((ndcg_at(&t, &t, 5).unwrap() - 1.0).abs() < 1e-12);
        assert!(ndcg_at(&rev, &t, 5).unwrap() < 0.6);
        assert_eq!(ndcg_at(&t, &[1.0; 5], 5), None);
    }
}
