//! Passes over one face region: lanes clipped to the region and kept away from no-go zones.
//!
//! **Model.** The lanes of a pass are those of the flat patch ([`lanes::lanes`]) over the
//! region's bounding box: parallel lines along the pass direction, one lane spacing apart,
//! centred on the box. Each line is then cut to where the cartridge *centre* may go: inside
//! the region and at least `margin_mm` from every no-go zone (exactly, for polygon maps: the
//! no-go polygon grown by a disk of that radius; conservatively by up to √2 pixels for
//! painted maps). With `margin_mm` ≥ the cartridge's footprint radius no needle can touch a
//! no-go zone. Needles still overhang the region's own edges by up to that radius, as on
//! the patch.
//!
//! A line over a non-convex region (or past a no-go zone) may give several pieces. Patterns:
//! - **serpentine**: pieces in order, every other line reversed; two pieces are joined with
//!   the pen down when the straight move between them stays where the centre may go (a
//!   turn at the region's edge), otherwise the pen is lifted (travel only, no stamps).
//! - **strokes**: every piece in the pass direction, the pen lifted in between.
//! - **random**: as many stamps as the serpentine path makes, dropped uniformly at random
//!   where the centre may go (rejection sampling in the region's box, the pass's stream).

use rand::{Rng, RngExt};

use crate::geometry::interval;
use crate::geometry::{Rect, Vec2};
use crate::technique::lanes::{self, PassPlan, Pattern, Segment, Stamp};

use super::{FaceMap, Shape};

/// One entry of the plan: passes over one region at one set depth.
#[derive(Clone, Debug, PartialEq)]
pub struct Treatment {
    /// Region label in the map.
    pub region: u16,
    /// Set needle depth, mm.
    pub depth_mm: f64,
    pub passes: Vec<PassPlan>,
    /// Session pass number of its first pass; `None` (a planned session) continues the
    /// region's numbering after its earlier treatments. A live session's strokes give it.
    pub first_pass: Option<usize>,
}

/// First session pass of each treatment, and the passes over each of `regions` regions:
/// pass numbers count per region (a treatment without `first_pass` continues its region's
/// numbering after the earlier treatments).
pub fn pass_numbers(treatments: &[Treatment], regions: usize) -> (Vec<usize>, Vec<usize>) {
    let mut per_region = vec![0usize; regions];
    let first = treatments
        .iter()
        .map(|t| {
            let r = t.region as usize;
            let f = t.first_pass.unwrap_or(per_region[r]);
            per_region[r] = per_region[r].max(f + t.passes.len());
            f
        })
        .collect();
    (first, per_region)
}

/// Rejection sampling gives up after this many tries per wanted stamp (a region whose
/// allowed part is a sliver of its box).
const RANDOM_TRIES_PER_STAMP: usize = 1000;

/// Plans passes over the regions of one map with one no-go margin.
pub struct RegionPlanner<'a> {
    pub map: &'a FaceMap,
    /// Least distance from the cartridge centre to any no-go zone, mm.
    pub margin_mm: f64,
}

/// One pass over one region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionPass {
    pub stamps: Vec<Stamp>,
    pub segments: Vec<Segment>,
    /// Random pattern only: stamps that could not be placed (no allowed spot found).
    pub unplaced: usize,
}

