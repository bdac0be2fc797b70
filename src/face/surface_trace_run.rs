//! A recorded trace on a face surface run as a session: the strokes of a live 3D session
//! (chart samples with their times, [`TraceStroke`]) stamped and landed by
//! [`crate::surface::trace::run_trace`], the same core the live session uses, then measured
//! as a surface run ([`SurfaceSimulation::evaluate`]): the same summary, punctures and
//! pictures as a planned surface session. No IO.
//!
//! **Model.** The punctures are the trace's, bit for bit those of a live session that drew
//! the same strokes with the same pen (the pen at 90° to the skin). Only the plan around them
//! is rebuilt, as the flat face export does: a run of consecutive
//! strokes drawn in the same pass over the same region becomes one treatment of that region
//! (pass = the stroke's pass, pattern `strokes`, speed = skin length / pen-on time, lanes one
//! cartridge track wide, time = pen-on time). A stroke's region is the one most of its
//! punctures' centres landed on (ties go to the lower region); a stroke with no puncture on
//! a region counts for region 0 (its punctures are "off the regions" in the figures).
//! Treated regions are the strokes' regions. Units: s, chart mm, skin mm.

use crate::error::{Error, Result};
use crate::raster::accumulate::MAX_PASSES;
use crate::surface::place::{NO_TRIANGLE, PenOrientation};
use crate::surface::trace::{TraceStroke, run_trace};
use crate::technique::lanes::{PassPlan, Pattern};

use super::plan::{Treatment, pass_numbers};
use super::stamping::TreatmentRun;
use super::surface_simulation::{Placed, SurfaceRunResult, SurfaceSimulation};

/// Run `strokes` on `base`'s surface with its pen, grid, halo and skin (its treatments are
/// replaced by the strokes' own, see the module doc). Returns the session as run and its
/// figures. Errors: no strokes, a pass beyond [`MAX_PASSES`], a pen not normal to the skin,
/// a bad sample (its stroke and index).
pub fn run_surface_trace(base: &SurfaceSimulation, strokes: &[TraceStroke]) -> Result<(SurfaceSimulation, SurfaceRunResult)> {
    if strokes.is_empty() || strokes.iter().all(|s| s.samples.is_empty()) {
        return Err(Error::invalid("trace", "no samples", "at least one stroke with a sample"));
    }
    if base.orientation != PenOrientation::Normal {
        return Err(Error::invalid(
            "face.pen_orientation",
            base.orientation.name(),
            "\"normal\" with a recorded trace (the live pen is at 90° to the skin)",
        ));
    }
    if let Some(s) = strokes.iter().find(|s| s.pass as usize >= MAX_PASSES) {
        return Err(Error::invalid("trace pass", s.pass, format!("0–{}", MAX_PASSES - 1)));
    }
    let chart = base.chart()?;
    let run = run_trace(&chart, &base.cartridge, &base.device, strokes)?;
    let needles = base.cartridge.needle_count();
    let regions = base.face.regions.len();
    // Each stroke's puncture range and region.
    let mut ranges = Vec::with_capacity(strokes.len());
    let mut start = 0usize;
    for &stamps in &run.stamps {
        ranges.push(start..start + stamps * needles);
        start += stamps * needles;
    }
    let region_of_stroke = |range: &std::ops::Range<usize>| -> u16 {
        let mut count = vec![0usize; regions];
        for &t in &run.landing.tri[range.clone()] {
            if t != NO_TRIANGLE
                && let Some(c) = count.get_mut(chart.tris[t as usize].group as usize)
            {
                *c += 1;
            }
        }
        // Most punctures; ties to the lower region (max_by_key keeps the last maximum).
        count.iter().enumerate().rev().max_by_key(|(_, c)| **c).filter(|(_, c)| **c > 0).map_or(0, |(g, _)| g as u16)
    };
    let passes = strokes.iter().map(|s| s.pass as usize + 1).max().unwrap_or(1);
    let mut sim = base.clone();
    sim.treatments.clear();
    let mut runs: Vec<TreatmentRun> = Vec::new();
    let mut aimed = vec![0u16; run.punctures.len()];
    let mut stamps_per_pass = vec![0usize; passes];
    let mut pass_time_s = vec![0.0; passes];
    // Skin length and pen-on time of each treatment, for its speed.
    let mut drawn: Vec<(f64, f64)> = Vec::new();
    for (k, s) in strokes.iter().enumerate() {
        let region = region_of_stroke(&ranges[k]);
        let duration_s = match (s.samples.first(), s.samples.last()) {
            (Some(a), Some(b)) => b.t_s - a.t_s,
            _ => 0.0,
        };
        aimed[ranges[k].clone()].fill(region);
        stamps_per_pass[s.pass as usize] += run.stamps[k];
        pass_time_s[s.pass as usize] += duration_s;
        let same = sim.treatments.last().is_some_and(|t| t.region == region && t.first_pass == Some(s.pass as usize));
        if !same {
            sim.treatments.push(Treatment {
                region,
                depth_mm: base.cartridge.depth_mm,
                passes: Vec::new(),
                first_pass: Some(s.pass as usize),
            });
            runs.push(TreatmentRun {
                stamps_per_pass: vec![0],
                pass_time_s: vec![0.0],
                first_pass: s.pass as usize,
                punctures: ranges[k].start..ranges[k].start,
                unplaced: 0,
            });
            drawn.push((0.0, 0.0));
        }
        let r = runs.last_mut().expect("pushed");
        r.stamps_per_pass[0] += run.stamps[k];
        r.pass_time_s[0] += duration_s;
        r.punctures.end = ranges[k].end;
        let d = drawn.last_mut().expect("pushed");
        d.0 += run.skin_mm[k];
        d.1 += duration_s;
    }
    let fallback_speed_mm_s = 1.0;
    for (t, &(len, dur)) in sim.treatments.iter_mut().zip(&drawn) {
        let speed_mm_s = if dur > 0.0 && len > 0.0 { (len / dur).min(1000.0) } else { fallback_speed_mm_s };
        t.passes = vec![PassPlan {
            direction_deg: 0.0,
            pattern: Pattern::Strokes,
            speed_mm_s,
            lane_spacing_mm: base.cartridge.track_width_mm(0.0, base.device.rotation_deg),
            lane_offset_mm: 0.0,
        }];
    }
    sim.refuse_tilt_and_drag_for_trace()?;
    let warnings = sim.validate(&chart)?;
    let grid = sim.surface_grid(&chart)?;
    let per_region = pass_numbers(&sim.treatments, sim.face.regions.len()).1;
    // The pen is lifted between strokes.
    let lane_changes = strokes.len().saturating_sub(1);
    let placed = Placed {
        punctures: run.punctures,
        landing: run.landing,
        aimed,
        stamps_per_pass,
        pass_time_s,
        treatments: runs,
        per_region,
        lane_changes,
    };
    let result = sim.evaluate(&chart, grid, passes, placed, warnings)?;
    Ok((sim, result))
}
