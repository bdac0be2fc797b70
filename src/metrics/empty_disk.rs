//! Untreated gaps: the largest disk of skin that no puncture touched (the *largest empty
//! disk*; a finer measure than counting empty 1 mm bins).
//!
//! **Definition.** On the sampling grid (cell hit = centre inside a puncture disk, as
//! everywhere), the *largest untreated gap* is the diameter of the largest disk centred on a
//! cell centre of the window that contains no hit cell centre: `2 · max_c dist(c, hit)`,
//! where the distance runs from a cell centre to the nearest hit cell centre. It is exact on
//! the grid, via the exact Euclidean distance transform of Felzenszwalb & Huttenlocher
//! (2012), in O(cells). Hits outside the window are not seen, so the window should be the
//! treated patch or a part well inside it.
//!
//! **Window.** A dense grid is needed, so the window is the patch when it has at most
//! [`MAX_WINDOW_CELLS`] cells, else a centred square part of it with that many.

use rayon::prelude::*;

use crate::geometry::Rect;
use crate::needle::footprint::Footprint;
use crate::needle::puncture::Puncture;
use crate::raster::grid::GridSpec;

/// Largest window, in cells (4·10⁶: 20 × 20 mm at 0.01 mm; ≈ 40 MB of workspace).
pub const MAX_WINDOW_CELLS: f64 = 4.0e6;

/// The window the gap is measured in: `area`, or its centred square part of
/// [`MAX_WINDOW_CELLS`] cells.
pub fn window(area: &Rect, grid: &GridSpec) -> Rect {
    let h = grid.resolution_mm;
    if area.area() / (h * h) <= MAX_WINDOW_CELLS {
        return *area;
    }
    let side = MAX_WINDOW_CELLS.sqrt() * h;
    let (w, hh) = (area.width().min(side), area.height().min(MAX_WINDOW_CELLS * h * h / area.width().min(side)));
    let c = area.center();
    Rect::new(c.x - 0.5 * w, c.y - 0.5 * hh, c.x + 0.5 * w, c.y + 0.5 * hh)
}

/// Largest untreated gap (diameter, mm) in `window` for punctures of radius `radius_mm`;
/// `None` when no cell of the window is hit (the gap is the whole window).
pub fn largest_empty_disk_mm(punctures: &[Puncture], radius_mm: f64, window: &Rect, grid: &GridSpec) -> Option<f64> {
    let (mask, width, height) = hit_mask(punctures, radius_mm, window, grid);
    let max2 = max_edt_squared(&mask, width, height)?;
    Some(2.0 * (max2 as f64).sqrt() * grid.resolution_mm)
}

/// Hit mask (needle footprints: disks, or tilted/dragged shapes) of the cells whose centres lie in `window` (row-major from the bottom, as
/// [`crate::raster::dense::dense_counts`]), filled by disk row spans: `(mask, width, height)`.
pub fn hit_mask(punctures: &[Puncture], radius_mm: f64, window: &Rect, grid: &GridSpec) -> (Vec<bool>, usize, usize) {
    let (i0, i1) = grid.cells_between(window.x0, window.x1);
    let (j0, j1) = grid.cells_between(window.y0, window.y1);
    let (width, height) = ((i1 - i0 + 1).max(0) as usize, (j1 - j0 + 1).max(0) as usize);
    let mut mask = vec![false; width * height];
    let window = (i0, i1, j0, j1);
    for p in punctures {
        let mut fill = |j: i64, a: i64, b: i64| {
            let row = (j - j0) as usize * width;
            mask[row + (a - i0) as usize..=row + (b - i0) as usize].fill(true);
        };
        // Tilted or dragged needles leave their own shapes, as in the accumulator.
        if p.is_disk() {
            grid.disk_rows(p.x_mm, p.y_mm, radius_mm, window, &mut fill);
        } else {
            grid.footprint_rows(&Footprint::of(p, radius_mm), window, &mut fill);
        }
    }
    (mask, width, height)
}

const INF: u64 = u64::MAX / 4;

/// Squared Euclidean distance (in cells²) from every cell to the nearest `true` cell of a
/// row-major `width × height` mask; `None` when no cell is `true`.
pub fn edt_squared(mask: &[bool], width: usize, height: usize) -> Option<Vec<u64>> {
    let g = column_pass(mask, width, height)?;
    let mut out = vec![0u64; width * height];
    out.par_chunks_mut(width)
        .zip(g.par_chunks(width))
        .for_each_init(|| (vec![0usize; width], vec![0f64; width + 1]), |(v, z), (row, f)| row_pass(f, v, z, |x, d| row[x] = d));
    Some(out)
}

/// The largest value of [`edt_squared`], without storing the transform.
pub fn max_edt_squared(mask: &[bool], width: usize, height: usize) -> Option<u64> {
    let g = column_pass(mask, width, height)?;
    Some(
        g.par_chunks(width)
            .map_init(
                || (vec![0usize; width], vec![0f64; width + 1]),
                |(v, z), f| {
                    let mut m = 0u64;
                    row_pass(f, v, z, |_, d| m = m.max(d));
                    m
                },
            )
            .max()
            .unwrap_or(0),
    )
}

/// Pass 1: along each column, the squared distance (in rows) to the nearest set cell, by two
/// sweeps over the rows (row-major, cache friendly). `None` when no cell is set.
fn column_pass(mask: &[bool], width: usize, height: usize) -> Option<Vec<u64>> {
    if !mask.iter().any(|&m| m) {
        return None;
    }
    let mut g = vec![INF; width * height];
    for j in 0..height {
        for i in 0..width {
            let c = j * width + i;
            g[c] = if mask[c] {
                0
            } else if j > 0 && g[c - width] < INF {
                g[c - width] + 1
            } else {
                INF
            };
        }
    }
    for j in (0..height.saturating_sub(1)).rev() {
        for i in 0..width {
            let c = j * width + i;
            if g[c + width] < INF {
                g[c] = g[c].min(g[c + width] + 1);
            }
        }
    }
    g.iter_mut().filter(|d| **d < INF).for_each(|d| *d *= *d);
    Some(g)
}

