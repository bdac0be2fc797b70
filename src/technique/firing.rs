//! Hand-drawn strokes: timed pointer samples in, stamps at the pen's frequency out.
//!
//! **Model.** A stroke is the pen on the skin from touch-down to lift-off, recorded as
//! samples `(t_s, x_mm, y_mm)` with strictly increasing times (a mouse, a finger or a
//! stylus on a tablet; the hand speed is the trainer's own). Between two samples the pen
//! moves in a straight line at constant speed (linear interpolation, [`Trajectory::at`]). The pen fires at
//! touch-down (the first sample) and then once every `1 / frequency_hz` seconds while it is
//! on the skin: stamp `k` of a stroke that touched down at `t0` is at `t0 + k / f`, for every
//! `k` with `t0 + k / f ≤` the time of the last sample. A pen held still keeps firing on the
//! same spot, as a real pen does (the front end sends samples while the pointer rests).
//!
//! Samples may arrive in batches (the live page sends one every few tens of milliseconds).
//! [`StrokeStamper`] keeps the last sample and the [`FiringClock`], which computes each stamp
//! time from its index (never by adding periods), so a stroke stamped in batches gives
//! exactly the stamps of the same stroke stamped whole, whatever the cut. A recorded
//! multi-stroke trace replayed by `needlesim run` fires on the same clock (`walk::replay`).
//!
//! Assumptions: the pointer's position is the cartridge axis; no tremor is added (the
//! recording is the hand); the needles fire instantly.

use crate::error::{Error, Result};
use crate::geometry::Vec2;
use crate::technique::lanes::Stamp;
use crate::technique::trajectory::Trajectory;

/// One pointer sample: where the pen was, and when.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedSample {
    /// Time, s, on any clock that only moves forward (the page's `performance.now()`).
    pub t_s: f64,
    /// Cartridge axis on the skin plane, mm.
    pub at_mm: Vec2,
}

/// The pen's clock over one stroke: it fires at touch-down `t0_s` and then once a period.
///
/// Firing `k` is at `t0 + phase_k · period` with `phase_0 = 0` and `phase_{k+1} = phase_k +
/// factor_k`, where `factor_k` is that period over the nominal one: exactly 1 for a steady
/// pen, so the phase is the integer `k` and every time is computed from its index (never by
/// adding periods); a jittering hand ([`crate::technique::walk`]) passes its own factors. The one
/// definition of when a stroke fires: [`StrokeStamper`] (the live page) and the replay of a
/// recorded stroke (`walk::replay`) both use it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FiringClock {
    t0_s: f64,
    period_s: f64,
    /// Periods elapsed since touch-down (an integer for a steady pen).
    phase: f64,
}

impl FiringClock {
    /// A clock for a pen firing at `frequency_hz` that touched down at `t0_s`.
    pub fn new(t0_s: f64, frequency_hz: f64) -> Self {
        FiringClock { t0_s, period_s: 1.0 / frequency_hz, phase: 0.0 }
    }

    /// Touch-down time, s.
    pub fn start_s(&self) -> f64 {
        self.t0_s
    }

    /// Time of the next firing, s.
    pub fn next_s(&self) -> f64 {
        self.t0_s + self.phase * self.period_s
    }

    /// Move on one period scaled by `factor` (1 for a steady pen).
    pub fn advance(&mut self, factor: f64) {
        self.phase += factor;
    }
}

/// Stamps a stroke batch by batch. One stamper per stroke.
#[derive(Clone, Debug, PartialEq)]
pub struct StrokeStamper {
    frequency_hz: f64,
    /// The firing clock, from touch-down on (`None` before the first sample).
    clock: Option<FiringClock>,
    /// Last sample seen.
    last: Option<TimedSample>,
    /// Path drawn so far, mm.
    length_mm: f64,
}

impl StrokeStamper {
    /// A stamper for a pen firing at `frequency_hz` (validated by the caller: `Device`).
    pub fn new(frequency_hz: f64) -> Self {
        StrokeStamper { frequency_hz, clock: None, last: None, length_mm: 0.0 }
    }

    /// Touch-down time, s (`None` before the first sample).
    pub fn start_s(&self) -> Option<f64> {
        self.clock.map(|c| c.start_s())
    }

    /// Last sample seen.
    pub fn last(&self) -> Option<TimedSample> {
        self.last
    }

    /// Time from touch-down to the last sample, s.
    pub fn duration_s(&self) -> f64 {
        match (self.start_s(), self.last) {
            (Some(t0), Some(l)) => l.t_s - t0,
            _ => 0.0,
        }
    }

    /// Length of the path drawn so far, mm.
    pub fn length_mm(&self) -> f64 {
        self.length_mm
    }

    /// Mean hand speed over the stroke so far, mm/s (`None` for a stroke of no duration).
    pub fn mean_speed_mm_s(&self) -> Option<f64> {
        let d = self.duration_s();
        (d > 0.0).then(|| self.length_mm / d)
    }

