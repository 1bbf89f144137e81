//! A seeded synthetic trace: Zipf popularity, per-object sizes.

use core::fmt;
use core::str::FromStr;

use rand::SeedableRng;
use rand::distr::Distribution;
use rand_distr::Zipf;
use rand_pcg::Pcg64Mcg;
use wsim_policies::Request;

use crate::bytes::{ExactBytes, parse_bytes};

/// How object sizes are drawn. Each object gets one size, fixed for the whole
/// trace, derived from the seed and the object alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeDistribution {
    /// Every object has this size: `fixed:4KiB`.
    Fixed(u64),
    /// Uniform between two sizes, both included: `uniform:1KiB..1MiB`.
    Uniform {
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// Log-normal with this median and shape: `lognormal:4KiB,1.5`. Web
    /// object sizes are roughly log-normal.
    LogNormal {
        /// Median size.
        median: u64,
        /// Standard deviation of the size's natural log.
        sigma: f64,
    },
}

impl FromStr for SizeDistribution {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "sizes are fixed:SIZE, uniform:MIN..MAX or lognormal:MEDIAN,SIGMA";
        let (kind, parameters) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}`: {usage}"))?;
        let positive = |text: &str| -> Result<u64, String> {
            match parse_bytes(text)? {
                0 => Err(format!("`{text}`: object sizes must be at least 1 byte")),
                size => Ok(size),
            }
        };
        match kind.trim().to_ascii_lowercase().as_str() {
            "fixed" => Ok(Self::Fixed(positive(parameters)?)),
            "uniform" => {
                let (min, max) = parameters
                    .split_once("..")
                    .ok_or_else(|| format!("`{text}`: uniform sizes are uniform:MIN..MAX"))?;
                let (min, max) = (positive(min)?, positive(max)?);
                if min > max {
                    return Err(format!("`{text}`: MIN is above MAX"));
                }
                Ok(Self::Uniform { min, max })
            }
            "lognormal" => {
                let (median, sigma) = parameters.split_once(',').ok_or_else(|| {
                    format!("`{text}`: log-normal sizes are lognormal:MEDIAN,SIGMA")
                })?;
                let sigma: f64 = sigma
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{sigma}` is not a number"))?;
                if !(0.0..=10.0).contains(&sigma) {
                    return Err(format!("`{text}`: SIGMA must lie in 0..=10"));
                }
                Ok(Self::LogNormal {
                    median: positive(median)?,
                    sigma,
                })
            }
            _ => Err(format!("`{text}`: {usage}")),
        }
    }
}

impl fmt::Display for SizeDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Fixed(size) => write!(f, "fixed:{}", ExactBytes(size)),
            Self::Uniform { min, max } => {
                write!(f, "uniform:{}..{}", ExactBytes(min), ExactBytes(max))
            }
            Self::LogNormal { median, sigma } => {
                write!(f, "lognormal:{},{sigma}", ExactBytes(median))
            }
        }
    }
}

/// Largest size a log-normal draw may take: 1 TiB.
const MAX_DRAWN_SIZE: f64 = 1_099_511_627_776.0;

impl SizeDistribution {
    /// The size of the object with this (already scrambled) id.
    fn size_of(self, id: u64) -> u64 {
        let first = mix64(id ^ 0x5eed_5eed_5eed_5eed);
        match self {
            Self::Fixed(size) => size,
            Self::Uniform { min, max } => {
                let span = max - min;
                if span == u64::MAX {
                    first
                } else {
                    min + first % (span + 1)
                }
            }
            Self::LogNormal { median, sigma } => {
                // Box-Muller: two uniforms from two hashes give one normal draw.
                let u1 = 1.0 - unit_interval(first);
                let u2 = unit_interval(mix64(first));
                let normal = (-2.0 * u1.ln()).sqrt() * (core::f64::consts::TAU * u2).cos();
                #[expect(clippy::cast_precision_loss, reason = "a median is approximate")]
                let size = (median as f64 * (sigma * normal).exp()).round();
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "clamped to 1..=2^40 first"
                )]
                let size = size.clamp(1.0, MAX_DRAWN_SIZE) as u64;
                size
            }
        }
    }
}