/// Pass 2 on one row `f`: the lower envelope of the parabolas `(x − q)² + f(q)`; calls
/// `out(x, d²)` for every cell. `v`, `z` are workspaces of `width` and `width + 1`.
fn row_pass(f: &[u64], v: &mut [usize], z: &mut [f64], mut out: impl FnMut(usize, u64)) {
    // Every row has a finite entry: a set cell makes its column finite in every row.
    let Some(first) = f.iter().position(|&x| x < INF) else { return };
    let mut k = 0usize;
    v[0] = first;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    let meet = |p: usize, q: usize| ((f[q] as f64 + (q * q) as f64) - (f[p] as f64 + (p * p) as f64)) / (2.0 * (q as f64 - p as f64));
    for (q, &fq) in f.iter().enumerate().skip(first + 1) {
        if fq >= INF {
            continue;
        }
        let mut s = meet(v[k], q);
        // z[0] = −∞, so this stops at k = 0 at the latest.
        while s <= z[k] {
            k -= 1;
            s = meet(v[k], q);
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    let mut k = 0usize;
    for x in 0..f.len() {
        while z[k + 1] < x as f64 {
            k += 1;
        }
        let p = v[k];
        let dx = x.abs_diff(p) as u64;
        out(x, dx * dx + f[p]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn brute(mask: &[bool], w: usize, h: usize) -> Vec<u64> {
        let set: Vec<(usize, usize)> = (0..w * h).filter(|&c| mask[c]).map(|c| (c % w, c / w)).collect();
        (0..w * h)
            .map(|c| {
                let (x, y) = (c % w, c / w);
                set.iter().map(|&(a, b)| (x.abs_diff(a) * x.abs_diff(a) + y.abs_diff(b) * y.abs_diff(b)) as u64).min().unwrap()
            })
            .collect()
    }

    #[test]
    fn edt_matches_brute_force_on_seeded_masks() {
        for seed in 0..40u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (w, h) = (rng.random_range(1..30usize), rng.random_range(1..30usize));
            let p: f64 = rng.random_range(0.005..0.3);
            let mut mask: Vec<bool> = (0..w * h).map(|_| rng.random_bool(p)).collect();
            if !mask.iter().any(|&m| m) {
                mask[rng.random_range(0..w * h)] = true;
            }
            let truth = brute(&mask, w, h);
            assert_eq!(edt_squared(&mask, w, h).unwrap(), truth, "seed {seed} ({w}×{h})");
            assert_eq!(max_edt_squared(&mask, w, h), truth.iter().copied().max(), "seed {seed}");
        }
        assert!(edt_squared(&[false; 6], 3, 2).is_none());
    }

    #[test]
    fn gap_between_two_holes_in_a_strip() {
        // Two 0.1 mm-radius holes at x = 0.5 and 3.5 in a 4 × 0.2 mm strip: the farthest
        // untreated point from both is x ≈ 2.0, about 1.5 − 0.1 mm from each hole's rim
        // cells, so the gap diameter is ≈ 2 · 1.4 = 2.8 mm (within two cells).
        let g = GridSpec::new(0.01).unwrap();
        let mk = |x: f64| Puncture { x_mm: x, y_mm: 0.1, depth_mm: 1.0, ..Puncture::default() };
        let gap = largest_empty_disk_mm(&[mk(0.5), mk(3.5)], 0.1, &Rect::new(0.0, 0.0, 4.0, 0.2), &g).unwrap();
        assert!((gap - 2.8).abs() < 0.04, "{gap}");
        assert_eq!(largest_empty_disk_mm(&[], 0.1, &Rect::new(0.0, 0.0, 1.0, 1.0), &g), None);
    }

    #[test]
    fn hit_mask_matches_the_dense_truth() {
        let g = GridSpec::new(0.01).unwrap();
        let window = Rect::new(0.3, -0.2, 2.7, 1.9);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let pts: Vec<Puncture> = (0..60)
            .map(|k| Puncture {
                x_mm: rng.random_range(0.0..3.0),
                y_mm: rng.random_range(-0.5..2.0),
                depth_mm: 1.0,
                // Every third needle tilted and dragged: the mask must follow the shapes.
                tilt_deg: if k % 3 == 0 { 25.0 } else { 0.0 },
                tilt_azimuth_deg: 30.0,
                drag_x_mm: if k % 3 == 0 { 0.12 } else { 0.0 },
                drag_y_mm: 0.0,
                ..Puncture::default()
            })
            .collect();
        let (mask, w, h) = hit_mask(&pts, 0.09, &window, &g);
        let d = crate::raster::dense::dense_counts(&pts, 0.09, &window, &g);
        assert_eq!((w, h), (d.width, d.height));
        assert_eq!(mask, d.counts.iter().map(|&c| c > 0).collect::<Vec<_>>());
    }

    #[test]
    fn window_is_capped_and_centred() {
        let g = GridSpec::new(0.01).unwrap();
        let small = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert_eq!(window(&small, &g), small);
        let w = window(&Rect::new(0.0, 0.0, 40.0, 30.0), &g);
        assert!((w.area() / 1e-4 - MAX_WINDOW_CELLS).abs() < 1.0);
        assert!((w.center() - Rect::new(0.0, 0.0, 40.0, 30.0).center()).norm() < 1e-9);
    }
}