impl RegionPlanner<'_> {
    /// Parameter intervals of `p + t·u` within `[t0, t1]` where the centre may go.
    pub fn lane_intervals(&self, label: u16, p: Vec2, u: Vec2, t0: f64, t1: f64) -> Vec<(f64, f64)> {
        match self.map.shape() {
            Shape::Polygons(s) => s.lane_intervals(label as usize, self.margin_mm, p, u, t0, t1),
            Shape::Raster(r) => r.lane_intervals(label as usize, self.margin_mm, p, u, t0, t1),
        }
    }

    /// May the cartridge centre be at `p` when treating `label`?
    pub fn allows(&self, label: u16, p: Vec2) -> bool {
        match self.map.shape() {
            Shape::Polygons(s) => s.allows(label as usize, self.margin_mm, p),
            Shape::Raster(r) => r.allows(label as usize, self.margin_mm, p),
        }
    }

    /// Lane pieces of a pass, line by line (lines across the pass direction in order, pieces
    /// along it), each piece `(from, to)` in the pass direction.
    pub fn lane_pieces(&self, label: u16, plan: &PassPlan) -> Vec<Vec<(Vec2, Vec2)>> {
        let bounds = self.map.region_bounds(label);
        lanes::lanes(&bounds, plan)
            .into_iter()
            .filter_map(|(a, b)| {
                let len = (b - a).norm();
                if len <= 0.0 {
                    return None;
                }
                let u = (b - a) / len;
                let pieces: Vec<(Vec2, Vec2)> =
                    self.lane_intervals(label, a, u, 0.0, len).into_iter().map(|(t0, t1)| (a + u * t0, a + u * t1)).collect();
                (!pieces.is_empty()).then_some(pieces)
            })
            .collect()
    }

    /// Does the straight move `from → to` stay where the centre may go?
    fn move_allowed(&self, label: u16, from: Vec2, to: Vec2) -> bool {
        let len = (to - from).norm();
        if len <= 1e-12 {
            return true;
        }
        let u = (to - from) / len;
        interval::covers(&self.lane_intervals(label, from, u, 0.0, len), 0.0, len, 1e-9)
    }

    /// The path of a pass over a region (serpentine and strokes; random uses the serpentine
    /// path only to count stamps).
    pub fn path(&self, label: u16, plan: &PassPlan) -> Vec<Segment> {
        let lines = self.lane_pieces(label, plan);
        let mut pieces: Vec<(Vec2, Vec2)> = Vec::new();
        for (k, line) in lines.into_iter().enumerate() {
            if plan.pattern == Pattern::Strokes || k % 2 == 0 {
                pieces.extend(line);
            } else {
                pieces.extend(line.into_iter().rev().map(|(a, b)| (b, a)));
            }
        }
        let mut out = Vec::with_capacity(2 * pieces.len());
        let mut at: Option<Vec2> = None;
        for (from, to) in pieces {
            if let Some(prev) = at {
                let pen_down = plan.pattern != Pattern::Strokes && self.move_allowed(label, prev, from);
                out.push(Segment { from: prev, to: from, pen_down });
            }
            out.push(Segment { from, to, pen_down: true });
            at = Some(to);
        }
        out
    }

    /// Stamps of one pass over a region; `rng` is the pass's own stream (random pattern).
    pub fn plan_pass<R: Rng + ?Sized>(&self, label: u16, plan: &PassPlan, frequency_hz: f64, rng: &mut R) -> RegionPass {
        self.stamp_pass(label, plan, self.path(label, plan), frequency_hz, rng)
    }

    /// Stamps along a pass's `segments` (from [`RegionPlanner::path`]).
    pub fn stamp_pass<R: Rng + ?Sized>(
        &self,
        label: u16,
        plan: &PassPlan,
        segments: Vec<Segment>,
        frequency_hz: f64,
        rng: &mut R,
    ) -> RegionPass {
        let mut stamps = lanes::stamp_path(&segments, plan.speed_mm_s, frequency_hz);
        let mut unplaced = 0;
        if plan.pattern == Pattern::Random {
            let n = stamps.len();
            stamps.clear();
            let b: Rect = self.map.region_bounds(label);
            let mut tries = 0usize;
            while stamps.len() < n && tries < n * RANDOM_TRIES_PER_STAMP {
                tries += 1;
                let p = Vec2::new(rng.random_range(b.x0..b.x1), rng.random_range(b.y0..b.y1));
                if self.allows(label, p) {
                    stamps.push(Stamp { center_mm: p, t_s: stamps.len() as f64 / frequency_hz });
                }
            }
            unplaced = n - stamps.len();
        }
        RegionPass { stamps, segments, unplaced }
    }
}
