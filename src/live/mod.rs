//! Live sessions: a trainer draws strokes with a real pen setting and watches punctures and
//! coverage build up (the core of `needlesim serve`; no IO, no file format).
//!
//! - [`LiveMap`]: the treated area (any [`Domain`]: the flat patch, a face map), its label
//!   names, optional no-go zones, and the live grid with its empty-domain baseline, built
//!   once and shared by every session on it.
//! - [`accumulator`]: exact incremental tallies, recomputing only the tiles a stroke touches.
//! - [`session`]: strokes (timed pointer samples → stamps at the pen's frequency, see
//!   [`crate::technique::firing`]), passes, undo, pen settings, and the live figures and warnings.
//!
//! **The live grid.** Figures shown while drawing come from a grid of
//! [`LIVE_RESOLUTION_MM`] (9 cells across the 0.18 mm needle), coarsened for a large map so
//! that its bounds hold at most [`LIVE_MAX_CELLS`] cells (the default face with neck and
//! décolleté: 0.06 mm).
//! Centre sampling is unbiased over random positions; its spread per hole is about ±3 % at
//! 0.02 mm, ±15 % at 0.05 mm and roughly ±20 % at 0.06 mm (see [`crate::raster::grid`]), which averages out over the
//! thousands of holes of a stroke. The accumulator keeps each touched tile's cells (5 bytes
//! per cell and layer), so a batch costs only its own punctures. The exact figures at the
//! scenario's own resolution are computed by the core on export.
//!
//! **The treated-zone layer** (needle + halo) is measured on its own grid, [`zone_grid`]:
//! as coarse as keeps [`MIN_CELLS_PER_RADIUS`] cells across its radius — the needle hole's
//! ratio on the 0.02 mm grid (0.09 / 0.02) — so its relative sampling error per footprint is
//! no worse than the hole's, and a 0.2 mm halo costs about as much as the hole instead of
//! (0.29 / 0.09)² ≈ 10× more.

pub mod accumulator;
pub mod run;
pub mod session;
pub mod surface;

use std::sync::{Arc, Mutex};

use crate::face::FaceMap;
use crate::geometry::{Rect, Vec2};
use crate::raster::accumulate::Tally;
use crate::raster::domain::{Domain, RectDomain};
use crate::raster::grid::GridSpec;

pub use accumulator::{LayerSpec, LiveAccumulator};
pub use session::{LiveMetrics, LiveSession, PenSettings, SessionLimits, StrokeRecord};

/// Finest cell side of the live grid, mm (see the module doc).
pub const LIVE_RESOLUTION_MM: f64 = 0.02;
/// Most cells the live grid may have over a map's bounds (bounds the memory of a session:
/// 5 bytes per cell and footprint layer when every tile is touched).
pub const LIVE_MAX_CELLS: f64 = 25.0e6;

/// The live grid for a map with bounds `b`: [`LIVE_RESOLUTION_MM`], or coarser (in 0.005 mm
/// steps) so that the bounds hold at most [`LIVE_MAX_CELLS`] cells.
pub fn live_grid(b: Rect) -> GridSpec {
    let h = (b.area() / LIVE_MAX_CELLS).sqrt().max(LIVE_RESOLUTION_MM);
    GridSpec::new((h / 0.005).ceil() * 0.005).expect("the live grid is at least LIVE_RESOLUTION_MM")
}
/// Least cells across a footprint radius on a layer's grid (the 0.09 mm needle on the
/// 0.02 mm grid).
pub const MIN_CELLS_PER_RADIUS: f64 = 4.5;

/// The grid of a footprint layer of radius `radius_mm` over a map whose live grid is
/// `live`: the coarsest multiple of 0.005 mm with at least [`MIN_CELLS_PER_RADIUS`] cells
/// across the radius, never finer than `live`.
pub fn zone_grid(live: GridSpec, radius_mm: f64) -> GridSpec {
    let h = ((radius_mm / MIN_CELLS_PER_RADIUS) / 0.005 + 1e-9).floor() * 5.0 / 1000.0;
    if h > live.resolution_mm { GridSpec::new(h).expect("coarser than the live grid, so positive") } else { live }
}

/// Passes a live session can tell apart (pass 0 … 7; one bit of a cell's mask each). More
/// than the sources' 3–4, so the "> 4 passes on a spot" warning can fire.
pub const LIVE_PASSES: usize = 8;

