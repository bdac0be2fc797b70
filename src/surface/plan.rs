//! Passes on the surface: lanes laid out in the chart, spaced and stamped by skin length.
//!
//! **Model.** A pass over a group (region) uses the flat patch's lanes ([`lanes::lanes`]) over
//! the group's chart box, with the chart spacing chosen so neighbouring lanes are
//! `lane_spacing_mm` apart *on the skin*: across a lane of chart direction `d`, one chart mm
//! is `σ / |J d|` skin mm (σ = area element, `J d` the lane's skin tangent), so the chart
//! spacing is `lane_spacing × |J d| / σ`, averaged over the group's triangles weighted by
//! skin area (exact wherever the chart's stretch is uniform, e.g. a cylinder, a flat mesh).
//! Each lane is cut to where the cartridge centre may go: on a triangle of the group and
//! more than `margin_mm` (3D) from every no-go triangle, found by sampling every
//! [`SAMPLE_MM`] of chart and bisecting each boundary to 10⁻⁶ mm. Pieces are joined as on a
//! flat face region (serpentine: pen down when the straight move stays allowed; strokes:
//! pen lifted).
//!
//! **Stamps** fall every `speed / frequency` mm of **skin** along pen-down segments (skin
//! length summed triangle by triangle in chart steps of at most [`SAMPLE_MM`]), the first
//! where the pen touches down; stamp time = skin length so far / speed. The random pattern
//! drops as many stamps as the serpentine path makes, uniformly over the group's skin area
//! (a triangle drawn by skin area, a uniform point in it), rejecting centres not allowed.

use rand::{Rng, RngExt};

use crate::geometry::Vec2;
use crate::technique::lanes::{self, PassPlan, Pattern, Segment};

use super::chart::Chart;
use super::clearance::Clearance;

/// Chart sampling step along lanes, mm.
pub const SAMPLE_MM: f64 = 0.05;
/// Rejection sampling gives up after this many tries per wanted stamp.
const RANDOM_TRIES_PER_STAMP: usize = 1000;

/// A stamp on the surface: the cartridge centre in the chart, its triangle, its time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceStamp {
    pub center: Vec2,
    pub tri: u32,
    pub t_s: f64,
}

/// A chart step of a path ([`GroupPlanner::pieces`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Piece {
    /// Chart ends, mm.
    pub from: Vec2,
    pub to: Vec2,
    /// Triangle under the step (`None`: off the mesh).
    pub tri: Option<u32>,
    /// Skin length of the step, mm.
    pub skin_mm: f64,
    pub pen_down: bool,
}

/// Plans passes over one group of a chart.
pub struct GroupPlanner<'a> {
    pub chart: &'a Chart,
    pub group: u32,
    /// No-go triangles.
    pub no_go: &'a Clearance,
    /// Least 3D distance from the cartridge centre to a no-go triangle, mm.
    pub margin_mm: f64,
}

/// One pass over a group.
#[derive(Clone, Debug)]
pub struct GroupPass {
    pub stamps: Vec<SurfaceStamp>,
    pub segments: Vec<Segment>,
    /// Skin length pen down and pen up, mm.
    pub skin_mm: (f64, f64),
    /// Random pattern: stamps that found no allowed spot.
    pub unplaced: usize,
}

