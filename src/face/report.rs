//! Figures and warnings of a face session, per region and over the treated regions.
//!
//! Per region: the patch's coverage figures from its tally (cells whose centre is in the
//! region), density and uniformity of the punctures centred in it, coverage at the depth
//! levels, layers reached, passes, stamps and path time of the treatments that aimed at it.
//! Whole session: the tallies of the treated regions merged (integer sums, so exact) and the
//! density over their union. Warnings name the region or zone, the figure and the limit.

use crate::geometry::Vec2;
use crate::metrics::{self, Coverage, Density};
use crate::needle::puncture::Puncture;
use crate::needle::skin::LayerCounts;
use crate::raster::accumulate::{Accumulation, PASS_LIMIT, Tally};
use crate::raster::domain::NO_LABEL;
use crate::raster::grid::GridSpec;

use super::levels::LevelHits;
use super::no_go::NoGoHits;
use super::plan::Treatment;
use super::stamping::TreatmentRun;
use super::{FaceMap, RegionInfo, Union};

/// Figures of one region.
#[derive(Clone, Debug)]
pub struct RegionRun {
    pub treated: bool,
    /// Passes planned over it (0 when untreated).
    pub passes: usize,
    /// Set depths of its treatments, mm, in plan order.
    pub depths_mm: Vec<f64>,
    pub stamps: usize,
    pub path_time_s: f64,
    pub coverage: Coverage,
    pub zone: Option<Coverage>,
    pub density: crate::metrics::Density,
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
    /// Layers reached by the punctures whose centre is in the region.
    pub layers: LayerCounts,
    /// Mean real depth of those punctures, mm (`None` when there are none).
    pub mean_real_depth_mm: Option<f64>,
    pub warnings: Vec<String>,
}

/// What [`figures`] works from.
pub struct Inputs<'a> {
    pub map: &'a FaceMap,
    pub grid: GridSpec,
    /// The plan, in order.
    pub plan: &'a [Treatment],
    /// Passes planned over each region (0: untreated).
    pub passes_by_region: &'a [usize],
    /// Least distance from the cartridge centre to a no-go zone, mm (for the warnings).
    pub margin_mm: f64,
    pub punctures: &'a [Puncture],
    /// What each entry of the plan produced.
    pub treatments: &'a [TreatmentRun],
    pub hole: &'a Accumulation,
    pub zone: Option<&'a Accumulation>,
    pub dej: &'a LevelHits,
    pub mid: &'a LevelHits,
    pub layers_by_region: &'a [LayerCounts],
    pub real_depth_mm: &'a [f64],
    pub landed: &'a [u16],
}

/// Whole-session figures over the treated regions.
pub struct Whole {
    pub coverage: Coverage,
    pub zone: Option<Coverage>,
    pub density: Density,
    pub layers: LayerCounts,
    pub coverage_dej: f64,
    pub coverage_mid_dermis: f64,
}

fn fraction(covered: u64, cells: u64) -> f64 {
    if cells == 0 { 0.0 } else { covered as f64 / cells as f64 }
}

fn merged(tallies: &[Tally], chosen: &[bool]) -> Tally {
    let passes = tallies.first().map_or(0, |t| t.alone.len());
    let mut m = Tally::new(passes);
    for (t, _) in tallies.iter().zip(chosen).filter(|(_, c)| **c) {
        m.merge(t);
    }
    m
}

/// Covered fraction at a level for the cells of the `chosen` labels.
fn level_fraction(level: &LevelHits, hole: &[Tally], chosen: &[bool]) -> f64 {
    let cells = merged(hole, chosen).cells;
    let covered = match level {
        LevelHits::AllReach => merged(hole, chosen).covered(),
        LevelHits::Tallies(t) => merged(t, chosen).covered(),
    };
    fraction(covered, cells)
}

