//! Metrics: what the tallies and punctures mean for the skin.
//!
//! - **Coverage**: fraction of the measured cells hit at least once (hole = needle disk;
//!   treated zone = needle disk grown by the halo).
//! - **Per pass / cumulative**: each pass's coverage as if it were alone, and the coverage
//!   after passes `0..=p`. Cumulative coverage never decreases.
//! - **Overlap histogram**: fraction of the area hit exactly 0, 1, 2, 3 and ≥ 4 times; it
//!   sums to 1.
//! - **Density**: punctures whose centre lies in the area, per cm² (1 cm² = 100 mm²).
//! - **Uniformity**: coefficient of variation (population sd / mean) of puncture-centre
//!   counts over the 1 mm × 1 mm bins of a global 1 mm lattice that lie wholly in the area
//!   (bins cut by the edge are left out, so edges do not fake non-uniformity).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::geometry::{Rect, Vec2};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{HIST_BINS, Tally};
use crate::raster::domain::{Domain, TileClass};
use crate::raster::grid::{GridSpec, floor_i64};

/// Coverage figures of one label from one accumulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// Measured area from the grid (cells × cell area), mm².
    pub sampled_area_mm2: f64,
    /// Fraction of the area hit at least once, 0–1.
    pub coverage: f64,
    pub coverage_per_pass: Vec<f64>,
    pub coverage_cumulative: Vec<f64>,
    /// Fractions of the area hit 0, 1, 2, 3, ≥ 4 times.
    pub hits_histogram: [f64; 5],
    /// Fractions hit 0, 1, …, 15, ≥ 16 times.
    pub hits_histogram_full: Vec<f64>,
    /// Mean hits per spot over the area.
    pub mean_hits: f64,
    pub max_hits: u32,
    /// Fraction of the area hit on more than 4 distinct passes.
    pub over_pass_limit_fraction: f64,
    /// `passes_per_spot[k]` = fraction of the area hit on exactly k distinct passes
    /// (k = 0..=passes); sums to 1.
    pub passes_per_spot: Vec<f64>,
    /// Fraction of the area hit on more than 3 distinct passes (the stricter end of the
    /// sources' "3–4 passes").
    pub over_3_passes_fraction: f64,
}

impl Coverage {
    pub fn from_tally(t: &Tally, grid: &GridSpec) -> Self {
        let n = t.cells.max(1) as f64;
        let frac = |c: u64| c as f64 / n;
        let mut h5 = [0.0; 5];
        for (k, &c) in t.hist.iter().enumerate() {
            h5[k.min(4)] += c as f64;
        }
        h5.iter_mut().for_each(|v| *v /= n);
        Coverage {
            sampled_area_mm2: t.cells as f64 * grid.cell_area_mm2(),
            coverage: frac(t.covered()),
            coverage_per_pass: t.alone.iter().map(|&c| frac(c)).collect(),
            coverage_cumulative: t.cumulative().into_iter().map(frac).collect(),
            hits_histogram: h5,
            hits_histogram_full: t.hist.iter().map(|&c| frac(c)).collect(),
            mean_hits: t.hit_sum as f64 / n,
            max_hits: t.max_hits,
            over_pass_limit_fraction: frac(t.over_pass_limit),
            passes_per_spot: t.distinct_passes.iter().map(|&c| frac(c)).collect(),
            over_3_passes_fraction: frac(t.distinct_passes.iter().skip(4).sum()),
        }
    }
}

const _: () = assert!(HIST_BINS >= 5);

/// Density figures of one label.
#[derive(Clone, Debug, PartialEq)]
pub struct Density {
    /// Punctures whose centre lies in the label.
    pub punctures_inside: u64,
    pub density_per_cm2: f64,
    /// CV of the 1 mm bin counts; `None` when no bin lies wholly inside or none is hit.
    pub uniformity_cv: Option<f64>,
    /// Bins used for the CV.
    pub bins: usize,
}

/// Target density band per pass, punctures/cm² (PRIME 2015: 250–300 per treatment, used per
/// pass as in `shared/domain.md`'s worked example).
pub const TARGET_DENSITY_PER_CM2: (f64, f64) = (250.0, 300.0);
/// A density is "far above" the sources when it exceeds this many passes at the top of the
/// target band (4: the sources' "no more than 3–4 passes").
pub const FAR_ABOVE_PASSES: f64 = 4.0;

