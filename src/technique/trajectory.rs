//! Recorded trajectories: where a real pen went, as timed samples, resampled at stamp times.
//!
//! **Model.** A trajectory is a polyline in time: samples `(t_s, x_mm, y_mm[, tilt_deg])`
//! with strictly increasing times (from a motion tracker, a digitising tablet or the live
//! page). Between samples the pen moves in a straight line at constant speed (linear
//! interpolation of position and tilt); the velocity at a time is that of the piece it falls
//! in (the piece that starts there, at a sample).
//!
//! The samples are cut into **strokes**, the pen on the skin from touch-down to lift-off.
//! A *continuous* recording ([`Trajectory::new`], a file with neither a stroke nor a pass
//! column) is one stroke: the pen is on the skin for the whole recording, and every trace
//! pass replays all of it. A recording with strokes ([`Trajectory::with_strokes`]) has the
//! pen lifted between them (nothing is interpolated across a lift); each stroke may carry
//! the file's stroke id and the pass that replays it (without a pass column every trace pass
//! replays every stroke). A stroke may be a single sample: a tap.
//!
//! The core type holds validated data only; reading the CSV (line numbers, BOM, CRLF, gaps,
//! points off the map) is the edge's job (the scenario trace reader, `src/io/scenario/trace_csv.rs`).

use std::ops::Range;

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};

/// A validated recorded trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    t_s: Vec<f64>,
    xy_mm: Vec<Vec2>,
    /// Recorded tilt from perpendicular per sample, degrees; `None` when not recorded.
    tilt_deg: Option<Vec<f64>>,
    /// Pen-down strokes in time order; their sample ranges cover every sample once.
    strokes: Vec<TraceStroke>,
}

/// One pen-down stroke of a trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStroke {
    /// The recording's stroke id (`None` without a stroke column).
    pub id: Option<u64>,
    /// The pass that replays this stroke (`None` without a pass column: every trace pass).
    pub pass: Option<u16>,
    /// Its samples, as indices into the trajectory (never empty).
    pub samples: Range<usize>,
}

/// The pen at one instant of a trajectory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrajectoryPoint {
    pub at_mm: Vec2,
    pub velocity_mm_s: Vec2,
    pub tilt_deg: Option<f64>,
}

impl Trajectory {
    /// A continuous recording (one stroke, no ids, no passes). Needs at least two samples,
    /// finite values, strictly increasing times and (when given) one tilt per sample;
    /// errors name the sample index.
    pub fn new(t_s: Vec<f64>, xy_mm: Vec<Vec2>, tilt_deg: Option<Vec<f64>>) -> Result<Self> {
        if t_s.len() < 2 {
            return Err(Error::invalid("trace", format!("{} samples", t_s.len()), "at least 2 samples, each with t_s, x_mm, y_mm"));
        }
        let n = t_s.len();
        Self::build(t_s, xy_mm, tilt_deg, vec![TraceStroke { id: None, pass: None, samples: 0..n }])
    }

    /// A recording cut into `strokes` (in time order, covering the samples `0..n` one after
    /// the other, none empty). Every stroke has an id, or none has; every stroke has a pass,
    /// or none has; at least one of the two is given (else it is a continuous recording:
    /// [`Self::new`]); an id appears on one stroke only. Samples as for [`Self::new`], but
    /// one is enough.
    pub fn with_strokes(t_s: Vec<f64>, xy_mm: Vec<Vec2>, tilt_deg: Option<Vec<f64>>, strokes: Vec<TraceStroke>) -> Result<Self> {
        let bad = |k: usize, what: String, allowed: &str| Error::invalid(format!("trace stroke {k}"), what, allowed);
        let (ids, passes) = match strokes.first() {
            Some(s) => (s.id.is_some(), s.pass.is_some()),
            None => return Err(Error::invalid("trace", "no strokes", "at least one stroke")),
        };
        if !(ids || passes) {
            return Err(Error::invalid(
                "trace",
                "strokes without ids or passes",
                "a stroke id or a pass on every stroke (a continuous recording: Trajectory::new)",
            ));
        }
        let mut next = 0;
        let mut seen = std::collections::HashSet::new();
        for (k, s) in strokes.iter().enumerate() {
            if s.samples.start != next || s.samples.end <= s.samples.start {
                return Err(bad(k, format!("samples {:?}", s.samples), &format!("a non-empty range starting at sample {next}")));
            }
            if s.id.is_some() != ids || s.pass.is_some() != passes {
                return Err(bad(
                    k,
                    format!("id {:?}, pass {:?}", s.id, s.pass),
                    "an id on every stroke or on none, and a pass on every stroke or on none",
                ));
            }
            if let Some(id) = s.id
                && !seen.insert(id)
            {
                return Err(bad(k, format!("id {id}"), "an id no other stroke has"));
            }
            next = s.samples.end;
        }
        if next != t_s.len() {
            return Err(Error::invalid(
                "trace",
                format!("strokes covering {next} of {} samples", t_s.len()),
                "strokes covering every sample",
            ));
        }
        Self::build(t_s, xy_mm, tilt_deg, strokes)
    }