    /// Check `samples` would continue this stroke: finite values and times strictly after
    /// the previous sample. Errors name the sample index in the batch. Nothing changes.
    pub fn check(&self, samples: &[TimedSample]) -> Result<()> {
        let mut prev = self.last.map(|s| s.t_s);
        for (i, s) in samples.iter().enumerate() {
            if !(s.t_s.is_finite() && s.at_mm.x.is_finite() && s.at_mm.y.is_finite()) {
                return Err(Error::invalid(
                    format!("samples[{i}]"),
                    format!("({}, {}, {})", s.t_s, s.at_mm.x, s.at_mm.y),
                    "finite t, x_mm, y_mm",
                ));
            }
            if let Some(p) = prev
                && s.t_s <= p
            {
                return Err(Error::invalid(
                    format!("samples[{i}].t"),
                    format!("{} s", s.t_s),
                    format!("a time after the previous sample ({p} s): time must move forward"),
                ));
            }
            prev = Some(s.t_s);
        }
        Ok(())
    }

    /// Continue the stroke with `samples` and return the stamps fired up to the last of
    /// them, with `t_s` the absolute stamp time. All-or-nothing: on an error (see
    /// [`check`](Self::check)) nothing changes.
    pub fn feed(&mut self, samples: &[TimedSample]) -> Result<Vec<Stamp>> {
        self.check(samples)?;
        let mut out = Vec::new();
        let mut rest = samples;
        if self.last.is_none() {
            let Some((&s, tail)) = samples.split_first() else { return Ok(out) };
            // Touch-down: the pen fires at once.
            let mut clock = FiringClock::new(s.t_s, self.frequency_hz);
            out.push(Stamp { center_mm: s.at_mm, t_s: s.t_s });
            clock.advance(1.0);
            self.clock = Some(clock);
            self.last = Some(s);
            rest = tail;
        }
        let (Some(prev), Some(end)) = (self.last, rest.last()) else { return Ok(out) };
        // The batch as a recorded trajectory from the previous sample on: positions between
        // samples come from `Trajectory::at` (one copy of the interpolation).
        let pieces = std::iter::once(prev).chain(rest.iter().copied());
        let (times, points): (Vec<f64>, Vec<Vec2>) = pieces.map(|s| (s.t_s, s.at_mm)).unzip();
        let path = Trajectory::new(times, points, None)?;
        let clock = self.clock.as_mut().expect("set at touch-down");
        loop {
            let t = clock.next_s();
            if t > end.t_s {
                break;
            }
            out.push(Stamp { center_mm: path.at(t).at_mm, t_s: t });
            clock.advance(1.0);
        }
        let mut p = prev;
        for &s in rest {
            self.length_mm += (s.at_mm - p.at_mm).norm();
            p = s;
        }
        self.last = Some(*end);
        Ok(out)
    }
}

/// Stamps of a whole stroke at `frequency_hz` (see the module doc).
pub fn stamp_stroke(samples: &[TimedSample], frequency_hz: f64) -> Result<Vec<Stamp>> {
    StrokeStamper::new(frequency_hz).feed(samples)
}

/// Puncture density one pass lays down, per cm²: `f · N / (v · w)` for `f` stamps per
/// second, `N` needles, hand speed `v` (mm/s) and track width `w` (mm) (shared/domain.md,
/// "density per pass \[est\]"). Infinite for a pen held still.
pub fn pass_density_per_cm2(frequency_hz: f64, needles: usize, speed_mm_s: f64, track_width_mm: f64) -> f64 {
    frequency_hz * needles as f64 / (speed_mm_s * track_width_mm) * 100.0
}

