//! Moiré / aliasing: a cartridge stamped at a step commensurate with its needle spacing.
//!
//! **Model.** On a straight lane the pen stamps every `s = speed / frequency` mm, so the hit
//! pattern of one lane is periodic along the motion with period `s`. Needle `i` sits at `aᵢ`
//! along the motion and `bᵢ` across it (cartridge turned by the device rotation). Across
//! position `y` of the lane's band, needle `i` covers the along-interval `aᵢ ± hᵢ(y)`,
//! `hᵢ = √(r² − (y − bᵢ)²)`, repeated every `s`: on the circle of length `s` the row's
//! coverage is the union of those intervals. This is exact along the motion and sampled at
//! [`ACROSS_SAMPLES`] rows across it.
//!
//! - **lane coverage** `L(s)`: mean over rows of (union length / s): the steady-state
//!   coverage of the band by one lane (lane ends and turns ignored).
//! - **random-phase reference** `R(s)`: the same needles with independent uniform phases,
//!   `1 − Π (1 − min(1, 2hᵢ/s))` per row: what an incommensurate step gives on average.
//! - **aliasing ratio** `L / R`. When the step divides the needles' along-motion spacing
//!   (`pitch = k·s`, i.e. speed = pitch × frequency / k), needles sharing a track land on
//!   the same holes: stripes of repeated hits and untouched gaps, `L ≪ R`. A pass is flagged
//!   when `L / R < 1 −` [`ALIAS_TOLERANCE`] (assumed).
//!
//! **A varying hand.** A real hand's speed drifts slowly (the hand model's OU factor,
//! correlation time ≈ 0.5 s ≫ the stamp period), so along a lane the step is locally steady
//! but differs from place to place: the lane's coverage is the average of `L(s·F)` over the
//! speed factor's law `F = exp(σZ − σ²/2)` (σ = `hand.speed_sd_fraction`), and likewise for
//! `R`; averaged over 61 points of Z in [−3, 3]. A hand that varies by ±15 % washes the
//! dips out; stamping jitter (independent per stamp, ≈ 2 %) moves holes by far less than a
//! needle over the few steps that separate needles sharing a track, and is ignored.
//!
//! **Suggestions.** Speeds from 0.5× to 1.5× the set speed are scanned; on either side of the
//! set speed, the nearest band of speeds whose ratio stays ≥ `1 − ALIAS_TOLERANCE / 2` (the
//! speeds between two aliasing values) is taken, and its speed of highest ratio suggested.

use crate::geometry::{Vec2, direction, rotate};
use crate::pen::cartridge::Cartridge;

/// Rows sampled across the band.
pub const ACROSS_SAMPLES: usize = 256;
/// A pass is flagged when its lane coverage falls this fraction below the random-phase
/// reference (**assumed**: 15 %, well beyond the ±2 % the row sampling can cause).
pub const ALIAS_TOLERANCE: f64 = 0.15;
/// Speeds scanned for suggestions, from `SCAN_RANGE.0 ×` to `SCAN_RANGE.1 ×` the set speed.
pub const SCAN_RANGE: (f64, f64) = (0.5, 1.5);
/// Speeds sampled in the scan.
pub const SCAN_SAMPLES: usize = 401;

/// Needle positions along (`a`) and across (`b`) a motion direction, mm.
#[derive(Clone, Debug, PartialEq)]
pub struct Projected {
    pub along_mm: Vec<f64>,
    pub across_mm: Vec<f64>,
    pub radius_mm: f64,
}

impl Projected {
    /// Needles of `cartridge` turned by `rotation_deg`, seen from a pass along `direction_deg`.
    pub fn new(cartridge: &Cartridge, rotation_deg: f64, direction_deg: f64) -> Self {
        let u = direction(direction_deg);
        let v = rotate(u, 90.0);
        let pts: Vec<Vec2> = cartridge.needles_mm.iter().map(|p| rotate(*p, rotation_deg)).collect();
        Projected {
            along_mm: pts.iter().map(|p| p.dot(&u)).collect(),
            across_mm: pts.iter().map(|p| p.dot(&v)).collect(),
            radius_mm: cartridge.radius_mm(),
        }
    }

