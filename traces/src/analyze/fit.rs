//! The summaries [`analyze`](crate::analyze) draws from its counts once
//! the trace is read: size percentiles from a histogram, the popularity
//! curve at log-spaced ranks and the Zipf fit of it. Each works on counts
//! (how many objects have each size or each frequency), never on one
//! value per object, so the only per-object memory stays the pass's map.

use std::collections::BTreeMap;

/// Percentiles of a distribution of sizes, nearest rank: the `p`th
/// percentile of `n` values is the `ceil(p * n / 100)`th smallest (1-based),
/// always a value that occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SizePercentiles {
    /// The smallest size.
    pub min: u64,
    /// The 25th percentile.
    pub p25: u64,
    /// The median.
    pub p50: u64,
    /// The 75th percentile.
    pub p75: u64,
    /// The 90th percentile.
    pub p90: u64,
    /// The 99th percentile.
    pub p99: u64,
    /// The largest size.
    pub max: u64,
}

impl SizePercentiles {
    /// The percentiles of `histogram` (size → how many), `None` when it is
    /// empty.
    pub(super) fn of(histogram: &BTreeMap<u64, u64>) -> Option<Self> {
        let (&min, _) = histogram.first_key_value()?;
        let (&max, _) = histogram.last_key_value()?;
        let total: u128 = histogram.values().map(|&count| u128::from(count)).sum();
        let at = |percent: u128| {
            // The 1-based rank of the percentile; u128 so `percent * total`
            // cannot overflow.
            let rank = (percent * total).div_ceil(100).max(1);
            let mut seen = 0u128;
            histogram
                .iter()
                .find(|&(_, &count)| {
                    seen += u128::from(count);
                    seen >= rank
                })
                .map_or(max, |(&size, _)| size)
        };
        Some(Self {
            min,
            p25: at(25),
            p50: at(50),
            p75: at(75),
            p90: at(90),
            p99: at(99),
            max,
        })
    }
}

/// The frequency of the object at one popularity rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RankFrequency {
    /// 1-based rank, the most requested object first.
    pub rank: u64,
    /// Requests for the object at that rank.
    pub frequency: u64,
}

/// The ranks the popularity curve is sampled at: every rank up to 8, then
/// each about 1.25 times the one before (about ten a decade, even on a
/// log-log plot), and always the last rank, `objects`.
fn log_spaced_ranks(objects: u64) -> impl Iterator<Item = u64> {
    let mut next = Some(1);
    std::iter::from_fn(move || {
        let rank = next.filter(|&rank| rank <= objects)?;
        next = if rank == objects {
            None
        } else {
            Some((rank + 1).max(rank + rank / 4).min(objects))
        };
        Some(rank)
    })
}

/// The runs of equal frequency in rank order: `(frequency, objects)`, the
/// most requested first, from `frequencies` (frequency → how many objects).
fn runs(frequencies: &BTreeMap<u64, u64>) -> impl Iterator<Item = (u64, u64)> + '_ {
    frequencies
        .iter()
        .rev()
        .map(|(&frequency, &objects)| (frequency, objects))
}

/// Every object's point on log-log axes, `(ln(rank), ln(frequency))`, in
/// rank order; a run's frequency is taken the ln of once.
fn points(frequencies: &BTreeMap<u64, u64>) -> impl Iterator<Item = (f64, f64)> + '_ {
    runs(frequencies)
        .flat_map(|(frequency, count)| {
            let y = real(frequency).ln();
            (0..count).map(move |_| y)
        })
        .zip(1u64..)
        .map(|(y, rank)| (real(rank).ln(), y))
}

