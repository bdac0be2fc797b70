//! `summary.json`: the run's figures. This is a stable contract: keys are added, never
//! renamed. Fractions are 0–1, areas mm², densities per cm², times s.

use serde::Serialize;

use crate::metrics::{Coverage, Density};
use crate::sim::{RunResult, Simulation};

use super::technique_summary::{DoseSummary, DragSummary, GapsSummary, HandSummary, SessionSummary};

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub needlesim_version: &'static str,
    pub stamps: usize,
    pub stamps_per_pass: Vec<usize>,
    pub punctures: usize,
    pub needles: usize,
    pub passes: usize,
    /// Exact area of the patch, mm².
    pub area_mm2: f64,
    /// Area measured by the grid, mm² (differs from `area_mm2` by the cell rounding).
    pub sampled_area_mm2: f64,
    pub resolution_mm: f64,
    pub needle_diameter_mm: f64,
    pub depth_mm: f64,
    /// Hole coverage and density over the patch.
    #[serde(flatten)]
    pub hole: CoverageKeys,
    /// Punctures whose centre fell outside the patch (cartridge overhang at the edges).
    pub punctures_outside_area: u64,
    /// Coverage with the footprint grown by the halo; null when the halo is 0.
    pub treated_zone: Option<ZoneSummary>,
    pub technique: TechniqueSummary,
    /// Time the passes take at the set speed, s (path and travel between strokes).
    pub path_time_s: f64,
    pub warnings: Vec<String>,
    /// `passes_per_spot_histogram[k]` = fraction of the area hit on exactly k distinct
    /// passes (k = 0..=passes); sums to 1.
    pub passes_per_spot_histogram: Vec<f64>,
    /// Fraction of the area hit on more than 3 distinct passes.
    pub over_3_passes_fraction: f64,
    pub hand: HandSummary,
    /// Drag of needles that stay in the skin while the pen moves; null without a contact duty.
    pub drag: Option<DragSummary>,
    pub session: SessionSummary,
    pub dose: DoseSummary,
    pub gaps: GapsSummary,
    /// Facts of the cartridge's needle layout.
    pub layout: LayoutSummary,
    /// Aliasing (moiré) check of each lane pass; see `aliasing.rs`.
    pub aliasing: Vec<AliasingSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayoutSummary {
    /// Smallest needle centre distance, mm (null for one needle).
    pub min_spacing_mm: Option<f64>,
    /// Circle about the axis holding every needle disk, mm.
    pub footprint_diameter_mm: f64,
    /// needles × needle area / footprint circle area.
    pub fill_fraction: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AliasingSummary {
    pub pass: usize,
    pub direction_deg: f64,
    pub step_mm: f64,
    /// Steady-state coverage of the lane band by one lane, 0–1.
    pub lane_coverage: f64,
    /// The same if the needles' phases were incommensurate with the step, 0–1.
    pub random_phase_coverage: f64,
    pub ratio: f64,
    pub flagged: bool,
    /// Speeds between aliasing values to try instead, mm/s (empty when not flagged).
    pub suggested_speeds_mm_s: Vec<f64>,
}

/// The coverage and density keys of an area (the patch, the treated regions, one face
/// region), flattened into its object.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageKeys {
    /// Hole coverage (footprint = needle), cumulative over all passes, 0–1.
    pub coverage: f64,
    pub coverage_per_pass: Vec<f64>,
    pub coverage_cumulative: Vec<f64>,
    /// Fractions of area hit 0, 1, 2, 3, ≥ 4 times (sums to 1).
    pub hits_histogram: [f64; 5],
    /// Fractions of area hit 0, 1, …, 15, ≥ 16 times.
    pub hits_histogram_full: Vec<f64>,
    pub mean_hits: f64,
    pub max_hits: u32,
    pub over_pass_limit_fraction: f64,
    /// Punctures with their centre in the area, per cm².
    pub density_per_cm2: f64,
    pub density_per_pass_per_cm2: f64,
    /// CV of punctures per 1 mm × 1 mm bin (null when no bin lies wholly inside).
    pub uniformity_cv: Option<f64>,
    pub uniformity_bins: usize,
}