    /// Across-motion band the needles sweep, mm.
    pub fn band(&self) -> (f64, f64) {
        let lo = self.across_mm.iter().copied().fold(f64::INFINITY, f64::min) - self.radius_mm;
        let hi = self.across_mm.iter().copied().fold(f64::NEG_INFINITY, f64::max) + self.radius_mm;
        (lo, hi)
    }

    /// Centre of row `k` of the [`ACROSS_SAMPLES`] rows across the band.
    fn row(&self, k: usize) -> f64 {
        let (lo, hi) = self.band();
        lo + (k as f64 + 0.5) * (hi - lo) / ACROSS_SAMPLES as f64
    }

    /// `(a, h)` of every needle crossing row `y`: centre along the motion and half-width.
    fn chords(&self, y: f64, out: &mut Vec<(f64, f64)>) {
        out.clear();
        let r2 = self.radius_mm * self.radius_mm;
        for (a, b) in self.along_mm.iter().zip(&self.across_mm) {
            let rest = r2 - (y - b) * (y - b);
            if rest > 0.0 {
                out.push((*a, rest.sqrt()));
            }
        }
    }

    /// Lane coverage `L(s)` and random-phase reference `R(s)` at stamp step `step_mm`.
    pub fn lane_coverage(&self, step_mm: f64) -> (f64, f64) {
        let s = step_mm;
        let mut chords = Vec::new();
        let mut pieces: Vec<(f64, f64)> = Vec::new();
        let (mut sum_l, mut sum_r) = (0.0, 0.0);
        for k in 0..ACROSS_SAMPLES {
            self.chords(self.row(k), &mut chords);
            sum_l += union_on_circle(&chords, s, &mut pieces) / s;
            sum_r += 1.0 - chords.iter().map(|(_, h)| (1.0 - 2.0 * h / s).max(0.0)).product::<f64>();
        }
        (sum_l / ACROSS_SAMPLES as f64, sum_r / ACROSS_SAMPLES as f64)
    }

    /// Mean hits across the band at `bins` along-positions spanning `periods` stamp steps:
    /// the 1D density profile along the motion.
    pub fn profile(&self, step_mm: f64, periods: usize, bins: usize) -> Vec<(f64, f64)> {
        let s = step_mm;
        let span = s * periods as f64;
        let mut chords = Vec::new();
        let mut out: Vec<(f64, f64)> = (0..bins).map(|i| ((i as f64 + 0.5) * span / bins as f64, 0.0)).collect();
        for k in 0..ACROSS_SAMPLES {
            self.chords(self.row(k), &mut chords);
            for (x, v) in out.iter_mut() {
                for &(a, h) in &chords {
                    // Copies a + m·s within h of x: m from ⌈(x−a−h)/s⌉ to ⌊(x−a+h)/s⌋.
                    let n = ((*x - a + h) / s).floor() - ((*x - a - h) / s).ceil() + 1.0;
                    *v += n.max(0.0);
                }
            }
        }
        out.iter_mut().for_each(|(_, v)| *v /= ACROSS_SAMPLES as f64);
        out
    }
}

/// Length covered by intervals `a ± h` on a circle of circumference `s`.
fn union_on_circle(chords: &[(f64, f64)], s: f64, pieces: &mut Vec<(f64, f64)>) -> f64 {
    pieces.clear();
    for &(a, h) in chords {
        if 2.0 * h >= s {
            return s;
        }
        let lo = (a - h).rem_euclid(s);
        let hi = lo + 2.0 * h;
        if hi > s {
            pieces.push((lo, s));
            pieces.push((0.0, hi - s));
        } else {
            pieces.push((lo, hi));
        }
    }
    pieces.sort_by(|x, y| x.0.total_cmp(&y.0));
    let (mut total, mut cur): (f64, Option<(f64, f64)>) = (0.0, None);
    for &(lo, hi) in pieces.iter() {
        cur = match cur {
            Some((clo, chi)) if lo <= chi => Some((clo, chi.max(hi))),
            Some((clo, chi)) => {
                total += chi - clo;
                Some((lo, hi))
            }
            None => Some((lo, hi)),
        };
    }
    if let Some((clo, chi)) = cur {
        total += chi - clo;
    }
    total.min(s)
}

