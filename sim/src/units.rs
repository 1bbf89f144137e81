//! Cache sizes as the command line takes and prints them.
//!
//! A size is a number with an optional unit, as
//! [`wsim_traces::bytes::parse_bytes`] reads it. A percentage (`1%`) is a fraction of the trace's working
//! set. A range `FROM..TO:N` expands to `N` log-spaced sizes from `FROM` to
//! `TO`, both included. With `--ignore-size` every size counts objects.

use core::fmt;
use core::str::FromStr;

use wsim_traces::bytes::TWO_POW_64;
pub use wsim_traces::bytes::{Bytes, ExactBytes, parse_bytes};

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
                let (mut low, high) = (absolute(from)?, absolute(to)?);
                if matches!(from, Amount::Percent(_)) && high >= 1.0 {
                    // A share of a small working set starts at one byte or
                    // object rather than refusing.
                    low = low.max(1.0);
                }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn formats_cache_sizes() {
        assert_eq!(
            CacheSize {
                capacity: 16 << 20,
                objects: false
            }
            .to_string(),
            "16 MiB"
        );
        assert_eq!(
            CacheSize {
                capacity: 500,
                objects: true
            }
            .to_string(),
            "500 obj"
        );
    }
}