    fn build(t_s: Vec<f64>, xy_mm: Vec<Vec2>, tilt_deg: Option<Vec<f64>>, strokes: Vec<TraceStroke>) -> Result<Self> {
        if t_s.is_empty() || xy_mm.len() != t_s.len() || tilt_deg.as_ref().is_some_and(|v| v.len() != t_s.len()) {
            return Err(Error::invalid("trace", format!("{} samples", t_s.len()), "at least one sample, each with t_s, x_mm, y_mm"));
        }
        for (i, (t, p)) in t_s.iter().zip(&xy_mm).enumerate() {
            if !(t.is_finite() && p.x.is_finite() && p.y.is_finite()) {
                return Err(Error::invalid(format!("trace sample {i}"), format!("({t}, {}, {})", p.x, p.y), "finite t_s, x_mm, y_mm"));
            }
            if i > 0 && *t <= t_s[i - 1] {
                return Err(Error::invalid(
                    format!("trace sample {i}"),
                    format!("t_s = {t} after {}", t_s[i - 1]),
                    "strictly increasing times",
                ));
            }
        }
        if let Some((i, v)) = tilt_deg.iter().flatten().enumerate().find(|(_, v)| !(v.is_finite() && v.abs() < 90.0)) {
            return Err(Error::invalid(format!("trace sample {i}"), format!("tilt_deg = {v}"), "|tilt| < 90 degrees"));
        }
        Ok(Trajectory { t_s, xy_mm, tilt_deg, strokes })
    }

