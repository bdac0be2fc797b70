//! Maps to draw: [`Raster`]s of one value per square pixel, `NaN` where nothing is measured.
//!
//! - **hits**: the accumulator's picture (mean hits per pixel), masked to the domain;
//! - **per pass**: the accumulator's per-pass pictures (fraction of each pixel a pass hit);
//! - **density**: puncture centres per bin (1 mm by default), per cm²;
//! - **classes**: the largest class of any puncture centred in a bin (deepest set depth or,
//!   once the skin is layered, deepest layer);
//! - **inset**: exact hit counts per grid cell over a small window ([`crate::raster::dense`]), so
//!   single holes show.

use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::Footprint;
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::Raster;
use crate::raster::dense;
use crate::raster::domain::Domain;
use crate::raster::grid::GridSpec;

/// Value of the pixel holding `(x_mm, y_mm)`; `NaN` outside the raster.
pub fn sample(r: &Raster, x_mm: f64, y_mm: f64) -> f32 {
    let col = ((x_mm - r.origin_mm.x) / r.pixel_mm).floor();
    let row = ((y_mm - r.origin_mm.y) / r.pixel_mm).floor();
    if col < 0.0 || row < 0.0 || col as usize >= r.width || row as usize >= r.height {
        return f32::NAN;
    }
    r.values[row as usize * r.width + col as usize]
}

/// Centre of pixel `(col, row)`, mm.
pub fn pixel_center(r: &Raster, col: usize, row: usize) -> Vec2 {
    Vec2::new(r.origin_mm.x + (col as f64 + 0.5) * r.pixel_mm, r.origin_mm.y + (row as f64 + 0.5) * r.pixel_mm)
}

/// Largest finite value among the pixels whose centre lies in `view` (0 when none).
pub fn max_in(r: &Raster, view: &Rect) -> f32 {
    let mut m = 0.0f32;
    for row in 0..r.height {
        for col in 0..r.width {
            let c = pixel_center(r, col, row);
            let v = r.values[row * r.width + col];
            if v.is_finite() && view.contains(c.x, c.y) {
                m = m.max(v);
            }
        }
    }
    m
}

/// Set to `NaN` every pixel whose centre the domain does not measure.
pub fn mask_outside(r: &mut Raster, domain: &dyn Domain) {
    let out = outside(r, domain);
    apply_outside(r, &out);
}

/// Which pixels of `r` (row-major from the bottom row, as its values) have a centre the
/// domain does not measure; rows in parallel. Rasters on the same lattice (origin, pixel,
/// size: see [`same_lattice`]) share it.
pub fn outside(r: &Raster, domain: &dyn Domain) -> Vec<bool> {
    use rayon::prelude::*;
    let mut out = vec![false; r.width * r.height];
    out.par_chunks_mut(r.width.max(1)).enumerate().for_each(|(row, o)| {
        for (col, v) in o.iter_mut().enumerate() {
            *v = domain.label_at(pixel_center(r, col, row)).is_none();
        }
    });
    out
}

/// Set to `NaN` the pixels `outside` marks ([`outside`] of a raster on the same lattice).
pub fn apply_outside(r: &mut Raster, outside: &[bool]) {
    debug_assert_eq!(r.values.len(), outside.len());
    for (v, &o) in r.values.iter_mut().zip(outside) {
        if o {
            *v = f32::NAN;
        }
    }
}

/// True when `a` and `b` have the same pixels (origin, pixel side and size), so the same
/// pixel centres.
pub fn same_lattice(a: &Raster, b: &Raster) -> bool {
    a.origin_mm == b.origin_mm && a.pixel_mm == b.pixel_mm && a.width == b.width && a.height == b.height
}

/// An empty raster of `bin_mm` pixels on the global lattice, covering `bounds`.
fn lattice(bounds: &Rect, bin_mm: f64) -> Raster {
    let (c0, r0) = ((bounds.x0 / bin_mm).floor(), (bounds.y0 / bin_mm).floor());
    let (c1, r1) = ((bounds.x1 / bin_mm).ceil(), (bounds.y1 / bin_mm).ceil());
    let (width, height) = (((c1 - c0) as usize).max(1), ((r1 - r0) as usize).max(1));
    Raster { origin_mm: Vec2::new(c0 * bin_mm, r0 * bin_mm), pixel_mm: bin_mm, width, height, values: vec![0.0; width * height] }
}

/// Index of the bin holding `(x, y)`, if inside.
fn bin_of(r: &Raster, x: f64, y: f64) -> Option<usize> {
    let col = ((x - r.origin_mm.x) / r.pixel_mm).floor();
    let row = ((y - r.origin_mm.y) / r.pixel_mm).floor();
    (col >= 0.0 && row >= 0.0 && (col as usize) < r.width && (row as usize) < r.height).then(|| row as usize * r.width + col as usize)
}

