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
    /// Labels of a square block of `side × side` cells whose first cell is `(i0, j0)`, row
    /// by row into `out` (`side²` values): [`Domain::label_row`] per row unless the domain
    /// labels a block faster (a triangle mesh scans each triangle once per block).
    fn label_block(&self, grid: &GridSpec, j0: i64, i0: i64, side: usize, out: &mut [u16]) {
        for (r, row) in out.chunks_exact_mut(side).enumerate() {
            self.label_row(grid, j0 + r as i64, i0, row);
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

/// A domain restricted to the tiles some footprints touch: other tiles classify as outside,
/// so an accumulation of few footprints visits few tiles. Hit counts are exact; cell counts
/// cover only the touched tiles (take areas from another accumulation).
pub struct Touched<'a> {
    inner: &'a dyn Domain,
    grid: GridSpec,
    /// Tile window over the inner domain's bounds: first tile and size.
    ti0: i64,
    tj0: i64,
    nx: i64,
    ny: i64,
    touched: Vec<bool>,
}

impl<'a> Touched<'a> {
    /// The tiles of `grid` that the footprint boxes `boxes` (mm) touch.
    pub fn new(inner: &'a dyn Domain, grid: &GridSpec, boxes: impl IntoIterator<Item = Rect>) -> Self {
        let b = inner.bounds();
        let (ti0, tj0) = (grid.tile_of(b.x0), grid.tile_of(b.y0));
        let (nx, ny) = (grid.tile_of(b.x1) - ti0 + 1, grid.tile_of(b.y1) - tj0 + 1);
        let mut touched = vec![false; (nx * ny) as usize];
        for r in boxes {
            let (x0, x1) = ((grid.tile_of(r.x0) - ti0).max(0), (grid.tile_of(r.x1) - ti0).min(nx - 1));
            let (y0, y1) = ((grid.tile_of(r.y0) - tj0).max(0), (grid.tile_of(r.y1) - tj0).min(ny - 1));
            for y in y0..=y1 {
                for x in x0..=x1 {
                    touched[(y * nx + x) as usize] = true;
                }
            }
        }
        Touched { inner, grid: *grid, ti0, tj0, nx, ny, touched }
    }

    fn is_touched(&self, tile: &Rect) -> bool {
        let c = tile.center();
        let (x, y) = (self.grid.tile_of(c.x) - self.ti0, self.grid.tile_of(c.y) - self.tj0);
        x >= 0 && y >= 0 && x < self.nx && y < self.ny && self.touched[(y * self.nx + x) as usize]
    }
}

impl Domain for Touched<'_> {
    fn bounds(&self) -> Rect {
        self.inner.bounds()
    }
    fn label_count(&self) -> usize {
        self.inner.label_count()
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.inner.label_at(p)
    }
    fn area_mm2(&self, label: u16) -> f64 {
        self.inner.area_mm2(label)
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        if self.is_touched(tile) { self.inner.classify(tile) } else { TileClass::Outside }
    }
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        self.inner.label_row(grid, j, i0, out)
    }
    fn label_block(&self, grid: &GridSpec, j0: i64, i0: i64, side: usize, out: &mut [u16]) {
        self.inner.label_block(grid, j0, i0, side, out)
    }
}
