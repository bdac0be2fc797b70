//! A real hand on the surface: the flat map's hand ([`crate::technique::hand`]) walking the
//! surface's lanes, its departures taken in the skin's tangent plane.
//!
//! **Model.** One rule of each, reused: the hand's random processes ([`HandState`], the
//! pass's hand stream), the walking rule ([`walk::walk_arcs`]: arc positions advance by
//! `step × period factor × speed factor`, the clock by `step × period factor`) and the
//! random pattern's re-timing ([`walk::scatter`]). On the surface the walk's arcs are **skin**
//! mm: the pieces are the planner's chart steps with their skin lengths
//! ([`GroupPlanner::pieces`], the same steps the ideal stamps use), and a stamp `a` skin mm
//! into a step sits at the chart point that fraction of the step along
//! ([`GroupPlanner::stamp_on`]). At each stamp, in the tangent plane of its triangle (normal
//! `n`), with `t` the direction of motion on the skin (`J d` normalised for the step's chart
//! direction `d`):
//!
//! - **tremor** moves the stamp by `lateral_mm × (n × t)` on the skin (to the left of the
//!   motion, as the flat map's `left_normal`), mapped to the chart by the triangle's `J⁺`;
//! - **speed and period** make the velocity `t × speed × speed factor` and the drag (with a
//!   contact duty) `velocity × duty × period`, skin mm;
//! - **tilt** (hand + `90° − pen.angle_deg`, clipped by the hand) leans the pen towards `t`
//!   turned by `hand.tilt_azimuth_deg` about `n`; a pen held still (random stamps, a step of
//!   no length) leans towards the pass direction's skin direction turned the same way.
//!
//! [`crate::surface::place`] turns the tilt, lean and drag into each needle's footprint.
//! On a flat mesh whose chart is its plane (UV = xy) every step is exact and this is the
//! flat map's walk to rounding, with the same stream (`HAND_STREAM_BASE + stream`).

use rand::Rng;

use crate::geometry::{Vec2, direction};
use crate::pen::device::Device;
use crate::technique::hand::{Hand, HandSample, HandState};
use crate::technique::lanes::{PassPlan, Pattern, Stamp};
use crate::technique::walk::{self, Lean};

use super::chart::{TriMap, Vec3};
use super::place::StampHand;
use super::plan::{GroupPass, GroupPlanner, SurfaceStamp};

/// The stamps of one pass made by a real hand on the surface.
#[derive(Clone, Debug, Default)]
pub struct HandPass {
    pub stamps: Vec<SurfaceStamp>,
    /// The hand at each stamp (parallel to `stamps`).
    pub hands: Vec<StampHand>,
    /// Time from the first touch to the end of the path, s.
    pub time_s: f64,
    /// Stamps whose tilt draw was clipped to the largest tilt.
    pub tilt_clipped: u64,
    /// Pen lifts between lanes when the pattern makes them (stamping: one per lane change);
    /// `None`: the path's pen-up segments count.
    pub lifts: Option<usize>,
}

/// Unit skin direction of chart direction `d` on triangle `t` (zero for `d = 0`).
fn skin_direction(t: &TriMap, d: Vec2) -> Vec3 {
    let v = t.jac * d;
    let len = v.norm();
    if len > 0.0 { v / len } else { Vec3::zeros() }
}

/// `v` (in the tangent plane of normal `n`) turned by `deg` about `n`.
fn turn(v: Vec3, n: Vec3, deg: f64) -> Vec3 {
    let (s, c) = deg.to_radians().sin_cos();
    v * c + n.cross(&v) * s
}

