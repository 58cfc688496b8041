//! A dense users × items matrix of rewards: the ground truth, the user model's `R̂`, and
//! the item distances of the quit rule are read from one.

use serde::{Deserialize, Serialize};

/// A dense users × items matrix of rewards (row-major by user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingMatrix {
    n_users: usize,
    n_items: usize,
    data: Vec<f32>,
}

impl RatingMatrix {
    /// A matrix from row-major data; `None` if the length does not match the shape.
    pub fn new(n_users: usize, n_items: usize, data: Vec<f32>) -> Option<Self> {
        (data.len() == n_users * n_items).then_some(Self {
            n_users,
            n_items,
            data,
        })
    }

    /// A matrix from rows of equal length; `None` if they are ragged or empty.
    pub fn from_rows(rows: &[Vec<f32>]) -> Option<Self> {
        let n_items = rows.first()?.len();
        if n_items == 0 || rows.iter().any(|r| r.len() != n_items) {
            return None;
        }
        Self::new(rows.len(), n_items, rows.concat())
    }

    pub fn n_users(&self) -> usize {
        self.n_users
    }
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// `R[u, i]`.
    #[inline]
    pub fn get(&self, user: usize, item: usize) -> f32 {
        self.data[user * self.n_items + item]
    }

    /// User `u`'s row.
    pub fn row(&self, user: usize) -> &[f32] {
        &self.data[user * self.n_items..(user + 1) * self.n_items]
    }

    /// Euclidean distance between the columns of items `a` and `b` (over all users):
    /// the item distance of DORL/EasyRL4Rec's quit rule.
    pub fn item_distance(&self, a: usize, b: usize) -> f32 {
        if a == b {
            return 0.0;
        }
        let mut s = 0.0f64;
        for u in 0..self.n_users {
            let d = (self.get(u, a) - self.get(u, b)) as f64;
            s += d * d;
        }
        s.sqrt() as f32
    }

    /// The row-major entries.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// Mean of all entries.
    pub fn mean(&self) -> f64 {
        self.data.iter().map(|v| *v as f64).sum::<f64>() / self.data.len().max(1) as f64
    }
}