impl GroupPlanner<'_> {
    /// The triangle at `p` when the cartridge centre may be there.
    pub fn allows(&self, p: Vec2) -> Option<u32> {
        let t = self.chart.locate(p)?;
        let tri = &self.chart.tris[t as usize];
        (tri.group == self.group && self.no_go.clear(tri.to_skin(p), self.margin_mm)).then_some(t)
    }

    /// Triangles of the group.
    fn triangles(&self) -> impl Iterator<Item = (usize, &super::chart::TriMap)> {
        self.chart.tris.iter().enumerate().filter(move |(_, t)| t.group == self.group)
    }

    /// Chart box of the group, mm (`None`: the group has no triangle).
    pub fn bounds(&self) -> Option<crate::geometry::Rect> {
        self.triangles()
            .map(|(_, t)| t.bounds())
            .reduce(|a, b| crate::geometry::Rect::new(a.x0.min(b.x0), a.y0.min(b.y0), a.x1.max(b.x1), a.y1.max(b.y1)))
    }

    /// Chart spacing of lanes that are `plan.lane_spacing_mm` apart on the skin.
    pub fn chart_spacing_mm(&self, plan: &PassPlan) -> f64 {
        let d = crate::geometry::direction(plan.direction_deg);
        let (mut num, mut den) = (0.0, 0.0);
        for (_, t) in self.triangles() {
            let w = t.area_factor * area(&t.chart);
            num += w * t.skin_length(d) / t.area_factor;
            den += w;
        }
        plan.lane_spacing_mm * num / den
    }

    /// Allowed parameter intervals of `a + s·(b − a)/|b − a|` for `s` in `[0, |b − a|]`.
    fn intervals(&self, a: Vec2, b: Vec2) -> Vec<(f64, f64)> {
        let len = (b - a).norm();
        if len <= 0.0 {
            return Vec::new();
        }
        let u = (b - a) / len;
        let n = (len / SAMPLE_MM).ceil().max(1.0) as usize;
        let at = |k: usize| if k == n { len } else { k as f64 * len / n as f64 };
        let ok = |s: f64| self.allows(a + u * s).is_some();
        // Boundary between an allowed `s_in` and a refused `s_out`.
        let edge = |mut s_in: f64, mut s_out: f64| {
            for _ in 0..40 {
                let m = 0.5 * (s_in + s_out);
                if ok(m) {
                    s_in = m
                } else {
                    s_out = m
                }
                if (s_out - s_in).abs() < 1e-6 {
                    break;
                }
            }
            s_in
        };
        let mut out = Vec::new();
        let mut start: Option<f64> = None;
        let mut prev_ok = false;
        for k in 0..=n {
            let s = at(k);
            let here = ok(s);
            match (prev_ok, here) {
                (false, true) => start = Some(if k == 0 { s } else { edge(s, at(k - 1)) }),
                (true, false) => out.push((start.take().expect("open interval"), edge(at(k - 1), s))),
                _ => {}
            }
            prev_ok = here;
        }
        if let Some(s0) = start {
            out.push((s0, len));
        }
        out
    }

    /// The path of a pass (serpentine and strokes; random uses it only to count stamps).
    pub fn path(&self, plan: &PassPlan) -> Vec<Segment> {
        let Some(bounds) = self.bounds() else { return Vec::new() };
        let chart_plan = PassPlan { lane_spacing_mm: self.chart_spacing_mm(plan), ..plan.clone() };
        let mut pieces: Vec<(Vec2, Vec2)> = Vec::new();
        let mut k = 0;
        for (a, b) in lanes::lanes(&bounds, &chart_plan) {
            let len = (b - a).norm();
            let u = if len > 0.0 { (b - a) / len } else { Vec2::zeros() };
            let line: Vec<(Vec2, Vec2)> = self.intervals(a, b).into_iter().map(|(s0, s1)| (a + u * s0, a + u * s1)).collect();
            if line.is_empty() {
                continue;
            }
            if plan.pattern == Pattern::Strokes || k % 2 == 0 {
                pieces.extend(line);
            } else {
                pieces.extend(line.into_iter().rev().map(|(a, b)| (b, a)));
            }
            k += 1;
        }
        let mut out = Vec::with_capacity(2 * pieces.len());
        let mut at: Option<Vec2> = None;
        for (from, to) in pieces {
            if let Some(prev) = at {
                let straight = self.intervals(prev, from);
                let whole = (prev - from).norm() <= 1e-12
                    || (straight.len() == 1 && straight[0].0 <= 1e-9 && straight[0].1 >= (from - prev).norm() - 1e-9);
                out.push(Segment { from: prev, to: from, pen_down: plan.pattern != Pattern::Strokes && whole });
            }
            out.push(Segment { from, to, pen_down: true });
            at = Some(to);
        }
        out
    }

    /// The chart steps of `segments` that skin lengths are summed over: each segment cut
    /// into equal steps of at most [`SAMPLE_MM`] of chart, each with the triangle under it
    /// (its middle, else an end) and its skin length (its chart length off the mesh); a
    /// zero-length segment is one step of no length on the triangle under it. The one rule
    /// of "mm of skin along a path": the ideal stamps ([`Self::stamp_path`]) and the real
    /// hand's walk (`surface::walk`) both step through these.
    pub fn pieces(&self, segments: &[Segment]) -> Vec<Piece> {
        let mut out = Vec::new();
        for seg in segments {
            let d = seg.to - seg.from;
            let len = d.norm();
            if len == 0.0 {
                out.push(Piece { from: seg.from, to: seg.to, tri: self.chart.locate(seg.from), skin_mm: 0.0, pen_down: seg.pen_down });
                continue;
            }
            let n = (len / SAMPLE_MM).ceil().max(1.0) as usize;
            for k in 0..n {
                let (p, q) =
                    (seg.from + d * (k as f64 / n as f64), if k + 1 == n { seg.to } else { seg.from + d * ((k + 1) as f64 / n as f64) });
                let tri = self.chart.locate(0.5 * (p + q)).or_else(|| self.chart.locate(p)).or_else(|| self.chart.locate(q));
                let skin = tri.map_or((q - p).norm(), |t| self.chart.tris[t as usize].skin_length(q - p));
                out.push(Piece { from: p, to: q, tri, skin_mm: skin, pen_down: seg.pen_down });
            }
        }
        out
    }

    /// Stamps along `segments` every `speed / frequency` mm of skin (see the module doc);
    /// returns the stamps and the skin length pen down and pen up.
    pub fn stamp_path(&self, segments: &[Segment], speed_mm_s: f64, frequency_hz: f64) -> (Vec<SurfaceStamp>, (f64, f64)) {
        let step = speed_mm_s / frequency_hz;
        let mut stamps = Vec::new();
        let (mut s_total, mut next, mut was_down) = (0.0, 0.0, false);
        let (mut down, mut up) = (0.0, 0.0);
        for pc in self.pieces(segments) {
            if pc.pen_down && !was_down {
                next = s_total;
            }
            let skin = pc.skin_mm;
            if pc.pen_down {
                while next <= s_total + skin + 1e-9 {
                    if let Some(stamp) = self.stamp_on(&pc, next - s_total, next / speed_mm_s) {
                        stamps.push(stamp);
                    }
                    next += step;
                }
                down += skin;
            } else {
                up += skin;
            }
            s_total += skin;
            was_down = pc.pen_down;
        }
        (stamps, (down, up))
    }

    /// The stamp `along` skin mm into piece `pc` at `t_s` (`None`: off the mesh).
    pub fn stamp_on(&self, pc: &Piece, along: f64, t_s: f64) -> Option<SurfaceStamp> {
        let f = if pc.skin_mm > 0.0 { (along / pc.skin_mm).clamp(0.0, 1.0) } else { 0.0 };
        let c = pc.from + (pc.to - pc.from) * f;
        let tri = self.chart.locate(c).or(pc.tri)?;
        Some(SurfaceStamp { center: c, tri, t_s })
    }

    /// The stamping pattern's spots: along each lane of the serpentine path (its joins are
    /// not stamped), one every `step_mm` of skin from the lane's start (as the flat map's
    /// `patterns::stamping_spots`), each with its lane's chart direction.
    pub fn spots(&self, plan: &PassPlan, step_mm: f64) -> Vec<(SurfaceStamp, Vec2)> {
        let segments = self.path(&PassPlan { pattern: Pattern::Serpentine, ..plan.clone() });
        let mut out = Vec::new();
        // The path is lane, join, lane, join, …: the lanes are the even segments.
        for lane in segments.iter().step_by(2) {
            let d = lane.to - lane.from;
            let dir = if d.norm() > 0.0 { d / d.norm() } else { crate::geometry::direction(plan.direction_deg) };
            let (stamps, _) = self.stamp_path(&[Segment { pen_down: true, ..*lane }], step_mm, 1.0);
            out.extend(stamps.into_iter().map(|s| (s, dir)));
        }
        out
    }

    /// One pass: the path, its stamps (serpentine, strokes) or as many random stamps.
    pub fn plan_pass<R: Rng + ?Sized>(&self, plan: &PassPlan, frequency_hz: f64, rng: &mut R) -> GroupPass {
        let segments = self.path(plan);
        let (mut stamps, skin_mm) = self.stamp_path(&segments, plan.speed_mm_s, frequency_hz);
        let mut unplaced = 0;
        if plan.pattern == Pattern::Random {
            let n = stamps.len();
            stamps = self.random(n, frequency_hz, rng);
            unplaced = n - stamps.len();
        }
        GroupPass { stamps, segments, skin_mm, unplaced }
    }

    /// `n` stamps uniform over the group's skin (rejecting centres not allowed), one period
    /// apart in time.
    pub fn random<R: Rng + ?Sized>(&self, n: usize, frequency_hz: f64, rng: &mut R) -> Vec<SurfaceStamp> {
        let tris: Vec<usize> = self.triangles().map(|(k, _)| k).collect();
        let mut cum = Vec::with_capacity(tris.len());
        let mut acc = 0.0;
        for &k in &tris {
            let t = &self.chart.tris[k];
            acc += t.area_factor * area(&t.chart);
            cum.push(acc);
        }
        let mut out = Vec::with_capacity(n);
        let mut tries = 0;
        while out.len() < n && tries < n * RANDOM_TRIES_PER_STAMP && acc > 0.0 {
            tries += 1;
            let x = rng.random_range(0.0..acc);
            let k = tris[cum.partition_point(|&c| c <= x).min(tris.len() - 1)];
            let c = &self.chart.tris[k].chart;
            let (mut r1, mut r2): (f64, f64) = (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0));
            if r1 + r2 > 1.0 {
                (r1, r2) = (1.0 - r1, 1.0 - r2);
            }
            let p = c[0] + (c[1] - c[0]) * r1 + (c[2] - c[0]) * r2;
            if let Some(tri) = self.allows(p) {
                out.push(SurfaceStamp { center: p, tri, t_s: out.len() as f64 / frequency_hz });
            }
        }
        out
    }
}

/// Chart area of a triangle, mm².
pub fn area(c: &[Vec2; 3]) -> f64 {
    0.5 * (c[1] - c[0]).perp(&(c[2] - c[0])).abs()
}
