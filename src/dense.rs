//! The slow truth: a dense hit-count grid over one rectangle, one disk at a time.
//!
//! Used as the brute-force reference in tests, the baseline in benches and for zoomed
//! pictures of small windows. Same sampling rule as [`crate::grid`] (cell centre in disk).

use crate::geometry::Rect;
use crate::grid::GridSpec;
use crate::puncture::Puncture;

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
/// per disk with a distance test per cell).
pub fn dense_counts(punctures: &[Puncture], radius_mm: f64, window: &Rect, grid: &GridSpec) -> DenseGrid {
    let (i0, i1) = grid.cells_between(window.x0, window.x1);
    let (j0, j1) = grid.cells_between(window.y0, window.y1);
    let (width, height) = ((i1 - i0 + 1).max(0) as usize, (j1 - j0 + 1).max(0) as usize);
    let mut counts = vec![0u32; width * height];
    let r2 = radius_mm * radius_mm;
    for p in punctures {
        let (a0, a1) = grid.cells_between(p.x_mm - radius_mm, p.x_mm + radius_mm);
        let (b0, b1) = grid.cells_between(p.y_mm - radius_mm, p.y_mm + radius_mm);
        for j in b0.max(j0)..=b1.min(j1) {
            for i in a0.max(i0)..=a1.min(i1) {
                let (dx, dy) = (grid.cell_center(i) - p.x_mm, grid.cell_center(j) - p.y_mm);
                if dx * dx + dy * dy <= r2 {
                    counts[(j - j0) as usize * width + (i - i0) as usize] += 1;
                }
            }
        }
    }
    DenseGrid { i0, j0, width, height, counts }
}
