//! Motion: the path of the cartridge centre over the treated area, and the stamps on it.
//!
//! **Model.** The pen moves at a constant `speed_mm_s` and fires once every `1 / frequency_hz`
//! seconds, so consecutive stamps on a path are `speed_mm_s / frequency_hz` mm apart along
//! its arc length; the first stamp is at the start of the path. Lanes run along the pass
//! direction, `lane_spacing_mm` apart across it, centred on the area and clipped to it:
//!
//! - **serpentine** (boustrophedon): one continuous path, lanes joined end to end by the
//!   short move across; the pen keeps stamping on the turns, as a practitioner's does.
//! - **strokes**: every lane in the same direction; the pen is lifted between strokes
//!   (no stamps while it returns, which takes the return distance at the same speed).
//! - **random**: as many stamps as the serpentine path would make, dropped uniformly at
//!   random over the area (a Boolean-model reference; uses the pass's random stream).
//! - **circles** and **stamping**: see [`crate::technique::patterns`]; **trace**: a recorded
//!   trajectory replayed ([`crate::technique::trajectory`], stamped by [`crate::technique::walk`], not here).
//!
//! Assumptions: the hand is ideal (no speed variation, tremor or tilt); the cartridge centre
//! follows the lane centre line exactly. A real hand is [`crate::technique::hand`] + [`crate::technique::walk`].

use rand::{Rng, RngExt};

use crate::geometry::{Rect, Vec2, direction, rotate};
pub use crate::needle::stamp::Stamp;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    Serpentine,
    Strokes,
    Random,
    /// Small circles of `radius_mm` whose centre advances `advance_mm` per turn along
    /// serpentine lanes (both positive).
    Circles {
        radius_mm: f64,
        advance_mm: f64,
    },
    /// Stamping in place: `stamps_per_spot` firings per spot (≥ 1), spots `step_mm` apart
    /// along serpentine lanes, the pen lifted between spots.
    Stamping {
        step_mm: f64,
        stamps_per_spot: u32,
    },
    /// Replay of the simulation's recorded trajectory.
    Trace,
}

impl Pattern {
    pub const NAMES: [&'static str; 6] = ["serpentine", "strokes", "random", "circles", "stamping", "trace"];

    /// The pattern of a name, with the default parameters of circles and stamping.
    pub fn parse(s: &str) -> Option<Self> {
        use crate::technique::patterns::{DEFAULT_CIRCLE_ADVANCE_MM, DEFAULT_CIRCLE_RADIUS_MM, DEFAULT_STAMP_STEP_MM};
        match s {
            "serpentine" => Some(Pattern::Serpentine),
            "strokes" => Some(Pattern::Strokes),
            "random" => Some(Pattern::Random),
            "circles" => Some(Pattern::Circles { radius_mm: DEFAULT_CIRCLE_RADIUS_MM, advance_mm: DEFAULT_CIRCLE_ADVANCE_MM }),
            "stamping" => Some(Pattern::Stamping { step_mm: DEFAULT_STAMP_STEP_MM, stamps_per_spot: 1 }),
            "trace" => Some(Pattern::Trace),
            _ => None,
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Pattern::Serpentine => "serpentine",
            Pattern::Strokes => "strokes",
            Pattern::Random => "random",
            Pattern::Circles { .. } => "circles",
            Pattern::Stamping { .. } => "stamping",
            Pattern::Trace => "trace",
        }
    }
}

/// How one pass moves over the area.
#[derive(Clone, Debug, PartialEq)]
pub struct PassPlan {
    /// Lane direction, degrees counter-clockwise from +x.
    pub direction_deg: f64,
    pub pattern: Pattern,
    /// Hand speed along the path, mm/s. Positive.
    pub speed_mm_s: f64,
    /// Distance between lane centre lines, mm. Positive.
    pub lane_spacing_mm: f64,
    /// Shift of every lane across the motion, mm (0 = lanes centred on the area).
    pub lane_offset_mm: f64,
}

/// A straight piece of path. `pen_down` pieces are stamped; others are travel only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub from: Vec2,
    pub to: Vec2,
    pub pen_down: bool,
}