/// splitmix64's finalizer: a bijection on `u64` that scatters its input.
#[must_use]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash as a uniform draw in `[0, 1)`.
#[expect(clippy::cast_precision_loss, reason = "53 bits, exactly representable")]
fn unit_interval(hash: u64) -> f64 {
    (hash >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A synthetic trace: `requests` requests to `objects` objects whose
/// popularity follows Zipf's law with exponent `alpha`.
///
/// Everything follows from the seed: the same parameters give the same trace
/// on every machine and version of wsim. Object ids are scrambled over the
/// whole `u64` range (object of rank `k` gets a bijective hash of `k`) so that
/// nothing can lean on ids being small or dense.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synthetic {
    /// Requests to generate.
    pub requests: u64,
    /// Distinct objects to draw from.
    pub objects: u64,
    /// Zipf exponent; 0 is uniform popularity.
    pub alpha: f64,
    /// Object sizes.
    pub sizes: SizeDistribution,
    /// The seed.
    pub seed: u64,
}

impl Synthetic {
    /// The built-in default trace `wsim run` uses without `--trace`.
    pub const DEFAULT: Self = Self {
        requests: 1_000_000,
        objects: 100_000,
        alpha: 0.8,
        sizes: SizeDistribution::LogNormal {
            median: 4096,
            sigma: 1.5,
        },
        seed: 42,
    };

    /// Checks the parameters make a trace.
    pub fn validate(&self) -> Result<(), String> {
        if self.objects == 0 {
            return Err("a synthetic trace needs at least 1 object".to_owned());
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(format!("Zipf alpha must be 0 or more, not {}", self.alpha));
        }
        Ok(())
    }

    /// The requests, generated lazily.
    pub fn generate(&self) -> Result<SyntheticRequests, String> {
        self.validate()?;
        #[expect(clippy::cast_precision_loss, reason = "Zipf takes n as a float")]
        let zipf = Zipf::new(self.objects as f64, self.alpha).map_err(|error| error.to_string())?;
        Ok(SyntheticRequests {
            rng: Pcg64Mcg::seed_from_u64(self.seed),
            zipf,
            id_offset: mix64(self.seed),
            sizes: self.sizes,
            remaining: self.requests,
        })
    }
}

impl fmt::Display for Synthetic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "synthetic: {} requests, {} objects, Zipf alpha {}, sizes {}, seed {}",
            self.requests, self.objects, self.alpha, self.sizes, self.seed
        )
    }
}

/// The iterator [`Synthetic::generate`] returns.
#[derive(Debug, Clone)]
pub struct SyntheticRequests {
    rng: Pcg64Mcg,
    zipf: Zipf<f64>,
    id_offset: u64,
    sizes: SizeDistribution,
    remaining: u64,
}

impl Iterator for SyntheticRequests {
    type Item = Request;

    fn next(&mut self) -> Option<Request> {
        self.remaining = self.remaining.checked_sub(1)?;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "Zipf draws integers in 1..=objects"
        )]
        let rank = self.zipf.sample(&mut self.rng) as u64;
        let id = mix64(rank.wrapping_add(self.id_offset));
        Some(Request::new(id, self.sizes.size_of(id)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (remaining, Some(remaining))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashMap;

    #[test]
    fn same_seed_same_trace_and_one_size_per_object() {
        let spec = Synthetic {
            requests: 20_000,
            ..Synthetic::DEFAULT
        };
        let first: Vec<_> = spec.generate().unwrap().collect();
        let second: Vec<_> = spec.generate().unwrap().collect();
        assert_eq!(first, second);
        assert_eq!(first.len(), 20_000);
        let mut sizes = FxHashMap::default();
        for request in &first {
            assert!(request.size >= 1);
            assert_eq!(
                *sizes.entry(request.id).or_insert(request.size),
                request.size
            );
        }
        let other: Vec<_> = Synthetic { seed: 7, ..spec }.generate().unwrap().collect();
        assert_ne!(first, other);
    }

    #[test]
    fn zipf_skews_popularity() {
        let spec = Synthetic {
            requests: 50_000,
            objects: 1000,
            alpha: 1.0,
            sizes: SizeDistribution::Fixed(1),
            seed: 1,
        };
        let mut counts = FxHashMap::default();
        for request in spec.generate().unwrap() {
            *counts.entry(request.id).or_insert(0u64) += 1;
        }
        let mut counts: Vec<u64> = counts.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // Rank 1 of Zipf(1000, 1) draws 1/H(1000) = 13.4% of requests.
        assert!(
            (5_500..=7_900).contains(&counts[0]),
            "top object drew {}",
            counts[0]
        );
        assert!(counts[0] > 5 * counts[9]);
    }

    #[test]
    fn size_distributions_parse_and_stay_in_range() {
        assert_eq!("fixed:4KiB".parse(), Ok(SizeDistribution::Fixed(4096)));
        let uniform: SizeDistribution = "uniform:10..20".parse().unwrap();
        let lognormal: SizeDistribution = "lognormal:4KiB,1.5".parse().unwrap();
        for id in 0..10_000 {
            assert!((10..=20).contains(&uniform.size_of(mix64(id))));
            assert!(lognormal.size_of(mix64(id)) >= 1);
        }
        assert!("uniform:20..10".parse::<SizeDistribution>().is_err());
        assert!("fixed:0".parse::<SizeDistribution>().is_err());
        assert!("pareto:1".parse::<SizeDistribution>().is_err());
        for text in ["fixed:4KiB", "uniform:10..20", "lognormal:4KiB,1.5"] {
            let parsed: SizeDistribution = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }
}