/// The warning for `name`'s density when it is far above the sources: more than
/// [`FAR_ABOVE_PASSES`] passes at `per_pass_hi_per_cm2` (the top of the target band).
pub fn far_above_sources(name: &str, density_per_cm2: f64, per_pass_hi_per_cm2: f64) -> Option<String> {
    (density_per_cm2 > FAR_ABOVE_PASSES * per_pass_hi_per_cm2).then(|| {
        format!(
            "{name}: {density_per_cm2:.0} punctures/cm², far above the sources' 250–300 /cm² per treatment (more than {FAR_ABOVE_PASSES:.0} passes at the target {per_pass_hi_per_cm2:.0} /cm² per pass)"
        )
    })
}

/// Density and uniformity for every label of `domain`.
pub fn density(punctures: &[Puncture], domain: &dyn Domain) -> Vec<Density> {
    density_with(punctures, domain, |i| domain.label_at(Vec2::new(punctures[i].x_mm, punctures[i].y_mm)))
}

/// [`density`] with each puncture's label known: `label_of(i)` must be `domain.label_at` of
/// puncture `i`'s centre (a surface run has located every puncture already).
pub fn density_with(punctures: &[Puncture], domain: &dyn Domain, label_of: impl Fn(usize) -> Option<u16>) -> Vec<Density> {
    let labels = domain.label_count();
    let mut inside = vec![0u64; labels];
    let b = domain.bounds();
    let bins = Bins::new(&b);
    let mut counts = bins.table();
    for (i, p) in punctures.iter().enumerate() {
        if let Some(l) = label_of(i) {
            inside[l as usize] += 1;
            counts.add(&bins, floor_i64(p.x_mm), floor_i64(p.y_mm));
        }
    }
    // Bins wholly inside one label, labelled a row at a time in parallel, visited in lattice
    // order (deterministic sums).
    let rows: Vec<Vec<(u16, i64)>> = (b.y0.floor() as i64..b.y1.ceil() as i64)
        .into_par_iter()
        .map(|j| {
            (b.x0.floor() as i64..b.x1.ceil() as i64)
                .filter_map(|i| bin_label(domain, &Rect::new(i as f64, j as f64, (i + 1) as f64, (j + 1) as f64)).map(|l| (l, i)))
                .collect()
        })
        .collect();
    let mut per_label: Vec<Vec<u32>> = vec![Vec::new(); labels];
    for (j, row) in (b.y0.floor() as i64..).zip(&rows) {
        for &(l, i) in row {
            per_label[l as usize].push(counts.get(&bins, i, j));
        }
    }
    (0..labels)
        .map(|l| {
            let area = domain.area_mm2(l as u16);
            Density {
                punctures_inside: inside[l],
                density_per_cm2: if area > 0.0 { inside[l] as f64 / area * 100.0 } else { 0.0 },
                uniformity_cv: cv(&per_label[l]),
                bins: per_label[l].len(),
            }
        })
        .collect()
}

/// The 1 mm bins of a domain's bounds: a dense table when the bounds are of a sane size (a
/// face: ≈ 50,000 bins), a hash map otherwise (same counts either way).
struct Bins {
    i0: i64,
    j0: i64,
    nx: i64,
    ny: i64,
    dense: bool,
}

enum BinCounts {
    Dense(Vec<u32>),
    Sparse(HashMap<(i64, i64), u32>),
}

impl Bins {
    fn new(b: &Rect) -> Self {
        let (i0, j0) = (b.x0.floor(), b.y0.floor());
        let (nx, ny) = (b.x1.floor() - i0 + 1.0, b.y1.floor() - j0 + 1.0);
        let dense = nx.is_finite() && ny.is_finite() && nx >= 1.0 && ny >= 1.0 && nx * ny <= 4.0e6;
        Bins { i0: i0 as i64, j0: j0 as i64, nx: nx as i64, ny: ny as i64, dense }
    }

    fn table(&self) -> BinCounts {
        if self.dense { BinCounts::Dense(vec![0; (self.nx * self.ny) as usize]) } else { BinCounts::Sparse(HashMap::new()) }
    }