/// The lanes of a pass over `area`: centre-line segments in travel order.
pub fn lanes(area: &Rect, plan: &PassPlan) -> Vec<(Vec2, Vec2)> {
    let u = direction(plan.direction_deg);
    let v = rotate(u, 90.0);
    let c = area.center();
    let (vmin, vmax) =
        area.corners().iter().map(|p| (p - c).dot(&v)).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| (lo.min(s), hi.max(s)));
    let extent = vmax - vmin;
    let w = plan.lane_spacing_mm;
    let n = ((extent / w) - 1e-9).ceil().max(1.0) as usize;
    let first = vmin + 0.5 * (extent - n as f64 * w) + 0.5 * w + plan.lane_offset_mm;
    (0..n)
        .filter_map(|k| {
            let p = c + v * (first + k as f64 * w);
            area.clip_line(p, u).map(|(t0, t1)| (p + u * t0, p + u * t1))
        })
        .collect()
}

/// The path of a pass as segments (serpentine, strokes and circles; random stamps off a
/// path, stamping travels pen up between spots, a trace has no planned path).
pub fn path(area: &Rect, plan: &PassPlan) -> Vec<Segment> {
    match plan.pattern {
        Pattern::Circles { radius_mm, advance_mm } => return crate::technique::patterns::circles_path(area, plan, radius_mm, advance_mm),
        Pattern::Stamping { step_mm, .. } => return stamping_travel(area, plan, step_mm),
        Pattern::Trace => return Vec::new(),
        _ => {}
    }
    let lanes = lanes(area, plan);
    let mut out = Vec::with_capacity(2 * lanes.len());
    let mut at: Option<Vec2> = None;
    for (k, (a, b)) in lanes.into_iter().enumerate() {
        let (from, to) = match plan.pattern {
            Pattern::Serpentine if k % 2 == 1 => (b, a),
            _ => (a, b),
        };
        if let Some(prev) = at {
            out.push(Segment { from: prev, to: from, pen_down: plan.pattern == Pattern::Serpentine });
        }
        out.push(Segment { from, to, pen_down: true });
        at = Some(to);
    }
    out
}

/// Stamping's travel from spot to spot, pen up (zero-length pen-down pieces mark the spots).
fn stamping_travel(area: &Rect, plan: &PassPlan, step_mm: f64) -> Vec<Segment> {
    let spots = crate::technique::patterns::stamping_spots(area, plan, step_mm);
    let mut out = Vec::with_capacity(2 * spots.len());
    for (k, s) in spots.iter().enumerate() {
        if k > 0 {
            out.push(Segment { from: spots[k - 1].at_mm, to: s.at_mm, pen_down: false });
        }
        out.push(Segment { from: s.at_mm, to: s.at_mm, pen_down: true });
    }
    out
}

/// Total path length of a pass, mm, split into (stamped, travel-only).
pub fn path_length_mm(segments: &[Segment]) -> (f64, f64) {
    segments.iter().fold((0.0, 0.0), |(down, up), s| {
        let l = (s.to - s.from).norm();
        if s.pen_down { (down + l, up) } else { (down, up + l) }
    })
}

/// Stamps of one pass over `area`. `rng` is the pass's own stream (used by `random`).
///
/// Stamping fires `stamps_per_spot` times per spot, one period apart, and the move to the
/// next spot takes step / speed. A trace has no planned stamps (it is stamped by
/// [`crate::technique::walk::replay`]): the result is empty.
pub fn plan_pass<R: Rng + ?Sized>(area: &Rect, plan: &PassPlan, frequency_hz: f64, rng: &mut R) -> Vec<Stamp> {
    if let Pattern::Stamping { step_mm, stamps_per_spot } = plan.pattern {
        return stamping_stamps(area, plan, step_mm, stamps_per_spot, frequency_hz);
    }
    let mut stamps = stamp_path(&path(area, plan), plan.speed_mm_s, frequency_hz);
    if plan.pattern == Pattern::Random {
        let n = stamps.len();
        stamps.clear();
        for i in 0..n {
            let x = rng.random_range(area.x0..area.x1);
            let y = rng.random_range(area.y0..area.y1);
            stamps.push(Stamp { center_mm: Vec2::new(x, y), t_s: i as f64 / frequency_hz });
        }
    }
    stamps
}

