//! The pipeline: a validated [`Simulation`] in, punctures and metrics out. No IO.
//!
//! Each pass draws from its own random stream: ChaCha8 seeded with the scenario seed, stream
//! number = pass index (the `random` pattern) and [`crate::technique::hand::HAND_STREAM_BASE`] + pass
//! index (the hand). Nothing depends on the thread count.
//!
//! A pass with the ideal technique (ideal hand, perpendicular pen, instantaneous needles,
//! a planned pattern) is stamped by [`lanes::plan_pass`], exactly as before the hand model
//! existed; any other pass by [`crate::technique::walk::walk_pass`].

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::metrics::aliasing;
use crate::metrics::gaps::{self, Gaps};
use crate::metrics::{self, Coverage, Density};
use crate::needle::puncture::{self, Puncture};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::raster::accumulate::{self, Accumulation, Layers, MAX_PASSES, Request};
use crate::raster::domain::RectDomain;
use crate::raster::frames::{self, Frames};
use crate::raster::grid::GridSpec;
use crate::technique::lanes::{self, PassPlan, Pattern};
use crate::technique::session_time::{Dose, SessionTime};
use crate::technique::walk;
use crate::technique::{self, Technique};

use super::resources::{self, Advice, Limits, PICTURE_MAX_PX, Workload};

/// Narrowest lane spacing accepted, mm (a tenth of a needle: anything closer is a typo, and
/// it bounds the number of lanes a pass can have).
pub const MIN_LANE_SPACING_MM: f64 = 0.01;

/// Check a treated-zone halo, mm (`coverage.halo_mm`: 0 ≤ halo ≤ 5).
pub fn check_halo(halo_mm: f64) -> Result<()> {
    if !(halo_mm.is_finite() && (0.0..=5.0).contains(&halo_mm)) {
        return Err(Error::invalid("coverage.halo_mm", halo_mm, "0 ≤ halo ≤ 5 mm"));
    }
    Ok(())
}

/// Everything a run needs, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    pub name: String,
    pub seed: u64,
    pub cartridge: Cartridge,
    pub device: Device,
    /// The treated patch, mm.
    pub area: Rect,
    pub passes: Vec<PassPlan>,
    pub grid: GridSpec,
    /// Treated-zone halo around each hole, mm (0 = hole only).
    pub halo_mm: f64,
    /// Record what the pictures need: a down-sampled picture of the hit counts, one layer
    /// per pass, and the animation frames.
    pub picture: bool,
    /// Animation frames to record over the session (0 = no animation); used when `picture`
    /// is set. How the pictures look is the front end's business (the render settings).
    pub frames: usize,
    pub limits: Limits,
    /// Hand, recorded trajectory and session (default: the ideal technique).
    pub technique: Technique,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub punctures: Vec<Puncture>,
    /// Stamps of each pass.
    pub stamps_per_pass: Vec<usize>,
    /// Time each pass takes at the set speed (path + travel between strokes), s.
    pub pass_time_s: Vec<f64>,
    /// Needle-hole footprint.
    pub hole: Accumulation,
    pub hole_coverage: Coverage,
    /// Footprint grown by the halo; `None` when the halo is 0.
    pub zone: Option<(Accumulation, Coverage)>,
    pub density: Density,
    /// Punctures whose centre fell outside the area (cartridge overhang at the edges).
    pub punctures_outside: u64,
    /// Animation frames of the session (empty without pictures); the hole accumulation's
    /// `Tally::first_frame` counts the cells each frame newly covers.
    pub frames: Frames,
    pub warnings: Vec<String>,
    /// What the hand did, the session time and the dose.
    pub technique: TechniqueReport,
    /// Aliasing check of each lane pass (random passes have none).
    pub aliasing: Vec<aliasing::PassAliasing>,
}

/// The technique's figures of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct TechniqueReport {
    /// Stamps whose tilt draw was clipped to the largest tilt.
    pub tilt_clipped: u64,
    /// Mean |tilt| from perpendicular over the punctures, degrees.
    pub mean_tilt_deg: f64,
    /// Mean vertical depth over set depth, `cos(tilt)`.
    pub mean_depth_factor: f64,
    /// Mean drag length over the punctures, mm.
    pub mean_drag_mm: f64,
    /// Hole coverage of the same punctures without drag; `None` when there is no drag.
    pub coverage_without_drag: Option<f64>,
    pub session: SessionTime,
    pub dose: Dose,
    pub gaps: Gaps,
}