/// A session limit exceeded: `would_be` of `what` against `limit`; `hint` says what the
/// trainer can do (the flat and 3D sessions offer different undo tools).
pub(crate) fn too_many(what: &str, would_be: usize, limit: usize, hint: &str) -> crate::error::Error {
    crate::error::Error::TooLarge {
        what: "this session".into(),
        needed: format!("{would_be} {what}"),
        limit: format!("{limit} {what} per session"),
        hint: hint.into(),
    }
}

/// The stroke rules of every live session (flat map and 3D face): a pass below
/// [`LIVE_PASSES`]; stroke `id` continues the open stroke when it is the last stored one
/// (`last` = its id and pass; `open`: not ended), in the same pass; a new stroke takes an id
/// above the last and may not exceed `max_strokes` (refused with `hint`). `Ok(true)`:
/// continuing.
pub(crate) fn stroke_continues(
    last: Option<(u64, u16)>,
    open: bool,
    stored: usize,
    max_strokes: usize,
    (id, pass): (u64, u16),
    hint: &str,
) -> crate::error::Result<bool> {
    use crate::error::Error;
    if pass as usize >= LIVE_PASSES {
        return Err(Error::invalid("pass", pass, format!("0–{}", LIVE_PASSES - 1)));
    }
    match last {
        Some((last_id, last_pass)) if open && last_id == id => {
            if last_pass != pass {
                return Err(Error::invalid("pass", pass, format!("the pass of stroke {id} ({last_pass}); a stroke stays in one pass")));
            }
            Ok(true)
        }
        _ => {
            if let Some((last_id, _)) = last
                && id <= last_id
            {
                return Err(Error::invalid("stroke", id, format!("a new stroke id above {last_id} (stroke {id} has ended)")));
            }
            if stored >= max_strokes {
                return Err(too_many("strokes", stored + 1, max_strokes, hint));
            }
            Ok(false)
        }
    }
}

/// Zones that must never be needled (eyes, lips, nostrils on a face).
pub trait NoGo: Send + Sync {
    /// Names of the zones; indices are zone numbers.
    fn zone_names(&self) -> Vec<String>;
    /// The zone a needle footprint of radius `r_mm` at `p` touches, if any.
    fn zone_touched(&self, p: Vec2, r_mm: f64) -> Option<usize>;
}

/// A face map's no-go zones: a needle footprint touching an eye, the lips or a nostril.
impl NoGo for FaceMap {
    fn zone_names(&self) -> Vec<String> {
        self.no_go_names().to_vec()
    }
    fn zone_touched(&self, p: Vec2, r_mm: f64) -> Option<usize> {
        self.no_go_meeting_disk(p, r_mm)
    }
}

/// The area a live session treats, with its live grid.
pub struct LiveMap {
    /// Shown to the user (e.g. "patch 40 × 30 mm", "default face").
    pub name: String,
    pub domain: Arc<dyn Domain + Send + Sync>,
    /// One name per domain label.
    pub label_names: Vec<String>,
    pub no_go: Option<Arc<dyn NoGo>>,
    /// The face map when the domain is one (its polygons, names and label anchors are drawn
    /// by the page); `None` for the flat patch.
    pub face: Option<Arc<FaceMap>>,
    pub grid: GridSpec,
    /// Tallies of the empty domain with [`LIVE_PASSES`] passes, per grid (`grid`'s first,
    /// others as sessions ask for them), shared by every session.
    baselines: Mutex<Vec<(GridSpec, Arc<Vec<Tally>>)>>,
}

impl LiveMap {
    /// A map over `domain` (labels named by `label_names`) on the live grid.
    pub fn new(
        name: impl Into<String>,
        domain: Arc<dyn Domain + Send + Sync>,
        label_names: Vec<String>,
        no_go: Option<Arc<dyn NoGo>>,
    ) -> Self {
        let grid = live_grid(domain.bounds());
        Self::with_grid(name, domain, label_names, no_go, grid)
    }

    /// As [`new`](Self::new) on another grid (benches and tests compare grids).
    pub fn with_grid(
        name: impl Into<String>,
        domain: Arc<dyn Domain + Send + Sync>,
        label_names: Vec<String>,
        no_go: Option<Arc<dyn NoGo>>,
        grid: GridSpec,
    ) -> Self {
        assert_eq!(label_names.len(), domain.label_count(), "one name per label");
        let baseline = Arc::new(accumulator::baseline(domain.as_ref(), grid, LIVE_PASSES));
        LiveMap { name: name.into(), domain, label_names, no_go, face: None, grid, baselines: Mutex::new(vec![(grid, baseline)]) }
    }

