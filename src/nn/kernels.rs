//! The numeric kernels of the policy's fast path: a matrix product and an `exp`, written
//! so that the same inputs give the same bits on every target, vectorised or not.
//!
//! Why they are bit-equal across targets: every output element of [`gemm`] is summed
//! over `k` in order, one multiply then one add (Rust never fuses them into an FMA), and
//! a vector unit only computes several *independent* elements at once. So the scalar
//! code, SSE, AVX (natively) and `simd128` (in the browser) round identically; only the
//! speed differs. [`exp`] is a polynomial in plain adds and multiplies, so it is the same
//! everywhere too, and it vectorises where `libm`'s `expf` cannot.

/// `C = A·B`, or `C += A·B` with `accumulate`. `A` is `m × k` with element `(i, p)` at
/// `a[i * a_row + p * a_col]` (so `Aᵀ` of a row-major matrix is `a_row = 1, a_col = m'`);
/// `B` is row-major `k × n` with row stride `ldb`; `C` row-major `m × n` with stride
/// `ldc`. Each element of `C` is `Σ_p A[i,p]·B[p,j]` summed for `p = 0, 1, …, k−1`,
/// added to the old value of `C` (if accumulating) only after the whole sum.
///
/// Tiles of up to 4 rows × 16 (AVX) or 8 (wasm `simd128`) columns keep their sums in
/// vector registers while `p` runs; strips of columns are the outer loop, so a strip of
/// `B` stays in cache while every row tile uses it.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_row: usize,
    a_col: usize,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    // Every index the tiles read or write, checked once here.
    assert!(
        k == 0 || (m - 1) * a_row + (k - 1) * a_col < a.len(),
        "A too short"
    );
    assert!(k == 0 || (k - 1) * ldb + n <= b.len(), "B too short");
    assert!((m - 1) * ldc + n <= c.len(), "C too short");
    let mut j0 = 0;
    #[cfg(target_arch = "x86_64")]
    {
        if avx() {
            while j0 + 16 <= n {
                for_row_tiles(m, |i0, rows| unsafe {
                    // SAFETY: the asserts above cover every index; the CPU has AVX.
                    x86::tile::<16>(rows, k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
                });
                j0 += 16;
            }
            if j0 + 8 <= n {
                for_row_tiles(m, |i0, rows| unsafe {
                    x86::tile::<8>(rows, k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
                });
                j0 += 8;
            }
        }
        while j0 + 4 <= n {
            // SSE is part of x86-64.
            for_row_tiles(m, |i0, rows| unsafe {
                x86::tile4(rows, k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
            });
            j0 += 4;
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        while j0 + 8 <= n {
            for_row_tiles(m, |i0, rows| unsafe {
                // SAFETY: the asserts above cover every index.
                wasm::tile::<2>(rows, k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
            });
            j0 += 8;
        }
        if j0 + 4 <= n {
            for_row_tiles(m, |i0, rows| unsafe {
                wasm::tile::<1>(rows, k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
            });
            j0 += 4;
        }
    }
    // The last columns (and every column on targets without vectors): element by
    // element, in the same order.
    for i in 0..m {
        for j in j0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a[i * a_row + p * a_col] * b[p * ldb + j];
            }
            let o = &mut c[i * ldc + j];
            *o = if accumulate { *o + s } else { s };
        }
    }
}

/// Calls `tile(i0, rows)` for the row tiles of an `m`-row product (4 rows, then fewer).
#[inline(always)]
fn for_row_tiles(m: usize, mut tile: impl FnMut(usize, usize)) {
    let mut i0 = 0;
    while i0 < m {
        tile(i0, 4.min(m - i0));
        i0 += 4;
    }
}

#[cfg(target_arch = "x86_64")]
fn avx() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static HAS: AtomicU8 = AtomicU8::new(0);
    match HAS.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let yes = std::arch::is_x86_feature_detected!("avx");
            HAS.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

/// Dispatches a runtime row count (1–4) to a tile compiled for it, so the sums of each
/// row are separate registers.
macro_rules! by_rows {
    ($rows:expr, $f:ident, [$($g:tt)*], ($($arg:expr),*)) => {
        match $rows {
            4 => $f::<4, $($g)*>($($arg),*),
            3 => $f::<3, $($g)*>($($arg),*),
            2 => $f::<2, $($g)*>($($arg),*),
            _ => $f::<1, $($g)*>($($arg),*),
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! AVX and SSE tiles: `_mm256_mul_ps` then `_mm256_add_ps` (AVX has no fused
    //! multiply-add; that is the separate `fma` feature, deliberately not enabled).
    use core::arch::x86_64::*;

    /// `rows` × `W` (8 or 16) elements of `C` from column `j0` and row `i0`.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx")]
    pub unsafe fn tile<const W: usize>(
        rows: usize,
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        by_rows!(
            rows,
            tile_r,
            [W],
            (k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
        )
    }

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx")]
    #[inline]
    unsafe fn tile_r<const R: usize, const W: usize>(
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        let v = W / 8;
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        for p in 0..k {
            let bp = b.add(p * ldb + j0);
            let b0 = _mm256_loadu_ps(bp);
            let b1 = if v > 1 {
                _mm256_loadu_ps(bp.add(8))
            } else {
                b0
            };
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let av = _mm256_set1_ps(*a.add((i0 + r) * a_row + p * a_col));
                acc_r[0] = _mm256_add_ps(acc_r[0], _mm256_mul_ps(av, b0));
                if v > 1 {
                    acc_r[1] = _mm256_add_ps(acc_r[1], _mm256_mul_ps(av, b1));
                }
            }
        }
        for (r, acc_r) in acc.iter().enumerate() {
            for (q, x) in acc_r.iter().enumerate().take(v) {
                let o = c.add((i0 + r) * ldc + j0 + 8 * q);
                let x = if accumulate {
                    _mm256_add_ps(_mm256_loadu_ps(o), *x)
                } else {
                    *x
                };
                _mm256_storeu_ps(o, x);
            }
        }
    }

    /// `rows` × 4 elements with SSE.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tile4(
        rows: usize,
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        by_rows!(
            rows,
            tile4_r,
            [],
            (k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
        )
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    unsafe fn tile4_r<const R: usize>(
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        let mut acc = [_mm_setzero_ps(); R];
        for p in 0..k {
            let b0 = _mm_loadu_ps(b.add(p * ldb + j0));
            for (r, x) in acc.iter_mut().enumerate() {
                let av = _mm_set1_ps(*a.add((i0 + r) * a_row + p * a_col));
                *x = _mm_add_ps(*x, _mm_mul_ps(av, b0));
            }
        }
        for (r, x) in acc.iter().enumerate() {
            let o = c.add((i0 + r) * ldc + j0);
            let x = if accumulate {
                _mm_add_ps(_mm_loadu_ps(o), *x)
            } else {
                *x
            };
            _mm_storeu_ps(o, x);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    //! `simd128` tiles: `f32x4_mul` then `f32x4_add` (never `relaxed_madd`, which may
    //! or may not fuse depending on the browser and the CPU).
    use core::arch::wasm32::*;

    /// `rows` × 4·`V` elements of `C` (V = 1 or 2 vectors per row).
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tile<const V: usize>(
        rows: usize,
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        by_rows!(
            rows,
            tile_r,
            [V],
            (k, a, i0, a_row, a_col, b, j0, ldb, c, ldc, accumulate)
        )
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    unsafe fn tile_r<const R: usize, const V: usize>(
        k: usize,
        a: &[f32],
        i0: usize,
        a_row: usize,
        a_col: usize,
        b: &[f32],
        j0: usize,
        ldb: usize,
        c: &mut [f32],
        ldc: usize,
        accumulate: bool,
    ) {
        let (a, b, c) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        // One named accumulator pair per row, each row's update written out: the build
        // that ships is optimised for size, which neither unrolls the row loop nor keeps
        // an indexed array of vectors in locals (half the speed); the operations and
        // their order are those of the plain loop.
        let zero = f32x4_splat(0.0);
        let (mut c0, mut c1, mut c2, mut c3) = ([zero; 2], [zero; 2], [zero; 2], [zero; 2]);
        for p in 0..k {
            let bp = b.add(p * ldb + j0);
            let b0 = v128_load(bp as *const v128);
            let b1 = if V > 1 {
                v128_load(bp.add(4) as *const v128)
            } else {
                b0
            };
            macro_rules! row {
                ($acc:ident, $r:expr) => {
                    if R > $r {
                        let av = f32x4_splat(*a.add((i0 + $r) * a_row + p * a_col));
                        $acc[0] = f32x4_add($acc[0], f32x4_mul(av, b0));
                        if V > 1 {
                            $acc[1] = f32x4_add($acc[1], f32x4_mul(av, b1));
                        }
                    }
                };
            }
            row!(c0, 0);
            row!(c1, 1);
            row!(c2, 2);
            row!(c3, 3);
        }
        let acc = [c0, c1, c2, c3];
        for (r, acc_r) in acc.iter().enumerate().take(R) {
            for (q, x) in acc_r.iter().enumerate().take(V) {
                let o = c.add((i0 + r) * ldc + j0 + 4 * q) as *mut v128;
                let x = if accumulate {
                    f32x4_add(v128_load(o), *x)
                } else {
                    *x
                };
                v128_store(o, x);
            }
        }
    }
}

/// `e^x` for `x ≤ 0` (softmax after subtracting the row's maximum), to within about
/// 2·10⁻⁷ relative; `0` below −87 (where `f32` would be denormal). Only `+`, `·` and bit
/// operations, so it is the same on every target and vectorises in a loop.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split so that n·LN2_HI is exact for |n| < 2^9.
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5·2^23: adding it rounds to the nearest integer (ties to even).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 0.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // e^r on |r| ≤ ln2/2: Taylor to r⁶, Horner form.
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2^n by building the exponent bits (n ≥ −126 here).
    let bits = ((n as i32 + 127) as u32) << 23;
    let v = p * f32::from_bits(bits);
    if x <= -87.0 {
        0.0
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, n: usize, k: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    fn data(len: usize, seed: u32) -> Vec<f32> {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn gemm_is_bit_equal_to_the_plain_ordered_sum_on_every_shape() {
        for &(m, n, k) in &[
            (1, 1, 1),
            (5, 17, 3),
            (4, 16, 64),
            (33, 300, 64),
            (9, 31, 130),
            (64, 20, 1),
        ] {
            let a = data(m * k, 1);
            let b = data(k * n, 2);
            let want = naive(m, n, k, &a, &b);
            let mut c = vec![f32::NAN; m * n];
            gemm(m, n, k, &a, k, 1, &b, n, &mut c, n, false);
            assert!(
                c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{m}×{n}×{k}"
            );
            // Accumulating adds the whole sum to what was there.
            let mut c2 = vec![1.0f32; m * n];
            gemm(m, n, k, &a, k, 1, &b, n, &mut c2, n, true);
            assert!(c2
                .iter()
                .zip(&want)
                .all(|(x, y)| x.to_bits() == (1.0 + y).to_bits()));
            // Aᵀ through the strides: (Aᵀ)ᵀ·B with A stored as k × m.
            let mut at = vec![0.0f32; k * m];
            for i in 0..m {
                for p in 0..k {
                    at[p * m + i] = a[i * k + p];
                }
            }
            let mut c3 = vec![0.0f32; m * n];
            gemm(m, n, k, &at, 1, m, &b, n, &mut c3, n, false);
            assert!(c3
                .iter()
                .zip(&want)
                .all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    #[test]
    fn exp_is_accurate_and_zero_far_below() {
        let mut worst = 0.0f64;
        for i in 0..86_900 {
            let x = -(i as f32) / 1000.0;
            let got = exp(x) as f64;
            let want = (x as f64).exp();
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 4e-7, "relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1.0e9), 0.0);
        assert_eq!(exp(-88.0), 0.0);
        assert!(exp(-86.9) > 0.0);
    }
}
