//! Summary statistics over the samples of one benchmark in one runtime.

use serde::{Deserialize, Serialize};

/// Median, minimum and maximum of a non-empty set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

impl Summary {
    /// Summarises `samples`; `None` when there are none (or any is NaN).
    pub fn of(samples: &[f64]) -> Option<Summary> {
        if samples.is_empty() || samples.iter().any(|s| s.is_nan()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(|a, b| a.total_cmp(b));
        Some(Summary {
            median: median_of_sorted(&sorted),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            count: sorted.len(),
        })
    }
}

/// The median of sorted samples: the middle one, or the mean of the two
/// middle ones for an even count.
fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// How many times slower `value` is than `baseline` (1.0 = same speed).
/// `None` when the baseline is not a positive number.
pub fn ratio(value: f64, baseline: f64) -> Option<f64> {
    if baseline > 0.0 && baseline.is_finite() && value.is_finite() {
        Some(value / baseline)
    } else {
        None
    }
}

/// Ratios of paired samples (same round of the interleaved schedule), for
/// the spread of the ratio: `value[i] / baseline[i]` for every round where
/// both exist.
pub fn paired_ratios(values: &[f64], baseline: &[f64]) -> Vec<f64> {
    values
        .iter()
        .zip(baseline)
        .filter_map(|(v, b)| ratio(*v, *b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_count_takes_the_middle() {
        let s = Summary::of(&[5.0, 1.0, 3.0]).unwrap();
        assert_eq!(s.median, 3.0);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 5.0);
        assert_eq!(s.count, 3);
    }

    #[test]
    fn even_count_averages_the_two_middles() {
        let s = Summary::of(&[4.0, 1.0, 10.0, 2.0]).unwrap();
        assert_eq!(s.median, 3.0);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 10.0);
    }

    #[test]
    fn single_sample_is_its_own_summary() {
        let s = Summary::of(&[7.5]).unwrap();
        assert_eq!((s.median, s.min, s.max), (7.5, 7.5, 7.5));
    }

    #[test]
    fn empty_or_nan_has_no_summary() {
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn unsorted_input_with_duplicates() {
        let s = Summary::of(&[2.0, 2.0, 9.0, 1.0, 2.0, 8.0]).unwrap();
        assert_eq!(s.median, 2.0);
        assert_eq!(s.max, 9.0);
    }

    #[test]
    fn ratio_against_baseline() {
        assert_eq!(ratio(50.0, 10.0), Some(5.0));
        assert_eq!(ratio(5.0, 10.0), Some(0.5));
        assert_eq!(ratio(5.0, 0.0), None);
        assert_eq!(ratio(5.0, -1.0), None);
        assert_eq!(ratio(f64::INFINITY, 1.0), None);
    }

    #[test]
    fn paired_ratios_follow_rounds() {
        let r = paired_ratios(&[10.0, 30.0, 8.0], &[5.0, 10.0]);
        assert_eq!(r, vec![2.0, 3.0]);
        let s = Summary::of(&r).unwrap();
        assert_eq!(s.median, 2.5);
    }
}
