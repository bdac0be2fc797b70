//! Session time and cocktail dose.
//!
//! **Time.** A session is the hand's path time (every pass, stamping and travelling), plus
//! repositioning: lifting the pen and setting it down at the start of each new lane where
//! the pattern lifts it (strokes, stamping; serpentine, circles, random and traces run
//! on), between passes, and between regions; plus the anaesthetic gel's wait when used.
//! The **procedure** (path + repositioning) is compared with the sources' limit: "no more
//! than half an hour" (seeds/001); anaesthetic gel makes the session "20 minutes longer"
//! (seeds/000). Repositioning times have no source and are **assumed**.
//!
//! **Dose.** The pen feeds the cocktail automatically and it "enters the skin at each
//! puncture" (seeds/001): volume = punctures × µL per puncture. No source gives the volume
//! per puncture; the default is **assumed** as ≈ 3 mL over a face session's ≈ 150,000
//! punctures (500 cm² × 300 punctures/cm², shared/domain.md) ≈ 0.02 µL. Every puncture
//! takes cocktail; µL per cm² counts the punctures whose centre lies in the area.

use crate::error::{Error, Result};

/// Procedure limit of the sources, minutes (seeds/001: "no more than half an hour").
pub const PROCEDURE_LIMIT_MIN: f64 = 30.0;
/// Extra time with anaesthetic gel, minutes (seeds/000: "20 minutes longer").
pub const ANAESTHETIC_MIN: f64 = 20.0;
/// Cocktail per puncture, µL (**assumed**: ≈ 3 mL / 150,000 punctures, see the module doc).
pub const DEFAULT_COCKTAIL_UL_PER_PUNCTURE: f64 = 0.02;
/// Lift and set down at a new lane, s (**assumed**).
pub const DEFAULT_REPOSITION_PER_LANE_S: f64 = 1.0;
/// Between passes (look, change direction), s (**assumed**).
pub const DEFAULT_REPOSITION_PER_PASS_S: f64 = 10.0;
/// Between regions of a face, s (**assumed**).
pub const DEFAULT_REPOSITION_PER_REGION_S: f64 = 30.0;

/// How the session is run beyond the passes themselves.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPlan {
    /// Time to lift the pen and set it down at each new lane, s. ≥ 0.
    pub reposition_per_lane_s: f64,
    /// Time between two passes, s. ≥ 0.
    pub reposition_per_pass_s: f64,
    /// Time between two regions, s. ≥ 0.
    pub reposition_per_region_s: f64,
    /// Anaesthetic gel applied first (+[`ANAESTHETIC_MIN`]).
    pub anaesthetic: bool,
    /// Longest procedure, minutes. Positive.
    pub procedure_limit_min: f64,
    /// Cocktail entering the skin at each puncture, µL. ≥ 0.
    pub cocktail_ul_per_puncture: f64,
}

impl Default for SessionPlan {
    fn default() -> Self {
        SessionPlan {
            reposition_per_lane_s: DEFAULT_REPOSITION_PER_LANE_S,
            reposition_per_pass_s: DEFAULT_REPOSITION_PER_PASS_S,
            reposition_per_region_s: DEFAULT_REPOSITION_PER_REGION_S,
            anaesthetic: false,
            procedure_limit_min: PROCEDURE_LIMIT_MIN,
            cocktail_ul_per_puncture: DEFAULT_COCKTAIL_UL_PER_PUNCTURE,
        }
    }
}

/// The time a session takes.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionTime {
    /// Σ pass times (stamping and travel at the hand's speed), s.
    pub path_time_s: f64,
    /// New lanes started with the pen lifted.
    pub lane_changes: usize,
    pub pass_changes: usize,
    pub region_changes: usize,
    pub reposition_time_s: f64,
    /// Path + repositioning, s.
    pub procedure_time_s: f64,
    pub anaesthetic_time_s: f64,
    /// Procedure + anaesthetic, s.
    pub session_time_s: f64,
    pub procedure_limit_s: f64,
    /// Procedure time over the limit (≤ 1 fits).
    pub procedure_fraction_of_limit: f64,
}

/// Cocktail dose of one label (region) of the area.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelDose {
    pub punctures_inside: u64,
    pub area_mm2: f64,
    /// Cocktail delivered inside the label, µL.
    pub ul: f64,
    pub ul_per_cm2: f64,
}

/// Cocktail dose of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Dose {
    pub ul_per_puncture: f64,
    /// All punctures, inside the area or not, µL.
    pub total_ul: f64,
    /// One per label of the domain.
    pub labels: Vec<LabelDose>,
}

