//! A face session on a curved surface ([`SurfaceFace`]): treatments per region as on the
//! flat map, with lanes and stamps on the skin, the pen normal (or frontal) to it and
//! coverage per true mm² of skin. No IO.
//!
//! **Model.** Each treatment's passes are planned over its region's triangles by
//! [`GroupPlanner`] (lanes one lane spacing apart on the skin, a stamp every `speed /
//! frequency` mm of skin, the cartridge centre more than `margin_mm` in 3D from every no-go
//! triangle), stamped with the pass's stream `(treatment << 32) | pass` (as the flat
//! session), and every needle is landed on the skin ([`place`]). Pass numbers count per
//! region ([`super::plan::pass_numbers`]). Each puncture's real depth uses its tilt from the
//! skin normal and its region's skin ([`layers_of`] rule: the region under its centre).
//! Coverage: [`measure`] in the chart (labels = triangles), weighted to skin area per group.
//!
//! Only the ideal hand is modelled on the surface for now (the pen at 90° to the skin, or
//! square to the front with `frontal`; no tremor, no drag): other techniques are refused.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::metrics::Coverage;
use crate::needle::puncture::Puncture;
use crate::needle::skin::{self, LayerCounts};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::raster::accumulate::{Layers, MAX_PASSES, Tally};
use crate::sim::resources::{self, Advice, Limits, Workload};
use crate::sim::{Simulation, picture_cells_for};
use crate::surface::chart::Chart;
use crate::surface::clearance::Clearance;
use crate::surface::measure::{self, Measured, SurfaceGrid};
use crate::surface::place::{self, Landing, NO_TRIANGLE, PenOrientation};
use crate::surface::plan::GroupPlanner;
use crate::technique::Technique;
use crate::technique::lanes::Pattern;

use super::plan::{Treatment, pass_numbers};
use super::stamping::TreatmentRun;
use super::surface_face::SurfaceFace;

/// Everything a surface session needs, validated by [`SurfaceSimulation::validate`].
#[derive(Clone, Debug)]
pub struct SurfaceSimulation {
    pub name: String,
    pub seed: u64,
    /// Needle layout; its `depth_mm` is replaced by each treatment's depth.
    pub cartridge: Cartridge,
    pub device: Device,
    /// Coarsest chart cell side, mm (refined for stretched charts, [`SurfaceGrid::choose`]).
    pub resolution_mm: f64,
    pub halo_mm: f64,
    /// Record the chart picture of the hits.
    pub picture: bool,
    pub limits: Limits,
    pub technique: Technique,
    pub face: SurfaceFace,
    /// Treatments; `region` indexes `face.regions`.
    pub treatments: Vec<Treatment>,
    /// Least 3D distance from the cartridge centre to a no-go triangle, mm.
    pub margin_mm: f64,
    /// Real/set depth ratio (see [`crate::needle::skin`]).
    pub penetration_ratio: f64,
    pub orientation: PenOrientation,
}

/// Figures of one region of a surface session.
#[derive(Clone, Debug)]
pub struct SurfaceRegionRun {
    pub name: String,
    pub treated: bool,
    /// True skin area of the region's triangles, mm².
    pub skin_area_mm2: f64,
    /// Area of the region's triangles projected on the front (xy) plane, mm² (a sum over
    /// triangles: folds count twice).
    pub projected_area_mm2: f64,
    /// Punctures whose centre landed on the region.
    pub punctures_inside: u64,
    /// Punctures per cm² of skin.
    pub density_per_cm2: f64,
    /// Hole coverage per skin area (its `sampled_area_mm2` is the measured skin area).
    pub coverage: Coverage,
    /// Pen tilt from the skin normal over the punctures aimed at the region, degrees.
    pub surface_tilt_deg_mean: f64,
    pub surface_tilt_deg_max: f64,
    /// Layers reached by the punctures whose centre landed on the region.
    pub layers: LayerCounts,
}