/// Stamps along any path (face regions build their own): one every `speed_mm_s /
/// frequency_hz` mm of travel on pen-down segments, the first where the pen touches down.
pub fn stamp_path(segments: &[Segment], speed_mm_s: f64, frequency_hz: f64) -> Vec<Stamp> {
    let step = speed_mm_s / frequency_hz;
    let mut stamps = Vec::new();
    // Arc length travelled so far (time × speed) and the arc position of the next stamp.
    let mut s_total = 0.0;
    let mut next = 0.0;
    let mut was_down = false;
    for seg in segments {
        let d = seg.to - seg.from;
        let len = d.norm();
        if !seg.pen_down {
            s_total += len;
            was_down = false;
            continue;
        }
        if !was_down {
            // Pen touches down: the pen fires at once.
            next = s_total;
        }
        let dir = if len > 0.0 { d / len } else { Vec2::zeros() };
        while next <= s_total + len + 1e-9 {
            let along = (next - s_total).clamp(0.0, len);
            stamps.push(Stamp { center_mm: seg.from + dir * along, t_s: next / speed_mm_s });
            next += step;
        }
        s_total += len;
        was_down = true;
    }
    stamps
}

/// Ideal stamps of the stamping pattern.
fn stamping_stamps(area: &Rect, plan: &PassPlan, step_mm: f64, per_spot: u32, frequency_hz: f64) -> Vec<Stamp> {
    let mut out = Vec::new();
    let mut t = 0.0;
    let mut prev: Option<Vec2> = None;
    for s in crate::technique::patterns::stamping_spots(area, plan, step_mm) {
        if let Some(p) = prev {
            t += (s.at_mm - p).norm() / plan.speed_mm_s;
        }
        for k in 0..per_spot {
            if k > 0 {
                t += 1.0 / frequency_hz;
            }
            out.push(Stamp { center_mm: s.at_mm, t_s: t });
        }
        prev = Some(s.at_mm);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn plan(pattern: Pattern, direction_deg: f64) -> PassPlan {
        PassPlan { direction_deg, pattern, speed_mm_s: 10.0, lane_spacing_mm: 2.0, lane_offset_mm: 0.0 }
    }

    #[test]
    fn serpentine_lanes_cover_the_area_and_alternate() {
        let area = Rect::new(0.0, 0.0, 10.0, 6.0);
        let segs = path(&area, &plan(Pattern::Serpentine, 0.0));
        // 3 lanes at y = 1, 3, 5 joined by 2 turns.
        assert_eq!(segs.len(), 5);
        assert!((segs[0].from - Vec2::new(0.0, 1.0)).norm() < 1e-9);
        assert!((segs[2].from - Vec2::new(10.0, 3.0)).norm() < 1e-9);
        assert!(segs.iter().all(|s| s.pen_down));
        let (down, up) = path_length_mm(&segs);
        assert!((down - 34.0).abs() < 1e-9 && up == 0.0);
    }

    #[test]
    fn stamps_are_evenly_spaced_along_the_path() {
        let area = Rect::new(0.0, 0.0, 10.0, 2.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let st = plan_pass(&area, &plan(Pattern::Strokes, 0.0), 100.0, &mut rng);
        // One lane 10 mm long, 0.1 mm per stamp: stamps at 0, 0.1, …, 10.0.
        assert_eq!(st.len(), 101);
        for w in st.windows(2) {
            assert!(((w[1].center_mm - w[0].center_mm).norm() - 0.1).abs() < 1e-9);
            assert!(((w[1].t_s - w[0].t_s) - 0.01).abs() < 1e-9);
        }
    }

    #[test]
    fn strokes_restart_at_each_lane() {
        let area = Rect::new(0.0, 0.0, 1.05, 4.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut p = plan(Pattern::Strokes, 0.0);
        p.speed_mm_s = 50.0; // 0.5 mm per stamp at 100 Hz
        let st = plan_pass(&area, &p, 100.0, &mut rng);
        // Two lanes, each with stamps at x = 0, 0.5, 1.0.
        assert_eq!(st.len(), 6);
        assert!((st[3].center_mm.x).abs() < 1e-9);
    }

    #[test]
    fn diagonal_lanes_stay_inside() {
        let area = Rect::new(-5.0, -3.0, 5.0, 3.0);
        for (a, b) in lanes(&area, &plan(Pattern::Serpentine, 45.0)) {
            for p in [a, b] {
                assert!(p.x >= -5.0 - 1e-9 && p.x <= 5.0 + 1e-9 && p.y >= -3.0 - 1e-9 && p.y <= 3.0 + 1e-9);
            }
        }
    }
}
