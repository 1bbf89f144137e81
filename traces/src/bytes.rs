//! Byte counts as people write and read them: `4MiB`, `1.5 GB`, `512`.
//!
//! A size is a number with an optional unit: binary `KiB`, `MiB`, `GiB`,
//! `TiB` (or just `K`, `M`, `G`, `T`), decimal `KB`, `MB`, `GB`, `TB`, or
//! `B`; units ignore case.

use core::fmt;

/// 2^64: the first `f64` above every `u64`.
pub const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Parses a size with an optional unit, such as `4MiB`, `1.5 GB` or `512`.
pub fn parse_bytes(input: &str) -> Result<u64, String> {
    let input = input.trim();
    if input.starts_with('-') {
        return Err(format!("`{input}`: a size cannot be negative"));
    }
    let split = input
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(input.len());
    let (number, unit) = input.split_at(split);
    if number.is_empty() {
        return Err(format!(
            "`{input}` is not a size (e.g. 4096, 64KiB, 16MiB, 1GiB)"
        ));
    }
    let multiplier = unit_multiplier(unit.trim()).ok_or_else(|| {
        format!(
            "`{input}`: unknown unit `{}` (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)",
            unit.trim()
        )
    })?;
    let too_large = || format!("`{input}` is too large for a 64-bit size");
    if let Ok(whole) = number.parse::<u64>() {
        return whole.checked_mul(multiplier).ok_or_else(too_large);
    }
    let fractional: f64 = number
        .parse()
        .map_err(|_| format!("`{input}` is not a size (e.g. 4096, 64KiB, 16MiB, 1GiB)"))?;
    #[expect(
        clippy::cast_precision_loss,
        reason = "a fractional size is approximate anyway"
    )]
    let bytes = (fractional * multiplier as f64).round();
    if bytes >= TWO_POW_64 {
        return Err(too_large());
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "non-negative and below u64::MAX, checked above"
    )]
    Ok(bytes as u64)
}

fn unit_multiplier(unit: &str) -> Option<u64> {
    const KI: u64 = 1 << 10;
    let multiplier = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => KI,
        "m" | "mib" => KI.pow(2),
        "g" | "gib" => KI.pow(3),
        "t" | "tib" => KI.pow(4),
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return None,
    };
    Some(multiplier)
}

/// A byte count in binary units: `512 B`, `16 MiB`, `1.50 GiB`.
#[derive(Debug, Clone, Copy)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        let mut unit = 0;
        while unit + 1 < UNITS.len() && self.0 >> (10 * (unit + 1)) > 0 {
            unit += 1;
        }
        let scale = 1u64 << (10 * unit);
        if self.0.is_multiple_of(scale) {
            write!(f, "{} {}", self.0 / scale, UNITS[unit])
        } else {
            #[expect(clippy::cast_precision_loss, reason = "printed with two decimals")]
            let value = self.0 as f64 / scale as f64;
            write!(f, "{value:.2} {}", UNITS[unit])
        }
    }
}

/// A byte count exactly, in the largest binary unit that divides it
/// (`4KiB`, `1500`): what [`parse_bytes`] reads back to the same number.
#[derive(Debug, Clone, Copy)]
pub struct ExactBytes(pub u64);

impl fmt::Display for ExactBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        let exact = (1..=UNITS.len())
            .rev()
            .find(|&power| self.0 != 0 && self.0.is_multiple_of(1 << (10 * power)));
        match exact {
            Some(power) => write!(f, "{}{}", self.0 >> (10 * power), UNITS[power - 1]),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("4MiB"), Ok(4 << 20));
        assert_eq!(parse_bytes("4 mib"), Ok(4 << 20));
        assert_eq!(parse_bytes("1G"), Ok(1 << 30));
        assert_eq!(parse_bytes("2KB"), Ok(2000));
        assert_eq!(parse_bytes("1.5GiB"), Ok(3 << 29));
        assert_eq!(
            parse_bytes("16EiB").unwrap_err(),
            "`16EiB`: unknown unit `EiB` (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)"
        );
        assert!(parse_bytes("-4MiB").unwrap_err().contains("negative"));
        assert!(parse_bytes("MiB").is_err());
        assert!(parse_bytes("1.2.3").is_err());
        assert!(
            parse_bytes("99999999TiB")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn formats_sizes() {
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(16 << 20).to_string(), "16 MiB");
        assert_eq!(Bytes(3 << 29).to_string(), "1.50 GiB");
        for bytes in [0, 1, 1500, 4096, 3 << 29, 5 << 40] {
            assert_eq!(parse_bytes(&ExactBytes(bytes).to_string()), Ok(bytes));
        }
        assert_eq!(ExactBytes(4096).to_string(), "4KiB");
    }
}