/// Points of the standard normal used to average over a varying hand speed.
const SPEED_NODES: usize = 61;

/// `(L, R)` at `speed_mm_s` for a hand whose speed factor has log-sd `speed_sd_fraction`.
pub fn lane_coverage_at(proj: &Projected, speed_mm_s: f64, frequency_hz: f64, speed_sd_fraction: f64) -> (f64, f64) {
    let s = speed_sd_fraction;
    if s <= 0.0 {
        return proj.lane_coverage(speed_mm_s / frequency_hz);
    }
    let (mut l, mut r, mut wsum) = (0.0, 0.0, 0.0);
    for k in 0..SPEED_NODES {
        let z = -3.0 + 6.0 * k as f64 / (SPEED_NODES - 1) as f64;
        let w = (-0.5 * z * z).exp();
        let (lk, rk) = proj.lane_coverage(speed_mm_s * (s * z - 0.5 * s * s).exp() / frequency_hz);
        (l, r, wsum) = (l + w * lk, r + w * rk, wsum + w);
    }
    (l / wsum, r / wsum)
}

/// The aliasing check of one pass.
#[derive(Clone, Debug, PartialEq)]
pub struct PassAliasing {
    pub pass: usize,
    pub direction_deg: f64,
    pub speed_mm_s: f64,
    /// Log-sd of the hand's speed factor the check averaged over (0 = steady hand).
    pub speed_sd_fraction: f64,
    pub step_mm: f64,
    /// Steady-state coverage of the lane band by one lane, 0–1.
    pub lane_coverage: f64,
    /// The same with incommensurate (random-phase) needles, 0–1.
    pub random_phase_coverage: f64,
    /// `lane_coverage / random_phase_coverage`.
    pub ratio: f64,
    pub flagged: bool,
    /// Needles sharing a track whose along-motion spacing is (near) a whole number of steps:
    /// `(spacing_mm, steps)`, the clearest such pair, for the message.
    pub commensurate: Option<(f64, u32)>,
    /// Speeds to try instead (mm/s), nearest below and above; empty when not flagged.
    pub suggested_speeds_mm_s: Vec<f64>,
}

impl PassAliasing {
    /// The warning text for a flagged pass.
    pub fn warning(&self) -> Option<String> {
        if !self.flagged {
            return None;
        }
        let why = match self.commensurate {
            Some((d, k)) => format!(": needles {d:.3} mm apart along the motion are {k} × the stamp step {:.4} mm", self.step_mm),
            None => format!(" (stamp step {:.4} mm)", self.step_mm),
        };
        let try_ = if self.suggested_speeds_mm_s.is_empty() {
            String::new()
        } else {
            let v: Vec<String> = self.suggested_speeds_mm_s.iter().map(|v| format!("{v:.1}")).collect();
            format!("; try {} mm/s", v.join(" or "))
        };
        Some(format!(
            "pass {} ({}°): aliasing at {} mm/s{why}, so needles land on each other's holes: one lane covers {:.1} % of its band against {:.1} % with incommensurate spacing{try_}",
            self.pass,
            self.direction_deg,
            self.speed_mm_s,
            100.0 * self.lane_coverage,
            100.0 * self.random_phase_coverage,
        ))
    }
}

/// Check one pass of `cartridge` (turned by `rotation_deg`) moving along `direction_deg` at
/// `speed_mm_s`, stamping at `frequency_hz`, by a hand whose speed factor has log-sd
/// `speed_sd_fraction` (0 for a steady hand).
pub fn check_pass(
    cartridge: &Cartridge,
    rotation_deg: f64,
    pass: usize,
    direction_deg: f64,
    speed_mm_s: f64,
    frequency_hz: f64,
    speed_sd_fraction: f64,
) -> PassAliasing {
    let proj = Projected::new(cartridge, rotation_deg, direction_deg);
    let step_mm = speed_mm_s / frequency_hz;
    let (lane, reference) = lane_coverage_at(&proj, speed_mm_s, frequency_hz, speed_sd_fraction);
    let ratio = if reference > 0.0 { lane / reference } else { 1.0 };
    let flagged = ratio < 1.0 - ALIAS_TOLERANCE;
    let suggested = if flagged { suggest(&proj, speed_mm_s, frequency_hz, speed_sd_fraction) } else { Vec::new() };
    PassAliasing {
        pass,
        direction_deg,
        speed_mm_s,
        speed_sd_fraction,
        step_mm,
        lane_coverage: lane,
        random_phase_coverage: reference,
        ratio,
        flagged,
        commensurate: commensurate_pair(&proj, step_mm),
        suggested_speeds_mm_s: suggested,
    }
}

