//! A face session: a plan of treatments (region, set depth, passes) run on a face map. No IO.
//!
//! **Model.** Treatments run in plan order; each pass over a region is planned by
//! [`RegionPlanner`] and stamped as on the patch, with the ideal or the real hand
//! ([`super::stamping`]), at the treatment's set depth. Pass numbers count per region: the
//! first pass over each region is session pass 0, a second treatment of the same region
//! continues its numbering, so "punctured on more than 4 passes" and per-pass coverage mean
//! passes over that spot. Session time: the passes' path time, the pen lifts, a pass change
//! between the passes of a treatment and a region change between treatments
//! ([`crate::technique::session_time`]); dose per region.
//!
//! Each puncture lands in the region (or no-go zone) under its centre; its real depth (with
//! its own tilt) and layer use that region's skin ([`crate::needle::skin`]). Coverage is accumulated over the map
//! (label = region) for the hole, the treated zone (halo), and the holes of the punctures
//! that reach the dermal–epidermal junction and mid-dermis. Whole-session figures are over
//! the treated regions (the "area being treated" of the sources).

use std::ops::Range;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::Vec2;
use crate::needle::puncture::Puncture;
use crate::needle::skin::{self, Layer, LayerCounts, Level};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::raster::accumulate::{self, Layers, MAX_PASSES, Request};
use crate::raster::domain::{Domain, NO_LABEL};
use crate::raster::frames::{self, Frames};
use crate::raster::grid::GridSpec;
use crate::sim::resources::{self, Advice, Limits, Workload};
use crate::sim::{RunResult, Simulation, TechniqueInputs, picture_cells_for, technique_report};
use crate::technique::Technique;
use crate::technique::lanes::Pattern;

use super::levels::{LevelInputs, level_hits};
use super::no_go::{self, NoGoHits};
use super::plan::{RegionPlanner, Treatment};
use super::report::{self, RegionRun};
use super::stamping::{FaceWalk, TreatmentRun};
use super::{FaceMap, Union};

/// Everything a face session needs, validated by [`FaceSimulation::validate`].
#[derive(Clone, Debug)]
pub struct FaceSimulation {
    pub name: String,
    pub seed: u64,
    /// Needle layout; its `depth_mm` is replaced by each treatment's depth.
    pub cartridge: Cartridge,
    pub device: Device,
    pub grid: GridSpec,
    pub halo_mm: f64,
    /// Record what the pictures need (hits picture, a layer per pass, animation frames).
    pub picture: bool,
    /// Animation frames to record over the session (0 = no animation); used when `picture`
    /// is set.
    pub frames: usize,
    pub limits: Limits,
    /// Hand and session (default: the ideal technique); applied to every treatment.
    pub technique: Technique,
    pub map: FaceMap,
    pub treatments: Vec<Treatment>,
    /// Least distance from the cartridge centre to a no-go zone, mm.
    pub margin_mm: f64,
    /// Real/set depth ratio (see [`crate::needle::skin`]).
    pub penetration_ratio: f64,
}

/// What a face session produced.
#[derive(Clone, Debug)]
pub struct FaceRunResult {
    /// Whole-session figures over the treated regions, in the patch's shape: punctures,
    /// stamps and times per session pass, hole/zone coverage, density, warnings. Its `hole`
    /// accumulation holds one tally per map region and the picture.
    pub run: RunResult,
    /// Region under each puncture's centre ([`NO_LABEL`]: off the map or in a no-go zone).
    pub landed: Vec<u16>,
    /// Real depth of each puncture, mm.
    pub real_depth_mm: Vec<f64>,
    pub treatments: Vec<TreatmentRun>,
    pub regions: Vec<RegionRun>,
    /// Layers reached, punctures whose centre is in a treated region.
    pub layers: LayerCounts,
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
    /// Punctures whose centre is in no region (off the map or in a no-go zone).
    pub off_map: u64,
    /// One entry per no-go zone.
    pub no_go: Vec<NoGoHits>,
}

impl FaceSimulation {
    /// Tilt of every puncture from the skin normal, degrees (the device's angle for now).
    pub fn tilt_deg(&self) -> f64 {
        skin::tilt_from_angle_deg(self.device.angle_deg)
    }

