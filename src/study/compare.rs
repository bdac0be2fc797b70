//! Cartridge comparison: the figures of one run that tell cartridges apart.
//!
//! Every cartridge runs the same technique (same patch, passes, speed, frequency, seed);
//! only the needles change (and, when the scenario leaves `lane_spacing_mm` unset, the lane
//! spacing, which follows each cartridge's track width). Figures per cartridge:
//!
//! - coverage per pass (each pass alone) and cumulative, hole footprint;
//! - overlap histogram (area hit 0, 1, 2, 3, ≥ 4 times);
//! - density and its CV over 1 mm bins (`metrics`);
//! - largest untreated gap (`empty_disk`: largest empty disk on the grid, in a window);
//! - time to reach the target coverage: the cumulative coverage is taken to grow linearly in
//!   time within each pass (an approximation: coverage is only measured pass by pass), so
//!   the time is the pass times before the pass that crosses the target plus the linear share
//!   of that pass; `None` when the session never reaches it.
//!
//! **Faces** ([`face_row`]): a face session on a flat map gives the same figures over its
//! treated regions (its summary.json's whole-session figures), plus each treated region's
//! coverage, mean coverage of a pass and density ([`RegionFigures`]); the largest gap is not
//! measured on a face (`None`: its window would span untreated regions and no-go zones).

use crate::error::Result;
use crate::face::simulation::FaceSimulation;
use crate::metrics::empty_disk;
use crate::pen::cartridge::Cartridge;
use crate::pen::layout::{self, LayoutFacts};
use crate::sim::{RunResult, Simulation};

/// One treated face region's figures in a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionFigures {
    /// The region's name in the map (`cheek_left`).
    pub name: String,
    /// Cumulative hole coverage of the region, 0–1.
    pub coverage: f64,
    /// Mean over its passes of each pass's coverage alone, 0–1.
    pub mean_coverage_per_pass: f64,
    /// Punctures centred in the region per cm².
    pub density_per_cm2: f64,
}

/// One cartridge's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRow {
    pub cartridge: String,
    pub layout: LayoutFacts,
    pub coverage_per_pass: Vec<f64>,
    pub mean_coverage_per_pass: f64,
    pub coverage: f64,
    pub hits_histogram: [f64; 5],
    pub density_per_cm2: f64,
    pub uniformity_cv: Option<f64>,
    pub largest_gap_mm: Option<f64>,
    pub time_to_target_s: Option<f64>,
    pub path_time_s: f64,
    pub aliasing_flagged: bool,
    pub warnings: Vec<String>,
    /// Treated regions of a face session, in map order (empty for a patch).
    pub regions: Vec<RegionFigures>,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Run `sim` and collect its comparison figures; `target` is the cumulative coverage whose
/// time is reported.
pub fn row(label: &str, sim: &Simulation, target: f64) -> Result<CompareRow> {
    let mut sim = sim.clone();
    sim.picture = false;
    let r = sim.run()?;
    let window = empty_disk::window(&sim.area, &sim.grid);
    let gap = empty_disk::largest_empty_disk_mm(&r.punctures, sim.cartridge.radius_mm(), &window, &sim.grid);
    Ok(figures(label, &sim.cartridge, r, gap, target, Vec::new()))
}

/// Run the face session `sim` and collect its comparison figures (see "Faces" in the module
/// doc); `target` as in [`row`].
pub fn face_row(label: &str, sim: &FaceSimulation, target: f64) -> Result<CompareRow> {
    let mut sim = sim.clone();
    sim.picture = false;
    let r = sim.run()?;
    let regions = sim
        .map
        .regions()
        .iter()
        .zip(&r.regions)
        .filter(|(_, g)| g.treated)
        .map(|(info, g)| RegionFigures {
            name: info.name.clone(),
            coverage: g.coverage.coverage,
            mean_coverage_per_pass: mean(&g.coverage.coverage_per_pass),
            density_per_cm2: g.density.density_per_cm2,
        })
        .collect();
    Ok(figures(label, &sim.cartridge, r.run, None, target, regions))
}

/// The row of a finished run (a patch's, or a face session's whole-session figures).
fn figures(label: &str, cartridge: &Cartridge, r: RunResult, gap: Option<f64>, target: f64, regions: Vec<RegionFigures>) -> CompareRow {
    let c = &r.hole_coverage;
    CompareRow {
        cartridge: label.to_owned(),
        layout: layout::facts(&cartridge.needles_mm, cartridge.needle_diameter_mm),
        coverage_per_pass: c.coverage_per_pass.clone(),
        mean_coverage_per_pass: mean(&c.coverage_per_pass),
        coverage: c.coverage,
        hits_histogram: c.hits_histogram,
        density_per_cm2: r.density.density_per_cm2,
        uniformity_cv: r.density.uniformity_cv,
        largest_gap_mm: gap,
        time_to_target_s: time_to_coverage(&c.coverage_cumulative, &r.pass_time_s, target),
        path_time_s: r.pass_time_s.iter().sum(),
        aliasing_flagged: r.aliasing.iter().any(|a| a.flagged),
        warnings: r.warnings,
        regions,
    }
}

/// Time at which the cumulative coverage reaches `target`, interpolating linearly within
/// the pass that crosses it; `None` if it never does.
pub fn time_to_coverage(cumulative: &[f64], pass_time_s: &[f64], target: f64) -> Option<f64> {
    let (mut t0, mut c0) = (0.0, 0.0);
    for (&c1, &dt) in cumulative.iter().zip(pass_time_s) {
        if c1 >= target {
            let share = if c1 > c0 { ((target - c0) / (c1 - c0)).clamp(0.0, 1.0) } else { 0.0 };
            return Some(t0 + share * dt);
        }
        (t0, c0) = (t0 + dt, c1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_to_coverage_interpolates_within_the_crossing_pass() {
        // Pass 0 reaches 0.2 in 10 s, pass 1 reaches 0.4 in 20 s more: 0.3 is met half way
        // through pass 1.
        assert_eq!(time_to_coverage(&[0.2, 0.4], &[10.0, 20.0], 0.3), Some(20.0));
        assert_eq!(time_to_coverage(&[0.2, 0.4], &[10.0, 20.0], 0.1), Some(5.0));
        assert_eq!(time_to_coverage(&[0.2, 0.4], &[10.0, 20.0], 0.4), Some(30.0));
        assert_eq!(time_to_coverage(&[0.2, 0.4], &[10.0, 20.0], 0.5), None);
    }
}