/// Puncture centres per `bin_mm` bin, per cm², over the domain's bounds; bins whose centre
/// the domain does not measure are `NaN`.
pub fn density(punctures: &[Puncture], domain: &dyn Domain, bin_mm: f64) -> Raster {
    let mut r = lattice(&domain.bounds(), bin_mm);
    for p in punctures {
        if let Some(i) = bin_of(&r, p.x_mm, p.y_mm) {
            r.values[i] += 1.0;
        }
    }
    let per_cm2 = (100.0 / (bin_mm * bin_mm)) as f32;
    r.values.iter_mut().for_each(|v| *v *= per_cm2);
    mask_outside(&mut r, domain);
    r
}

/// Largest `class_of(index, puncture)` of the punctures centred in each `bin_mm` bin, as 1 + class (0 = no
/// puncture), over the domain's bounds; unmeasured bins are `NaN`.
pub fn classes(punctures: &[Puncture], domain: &dyn Domain, bin_mm: f64, class_of: impl Fn(usize, &Puncture) -> usize) -> Raster {
    let mut r = lattice(&domain.bounds(), bin_mm);
    for (k, p) in punctures.iter().enumerate() {
        if let Some(i) = bin_of(&r, p.x_mm, p.y_mm) {
            r.values[i] = r.values[i].max(1.0 + class_of(k, p) as f32);
        }
    }
    mask_outside(&mut r, domain);
    r
}

/// Exact hit counts per grid cell over `window` (one pixel per cell), for the zoomed inset.
pub fn inset(punctures: &[Puncture], radius_mm: f64, window: &Rect, grid: &GridSpec) -> Raster {
    // Only the punctures that can touch the window go to the naive rasteriser.
    let near: Vec<Puncture> = punctures
        .iter()
        .filter(|p| {
            let b = if p.is_disk() {
                Rect::new(p.x_mm - radius_mm, p.y_mm - radius_mm, p.x_mm + radius_mm, p.y_mm + radius_mm)
            } else {
                Footprint::of(p, radius_mm).bbox()
            };
            b.x1 >= window.x0 && b.x0 <= window.x1 && b.y1 >= window.y0 && b.y0 <= window.y1
        })
        .copied()
        .collect();
    let d = dense::dense_counts(&near, radius_mm, window, grid);
    let h = grid.resolution_mm;
    Raster {
        origin_mm: Vec2::new(d.i0 as f64 * h, d.j0 as f64 * h),
        pixel_mm: h,
        width: d.width,
        height: d.height,
        values: d.counts.iter().map(|&c| c as f32).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::domain::RectDomain;

    fn at(x_mm: f64, y_mm: f64) -> Puncture {
        Puncture { pass: 0, stamp: 0, needle: 0, x_mm, y_mm, depth_mm: 1.0, t_s: 0.0, ..Default::default() }
    }

    #[test]
    fn density_counts_centres_per_cm2_in_their_bin() {
        let d = RectDomain(Rect::new(0.0, 0.0, 3.0, 2.0));
        let r = density(&[at(0.5, 0.5), at(0.6, 0.4), at(2.5, 1.5)], &d, 1.0);
        assert_eq!((r.width, r.height), (3, 2));
        assert_eq!(sample(&r, 0.5, 0.5), 200.0);
        assert_eq!(sample(&r, 2.5, 1.5), 100.0);
        assert_eq!(sample(&r, 1.5, 0.5), 0.0);
        // Total punctures are conserved: Σ density × bin area (cm²) = count.
        let total: f32 = r.values.iter().map(|v| v * 0.01).sum();
        assert!((total - 3.0).abs() < 1e-5);
    }

    #[test]
    fn classes_keep_the_deepest_per_bin() {
        let d = RectDomain(Rect::new(0.0, 0.0, 2.0, 1.0));
        let mut deep = at(0.5, 0.5);
        deep.depth_mm = 2.0;
        let r = classes(&[at(0.2, 0.2), deep], &d, 1.0, |_, p| if p.depth_mm > 1.5 { 3 } else { 1 });
        assert_eq!(r.values, vec![4.0, 0.0]);
    }

    #[test]
    fn inset_matches_the_dense_truth_and_holds_one_hole() {
        let g = GridSpec::new(0.01).unwrap();
        let w = Rect::new(0.0, 0.0, 1.0, 1.0);
        let r = inset(&[at(0.5, 0.5), at(5.0, 5.0)], 0.09, &w, &g);
        let hit = r.values.iter().filter(|&&v| v > 0.0).count() as f64 * 1e-4;
        let exact = std::f64::consts::PI * 0.09 * 0.09;
        assert!((hit - exact).abs() < 2.0 * std::f64::consts::PI * 0.09 * 0.01 * 2f64.sqrt(), "{hit} vs {exact}");
        assert_eq!(sample(&r, 0.5, 0.5), 1.0);
        assert_eq!(sample(&r, 0.05, 0.05), 0.0);
    }
}
