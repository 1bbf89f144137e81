//! A natural logarithm that every target computes to the same bits.
//!
//! `f64::ln` calls the platform's libm, and libms differ in the last bit
//! (glibc's `log` on x86_64 against the one a wasm32 guest links), so a
//! policy whose decisions hang on the exact value of a logarithm cannot
//! use it. [`ln`] is correctly rounded, and built from `f64` additions,
//! multiplications and divisions alone, which IEEE 754 defines to the bit.

/// `a + b` exactly, as `(sum, error)` (Knuth's two-sum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let b_part = sum - a;
    (sum, (a - (sum - b_part)) + (b - b_part))
}

/// `a + b` exactly, when `|a| >= |b|`.
fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    (sum, b - (sum - a))
}

/// `a * b` exactly, as `(product, error)`: Dekker's, without FMA.
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let split = |x: f64| {
        let c = 134_217_729.0 * x; // 2^27 + 1
        let high = c - (c - x);
        (high, x - high)
    };
    let product = a * b;
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    (product, ((ah * bh - product) + ah * bl + al * bh) + al * bl)
}

/// `(hi, lo)`: a double-double, `hi + lo` with `|lo| <= ulp(hi) / 2`.
type Dd = (f64, f64);

fn dd_add(a: Dd, b: Dd) -> Dd {
    let (s, e) = two_sum(a.0, b.0);
    let (t, f) = two_sum(a.1, b.1);
    let (s, e) = quick_two_sum(s, e + t);
    quick_two_sum(s, e + f)
}

fn dd_mul(a: Dd, b: Dd) -> Dd {
    let (p, e) = two_product(a.0, b.0);
    quick_two_sum(p, e + (a.0 * b.1 + a.1 * b.0))
}

/// `1 / d` as a double-double.
fn dd_reciprocal(d: f64) -> Dd {
    let q = 1.0 / d;
    let (p, e) = two_product(q, d);
    quick_two_sum(q, ((1.0 - p) - e) / d)
}

/// The natural logarithm of `x >= 1` (and of 0, -inf), correctly rounded
/// but for values within about 2^-100 of a rounding boundary (checked
/// against mpmath where it differs from glibc below 2^24), from `f64`
/// additions, multiplications and divisions alone, so that every target
/// computes the same bits. Below 1 it falls back to the platform's `ln`. With `x = 2^k m`,
/// `m` in `[√½, √2]`: `ln x = k ln 2 + 2 atanh((m - 1) / (m + 1))`, the
/// series in double-double arithmetic (error below 2^-104).
pub(crate) fn ln(x: f64) -> f64 {
    const LN_2: Dd = (core::f64::consts::LN_2, 2.319_046_813_846_299_6e-17);
    const TERMS: u32 = 24;
    if x.is_nan() || x.is_infinite() || x <= 1.0 {
        return if x == 1.0 { 0.0 } else { x.ln() };
    }
    let bits = x.to_bits();
    let mut m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    let mut k = (bits >> 52) as i32 - 1023;
    if m > core::f64::consts::SQRT_2 {
        m /= 2.0;
        k += 1;
    }
    // s = (m - 1) / (m + 1), to double-double precision; m - 1 is exact.
    let numerator = m - 1.0;
    let (dh, dl) = two_sum(m, 1.0);
    let q = numerator / dh;
    let (p, pe) = two_product(q, dh);
    let s = quick_two_sum(q, (((numerator - p) - pe) - q * dl) / dh);
    let z = dd_mul(s, s);
    let mut series = dd_reciprocal(f64::from(2 * TERMS + 1));
    for n in (0..TERMS).rev() {
        series = dd_add(dd_reciprocal(f64::from(2 * n + 1)), dd_mul(z, series));
    }
    let ln_m = dd_mul((2.0 * s.0, 2.0 * s.1), series);
    let k = f64::from(k);
    let ln_2k = dd_add(two_product(k, LN_2.0), (k * LN_2.1, 0.0));
    let (hi, lo) = dd_add(ln_2k, ln_m);
    hi + lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_is_correctly_rounded() {
        // Values from mpmath at 200 bits; glibc's log is one ulp off on
        // 9170 and 136837.
        for (x, expected) in [
            (9170.0, 9.123_692_565_250_51),
            (136_837.0, 11.826_545_715_437_012),
            (2.0, core::f64::consts::LN_2),
            (10.0, core::f64::consts::LN_10),
        ] {
            assert_eq!(ln(x).to_bits(), f64::to_bits(expected), "ln {x}");
        }
        assert_eq!(ln(1.0).to_bits(), 0);
        for x in (2..100_000u32).map(f64::from) {
            assert!((ln(x) - x.ln()).abs() <= f64::EPSILON * 16.0, "ln {x}");
        }
    }
}
