//! Coverage below the surface: accumulations of the punctures that reach a depth level.
//!
//! A puncture reaches a level when its real depth is at least the level's depth in the skin
//! of the region under its centre (or, when its centre is in no region, of the region its
//! treatment aimed at). When every puncture reaches, the surface figures apply and nothing
//! is accumulated; otherwise only the tiles the reaching disks touch are visited
//! ([`Touched`]), so a level few punctures reach costs little.

use std::collections::HashSet;

use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::Footprint;
use crate::needle::puncture::Puncture;
use crate::needle::skin::Level;
use crate::raster::accumulate::{self, Request, Tally};
use crate::raster::domain::{Domain, NO_LABEL, TileClass};
use crate::raster::grid::GridSpec;

use super::FaceMap;

/// Hits at a depth level.
pub enum LevelHits {
    /// Every puncture reaches the level: the surface tallies apply.
    AllReach,
    /// Tallies of the punctures that reach it (possibly none).
    Tallies(Vec<Tally>),
}

/// What [`level_hits`] works from.
pub struct LevelInputs<'a> {
    pub map: &'a FaceMap,
    pub punctures: &'a [Puncture],
    /// Region under each centre ([`NO_LABEL`]: none).
    pub landed: &'a [u16],
    /// Region each puncture's treatment aimed at.
    pub aimed: &'a [u16],
    pub real_depth_mm: &'a [f64],
    pub grid: GridSpec,
    pub radius_mm: f64,
    pub passes: usize,
}

/// Hits of the punctures that reach `level`.
pub fn level_hits(inp: &LevelInputs, level: Level) -> LevelHits {
    let skin = |i: usize| inp.map.region(if inp.landed[i] != NO_LABEL { inp.landed[i] } else { inp.aimed[i] }).skin;
    let reaches = |i: &usize| inp.real_depth_mm[*i] >= skin(*i).level_mm(level);
    let n = inp.punctures.len();
    if (0..n).all(|i| reaches(&i)) {
        return LevelHits::AllReach;
    }
    let pts: Vec<Puncture> = (0..n).filter(reaches).map(|i| inp.punctures[i]).collect();
    let touched = Touched::new(inp.map, &inp.grid, &pts, inp.radius_mm);
    LevelHits::Tallies(
        accumulate::accumulate(
            &pts,
            &Request {
                grid: inp.grid,
                radius_mm: inp.radius_mm,
                passes: inp.passes,
                picture_cells: None,
                domain: &touched,
                layers: Default::default(),
            },
        )
        .tallies,
    )
}

/// A domain restricted to the tiles some disks touch: other tiles classify as outside.
/// Cell counts of the result cover only those tiles (take areas from another accumulation).
pub struct Touched<'a> {
    inner: &'a dyn Domain,
    grid: GridSpec,
    tiles: HashSet<(i64, i64)>,
}

impl<'a> Touched<'a> {
    /// The tiles the footprints (radius `r_mm`, with their tilt and drag) of `punctures` touch.
    pub fn new(inner: &'a dyn Domain, grid: &GridSpec, punctures: &[Puncture], r_mm: f64) -> Self {
        let mut tiles = HashSet::new();
        for p in punctures {
            let b = if p.is_disk() {
                Rect::new(p.x_mm - r_mm, p.y_mm - r_mm, p.x_mm + r_mm, p.y_mm + r_mm)
            } else {
                Footprint::of(p, r_mm).bbox()
            };
            for tj in grid.tile_of(b.y0)..=grid.tile_of(b.y1) {
                for ti in grid.tile_of(b.x0)..=grid.tile_of(b.x1) {
                    tiles.insert((ti, tj));
                }
            }
        }
        Touched { inner, grid: *grid, tiles }
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
        let c = tile.center();
        if self.tiles.contains(&(self.grid.tile_of(c.x), self.grid.tile_of(c.y))) { self.inner.classify(tile) } else { TileClass::Outside }
    }
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        self.inner.label_row(grid, j, i0, out)
    }
}