/// Lane coverage and reference over the scanned speeds: `(speed_mm_s, lane, reference)`.
pub fn scan(proj: &Projected, speed_mm_s: f64, frequency_hz: f64, speed_sd_fraction: f64) -> Vec<(f64, f64, f64)> {
    let (lo, hi) = (SCAN_RANGE.0 * speed_mm_s, SCAN_RANGE.1 * speed_mm_s);
    (0..SCAN_SAMPLES)
        .map(|i| {
            let v = lo + (hi - lo) * i as f64 / (SCAN_SAMPLES - 1) as f64;
            let (l, r) = lane_coverage_at(proj, v, frequency_hz, speed_sd_fraction);
            (v, l, r)
        })
        .collect()
}

/// The best speeds of the nearest good speed bands below and above `speed_mm_s`.
fn suggest(proj: &Projected, speed_mm_s: f64, frequency_hz: f64, speed_sd_fraction: f64) -> Vec<f64> {
    let pts = scan(proj, speed_mm_s, frequency_hz, speed_sd_fraction);
    let good: Vec<bool> = pts.iter().map(|(_, l, r)| *r <= 0.0 || l / r >= 1.0 - 0.5 * ALIAS_TOLERANCE).collect();
    // Contiguous good bands as index ranges.
    let mut bands: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, g) in good.iter().enumerate() {
        match (g, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                bands.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        bands.push((s, good.len() - 1));
    }
    // The best speed of a band: its highest ratio (first on ties).
    let best = |(a, b): (usize, usize)| {
        let ratio = |i: usize| if pts[i].2 > 0.0 { pts[i].1 / pts[i].2 } else { 1.0 };
        pts[(a..=b).fold(a, |m, i| if ratio(i) > ratio(m) { i } else { m })].0
    };
    let below = bands.iter().rev().find(|b| pts[b.1].0 < speed_mm_s).copied().map(best);
    let above = bands.iter().find(|b| pts[b.0].0 > speed_mm_s).copied().map(best);
    below.into_iter().chain(above).map(|v| (v * 10.0).round() / 10.0).collect()
}