/// Walk pass `plan` over `gp` (the planner's pass: its path, or its random stamps) with
/// `hand`, drawing from `rng` (the pass's hand stream).
pub fn walk_pass<R: Rng>(planner: &GroupPlanner, gp: &GroupPass, plan: &PassPlan, device: &Device, hand: &Hand, rng: R) -> HandPass {
    let chart = planner.chart;
    let f = device.frequency_hz;
    let mut state = HandState::new(hand, 90.0 - device.angle_deg, rng);
    let still = direction(plan.direction_deg);
    let mut out_lifts = None;
    let lean_of = |t: &TriMap, motion: Vec3| {
        let base = if motion == Vec3::zeros() { skin_direction(t, still) } else { motion };
        turn(base, t.normal, hand.tilt_azimuth_deg)
    };
    let mut out = HandPass::default();
    // A stamp of the hand at chart point `at` (triangle `tri`) moving along chart direction
    // `d` (the lane's), `moving` or still: tremor across `d` on the skin, the lean, the drag.
    let mut stamp = |at: Vec2, tri: u32, d: Vec2, t_s: f64, h: HandSample, moving: bool| {
        let t0 = &chart.tris[tri as usize];
        let center = at + t0.inv * (t0.normal.cross(&skin_direction(t0, d)) * h.lateral_mm);
        // The tremor may carry the stamp onto another triangle: its tangent plane then.
        let tri = chart.locate(center).unwrap_or(tri);
        let t = &chart.tris[tri as usize];
        let motion = skin_direction(t, d);
        let velocity = if moving { motion * (plan.speed_mm_s * h.speed_factor) } else { Vec3::zeros() };
        let period_s = h.period_factor / f;
        let drag = device.contact_duty.map_or(Vec3::zeros(), |duty| velocity * (duty * period_s));
        out.stamps.push(SurfaceStamp { center, tri, t_s });
        out.hands.push(StampHand { tilt_deg: h.tilt_deg, lean: lean_of(t, motion), drag });
    };
    let time_s = match plan.pattern {
        Pattern::Random => {
            let planned: Vec<Stamp> = gp.stamps.iter().map(|s| Stamp { center_mm: s.center, t_s: s.t_s }).collect();
            let lean = Lean { offset_deg: hand.tilt_azimuth_deg, still_deg: plan.direction_deg + hand.tilt_azimuth_deg };
            let (hs, time_s) = walk::scatter(&planned, f, &mut state, lean);
            let still = HandSample { speed_factor: 1.0, lateral_mm: 0.0, tilt_deg: 0.0, period_factor: 1.0 };
            for (s, h) in gp.stamps.iter().zip(&hs) {
                // No tremor (the positions are already random), no drag: the scatter's tilt.
                stamp(s.center, s.tri, Vec2::zeros(), h.t_s, HandSample { tilt_deg: h.tilt_deg, ..still }, false);
            }
            time_s
        }
        Pattern::Stamping { step_mm, stamps_per_spot } => {
            let spots = planner.spots(plan, step_mm);
            let skin = |s: &SurfaceStamp| chart.tris[s.tri as usize].to_skin(s.center);
            let moves = spots.iter().enumerate().map(|(k, (s, _))| if k > 0 { (skin(s) - skin(&spots[k - 1].0)).norm() } else { 0.0 });
            let (times, time_s) = walk::walk_spot_times(moves, stamps_per_spot, plan.speed_mm_s, f, &mut state);
            for a in times {
                let (on, d) = spots[a.piece];
                stamp(on.center, on.tri, d, a.t_s, a.hand, false);
            }
            let lanes = planner.path(&PassPlan { pattern: Pattern::Serpentine, ..plan.clone() }).len().div_ceil(2);
            out_lifts = Some(lanes.saturating_sub(1));
            time_s
        }
        _ => {
            let pieces = planner.pieces(&gp.segments);
            let (arcs, time_s) = walk::walk_arcs(pieces.iter().map(|p| (p.skin_mm, p.pen_down)), plan.speed_mm_s, f, &mut state);
            for a in arcs {
                let pc = &pieces[a.piece];
                let Some(on) = planner.stamp_on(pc, a.along, a.t_s) else { continue };
                stamp(on.center, on.tri, pc.to - pc.from, a.t_s, a.hand, true);
            }
            time_s
        }
    };
    out.time_s = time_s;
    out.lifts = out_lifts;
    out.tilt_clipped = state.tilt_clipped;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::chart::Chart;
    use crate::surface::clearance::Clearance;
    use crate::surface::shapes::flat_rect;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// On a flat square (UV = xy) with strokes along +x, a tremor-only hand keeps every stamp
    /// of the ideal pass where it was along the lane and moves it across (y) only; a contact
    /// duty drags every needle `speed × duty / f` along +x; the pen leans along the motion.
    #[test]
    fn tremor_moves_stamps_across_the_motion_and_drag_follows_it() {
        let chart = Chart::new(&flat_rect(20.0, 20.0, 4, 4, "sq"), "sq").unwrap();
        let none = Clearance::default();
        let planner = GroupPlanner { chart: &chart, group: 0, no_go: &none, margin_mm: 0.0 };
        let plan = PassPlan { direction_deg: 0.0, pattern: Pattern::Strokes, speed_mm_s: 12.0, lane_spacing_mm: 3.0, lane_offset_mm: 0.0 };
        let device = Device { contact_duty: Some(0.25), ..Device::default() };
        let f = device.frequency_hz;
        let gp = planner.plan_pass(&plan, f, &mut ChaCha8Rng::seed_from_u64(1));
        let hand = Hand { tremor_amplitude_mm: 0.2, ..Hand::ideal() };
        let w = walk_pass(&planner, &gp, &plan, &device, &hand, ChaCha8Rng::seed_from_u64(2));
        assert_eq!(w.stamps.len(), gp.stamps.len());
        assert_eq!(w.hands.len(), w.stamps.len());
        let mut moved = 0;
        for (a, b) in w.stamps.iter().zip(&gp.stamps) {
            assert!((a.center.x - b.center.x).abs() < 1e-9, "{a:?} vs {b:?}");
            assert!((a.t_s - b.t_s).abs() < 1e-12);
            assert!((a.center.y - b.center.y).abs() < 1.5, "{a:?} vs {b:?}");
            if (a.center.y - b.center.y).abs() > 0.01 {
                moved += 1;
            }
        }
        assert!(moved > w.stamps.len() / 2, "{moved}");
        let drag = plan.speed_mm_s * 0.25 / f;
        for h in &w.hands {
            assert_eq!(h.tilt_deg, 0.0);
            assert!((h.drag - Vec3::new(drag, 0.0, 0.0)).norm() < 1e-12, "{:?}", h.drag);
            assert!((h.lean - Vec3::new(1.0, 0.0, 0.0)).norm() < 1e-12, "{:?}", h.lean);
        }
        // The ideal hand walks the ideal stamps.
        let w = walk_pass(&planner, &gp, &plan, &Device::default(), &Hand::ideal(), ChaCha8Rng::seed_from_u64(2));
        for (a, b) in w.stamps.iter().zip(&gp.stamps) {
            assert!((a.center - b.center).norm() < 1e-9 && (a.t_s - b.t_s).abs() < 1e-12);
        }
    }
}
