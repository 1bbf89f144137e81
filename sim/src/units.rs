//! Cache sizes as the command line takes and prints them.
//!
//! A size is a number with an optional unit: binary `KiB`, `MiB`, `GiB`,
//! `TiB` (or just `K`, `M`, `G`, `T`), decimal `KB`, `MB`, `GB`, `TB`, or `B`;
//! units ignore case. A percentage (`1%`) is a fraction of the trace's working
//! set. A range `FROM..TO:N` expands to `N` log-spaced sizes from `FROM` to
//! `TO`, both included. With `--ignore-size` every size counts objects.

use core::fmt;
use core::str::FromStr;

/// One amount: an absolute size, or a share of the trace's working set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Bytes (objects, when sizes are ignored).
    Absolute(u64),
    /// Percent of the working set (unique bytes, or unique objects when
    /// sizes are ignored).
    Percent(f64),
}

/// One element of `--size`: an amount or a log-spaced range of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeSpec {
    /// A single size.
    One(Amount),
    /// `points` sizes spaced evenly on a log scale from `from` to `to`.
    Range {
        /// The smallest size.
        from: Amount,
        /// The largest size.
        to: Amount,
        /// How many sizes, both ends included; at least 2.
        points: u32,
    },
}

impl SizeSpec {
    /// Whether resolving this needs the trace's working set.
    #[must_use]
    pub fn needs_working_set(&self) -> bool {
        let relative = |amount: &Amount| matches!(amount, Amount::Percent(_));
        match self {
            Self::One(amount) => relative(amount),
            Self::Range { from, to, .. } => relative(from) || relative(to),
        }
    }
}

impl FromStr for SizeSpec {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, String> {
        let Some((from, rest)) = input.split_once("..") else {
            return parse_amount(input).map(Self::One);
        };
        let (to, points) = rest
            .split_once(':')
            .ok_or_else(|| format!("range `{input}` needs a point count, as in 1MiB..1GiB:8"))?;
        let points: u32 = points.trim().parse().map_err(|_| {
            format!("`{points}` is not a point count (a whole number of 2 or more)")
        })?;
        if points < 2 {
            return Err(format!("range `{input}` needs at least 2 points"));
        }
        Ok(Self::Range {
            from: parse_amount(from)?,
            to: parse_amount(to)?,
            points,
        })
    }
}

/// Turns size specs into capacities, given the working set (unique bytes or
/// objects) when a spec is relative to it. Duplicates are dropped, order kept.
pub fn resolve_sizes(specs: &[SizeSpec], working_set: Option<u64>) -> Result<Vec<u64>, String> {
    let absolute = |amount: Amount| -> Result<f64, String> {
        match amount {
            Amount::Absolute(bytes) => Ok(approximate(bytes)),
            Amount::Percent(percent) => {
                let working_set = working_set
                    .ok_or("a percentage size needs the trace's working set".to_owned())?;
                Ok(approximate(working_set) * percent / 100.0)
            }
        }
    };
    let mut sizes = Vec::new();
    for spec in specs {
        match *spec {
            SizeSpec::One(amount) => sizes.push(to_capacity(absolute(amount)?)?),
            SizeSpec::Range { from, to, points } => {
                let (low, high) = (absolute(from)?, absolute(to)?);
                if low < 1.0 || high < low {
                    return Err(format!(
                        "a range must go up from at least 1: {low:.0} to {high:.0}"
                    ));
                }
                let step = (high / low).ln() / f64::from(points - 1);
                for point in 0..points {
                    sizes.push(to_capacity(low * (step * f64::from(point)).exp())?);
                }
            }
        }
    }
    let mut seen = rustc_hash::FxHashSet::default();
    sizes.retain(|size| seen.insert(*size));
    Ok(sizes)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "sizes in ranges and percentages are approximate"
)]
fn approximate(size: u64) -> f64 {
    size as f64
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "checked to lie in 1..2^64 first"
)]
fn to_capacity(size: f64) -> Result<u64, String> {
    let rounded = size.round();
    if !(1.0..TWO_POW_64).contains(&rounded) {
        return Err(format!(
            "a cache size must be at least 1 and fit in 64 bits, not {size}"
        ));
    }
    Ok(rounded as u64)
}

/// 2^64: the first `f64` above every `u64`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

fn parse_amount(input: &str) -> Result<Amount, String> {
    let input = input.trim();
    if let Some(percent) = input.strip_suffix('%') {
        let percent: f64 = percent
            .trim()
            .parse()
            .map_err(|_| format!("`{input}` is not a percentage"))?;
        if !(percent > 0.0 && percent.is_finite()) {
            return Err(format!("`{input}`: a percentage must be above 0"));
        }
        return Ok(Amount::Percent(percent));
    }
    parse_bytes(input).map(Amount::Absolute)
}

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

/// A cache size for people: binary units for bytes (`16 MiB`, `1.50 GiB`),
/// a plain count for objects.
#[derive(Debug, Clone, Copy)]
pub struct CacheSize {
    /// The capacity.
    pub capacity: u64,
    /// Whether it counts objects rather than bytes.
    pub objects: bool,
}

impl fmt::Display for CacheSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.objects {
            return write!(f, "{} obj", self.capacity);
        }
        write!(f, "{}", Bytes(self.capacity))
    }
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
    fn resolves_lists_ranges_and_percentages() {
        let specs: Vec<SizeSpec> = ["1MiB..1GiB:3", "1MiB", "10%"]
            .iter()
            .map(|spec| spec.parse().unwrap())
            .collect();
        assert!(specs[2].needs_working_set());
        assert_eq!(
            resolve_sizes(&specs, Some(1000)).unwrap(),
            [1 << 20, 1 << 25, 1 << 30, 100]
        );
        assert!(resolve_sizes(&specs, None).is_err());
        assert!("1MiB..1GiB".parse::<SizeSpec>().is_err());
        assert!("1MiB..1GiB:1".parse::<SizeSpec>().is_err());
        assert!(resolve_sizes(&["0".parse().unwrap()], None).is_err());
        assert!(resolve_sizes(&["0.0001%".parse().unwrap()], Some(10)).is_err());
    }

    #[test]
    fn formats_sizes() {
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(16 << 20).to_string(), "16 MiB");
        assert_eq!(Bytes(3 << 29).to_string(), "1.50 GiB");
        assert_eq!(
            CacheSize {
                capacity: 500,
                objects: true
            }
            .to_string(),
            "500 obj"
        );
        for bytes in [0, 1, 1500, 4096, 3 << 29, 5 << 40] {
            assert_eq!(parse_bytes(&ExactBytes(bytes).to_string()), Ok(bytes));
        }
        assert_eq!(ExactBytes(4096).to_string(), "4KiB");
    }
}
