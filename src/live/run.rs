//! A live session as a run of the core: the exact figures and the report `run` writes, for
//! the export of `needlesim serve`.
//!
//! **Model.** The punctures are the session's own, measured again by the core on the
//! scenario's grid (not the live grid). Only the plan around them is rebuilt, from the
//! strokes:
//! - a group of strokes becomes one pass with pattern `strokes`, at the group's mean speed
//!   (path length / pen-on time), in the mean direction of its strokes (lanes are
//!   undirected: the doubled angle is averaged), lanes one cartridge track wide; its time is
//!   the pen-on time;
//! - on the patch ([`LiveSession::as_run`]) a group is all the strokes of one pass;
//! - on a face ([`LiveSession::as_face_run`]) a group is a run of consecutive strokes drawn
//!   in the same pass, at the same set depth, over the same region, and becomes one
//!   treatment of that region whose pass is the session's pass (not the next pass of the
//!   region). A stroke's region is [`LiveSession::stroke_label`]: the one most of its
//!   punctures landed in (the region under the needle's centre; ties go to the lower label);
//!   a stroke with no puncture in any region belongs to the region whose label anchor is
//!   nearest its first puncture. The live figures over the treated regions use the same rule.
//!
//! Each stroke after the first of its pass is one lift of the pen. The pen is the session's
//! current one (cartridge, frequency, rotation); every puncture keeps the set depth it was
//! made with. The session's live warnings (no-go touches, passes on a spot, hand speed) come
//! first in the run's warnings on the patch; on a face the core's own per-region and no-go
//! warnings replace the first two, the hand speed is summarised over every stroke, and the
//! punctures off the regions and density far above the sources are the core's own.

use crate::error::{Error, Result};
use crate::face::plan::Treatment;
use crate::face::simulation::{FaceRunResult, FaceSimulation};
use crate::face::stamping::{FaceWalk, TreatmentRun};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::sim::{RunResult, Simulation, Walked};
use crate::technique::lanes::{PassPlan, Pattern};

use super::session::{LiveSession, StrokeRecord};

/// A group of strokes as one pass: its plan, stamps and pen-on time.
fn pass_of(strokes: &[&StrokeRecord], cartridge: &Cartridge, device: &Device, fallback_speed_mm_s: f64) -> (PassPlan, usize, f64) {
    let (len, dur): (f64, f64) = strokes.iter().fold((0.0, 0.0), |(l, d), s| (l + s.length_mm, d + s.duration_s()));
    let stamps = strokes.iter().map(|s| s.stamps).sum();
    let (sx, sy) = strokes
        .iter()
        .filter_map(|s| LiveSession::stroke_direction_deg(s))
        .fold((0.0, 0.0), |(x, y), d: f64| (x + (2.0 * d).to_radians().cos(), y + (2.0 * d).to_radians().sin()));
    let direction_deg = if sx == 0.0 && sy == 0.0 { 0.0 } else { 0.5 * f64::atan2(sy, sx).to_degrees() };
    let speed_mm_s = if dur > 0.0 && len > 0.0 { (len / dur).min(1000.0) } else { fallback_speed_mm_s };
    let plan = PassPlan {
        direction_deg,
        pattern: Pattern::Strokes,
        speed_mm_s,
        lane_spacing_mm: cartridge.track_width_mm(direction_deg, device.rotation_deg),
        lane_offset_mm: 0.0,
    };
    (plan, stamps, dur)
}

impl LiveSession {
    /// The direction a stroke's net motion points, degrees (for tests and the page).
    pub fn stroke_direction_deg(stroke: &StrokeRecord) -> Option<f64> {
        let (a, b) = (stroke.samples.first()?, stroke.samples.last()?);
        let d = b.at_mm - a.at_mm;
        (d.norm() > 0.0).then(|| d.y.atan2(d.x).to_degrees())
    }

    /// Passes used (the highest pass drawn + 1), or an error when nothing was drawn.
    fn passes_drawn(&self) -> Result<usize> {
        self.strokes()
            .iter()
            .map(|s| s.pass as usize + 1)
            .max()
            .ok_or_else(|| Error::invalid("session", "no strokes", "at least one stroke to export"))
    }

    /// Each stroke after the first of its pass is one lift of the pen.
    fn lane_changes(&self, stamps_per_pass: &[usize]) -> usize {
        self.strokes().len().saturating_sub(stamps_per_pass.iter().filter(|&&n| n > 0).count())
    }

    /// The punctures of each stroke, as index ranges into [`LiveSession::punctures`].
    fn stroke_ranges(&self) -> Vec<std::ops::Range<usize>> {
        let s = self.strokes();
        let n = self.punctures().len();
        s.iter().enumerate().map(|(i, r)| r.first_puncture..s.get(i + 1).map_or(n, |q| q.first_puncture)).collect()
    }