impl CoverageKeys {
    /// From the hole coverage `c` and density `d` of an area treated in `passes` passes
    /// (the per-pass density divides by at least one).
    pub fn new(c: &Coverage, d: &Density, passes: usize) -> Self {
        CoverageKeys {
            coverage: c.coverage,
            coverage_per_pass: c.coverage_per_pass.clone(),
            coverage_cumulative: c.coverage_cumulative.clone(),
            hits_histogram: c.hits_histogram,
            hits_histogram_full: c.hits_histogram_full.clone(),
            mean_hits: c.mean_hits,
            max_hits: c.max_hits,
            over_pass_limit_fraction: c.over_pass_limit_fraction,
            density_per_cm2: d.density_per_cm2,
            density_per_pass_per_cm2: d.density_per_cm2 / passes.max(1) as f64,
            uniformity_cv: d.uniformity_cv,
            uniformity_bins: d.bins,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneSummary {
    pub halo_mm: f64,
    pub coverage: f64,
    pub coverage_per_pass: Vec<f64>,
    pub coverage_cumulative: Vec<f64>,
    pub hits_histogram: [f64; 5],
}

impl ZoneSummary {
    /// The treated zone's coverage `z` with halo `halo_mm`.
    pub fn new(halo_mm: f64, z: &Coverage) -> Self {
        ZoneSummary {
            halo_mm,
            coverage: z.coverage,
            coverage_per_pass: z.coverage_per_pass.clone(),
            coverage_cumulative: z.coverage_cumulative.clone(),
            hits_histogram: z.hits_histogram,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct TechniqueSummary {
    pub pattern: &'static str,
    pub speed_mm_s: f64,
    pub frequency_hz: f64,
    /// Distance between consecutive stamps, mm.
    pub step_mm: f64,
    pub directions_deg: Vec<f64>,
    pub lane_spacing_mm: Vec<f64>,
    pub track_width_mm: Vec<f64>,
}

impl Summary {
    pub fn new(sim: &Simulation, r: &RunResult) -> Self {
        let c: &Coverage = &r.hole_coverage;
        let passes = sim.passes.len();
        let first = &sim.passes[0];
        Summary {
            scenario: sim.name.clone(),
            seed: sim.seed,
            needlesim_version: env!("CARGO_PKG_VERSION"),
            stamps: r.stamps_per_pass.iter().sum(),
            stamps_per_pass: r.stamps_per_pass.clone(),
            punctures: r.punctures.len(),
            needles: sim.cartridge.needle_count(),
            passes,
            area_mm2: sim.area.area(),
            sampled_area_mm2: c.sampled_area_mm2,
            resolution_mm: sim.grid.resolution_mm,
            needle_diameter_mm: sim.cartridge.needle_diameter_mm,
            depth_mm: sim.cartridge.depth_mm,
            hole: CoverageKeys::new(c, &r.density, passes),
            punctures_outside_area: r.punctures_outside,
            treated_zone: r.zone.as_ref().map(|(_, z)| ZoneSummary::new(sim.halo_mm, z)),
            technique: TechniqueSummary {
                pattern: first.pattern.name(),
                speed_mm_s: first.speed_mm_s,
                frequency_hz: sim.device.frequency_hz,
                step_mm: first.speed_mm_s / sim.device.frequency_hz,
                directions_deg: sim.passes.iter().map(|p| p.direction_deg).collect(),
                lane_spacing_mm: sim.passes.iter().map(|p| p.lane_spacing_mm).collect(),
                track_width_mm: sim.passes.iter().map(|p| sim.cartridge.track_width_mm(p.direction_deg, sim.device.rotation_deg)).collect(),
            },
            path_time_s: r.pass_time_s.iter().sum(),
            warnings: r.warnings.clone(),
            passes_per_spot_histogram: c.passes_per_spot.clone(),
            over_3_passes_fraction: c.over_3_passes_fraction,
            hand: HandSummary::new(sim, r),
            drag: DragSummary::new(sim, r),
            session: SessionSummary::new(sim, r),
            dose: DoseSummary::new(r),
            gaps: GapsSummary::new(r),
            layout: {
                let f = crate::pen::layout::facts(&sim.cartridge.needles_mm, sim.cartridge.needle_diameter_mm);
                LayoutSummary {
                    min_spacing_mm: f.min_spacing_mm,
                    footprint_diameter_mm: f.footprint_diameter_mm,
                    fill_fraction: f.fill_fraction,
                }
            },
            aliasing: r
                .aliasing
                .iter()
                .map(|a| AliasingSummary {
                    pass: a.pass,
                    direction_deg: a.direction_deg,
                    step_mm: a.step_mm,
                    lane_coverage: a.lane_coverage,
                    random_phase_coverage: a.random_phase_coverage,
                    ratio: a.ratio,
                    flagged: a.flagged,
                    suggested_speeds_mm_s: a.suggested_speeds_mm_s.clone(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summary serialises") + "\n"
    }
}
