//! The technique's part of `summary.json`: hand, drag, passes per spot, session time, dose
//! and gaps. New keys only; units in the names.

use serde::Serialize;

use crate::sim::{RunResult, Simulation};

#[derive(Clone, Debug, Serialize)]
pub struct HandSummary {
    /// True when every knob is at the ideal hand's value.
    pub ideal: bool,
    pub speed_sd_fraction: f64,
    pub speed_time_constant_s: f64,
    pub tremor_amplitude_mm: f64,
    pub tremor_time_constant_s: f64,
    pub tilt_mean_deg: f64,
    pub tilt_sd_deg: f64,
    pub tilt_time_constant_s: f64,
    pub tilt_azimuth_deg: f64,
    pub frequency_jitter_fraction: f64,
    /// Mean |tilt| of the punctures from perpendicular (device angle included), degrees.
    pub mean_tilt_deg: f64,
    /// Mean vertical depth over set depth, cos(tilt).
    pub mean_depth_factor: f64,
    /// Set depth × mean depth factor, mm (skin deformation not included).
    pub mean_vertical_depth_mm: f64,
    /// Stamps whose tilt draw was clipped to 80°.
    pub tilt_clipped_stamps: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DragSummary {
    pub contact_duty: f64,
    /// Mean length of the slots the dragged needles cut, mm.
    pub mean_drag_mm: f64,
    /// Hole coverage had the same needles not been dragged.
    pub coverage_without_drag: f64,
    /// Hole coverage with drag minus without.
    pub coverage_change: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionSummary {
    pub path_time_s: f64,
    pub lane_changes: usize,
    pub pass_changes: usize,
    pub reposition_per_lane_s: f64,
    pub reposition_per_pass_s: f64,
    pub reposition_time_s: f64,
    pub procedure_time_s: f64,
    pub procedure_time_min: f64,
    pub anaesthetic: bool,
    pub anaesthetic_time_s: f64,
    pub session_time_s: f64,
    pub session_time_min: f64,
    pub procedure_limit_min: f64,
    /// Procedure time over the limit (≤ 1 fits in the sources' 30 minutes).
    pub procedure_fraction_of_limit: f64,
    pub within_procedure_limit: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoseSummary {
    /// µL per puncture (default 0.02 µL, assumed; see `session.rs`).
    pub cocktail_ul_per_puncture: f64,
    /// Every puncture's cocktail, µL.
    pub total_ul: f64,
    /// Cocktail of the punctures centred in the area, µL.
    pub area_ul: f64,
    pub ul_per_cm2: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GapsSummary {
    pub bin_mm: f64,
    pub bins: usize,
    /// Fraction of the 1 mm bins with no puncture centre.
    pub empty_bin_fraction: f64,
    /// Side of the largest square of empty bins, mm.
    pub largest_gap_mm: f64,
}

impl HandSummary {
    pub fn new(sim: &Simulation, r: &RunResult) -> Self {
        let h = &sim.technique.hand;
        let t = &r.technique;
        HandSummary {
            ideal: h.is_ideal(),
            speed_sd_fraction: h.speed_sd_fraction,
            speed_time_constant_s: h.speed_time_constant_s,
            tremor_amplitude_mm: h.tremor_amplitude_mm,
            tremor_time_constant_s: h.tremor_time_constant_s,
            tilt_mean_deg: h.tilt_mean_deg,
            tilt_sd_deg: h.tilt_sd_deg,
            tilt_time_constant_s: h.tilt_time_constant_s,
            tilt_azimuth_deg: h.tilt_azimuth_deg,
            frequency_jitter_fraction: h.frequency_jitter_fraction,
            mean_tilt_deg: t.mean_tilt_deg,
            mean_depth_factor: t.mean_depth_factor,
            mean_vertical_depth_mm: sim.cartridge.depth_mm * t.mean_depth_factor,
            tilt_clipped_stamps: t.tilt_clipped,
        }
    }
}

impl DragSummary {
    pub fn new(sim: &Simulation, r: &RunResult) -> Option<Self> {
        let duty = sim.device.contact_duty?;
        let without = r.technique.coverage_without_drag.unwrap_or(r.hole_coverage.coverage);
        Some(DragSummary {
            contact_duty: duty,
            mean_drag_mm: r.technique.mean_drag_mm,
            coverage_without_drag: without,
            coverage_change: r.hole_coverage.coverage - without,
        })
    }
}

impl SessionSummary {
    pub fn new(sim: &Simulation, r: &RunResult) -> Self {
        let s = &r.technique.session;
        let p = &sim.technique.session;
        SessionSummary {
            path_time_s: s.path_time_s,
            lane_changes: s.lane_changes,
            pass_changes: s.pass_changes,
            reposition_per_lane_s: p.reposition_per_lane_s,
            reposition_per_pass_s: p.reposition_per_pass_s,
            reposition_time_s: s.reposition_time_s,
            procedure_time_s: s.procedure_time_s,
            procedure_time_min: s.procedure_time_s / 60.0,
            anaesthetic: p.anaesthetic,
            anaesthetic_time_s: s.anaesthetic_time_s,
            session_time_s: s.session_time_s,
            session_time_min: s.session_time_s / 60.0,
            procedure_limit_min: p.procedure_limit_min,
            procedure_fraction_of_limit: s.procedure_fraction_of_limit,
            within_procedure_limit: s.procedure_fraction_of_limit <= 1.0,
        }
    }
}

impl DoseSummary {
    pub fn new(r: &RunResult) -> Self {
        let d = &r.technique.dose;
        let area = &d.labels[0];
        DoseSummary { cocktail_ul_per_puncture: d.ul_per_puncture, total_ul: d.total_ul, area_ul: area.ul, ul_per_cm2: area.ul_per_cm2 }
    }
}

impl GapsSummary {
    pub fn new(r: &RunResult) -> Self {
        let g = &r.technique.gaps;
        GapsSummary { bin_mm: g.bin_mm, bins: g.bins, empty_bin_fraction: g.empty_bin_fraction, largest_gap_mm: g.largest_gap_mm }
    }
}
