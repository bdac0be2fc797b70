//! The slow truth: a dense hit-count grid over one rectangle, one disk at a time.
//!
//! Used as the brute-force reference in tests, the baseline in benches and for zoomed
//! pictures of small windows. Same sampling rule as [`crate::raster::grid`] (cell centre in disk).
//! Tilted or dragged punctures are tested cell by cell with [`Footprint::contains`] (the
//! distance to the drag segment), independently of the row-span rasteriser.

use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::Footprint;
use crate::needle::puncture::Puncture;
use crate::raster::grid::GridSpec;

/// Hit counts of the cells whose centres lie in `window`, row-major from the bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseGrid {
    pub i0: i64,
    pub j0: i64,
    pub width: usize,
    pub height: usize,
    pub counts: Vec<u32>,
}

/// Rasterise every puncture into a dense grid over `window` (naive: a full bounding-box scan
/// per footprint with a membership test per cell).
pub fn dense_counts(punctures: &[Puncture], radius_mm: f64, window: &Rect, grid: &GridSpec) -> DenseGrid {
    let (i0, i1) = grid.cells_between(window.x0, window.x1);
    let (j0, j1) = grid.cells_between(window.y0, window.y1);
    let (width, height) = ((i1 - i0 + 1).max(0) as usize, (j1 - j0 + 1).max(0) as usize);
    let mut counts = vec![0u32; width * height];
    let r2 = radius_mm * radius_mm;
    for p in punctures {
        let shape = (!p.is_disk()).then(|| Footprint::of(p, radius_mm));
        let b =
            shape.map(|f| f.bbox()).unwrap_or(Rect::new(p.x_mm - radius_mm, p.y_mm - radius_mm, p.x_mm + radius_mm, p.y_mm + radius_mm));
        let (a0, a1) = grid.cells_between(b.x0, b.x1);
        let (b0, b1) = grid.cells_between(b.y0, b.y1);
        for j in b0.max(j0)..=b1.min(j1) {
            for i in a0.max(i0)..=a1.min(i1) {
                let inside = match &shape {
                    None => {
                        let (dx, dy) = (grid.cell_center(i) - p.x_mm, grid.cell_center(j) - p.y_mm);
                        dx * dx + dy * dy <= r2
                    }
                    Some(f) => f.contains(Vec2::new(grid.cell_center(i), grid.cell_center(j))),
                };
                if inside {
                    counts[(j - j0) as usize * width + (i - i0) as usize] += 1;
                }
            }
        }
    }
    DenseGrid { i0, j0, width, height, counts }
}