/// Stamped punctures of every pass, with what the hand did.
#[derive(Clone, Debug)]
pub struct Walked {
    pub punctures: Vec<Puncture>,
    pub stamps_per_pass: Vec<usize>,
    pub pass_time_s: Vec<f64>,
    pub tilt_clipped: u64,
    pub lane_changes: usize,
}

impl Simulation {
    /// Check the parts fit together; returns the warnings of a legal but risky setting.
    pub fn validate(&self) -> Result<Vec<String>> {
        self.cartridge.validate()?;
        self.device.validate()?;
        self.device.check_depth(self.cartridge.depth_mm)?;
        let a = &self.area;
        if !(a.x0.is_finite() && a.y0.is_finite() && a.x1.is_finite() && a.y1.is_finite()) || a.width() <= 0.0 || a.height() <= 0.0 {
            return Err(Error::invalid(
                "patch",
                format!("{} × {} mm", a.width(), a.height()),
                "a finite rectangle with positive width and height",
            ));
        }
        if self.passes.is_empty() || self.passes.len() > MAX_PASSES {
            return Err(Error::invalid("technique.passes", self.passes.len(), format!("1–{MAX_PASSES} passes")));
        }
        for (i, p) in self.passes.iter().enumerate() {
            if !(p.speed_mm_s.is_finite() && p.speed_mm_s > 0.0 && p.speed_mm_s <= 1000.0) {
                return Err(Error::invalid(format!("technique.passes[{i}].speed_mm_s"), p.speed_mm_s, "0 < speed ≤ 1000 mm/s"));
            }
            if !(p.lane_spacing_mm.is_finite() && p.lane_spacing_mm >= MIN_LANE_SPACING_MM && p.lane_spacing_mm <= 100.0) {
                return Err(Error::invalid(
                    format!("technique.passes[{i}].lane_spacing_mm"),
                    p.lane_spacing_mm,
                    format!("{MIN_LANE_SPACING_MM}–100 mm"),
                ));
            }
            if !(p.direction_deg.is_finite() && p.lane_offset_mm.is_finite()) {
                return Err(Error::invalid(format!("technique.passes[{i}].direction_deg"), p.direction_deg, "a finite angle"));
            }
        }
        let h = self.grid.resolution_mm;
        if !(h.is_finite() && h > 0.0 && h <= crate::raster::grid::DEFAULT_RESOLUTION_MM * 5.0) {
            return Err(Error::invalid("grid.resolution_mm", h, "0 < resolution ≤ 0.05 mm"));
        }
        check_halo(self.halo_mm)?;
        self.technique.validate(&self.passes)?;
        let mut warnings: Vec<String> = self.device.frequency_warning().into_iter().collect();
        warnings.extend(self.technique.trace_warnings(&self.passes));
        let tilt = 90.0 - self.device.angle_deg + self.technique.hand.tilt_mean_deg;
        if tilt > 10.0 {
            warnings.push(format!(
                "the pen is held {tilt:.0}° from perpendicular on average: the sources prescribe 90° to the skin; depth is shortened by cos(tilt) = {:.2}",
                crate::needle::footprint::tilt_depth_factor(tilt)
            ));
        }
        if self.passes.len() > 4 {
            warnings.push(format!(
                "{} passes over the same area: the sources advise no more than 3–4 passes over one place",
                self.passes.len()
            ));
        }
        for (i, p) in self.passes.iter().enumerate() {
            let mut w = self.cartridge.track_width_mm(p.direction_deg, self.device.rotation_deg);
            if let Pattern::Circles { radius_mm, .. } = p.pattern {
                w += 2.0 * radius_mm; // the circles widen the band a lane treats
            }
            // Random and recorded passes have no lanes.
            let laned = !matches!(p.pattern, Pattern::Random | Pattern::Trace);
            if laned && p.lane_spacing_mm > w + 1e-9 {
                warnings.push(format!(
                    "pass {i}: lane spacing {:.3} mm is wider than the cartridge track ({w:.3} mm): untreated stripes between lanes",
                    p.lane_spacing_mm
                ));
            }
        }
        Ok(warnings)
    }

