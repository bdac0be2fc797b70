//! The files of a face session: the patch's four files, with face columns and keys added.
//!
//! - `summary.json`: [`FaceSummary`] (the patch keys, then `face`, `layers`, `no_go`,
//!   `regions.<name>`, …).
//! - `punctures.csv`: the patch columns, then `region` (the region the treatment aimed at),
//!   `landed_in` (region under the needle's centre, `no_go:<zone>`, or `off_map`),
//!   `real_depth_mm` and `layer` (`epidermis`, `dermis`, `beyond`; empty when it landed in
//!   no region).
//! - the per-region pictures (`region_coverage`, `region_density`: PNG and SVG), then the
//!   pictures of a run (heatmap, passes, density, depth as PNG and SVG, animation.gif,
//!   aliasing.png when a pass aliases) on the face map (see [`super::face_pictures`]), and
//!   `report.html` with the per-region table from summary.json `regions.<name>` (the full
//!   table as `regions.csv` beside it).
//! - `scenario.toml`: the resolved scenario.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::face::simulation::{FaceRunResult, FaceSimulation};
use crate::render::settings::Pictures;

use super::face_pictures::{face_map_context, face_pictures, face_run_info, region_pictures};
use super::face_summary::FaceSummary;
use super::run::{Drawn, write_drawn, write_punctures_with, write_staged};
use super::{Outputs, REPORT_HTML, SCENARIO_TOML, SUMMARY_JSON, StagedDir, draw_pictures_and_report, punctures_csv};

pub use super::punctures_csv::FACE_COLUMNS;

/// Write a face session's outputs into `dir` atomically.
pub fn write_face_run(dir: &Path, sim: &FaceSimulation, pictures: &Pictures, r: &FaceRunResult, scenario_toml: &str) -> Result<PathBuf> {
    write_face_run_with(dir, sim, pictures, r, scenario_toml, Outputs::ALL)
}

/// [`write_face_run`] writing only the selected `outputs` (summary.json and scenario.toml
/// always). The pictures are drawn in memory while the other files are written.
pub fn write_face_run_with(
    dir: &Path,
    sim: &FaceSimulation,
    pictures: &Pictures,
    r: &FaceRunResult,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    write_selected(&staged, sim, pictures, r, scenario_toml, outputs)?;
    staged.commit()
}

/// Write a face session's outputs into a staged directory (the caller may add files, e.g.
/// a live session's trace, before committing it).
pub fn write_face_run_files(
    staged: &StagedDir,
    sim: &FaceSimulation,
    pictures: &Pictures,
    r: &FaceRunResult,
    scenario_toml: &str,
) -> Result<()> {
    write_selected(staged, sim, pictures, r, scenario_toml, Outputs::ALL)
}

fn write_selected(
    staged: &StagedDir,
    sim: &FaceSimulation,
    pictures: &Pictures,
    r: &FaceRunResult,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<()> {
    let summary_json = FaceSummary::new(sim, r).to_json();
    let draw = || -> Result<Option<Drawn>> {
        if !outputs.draws() {
            return Ok(None);
        }
        let summary: serde_json::Value =
            serde_json::from_str(&summary_json).map_err(|e| Error::Render { path: REPORT_HTML.into(), message: e.to_string() })?;
        let pictures = face_pictures(sim, pictures);
        draw_pictures_and_report(
            &face_run_info(sim, r, &pictures),
            &sim.summary_view(),
            &r.run,
            &summary,
            scenario_toml,
            &face_map_context(sim, r),
            || region_pictures(&sim.map, &summary, &pictures),
        )
        .map(Some)
    };
    let write = || -> Result<()> {
        write_staged(staged, SUMMARY_JSON, summary_json.as_bytes())?;
        write_staged(staged, SCENARIO_TOML, scenario_toml.as_bytes())?;
        if outputs.punctures {
            write_punctures_with(staged, outputs.parquet, |w| punctures_csv::write_face(w, sim, r))?;
        }
        Ok(())
    };
    // Nothing becomes visible unless every file and picture succeeded: the caller commits.
    let (drawn, written) = rayon::join(draw, write);
    written?;
    if let Some(drawn) = drawn? {
        write_drawn(staged, &drawn, outputs)?;
    }
    Ok(())
}