/// The popularity curve: the frequency at each of [`log_spaced_ranks`].
pub(super) fn popularity(frequencies: &BTreeMap<u64, u64>) -> Vec<RankFrequency> {
    let objects = frequencies.values().sum();
    let mut runs = runs(frequencies);
    // The current run and the last rank it covers.
    let mut run: Option<(u64, u64)> = None;
    let mut curve = Vec::new();
    for rank in log_spaced_ranks(objects) {
        while run.is_none_or(|(_, last)| last < rank) {
            let Some((frequency, count)) = runs.next() else {
                return curve;
            };
            let first = run.map_or(1, |(_, last)| last + 1);
            run = Some((frequency, first + count - 1));
        }
        if let Some((frequency, _)) = run {
            curve.push(RankFrequency { rank, frequency });
        }
    }
    curve
}

/// A least-squares line through the popularity curve on log-log axes:
/// `ln(frequency) = intercept - alpha * ln(rank)`.
///
/// The fit is libCacheSim's (`traceAnalyzer/popularity.cpp`, its `linreg`):
/// ordinary least squares of `ln(frequency)` on `ln(rank)`, one point per
/// object, ranks `1..=objects` with the most requested object first, every
/// point weighted alike (so the long tail of rarely requested objects
/// weighs most). libCacheSim sums raw powers; this sums deviations from the
/// means, the same line with less rounding on huge traces (they agree to
/// about 1e-11 on the sample trace).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ZipfFit {
    /// The Zipf exponent: minus the slope.
    pub alpha: f64,
    /// The fitted `ln(frequency)` at rank 1.
    pub intercept: f64,
    /// The coefficient of determination of the fit (the squared
    /// correlation of `ln(rank)` and `ln(frequency)`); 0 when every object
    /// has the same frequency, as libCacheSim reports it.
    pub r2: f64,
}

#[expect(
    clippy::cast_precision_loss,
    reason = "ranks and counts past 2^53 lose only digits a fit does not have"
)]
const fn real(n: u64) -> f64 {
    n as f64
}