    /// Stamps and punctures of every pass (no accumulation).
    pub fn punctures(&self) -> (Vec<Puncture>, Vec<usize>, Vec<f64>) {
        let w = self.walk();
        (w.punctures, w.stamps_per_pass, w.pass_time_s)
    }

    /// Stamps and punctures of every pass, with what the hand did.
    pub fn walk(&self) -> Walked {
        let mut out = Vec::new();
        let mut stamps_per_pass = Vec::with_capacity(self.passes.len());
        let mut times = Vec::with_capacity(self.passes.len());
        let (mut tilt_clipped, mut lane_changes) = (0, 0);
        for (i, plan) in self.passes.iter().enumerate() {
            lane_changes += technique::lane_changes(&self.area, plan);
            if self.technique.is_ideal_for(&self.device, plan) {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(i as u64);
                let stamps = lanes::plan_pass(&self.area, plan, self.device.frequency_hz, &mut rng);
                let (down, up) = lanes::path_length_mm(&lanes::path(&self.area, plan));
                times.push((down + up) / plan.speed_mm_s);
                stamps_per_pass.push(stamps.len());
                puncture::place(&self.cartridge, &self.device, i as u16, &stamps, &mut out);
            } else {
                let w = walk::walk_pass(&self.area, plan, &self.device, &self.technique.hand, self.technique.trace.as_ref(), self.seed, i);
                times.push(w.time_s);
                stamps_per_pass.push(w.stamps.len());
                tilt_clipped += w.tilt_clipped;
                puncture::place_hand(&self.cartridge, &self.device, i as u16, &w.stamps, &mut out);
            }
        }
        Walked { punctures: out, stamps_per_pass, pass_time_s: times, tilt_clipped, lane_changes }
    }

    /// Estimated stamps of the whole run, from the path lengths (no allocation).
    pub fn estimated_stamps(&self) -> f64 {
        // Period jitter can only add a few stamps; allow for 3 sd of it.
        let jitter = 1.0 + 3.0 * self.technique.hand.frequency_jitter_fraction;
        self.passes
            .iter()
            .enumerate()
            .map(|(i, p)| match p.pattern {
                Pattern::Stamping { step_mm, stamps_per_spot } => {
                    crate::technique::patterns::stamping_spots(&self.area, p, step_mm).len() as f64 * stamps_per_spot as f64
                }
                Pattern::Trace => self.technique.trace.as_ref().map_or(0.0, |t| {
                    // Each stroke of the pass fires at touch-down and then once a period.
                    t.strokes_in_pass(i)
                        .map(|s| {
                            let (t0, t1) = t.stroke_span_s(s);
                            (t1 - t0) * self.device.frequency_hz * jitter + 1.0
                        })
                        .sum()
                }),
                _ => {
                    let (down, _) = lanes::path_length_mm(&lanes::path(&self.area, p));
                    down / p.speed_mm_s * self.device.frequency_hz * jitter + 1.0
                }
            })
            .sum()
    }

    /// The run's workload for the resource guard ([`resources::estimate`]).
    pub fn workload(&self) -> Workload {
        let max_speed_mm_s = self.passes.iter().map(|p| p.speed_mm_s).fold(0.0, f64::max);
        Workload {
            bounds: self.area,
            grid: self.grid,
            punctures: self.estimated_stamps() * self.cartridge.needle_count() as f64,
            reach_mm: resources::footprint_reach_mm(
                self.cartridge.radius_mm() + self.halo_mm,
                &self.device,
                &self.technique.hand,
                max_speed_mm_s,
            ),
            passes: self.passes.len(),
        }
    }

    /// Refuse a run whose grid or memory would exceed the limits, with the figures
    /// ([`resources::check`]).
    pub fn check_resources(&self) -> Result<()> {
        let advice = Advice { keyed: true, measured: "the patch", coarsen: "grid.resolution_mm", shrink: "shrink the patch" };
        resources::check(&self.workload(), &self.limits, &advice)
    }

    /// Picture pixel in cells: the smallest divisor of the tile side that keeps the picture
    /// within [`PICTURE_MAX_PX`].
    fn picture_cells(&self) -> Option<usize> {
        self.picture.then(|| picture_cells_for(&self.grid, &self.area))
    }