    pub fn len(&self) -> usize {
        self.t_s.len()
    }
    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }
    pub fn start_s(&self) -> f64 {
        self.t_s[0]
    }
    pub fn end_s(&self) -> f64 {
        *self.t_s.last().expect("validated: ≥ 1 sample")
    }
    /// From the first sample to the last, lifts included, s.
    pub fn duration_s(&self) -> f64 {
        self.end_s() - self.start_s()
    }
    pub fn has_tilt(&self) -> bool {
        self.tilt_deg.is_some()
    }
    /// Times of the samples, s.
    pub fn times_s(&self) -> &[f64] {
        &self.t_s
    }
    /// Positions of the samples, mm.
    pub fn points_mm(&self) -> &[Vec2] {
        &self.xy_mm
    }

    /// Recorded tilt of sample `i`, degrees (`None` without a tilt column).
    pub fn tilt_at_sample(&self, i: usize) -> Option<f64> {
        self.tilt_deg.as_ref().map(|v| v[i])
    }

    /// The pen-down strokes, in time order.
    pub fn strokes(&self) -> &[TraceStroke] {
        &self.strokes
    }

    /// True for a continuous recording: one stroke with neither an id nor a pass.
    pub fn is_continuous(&self) -> bool {
        matches!(self.strokes.as_slice(), [s] if s.id.is_none() && s.pass.is_none())
    }

    /// True when the strokes carry ids (a stroke column).
    pub fn has_stroke_ids(&self) -> bool {
        self.strokes[0].id.is_some()
    }

    /// Highest pass + 1 when the strokes carry passes (a pass column), else `None`.
    pub fn pass_count(&self) -> Option<usize> {
        self.strokes.iter().filter_map(|s| s.pass).max().map(|p| p as usize + 1)
    }

    /// The strokes trace pass `pass` replays: those of that pass, or every stroke when the
    /// recording has no passes.
    pub fn strokes_in_pass(&self, pass: usize) -> impl Iterator<Item = &TraceStroke> {
        self.strokes.iter().filter(move |s| s.pass.is_none_or(|p| p as usize == pass))
    }

    /// Touch-down and lift-off times of `stroke` (its first and last samples), s.
    pub fn stroke_span_s(&self, stroke: &TraceStroke) -> (f64, f64) {
        (self.t_s[stroke.samples.start], self.t_s[stroke.samples.end - 1])
    }

    /// Length of the recorded pen-down path (lifts excluded), mm.
    pub fn length_mm(&self) -> f64 {
        self.strokes.iter().map(|s| self.xy_mm[s.samples.clone()].windows(2).map(|w| (w[1] - w[0]).norm()).sum::<f64>()).sum()
    }

    /// Smallest rectangle holding every sample, mm.
    pub fn bounds(&self) -> Rect {
        self.xy_mm.iter().fold(Rect::new(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |r, p| {
            Rect::new(r.x0.min(p.x), r.y0.min(p.y), r.x1.max(p.x), r.y1.max(p.y))
        })
    }

    /// The pen at time `t_s` (clamped to the recording), by linear interpolation over every
    /// sample (a continuous recording; for a recording with strokes see [`Self::stroke_at`]).
    pub fn at(&self, t_s: f64) -> TrajectoryPoint {
        self.at_in(0..self.t_s.len(), t_s)
    }

    /// The pen at time `t_s` during `stroke` (clamped to the stroke): never interpolated
    /// across a lift. A one-sample stroke (a tap) is its sample, with no velocity.
    pub fn stroke_at(&self, stroke: &TraceStroke, t_s: f64) -> TrajectoryPoint {
        self.at_in(stroke.samples.clone(), t_s)
    }

    fn at_in(&self, r: Range<usize>, t_s: f64) -> TrajectoryPoint {
        let (times, xy) = (&self.t_s[r.clone()], &self.xy_mm[r.clone()]);
        let tilt = self.tilt_deg.as_ref().map(|v| &v[r]);
        let n = times.len();
        if n == 1 {
            return TrajectoryPoint { at_mm: xy[0], velocity_mm_s: Vec2::zeros(), tilt_deg: tilt.map(|v| v[0]) };
        }
        // Piece k spans samples k and k+1; a time exactly on a sample takes the piece that
        // starts there (the last sample takes the last piece).
        let k = times.partition_point(|&t| t <= t_s).saturating_sub(1).min(n - 2);
        let (t0, t1) = (times[k], times[k + 1]);
        let f = ((t_s - t0) / (t1 - t0)).clamp(0.0, 1.0);
        let (p0, p1) = (xy[k], xy[k + 1]);
        TrajectoryPoint {
            // The end sample exactly (p0 + (p1 - p0) · 1 may differ from p1 in the last bit),
            // so a trajectory cut at a sample gives the same points as the whole one.
            at_mm: if f >= 1.0 { p1 } else { p0 + (p1 - p0) * f },
            velocity_mm_s: (p1 - p0) / (t1 - t0),
            tilt_deg: tilt.map(|v| v[k] + (v[k + 1] - v[k]) * f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr() -> Trajectory {
        Trajectory::new(
            vec![0.0, 1.0, 3.0],
            vec![Vec2::new(0.0, 0.0), Vec2::new(10.0, 0.0), Vec2::new(10.0, 4.0)],
            Some(vec![0.0, 10.0, 20.0]),
        )
        .unwrap()
    }

    #[test]
    fn interpolates_position_velocity_and_tilt() {
        let t = tr();
        let p = t.at(0.25);
        assert!((p.at_mm - Vec2::new(2.5, 0.0)).norm() < 1e-12);
        assert!((p.velocity_mm_s - Vec2::new(10.0, 0.0)).norm() < 1e-12);
        assert!((p.tilt_deg.unwrap() - 2.5).abs() < 1e-12);
        let p = t.at(1.0);
        assert!((p.at_mm - Vec2::new(10.0, 0.0)).norm() < 1e-12);
        assert!((p.velocity_mm_s - Vec2::new(0.0, 2.0)).norm() < 1e-12);
        let p = t.at(3.0);
        assert!((p.at_mm - Vec2::new(10.0, 4.0)).norm() < 1e-12);
        assert!((t.length_mm() - 14.0).abs() < 1e-12);
        assert_eq!(t.bounds(), Rect::new(0.0, 0.0, 10.0, 4.0));
    }

    fn stroke(id: u64, pass: u16, samples: Range<usize>) -> TraceStroke {
        TraceStroke { id: Some(id), pass: Some(pass), samples }
    }

    /// Two strokes with a lift between: positions never come from across the lift, a tap is
    /// its sample, and the length leaves the lifts out.
    #[test]
    fn strokes_are_never_interpolated_across_a_lift() {
        let t = Trajectory::with_strokes(
            vec![0.0, 1.0, 5.0, 6.0, 9.0],
            vec![Vec2::new(0.0, 0.0), Vec2::new(2.0, 0.0), Vec2::new(2.0, 10.0), Vec2::new(2.0, 13.0), Vec2::new(7.0, 7.0)],
            None,
            vec![stroke(1, 0, 0..2), stroke(2, 1, 2..4), stroke(3, 1, 4..5)],
        )
        .unwrap();
        let s = t.strokes();
        // The last sample of stroke 1: its own piece, not the lift towards stroke 2.
        let p = t.stroke_at(&s[0], 1.0);
        assert_eq!(p.at_mm, Vec2::new(2.0, 0.0));
        assert_eq!(p.velocity_mm_s, Vec2::new(2.0, 0.0));
        // The whole-recording view would interpolate across the lift.
        assert_eq!(t.at(3.0).at_mm, Vec2::new(2.0, 5.0));
        assert_eq!(t.stroke_at(&s[1], 5.5).at_mm, Vec2::new(2.0, 11.5));
        let tap = t.stroke_at(&s[2], 9.0);
        assert_eq!((tap.at_mm, tap.velocity_mm_s), (Vec2::new(7.0, 7.0), Vec2::zeros()));
        assert_eq!(t.stroke_span_s(&s[1]), (5.0, 6.0));
        assert!((t.length_mm() - 5.0).abs() < 1e-12);
        assert_eq!(t.pass_count(), Some(2));
        assert_eq!(t.strokes_in_pass(1).count(), 2);
        assert!(!t.is_continuous());
    }

    #[test]
    fn refuses_strokes_that_do_not_cut_the_samples_cleanly() {
        let t = || vec![0.0, 1.0, 2.0];
        let xy = || vec![Vec2::zeros(); 3];
        for (strokes, needle) in [
            (vec![stroke(1, 0, 0..2)], "covering 2 of 3"),
            (vec![stroke(1, 0, 0..1), stroke(2, 0, 2..3)], "starting at sample 1"),
            (vec![stroke(1, 0, 0..0), stroke(2, 0, 0..3)], "non-empty"),
            (vec![stroke(1, 0, 0..1), stroke(1, 0, 1..3)], "id 1"),
            (vec![stroke(1, 0, 0..1), TraceStroke { id: None, pass: Some(0), samples: 1..3 }], "on every stroke or on none"),
            (vec![TraceStroke { id: None, pass: None, samples: 0..3 }], "Trajectory::new"),
            (vec![], "at least one stroke"),
        ] {
            let e = Trajectory::with_strokes(t(), xy(), None, strokes).unwrap_err().to_string();
            assert!(e.contains(needle), "{e} lacks {needle:?}");
        }
        // Time still increases strictly through the whole recording.
        let e = Trajectory::with_strokes(vec![0.0, 2.0, 1.0], xy(), None, vec![stroke(1, 0, 0..2), stroke(2, 0, 2..3)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("trace sample 2") && e.contains("strictly increasing"), "{e}");
    }

    #[test]
    fn refuses_backwards_time_and_nan() {
        let e = Trajectory::new(vec![0.0, 1.0, 1.0], vec![Vec2::zeros(); 3], None).unwrap_err().to_string();
        assert!(e.contains("trace sample 2") && e.contains("strictly increasing"), "{e}");
        let e = Trajectory::new(vec![0.0, f64::NAN], vec![Vec2::zeros(); 2], None).unwrap_err().to_string();
        assert!(e.contains("trace sample 1"), "{e}");
        assert!(Trajectory::new(vec![0.0], vec![Vec2::zeros()], None).is_err());
    }
}
