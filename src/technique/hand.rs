//! The hand: how a real practitioner departs from the ideal path, as seeded random processes.
//!
//! **Model.** Four independent departures, each off by default (the ideal hand):
//!
//! - **Hand speed** varies around the set speed: `speed = set × exp(Y − s²/2)` with `Y` an
//!   Ornstein–Uhlenbeck (OU) process of stationary sd `s = speed_sd_fraction` and time
//!   constant `speed_time_constant_s`. The factor is positive and has mean 1; its sd is
//!   `≈ s` for small `s`.
//! - **Lateral tremor**: the pen is off the path, across the direction of motion, by an OU
//!   process of stationary sd `tremor_amplitude_mm` and time constant
//!   `tremor_time_constant_s` (zero mean: it moves punctures, it does not add or remove any).
//! - **Tilt** from perpendicular: `tilt = tilt_mean_deg + Z`, `Z` an OU process of sd
//!   `tilt_sd_deg` and time constant `tilt_time_constant_s`; the pen leans towards
//!   `tilt_azimuth_deg` from the direction of motion. Draws beyond
//!   [`crate::needle::footprint::MAX_TILT_DEG`] are clipped to it and counted.
//! - **Stamping-frequency jitter**: each period is `period × exp(σ·N − σ²/2)`, `σ =
//!   frequency_jitter_fraction`, independent from stamp to stamp.
//!
//! The OU processes start from their stationary law and are advanced stamp to stamp with the
//! exact discretisation `Y(t+Δ) = Y(t)·e^(−Δ/τ) + sd·√(1 − e^(−2Δ/τ))·N`, so the result does
//! not depend on the stamp rate. Every stamp draws the same four normals in the same order
//! (speed, tremor, tilt, jitter) whatever the knobs, so turning one knob does not reshuffle
//! the others' draws.
//!
//! **Streams.** Each pass has its own ChaCha8 stream seeded with the scenario seed, stream
//! number [`HAND_STREAM_BASE`] + pass index: a number space apart from the per-pass stream of
//! the `random` pattern (stream = pass index), so the hand never changes the random
//! pattern's draws.
//!
//! Time constants default to **assumed** values (no source measures a mesotherapy hand):
//! speed 0.5 s, tremor 0.2 s, tilt 1 s.

use rand::{Rng, RngExt};

use crate::error::{Error, Result};
use crate::needle::footprint::MAX_TILT_DEG;

/// Stream number of pass 0's hand stream; pass `p` uses `HAND_STREAM_BASE + p`.
pub const HAND_STREAM_BASE: u64 = 1_000;

/// The hand's departures from the ideal path. `Default` is the ideal hand.
#[derive(Clone, Debug, PartialEq)]
pub struct Hand {
    /// Stationary sd of the log speed factor (≈ relative sd of the speed), 0–1.
    pub speed_sd_fraction: f64,
    /// Correlation time of speed changes, s. Positive.
    pub speed_time_constant_s: f64,
    /// Stationary sd of the lateral offset, mm, 0–10.
    pub tremor_amplitude_mm: f64,
    /// Correlation time of the lateral offset, s. Positive.
    pub tremor_time_constant_s: f64,
    /// Mean tilt from perpendicular, degrees, 0–60 (the device's `angle_deg` adds to it).
    pub tilt_mean_deg: f64,
    /// Stationary sd of the tilt, degrees, 0–30.
    pub tilt_sd_deg: f64,
    /// Correlation time of the tilt, s. Positive.
    pub tilt_time_constant_s: f64,
    /// Direction the pen leans towards, degrees counter-clockwise from the direction of
    /// motion (0 = leaning forward along the motion).
    pub tilt_azimuth_deg: f64,
    /// Relative sd of each stamping period, 0–0.5.
    pub frequency_jitter_fraction: f64,
}

impl Default for Hand {
    fn default() -> Self {
        Hand {
            speed_sd_fraction: 0.0,
            speed_time_constant_s: 0.5,
            tremor_amplitude_mm: 0.0,
            tremor_time_constant_s: 0.2,
            tilt_mean_deg: 0.0,
            tilt_sd_deg: 0.0,
            tilt_time_constant_s: 1.0,
            tilt_azimuth_deg: 0.0,
            frequency_jitter_fraction: 0.0,
        }
    }
}

impl Hand {
    /// The ideal hand: steady speed, on the path, perpendicular, steady stamping.
    pub fn ideal() -> Self {
        Self::default()
    }

