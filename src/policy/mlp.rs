//! A ReLU MLP's forward and backward passes on plain numbers, for the actor and the
//! critic of A2C and for the reward model `R_φ`: the layers' weights are burn's (a
//! `Module`, drawn by burn's seeded initialiser, stepped by `a2c::Adam`), the arithmetic
//! is the deterministic kernels of `kernels.rs`. A2C's networks are three small dense
//! layers, so the backward pass is written out here once, in closed form, rather than
//! recorded op by op in an autodiff graph for every update; `tests/a2c_gradients.rs`
//! checks it against burn's autodiff on the same loss.

use super::a2c::LayerWeights;
use super::kernels::gemm;

/// `x·W + b` for `rows` rows of `x` (`[rows, inputs]`): `[rows, outputs]`.
pub fn affine(l: &LayerWeights, x: &[f32], rows: usize) -> Vec<f32> {
    let mut y = vec![0.0f32; rows * l.outputs];
    gemm(
        rows, l.outputs, l.inputs, x, l.inputs, 1, &l.weight, l.outputs, &mut y, l.outputs, false,
    );
    for row in y.chunks_exact_mut(l.outputs) {
        for (v, b) in row.iter_mut().zip(&l.bias) {
            *v += b;
        }
    }
    y
}

/// The transpose of a row-major `rows × cols` matrix (`cols × rows`), in blocks that
/// stay in cache.
pub fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    const B: usize = 16;
    let mut t = vec![0.0f32; rows * cols];
    for r0 in (0..rows).step_by(B) {
        for c0 in (0..cols).step_by(B) {
            for r in r0..(r0 + B).min(rows) {
                for c in c0..(c0 + B).min(cols) {
                    t[c * rows + r] = x[r * cols + c];
                }
            }
        }
    }
    t
}

fn relu(v: &mut [f32]) {
    for x in v {
        *x = x.max(0.0);
    }
}

/// The MLP's output for each row of `x` (ReLU after every layer but the last).
pub fn forward(layers: &[LayerWeights], x: &[f32], rows: usize) -> Vec<f32> {
    let mut out = std::borrow::Cow::Borrowed(x);
    for (k, l) in layers.iter().enumerate() {
        let mut y = affine(l, &out, rows);
        if k + 1 < layers.len() {
            relu(&mut y);
        }
        out = std::borrow::Cow::Owned(y);
    }
    out.into_owned()
}

/// Every layer's output (after its ReLU, the last one without), for the backward pass.
pub fn forward_keep(layers: &[LayerWeights], x: &[f32], rows: usize) -> Vec<Vec<f32>> {
    let mut outs: Vec<Vec<f32>> = Vec::with_capacity(layers.len());
    for (k, l) in layers.iter().enumerate() {
        let input = outs.last().map_or(x, |v| v.as_slice());
        let mut y = affine(l, input, rows);
        if k + 1 < layers.len() {
            relu(&mut y);
        }
        outs.push(y);
    }
    outs
}

/// One layer's gradients: `∂L/∂W` (`[inputs, outputs]`) and `∂L/∂b`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerGrads {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// The gradients of every layer, from `g = ∂L/∂(last output)` (`[rows, outputs]`), with
/// `outs` from [`forward_keep`] on the same `x`. Each layer: `∂W = inᵀ·G`, `∂b = Σ G`,
/// and `G` for the layer below `= (G·Wᵀ) ⊙ [its output > 0]`.
pub fn backward(
    layers: &[LayerWeights],
    x: &[f32],
    outs: &[Vec<f32>],
    mut g: Vec<f32>,
    rows: usize,
) -> Vec<LayerGrads> {
    let mut grads = Vec::with_capacity(layers.len());
    for k in (0..layers.len()).rev() {
        let l = &layers[k];
        let input = if k == 0 { x } else { outs[k - 1].as_slice() };
        let mut weight = vec![0.0f32; l.inputs * l.outputs];
        // inᵀ made contiguous: each of a tile's rows then streams along memory.
        gemm(
            l.inputs,
            l.outputs,
            rows,
            input,
            1,
            l.inputs,
            &g,
            l.outputs,
            &mut weight,
            l.outputs,
            false,
        );
        let mut bias = vec![0.0f32; l.outputs];
        for row in g.chunks_exact(l.outputs) {
            for (b, v) in bias.iter_mut().zip(row) {
                *b += v;
            }
        }
        if k > 0 {
            // G·Wᵀ, with Wᵀ made contiguous once so the product streams along its rows.
            let wt = transpose(&l.weight, l.inputs, l.outputs);
            let mut below = vec![0.0f32; rows * l.inputs];
            gemm(
                rows, l.inputs, l.outputs, &g, l.outputs, 1, &wt, l.inputs, &mut below, l.inputs,
                false,
            );
            for (d, o) in below.iter_mut().zip(&outs[k - 1]) {
                if *o <= 0.0 {
                    *d = 0.0;
                }
            }
            g = below;
        }
        grads.push(LayerGrads { weight, bias });
    }
    grads.reverse();
    grads
}
