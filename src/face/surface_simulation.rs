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
//! **Technique.** A pass takes the ideal stamps ([`GroupPlanner::plan_pass`]) exactly when
//! [`Technique::is_ideal_for`] says so (as the flat session); otherwise a real hand walks
//! the same path ([`crate::surface::walk`]: `[hand]` tremor, speed and period in the
//! tangent plane, on the pass's hand stream `HAND_STREAM_BASE + stream`), and the tilt
//! (hand + `pen.angle_deg`, from the local normal; composed with the front with `frontal`)
//! and the drag (`device.contact_duty`) shape each needle's footprint ([`place`]). The
//! punctures' `tilt_deg` and the regions' `surface_tilt_deg_*` include the hand's tilt; the
//! technique's mean drag is skin mm and its coverage without drag is measured on the skin.
//! Patterns: serpentine, strokes, random and stamping (spots every `step` mm of skin along
//! the serpentine's lanes, [`GroupPlanner::spots`], always walked by the hand); circles and
//! trace are refused (the chart planner has no loops; a recorded trace is its own run).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::Vec2;
use crate::metrics::{self, Coverage};
use crate::needle::footprint::tilt_depth_factor;
use crate::needle::puncture::Puncture;
use crate::needle::skin::{self, LayerCounts, Level};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use crate::raster::accumulate::{Layers, MAX_PASSES, Tally};
use crate::raster::frames::Frames;
use crate::sim::resources::{self, Advice, Limits, Workload};
use crate::sim::{RunResult, Simulation, TechniqueInputs, picture_cells_for, technique_report};
use crate::surface::chart::Chart;
use crate::surface::clearance::Clearance;
use crate::surface::groups::ChartGroups;
use crate::surface::measure::{self, SurfaceGrid, TileLevels};
use crate::surface::place::{self, Landing, NO_TRIANGLE, PenOrientation, StampHand};
use crate::surface::plan::GroupPlanner;
use crate::surface::plan::SurfaceStamp;
use crate::surface::walk;
use crate::technique::Technique;
use crate::technique::hand::HAND_STREAM_BASE;
use crate::technique::lanes::Pattern;

use super::no_go::{self, NoGoHits};
use super::plan::{Treatment, pass_numbers};
use super::report::RegionRun;
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
    /// Coarsest chart cell side, mm: the finest grid is refined from it for stretched charts
    /// ([`SurfaceGrid::choose`]), and each tile's cells lie between the two
    /// ([`TileLevels`]). A scenario that sets no resolution gets
    /// [`measure::DEFAULT_MAX_RESOLUTION_MM`]: the holes' rule decides.
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
    /// The flat map's figures of a region, on the skin: hole coverage per skin area (its
    /// `sampled_area_mm2` is the measured skin area), zone, density per cm² of skin (its
    /// uniformity over 1 mm chart bins), coverage at the DEJ and mid-dermis, layers and mean
    /// real depth of the punctures centred on it, passes, stamps, path time, warnings.
    pub figures: RegionRun,
    /// True skin area of the region's triangles, mm².
    pub skin_area_mm2: f64,
    /// Area of the region as seen from the front: the union of its triangles projected on
    /// the xy plane (its silhouette), mm². Where the skin folds, the layers count once.
    pub projected_area_mm2: f64,
    /// Pen tilt from the skin normal over the punctures aimed at the region, degrees.
    pub surface_tilt_deg_mean: f64,
    pub surface_tilt_deg_max: f64,
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
    /// Passes over each region ([`pass_numbers`]).
    pub per_region: Vec<usize>,
    /// Pen lifts between lanes or strokes (session time's repositioning).
    pub lane_changes: usize,
}

/// One pass of one treatment, planned (and walked by the hand).
struct PlannedPass {
    stamps: Vec<SurfaceStamp>,
    hands: Option<Vec<StampHand>>,
    hand_tilt_clipped: u64,
    time_s: f64,
    lane_changes: usize,
    unplaced: usize,
}

