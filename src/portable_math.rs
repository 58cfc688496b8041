//! Native builds use the same `exp` / `log` as the browser.
//!
//! burn's ndarray backend calls `f32::exp` and `f32::ln`, which become calls to the C
//! functions `expf` / `logf`: glibc's natively (an FMA variant on this CPU), the `libm`
//! crate's in WebAssembly. They differ in the last bit now and then, and over millions
//! of softmaxes a last-bit difference flips a sampled action, so the CLI's numbers drift
//! from the page's. Defining the symbols here makes the linker take them from this
//! crate (the executable's definition wins over the shared libm's), so both targets run
//! the same code. `libm` is accurate to within 1 ULP, like glibc.

#[unsafe(no_mangle)]
pub extern "C" fn expf(x: f32) -> f32 {
    libm::expf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn logf(x: f32) -> f32 {
    libm::logf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn exp(x: f64) -> f64 {
    libm::exp(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log(x: f64) -> f64 {
    libm::log(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn cos(x: f64) -> f64 {
    libm::cos(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn std_math_goes_through_the_portable_functions() {
        // Values where glibc and libm are known to agree are useless here; this checks
        // the wiring: std's exp is this crate's (bit-equal to libm's) on many inputs.
        for k in -2000..2000 {
            let x = k as f32 * 0.0371;
            assert_eq!(
                std::hint::black_box(x).exp().to_bits(),
                libm::expf(x).to_bits(),
                "{x}"
            );
            let y = k as f64 * 0.0123;
            assert_eq!(
                std::hint::black_box(y).cos().to_bits(),
                libm::cos(y).to_bits(),
                "{y}"
            );
        }
    }
}