    /// Run the whole pipeline.
    pub fn run(&self) -> Result<RunResult> {
        let warnings = self.validate()?;
        self.check_resources()?;
        Ok(self.evaluate(self.walk(), warnings))
    }

    /// Measure punctures made by any means (walked passes, or strokes drawn on the live
    /// page) over the patch, on the simulation's grid: coverage, zone, density, technique
    /// figures, warnings (appended to `warnings`). Every puncture's `pass` must be below
    /// `passes.len()`.
    pub fn evaluate(&self, walked: Walked, mut warnings: Vec<String>) -> RunResult {
        let (stamps_per_pass, pass_time_s) = (walked.stamps_per_pass.clone(), walked.pass_time_s.clone());
        let punctures = walked.punctures;
        let domain = RectDomain(self.area);
        let frames = if self.picture && self.frames > 0 { frames::frames(&punctures, self.frames) } else { Frames::default() };
        let accumulate_with = |radius_mm: f64, picture_cells: Option<usize>, layers: Layers| {
            let acc = accumulate::accumulate(
                &punctures,
                &Request { grid: self.grid, radius_mm, passes: self.passes.len(), picture_cells, domain: &domain, layers },
            );
            let cov = Coverage::from_tally(&acc.tallies[0], &self.grid);
            (acc, cov)
        };
        let layers = Layers { pass_pictures: self.picture, frame_ends: (!frames.ends.is_empty()).then_some(frames.ends.as_slice()) };
        let (hole, hole_coverage) = accumulate_with(self.cartridge.radius_mm(), self.picture_cells(), layers);
        let zone = (self.halo_mm > 0.0).then(|| accumulate_with(self.cartridge.radius_mm() + self.halo_mm, None, Layers::default()));
        let density = metrics::density(&punctures, &domain).remove(0);
        let punctures_outside = punctures.len() as u64 - density.punctures_inside;
        if hole_coverage.over_pass_limit_fraction > 0.0 {
            warnings
                .push(format!("{:.2} % of the area was punctured on more than 4 passes", 100.0 * hole_coverage.over_pass_limit_fraction));
        }
        let technique = self.technique_report(
            &punctures,
            &walked.pass_time_s,
            walked.tilt_clipped,
            walked.lane_changes,
            &density,
            &domain,
            &mut warnings,
        );
        let aliasing = self.aliasing();
        warnings.extend(aliasing.iter().filter_map(|a| a.warning()));
        warnings.extend(metrics::far_above_sources("the patch", density.density_per_cm2, metrics::TARGET_DENSITY_PER_CM2.1));
        RunResult {
            punctures,
            stamps_per_pass,
            pass_time_s,
            hole,
            hole_coverage,
            zone,
            density,
            punctures_outside,
            frames,
            warnings,
            technique,
            aliasing,
        }
    }

    /// Aliasing check of every straight-lane pass (serpentine and strokes; circles, stamping
    /// in place, traces and random stamps have no fixed step along a line), at the set speed
    /// and frequency, averaged over the hand's speed variation.
    pub fn aliasing(&self) -> Vec<aliasing::PassAliasing> {
        use crate::technique::lanes::Pattern;
        self.passes
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.pattern, Pattern::Serpentine | Pattern::Strokes))
            .map(|(i, p)| {
                let hand_sd = self.technique.hand.speed_sd_fraction;
                aliasing::check_pass(
                    &self.cartridge,
                    self.device.rotation_deg,
                    i,
                    p.direction_deg,
                    p.speed_mm_s,
                    self.device.frequency_hz,
                    hand_sd,
                )
            })
            .collect()
    }

    /// The technique's figures: tilt, drag and what it does to coverage, session time, dose
    /// and gaps; adds the session and tilt warnings.
    #[allow(clippy::too_many_arguments)]
    fn technique_report(
        &self,
        punctures: &[Puncture],
        pass_time_s: &[f64],
        tilt_clipped: u64,
        lane_changes: usize,
        density: &Density,
        domain: &RectDomain,
        warnings: &mut Vec<String>,
    ) -> TechniqueReport {
        technique_report(
            &TechniqueInputs {
                technique: &self.technique,
                grid: self.grid,
                hole_radius_mm: self.cartridge.radius_mm(),
                passes: self.passes.len(),
                punctures,
                session: self.technique.session.time(pass_time_s, lane_changes, 1),
                tilt_clipped,
                inside: &[density.punctures_inside],
                areas_mm2: &[self.area.area()],
                domain,
            },
            warnings,
        )
    }
}