    /// True when every departure is off (time constants and azimuth do not matter then).
    pub fn is_ideal(&self) -> bool {
        self.speed_sd_fraction == 0.0
            && self.tremor_amplitude_mm == 0.0
            && self.tilt_mean_deg == 0.0
            && self.tilt_sd_deg == 0.0
            && self.frequency_jitter_fraction == 0.0
    }

    /// Check every knob; errors name the `hand.*` key and the allowed range.
    pub fn validate(&self) -> Result<()> {
        let range = |key: &str, v: f64, lo: f64, hi: f64, allowed: &str| {
            if v.is_finite() && v >= lo && v <= hi { Ok(()) } else { Err(Error::invalid(format!("hand.{key}"), v, allowed)) }
        };
        range("speed_sd_fraction", self.speed_sd_fraction, 0.0, 1.0, "0 ≤ sd ≤ 1 (a fraction of the set speed)")?;
        range("tremor_amplitude_mm", self.tremor_amplitude_mm, 0.0, 10.0, "0 ≤ amplitude ≤ 10 mm")?;
        range("tilt_mean_deg", self.tilt_mean_deg, 0.0, 60.0, "0 ≤ tilt ≤ 60 degrees from perpendicular")?;
        range("tilt_sd_deg", self.tilt_sd_deg, 0.0, 30.0, "0 ≤ sd ≤ 30 degrees")?;
        range("frequency_jitter_fraction", self.frequency_jitter_fraction, 0.0, 0.5, "0 ≤ sd ≤ 0.5 (a fraction of the period)")?;
        for (key, v) in [
            ("speed_time_constant_s", self.speed_time_constant_s),
            ("tremor_time_constant_s", self.tremor_time_constant_s),
            ("tilt_time_constant_s", self.tilt_time_constant_s),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1000.0) {
                return Err(Error::invalid(format!("hand.{key}"), v, "0 < time constant ≤ 1000 s"));
            }
        }
        if !self.tilt_azimuth_deg.is_finite() {
            return Err(Error::invalid("hand.tilt_azimuth_deg", self.tilt_azimuth_deg, "a finite angle in degrees"));
        }
        Ok(())
    }
}

/// A standard normal draw (Box–Muller; one draw per call, two uniforms).
pub fn std_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 1 − [0, 1) is in (0, 1]: the logarithm stays finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// An Ornstein–Uhlenbeck process with stationary sd `sd` and time constant `tau_s`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ou {
    pub value: f64,
    pub sd: f64,
    pub tau_s: f64,
}

impl Ou {
    /// Start from the stationary law `N(0, sd²)`.
    pub fn stationary<R: Rng + ?Sized>(sd: f64, tau_s: f64, rng: &mut R) -> Self {
        Ou { value: sd * std_normal(rng), sd, tau_s }
    }

    /// Advance by `dt_s ≥ 0` with the exact transition law (always one normal draw).
    pub fn advance<R: Rng + ?Sized>(&mut self, dt_s: f64, rng: &mut R) {
        let a = (-dt_s / self.tau_s).exp();
        self.value = a * self.value + self.sd * (1.0 - a * a).max(0.0).sqrt() * std_normal(rng);
    }
}

/// The hand at one stamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HandSample {
    /// Speed over set speed (1 for the ideal hand).
    pub speed_factor: f64,
    /// Offset across the direction of motion, mm (positive = to the left of the motion).
    pub lateral_mm: f64,
    /// Tilt from perpendicular, degrees (clipped to ±`MAX_TILT_DEG`).
    pub tilt_deg: f64,
    /// This stamp's period over the nominal period (1 for steady stamping).
    pub period_factor: f64,
}

/// The running state of a hand over one pass.
pub struct HandState<'a, R: Rng> {
    hand: &'a Hand,
    /// Tilt added to the hand's own (the device held at `angle_deg`), degrees.
    base_tilt_deg: f64,
    rng: R,
    speed: Ou,
    tremor: Ou,
    tilt: Ou,
    t_prev_s: f64,
    /// Stamps whose tilt draw went beyond `MAX_TILT_DEG` and was clipped.
    pub tilt_clipped: u64,
}

impl<'a, R: Rng> HandState<'a, R> {
    /// Start a pass at time 0 from the stationary laws, drawing from `rng` (the pass's own
    /// hand stream).
    pub fn new(hand: &'a Hand, base_tilt_deg: f64, mut rng: R) -> Self {
        let speed = Ou::stationary(hand.speed_sd_fraction, hand.speed_time_constant_s, &mut rng);
        let tremor = Ou::stationary(hand.tremor_amplitude_mm, hand.tremor_time_constant_s, &mut rng);
        let tilt = Ou::stationary(hand.tilt_sd_deg, hand.tilt_time_constant_s, &mut rng);
        HandState { hand, base_tilt_deg, rng, speed, tremor, tilt, t_prev_s: 0.0, tilt_clipped: 0 }
    }

