//! Coverage below the surface: accumulations of the punctures that reach a depth level.
//!
//! A puncture reaches a level when its real depth is at least the level's depth in the skin
//! of the region under its centre (or, when its centre is in no region, of the region its
//! treatment aimed at). When every puncture reaches, the surface figures apply and nothing
//! is accumulated; otherwise only the tiles the reaching disks touch are visited
//! ([`Touched`]), so a level few punctures reach costs little.

use crate::needle::footprint;
use crate::needle::puncture::Puncture;
use crate::needle::skin::Level;
use crate::raster::accumulate::{self, Request, Tally};
use crate::raster::domain::{NO_LABEL, Touched};
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
    let touched = Touched::new(inp.map, &inp.grid, pts.iter().map(|p| footprint::bbox(p, None, inp.radius_mm)));
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