/// Hand speed, mm/s, at which one pass lays down `density_per_cm2` (the inverse of
/// [`pass_density_per_cm2`]).
pub fn speed_for_density_mm_s(frequency_hz: f64, needles: usize, density_per_cm2: f64, track_width_mm: f64) -> f64 {
    frequency_hz * needles as f64 / (density_per_cm2 * track_width_mm) * 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(t_s: f64, x: f64, y: f64) -> TimedSample {
        TimedSample { t_s, at_mm: Vec2::new(x, y) }
    }

    #[test]
    fn straight_line_at_constant_speed_gives_even_stamps() {
        // 40 mm/s along x for 0.5 s, sampled every 1/60 s; pen at 120 Hz.
        let samples: Vec<_> = (0..=30).map(|i| s(10.0 + i as f64 / 60.0, 40.0 * i as f64 / 60.0, 3.0)).collect();
        let st = stamp_stroke(&samples, 120.0).unwrap();
        // Firings at 0, 1/120, …, 60/120 s: 61 stamps, 1/3 mm apart.
        assert_eq!(st.len(), 61);
        for (k, p) in st.iter().enumerate() {
            assert!((p.t_s - (10.0 + k as f64 / 120.0)).abs() < 1e-9);
            assert!((p.center_mm.x - 40.0 * k as f64 / 120.0).abs() < 1e-9, "{k}: {}", p.center_mm.x);
            assert!((p.center_mm.y - 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn a_pen_held_still_keeps_firing_on_the_spot() {
        let st = stamp_stroke(&[s(0.0, 1.0, 2.0), s(0.1, 1.0, 2.0)], 100.0).unwrap();
        assert_eq!(st.len(), 11);
        assert!(st.iter().all(|p| p.center_mm == Vec2::new(1.0, 2.0)));
    }

    #[test]
    fn a_tap_fires_once() {
        let st = stamp_stroke(&[s(5.0, 1.0, 2.0)], 120.0).unwrap();
        assert_eq!(st, vec![Stamp { center_mm: Vec2::new(1.0, 2.0), t_s: 5.0 }]);
    }

    #[test]
    fn time_going_backwards_or_nan_is_refused_and_nothing_changes() {
        let mut st = StrokeStamper::new(100.0);
        st.feed(&[s(0.0, 0.0, 0.0), s(0.05, 1.0, 0.0)]).unwrap();
        let before = st.clone();
        let e = st.feed(&[s(0.06, 1.0, 0.0), s(0.06, 2.0, 0.0)]).unwrap_err().to_string();
        assert!(e.contains("samples[1].t") && e.contains("time must move forward"), "{e}");
        assert_eq!(st, before);
        let e = st.feed(&[s(0.04, 1.0, 0.0)]).unwrap_err().to_string();
        assert!(e.contains("samples[0].t"), "{e}");
        let e = st.feed(&[s(0.07, f64::NAN, 0.0)]).unwrap_err().to_string();
        assert!(e.contains("samples[0]") && e.contains("finite"), "{e}");
        assert_eq!(st, before);
    }

    #[test]
    fn speed_and_length_follow_the_path() {
        let mut st = StrokeStamper::new(100.0);
        st.feed(&[s(1.0, 0.0, 0.0), s(1.5, 3.0, 4.0), s(2.0, 3.0, 0.0)]).unwrap();
        assert!((st.length_mm() - 9.0).abs() < 1e-12);
        assert!((st.mean_speed_mm_s().unwrap() - 9.0).abs() < 1e-12);
    }

    #[test]
    fn density_formula_matches_domain_md_example() {
        // f·N = 1,400/s, D = 300/cm², w = 8 mm → v ≈ 58 mm/s (shared/domain.md).
        let v = speed_for_density_mm_s(1400.0, 1, 300.0, 8.0);
        assert!((v - 58.33).abs() < 0.01, "{v}");
        assert!((pass_density_per_cm2(1400.0, 1, v, 8.0) - 300.0).abs() < 1e-9);
    }

    proptest! {
        /// Stamping a stroke in batches cut anywhere gives the same stamps, to the bit, as
        /// stamping it whole; and the count is ⌊duration·f⌋ + 1.
        #[test]
        fn batches_give_the_whole_strokes_stamps(
            steps in prop::collection::vec((0.001f64..0.05, -2.0f64..2.0, -2.0f64..2.0), 1..60),
            cuts in prop::collection::vec(0usize..60, 0..5),
            f in 10.0f64..300.0,
        ) {
            let mut samples = vec![s(3.0, 0.0, 0.0)];
            for (dt, dx, dy) in steps {
                let l = *samples.last().unwrap();
                samples.push(s(l.t_s + dt, l.at_mm.x + dx, l.at_mm.y + dy));
            }
            let whole = stamp_stroke(&samples, f).unwrap();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(samples.len())).collect();
            cuts.push(0);
            cuts.push(samples.len());
            cuts.sort();
            let mut st = StrokeStamper::new(f);
            let mut parts = Vec::new();
            for w in cuts.windows(2) {
                parts.extend(st.feed(&samples[w[0]..w[1]]).unwrap());
            }
            prop_assert_eq!(&parts, &whole);
            let duration = samples.last().unwrap().t_s - samples[0].t_s;
            let firings = duration * f;
            if (firings - firings.round()).abs() > 1e-6 {
                prop_assert_eq!(whole.len(), firings.floor() as usize + 1);
            }
            // Every stamp lies on the segment of the samples around it.
            for p in &whole {
                let k = samples.partition_point(|q| q.t_s < p.t_s);
                if k > 0 && k < samples.len() {
                    let (a, b) = (samples[k - 1], samples[k]);
                    let f = (p.t_s - a.t_s) / (b.t_s - a.t_s);
                    let on = a.at_mm + (b.at_mm - a.at_mm) * f;
                    prop_assert!((on - p.center_mm).norm() < 1e-9);
                }
            }
        }
    }
}