    /// The planner of this session's lanes.
    pub fn planner(&self) -> RegionPlanner<'_> {
        RegionPlanner { map: &self.map, margin_mm: self.margin_mm }
    }

    /// A patch-mode view of one treatment (its region's box, its passes and depth), to reuse
    /// the patch's checks.
    fn treatment_view(&self, t: &Treatment) -> Simulation {
        let mut cartridge = self.cartridge.clone();
        cartridge.depth_mm = t.depth_mm;
        Simulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device: self.device.clone(),
            area: self.map.region_bounds(t.region),
            passes: t.passes.clone(),
            grid: self.grid,
            halo_mm: self.halo_mm,
            picture: false,
            limits: self.limits,
            technique: self.technique.clone(),
            frames: 0,
        }
    }

    /// First session pass of each treatment, and the passes over each region.
    pub fn pass_numbers(&self) -> (Vec<usize>, Vec<usize>) {
        super::plan::pass_numbers(&self.treatments, self.map.regions().len())
    }

    /// Session passes: the most passes over any one region.
    pub fn session_passes(&self) -> usize {
        self.pass_numbers().1.into_iter().max().unwrap_or(0)
    }

    /// A patch-mode view of the whole session for the summary: the deepest set depth, the
    /// map's box, and for each session pass the plan of the first treatment that has it.
    pub fn summary_view(&self) -> Simulation {
        let deepest = self.treatments.iter().max_by(|a, b| a.depth_mm.total_cmp(&b.depth_mm)).expect("validated: at least one treatment");
        let (first, _) = self.pass_numbers();
        let passes = (0..self.session_passes())
            .map(|k| {
                self.treatments
                    .iter()
                    .zip(&first)
                    .find_map(|(t, &f)| (k >= f && k < f + t.passes.len()).then(|| t.passes[k - f].clone()))
                    .expect("every session pass belongs to some treatment")
            })
            .collect();
        Simulation { area: self.map.bounds(), passes, ..self.treatment_view(deepest) }
    }

    /// Check the plan; returns the warnings of legal but risky settings.
    pub fn validate(&self) -> Result<Vec<String>> {
        if self.treatments.is_empty() {
            return Err(Error::invalid("treat", "none", "at least one [[treat]] entry"));
        }
        let mut warnings = Vec::new();
        if !(self.margin_mm.is_finite() && self.margin_mm >= 0.0 && self.margin_mm <= 50.0) {
            return Err(Error::invalid("face.margin_mm", self.margin_mm, "0 ≤ margin ≤ 50 mm"));
        }
        if let Some(w) = skin::check_penetration_ratio("face.penetration_ratio", self.penetration_ratio)? {
            warnings.push(w);
        }
        warnings.extend(super::no_go::margin_warning(self.margin_mm, &self.cartridge, &self.technique.hand));
        for (i, t) in self.treatments.iter().enumerate() {
            let region = self
                .map
                .regions()
                .get(t.region as usize)
                .ok_or_else(|| Error::invalid(format!("treat[{i}].region"), t.region, "a region of the map"))?;
            if let Some(p) = t.passes.iter().find(|p| !matches!(p.pattern, Pattern::Serpentine | Pattern::Strokes | Pattern::Random)) {
                return Err(Error::invalid(
                    format!("treat[{i}].pattern"),
                    format!("{:?}", p.pattern.name()),
                    "serpentine, strokes or random in a face session (circles, stamping and trace run on the patch only for now)",
                ));
            }
            let view = self.treatment_view(t);
            warnings.extend(region.treatment_warnings(i, t.depth_mm, &view)?);
        }
        let (_, per_region) = self.pass_numbers();
        if let Some((l, &n)) = per_region.iter().enumerate().find(|(_, n)| **n > MAX_PASSES) {
            return Err(Error::invalid(
                format!("passes over region {:?}", self.map.regions()[l].name),
                n,
                format!("at most {MAX_PASSES} passes over one region"),
            ));
        }
        Ok(warnings)
    }

    /// The session's workload for the resource guard, with `stamps` expected stamps.
    pub fn workload(&self, stamps: f64) -> Workload {
        let max_speed_mm_s = self.treatments.iter().flat_map(|t| &t.passes).map(|p| p.speed_mm_s).fold(0.0, f64::max);
        Workload {
            bounds: self.map.bounds(),
            grid: self.grid,
            punctures: stamps * self.cartridge.needle_count() as f64,
            reach_mm: resources::footprint_reach_mm(
                self.cartridge.radius_mm() + self.halo_mm,
                &self.device,
                &self.technique.hand,
                max_speed_mm_s,
            ),
            passes: self.session_passes(),
        }
    }

    /// Refuse a session whose grid or memory would exceed the limits ([`resources::check`]),
    /// with `stamps` expected stamps.
    pub fn check_resources(&self, stamps: f64) -> Result<()> {
        let advice = Advice { keyed: true, measured: "the map's box", coarsen: "grid.resolution_mm", shrink: "treat fewer regions" };
        resources::check(&self.workload(stamps), &self.limits, &advice)
    }

    /// Run the whole session.
    pub fn run(&self) -> Result<FaceRunResult> {
        let warnings = self.validate()?;
        let paths = self.paths();
        self.check_resources(self.estimated_stamps(&paths))?;
        let walked = self.walk(paths);
        Ok(self.evaluate(walked, warnings))
    }

    /// Measure a session's punctures (from [`FaceSimulation::walk`], or drawn by hand in a
    /// live session on the live page); `warnings` are the plan's, kept first.
    /// `walked.treatments` must match `self.treatments` one to one, each treatment's
    /// punctures contiguous and in its passes.
    pub fn evaluate(&self, walked: FaceWalk, mut warnings: Vec<String>) -> FaceRunResult {
        let FaceWalk { mut punctures, treatments, stamps_per_pass, pass_time_s, tilt_clipped, lane_changes } = walked;
        // The walk grew the list by doubling: give back the unused tail (up to half of it).
        punctures.shrink_to_fit();
        debug_assert_eq!(treatments.len(), self.treatments.len(), "one run per treatment");
        let passes = self.session_passes().max(1);
        let map = &self.map;
        let no_go = self.no_go_hits(&punctures);

        // Animation frames: one timeline segment per treatment pass.
        let frames = if self.picture && self.frames > 0 {
            let segments: Vec<Range<usize>> = pass_segments(&punctures, &treatments).into_iter().map(|(_, r)| r).collect();
            frames::frames_of_segments(&punctures, &segments, self.frames)
        } else {
            Frames::default()
        };
        // Accumulations over the map: hole (with the pictures and frames), zone, depth levels.
        let accumulate_with = |radius_mm: f64, picture: bool, layers: Layers| {
            let picture_cells = picture.then(|| picture_cells_for(&self.grid, &map.bounds()));
            accumulate::accumulate(&punctures, &Request { grid: self.grid, radius_mm, passes, picture_cells, domain: map, layers })
        };
        let r = self.cartridge.radius_mm();
        let layers = Layers { pass_pictures: self.picture, frame_ends: (!frames.ends.is_empty()).then_some(frames.ends.as_slice()) };
        let hole = accumulate_with(r, self.picture, layers);
        let zone = (self.halo_mm > 0.0).then(|| accumulate_with(r + self.halo_mm, false, Layers::default()));
        // After the accumulations, whose working memory (the peak of a whole face) is gone by now.
        let landed: Vec<u16> = punctures.par_iter().map(|p| map.label_at(Vec2::new(p.x_mm, p.y_mm)).unwrap_or(NO_LABEL)).collect();
        // Each puncture's own tilt (the device's angle, and the hand's when it varies).
        let real_depth_mm: Vec<f64> =
            punctures.iter().map(|p| skin::real_depth_mm(p.depth_mm, self.penetration_ratio, p.tilt_deg as f64)).collect();
        let mut aimed = vec![0u16; punctures.len()];
        for (t, run) in self.treatments.iter().zip(&treatments) {
            aimed[run.punctures.clone()].fill(t.region);
        }
        let level_inputs = LevelInputs {
            map,
            punctures: &punctures,
            landed: &landed,
            aimed: &aimed,
            real_depth_mm: &real_depth_mm,
            grid: self.grid,
            radius_mm: r,
            passes,
        };
        let dej = level_hits(&level_inputs, Level::Dej);
        let mid = level_hits(&level_inputs, Level::MidDermis);

        let mut layers_by_region = vec![LayerCounts::default(); map.regions().len()];
        for (&l, layer) in landed.iter().zip(layers_of(map, &landed, &real_depth_mm)) {
            if let Some(layer) = layer {
                layers_by_region[l as usize].add(layer);
            }
        }
        let off_map = landed.iter().filter(|&&l| l == NO_LABEL).count() as u64;
        let (_, passes_by_region) = self.pass_numbers();
        let inputs = report::Inputs {
            map,
            grid: self.grid,
            plan: &self.treatments,
            passes_by_region: &passes_by_region,
            margin_mm: self.margin_mm,
            punctures: &punctures,
            treatments: &treatments,
            hole: &hole,
            zone: zone.as_ref(),
            dej: &dej,
            mid: &mid,
            layers_by_region: &layers_by_region,
            real_depth_mm: &real_depth_mm,
            landed: &landed,
        };
        let (regions, whole) = report::figures(&inputs);
        warnings.extend(report::warnings(&inputs, &regions, &no_go));

        // Technique figures over the treated regions; the dose per region after the whole.
        let union = Union { map, chosen: regions.iter().map(|g| g.treated).collect() };
        let inside: Vec<u64> =
            std::iter::once(whole.density.punctures_inside).chain(regions.iter().map(|g| g.density.punctures_inside)).collect();
        let areas: Vec<f64> = std::iter::once(union.area_mm2(0)).chain((0..regions.len()).map(|l| map.area_mm2(l as u16))).collect();
        let pass_changes = self.treatments.iter().map(|t| t.passes.len().saturating_sub(1)).sum();
        let session =
            self.technique.session.time_of(pass_time_s.iter().sum(), lane_changes, pass_changes, self.treatments.len().saturating_sub(1));
        let technique = technique_report(
            &TechniqueInputs {
                technique: &self.technique,
                grid: self.grid,
                hole_radius_mm: r,
                passes,
                punctures: &punctures,
                session,
                tilt_clipped,
                inside: &inside,
                areas_mm2: &areas,
                domain: &union,
            },
            &mut warnings,
        );
        // Aliasing of the session passes (the plan of the first treatment that has each; the
        // check depends on cartridge, direction, speed and frequency, not on the region).
        let aliasing = self.summary_view().aliasing();
        warnings.extend(aliasing.iter().filter_map(|a| a.warning()));
        let run = RunResult {
            punctures_outside: punctures.len() as u64 - whole.density.punctures_inside,
            punctures,
            stamps_per_pass,
            pass_time_s,
            hole,
            hole_coverage: whole.coverage,
            zone: zone.zip(whole.zone),
            density: whole.density,
            warnings,
            technique,
            aliasing,
            frames,
        };
        FaceRunResult {
            run,
            landed,
            real_depth_mm,
            treatments,
            regions,
            layers: whole.layers,
            coverage_dej: whole.coverage_dej,
            coverage_mid_dermis: whole.coverage_mid_dermis,
            off_map,
            no_go,
        }
    }

    /// Punctures whose footprint meets each no-go zone ([`no_go::no_go_hits`]).
    pub fn no_go_hits(&self, punctures: &[Puncture]) -> Vec<NoGoHits> {
        no_go::no_go_hits(&self.map, self.cartridge.radius_mm(), punctures)
    }
}

/// The session's timeline segments: each treatment's punctures cut where the pass changes
/// (one segment per treatment pass that made punctures, in plan order), with the index of
/// the treatment.
pub fn pass_segments(punctures: &[Puncture], treatments: &[TreatmentRun]) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    for (k, t) in treatments.iter().enumerate() {
        let mut start = t.punctures.start;
        for i in t.punctures.clone() {
            if i > start && punctures[i].pass != punctures[i - 1].pass {
                out.push((k, start..i));
                start = i;
            }
        }
        if start < t.punctures.end {
            out.push((k, start..t.punctures.end));
        }
    }
    out
}

/// Which layer each puncture reached (`None`: its centre is in no region).
pub fn layers_of(map: &FaceMap, landed: &[u16], real_depth_mm: &[f64]) -> Vec<Option<Layer>> {
    landed.iter().zip(real_depth_mm).map(|(&l, &d)| (l != NO_LABEL).then(|| map.region(l).skin.layer_reached(d))).collect()
}
