//! Domains: the treated area over which coverage is measured, split into labelled parts.
//!
//! A domain answers "which label is the skin at this point?" (`None` = not measured). The
//! flat patch of the core is one rectangle with one label; face maps (regions) implement the
//! same trait with one label per region. The accumulator asks `classify` per tile first so
//! that whole tiles inside one label skip the per-cell test.

use crate::geometry::{Rect, Vec2};
use crate::raster::grid::GridSpec;

/// The label of an unmeasured cell in label rows.
pub const NO_LABEL: u16 = u16::MAX;

/// How a tile relates to a domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TileClass {
    /// No cell of the tile is measured.
    Outside,
    /// Every cell of the tile carries this label.
    Inside(u16),
    /// Ask per cell.
    Mixed,
}

pub trait Domain: Sync {
    /// Rectangle holding every measured point, mm.
    fn bounds(&self) -> Rect;
    /// Number of labels; labels are `0..label_count()`.
    fn label_count(&self) -> usize;
    /// Label of the skin at `p`, or `None` when `p` is not measured.
    fn label_at(&self, p: Vec2) -> Option<u16>;
    /// Exact area of a label, mm² (the grid's sampled area is compared with it).
    fn area_mm2(&self, label: u16) -> f64;
    /// Classify a tile; `Mixed` is always a correct (slower) answer.
    fn classify(&self, tile: &Rect) -> TileClass {
        let _ = tile;
        TileClass::Mixed
    }
    /// Labels of the cell centres of grid row `j`, cells `i0 .. i0 + out.len()`, into `out`
    /// ([`NO_LABEL`] = not measured). Must agree with `label_at` at every cell centre;
    /// domains with a faster row scan (polygon maps) override it.
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        let y = grid.cell_center(j);
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.label_at(Vec2::new(grid.cell_center(i0 + k as i64), y)).unwrap_or(NO_LABEL);
        }
    }
}

/// A rectangular patch with one label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RectDomain(pub Rect);

impl Domain for RectDomain {
    fn bounds(&self) -> Rect {
        self.0
    }
    fn label_count(&self) -> usize {
        1
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.0.contains(p.x, p.y).then_some(0)
    }
    fn area_mm2(&self, _label: u16) -> f64 {
        self.0.area()
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        if self.0.contains_rect(tile) {
            TileClass::Inside(0)
        } else if self.0.intersects(tile) {
            TileClass::Mixed
        } else {
            TileClass::Outside
        }
    }
}