/// Per-region and whole-session figures.
pub fn figures(inp: &Inputs) -> (Vec<RegionRun>, Whole) {
    let map = inp.map;
    let n = map.regions().len();
    let passes_by_region = inp.passes_by_region;
    let treated: Vec<bool> = passes_by_region.iter().map(|&p| p > 0).collect();
    let densities = metrics::density(inp.punctures, map);
    let cov = |t: &Tally| Coverage::from_tally(t, &inp.grid);
    let only = |l: usize| (0..n).map(|k| k == l).collect::<Vec<bool>>();
    let mut depth_sum = vec![(0.0f64, 0u64); n];
    for (&l, &d) in inp.landed.iter().zip(inp.real_depth_mm) {
        if l != NO_LABEL {
            depth_sum[l as usize].0 += d;
            depth_sum[l as usize].1 += 1;
        }
    }

    let regions = (0..n)
        .map(|l| {
            let aimed: Vec<(&Treatment, &TreatmentRun)> =
                inp.plan.iter().zip(inp.treatments).filter(|(t, _)| t.region as usize == l).collect();
            RegionRun {
                treated: treated[l],
                passes: passes_by_region[l],
                depths_mm: aimed.iter().map(|(t, _)| t.depth_mm).collect(),
                stamps: aimed.iter().map(|(_, r)| r.stamps_per_pass.iter().sum::<usize>()).sum(),
                path_time_s: aimed.iter().map(|(_, r)| r.pass_time_s.iter().sum::<f64>()).sum(),
                coverage: cov(&inp.hole.tallies[l]),
                zone: inp.zone.map(|z| cov(&z.tallies[l])),
                density: densities[l].clone(),
                coverage_dej: level_fraction(inp.dej, &inp.hole.tallies, &only(l)),
                coverage_mid_dermis: level_fraction(inp.mid, &inp.hole.tallies, &only(l)),
                layers: inp.layers_by_region[l],
                mean_real_depth_mm: (depth_sum[l].1 > 0).then(|| depth_sum[l].0 / depth_sum[l].1 as f64),
                warnings: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    let mut regions = regions;
    add_region_warnings(inp, &mut regions);

    let union = Union { map, chosen: treated.clone() };
    let mut layers = LayerCounts::default();
    for (c, t) in inp.layers_by_region.iter().zip(&treated) {
        if *t {
            layers.epidermis += c.epidermis;
            layers.dermis += c.dermis;
            layers.beyond += c.beyond;
        }
    }
    let whole = Whole {
        coverage: cov(&merged(&inp.hole.tallies, &treated)),
        zone: inp.zone.map(|z| cov(&merged(&z.tallies, &treated))),
        density: metrics::density(inp.punctures, &union).remove(0),
        layers,
        coverage_dej: level_fraction(inp.dej, &inp.hole.tallies, &treated),
        coverage_mid_dermis: level_fraction(inp.mid, &inp.hole.tallies, &treated),
    };
    (regions, whole)
}

/// Warnings that belong to one region: depth beyond the dermis, density far above the
/// sources, more than 4 passes.
fn add_region_warnings(inp: &Inputs, regions: &mut [RegionRun]) {
    let mut deepest = vec![0.0f64; regions.len()];
    for (&l, &d) in inp.landed.iter().zip(inp.real_depth_mm) {
        if l != NO_LABEL {
            deepest[l as usize] = deepest[l as usize].max(d);
        }
    }
    for (l, r) in regions.iter_mut().enumerate() {
        r.warnings = region_warnings(&inp.map.regions()[l], r, deepest[l]);
    }
}

/// The warnings of one region's figures `r` (flat map or surface): punctures beyond the
/// dermis (the deepest real depth among them `deepest_mm`), density far above the sources
/// (treated regions), area punctured on more than 4 passes.
pub fn region_warnings(info: &RegionInfo, r: &RegionRun, deepest_mm: f64) -> Vec<String> {
    let mut out = Vec::new();
    let beyond = r.layers.beyond;
    if beyond > 0 {
        let s = &info.skin;
        out.push(format!(
            "{}: {beyond} punctures ({:.1} %) reach beyond the dermis: real depth up to {:.3} mm ≥ epidermis {:.3} + dermis {:.3} = {:.3} mm",
            info.name,
            100.0 * r.layers.fractions()[2],
            deepest_mm,
            s.epidermis_mm,
            s.dermis_mm,
            s.dermis_bottom_mm()
        ));
    }
    if r.treated {
        let hi = crate::metrics::TARGET_DENSITY_PER_CM2.1;
        out.extend(crate::metrics::far_above_sources(&info.name, r.density.density_per_cm2, hi));
    }
    if r.coverage.over_pass_limit_fraction > 0.0 {
        out.push(format!(
            "{}: {:.2} % of the area was punctured on more than {PASS_LIMIT} passes",
            info.name,
            100.0 * r.coverage.over_pass_limit_fraction
        ));
    }
    out
}

/// The warnings of treatment `i` (of region `name`) from what it produced: passes with no
/// stamps (no lane fits at `margin_mm` from the no-go zones), random stamps with no spot.
pub fn treatment_run_warnings(i: usize, name: &str, run: &TreatmentRun, margin_mm: f64) -> Vec<String> {
    let mut out = Vec::new();
    for (k, &s) in run.stamps_per_pass.iter().enumerate() {
        if s == 0 {
            out.push(format!(
                "treat[{i}] {name}: pass {k} has no stamps: no lane fits in the region at face.margin_mm = {margin_mm} from the no-go zones"
            ));
        }
    }
    if run.unplaced > 0 {
        out.push(format!("treat[{i}] {name}: the random pattern found no allowed spot for {} stamps", run.unplaced));
    }
    out
}

/// The warning for `off` punctures whose centre landed in no region of map `map_name` (nor
/// in a no-go zone, which warns on its own), if any.
pub fn off_regions_warning(off: u64, map_name: &str) -> Option<String> {
    (off > 0).then(|| format!("{off} punctures landed off the map's regions ({map_name}): they count in no figure"))
}

/// All session warnings beyond the plan checks: per region, per treatment, per no-go zone,
/// punctures off the regions.
pub fn warnings(inp: &Inputs, regions: &[RegionRun], no_go: &[NoGoHits]) -> Vec<String> {
    let mut out: Vec<String> = regions.iter().flat_map(|r| r.warnings.iter().cloned()).collect();
    let off = inp
        .landed
        .iter()
        .zip(inp.punctures)
        .filter(|&(&l, p)| l == NO_LABEL && inp.map.no_go_at(Vec2::new(p.x_mm, p.y_mm)).is_none())
        .count();
    out.extend(off_regions_warning(off as u64, inp.map.name()));
    for (i, (t, run)) in inp.plan.iter().zip(inp.treatments).enumerate() {
        out.extend(treatment_run_warnings(i, &inp.map.region(t.region).name, run, inp.margin_mm));
    }
    for (z, name) in no_go.iter().zip(inp.map.no_go_names()) {
        if z.punctures == 0 {
            continue;
        }
        let c = z.centroid_mm.expect("hits have a centroid");
        let b = z.bounds_mm.expect("hits have bounds");
        let ex = z.examples_mm.iter().map(|p| format!("({:.2}, {:.2})", p.x, p.y)).collect::<Vec<_>>().join(", ");
        out.push(format!(
            "no-go zone {name}: {} punctures touch it, centred around ({:.2}, {:.2}) mm, within x {:.2}…{:.2}, y {:.2}…{:.2} mm; first: {ex}",
            z.punctures, c.x, c.y, b.x0, b.x1, b.y0, b.y1
        ));
    }
    out
}