/// The pair of needles sharing a track (across-motion distance below one radius) whose
/// along-motion spacing is closest to a whole number (≥ 1) of steps, within 10 % of a step.
fn commensurate_pair(proj: &Projected, step_mm: f64) -> Option<(f64, u32)> {
    let n = proj.along_mm.len();
    let mut best: Option<(f64, f64, u32)> = None;
    for i in 0..n {
        for j in i + 1..n {
            if (proj.across_mm[i] - proj.across_mm[j]).abs() >= proj.radius_mm {
                continue;
            }
            let d = (proj.along_mm[i] - proj.along_mm[j]).abs();
            let k = (d / step_mm).round();
            let miss = (d / step_mm - k).abs();
            if k >= 1.0 && miss < 0.1 && best.is_none_or(|b| miss < b.0 || (miss == b.0 && d < b.1)) {
                best = Some((miss, d, k as u32));
            }
        }
    }
    best.map(|(_, d, k)| (d, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pen::cartridge::grid_layout;

    fn grid(cols: usize, rows: usize) -> Cartridge {
        Cartridge { needles_mm: grid_layout(cols, rows, 1.0), needle_diameter_mm: 0.18, depth_mm: 1.0 }
    }

    #[test]
    fn one_needle_covers_its_disk_area_per_step() {
        // One needle: lane coverage = π r² / (s · 2r) whatever the phase (no aliasing possible).
        let c = Cartridge { needles_mm: vec![Vec2::zeros()], needle_diameter_mm: 0.18, depth_mm: 1.0 };
        let p = Projected::new(&c, 0.0, 0.0);
        let (l, r) = p.lane_coverage(0.5);
        let exact = std::f64::consts::PI * 0.09 * 0.09 / (0.5 * 0.18);
        assert!((l - exact).abs() < 0.01 * exact, "{l} vs {exact}");
        assert!((l - r).abs() < 1e-12);
    }

    #[test]
    fn pitch_over_k_aliases_and_halfway_does_not() {
        // 4 × 3 grid, 1 mm pitch, moved along its rows at 120 Hz: speeds 120/k alias.
        let c = grid(4, 3);
        for k in [2.0, 3.0, 4.0] {
            let bad = check_pass(&c, 0.0, 0, 0.0, 120.0 / k, 120.0, 0.0);
            assert!(bad.flagged, "k = {k}: {bad:?}");
            assert_eq!(bad.commensurate.map(|c| c.1), Some(k as u32), "{bad:?}");
            let w = bad.warning().unwrap();
            assert!(w.contains("aliasing") && w.contains("try"), "{w}");
            // A quarter of the way between two aliasing steps spreads the four needles of a row evenly.
            let good = check_pass(&c, 0.0, 0, 0.0, 120.0 / (k + 0.25), 120.0, 0.0);
            assert!(!good.flagged, "k + 1/4 = {}: {good:?}", k + 0.25);
            assert!(good.suggested_speeds_mm_s.is_empty() && good.warning().is_none());
        }
        // Suggestions lie between aliasing speeds and are themselves not flagged.
        let bad = check_pass(&c, 0.0, 0, 0.0, 40.0, 120.0, 0.0);
        assert_eq!(bad.suggested_speeds_mm_s.len(), 2, "{bad:?}");
        for v in &bad.suggested_speeds_mm_s {
            assert!(!check_pass(&c, 0.0, 0, 0.0, *v, 120.0, 0.0).flagged, "{v}");
        }
    }

    #[test]
    fn aliased_lane_coverage_is_one_needle_per_track() {
        // At s = pitch / 3 the four needles of a row share their holes: a row's track is
        // covered as by one needle, π r² · 3 rows / (s · band) exactly.
        let c = grid(4, 3);
        let p = Projected::new(&c, 0.0, 0.0);
        let s = 1.0 / 3.0;
        let (l, _) = p.lane_coverage(s);
        let (lo, hi) = p.band();
        let exact = 3.0 * std::f64::consts::PI * 0.09 * 0.09 / (s * (hi - lo));
        assert!((l - exact).abs() < 0.01 * exact, "{l} vs {exact}");
    }

    #[test]
    fn union_on_a_circle_merges_and_wraps() {
        let mut w = Vec::new();
        assert!((union_on_circle(&[(0.0, 0.1)], 1.0, &mut w) - 0.2).abs() < 1e-12);
        assert!((union_on_circle(&[(0.0, 0.1), (0.05, 0.1)], 1.0, &mut w) - 0.25).abs() < 1e-12);
        assert!((union_on_circle(&[(0.95, 0.1), (3.0, 0.1)], 1.0, &mut w) - 0.25).abs() < 1e-12);
        assert_eq!(union_on_circle(&[(0.0, 0.6)], 1.0, &mut w), 1.0);
    }

    #[test]
    fn profile_integrates_to_mean_hits() {
        // Mean of the profile over whole periods = Σ needle area / (s · band).
        let c = grid(4, 3);
        let p = Projected::new(&c, 17.0, 0.0);
        let s = 0.37;
        let prof = p.profile(s, 2, 2000);
        let mean = prof.iter().map(|(_, v)| v).sum::<f64>() / prof.len() as f64;
        let (lo, hi) = p.band();
        let exact = 12.0 * std::f64::consts::PI * 0.09 * 0.09 / (s * (hi - lo));
        assert!((mean - exact).abs() < 0.02 * exact, "{mean} vs {exact}");
    }
}
