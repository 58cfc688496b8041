//! Adam, as burn-optim computes it (see [`Adam`]).

use super::mlp;
use super::weights::LayerWeights;

/// Adam with burn-optim 0.22's `AdamConfig::new()` (β₁ 0.9, β₂ 0.999, ε 10⁻⁵, no weight
/// decay, no AMSGrad), computed as burn-optim computes it, operation for operation and in
/// the same order, so the weights are the same bits (`tests/a2c_gradients.rs` steps both
/// and compares every bit). Ours rather than burn-optim's because burn-optim turns on
/// burn's autodiff, and burn's tensor operations carry the autodiff and quantised arms of
/// every operation into the page's bundle. One state per parameter slot, made on the
/// slot's first step.
#[derive(Clone, Default)]
pub struct Adam {
    moments: Vec<Option<Moments>>,
}

#[derive(Clone)]
struct Moments {
    time: usize,
    first: Vec<f32>,
    second: Vec<f32>,
}

impl Adam {
    const BETA_1: f32 = 0.9;
    const BETA_2: f32 = 0.999;
    const EPSILON: f32 = 1e-5;

    /// One step of the parameter in `slot`, in place, with its gradient (same length).
    pub fn step(&mut self, slot: usize, lr: f64, param: &mut [f32], grad: &[f32]) {
        assert_eq!(param.len(), grad.len(), "a gradient per parameter");
        if self.moments.len() <= slot {
            self.moments.resize(slot + 1, None);
        }
        let (b1, b2) = (Self::BETA_1, Self::BETA_2);
        let m = match &mut self.moments[slot] {
            Some(m) => {
                for ((m1, m2), g) in m.first.iter_mut().zip(&mut m.second).zip(grad) {
                    *m1 = *m1 * b1 + *g * (1.0 - b1);
                    *m2 = *m2 * b2 + *g * *g * (1.0 - b2);
                }
                m.time += 1;
                m
            }
            slot => slot.insert(Moments {
                time: 1,
                first: grad.iter().map(|g| g * (1.0 - b1)).collect(),
                second: grad.iter().map(|g| g * g * (1.0 - b2)).collect(),
            }),
        };
        let time = m.time as i32;
        let bias_correction2_sqrt = (1.0 - b2.powi(time)).sqrt();
        let combined = bias_correction2_sqrt / (1.0 - b1.powi(time));
        let epsilon = Self::EPSILON * bias_correction2_sqrt;
        let lr = lr as f32; // burn converts the scalar to the tensor's element type
        for ((p, m1), m2) in param.iter_mut().zip(&m.first).zip(&m.second) {
            *p -= *m1 * combined / (m2.sqrt() + epsilon) * lr;
        }
    }

    /// One step of every layer that has gradients (none: nothing moves); the layers'
    /// weights and biases are the slots `first_slot..first_slot + 2 · layers`.
    pub fn step_layers(
        &mut self,
        first_slot: usize,
        layers: &mut [LayerWeights],
        grads: &[mlp::LayerGrads],
        lr: f64,
    ) {
        for (k, (l, g)) in layers.iter_mut().zip(grads).enumerate() {
            self.step(first_slot + 2 * k, lr, &mut l.weight, &g.weight);
            self.step(first_slot + 2 * k + 1, lr, &mut l.bias, &g.bias);
        }
    }
}
