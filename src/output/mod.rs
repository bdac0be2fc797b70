//! Outputs: the files a run writes, and how they are written.
//!
//! **Invariant:** an output directory is either the previous complete one or the new
//! complete one. Files are written into a hidden sibling staging directory, which is renamed
//! into place only when every file is written; a failed or interrupted run leaves no
//! half-written directory (a stale staging directory may remain after `kill -9` and is
//! removed by the next run into the same place).

mod atomic;
pub mod cartridge_compare;
pub mod compare;
pub mod optimization;
pub mod face;
pub mod face_summary;
pub mod punctures_csv;
pub mod summary;
pub mod technique_summary;

pub use atomic::{StagedDir, write_file_atomic, write_file_atomic_with};
pub use face::write_face_run;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::render::heatmap;
use crate::simulate::{RunResult, Simulation};
use summary::Summary;

/// File names inside a run directory.
pub const SUMMARY_JSON: &str = "summary.json";
pub const PUNCTURES_CSV: &str = "punctures.csv";
pub const HEATMAP_PNG: &str = "heatmap.png";
pub const SCENARIO_TOML: &str = "scenario.toml";
/// The replayed trace, copied so the output folder re-runs on its own.
pub const TRACE_CSV: &str = "trace.csv";

/// The scenario as written into a run folder: a `[trace]` points at the folder's own copy.
pub fn resolved_scenario(file: &crate::scenario::ScenarioFile) -> crate::scenario::ScenarioFile {
    let mut f = file.clone();
    if let Some(t) = &mut f.trace {
        t.file = TRACE_CSV.into();
    }
    f
}
/// Written only when a pass aliases (the worst pass).
pub const ALIASING_PNG: &str = "aliasing.png";

/// Write a run's outputs into `dir` atomically: summary.json, punctures.csv, heatmap.png and
/// the resolved scenario (`scenario_toml`, with overrides applied).
pub fn write_run(dir: &Path, sim: &Simulation, result: &RunResult, scenario_toml: &str) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    write_run_files(&staged, sim, result, scenario_toml)?;
    staged.commit()
}

/// Write a run's files into a staged directory (for writers that add files of their own,
/// e.g. the live page's export, before committing).
pub fn write_run_files(staged: &StagedDir, sim: &Simulation, result: &RunResult, scenario_toml: &str) -> Result<()> {
    let summary = Summary::new(sim, result);
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(SUMMARY_JSON, summary.to_json().as_bytes())?;
    write(SCENARIO_TOML, scenario_toml.as_bytes())?;
    if let Some(trace) = &sim.technique.trace {
        write(TRACE_CSV, crate::scenario::trace_csv::write(trace).as_bytes())?;
    }
    {
        let p = staged.path(PUNCTURES_CSV);
        let f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        punctures_csv::write(&mut w, &result.punctures).map_err(|e| Error::io(&p, e))?;
        std::io::Write::flush(&mut w).map_err(|e| Error::io(&p, e))?;
    }
    if let Some(raster) = &result.hole.raster {
        let title = format!(
            "{}: hits per spot, {} needles, {} Hz, {} mm/s, {} passes, coverage {:.1} %",
            sim.name,
            sim.cartridge.needle_count(),
            sim.device.frequency_hz,
            sim.passes[0].speed_mm_s,
            sim.passes.len(),
            100.0 * result.hole_coverage.coverage
        );
        heatmap::write_png(&staged.path(HEATMAP_PNG), raster, sim.area, &title, "mean hits per pixel")?;
    }
    if let Some(worst) = result.aliasing.iter().filter(|a| a.flagged).min_by(|a, b| a.ratio.total_cmp(&b.ratio)) {
        let bytes = crate::render::aliasing::png(&sim.cartridge, sim.device.rotation_deg, sim.device.frequency_hz, worst)?;
        write(ALIASING_PNG, &bytes)?;
    }
    Ok(())
}
