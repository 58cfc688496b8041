//! A ReLU MLP's forward and backward passes on plain numbers, for the actor and the
//! critic of A2C and for the reward model `R_φ`: the layers' weights are burn's (a
//! `Module`, drawn by burn's seeded initialiser, stepped by [`super::adam::Adam`]), the arithmetic
//! is the deterministic kernels of `kernels.rs`. A2C's networks are three small dense
//! layers, so the backward pass is written out here once, in closed form, rather than
//! recorded op by op in an autodiff graph for every update; `tests/a2c_gradients.rs`
//! checks it against burn's autodiff on the same loss.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{activation, Device, Distribution, Tensor, TensorData};

use super::kernels::gemm;
use super::seeded;
use super::weights::LayerWeights;

/// Two hidden ReLU layers and a linear output.
#[derive(Module, Debug)]
pub struct Mlp {
    l1: Linear,
    l2: Linear,
    out: Linear,
}

impl Mlp {
    /// An MLP whose initial weights are a function of `seed` alone.
    pub fn new_seeded(
        input: usize,
        hidden: usize,
        output: usize,
        device: &Device,
        seed: u64,
    ) -> Self {
        seeded(device, seed, |d| Self::new(input, hidden, output, d))
    }

    /// Drawn from burn's RNG in the order l1 (weight, bias), l2, out.
    pub fn new(input: usize, hidden: usize, output: usize, device: &Device) -> Self {
        Self {
            l1: kaiming_linear(input, hidden, device),
            l2: kaiming_linear(hidden, hidden, device),
            out: kaiming_linear(hidden, output, device),
        }
    }

    /// `[batch, input]` → `[batch, output]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.out.forward(self.trunk(x))
    }

    /// The two hidden layers: `[batch, input]` → `[batch, hidden]`.
    pub fn trunk(&self, x: Tensor<2>) -> Tensor<2> {
        let x = activation::relu(self.l1.forward(x));
        activation::relu(self.l2.forward(x))
    }
}

/// A linear layer as burn-nn's `LinearConfig::new(inputs, outputs).init(device)` makes
/// it (row layout, weight then bias, each `U(−a, a)` with burn's Kaiming-uniform bound
/// `a = √3 · (1/√3) · 1/√inputs`, computed as burn computes it), drawn now from burn's RNG:
/// the same bits. Not through `LinearConfig`, whose lazy initialiser carries every kind of
/// initialiser (the orthogonal one with a QR decomposition) into the page's bundle.
fn kaiming_linear(inputs: usize, outputs: usize, device: &Device) -> Linear {
    let gain = 1.0 / 3.0f64.sqrt();
    let a = 3.0f64.sqrt() * gain * (1.0 / (inputs as f64).sqrt());
    let uniform = Distribution::Uniform(-a, a);
    let weight = Tensor::<2>::random([inputs, outputs], uniform, device);
    let bias = Tensor::<1>::random([outputs], uniform, device);
    Linear {
        weight: burn::module::Param::from_tensor(weight),
        bias: Some(burn::module::Param::from_tensor(bias)),
    }
}

/// A tensor's numbers, row-major. Read once per network (when it is made); the updates
/// keep their own copy (the snapshots), so no tensor arithmetic is needed here (a `× 1`
/// to get a fresh array would carry burn's quantised arithmetic into the bundle).
fn numbers<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("f32 numbers")
}

fn layer_weights(l: &Linear) -> LayerWeights {
    let [inputs, outputs] = l.weight.val().dims();
    LayerWeights {
        inputs,
        outputs,
        weight: numbers(l.weight.val()),
        bias: l
            .bias
            .as_ref()
            .map(|b| numbers(b.val()))
            .unwrap_or_default(),
    }
}

fn layer_of(w: &LayerWeights, device: &Device) -> Linear {
    Linear {
        weight: burn::module::Param::from_tensor(Tensor::from_data(
            TensorData::new(w.weight.clone(), [w.inputs, w.outputs]),
            device,
        )),
        bias: Some(burn::module::Param::from_tensor(Tensor::from_data(
            TensorData::new(w.bias.clone(), [w.outputs]),
            device,
        ))),
    }
}

impl Mlp {
    /// The three layers, in order.
    pub fn layers(&self) -> [&Linear; 3] {
        [&self.l1, &self.l2, &self.out]
    }

    /// The layers as plain numbers.
    pub fn weights(&self) -> Vec<LayerWeights> {
        vec![
            layer_weights(&self.l1),
            layer_weights(&self.l2),
            layer_weights(&self.out),
        ]
    }
    /// A network with these layers' parameters (three, as [`NetWeights::check`] checks).
    pub fn from_weights(w: &[LayerWeights], device: &Device) -> Mlp {
        Mlp {
            l1: layer_of(&w[0], device),
            l2: layer_of(&w[1], device),
            out: layer_of(&w[2], device),
        }
    }
}

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