impl SessionPlan {
    pub fn validate(&self) -> Result<()> {
        for (key, v) in [
            ("session.reposition_per_lane_s", self.reposition_per_lane_s),
            ("session.reposition_per_pass_s", self.reposition_per_pass_s),
            ("session.reposition_per_region_s", self.reposition_per_region_s),
        ] {
            if !(v.is_finite() && (0.0..=3600.0).contains(&v)) {
                return Err(Error::invalid(key, v, "0 ≤ time ≤ 3600 s"));
            }
        }
        if !(self.procedure_limit_min.is_finite() && self.procedure_limit_min > 0.0 && self.procedure_limit_min <= 1440.0) {
            return Err(Error::invalid("session.procedure_limit_min", self.procedure_limit_min, "0 < limit ≤ 1440 min"));
        }
        if !(self.cocktail_ul_per_puncture.is_finite() && (0.0..=10.0).contains(&self.cocktail_ul_per_puncture)) {
            return Err(Error::invalid("session.cocktail_ul_per_puncture", self.cocktail_ul_per_puncture, "0 ≤ volume ≤ 10 µL"));
        }
        Ok(())
    }

    /// Session time from the pass times and the counts of lifts, passes and regions.
    pub fn time(&self, pass_time_s: &[f64], lane_changes: usize, regions: usize) -> SessionTime {
        self.time_of(pass_time_s.iter().sum(), lane_changes, pass_time_s.len().saturating_sub(1), regions.saturating_sub(1))
    }

    /// Session time from the path time and the counts of lifts, pass changes and region
    /// changes (a face session: each region's passes, then the next region).
    pub fn time_of(&self, path_time_s: f64, lane_changes: usize, pass_changes: usize, region_changes: usize) -> SessionTime {
        let reposition_time_s = lane_changes as f64 * self.reposition_per_lane_s
            + pass_changes as f64 * self.reposition_per_pass_s
            + region_changes as f64 * self.reposition_per_region_s;
        let procedure_time_s = path_time_s + reposition_time_s;
        let anaesthetic_time_s = if self.anaesthetic { ANAESTHETIC_MIN * 60.0 } else { 0.0 };
        let procedure_limit_s = self.procedure_limit_min * 60.0;
        SessionTime {
            path_time_s,
            lane_changes,
            pass_changes,
            region_changes,
            reposition_time_s,
            procedure_time_s,
            anaesthetic_time_s,
            session_time_s: procedure_time_s + anaesthetic_time_s,
            procedure_limit_s,
            procedure_fraction_of_limit: procedure_time_s / procedure_limit_s,
        }
    }

    /// Dose of `punctures` in all, with `inside[l]` punctures centred in label `l` of area
    /// `areas_mm2[l]`.
    pub fn dose(&self, punctures: usize, inside: &[u64], areas_mm2: &[f64]) -> Dose {
        let v = self.cocktail_ul_per_puncture;
        Dose {
            ul_per_puncture: v,
            total_ul: punctures as f64 * v,
            labels: inside
                .iter()
                .zip(areas_mm2)
                .map(|(&n, &a)| LabelDose {
                    punctures_inside: n,
                    area_mm2: a,
                    ul: n as f64 * v,
                    ul_per_cm2: if a > 0.0 { n as f64 * v / a * 100.0 } else { 0.0 },
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_adds_path_repositioning_and_anaesthetic() {
        let plan = SessionPlan { anaesthetic: true, ..SessionPlan::default() };
        let t = plan.time(&[100.0, 200.0, 300.0], 5, 2);
        assert_eq!(t.path_time_s, 600.0);
        assert_eq!((t.lane_changes, t.pass_changes, t.region_changes), (5, 2, 1));
        assert_eq!(t.reposition_time_s, 5.0 * 1.0 + 2.0 * 10.0 + 30.0);
        assert_eq!(t.session_time_s, t.procedure_time_s + 1200.0);
        assert!((t.procedure_fraction_of_limit - 655.0 / 1800.0).abs() < 1e-12);
    }

    #[test]
    fn dose_is_punctures_times_volume() {
        let d = SessionPlan::default().dose(1000, &[800], &[200.0]);
        assert!((d.total_ul - 20.0).abs() < 1e-12);
        // 800 punctures × 0.02 µL over 2 cm².
        assert!((d.labels[0].ul_per_cm2 - 8.0).abs() < 1e-12);
    }

    #[test]
    fn negative_times_are_refused() {
        let e = SessionPlan { reposition_per_lane_s: -1.0, ..SessionPlan::default() }.validate().unwrap_err().to_string();
        assert!(e.contains("session.reposition_per_lane_s") && e.contains("-1"), "{e}");
    }
}
