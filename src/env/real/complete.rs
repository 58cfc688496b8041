//! Matrix completion (METHOD.md §2: "a matrix that is not fully observed is completed
//! by matrix factorisation fitted in the app"). The user model's factorisation with
//! biases, fitted to 95 % of the observed ratings with a fixed seed, so a data set
//! completes to the same matrix on every run, in the page and in the CLI; the other 5 %
//! measure how well it fits. Observed entries keep their observed value.

use serde::{Deserialize, Serialize};

use crate::env::world::{Rating, RatingMatrix, World};
use crate::rng::{self, Stream};
use crate::env::mf::{self, MfConfig};

/// The factorisation used for completion (smaller and shorter than the user model's:
/// it runs once per load, on up to a million ratings).
pub const COMPLETION: MfConfig = MfConfig {
    dim: 16,
    epochs: 20,
    learning_rate: 0.02,
    l2: 0.05,
    attributes: false,
};

/// Share of the observed ratings held out of the fit to measure it.
pub const HELD_OUT_SHARE: f64 = 0.05;

/// How well the completion fits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompletionReport {
    pub fitted: usize,
    pub held_out: usize,
    /// RMSE on the ratings it was fitted to.
    pub train_rmse: f64,
    /// RMSE on the held-out ratings.
    pub held_out_rmse: f64,
    /// RMSE on the held-out ratings of predicting the fitted ratings' mean (the bar a
    /// factorisation must clear).
    pub mean_rmse: f64,
    pub dim: usize,
    pub epochs: usize,
}

/// Splits `ratings` into (fitted, held out) with a fixed seed.
pub fn split(ratings: &[Rating]) -> (Vec<Rating>, Vec<Rating>) {
    let mut rng = rng::stream(0, Stream::World, 2000);
    let cut = (HELD_OUT_SHARE * u32::MAX as f64) as u32;
    let mut fit = Vec::with_capacity(ratings.len());
    let mut held = Vec::with_capacity(ratings.len() / 19);
    for r in ratings {
        if rand::Rng::random::<u32>(&mut rng) < cut {
            held.push(*r);
        } else {
            fit.push(*r);
        }
    }
    (fit, held)
}

/// Completes `skeleton`'s matrix from `fitted` (`skeleton.truth` is ignored; its users,
/// items and reward range are used): every entry is the factorisation's prediction,
/// clipped to the reward range, except the observed ones (`fitted` and `held_out`),
/// which keep their value. Hands `fitted` back.
pub fn complete(
    skeleton: &World,
    fitted: Vec<Rating>,
    held_out: &[Rating],
) -> (RatingMatrix, CompletionReport, Vec<Rating>) {
    let world = World {
        log: fitted,
        held_out: Vec::new(),
        ..skeleton.clone()
    };
    let model = mf::fit(&world, &COMPLETION, 0);
    let rmse = |pred: &dyn Fn(&Rating) -> f32, set: &[Rating]| -> f64 {
        let s: f64 = set
            .iter()
            .map(|r| ((pred(r) - r.value) as f64).powi(2))
            .sum();
        (s / set.len().max(1) as f64).sqrt()
    };
    let mean = (world.log.iter().map(|r| r.value as f64).sum::<f64>()
        / world.log.len().max(1) as f64) as f32;
    let report = CompletionReport {
        fitted: world.log.len(),
        held_out: held_out.len(),
        train_rmse: model.train_rmse,
        held_out_rmse: rmse(
            &|r| model.predicted.get(r.user as usize, r.item as usize),
            held_out,
        ),
        mean_rmse: rmse(&|_| mean, held_out),
        dim: COMPLETION.dim,
        epochs: COMPLETION.epochs,
    };
    let (nu, ni) = (world.n_users(), world.n_items());
    let mut data = model.predicted.into_data();
    for r in world.log.iter().chain(held_out) {
        data[r.user as usize * ni + r.item as usize] = r.value;
    }
    (
        RatingMatrix::new(nu, ni, data).expect("same shape"),
        report,
        world.log,
    )
}
