//! Walking a pattern with a real hand: the stamps a pass makes when the hand varies.
//!
//! **Model.** The pen fires once per (jittered) period. Along a planned path the hand's arc
//! position advances by `step × period factor × speed factor` per stamp (`step = speed /
//! frequency`), and its clock by `step × period factor` (in mm of set-speed travel); pen-up
//! travel takes the set speed. Each stamp is moved across the direction of motion by the
//! tremor and carries the hand's velocity (direction × set speed × speed factor), tilt and
//! period, from which [`crate::needle::puncture::place_hand`] builds the footprints.
//!
//! With the ideal hand every factor is exactly 1 and every offset exactly 0, so the
//! arithmetic reduces to [`crate::technique::lanes::plan_pass`]'s: the stamps are the same to the bit
//! (checked by the tests). The simulation still takes `plan_pass` itself for ideal runs.
//!
//! - **random**: the stamps of `plan_pass` (the pattern's own stream), with the hand's tilt
//!   and period jitter; no tremor (the positions are already random) and no drag (no path).
//! - **stamping**: the pen is still while it fires (no drag); tremor moves each stamp; the
//!   move between spots takes step / (set speed × speed factor).
//! - **trace**: stamps at the (jittered) stamp times from the first sample to the last of a
//!   continuous recording, or of each pen-down stroke of the pass (see [`replay`]); the
//!   position and velocity come from the recording, tremor is added across the recorded
//!   motion (set it to 0 for a real recording), the recorded tilt replaces the hand's when
//!   the trace has one; speed variation does not apply (the recording is the speed).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::geometry::{Rect, Vec2};
pub use crate::needle::stamp::HandStamp;
use crate::pen::device::Device;
use crate::technique::firing::FiringClock;
use crate::technique::hand::{HAND_STREAM_BASE, Hand, HandSample, HandState};
use crate::technique::lanes::{self, PassPlan, Pattern, Segment, Stamp};
use crate::technique::patterns::{Spot, stamping_spots};
use crate::technique::trajectory::{TraceStroke, Trajectory, TrajectoryPoint};

/// The stamps of one pass and what the hand did.
#[derive(Clone, Debug, PartialEq)]
pub struct PassWalk {
    pub stamps: Vec<HandStamp>,
    /// Time from the first touch to the end of the path, s.
    pub time_s: f64,
    /// Stamps whose tilt draw was clipped to the largest tilt.
    pub tilt_clipped: u64,
}

/// Where the pen leans: `offset_deg` from the direction of motion, or towards `still_deg`
/// (absolute) when the pen does not move.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lean {
    pub offset_deg: f64,
    pub still_deg: f64,
}

impl Lean {
    fn azimuth_deg(&self, dir: Vec2) -> f64 {
        if dir == Vec2::zeros() { self.still_deg } else { dir.y.atan2(dir.x).to_degrees() + self.offset_deg }
    }
}

fn left_normal(dir: Vec2) -> Vec2 {
    Vec2::new(-dir.y, dir.x)
}

/// One stamp of a walk along a path of pieces ([`walk_arcs`]): the piece it falls on, how far
/// along it (in the pieces' length unit), when, and the hand at that instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArcStamp {
    pub piece: usize,
    pub along: f64,
    pub t_s: f64,
    pub hand: HandSample,
}

/// The walking rule of a real hand along a path given as pieces `(length, pen down)`: the
/// arc positions and times of the stamps (see the module doc) and the path time, s. The flat
/// map's pieces are its segments ([`walk_segments`]); the surface's are chart steps measured
/// in skin mm (`surface::walk`), so both walk by the same rule.
pub fn walk_arcs<R: rand::Rng>(
    pieces: impl IntoIterator<Item = (f64, bool)>,
    speed_mm_s: f64,
    frequency_hz: f64,
    state: &mut HandState<R>,
) -> (Vec<ArcStamp>, f64) {
    let step = speed_mm_s / frequency_hz;
    let mut stamps = Vec::new();
    // Arc length at the start of the piece, the arc position of the next stamp, and the
    // clock's lead over the arc position (both in mm of set-speed travel).
    let (mut s_total, mut next, mut lag) = (0.0, 0.0, 0.0);
    let mut was_down = false;
    // (arc position, lag, speed factor) at the last stamp, to find when the hand reaches the
    // end of a pen-down run.
    let mut last: Option<(f64, f64, f64)> = None;
    let settle = |lag: &mut f64, last: &Option<(f64, f64, f64)>, end: f64| {
        if let Some((s, l, g)) = *last {
            *lag = l + (end - s) * (1.0 / g - 1.0);
        }
    };
    for (piece, (len, pen_down)) in pieces.into_iter().enumerate() {
        if !pen_down {
            if was_down {
                settle(&mut lag, &last, s_total);
            }
            s_total += len;
            was_down = false;
            continue;
        }
        if !was_down {
            next = s_total;
        }
        while next <= s_total + len + 1e-9 {
            let along = (next - s_total).clamp(0.0, len);
            let t_s = (next + lag) / speed_mm_s;
            let h = state.at(t_s);
            stamps.push(ArcStamp { piece, along, t_s, hand: h });
            last = Some((next, lag, h.speed_factor));
            next += step * (h.period_factor * h.speed_factor);
            lag += step * h.period_factor * (1.0 - h.speed_factor);
        }
        s_total += len;
        was_down = true;
    }
    if was_down {
        settle(&mut lag, &last, s_total);
    }
    (stamps, (s_total + lag) / speed_mm_s)
}

