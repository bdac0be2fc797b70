//! `compare.json`: a scenario run with an ideal hand and with its own hand, side by side.
//!
//! Both runs share everything but the hand (cartridge, device, passes, seed), so the
//! differences are what the hand does: coverage, the overlap histogram, density and its
//! uniformity, gaps, passes per spot, stamps and time.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::render::heatmap;
use crate::sim::{RunResult, Simulation};

use super::StagedDir;

pub const COMPARE_JSON: &str = "compare.json";
pub const HEATMAP_IDEAL_PNG: &str = "heatmap-ideal.png";
pub const HEATMAP_REAL_PNG: &str = "heatmap-real.png";

/// The figures compared, for one run.
#[derive(Clone, Debug, Serialize)]
pub struct RunFigures {
    pub stamps: usize,
    pub punctures: usize,
    pub coverage: f64,
    pub coverage_per_pass: Vec<f64>,
    /// Fractions of area hit 0, 1, 2, 3, ≥ 4 times.
    pub hits_histogram: [f64; 5],
    pub mean_hits: f64,
    pub max_hits: u32,
    /// Treated-zone coverage (footprint + halo); null when the halo is 0.
    pub treated_zone_coverage: Option<f64>,
    pub density_per_cm2: f64,
    pub uniformity_cv: Option<f64>,
    /// Fraction of 1 mm bins with no puncture.
    pub empty_bin_fraction: f64,
    pub largest_gap_mm: f64,
    pub passes_per_spot_histogram: Vec<f64>,
    pub over_3_passes_fraction: f64,
    pub over_pass_limit_fraction: f64,
    pub path_time_s: f64,
    pub mean_tilt_deg: f64,
    pub mean_drag_mm: f64,
}

impl RunFigures {
    pub fn of(r: &RunResult) -> Self {
        let c = &r.hole_coverage;
        RunFigures {
            stamps: r.stamps_per_pass.iter().sum(),
            punctures: r.punctures.len(),
            coverage: c.coverage,
            coverage_per_pass: c.coverage_per_pass.clone(),
            hits_histogram: c.hits_histogram,
            mean_hits: c.mean_hits,
            max_hits: c.max_hits,
            treated_zone_coverage: r.zone.as_ref().map(|(_, z)| z.coverage),
            density_per_cm2: r.density.density_per_cm2,
            uniformity_cv: r.density.uniformity_cv,
            empty_bin_fraction: r.technique.gaps.empty_bin_fraction,
            largest_gap_mm: r.technique.gaps.largest_gap_mm,
            passes_per_spot_histogram: c.passes_per_spot.clone(),
            over_3_passes_fraction: c.over_3_passes_fraction,
            over_pass_limit_fraction: c.over_pass_limit_fraction,
            path_time_s: r.pass_time_s.iter().sum(),
            mean_tilt_deg: r.technique.mean_tilt_deg,
            mean_drag_mm: r.technique.mean_drag_mm,
        }
    }
}

/// Real minus ideal, for the scalar figures.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub coverage: f64,
    pub hits_histogram: [f64; 5],
    pub density_per_cm2: f64,
    pub uniformity_cv: Option<f64>,
    pub empty_bin_fraction: f64,
    pub largest_gap_mm: f64,
    pub over_3_passes_fraction: f64,
    pub path_time_s: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub scenario: String,
    pub seed: u64,
    pub needlesim_version: &'static str,
    /// True when the scenario's hand is already ideal (both columns are then the same).
    pub hand_is_ideal: bool,
    pub ideal: RunFigures,
    pub real: RunFigures,
    /// `real − ideal`.
    pub difference: Difference,
    pub warnings: Vec<String>,
}

impl Comparison {
    pub fn new(sim: &Simulation, ideal: &RunResult, real: &RunResult) -> Self {
        let (i, r) = (RunFigures::of(ideal), RunFigures::of(real));
        let mut hist = [0.0; 5];
        for (k, h) in hist.iter_mut().enumerate() {
            *h = r.hits_histogram[k] - i.hits_histogram[k];
        }
        let difference = Difference {
            coverage: r.coverage - i.coverage,
            hits_histogram: hist,
            density_per_cm2: r.density_per_cm2 - i.density_per_cm2,
            uniformity_cv: r.uniformity_cv.zip(i.uniformity_cv).map(|(a, b)| a - b),
            empty_bin_fraction: r.empty_bin_fraction - i.empty_bin_fraction,
            largest_gap_mm: r.largest_gap_mm - i.largest_gap_mm,
            over_3_passes_fraction: r.over_3_passes_fraction - i.over_3_passes_fraction,
            path_time_s: r.path_time_s - i.path_time_s,
        };
        Comparison {
            scenario: sim.name.clone(),
            seed: sim.seed,
            needlesim_version: env!("CARGO_PKG_VERSION"),
            hand_is_ideal: sim.technique.hand.is_ideal(),
            ideal: i,
            real: r,
            difference,
            warnings: real.warnings.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("comparison serialises") + "\n"
    }
}

/// Write `compare.json` and the two heatmaps into `dir`, atomically.
pub fn write_compare(dir: &Path, sim: &Simulation, ideal: &RunResult, real: &RunResult) -> Result<(PathBuf, Comparison)> {
    let staged = StagedDir::new(dir)?;
    let cmp = Comparison::new(sim, ideal, real);
    let p = staged.path(COMPARE_JSON);
    std::fs::write(&p, cmp.to_json()).map_err(|e| Error::io(&p, e))?;
    for (name, which, r) in [(HEATMAP_IDEAL_PNG, "ideal hand", ideal), (HEATMAP_REAL_PNG, "real hand", real)] {
        if let Some(raster) = &r.hole.raster {
            let title = format!("{}: {which}, hits per spot, coverage {:.1} %", sim.name, 100.0 * r.hole_coverage.coverage);
            heatmap::write_png(&staged.path(name), raster, sim.area, &title, "mean hits per pixel")?;
        }
    }
    Ok((staged.commit()?, cmp))
}
