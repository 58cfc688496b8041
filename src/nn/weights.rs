//! A network's parameters as plain numbers: one layer's ([`LayerWeights`]), an
//! actor-critic's as a policy file carries them ([`NetWeights`]), and why a set of
//! them cannot be a network ([`WeightsError`]).

use serde::{Deserialize, Serialize};

/// One linear layer's parameters, row-major `[inputs, outputs]` as burn keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// The actor's and the critic's parameters: what a policy file carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetWeights {
    pub state_dim: usize,
    pub n_items: usize,
    pub hidden: usize,
    /// `l1`, `l2`, `out` of the actor, then of the critic.
    pub actor: Vec<LayerWeights>,
    pub critic: Vec<LayerWeights>,
}

/// Why a set of weights cannot be a network (a policy file's, most often).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightsError {
    #[error("the {net} has {layers} layers, not 3")]
    Layers { net: &'static str, layers: usize },
    #[error("the {net}'s layer {layer} should be {inputs} × {outputs} with {outputs} biases, but is {found_inputs} × {found_outputs} with {weights} weights and {biases} biases")]
    Shape {
        net: &'static str,
        layer: usize,
        inputs: usize,
        outputs: usize,
        found_inputs: usize,
        found_outputs: usize,
        weights: usize,
        biases: usize,
    },
    #[error("the {net}'s layer {layer} has a value that is not a finite number")]
    NotFinite { net: &'static str, layer: usize },
    #[error("the network claims {state_dim} inputs, {hidden} hidden units and {n_items} items: {params} parameters, more than the {limit} a policy may have")]
    TooBig {
        state_dim: usize,
        hidden: usize,
        n_items: usize,
        params: String,
        limit: usize,
    },
}

impl NetWeights {
    /// Checks the shapes: three layers each, chained, sizes matching their lengths.
    pub fn check(&self) -> Result<(), WeightsError> {
        // The claimed sizes first, with checked arithmetic (a file can claim 10⁹ inputs;
        // on wasm32 the product would wrap): nothing is sized from them before this.
        let (s, h, n) = (self.state_dim, self.hidden, self.n_items);
        let params = [(s, h), (h, h), (h, n), (s, h), (h, h), (h, 1)]
            .iter()
            .try_fold(0usize, |acc, (i, o)| {
                i.checked_mul(*o)?.checked_add(*o)?.checked_add(acc)
            });
        if params.is_none_or(|p| p > crate::limits::POLICY_PARAMETERS) {
            return Err(WeightsError::TooBig {
                state_dim: s,
                hidden: h,
                n_items: n,
                params: params.map_or("more than 2⁶⁴".into(), |p| p.to_string()),
                limit: crate::limits::POLICY_PARAMETERS,
            });
        }
        for (name, layers, out) in [
            ("actor", &self.actor, self.n_items),
            ("critic", &self.critic, 1),
        ] {
            if layers.len() != 3 {
                return Err(WeightsError::Layers {
                    net: name,
                    layers: layers.len(),
                });
            }
            let dims = [
                (self.state_dim, self.hidden),
                (self.hidden, self.hidden),
                (self.hidden, out),
            ];
            for (k, (l, (i, o))) in layers.iter().zip(dims).enumerate() {
                if (l.inputs, l.outputs) != (i, o) || l.weight.len() != i * o || l.bias.len() != o {
                    return Err(WeightsError::Shape {
                        net: name,
                        layer: k + 1,
                        inputs: i,
                        outputs: o,
                        found_inputs: l.inputs,
                        found_outputs: l.outputs,
                        weights: l.weight.len(),
                        biases: l.bias.len(),
                    });
                }
                if l.weight.iter().chain(&l.bias).any(|x| !x.is_finite()) {
                    return Err(WeightsError::NotFinite {
                        net: name,
                        layer: k + 1,
                    });
                }
            }
        }
        Ok(())
    }
}