/// Stamp a path of segments at `speed_mm_s` with the hand `state` ([`walk_arcs`] on the
/// segments' lengths).
pub fn walk_segments<R: rand::Rng>(
    segments: &[Segment],
    speed_mm_s: f64,
    frequency_hz: f64,
    state: &mut HandState<R>,
    lean: Lean,
) -> (Vec<HandStamp>, f64) {
    let (arcs, time_s) = walk_arcs(segments.iter().map(|s| ((s.to - s.from).norm(), s.pen_down)), speed_mm_s, frequency_hz, state);
    let stamps = arcs
        .iter()
        .map(|a| {
            let seg = &segments[a.piece];
            let d = seg.to - seg.from;
            let len = d.norm();
            let dir = if len > 0.0 { d / len } else { Vec2::zeros() };
            let h = a.hand;
            HandStamp {
                center_mm: seg.from + dir * a.along + left_normal(dir) * h.lateral_mm,
                t_s: a.t_s,
                velocity_mm_s: dir * (speed_mm_s * h.speed_factor),
                period_s: h.period_factor / frequency_hz,
                tilt_deg: h.tilt_deg,
                tilt_azimuth_deg: lean.azimuth_deg(dir),
            }
        })
        .collect();
    (stamps, time_s)
}

/// The timing rule of the stamping pattern: `per_spot` firings a (jittered) period apart at
/// each spot, the move to the next spot (`moves_mm[k]`, from spot `k − 1`; the first is not
/// used) at the set speed × the last speed factor. Returns each firing (its `piece` = the
/// spot's index) and the time of the last firing, s. The flat map's spots ([`walk_spots`])
/// and the surface's (skin distances, `surface::walk`) share it.
pub fn walk_spot_times<R: rand::Rng>(
    moves_mm: impl IntoIterator<Item = f64>,
    per_spot: u32,
    speed_mm_s: f64,
    frequency_hz: f64,
    state: &mut HandState<R>,
) -> (Vec<ArcStamp>, f64) {
    let mut stamps = Vec::new();
    let mut t = 0.0;
    let mut g = 1.0;
    for (k, move_mm) in moves_mm.into_iter().enumerate() {
        if k > 0 {
            t += move_mm / (speed_mm_s * g);
        }
        for n in 0..per_spot {
            let h = state.at(t);
            g = h.speed_factor;
            stamps.push(ArcStamp { piece: k, along: 0.0, t_s: t, hand: h });
            if n + 1 < per_spot {
                t += h.period_factor / frequency_hz;
            }
        }
    }
    (stamps, t)
}

/// Stamp the spots of the stamping pattern ([`walk_spot_times`]; tremor across each spot's
/// lane, the pen still while it fires).
pub fn walk_spots<R: rand::Rng>(
    spots: &[Spot],
    per_spot: u32,
    speed_mm_s: f64,
    frequency_hz: f64,
    state: &mut HandState<R>,
    lean: Lean,
) -> (Vec<HandStamp>, f64) {
    let moves = spots.iter().enumerate().map(|(k, s)| if k > 0 { (s.at_mm - spots[k - 1].at_mm).norm() } else { 0.0 });
    let (times, t) = walk_spot_times(moves, per_spot, speed_mm_s, frequency_hz, state);
    let stamps = times
        .iter()
        .map(|a| {
            let (spot, h) = (&spots[a.piece], a.hand);
            HandStamp {
                center_mm: spot.at_mm + left_normal(spot.dir) * h.lateral_mm,
                t_s: a.t_s,
                velocity_mm_s: Vec2::zeros(),
                period_s: h.period_factor / frequency_hz,
                tilt_deg: h.tilt_deg,
                tilt_azimuth_deg: lean.azimuth_deg(spot.dir),
            }
        })
        .collect();
    (stamps, t)
}

