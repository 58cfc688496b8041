//! The small neural-network toolkit A2C (`policy/a2c.rs`) and the reward model `R_φ`
//! (`ialp/reward_model.rs`) share: burn's device and seeded initialiser, a two-hidden-
//! layer ReLU MLP ([`mlp::Mlp`]) with its forward and backward passes in closed form,
//! Adam as burn-optim computes it ([`adam::Adam`]), the weights as plain numbers and as
//! a file carries them ([`weights`]), and the deterministic kernels all of it runs on
//! ([`kernels`]), so the page and the CLI compute the same bits.

pub mod adam;
pub mod kernels;
pub mod mlp;
pub mod weights;

use burn::tensor::Device;

/// The device every network runs on: burn's ndarray backend, as the user asked (burn
/// 0.22 deprecates it in favour of `Device::flex()`). The one place to change the
/// backend. No autodiff: the gradients are closed forms (`mlp.rs`, `head.rs`), and
/// burn's autodiff, the reference they are tested against, is a dev-dependency only,
/// so the page does not ship it (a fifth of the bundle: BENCHMARKS.md, Bundle).
#[allow(deprecated)]
pub fn device() -> Device {
    Device::ndarray()
}

/// Builds a network from burn's seeded initialiser (with [`Mlp::new_seeded`]). burn's ndarray backend keeps one
/// process-wide RNG, so "seed, then draw the weights" must not interleave with another
/// thread doing the same: two networks made at once on two threads (parallel tests, a
/// library user running two experiments) would each get a mix of both streams and the
/// run would stop reproducing. The lock makes the pair atomic; in the page and the CLI,
/// which build one network at a time, it changes nothing.
pub fn seeded<T>(device: &Device, seed: u64, init: impl FnOnce(&Device) -> T) -> T {
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A panic inside `init` poisons nothing we rely on: the guard protects no data.
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    init(device)
}
