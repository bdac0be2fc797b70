//! Sets of parameter intervals on a line: sorted, disjoint, closed `[t0, t1]` pairs.
//!
//! Lanes over a face region are lines clipped to the region (possibly several pieces when the
//! region is not convex) minus the places too close to a no-go zone; these helpers do the
//! union and difference of such sets. Intervals shorter than [`MIN_LEN`] are dropped: they
//! are rounding debris, not lanes.

/// Intervals shorter than this (in the line's parameter, mm for unit directions) are dropped.
pub const MIN_LEN: f64 = 1e-9;

/// Sort and merge overlapping or touching intervals; drop empty ones.
pub fn normalise(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.retain(|(a, b)| b - a > MIN_LEN);
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `a` minus `b`; both normalised. The result is normalised.
pub fn subtract(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(mut lo, hi) in a {
        for &(b0, b1) in b {
            if b1 <= lo || b0 >= hi {
                continue;
            }
            if b0 > lo {
                out.push((lo, b0));
            }
            lo = lo.max(b1);
            if lo >= hi {
                break;
            }
        }
        if hi - lo > MIN_LEN {
            out.push((lo, hi));
        }
    }
    normalise(out)
}

/// Intersection of a normalised set with one interval `[lo, hi]`.
pub fn clamp(a: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    normalise(a.iter().map(|&(x, y)| (x.max(lo), y.min(hi))).collect())
}

/// Total length of a normalised set.
pub fn length(a: &[(f64, f64)]) -> f64 {
    a.iter().map(|(x, y)| y - x).sum()
}

/// True when `[lo, hi]` lies inside one interval of the normalised set (within `tol`).
pub fn covers(a: &[(f64, f64)], lo: f64, hi: f64, tol: f64) -> bool {
    a.iter().any(|&(x, y)| x <= lo + tol && y >= hi - tol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_difference_by_hand() {
        let a = normalise(vec![(3.0, 4.0), (0.0, 1.0), (0.5, 2.0), (2.0, 2.5)]);
        assert_eq!(a, vec![(0.0, 2.5), (3.0, 4.0)]);
        let d = subtract(&a, &[(1.0, 1.5), (2.4, 3.5)]);
        assert_eq!(d, vec![(0.0, 1.0), (1.5, 2.4), (3.5, 4.0)]);
        assert!((length(&d) - 2.4).abs() < 1e-12);
        assert_eq!(clamp(&a, 1.0, 3.5), vec![(1.0, 2.5), (3.0, 3.5)]);
        assert!(covers(&a, 0.2, 2.4, 0.0) && !covers(&a, 2.0, 3.2, 0.0));
    }
}