/// Punctures placed on the skin, before they are measured ([`SurfaceSimulation::evaluate`]).
pub(crate) struct Placed {
    pub punctures: Vec<Puncture>,
    pub landing: Landing,
    /// Region each puncture was aimed at (its treatment's).
    pub aimed: Vec<u16>,
    pub stamps_per_pass: Vec<usize>,
    pub pass_time_s: Vec<f64>,
    pub treatments: Vec<TreatmentRun>,
}

/// What a surface session produced.
#[derive(Clone, Debug)]
pub struct SurfaceRunResult {
    /// Punctures in chart coordinates (mm).
    pub punctures: Vec<Puncture>,
    pub landing: Landing,
    pub real_depth_mm: Vec<f64>,
    pub stamps_per_pass: Vec<usize>,
    pub pass_time_s: Vec<f64>,
    pub treatments: Vec<TreatmentRun>,
    pub grid: SurfaceGrid,
    /// Hole accumulation (per triangle, the chart picture) and its per-group tallies.
    pub hole: Measured,
    /// The treated zone (hole grown by the halo); `None` when the halo is 0.
    pub zone: Option<Measured>,
    pub regions: Vec<SurfaceRegionRun>,
    /// Hole coverage over the treated regions' skin.
    pub whole: Coverage,
    pub zone_whole: Option<Coverage>,
    /// Punctures whose centre is on no region (off the mesh, a no-go zone, unassigned).
    pub off_regions: u64,
    /// Punctures whose footprint meets each no-go zone (3D distance ≤ the needle radius).
    pub no_go_hits: Vec<u64>,
    pub warnings: Vec<String>,
}

impl SurfaceSimulation {
    /// The chart of the face's mesh (validates the mesh).
    pub fn chart(&self) -> Result<Chart> {
        Chart::new(&self.face.mesh, &format!("surface {:?}", self.face.name))
    }

    /// Mesh groups of the no-go zones.
    fn no_go_groups(&self) -> Vec<u32> {
        let r = self.face.regions.len();
        (0..self.face.no_go.len()).map(|k| (r + k) as u32).collect()
    }

    /// Check the plan; returns the warnings of legal but risky settings.
    pub fn validate(&self, chart: &Chart) -> Result<Vec<String>> {
        if self.treatments.is_empty() {
            return Err(Error::invalid("treat", "none", "at least one [[treat]] entry"));
        }
        let mut warnings = Vec::new();
        if !(self.margin_mm.is_finite() && (0.0..=50.0).contains(&self.margin_mm)) {
            return Err(Error::invalid("face.margin_mm", self.margin_mm, "0 ≤ margin ≤ 50 mm"));
        }
        if let Some(w) = skin::check_penetration_ratio("face.penetration_ratio", self.penetration_ratio)? {
            warnings.push(w);
        }
        let reach = 0.5 * self.cartridge.footprint_diameter_mm();
        if self.margin_mm < reach && !self.face.no_go.is_empty() {
            warnings.push(format!(
                "face.margin_mm = {} is less than the cartridge's footprint radius ({reach:.2} mm): needles can reach the no-go zones",
                self.margin_mm
            ));
        }
        for (i, t) in self.treatments.iter().enumerate() {
            let region = self
                .face
                .regions
                .get(t.region as usize)
                .ok_or_else(|| Error::invalid(format!("treat[{i}].region"), t.region, "a region of the surface"))?;
            let nothing = Clearance::default();
            let planner = self.planner(chart, t.region as u32, &nothing);
            let Some(bounds) = planner.bounds() else {
                return Err(Error::invalid(format!("treat[{i}].region"), &region.name, "a region with at least one triangle on the mesh"));
            };
            if let Some(p) = t.passes.iter().find(|p| !matches!(p.pattern, Pattern::Serpentine | Pattern::Strokes | Pattern::Random)) {
                return Err(Error::invalid(
                    format!("treat[{i}].pattern"),
                    format!("{:?}", p.pattern.name()),
                    "serpentine, strokes or random on a surface",
                ));
            }
            if let Some(p) = t.passes.iter().find(|p| !self.technique.is_ideal_for(&self.device, p)) {
                return Err(Error::invalid(
                    format!("treat[{i}] ({}) technique", region.name),
                    format!("hand / pen.angle_deg / contact duty ({:?})", p.pattern.name()),
                    "the ideal hand with the pen at 90° and instantaneous needles on a surface (use face.pen_orientation = \"frontal\" for a pen square to the face front); real hands run on the flat map only for now",
                ));
            }
            let mut cartridge = self.cartridge.clone();
            cartridge.depth_mm = t.depth_mm;
            let view = Simulation {
                name: self.name.clone(),
                seed: self.seed,
                cartridge,
                device: self.device.clone(),
                area: bounds,
                passes: t.passes.clone(),
                grid: crate::raster::grid::GridSpec::new(self.resolution_mm)?,
                halo_mm: self.halo_mm,
                picture: false,
                limits: self.limits,
                technique: self.technique.clone(),
                frames: 0,
            };
            warnings.extend(region.treatment_warnings(i, t.depth_mm, &view)?);
        }
        let (_, per_region) = pass_numbers(&self.treatments, self.face.regions.len());
        if let Some((l, &n)) = per_region.iter().enumerate().find(|(_, n)| **n > MAX_PASSES) {
            return Err(Error::invalid(
                format!("passes over region {:?}", self.face.regions[l].name),
                n,
                format!("at most {MAX_PASSES} passes over one region"),
            ));
        }
        Ok(warnings)
    }