    /// The hand at time `t_s` (non-decreasing from call to call), with the period that
    /// follows this stamp.
    pub fn at(&mut self, t_s: f64) -> HandSample {
        let dt = (t_s - self.t_prev_s).max(0.0);
        self.t_prev_s = t_s;
        self.speed.advance(dt, &mut self.rng);
        self.tremor.advance(dt, &mut self.rng);
        self.tilt.advance(dt, &mut self.rng);
        let s = self.hand.speed_sd_fraction;
        let speed_factor = (self.speed.value - 0.5 * s * s).exp();
        let mut tilt_deg = self.base_tilt_deg + self.hand.tilt_mean_deg + self.tilt.value;
        if tilt_deg.abs() > MAX_TILT_DEG {
            tilt_deg = MAX_TILT_DEG.copysign(tilt_deg);
            self.tilt_clipped += 1;
        }
        let j = self.hand.frequency_jitter_fraction;
        let period_factor = (j * std_normal(&mut self.rng) - 0.5 * j * j).exp();
        HandSample { speed_factor, lateral_mm: self.tremor.value, tilt_deg, period_factor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_ideal_hand_samples_exact_ones_and_zeros() {
        let hand = Hand::ideal();
        let mut st = HandState::new(&hand, 0.0, ChaCha8Rng::seed_from_u64(3));
        for k in 0..100 {
            let s = st.at(k as f64 * 0.01);
            assert_eq!((s.speed_factor, s.lateral_mm, s.tilt_deg, s.period_factor), (1.0, 0.0, 0.0, 1.0));
        }
    }

    /// The exact discretisation keeps the stationary variance and gives the lag-Δ
    /// autocorrelation e^(−Δ/τ), whatever the step.
    #[test]
    fn ou_is_stationary_with_exponential_autocorrelation() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (sd, tau, dt) = (0.3, 0.2, 0.05);
        let n = 200_000;
        let mut ou = Ou::stationary(sd, tau, &mut rng);
        let mut xs = Vec::with_capacity(n);
        for _ in 0..n {
            ou.advance(dt, &mut rng);
            xs.push(ou.value);
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let lag1 = xs.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum::<f64>() / (n - 1) as f64 / var;
        // Effective sample size ≈ n·(1 − ρ)/(1 + ρ) ≈ 25,000: sd of the mean ≈ 0.002, of the
        // variance ≈ 1 %.
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var.sqrt() / sd - 1.0).abs() < 0.03, "{}", var.sqrt());
        assert!((lag1 - (-dt / tau).exp()).abs() < 0.01, "{lag1}");
    }

    #[test]
    fn speed_and_period_factors_have_mean_one() {
        let hand = Hand { speed_sd_fraction: 0.3, speed_time_constant_s: 0.01, frequency_jitter_fraction: 0.2, ..Hand::ideal() };
        let mut st = HandState::new(&hand, 0.0, ChaCha8Rng::seed_from_u64(5));
        let n = 100_000;
        let (mut g, mut j) = (0.0, 0.0);
        for k in 0..n {
            let s = st.at(k as f64 * 0.1);
            assert!(s.speed_factor > 0.0 && s.period_factor > 0.0);
            g += s.speed_factor;
            j += s.period_factor;
        }
        assert!((g / n as f64 - 1.0).abs() < 0.01, "{}", g / n as f64);
        assert!((j / n as f64 - 1.0).abs() < 0.01, "{}", j / n as f64);
    }

    #[test]
    fn negative_sd_and_zero_time_constant_are_refused() {
        let e = Hand { tilt_sd_deg: -1.0, ..Hand::ideal() }.validate().unwrap_err().to_string();
        assert!(e.contains("hand.tilt_sd_deg") && e.contains("-1") && e.contains("0 ≤ sd"), "{e}");
        let e = Hand { tremor_time_constant_s: 0.0, ..Hand::ideal() }.validate().unwrap_err().to_string();
        assert!(e.contains("hand.tremor_time_constant_s"), "{e}");
        assert!(Hand { tremor_amplitude_mm: f64::NAN, ..Hand::ideal() }.validate().is_err());
    }
}