/// Re-time planned stamps (the random pattern) with the hand's period jitter and tilt.
pub fn scatter<R: rand::Rng>(planned: &[Stamp], frequency_hz: f64, state: &mut HandState<R>, lean: Lean) -> (Vec<HandStamp>, f64) {
    let mut t = 0.0;
    let mut out = Vec::with_capacity(planned.len());
    for s in planned {
        let h = state.at(t);
        out.push(HandStamp {
            center_mm: s.center_mm,
            t_s: t,
            velocity_mm_s: Vec2::zeros(),
            period_s: h.period_factor / frequency_hz,
            tilt_deg: h.tilt_deg,
            tilt_azimuth_deg: lean.still_deg,
        });
        t += h.period_factor / frequency_hz;
    }
    (out, t)
}

/// The firing of a recorded trajectory at `p`, with the hand `h`, `t_s` into the pass.
fn traced_stamp(p: TrajectoryPoint, h: HandSample, t_s: f64, frequency_hz: f64, lean: Lean) -> HandStamp {
    let speed = p.velocity_mm_s.norm();
    let dir = if speed > 0.0 { p.velocity_mm_s / speed } else { Vec2::zeros() };
    HandStamp {
        center_mm: p.at_mm + left_normal(dir) * h.lateral_mm,
        t_s,
        velocity_mm_s: p.velocity_mm_s,
        period_s: h.period_factor / frequency_hz,
        tilt_deg: p.tilt_deg.unwrap_or(h.tilt_deg),
        tilt_azimuth_deg: lean.azimuth_deg(dir),
    }
}

/// Stamp trace pass `pass` of a recorded trajectory.
///
/// A continuous recording is stamped at the (jittered) stamp times from its first sample to
/// its last, as one pen-down path (the clock sums the periods and allows 1e-9 s at the end:
/// kept as it was so that such recordings replay as before). A recording with strokes
/// stamps each stroke of the pass on the pen's own clock, [`FiringClock`] (the live page's,
/// [`crate::technique::firing`]): it fires at the stroke's first sample and then once a (jittered)
/// period up to its last sample; nothing fires while the pen is lifted. Times are from the
/// pass's first sample; the pass takes from its first sample to its last.
pub fn replay<R: rand::Rng>(
    trace: &Trajectory,
    pass: usize,
    frequency_hz: f64,
    state: &mut HandState<R>,
    lean: Lean,
) -> (Vec<HandStamp>, f64) {
    let mut out = Vec::new();
    if trace.is_continuous() {
        let (t0, t1) = (trace.start_s(), trace.end_s());
        let mut elapsed = 0.0;
        while t0 + elapsed <= t1 + 1e-9 {
            let p = trace.at(t0 + elapsed);
            let h = state.at(elapsed);
            out.push(traced_stamp(p, h, elapsed, frequency_hz, lean));
            elapsed += h.period_factor / frequency_hz;
        }
        return (out, trace.duration_s());
    }
    let strokes: Vec<&TraceStroke> = trace.strokes_in_pass(pass).collect();
    let (Some(first), Some(last)) = (strokes.first(), strokes.last()) else { return (out, 0.0) };
    let (pass_t0, pass_t1) = (trace.stroke_span_s(first).0, trace.stroke_span_s(last).1);
    for s in strokes {
        let (t0, t1) = trace.stroke_span_s(s);
        let mut clock = FiringClock::new(t0, frequency_hz);
        loop {
            let t = clock.next_s();
            if t > t1 {
                break;
            }
            let h = state.at(t - pass_t0);
            out.push(traced_stamp(trace.stroke_at(s, t), h, t - pass_t0, frequency_hz, lean));
            clock.advance(h.period_factor);
        }
    }
    (out, pass_t1 - pass_t0)
}