    fn planner<'a>(&self, chart: &'a Chart, group: u32, no_go: &'a Clearance) -> GroupPlanner<'a> {
        GroupPlanner { chart, group, no_go, margin_mm: self.margin_mm }
    }

    /// Treated region groups.
    fn treated_groups(&self) -> Vec<u32> {
        let mut g: Vec<u32> = self.treatments.iter().map(|t| t.region as u32).collect();
        g.sort_unstable();
        g.dedup();
        g
    }

    /// The chart grid: the resolution refined for the treated regions' stretch.
    pub fn surface_grid(&self, chart: &Chart) -> Result<SurfaceGrid> {
        SurfaceGrid::choose(chart, &self.treated_groups(), self.cartridge.radius_mm(), self.resolution_mm)
    }

    /// Refuse a session whose grid or memory would exceed the limits: punctures estimated
    /// from the treated skin area, lane spacing and stamp step.
    pub fn check_resources(&self, chart: &Chart, grid: &SurfaceGrid) -> Result<()> {
        let areas = self.face.group_areas_mm2();
        let stamps: f64 = self
            .treatments
            .iter()
            .flat_map(|t| t.passes.iter().map(move |p| (t, p)))
            .map(|(t, p)| areas[t.region as usize] / (p.lane_spacing_mm * p.speed_mm_s / self.device.frequency_hz) * 1.2 + 10.0)
            .sum();
        let workload = Workload {
            bounds: chart.chart_bounds(),
            grid: grid.grid,
            punctures: stamps * self.cartridge.needle_count() as f64,
            reach_mm: (self.cartridge.radius_mm() + self.halo_mm)
                * chart.tris.iter().map(|t| 1.0 / t.stretch.1).fold(1.0, f64::max).min(20.0),
            passes: pass_numbers(&self.treatments, self.face.regions.len()).1.into_iter().max().unwrap_or(1),
        };
        let advice = Advice { keyed: true, measured: "the surface's chart", coarsen: "grid.resolution_mm", shrink: "treat fewer regions" };
        resources::check(&workload, &self.limits, &advice)
    }