/// What a surface session produced.
#[derive(Clone, Debug)]
pub struct SurfaceRunResult {
    /// Whole-session figures over the treated skin, in the patch's shape (as a flat face
    /// session's `run`): punctures in chart coordinates (mm), stamps and path time per
    /// session pass, the hole accumulation per triangle (with the chart picture) and the
    /// hole coverage per skin area, the zone, density per cm² of skin, session time, dose per
    /// cm² of skin, gaps (1 mm chart bins), aliasing of the passes, warnings.
    pub run: RunResult,
    pub landing: Landing,
    pub real_depth_mm: Vec<f64>,
    pub treatments: Vec<TreatmentRun>,
    pub grid: SurfaceGrid,
    /// The cells tile by tile (level 0 is `grid`).
    pub tiles: TileLevels,
    /// Hole tallies per mesh group (weight units, [`SurfaceGrid::unit_mm2`]).
    pub hole_groups: Vec<Tally>,
    /// The treated zone's (hole grown by the halo); `None` when the halo is 0.
    pub zone_groups: Option<Vec<Tally>>,
    pub regions: Vec<SurfaceRegionRun>,
    /// Layers reached by the punctures centred on treated regions.
    pub layers: LayerCounts,
    /// Hole coverage of the treated skin by the punctures reaching the dermal–epidermal
    /// junction / mid-dermis (each in the skin of the region under it).
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
    /// Punctures whose centre is on no region (off the mesh, a no-go zone, unassigned).
    pub off_regions: u64,
    /// Per no-go zone: punctures whose footprint meets it (3D distance ≤ the needle radius;
    /// a tilted or dragged hole: the skin disk that holds it), located by their skin point's
    /// front-plane (x, y), mm.
    pub no_go: Vec<NoGoHits>,
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
        let all: Vec<_> = self.treatments.iter().flat_map(|t| t.passes.iter().cloned()).collect();
        self.technique.validate(&all)?;
        let mut warnings = self.face.warnings.clone();
        if !(self.margin_mm.is_finite() && (0.0..=50.0).contains(&self.margin_mm)) {
            return Err(Error::invalid("face.margin_mm", self.margin_mm, "0 ≤ margin ≤ 50 mm"));
        }
        if let Some(w) = skin::check_penetration_ratio("face.penetration_ratio", self.penetration_ratio)? {
            warnings.push(w);
        }
        if !self.face.no_go.is_empty() {
            warnings.extend(no_go::margin_warning(self.margin_mm, &self.cartridge, &self.technique.hand));
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
            if let Some(p) = t
                .passes
                .iter()
                .find(|p| !matches!(p.pattern, Pattern::Serpentine | Pattern::Strokes | Pattern::Random | Pattern::Stamping { .. }))
            {
                return Err(Error::invalid(
                    format!("treat[{i}].pattern"),
                    format!("{:?}", p.pattern.name()),
                    "serpentine, strokes, random or stamping on a surface",
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

    /// A recorded trace on the surface (`super::surface_trace_run`) is replayed with the pen
    /// at 90° to the skin and instantaneous needles (`surface::trace`; the recording is the
    /// hand): a tilted pen or a contact duty is refused rather than ignored.
    pub(crate) fn refuse_tilt_and_drag_for_trace(&self) -> Result<()> {
        if self.device.angle_deg != 90.0 {
            return Err(Error::invalid(
                "device.angle_deg",
                self.device.angle_deg,
                "90 with a recorded trace on a surface (the trace is replayed with the pen at 90° to the skin)",
            ));
        }
        if let Some(d) = self.device.contact_duty {
            return Err(Error::invalid(
                "device.contact_duty",
                d,
                "none with a recorded trace on a surface (the trace is replayed with instantaneous needles)",
            ));
        }
        Ok(())
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
        // Period jitter can only add a few stamps; allow for 3 sd of it (as the patch).
        let jitter = 1.0 + 3.0 * self.technique.hand.frequency_jitter_fraction;
        let stamps: f64 = self
            .treatments
            .iter()
            .flat_map(|t| t.passes.iter().map(move |p| (t, p)))
            .map(|(t, p)| {
                let lanes = areas[t.region as usize] / p.lane_spacing_mm;
                match p.pattern {
                    Pattern::Stamping { step_mm, stamps_per_spot } => lanes / step_mm * 1.2 * stamps_per_spot as f64 + 10.0,
                    _ => lanes / (p.speed_mm_s / self.device.frequency_hz) * 1.2 * jitter + 10.0,
                }
            })
            .sum();
        let max_speed_mm_s = self.treatments.iter().flat_map(|t| t.passes.iter().map(|p| p.speed_mm_s)).fold(0.0, f64::max);
        let reach =
            resources::footprint_reach_mm(self.cartridge.radius_mm() + self.halo_mm, &self.device, &self.technique.hand, max_speed_mm_s);
        let workload = Workload {
            bounds: chart.chart_bounds(),
            grid: grid.grid,
            punctures: stamps * self.cartridge.needle_count() as f64,
            reach_mm: reach * chart.tris.iter().map(|t| 1.0 / t.stretch.1).fold(1.0, f64::max).min(20.0),
            passes: pass_numbers(&self.treatments, self.face.regions.len()).1.into_iter().max().unwrap_or(1),
        };
        let advice = Advice { keyed: true, measured: "the surface's chart", coarsen: "grid.resolution_mm", shrink: "treat fewer regions" };
        resources::check(&workload, &self.limits, &advice)
    }

    /// A patch-mode view of the whole session for the summary and the aliasing check (as the
    /// flat session's): the deepest set depth, the chart's box and grid, and for each session
    /// pass the plan of the first treatment that has it.
    pub fn summary_view(&self, chart: &Chart, grid: &SurfaceGrid) -> Simulation {
        let deepest = self.treatments.iter().map(|t| t.depth_mm).fold(f64::NEG_INFINITY, f64::max);
        let (first, per_region) = pass_numbers(&self.treatments, self.face.regions.len());
        let passes = (0..per_region.iter().copied().max().unwrap_or(0))
            .filter_map(|k| {
                self.treatments.iter().zip(&first).find_map(|(t, &f)| (k >= f && k < f + t.passes.len()).then(|| t.passes[k - f].clone()))
            })
            .collect();
        let mut cartridge = self.cartridge.clone();
        cartridge.depth_mm = deepest;
        Simulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device: self.device.clone(),
            area: chart.chart_bounds(),
            passes,
            grid: grid.grid,
            halo_mm: self.halo_mm,
            picture: false,
            limits: self.limits,
            technique: self.technique.clone(),
            frames: 0,
        }
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
        // Every pass of every treatment draws from its own seed streams, so they are planned in
        // parallel, then placed in session order into one list: the same for any thread count.
        let units: Vec<(usize, usize)> =
            self.treatments.iter().enumerate().flat_map(|(ti, t)| (0..t.passes.len()).map(move |k| (ti, k))).collect();
        let outs: Vec<PlannedPass> = units.par_iter().map(|&(ti, k)| self.plan_unit(&chart, &no_go, ti, k)).collect();
        let needles = self.cartridge.needle_count();
        let total = outs.iter().map(|o| o.stamps.len() * needles).sum();
        let (mut punctures, mut landing) = (Vec::with_capacity(total), Landing::default());
        landing.reserve(total);
        let mut stamps_per_pass = vec![0usize; passes];
        let mut pass_time_s = vec![0.0; passes];
        let mut runs: Vec<TreatmentRun> = first
            .iter()
            .map(|&first_pass| TreatmentRun {
                stamps_per_pass: Vec::new(),
                pass_time_s: Vec::new(),
                first_pass,
                punctures: 0..0,
                unplaced: 0,
            })
            .collect();
        let mut aimed: Vec<u16> = Vec::new();
        let mut lane_changes = 0;
        for (&(ti, k), out) in units.iter().zip(outs) {
            let run = &mut runs[ti];
            if k == 0 {
                run.punctures = punctures.len()..punctures.len();
            }
            let mut cartridge = self.cartridge.clone();
            cartridge.depth_mm = self.treatments[ti].depth_mm;
            let (pass, hands) = ((first[ti] + k) as u16, out.hands.as_deref());
            place::place(&chart, &cartridge, &self.device, self.orientation, pass, &out.stamps, hands, &mut punctures, &mut landing);
            landing.hand_tilt_clipped += out.hand_tilt_clipped;
            run.punctures.end = punctures.len();
            aimed.resize(punctures.len(), self.treatments[ti].region);
            lane_changes += out.lane_changes;
            run.stamps_per_pass.push(out.stamps.len());
            run.pass_time_s.push(out.time_s);
            run.unplaced += out.unplaced;
            stamps_per_pass[first[ti] + k] += out.stamps.len();
            pass_time_s[first[ti] + k] += out.time_s;
        }
        let placed = Placed { punctures, landing, aimed, stamps_per_pass, pass_time_s, treatments: runs, per_region, lane_changes };
        self.evaluate(&chart, grid, passes, placed, warnings)
    }

    /// Plan pass `k` of treatment `ti` on its seed streams: the stamps, walked by the hand
    /// unless the technique is ideal.
    fn plan_unit(&self, chart: &Chart, no_go: &Clearance, ti: usize, k: usize) -> PlannedPass {
        let t = &self.treatments[ti];
        let plan = &t.passes[k];
        let f = self.device.frequency_hz;
        let planner = self.planner(chart, t.region as u32, no_go);
        let stream = ((ti as u64) << 32) | k as u64;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream);
        let gp = planner.plan_pass(plan, f, &mut rng);
        let lanes = || gp.segments.iter().filter(|s| !s.pen_down).count();
        if self.technique.is_ideal_for(&self.device, plan) {
            let time_s = (gp.skin_mm.0 + gp.skin_mm.1) / plan.speed_mm_s;
            return PlannedPass {
                lane_changes: lanes(),
                stamps: gp.stamps,
                hands: None,
                hand_tilt_clipped: 0,
                time_s,
                unplaced: gp.unplaced,
            };
        }
        let mut hand_rng = ChaCha8Rng::seed_from_u64(self.seed);
        hand_rng.set_stream(HAND_STREAM_BASE + stream);
        let w = walk::walk_pass(&planner, &gp, plan, &self.device, &self.technique.hand, hand_rng);
        PlannedPass {
            lane_changes: w.lifts.unwrap_or_else(lanes),
            stamps: w.stamps,
            hands: Some(w.hands),
            hand_tilt_clipped: w.tilt_clipped,
            time_s: w.time_s,
            unplaced: gp.unplaced,
        }
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
        let Placed { punctures, landing, aimed, stamps_per_pass, pass_time_s, treatments: runs, per_region, lane_changes } = placed;
        let n_regions = self.face.regions.len();
        let group_count = self.face.mesh.groups.len();
        // The region under each puncture's centre (None: off the mesh, a no-go zone, unassigned).
        let landed: Vec<Option<usize>> = landing
            .tri
            .par_iter()
            .map(|&t| (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < n_regions))
            .collect();
        let real_depth_mm: Vec<f64> =
            punctures.par_iter().map(|p| skin::real_depth_mm(p.depth_mm, self.penetration_ratio, p.tilt_deg as f64)).collect();
        let r = self.cartridge.radius_mm();
        let picture_cells = self.picture.then(|| picture_cells_for(&grid.grid, &chart.chart_bounds()));
        let tiles = TileLevels::new(chart, &grid, r, self.resolution_mm);
        let hole = measure::measure(
            chart,
            group_count,
            &punctures,
            &landing.shape,
            &grid,
            Some(&tiles),
            r,
            passes,
            picture_cells,
            Layers::default(),
        );
        let zone = (self.halo_mm > 0.0).then(|| {
            let r = r + self.halo_mm;
            measure::measure(chart, group_count, &punctures, &landing.shape, &grid, Some(&tiles), r, passes, None, Layers::default())
        });
        // Depth levels: the holes of the punctures that reach the level in the skin of the
        // region under them (or aimed at); `None` when every puncture reaches it. Only their
        // hits are read (cells come from the hole tallies), so only the tiles they touch are
        // visited.
        let level = |lv: Level| -> Option<Vec<Tally>> {
            let reaches = |i: &usize| {
                let region = landed[*i].unwrap_or(aimed[*i] as usize);
                real_depth_mm[*i] >= self.face.regions[region].skin.level_mm(lv)
            };
            if (0..punctures.len()).all(|i| reaches(&i)) {
                return None;
            }
            let idx: Vec<usize> = (0..punctures.len()).filter(reaches).collect();
            let pts: Vec<Puncture> = idx.iter().map(|&i| punctures[i]).collect();
            let shapes: Vec<_> = idx.iter().map(|&i| landing.shape[i]).collect();
            Some(measure::measure_hits(chart, group_count, &pts, &shapes, &grid, Some(&tiles), r, passes).groups)
        };
        let (dej, mid) = (level(Level::Dej), level(Level::MidDermis));
        let level_fraction = |lv: &Option<Vec<Tally>>, groups: &[u32]| {
            let cells: u64 = groups.iter().map(|&g| hole.groups[g as usize].cells).sum();
            let covered: u64 = groups.iter().map(|&g| lv.as_ref().unwrap_or(&hole.groups)[g as usize].covered()).sum();
            if cells == 0 { 0.0 } else { covered as f64 / cells as f64 }
        };
        let coverage_of = |t: &Tally| {
            let mut c = Coverage::from_tally(t, &grid.grid);
            c.sampled_area_mm2 = t.cells as f64 * grid.unit_mm2;
            c
        };
        let areas = self.face.group_areas_mm2();
        let treated = self.treated_groups();
        // Every puncture is located already (`landing.tri`, `Chart::locate` of its centre).
        let density = |groups: &ChartGroups| metrics::density_with(&punctures, groups, |i| groups.label_of_triangle(landing.tri[i]));
        let densities = density(&ChartGroups::first_groups(chart, &areas, n_regions));
        let union = ChartGroups::union(chart, &areas, &treated);
        let mut depth_sum = vec![(0.0f64, 0u64, 0.0f64); n_regions];
        let mut layers_by_region = vec![LayerCounts::default(); n_regions];
        let mut tilt = vec![(0.0f64, 0u64, 0.0f64); n_regions];
        for i in 0..punctures.len() {
            let a = aimed[i] as usize;
            let t = landing.surface_tilt_deg[i] as f64;
            tilt[a] = (tilt[a].0 + t, tilt[a].1 + 1, tilt[a].2.max(t));
            if let Some(g) = landed[i] {
                let d = real_depth_mm[i];
                depth_sum[g] = (depth_sum[g].0 + d, depth_sum[g].1 + 1, depth_sum[g].2.max(d));
                layers_by_region[g].add(self.face.regions[g].skin.layer_reached(d));
            }
        }
        // The union of each region's triangles seen from the front: folds count once.
        let projected = crate::surface::projected::group_projected_areas_mm2(&self.face.mesh);
        let regions: Vec<SurfaceRegionRun> = self
            .face
            .regions
            .iter()
            .enumerate()
            .map(|(g, info)| {
                let plan: Vec<(&Treatment, &TreatmentRun)> =
                    self.treatments.iter().zip(&runs).filter(|(t, _)| t.region as usize == g).collect();
                let mut figures = RegionRun {
                    treated: treated.contains(&(g as u32)),
                    passes: per_region[g],
                    depths_mm: plan.iter().map(|(t, _)| t.depth_mm).collect(),
                    stamps: plan.iter().map(|(_, r)| r.stamps_per_pass.iter().sum::<usize>()).sum(),
                    path_time_s: plan.iter().map(|(_, r)| r.pass_time_s.iter().sum::<f64>()).sum(),
                    coverage: coverage_of(&hole.groups[g]),
                    zone: zone.as_ref().map(|z| coverage_of(&z.groups[g])),
                    density: densities[g].clone(),
                    coverage_dej: level_fraction(&dej, &[g as u32]),
                    coverage_mid_dermis: level_fraction(&mid, &[g as u32]),
                    layers: layers_by_region[g],
                    mean_real_depth_mm: (depth_sum[g].1 > 0).then(|| depth_sum[g].0 / depth_sum[g].1 as f64),
                    warnings: Vec::new(),
                };
                figures.warnings = super::report::region_warnings(info, &figures, depth_sum[g].2);
                SurfaceRegionRun {
                    name: info.name.clone(),
                    figures,
                    skin_area_mm2: areas[g],
                    projected_area_mm2: projected[g],
                    surface_tilt_deg_mean: if tilt[g].1 > 0 { tilt[g].0 / tilt[g].1 as f64 } else { 0.0 },
                    surface_tilt_deg_max: tilt[g].2,
                }
            })
            .collect();
        warnings.extend(regions.iter().flat_map(|g| g.figures.warnings.iter().cloned()));
        let off_regions = landed.iter().filter(|l| l.is_none()).count() as u64;
        warnings.extend(super::report::off_regions_warning(off_regions, &self.face.name));
        for (i, (t, run)) in self.treatments.iter().zip(&runs).enumerate() {
            warnings.extend(super::report::treatment_run_warnings(i, &self.face.regions[t.region as usize].name, run, self.margin_mm));
        }
        let sum_treated = |groups: &[Tally]| {
            let mut t = Tally::new(passes);
            for &g in &treated {
                t.add_scaled(&groups[g as usize], 1);
            }
            coverage_of(&t)
        };
        let whole = sum_treated(&hole.groups);
        let zone_whole = zone.as_ref().map(|z| sum_treated(&z.groups));
        let mut layers = LayerCounts::default();
        for &g in &treated {
            let c = &layers_by_region[g as usize];
            (layers.epidermis, layers.dermis, layers.beyond) =
                (layers.epidermis + c.epidermis, layers.dermis + c.dermis, layers.beyond + c.beyond);
        }
        // No-go zones: punctures whose hole reaches a zone's triangles (3D, through the
        // bucketed clearance of each zone), located by their skin point's front-plane (x, y).
        let no_go_groups = self.no_go_groups();
        let zones: Vec<Clearance> = no_go_groups.iter().map(|&g| Clearance::new(chart, &[g], r)).collect();
        // All zones at once first: most punctures are far from every zone.
        let any_zone = Clearance::new(chart, &no_go_groups, r);
        let hits: Vec<(Vec2, Option<usize>)> = (0..punctures.len())
            .into_par_iter()
            .map(|i| {
                let t = landing.tri[i];
                if t == NO_TRIANGLE {
                    return (Vec2::zeros(), None);
                }
                let m = &chart.tris[t as usize];
                let q = m.to_skin(Vec2::new(punctures[i].x_mm, punctures[i].y_mm));
                // A tilted or dragged hole: the skin disk that holds it (as the flat map's
                // `footprint::reach`), about the drag's middle.
                let (s, tilt) = (&landing.shape[i], landing.surface_tilt_deg[i] as f64);
                let (at, reach) = if tilt == 0.0 && s.drag == Vec2::zeros() {
                    (q, r)
                } else {
                    let drag = chart.tris[landing.stamp_tri[i] as usize].jac * s.drag;
                    (q + drag * 0.5, r / tilt_depth_factor(tilt) + 0.5 * drag.norm())
                };
                let zone = if any_zone.clear(at, reach) {
                    no_go_groups.iter().position(|&g| m.group == g)
                } else {
                    no_go_groups.iter().zip(&zones).position(|(&g, z)| m.group == g || !z.clear(at, reach))
                };
                (Vec2::new(q.x, q.y), zone)
            })
            .collect();
        let no_go_hits = no_go::gather(zones.len(), hits);
        for (name, z) in self.face.no_go.iter().zip(&no_go_hits) {
            if z.punctures > 0 {
                warnings.push(format!("{} punctures reached the no-go zone {name:?}", z.punctures));
            }
        }
        if landing.tilt_clipped > 0 {
            warnings.push(format!("{} stamps met skin turned more than 80° from the front: tilt clipped", landing.tilt_clipped));
        }
        // Technique figures over the treated skin: session time (path, lane, pass and region
        // changes), dose per region per cm² of skin, gaps in 1 mm chart bins.
        let whole_density = density(&union).remove(0);
        let inside: Vec<u64> =
            std::iter::once(whole_density.punctures_inside).chain(densities.iter().map(|d| d.punctures_inside)).collect();
        let dose_areas: Vec<f64> = std::iter::once(union.areas_mm2[0]).chain(areas[..n_regions].iter().copied()).collect();
        let pass_changes = self.treatments.iter().map(|t| t.passes.len().saturating_sub(1)).sum();
        let session =
            self.technique.session.time_of(pass_time_s.iter().sum(), lane_changes, pass_changes, self.treatments.len().saturating_sub(1));
        // The surface's own tilt-clipping warning above says why (skin turned from the front);
        // the hand's clipped draws get the flat map's warning. The drag is measured here, on
        // the skin: the report sees the punctures without it.
        let dragged = landing.shape.iter().any(|s| s.drag != Vec2::zeros());
        let undragged: Option<Vec<Puncture>> =
            dragged.then(|| punctures.iter().map(|p| Puncture { drag_x_mm: 0.0, drag_y_mm: 0.0, ..*p }).collect());
        let mut technique = technique_report(
            &TechniqueInputs {
                technique: &self.technique,
                grid: grid.grid,
                hole_radius_mm: r,
                passes,
                punctures: undragged.as_deref().unwrap_or(&punctures),
                session,
                tilt_clipped: landing.hand_tilt_clipped,
                inside: &inside,
                areas_mm2: &dose_areas,
                domain: &union,
            },
            &mut warnings,
        );
        technique.tilt_clipped = landing.tilt_clipped + landing.hand_tilt_clipped;
        drop(undragged);
        if dragged {
            // Mean drag in skin mm (the chart drag through the stamp triangle's J), and the
            // treated skin's hole coverage had the needles not been dragged.
            let skin_drag: f64 =
                landing.shape.iter().zip(&landing.stamp_tri).map(|(s, &t)| (chart.tris[t as usize].jac * s.drag).norm()).sum();
            technique.mean_drag_mm = skin_drag / punctures.len().max(1) as f64;
            let still: Vec<_> = landing.shape.iter().map(|s| crate::needle::footprint::Shape { drag: Vec2::zeros(), ..*s }).collect();
            let m = measure::measure(chart, group_count, &punctures, &still, &grid, Some(&tiles), r, passes, None, Layers::default());
            technique.coverage_without_drag = Some(sum_treated(&m.groups).coverage);
        }
        let aliasing = self.summary_view(chart, &grid).aliasing();
        warnings.extend(aliasing.iter().filter_map(|a| a.warning()));
        let (coverage_dej, coverage_mid_dermis) = (level_fraction(&dej, &treated), level_fraction(&mid, &treated));
        let (zone_acc, zone_groups) = zone.map(|z| (z.acc, z.groups)).unzip();
        let run = RunResult {
            punctures_outside: punctures.len() as u64 - whole_density.punctures_inside,
            punctures,
            stamps_per_pass,
            pass_time_s,
            hole: hole.acc,
            hole_coverage: whole,
            zone: zone_acc.zip(zone_whole),
            density: whole_density,
            warnings,
            technique,
            aliasing,
            frames: Frames::default(),
        };
        Ok(SurfaceRunResult {
            run,
            landing,
            real_depth_mm,
            treatments: runs,
            grid,
            tiles,
            hole_groups: hole.groups,
            zone_groups,
            regions,
            layers,
            coverage_dej,
            coverage_mid_dermis,
            off_regions,
            no_go: no_go_hits,
        })
    }
}