/// What a technique report is computed from: a patch run or a face session.
pub struct TechniqueInputs<'a> {
    pub technique: &'a Technique,
    pub grid: GridSpec,
    pub hole_radius_mm: f64,
    /// Passes the accumulator tells apart.
    pub passes: usize,
    pub punctures: &'a [Puncture],
    pub session: SessionTime,
    pub tilt_clipped: u64,
    /// Punctures centred in each dose label and the labels' areas; label 0 is the whole
    /// treated area (the summary's dose keys).
    pub inside: &'a [u64],
    pub areas_mm2: &'a [f64],
    /// The treated area as one label (label 0): coverage without drag and gaps.
    pub domain: &'a dyn crate::raster::domain::Domain,
}

/// The technique's figures: tilt, drag and what it does to coverage, session time, dose
/// and gaps; adds the session and tilt warnings.
pub fn technique_report(inp: &TechniqueInputs, warnings: &mut Vec<String>) -> TechniqueReport {
    let punctures = inp.punctures;
    let n = punctures.len().max(1) as f64;
    let mean_tilt_deg = punctures.iter().map(|p| (p.tilt_deg as f64).abs()).sum::<f64>() / n;
    let mean_depth_factor = if punctures.is_empty() {
        1.0
    } else {
        punctures.iter().map(|p| crate::needle::footprint::tilt_depth_factor(p.tilt_deg as f64)).sum::<f64>() / n
    };
    let drag_len = |p: &Puncture| (p.drag_x_mm as f64).hypot(p.drag_y_mm as f64);
    let mean_drag_mm = punctures.iter().map(drag_len).sum::<f64>() / n;
    let coverage_without_drag = punctures.iter().any(|p| drag_len(p) > 0.0).then(|| {
        let still: Vec<Puncture> = punctures.iter().map(|p| Puncture { drag_x_mm: 0.0, drag_y_mm: 0.0, ..*p }).collect();
        let acc = accumulate::accumulate(
            &still,
            &Request {
                grid: inp.grid,
                radius_mm: inp.hole_radius_mm,
                passes: inp.passes,
                picture_cells: None,
                domain: inp.domain,
                layers: Default::default(),
            },
        );
        Coverage::from_tally(&acc.tallies[0], &inp.grid).coverage
    });
    if inp.tilt_clipped > 0 {
        warnings.push(format!(
            "{} stamps drew a tilt beyond {}° from perpendicular and were clipped to it: lower hand.tilt_sd_deg",
            inp.tilt_clipped,
            crate::needle::footprint::MAX_TILT_DEG
        ));
    }
    let session = inp.session.clone();
    if session.procedure_fraction_of_limit > 1.0 {
        warnings.push(format!(
            "the procedure takes {:.1} min, more than the {} min the sources allow",
            session.procedure_time_s / 60.0,
            inp.technique.session.procedure_limit_min
        ));
    }
    let dose = inp.technique.session.dose(punctures.len(), inp.inside, inp.areas_mm2);
    TechniqueReport {
        tilt_clipped: inp.tilt_clipped,
        mean_tilt_deg,
        mean_depth_factor,
        mean_drag_mm,
        coverage_without_drag,
        session,
        dose,
        gaps: gaps::gaps(punctures, inp.domain),
    }
}

/// Picture pixel in cells for a picture of `view`: the smallest divisor of the tile side that
/// keeps the picture within [`PICTURE_MAX_PX`].
pub fn picture_cells_for(grid: &GridSpec, view: &Rect) -> usize {
    let t = grid.tile_cells;
    let side = view.width().max(view.height()) + 2.0 * grid.tile_mm();
    (1..=t).filter(|p| t.is_multiple_of(*p)).find(|&p| side / (p as f64 * grid.resolution_mm) <= PICTURE_MAX_PX as f64).unwrap_or(t)
}