    /// Run the whole session.
    pub fn run(&self) -> Result<SurfaceRunResult> {
        let chart = self.chart()?;
        let warnings = self.validate(&chart)?;
        let grid = self.surface_grid(&chart)?;
        self.check_resources(&chart, &grid)?;
        let no_go = Clearance::new(&chart, &self.no_go_groups(), self.margin_mm.max(self.cartridge.radius_mm()));
        let (first, per_region) = pass_numbers(&self.treatments, self.face.regions.len());
        let passes = per_region.iter().copied().max().unwrap_or(0).max(1);
        let f = self.device.frequency_hz;
        let mut punctures = Vec::new();
        let mut landing = Landing::default();
        let mut stamps_per_pass = vec![0usize; passes];
        let mut pass_time_s = vec![0.0; passes];
        let mut runs = Vec::with_capacity(self.treatments.len());
        let mut aimed: Vec<u16> = Vec::new();
        for (ti, (t, &first)) in self.treatments.iter().zip(&first).enumerate() {
            let mut cartridge = self.cartridge.clone();
            cartridge.depth_mm = t.depth_mm;
            let planner = self.planner(&chart, t.region as u32, &no_go);
            let start = punctures.len();
            let mut run =
                TreatmentRun { stamps_per_pass: Vec::new(), pass_time_s: Vec::new(), first_pass: first, punctures: 0..0, unplaced: 0 };
            for (k, plan) in t.passes.iter().enumerate() {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(((ti as u64) << 32) | k as u64);
                let gp = planner.plan_pass(plan, f, &mut rng);
                let pass = (first + k) as u16;
                place::place(&chart, &cartridge, &self.device, self.orientation, pass, &gp.stamps, &mut punctures, &mut landing);
                let time_s = (gp.skin_mm.0 + gp.skin_mm.1) / plan.speed_mm_s;
                run.stamps_per_pass.push(gp.stamps.len());
                run.pass_time_s.push(time_s);
                run.unplaced += gp.unplaced;
                stamps_per_pass[first + k] += gp.stamps.len();
                pass_time_s[first + k] += time_s;
            }
            run.punctures = start..punctures.len();
            aimed.resize(punctures.len(), t.region);
            runs.push(run);
        }
        let placed = Placed { punctures, landing, aimed, stamps_per_pass, pass_time_s, treatments: runs };
        self.evaluate(&chart, grid, passes, placed, warnings)
    }

