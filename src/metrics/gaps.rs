//! Gaps: skin the hand left untouched, on the 1 mm lattice of the uniformity metric.
//!
//! **Model.** The measured area is cut into the 1 mm × 1 mm bins of the global lattice that
//! lie wholly inside a label (as for [`crate::metrics::density`]'s CV). A bin is **empty**
//! when no puncture centre falls in it. Two figures: the fraction of empty bins, and the
//! **largest gap**: the side (mm) of the largest square block of empty bins (the classic
//! largest-square dynamic programme, O(bins)). For uniform random punctures at λ per mm²
//! a bin is empty with probability `e^(−λ)`: 5 % at 300 punctures/cm²; stripes between
//! lanes show up as a growing largest gap.

use rayon::prelude::*;

use crate::geometry::Rect;
use crate::metrics::bin_label;
use crate::needle::puncture::Puncture;
use crate::raster::domain::Domain;

/// Bin side, mm (the uniformity lattice).
pub const BIN_MM: f64 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Gaps {
    pub bin_mm: f64,
    /// Bins wholly inside the measured area.
    pub bins: usize,
    /// Fraction of those bins with no puncture centre, 0–1.
    pub empty_bin_fraction: f64,
    /// Side of the largest square of empty bins, mm (0 when no bin is empty).
    pub largest_gap_mm: f64,
}

/// Gaps of `punctures` over every label of `domain`.
pub fn gaps(punctures: &[Puncture], domain: &dyn Domain) -> Gaps {
    let b = domain.bounds();
    let (i0, j0) = (b.x0.floor() as i64, b.y0.floor() as i64);
    let (nx, ny) = ((b.x1.ceil() as i64 - i0).max(0) as usize, (b.y1.ceil() as i64 - j0).max(0) as usize);
    let mut counts = vec![0u32; nx * ny];
    for p in punctures {
        let (i, j) = (p.x_mm.floor() as i64 - i0, p.y_mm.floor() as i64 - j0);
        if i >= 0 && j >= 0 && (i as usize) < nx && (j as usize) < ny {
            counts[j as usize * nx + i as usize] += 1;
        }
    }
    // Which bins are wholly inside the domain, a row at a time in parallel.
    let inside: Vec<Vec<bool>> = (0..ny)
        .into_par_iter()
        .map(|j| {
            let y = (j0 + j as i64) as f64;
            (0..nx)
                .map(|i| {
                    let x = (i0 + i as i64) as f64;
                    bin_label(domain, &Rect::new(x, y, x + BIN_MM, y + BIN_MM)).is_some()
                })
                .collect()
        })
        .collect();
    let (mut bins, mut empty, mut best) = (0usize, 0usize, 0u32);
    // dp[i] of the previous and current rows: side of the largest empty square ending here.
    let (mut prev, mut cur) = (vec![0u32; nx + 1], vec![0u32; nx + 1]);
    for j in 0..ny {
        for i in 0..nx {
            let inside = inside[j][i];
            let is_empty = inside && counts[j * nx + i] == 0;
            bins += inside as usize;
            empty += is_empty as usize;
            cur[i + 1] = if is_empty { 1 + prev[i].min(prev[i + 1]).min(cur[i]) } else { 0 };
            best = best.max(cur[i + 1]);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Gaps {
        bin_mm: BIN_MM,
        bins,
        empty_bin_fraction: if bins > 0 { empty as f64 / bins as f64 } else { 0.0 },
        largest_gap_mm: best as f64 * BIN_MM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::domain::RectDomain;

    fn at(x: f64, y: f64) -> Puncture {
        Puncture { x_mm: x, y_mm: y, ..Puncture::default() }
    }

    /// Fill every bin of a 10 × 6 patch except a 3 × 3 block and one lone bin.
    #[test]
    fn finds_the_largest_empty_square() {
        let d = RectDomain(Rect::new(0.0, 0.0, 10.0, 6.0));
        let mut p = Vec::new();
        for j in 0..6 {
            for i in 0..10 {
                let in_block = (2..5).contains(&i) && (1..4).contains(&j);
                if !in_block && (i, j) != (8, 5) {
                    p.push(at(i as f64 + 0.5, j as f64 + 0.5));
                }
            }
        }
        let g = gaps(&p, &d);
        assert_eq!(g.bins, 60);
        assert!((g.empty_bin_fraction - 10.0 / 60.0).abs() < 1e-12);
        assert_eq!(g.largest_gap_mm, 3.0);
        assert_eq!(gaps(&[], &d).largest_gap_mm, 6.0);
    }
}