/// Stamps of pass `pass` of `plan` over `area` with `hand` (the general path for any hand
/// and pattern). `trace` is needed by the `trace` pattern only (none: no stamps).
pub fn walk_pass(
    area: &Rect,
    plan: &PassPlan,
    device: &Device,
    hand: &Hand,
    trace: Option<&Trajectory>,
    seed: u64,
    pass: usize,
) -> PassWalk {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(HAND_STREAM_BASE + pass as u64);
    let mut state = HandState::new(hand, 90.0 - device.angle_deg, rng);
    let f = device.frequency_hz;
    let lean = Lean { offset_deg: hand.tilt_azimuth_deg, still_deg: plan.direction_deg + hand.tilt_azimuth_deg };
    let (stamps, time_s) = match plan.pattern {
        Pattern::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(pass as u64);
            let planned = lanes::plan_pass(area, plan, f, &mut rng);
            scatter(&planned, f, &mut state, lean)
        }
        Pattern::Stamping { step_mm, stamps_per_spot } => {
            walk_spots(&stamping_spots(area, plan, step_mm), stamps_per_spot, plan.speed_mm_s, f, &mut state, lean)
        }
        Pattern::Trace => match trace {
            Some(t) => replay(t, pass, f, &mut state, lean),
            None => (Vec::new(), 0.0),
        },
        Pattern::Serpentine | Pattern::Strokes | Pattern::Circles { .. } => {
            walk_segments(&lanes::path(area, plan), plan.speed_mm_s, f, &mut state, lean)
        }
    };
    PassWalk { stamps, time_s, tilt_clipped: state.tilt_clipped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;

    fn plan(pattern: Pattern, direction_deg: f64, speed: f64, spacing: f64) -> PassPlan {
        PassPlan { direction_deg, pattern, speed_mm_s: speed, lane_spacing_mm: spacing, lane_offset_mm: 0.0 }
    }

    /// With the ideal hand the walker reproduces `plan_pass` to the bit, and its time is the
    /// path time.
    #[test]
    fn ideal_walk_is_plan_pass_exactly() {
        let area = Rect::new(-3.3, 1.7, 14.1, 11.9);
        for (pattern, dir, speed, spacing, f) in [
            (Pattern::Serpentine, 0.0, 40.0, 3.2, 120.0),
            (Pattern::Serpentine, 33.0, 57.3, 2.9, 97.0),
            (Pattern::Strokes, 90.0, 40.0, 3.1, 120.0),
            (Pattern::Strokes, 127.0, 81.0, 4.4, 143.0),
            (Pattern::Circles { radius_mm: 1.2, advance_mm: 0.9 }, 20.0, 60.0, 5.0, 110.0),
        ] {
            let p = plan(pattern, dir, speed, spacing);
            let device = Device { frequency_hz: f, ..Device::default() };
            let ideal = lanes::plan_pass(&area, &p, f, &mut ChaCha8Rng::seed_from_u64(1));
            let w = walk_pass(&area, &p, &device, &Hand::ideal(), None, 9, 0);
            let got: Vec<Stamp> = w.stamps.iter().map(HandStamp::stamp).collect();
            assert_eq!(got, ideal, "{pattern:?}");
            let (down, up) = lanes::path_length_mm(&lanes::path(&area, &p));
            assert!((w.time_s - (down + up) / speed).abs() < 1e-9, "{pattern:?}: {} vs {}", w.time_s, (down + up) / speed);
            assert!(w.stamps.iter().all(|s| s.tilt_deg == 0.0 && (s.period_s - 1.0 / f).abs() < 1e-15));
        }
    }

    #[test]
    fn ideal_stamping_and_random_match_plan_pass() {
        let area = Rect::new(0.0, 0.0, 10.0, 8.0);
        let device = Device { frequency_hz: 100.0, ..Device::default() };
        let p = plan(Pattern::Stamping { step_mm: 2.5, stamps_per_spot: 3 }, 0.0, 20.0, 4.0);
        let ideal = lanes::plan_pass(&area, &p, 100.0, &mut ChaCha8Rng::seed_from_u64(1));
        let w = walk_pass(&area, &p, &device, &Hand::ideal(), None, 9, 0);
        assert_eq!(ideal.len(), 30);
        for (a, b) in w.stamps.iter().zip(&ideal) {
            assert_eq!(a.center_mm, b.center_mm);
            assert!((a.t_s - b.t_s).abs() < 1e-12);
        }
        // Random: the pattern's stream is untouched by the hand.
        let p = plan(Pattern::Random, 0.0, 20.0, 4.0);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        rng.set_stream(2);
        let ideal = lanes::plan_pass(&area, &p, 100.0, &mut rng);
        let shaky = Hand { tremor_amplitude_mm: 0.5, tilt_sd_deg: 5.0, frequency_jitter_fraction: 0.1, ..Hand::ideal() };
        let w = walk_pass(&area, &p, &device, &shaky, None, 9, 2);
        let pos: Vec<Vec2> = w.stamps.iter().map(|s| s.center_mm).collect();
        assert_eq!(pos, ideal.iter().map(|s| s.center_mm).collect::<Vec<_>>());
    }

    /// A recording with strokes and a shaky hand: every stroke fires at its first sample,
    /// then once per (jittered) period of the previous stamp, never while the pen is lifted,
    /// and a pass replays its own strokes only.
    #[test]
    fn strokes_fire_only_pen_down_on_the_jittered_clock() {
        use crate::technique::trajectory::TraceStroke;
        let line = |t0: f64, y: f64| (0..=20).map(move |i| (t0 + i as f64 * 0.02, Vec2::new(1.0 + i as f64 * 0.8, y)));
        let samples: Vec<(f64, Vec2)> = line(3.0, 2.0).chain(line(6.0, 5.0)).chain(line(9.5, 8.0)).collect();
        let (t, xy): (Vec<f64>, Vec<Vec2>) = samples.into_iter().unzip();
        let strokes = vec![
            TraceStroke { id: Some(1), pass: Some(0), samples: 0..21 },
            TraceStroke { id: Some(2), pass: Some(1), samples: 21..42 },
            TraceStroke { id: Some(3), pass: Some(0), samples: 42..63 },
        ];
        let trace = Trajectory::with_strokes(t, xy, None, strokes).unwrap();
        let area = Rect::new(0.0, 0.0, 20.0, 10.0);
        let p = plan(Pattern::Trace, 0.0, 40.0, 2.0);
        let device = Device { frequency_hz: 100.0, ..Device::default() };
        let hand = Hand { frequency_jitter_fraction: 0.2, tremor_amplitude_mm: 0.05, ..Hand::ideal() };
        let w = walk_pass(&area, &p, &device, &hand, Some(&trace), 3, 0);
        // Pass 0: strokes 1 (t 3.0–3.4) and 3 (t 9.5–9.9), times from 3.0.
        let (a, b): (Vec<&HandStamp>, Vec<&HandStamp>) = w.stamps.iter().partition(|s| s.t_s < 1.0);
        assert_eq!(a.len() + b.len(), w.stamps.len());
        assert!(a.iter().all(|s| s.t_s <= 0.4 + 1e-12) && b.iter().all(|s| s.t_s >= 6.5 && s.t_s <= 6.9 + 1e-12));
        assert!(
            w.stamps.iter().all(|s| (s.center_mm.y - 2.0).abs() < 1.0 || (s.center_mm.y - 8.0).abs() < 1.0),
            "no stamp from pass 1's stroke"
        );
        for run in [&a, &b] {
            assert!(run.len() > 20 && run.len() < 70, "{}", run.len());
            for pair in run.windows(2) {
                assert!((pair[1].t_s - pair[0].t_s - pair[0].period_s).abs() < 1e-12);
            }
        }
        assert_eq!(a[0].t_s, 0.0);
        assert_eq!(b[0].t_s, 9.5 - 3.0);
        assert!((w.time_s - 6.9).abs() < 1e-9);
        let w1 = walk_pass(&area, &p, &device, &hand, Some(&trace), 3, 1);
        assert!(w1.stamps.iter().all(|s| (s.center_mm.y - 5.0).abs() < 1.0) && !w1.stamps.is_empty());
        assert!(walk_pass(&area, &p, &device, &hand, Some(&trace), 3, 2).stamps.is_empty());
    }

    /// Speed variation moves stamps along the path but keeps them on it, in order; the
    /// mean step stays `speed / frequency`.
    #[test]
    fn speed_variation_keeps_stamps_on_the_lane() {
        let area = Rect::new(0.0, 0.0, 200.0, 2.0);
        let p = plan(Pattern::Strokes, 0.0, 40.0, 2.0);
        let device = Device { frequency_hz: 100.0, ..Device::default() };
        let hand = Hand { speed_sd_fraction: 0.3, speed_time_constant_s: 0.05, ..Hand::ideal() };
        let w = walk_pass(&area, &p, &device, &hand, None, 4, 0);
        for pair in w.stamps.windows(2) {
            assert!(pair[1].center_mm.x > pair[0].center_mm.x);
            assert!((pair[1].center_mm.y - 1.0).abs() < 1e-12);
            // Each step is this stamp's speed × its period.
            let v = pair[0].velocity_mm_s.norm();
            assert!(((pair[1].center_mm.x - pair[0].center_mm.x) - v * pair[0].period_s).abs() < 1e-9);
        }
        let mean_step = 200.0 / (w.stamps.len() - 1) as f64;
        // 5 s of motion with τ = 0.05 s: ~100 independent speed draws, sd of the mean ≈ 3 %.
        assert!((mean_step / 0.4 - 1.0).abs() < 0.12, "{mean_step}");
        // The time is the time the hand took: close to 200 mm at 40 mm/s.
        assert!((w.time_s / 5.0 - 1.0).abs() < 0.12, "{}", w.time_s);
    }
}