    /// The session as a run of the patch scenario `base` (its area and grid); see the
    /// module doc.
    pub fn as_run(&self, base: &Simulation) -> Result<(Simulation, RunResult)> {
        let passes = self.passes_drawn()?;
        let mut sim = base.clone();
        sim.cartridge = self.pen().cartridge.clone();
        sim.device = self.pen().device.clone();
        sim.halo_mm = self.halo_mm();
        let mut stamps_per_pass = vec![0usize; passes];
        let mut time_s = vec![0.0; passes];
        sim.passes = (0..passes)
            .map(|p| {
                let mine: Vec<&StrokeRecord> = self.strokes().iter().filter(|s| s.pass as usize == p).collect();
                let (plan, stamps, dur) = pass_of(&mine, &sim.cartridge, &sim.device, base.passes[0].speed_mm_s);
                (stamps_per_pass[p], time_s[p]) = (stamps, dur);
                plan
            })
            .collect();
        let mut warnings = sim.validate()?;
        sim.check_resources()?;
        warnings.splice(0..0, self.metrics().warnings);
        let lane_changes = self.lane_changes(&stamps_per_pass);
        let walked = Walked { punctures: self.punctures().to_vec(), stamps_per_pass, pass_time_s: time_s, tilt_clipped: 0, lane_changes };
        let result = sim.evaluate(walked, warnings);
        Ok((sim, result))
    }

    /// The session as a face session of `base` (its map, grid, skin, technique and
    /// pictures); see the module doc. The session must have been drawn on `base`'s map.
    pub fn as_face_run(&self, base: &FaceSimulation) -> Result<(FaceSimulation, FaceRunResult)> {
        let passes = self.passes_drawn()?;
        let mut sim = base.clone();
        sim.cartridge = self.pen().cartridge.clone();
        sim.device = self.pen().device.clone();
        sim.halo_mm = self.halo_mm();
        sim.picture = true;
        let punctures = self.punctures();
        let fallback_speed_mm_s = base.treatments.first().and_then(|t| t.passes.first()).map_or(100.0, |p| p.speed_mm_s);

        // Group consecutive strokes by (region, pass, set depth).
        let ranges = self.stroke_ranges();
        let mut groups: Vec<(u16, u16, f64, Vec<usize>)> = Vec::new();
        for (i, s) in self.strokes().iter().enumerate() {
            let region = self.stroke_label(s);
            let depth_mm = s.pen.cartridge.depth_mm;
            match groups.last_mut() {
                Some((r, p, d, members)) if *r == region && *p == s.pass && *d == depth_mm => members.push(i),
                _ => groups.push((region, s.pass, depth_mm, vec![i])),
            }
        }
        let mut walked = FaceWalk {
            punctures: punctures.to_vec(),
            treatments: Vec::with_capacity(groups.len()),
            stamps_per_pass: vec![0; passes],
            pass_time_s: vec![0.0; passes],
            tilt_clipped: 0,
            lane_changes: 0,
        };
        sim.treatments = groups
            .iter()
            .map(|(region, pass, depth_mm, members)| {
                let strokes: Vec<&StrokeRecord> = members.iter().map(|&i| &self.strokes()[i]).collect();
                let (plan, stamps, dur) = pass_of(&strokes, &sim.cartridge, &sim.device, fallback_speed_mm_s);
                let p = *pass as usize;
                walked.stamps_per_pass[p] += stamps;
                walked.pass_time_s[p] += dur;
                let first = ranges[members[0]].start;
                let last = ranges[*members.last().expect("a group has a stroke")].end;
                walked.treatments.push(TreatmentRun {
                    stamps_per_pass: vec![stamps],
                    pass_time_s: vec![dur],
                    first_pass: p,
                    punctures: first..last,
                    unplaced: 0,
                });
                Treatment { region: *region, depth_mm: *depth_mm, passes: vec![plan], first_pass: Some(p) }
            })
            .collect();
        walked.lane_changes = self.lane_changes(&walked.stamps_per_pass);
        let mut warnings = self.speed_warnings();
        warnings.extend(sim.validate()?);
        sim.check_resources(walked.stamps_per_pass.iter().sum::<usize>() as f64)?;
        let result = sim.evaluate(walked, warnings);
        Ok((sim, result))
    }

    /// The hand speed of every stroke, summarised: how many strokes were too fast or too
    /// slow for the target density, with their speed ranges (a held pen counts at 0 mm/s).
    pub fn speed_warnings(&self) -> Vec<String> {
        let checks: Vec<_> = self.strokes().iter().filter_map(|s| self.speed_check(s)).collect();
        let Some(first) = checks.first() else { return Vec::new() };
        let (lo, hi) = self.target_density_per_cm2();
        let (fast, slow) = first.target_speed_mm_s;
        let mut out = Vec::new();
        for (verdict, word) in [(1, "too fast"), (-1, "too slow")] {
            let speeds: Vec<f64> = checks.iter().filter(|c| c.verdict == verdict).map(|c| c.speed_mm_s).collect();
            if speeds.is_empty() {
                continue;
            }
            let (min, max) = speeds.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            out.push(format!(
                "{} of {} strokes {word} ({min:.0}–{max:.0} mm/s): the target {lo:.0}–{hi:.0} punctures/cm² per pass needs {slow:.0}–{fast:.0} mm/s with the current pen",
                speeds.len(),
                checks.len()
            ));
        }
        out
    }
}
