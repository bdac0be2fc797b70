//! Recorded trajectories: where a real pen went, as timed samples, resampled at stamp times.
//!
//! **Model.** A trajectory is a polyline in time: samples `(t_s, x_mm, y_mm[, tilt_deg])`
//! with strictly increasing times (from a motion tracker or a digitising tablet). Between
//! samples the pen moves in a straight line at constant speed (linear interpolation of
//! position and tilt); the velocity at a time is that of the piece it falls in (the piece
//! that starts there, at a sample). The pen is on the skin for the whole recording.
//!
//! The core type holds validated data only; reading the CSV (line numbers, BOM, CRLF, gaps,
//! points off the map) is the edge's job (`scenario::trace_csv`).

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};

/// A validated recorded trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    t_s: Vec<f64>,
    xy_mm: Vec<Vec2>,
    /// Recorded tilt from perpendicular per sample, degrees; `None` when not recorded.
    tilt_deg: Option<Vec<f64>>,
}

/// The pen at one instant of a trajectory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrajectoryPoint {
    pub at_mm: Vec2,
    pub velocity_mm_s: Vec2,
    pub tilt_deg: Option<f64>,
}

impl Trajectory {
    /// Build from samples. Needs at least two samples, finite values, strictly increasing
    /// times and (when given) one tilt per sample; errors name the sample index.
    pub fn new(t_s: Vec<f64>, xy_mm: Vec<Vec2>, tilt_deg: Option<Vec<f64>>) -> Result<Self> {
        if t_s.len() < 2 || xy_mm.len() != t_s.len() || tilt_deg.as_ref().is_some_and(|v| v.len() != t_s.len()) {
            return Err(Error::invalid("trace", format!("{} samples", t_s.len()), "at least 2 samples, each with t_s, x_mm, y_mm"));
        }
        for (i, (t, p)) in t_s.iter().zip(&xy_mm).enumerate() {
            if !(t.is_finite() && p.x.is_finite() && p.y.is_finite()) {
                return Err(Error::invalid(format!("trace sample {i}"), format!("({t}, {}, {})", p.x, p.y), "finite t_s, x_mm, y_mm"));
            }
            if i > 0 && *t <= t_s[i - 1] {
                return Err(Error::invalid(format!("trace sample {i}"), format!("t_s = {t} after {}", t_s[i - 1]), "strictly increasing times"));
            }
        }
        if let Some((i, v)) = tilt_deg.iter().flatten().enumerate().find(|(_, v)| !(v.is_finite() && v.abs() < 90.0)) {
            return Err(Error::invalid(format!("trace sample {i}"), format!("tilt_deg = {v}"), "|tilt| < 90 degrees"));
        }
        Ok(Trajectory { t_s, xy_mm, tilt_deg })
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
        *self.t_s.last().expect("validated: ≥ 2 samples")
    }
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

    /// Length of the recorded path, mm.
    pub fn length_mm(&self) -> f64 {
        self.xy_mm.windows(2).map(|w| (w[1] - w[0]).norm()).sum()
    }

    /// Smallest rectangle holding every sample, mm.
    pub fn bounds(&self) -> Rect {
        self.xy_mm.iter().fold(Rect::new(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |r, p| {
            Rect::new(r.x0.min(p.x), r.y0.min(p.y), r.x1.max(p.x), r.y1.max(p.y))
        })
    }

    /// The pen at time `t_s` (clamped to the recording), by linear interpolation.
    pub fn at(&self, t_s: f64) -> TrajectoryPoint {
        let n = self.t_s.len();
        // Piece k spans samples k and k+1; a time exactly on a sample takes the piece that
        // starts there (the last sample takes the last piece).
        let k = self.t_s.partition_point(|&t| t <= t_s).saturating_sub(1).min(n - 2);
        let (t0, t1) = (self.t_s[k], self.t_s[k + 1]);
        let f = ((t_s - t0) / (t1 - t0)).clamp(0.0, 1.0);
        let (p0, p1) = (self.xy_mm[k], self.xy_mm[k + 1]);
        TrajectoryPoint {
            // The end sample exactly (p0 + (p1 - p0) · 1 may differ from p1 in the last bit),
            // so a trajectory cut at a sample gives the same points as the whole one.
            at_mm: if f >= 1.0 { p1 } else { p0 + (p1 - p0) * f },
            velocity_mm_s: (p1 - p0) / (t1 - t0),
            tilt_deg: self.tilt_deg.as_ref().map(|v| v[k] + (v[k + 1] - v[k]) * f),
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

    #[test]
    fn refuses_backwards_time_and_nan() {
        let e = Trajectory::new(vec![0.0, 1.0, 1.0], vec![Vec2::zeros(); 3], None).unwrap_err().to_string();
        assert!(e.contains("trace sample 2") && e.contains("strictly increasing"), "{e}");
        let e = Trajectory::new(vec![0.0, f64::NAN], vec![Vec2::zeros(); 2], None).unwrap_err().to_string();
        assert!(e.contains("trace sample 1"), "{e}");
        assert!(Trajectory::new(vec![0.0], vec![Vec2::zeros()], None).is_err());
    }
}
