//! The scenario's technique tables beyond `[technique]`: `[hand]`, `[session]`, `[trace]`,
//! and their conversion into core types. Every key is optional and defaults to the ideal
//! hand / the default session; absent tables are not written back into the resolved
//! scenario, so a scenario without them resolves to the same text as before they existed.
//!
//! ```toml
//! [hand]     # speed_sd_fraction; speed_time_constant_s; tremor_amplitude_mm;
//!            # tremor_time_constant_s; tilt_mean_deg; tilt_sd_deg; tilt_time_constant_s;
//!            # tilt_azimuth_deg; frequency_jitter_fraction
//! [session]  # reposition_per_lane_s; reposition_per_pass_s; reposition_per_region_s;
//!            # anaesthetic; procedure_limit_min; cocktail_ul_per_puncture
//! [trace]    # file (CSV [stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg], relative to the scenario); max_gap_s
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::technique::hand::Hand;
use crate::technique::lanes::{PassPlan, Pattern};
use crate::technique::session_time::SessionPlan;
use crate::technique::trajectory::Trajectory;

use super::trace_csv::{self, TraceRules};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HandFile {
    pub speed_sd_fraction: f64,
    pub speed_time_constant_s: f64,
    pub tremor_amplitude_mm: f64,
    pub tremor_time_constant_s: f64,
    pub tilt_mean_deg: f64,
    pub tilt_sd_deg: f64,
    pub tilt_time_constant_s: f64,
    pub tilt_azimuth_deg: f64,
    pub frequency_jitter_fraction: f64,
}

impl Default for HandFile {
    fn default() -> Self {
        let h = Hand::default();
        HandFile {
            speed_sd_fraction: h.speed_sd_fraction,
            speed_time_constant_s: h.speed_time_constant_s,
            tremor_amplitude_mm: h.tremor_amplitude_mm,
            tremor_time_constant_s: h.tremor_time_constant_s,
            tilt_mean_deg: h.tilt_mean_deg,
            tilt_sd_deg: h.tilt_sd_deg,
            tilt_time_constant_s: h.tilt_time_constant_s,
            tilt_azimuth_deg: h.tilt_azimuth_deg,
            frequency_jitter_fraction: h.frequency_jitter_fraction,
        }
    }
}

impl HandFile {
    pub fn to_hand(&self) -> Result<Hand> {
        let h = Hand {
            speed_sd_fraction: self.speed_sd_fraction,
            speed_time_constant_s: self.speed_time_constant_s,
            tremor_amplitude_mm: self.tremor_amplitude_mm,
            tremor_time_constant_s: self.tremor_time_constant_s,
            tilt_mean_deg: self.tilt_mean_deg,
            tilt_sd_deg: self.tilt_sd_deg,
            tilt_time_constant_s: self.tilt_time_constant_s,
            tilt_azimuth_deg: self.tilt_azimuth_deg,
            frequency_jitter_fraction: self.frequency_jitter_fraction,
        };
        h.validate()?;
        Ok(h)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SessionFile {
    pub reposition_per_lane_s: f64,
    pub reposition_per_pass_s: f64,
    pub reposition_per_region_s: f64,
    pub anaesthetic: bool,
    pub procedure_limit_min: f64,
    /// µL per puncture; the default is assumed (see `session.rs`).
    pub cocktail_ul_per_puncture: f64,
}

impl Default for SessionFile {
    fn default() -> Self {
        let s = SessionPlan::default();
        SessionFile {
            reposition_per_lane_s: s.reposition_per_lane_s,
            reposition_per_pass_s: s.reposition_per_pass_s,
            reposition_per_region_s: s.reposition_per_region_s,
            anaesthetic: s.anaesthetic,
            procedure_limit_min: s.procedure_limit_min,
            cocktail_ul_per_puncture: s.cocktail_ul_per_puncture,
        }
    }
}

impl SessionFile {
    pub fn to_plan(&self) -> Result<SessionPlan> {
        let s = SessionPlan {
            reposition_per_lane_s: self.reposition_per_lane_s,
            reposition_per_pass_s: self.reposition_per_pass_s,
            reposition_per_region_s: self.reposition_per_region_s,
            anaesthetic: self.anaesthetic,
            procedure_limit_min: self.procedure_limit_min,
            cocktail_ul_per_puncture: self.cocktail_ul_per_puncture,
        };
        s.validate()?;
        Ok(s)
    }
}

/// Default largest gap between two trace samples, s (**assumed**: a tracker silent for
/// longer than 0.1 s has dropped out).
pub const DEFAULT_MAX_GAP_S: f64 = 0.1;
/// Largest `trace.max_gap_s` allowed, s.
pub const MAX_GAP_LIMIT_S: f64 = 60.0;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// CSV `[stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg]`, relative to the scenario file's folder.
    pub file: String,
    /// Largest allowed time between two samples (of one stroke), s.
    #[serde(default = "default_max_gap_s")]
    pub max_gap_s: f64,
}

fn default_max_gap_s() -> f64 {
    DEFAULT_MAX_GAP_S
}

impl TraceFile {
    /// Read the trace relative to `base_dir`, checking it against the map `map` and the
    /// scenario's `passes`: with a pass column, every pass with the trace pattern must be one
    /// the file has rows up to (a pass beyond the file's last is refused; passes the scenario
    /// does not replay are warnings, see `Technique::trace_warnings`).
    pub fn load(&self, base_dir: &Path, map: Rect, passes: &[PassPlan]) -> Result<Trajectory> {
        if !(self.max_gap_s.is_finite() && self.max_gap_s > 0.0 && self.max_gap_s <= MAX_GAP_LIMIT_S) {
            return Err(Error::invalid("trace.max_gap_s", self.max_gap_s, format!("0 < gap ≤ {MAX_GAP_LIMIT_S} s")));
        }
        let path = base_dir.join(&self.file);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let trace = trace_csv::read(&text, &path, &TraceRules { max_gap_s: self.max_gap_s, map })?;
        if let Some(n) = trace.pass_count()
            && let Some(k) = (n..passes.len()).find(|&k| passes[k].pattern == Pattern::Trace)
        {
            let have = if n == 1 { "pass 0".to_string() } else { format!("passes 0–{}", n - 1) };
            return Err(Error::parse(
                &path,
                format!(
                    "pass {k} of the scenario replays this trace (technique.passes = {}), but its pass column has rows for {have} only: add rows with pass = {k}, or run fewer passes",
                    passes.len()
                ),
            ));
        }
        Ok(trace)
    }
}