    /// Tallies of the empty domain on `grid` (computed once per grid, then shared).
    pub fn baseline(&self, grid: GridSpec) -> Arc<Vec<Tally>> {
        let mut cache = self.baselines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, b)) = cache.iter().find(|(g, _)| *g == grid) {
            return b.clone();
        }
        let b = Arc::new(accumulator::baseline(self.domain.as_ref(), grid, LIVE_PASSES));
        cache.push((grid, b.clone()));
        b
    }

    /// The footprint layers of a session with needle radius `needle_radius_mm` and halo
    /// `halo_mm`: the hole on the live grid, and the treated zone (when there is a halo) on
    /// its [`zone_grid`].
    pub fn layers(&self, needle_radius_mm: f64, halo_mm: f64) -> Vec<LayerSpec> {
        let layer = |grid: GridSpec, radius_mm: f64| LayerSpec { grid, radius_mm, baseline: self.baseline(grid) };
        let mut out = vec![layer(self.grid, needle_radius_mm)];
        if halo_mm > 0.0 {
            let r = needle_radius_mm + halo_mm;
            out.push(layer(zone_grid(self.grid, r), r));
        }
        out
    }

    /// A face map: its regions are the labels (named as in the map), its no-go zones (eyes,
    /// lips, nostrils) feed the no-go warning.
    pub fn face(map: Arc<FaceMap>) -> Self {
        let names = map.regions().iter().map(|r| r.name.clone()).collect();
        let title = format!("face map {:?}", map.name());
        let no_go: Option<Arc<dyn NoGo>> = (!map.no_go_names().is_empty()).then(|| map.clone() as Arc<dyn NoGo>);
        let mut live = Self::new(title, map.clone(), names, no_go);
        live.face = Some(map);
        live
    }

    /// The flat patch `rect`, one label named "patch", no no-go zone.
    pub fn patch(rect: Rect) -> Self {
        let name = format!("patch {} × {} mm", rect.width(), rect.height());
        Self::new(name, Arc::new(RectDomain(rect)), vec!["patch".into()], None)
    }

    pub fn bounds(&self) -> Rect {
        self.domain.bounds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_grid_is_fine_on_a_patch_and_bounded_on_a_face() {
        assert_eq!(live_grid(Rect::new(0.0, 0.0, 40.0, 30.0)).resolution_mm, LIVE_RESOLUTION_MM);
        let face = Rect::new(-80.0, -150.0, 80.0, 130.0);
        let g = live_grid(face);
        assert!(face.area() / (g.resolution_mm * g.resolution_mm) <= LIVE_MAX_CELLS);
        assert!(g.resolution_mm <= 0.05 + 1e-12, "{}", g.resolution_mm);
    }

    #[test]
    fn a_zone_grid_is_the_coarsest_that_keeps_the_needle_holes_cells_per_radius() {
        let live = GridSpec::new(LIVE_RESOLUTION_MM).unwrap();
        assert_eq!(zone_grid(live, 0.09), live, "the hole itself stays on the live grid");
        assert_eq!(zone_grid(live, 0.1), live);
        for r in [0.12, 0.19, 0.29, 0.59, 1.09] {
            let g = zone_grid(live, r);
            let h = g.resolution_mm;
            assert!(r / h >= MIN_CELLS_PER_RADIUS - 1e-9, "r {r}: h {h}");
            assert!(r / (h + 0.005) < MIN_CELLS_PER_RADIUS || h == LIVE_RESOLUTION_MM, "r {r}: h {h} is the coarsest");
        }
        // A coarse live grid (a whole face) is never refined.
        let face = GridSpec::new(0.05).unwrap();
        assert_eq!(zone_grid(face, 0.19), face);
        assert_eq!(zone_grid(face, 0.29).resolution_mm, 0.06);
    }

    #[test]
    fn the_default_face_serves_its_regions_and_no_go_zones() {
        let face = Arc::new(crate::face::default_face().unwrap());
        let live = LiveMap::face(face.clone());
        assert_eq!(live.label_names.len(), face.regions().len());
        assert_eq!(live.bounds(), face.bounds());
        let ng = live.no_go.as_ref().expect("the default face has no-go zones");
        assert_eq!(ng.zone_names(), face.no_go_names());
        // A footprint at a label anchor is inside its region, away from every no-go zone;
        // one at a no-go polygon's vertex touches that zone.
        for l in 0..face.regions().len() as u16 {
            assert_eq!(ng.zone_touched(face.label_anchor(l), 0.09), None, "{}", live.label_names[l as usize]);
        }
        for (k, poly) in face.no_go_polygons().unwrap().iter().enumerate() {
            assert_eq!(ng.zone_touched(poly.vertices()[0], 0.09), Some(k));
        }
    }
}