impl ZipfFit {
    /// The fit to `frequencies` (frequency → how many objects), in two
    /// passes over the points: means, then deviations. `None` with fewer
    /// than two objects, where a line is not determined.
    pub(crate) fn of(frequencies: &BTreeMap<u64, u64>) -> Option<Self> {
        let objects: u64 = frequencies.values().sum();
        if objects < 2 {
            return None;
        }
        let n = real(objects);
        let (sum_x, sum_y) =
            points(frequencies).fold((0.0, 0.0), |(sum_x, sum_y), (x, y)| (sum_x + x, sum_y + y));
        let (mean_x, mean_y) = (sum_x / n, sum_y / n);
        let (sxx, sxy, syy) =
            points(frequencies).fold((0.0, 0.0, 0.0), |(sxx, sxy, syy), (x, y)| {
                let (dx, dy) = (x - mean_x, y - mean_y);
                (
                    dx.mul_add(dx, sxx),
                    dx.mul_add(dy, sxy),
                    dy.mul_add(dy, syy),
                )
            });
        if frequencies.len() == 1 {
            // One frequency: a flat line. `mean_y` may differ from it in
            // the last bit, which must not read as a slope.
            return Some(Self {
                alpha: 0.0,
                intercept: sum_y / n,
                r2: 0.0,
            });
        }
        let slope = sxy / sxx;
        Some(Self {
            alpha: -slope,
            intercept: slope.mul_add(-mean_x, mean_y),
            r2: sxy * sxy / (sxx * syy),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use super::*;

    fn histogram(pairs: &[(u64, u64)]) -> BTreeMap<u64, u64> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        // Ten values 1..=10: the pth percentile is the ceil(p/10)th.
        let ten = histogram(&(1..=10).map(|size| (size, 1)).collect::<Vec<_>>());
        let expected = SizePercentiles {
            min: 1,
            p25: 3,
            p50: 5,
            p75: 8,
            p90: 9,
            p99: 10,
            max: 10,
        };
        assert_eq!(SizePercentiles::of(&ten), Some(expected));
        // 100 of size 1 and one of size 7 (101 values): rank ceil(99.99) =
        // 100 is still size 1.
        let skewed = histogram(&[(1, 100), (7, 1)]);
        let got = SizePercentiles::of(&skewed).unwrap();
        assert_eq!((got.p99, got.max), (1, 7));
        assert_eq!(SizePercentiles::of(&BTreeMap::new()), None);
    }

    #[test]
    fn ranks_are_dense_then_geometric_and_end_at_the_last() {
        let ranks: Vec<u64> = log_spaced_ranks(100).collect();
        assert_eq!(
            ranks,
            [
                1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 22, 27, 33, 41, 51, 63, 78, 97, 100
            ]
        );
        assert_eq!(log_spaced_ranks(1).collect::<Vec<_>>(), [1]);
        assert_eq!(log_spaced_ranks(0).count(), 0);
    }

    #[test]
    fn popularity_reads_each_rank_from_its_run() {
        // Frequencies in rank order: 9, 5, 5, 5, 2, then 7 objects of 1.
        let frequencies = histogram(&[(9, 1), (5, 3), (2, 1), (1, 7)]);
        let curve: Vec<(u64, u64)> = popularity(&frequencies)
            .iter()
            .map(|point| (point.rank, point.frequency))
            .collect();
        assert_eq!(
            curve,
            [
                (1, 9),
                (2, 5),
                (3, 5),
                (4, 5),
                (5, 2),
                (6, 1),
                (7, 1),
                (8, 1),
                (10, 1),
                (12, 1)
            ]
        );
    }

    #[test]
    fn an_exact_zipf_curve_fits_exactly() {
        // 12/r for r = 1..=4: alpha 1, ln 12 at rank 1, a perfect fit.
        let fit = ZipfFit::of(&histogram(&[(12, 1), (6, 1), (4, 1), (3, 1)])).unwrap();
        assert!((fit.alpha - 1.0).abs() < 1e-12, "{fit:?}");
        assert!((fit.intercept - 12f64.ln()).abs() < 1e-12, "{fit:?}");
        assert!((fit.r2 - 1.0).abs() < 1e-12, "{fit:?}");
        // 36/r^2 for r = 1..=3: alpha 2.
        let fit = ZipfFit::of(&histogram(&[(36, 1), (9, 1), (4, 1)])).unwrap();
        assert!((fit.alpha - 2.0).abs() < 1e-12, "{fit:?}");
    }

    #[test]
    fn a_fit_by_hand_through_three_points() {
        // Frequencies 4, 1, 1 at ranks 1, 2, 3: x = (0, ln 2, ln 3),
        // y = (ln 4, 0, 0) = (2 ln 2, 0, 0).
        let fit = ZipfFit::of(&histogram(&[(4, 1), (1, 2)])).unwrap();
        let (l2, l3) = (2f64.ln(), 3f64.ln());
        let (mx, my) = ((l2 + l3) / 3.0, 2.0 * l2 / 3.0);
        let sxx = mx * mx + (l2 - mx).powi(2) + (l3 - mx).powi(2);
        let sxy = -mx * (2.0 * l2 - my) + (l2 - mx) * -my + (l3 - mx) * -my;
        let syy = (2.0 * l2 - my).powi(2) + 2.0 * my * my;
        assert!((fit.alpha + sxy / sxx).abs() < 1e-12, "{fit:?}");
        assert!((fit.r2 - sxy * sxy / (sxx * syy)).abs() < 1e-12, "{fit:?}");
        assert!((fit.intercept - (my - sxy / sxx * mx)).abs() < 1e-12);
    }

    #[test]
    fn uniform_popularity_is_flat_and_one_object_has_no_fit() {
        let fit = ZipfFit::of(&histogram(&[(3, 5)])).unwrap();
        assert_eq!((fit.alpha, fit.r2), (0.0, 0.0));
        assert!((fit.intercept - 3f64.ln()).abs() < 1e-12);
        assert_eq!(ZipfFit::of(&histogram(&[(10, 1)])), None);
        assert_eq!(ZipfFit::of(&BTreeMap::new()), None);
    }
}