    /// The figures of a session whose punctures are placed (`run`, and a recorded trace:
    /// [`super::surface_trace_run`]): real depths, hole and zone measures on `grid` over
    /// `passes` passes, per-region figures, no-go hits and warnings appended to `warnings`.
    pub(crate) fn evaluate(
        &self,
        chart: &Chart,
        grid: SurfaceGrid,
        passes: usize,
        placed: Placed,
        mut warnings: Vec<String>,
    ) -> Result<SurfaceRunResult> {
        let Placed { punctures, landing, aimed, stamps_per_pass, pass_time_s, treatments: runs } = placed;
        let group_count = self.face.mesh.groups.len();
        let region_of = |p: usize| -> Option<usize> {
            let t = landing.tri[p];
            (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < self.face.regions.len())
        };
        let real_depth_mm: Vec<f64> =
            punctures.iter().map(|p| skin::real_depth_mm(p.depth_mm, self.penetration_ratio, p.tilt_deg as f64)).collect();
        let r = self.cartridge.radius_mm();
        let picture_cells = self.picture.then(|| picture_cells_for(&grid.grid, &chart.chart_bounds()));
        let hole = measure::measure(chart, group_count, &punctures, &landing.shape, &grid, r, passes, picture_cells, Layers::default());
        let zone = (self.halo_mm > 0.0).then(|| {
            measure::measure(chart, group_count, &punctures, &landing.shape, &grid, r + self.halo_mm, passes, None, Layers::default())
        });
        let coverage_of = |t: &Tally| {
            let mut c = Coverage::from_tally(t, &grid.grid);
            c.sampled_area_mm2 = t.cells as f64 * grid.unit_mm2;
            c
        };
        let areas = self.face.group_areas_mm2();
        let treated = self.treated_groups();
        let mut regions: Vec<SurfaceRegionRun> = self
            .face
            .regions
            .iter()
            .enumerate()
            .map(|(g, info)| SurfaceRegionRun {
                name: info.name.clone(),
                treated: treated.contains(&(g as u32)),
                skin_area_mm2: areas[g],
                projected_area_mm2: 0.0,
                punctures_inside: 0,
                density_per_cm2: 0.0,
                coverage: coverage_of(&hole.groups[g]),
                surface_tilt_deg_mean: 0.0,
                surface_tilt_deg_max: 0.0,
                layers: LayerCounts::default(),
            })
            .collect();
        for (tri, m) in self.face.mesh.triangles.iter().zip(&chart.tris) {
            if let Some(reg) = regions.get_mut(tri.group as usize) {
                reg.projected_area_mm2 += m.area_factor * crate::surface::plan::area(&m.chart) * m.normal.z.abs();
            }
        }
        let mut tilt_sum = vec![0.0; regions.len()];
        let mut tilt_n = vec![0u64; regions.len()];
        let mut off_regions = 0;
        for i in 0..punctures.len() {
            let a = aimed[i] as usize;
            let tilt = landing.surface_tilt_deg[i] as f64;
            tilt_sum[a] += tilt;
            tilt_n[a] += 1;
            regions[a].surface_tilt_deg_max = regions[a].surface_tilt_deg_max.max(tilt);
            match region_of(i) {
                Some(g) => {
                    regions[g].punctures_inside += 1;
                    regions[g].layers.add(self.face.regions[g].skin.layer_reached(real_depth_mm[i]));
                }
                None => off_regions += 1,
            }
        }
        for (k, reg) in regions.iter_mut().enumerate() {
            reg.density_per_cm2 = if reg.skin_area_mm2 > 0.0 { reg.punctures_inside as f64 / (reg.skin_area_mm2 / 100.0) } else { 0.0 };
            reg.surface_tilt_deg_mean = if tilt_n[k] > 0 { tilt_sum[k] / tilt_n[k] as f64 } else { 0.0 };
        }
        let sum_treated = |m: &Measured| {
            let mut t = Tally::new(passes);
            for &g in &treated {
                t.add_scaled(&m.groups[g as usize], 1);
            }
            coverage_of(&t)
        };
        let whole = sum_treated(&hole);
        let zone_whole = zone.as_ref().map(sum_treated);
        // No-go zones: punctures whose hole reaches a zone's triangles (3D, brute force per zone
        // through the bucketed clearance).
        let no_go_hits: Vec<u64> = self
            .no_go_groups()
            .iter()
            .map(|&g| {
                let zone = Clearance::new(chart, &[g], r);
                (0..punctures.len())
                    .filter(|&i| {
                        let t = landing.tri[i];
                        t != NO_TRIANGLE
                            && (chart.tris[t as usize].group == g
                                || !zone
                                    .clear(chart.tris[t as usize].to_skin(nalgebra::Vector2::new(punctures[i].x_mm, punctures[i].y_mm)), r))
                    })
                    .count() as u64
            })
            .collect();
        for (name, &n) in self.face.no_go.iter().zip(&no_go_hits) {
            if n > 0 {
                warnings.push(format!("{n} punctures reached the no-go zone {name:?}"));
            }
        }
        if landing.tilt_clipped > 0 {
            warnings.push(format!("{} stamps met skin turned more than 80° from the front: tilt clipped", landing.tilt_clipped));
        }
        Ok(SurfaceRunResult {
            punctures,
            landing,
            real_depth_mm,
            stamps_per_pass,
            pass_time_s,
            treatments: runs,
            grid,
            hole,
            zone,
            regions,
            whole,
            zone_whole,
            off_regions,
            no_go_hits,
            warnings,
        })
    }
}
