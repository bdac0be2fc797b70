//! The extra hand patterns: small circles along the lanes, and stamping in place with a step.
//!
//! - **Circles** (the "circular technique"): the pen tip draws small circles of
//!   `radius_mm` while the circles' centre glides along the lane, `advance_mm` per turn (a
//!   prolate trochoid). Lanes are visited in serpentine order and joined pen down. The
//!   curve is a polyline of [`SEGMENTS_PER_TURN`] chords per turn (chord error
//!   `r·(1 − cos(π/72)) < 0.1 %` of the radius), stamped like any path at the set speed
//!   along the curve. The band a lane treats is the track plus `2 × radius_mm`.
//! - **Stamping**: the pen is put down on a spot, fires `stamps_per_spot` times there, is
//!   lifted and moved by `step_mm` along the lane to the next spot (serpentine order). The
//!   spots of a lane start at its beginning and are `step_mm` apart.
//!
//! Defaults are **assumed** (no source gives circle sizes or stamping steps).

use std::f64::consts::TAU;

use crate::geometry::{Rect, Vec2, rotate};
use crate::technique::lanes::{PassPlan, Segment, lanes};

/// Default circle radius, mm (**assumed**: "small circles" a few mm across).
pub const DEFAULT_CIRCLE_RADIUS_MM: f64 = 1.5;
/// Default advance of the circles' centre per turn, mm (**assumed**: one radius).
pub const DEFAULT_CIRCLE_ADVANCE_MM: f64 = 1.5;
/// Default stamping step, mm (**assumed**; scenarios default to the cartridge's extent
/// along the motion instead, so stamps tile the lane).
pub const DEFAULT_STAMP_STEP_MM: f64 = 4.0;
/// Chords per circle turn.
pub const SEGMENTS_PER_TURN: usize = 72;

/// Lanes of a pass in serpentine order (every other lane reversed).
fn serpentine_lanes(area: &Rect, plan: &PassPlan) -> Vec<(Vec2, Vec2)> {
    lanes(area, plan).into_iter().enumerate().map(|(k, (a, b))| if k % 2 == 1 { (b, a) } else { (a, b) }).collect()
}

/// The circles path of a pass: one trochoid per lane, lanes joined pen down.
pub fn circles_path(area: &Rect, plan: &PassPlan, radius_mm: f64, advance_mm: f64) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at: Option<Vec2> = None;
    for (a, b) in serpentine_lanes(area, plan) {
        let len = (b - a).norm();
        let u = if len > 0.0 { (b - a) / len } else { rotate(Vec2::new(1.0, 0.0), plan.direction_deg) };
        let v = rotate(u, 90.0);
        let turns = len / advance_mm;
        let n = ((turns * SEGMENTS_PER_TURN as f64).ceil() as usize).max(SEGMENTS_PER_TURN);
        // θ runs over the whole lane; the loop starts and ends on the lane's left side.
        let point = |i: usize| {
            let f = i as f64 / n as f64;
            let theta = TAU * turns.max(1.0) * f;
            a + u * (len * f) + (u * theta.sin() + v * theta.cos()) * radius_mm
        };
        let start = point(0);
        if let Some(prev) = at {
            out.push(Segment { from: prev, to: start, pen_down: true });
        }
        let mut prev = start;
        for i in 1..=n {
            let p = point(i);
            out.push(Segment { from: prev, to: p, pen_down: true });
            prev = p;
        }
        at = Some(prev);
    }
    out
}

/// Where the pen is put down when stamping: position and lane direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spot {
    pub at_mm: Vec2,
    /// Unit direction of the lane (the way the pen moves to the next spot).
    pub dir: Vec2,
}

/// The stamping spots of a pass, in visiting order.
pub fn stamping_spots(area: &Rect, plan: &PassPlan, step_mm: f64) -> Vec<Spot> {
    let mut out = Vec::new();
    for (a, b) in serpentine_lanes(area, plan) {
        let len = (b - a).norm();
        let dir = if len > 0.0 { (b - a) / len } else { rotate(Vec2::new(1.0, 0.0), plan.direction_deg) };
        let n = (len / step_mm + 1e-9).floor() as usize + 1;
        out.extend((0..n).map(|i| Spot { at_mm: a + dir * (i as f64 * step_mm), dir }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::technique::lanes::Pattern;

    fn plan() -> PassPlan {
        PassPlan { direction_deg: 0.0, pattern: Pattern::Serpentine, speed_mm_s: 20.0, lane_spacing_mm: 4.0, lane_offset_mm: 0.0 }
    }

    /// Every vertex of the circles path is at `radius` from its lane's centre line, and the
    /// loops advance along the lane.
    #[test]
    fn circles_stay_at_their_radius_around_the_lane() {
        let area = Rect::new(0.0, 0.0, 12.0, 8.0);
        let segs = circles_path(&area, &plan(), 1.0, 2.0);
        // Lanes at y = 2 and y = 6; 6 turns each.
        let per_lane = 6 * SEGMENTS_PER_TURN;
        assert_eq!(segs.len(), 2 * per_lane + 1);
        for (k, s) in segs.iter().enumerate() {
            if k == per_lane {
                continue; // the join between lanes
            }
            let lane_y = if k < per_lane { 2.0 } else { 6.0 };
            assert!(s.pen_down);
            // Distance from the point to the moving centre is the radius.
            let lane_start_x = if k < per_lane { 0.0 } else { 12.0 };
            let i = if k < per_lane { k } else { k - per_lane - 1 };
            let cx = lane_start_x + (if k < per_lane { 1.0 } else { -1.0 }) * 12.0 * i as f64 / per_lane as f64;
            assert!(((s.from - Vec2::new(cx, lane_y)).norm() - 1.0).abs() < 1e-9, "segment {k}: {:?}", s.from);
        }
        // Arc length ≈ turns × circumference (the advance adds a little).
        let len: f64 = segs.iter().map(|s| (s.to - s.from).norm()).sum();
        assert!(len > 12.0 * TAU && len < 12.0 * TAU * 1.2 + 4.0 + 1.0, "{len}");
    }

    #[test]
    fn stamping_spots_are_a_step_apart_in_serpentine_order() {
        let area = Rect::new(0.0, 0.0, 10.0, 8.0);
        let spots = stamping_spots(&area, &plan(), 2.5);
        // Two lanes of 10 mm: spots at 0, 2.5, 5, 7.5, 10.
        assert_eq!(spots.len(), 10);
        assert!((spots[4].at_mm - Vec2::new(10.0, 2.0)).norm() < 1e-9);
        assert!((spots[5].at_mm - Vec2::new(10.0, 6.0)).norm() < 1e-9);
        assert!((spots[6].at_mm - Vec2::new(7.5, 6.0)).norm() < 1e-9);
        assert!((spots[6].dir - Vec2::new(-1.0, 0.0)).norm() < 1e-12);
    }
}