    #[inline]
    fn index(&self, i: i64, j: i64) -> Option<usize> {
        let (x, y) = (i.wrapping_sub(self.i0), j.wrapping_sub(self.j0));
        ((0..self.nx).contains(&x) && (0..self.ny).contains(&y)).then(|| (y * self.nx + x) as usize)
    }
}

impl BinCounts {
    #[inline]
    fn add(&mut self, bins: &Bins, i: i64, j: i64) {
        match self {
            // A point of the domain outside its bounds: no bin of the lattice walk holds it.
            BinCounts::Dense(v) => {
                if let Some(k) = bins.index(i, j) {
                    v[k] += 1;
                }
            }
            BinCounts::Sparse(m) => *m.entry((i, j)).or_default() += 1,
        }
    }

    fn get(&self, bins: &Bins, i: i64, j: i64) -> u32 {
        match self {
            BinCounts::Dense(v) => bins.index(i, j).map_or(0, |k| v[k]),
            BinCounts::Sparse(m) => m.get(&(i, j)).copied().unwrap_or(0),
        }
    }
}

/// The label of a bin when the bin lies wholly inside it. For `Mixed` answers the bin's
/// centre and four corners (inset by 1 µm) must agree.
pub fn bin_label(domain: &dyn Domain, r: &Rect) -> Option<u16> {
    match domain.classify(r) {
        TileClass::Inside(l) => Some(l),
        TileClass::Outside => None,
        TileClass::Mixed => {
            let e = 1e-3;
            let probes = [
                r.center(),
                Vec2::new(r.x0 + e, r.y0 + e),
                Vec2::new(r.x1 - e, r.y0 + e),
                Vec2::new(r.x0 + e, r.y1 - e),
                Vec2::new(r.x1 - e, r.y1 - e),
            ];
            let l = domain.label_at(probes[0])?;
            probes[1..].iter().all(|p| domain.label_at(*p) == Some(l)).then_some(l)
        }
    }
}

/// Coefficient of variation (population sd / mean); `None` for no data or a zero mean.
pub fn cv(counts: &[u32]) -> Option<f64> {
    if counts.is_empty() {
        return None;
    }
    let n = counts.len() as f64;
    let mean = counts.iter().map(|&c| c as f64).sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let var = counts.iter().map(|&c| (c as f64 - mean).powi(2)).sum::<f64>() / n;
    Some(var.sqrt() / mean)
}

/// Boolean-model coverage `1 − exp(−λ·a)` for `lambda_per_mm2` disk centres per mm² of
/// footprint area `a_mm2` (Stoyan, Kendall & Mecke).
pub fn boolean_coverage(lambda_per_mm2: f64, a_mm2: f64) -> f64 {
    1.0 - (-lambda_per_mm2 * a_mm2).exp()
}

/// Density of random punctures, per cm², that a Boolean model needs for `coverage` with
/// footprint radius `r_mm`.
pub fn boolean_density_for(coverage: f64, r_mm: f64) -> f64 {
    -(1.0 - coverage).ln() / (std::f64::consts::PI * r_mm * r_mm) * 100.0
}

#[cfg(test)]
mod tests {

    #[test]
    fn far_above_the_sources_is_above_four_passes_at_the_top_of_the_band() {
        let hi = TARGET_DENSITY_PER_CM2.1;
        assert_eq!(far_above_sources("forehead", FAR_ABOVE_PASSES * hi, hi), None);
        let w = far_above_sources("forehead", FAR_ABOVE_PASSES * hi + 1.0, hi).unwrap();
        assert!(w.starts_with("forehead: 1201 punctures/cm², far above"), "{w}");
        assert_eq!(far_above_sources("x", 3000.0, 1000.0), None);
    }
    use super::*;

    #[test]
    fn cv_of_constant_is_zero_and_of_known_set() {
        assert_eq!(cv(&[3, 3, 3]), Some(0.0));
        // values 0, 2: mean 1, sd 1.
        assert!((cv(&[0, 2]).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(cv(&[]), None);
    }

    #[test]
    fn the_25_percent_question_of_domain_md() {
        // 25 % by 0.18 mm holes alone needs ≈ 1,130 random punctures per cm².
        let d = boolean_density_for(0.25, 0.09);
        assert!((d - 1130.0).abs() < 5.0, "{d}");
    }
}
