//! The files of a face session: the patch's four files, with face columns and keys added.
//!
//! - `summary.json`: [`FaceSummary`] (the patch keys, then `face`, `layers`, `no_go`,
//!   `regions.<name>`, …).
//! - `punctures.csv`: the patch columns, then `region` (the region the treatment aimed at),
//!   `landed_in` (region under the needle's centre, `no_go:<zone>`, or `off_map`),
//!   `real_depth_mm` and `layer` (`epidermis`, `dermis`, `beyond`; empty when it landed in
//!   no region).
//! - the pictures of a run (heatmap, passes, density, depth as PNG and SVG, animation.gif,
//!   aliasing.png when a pass aliases) on the face map (see [`super::face_pictures`]), and
//!   `report.html` with the per-region table from summary.json `regions.<name>`.
//! - `scenario.toml`: the resolved scenario.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::face::simulation::{FaceRunResult, FaceSimulation};
use crate::render::settings::Pictures;

use super::face_pictures::{face_map_context, face_pictures, face_run_info};
use super::face_summary::FaceSummary;
use super::{PUNCTURES_CSV, REPORT_HTML, SCENARIO_TOML, SUMMARY_JSON, StagedDir, draw_pictures_and_report, punctures_csv};

pub use super::punctures_csv::FACE_COLUMNS;

/// Write a face session's outputs into `dir` atomically.
pub fn write_face_run(dir: &Path, sim: &FaceSimulation, pictures: &Pictures, r: &FaceRunResult, scenario_toml: &str) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    write_face_run_files(&staged, sim, pictures, r, scenario_toml)?;
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
    // Draw everything in memory first: nothing is written unless every picture succeeded.
    let summary_json = FaceSummary::new(sim, r).to_json();
    let summary: serde_json::Value =
        serde_json::from_str(&summary_json).map_err(|e| Error::Render { path: REPORT_HTML.into(), message: e.to_string() })?;
    let pictures = face_pictures(sim, pictures);
    let drawn = draw_pictures_and_report(
        &face_run_info(sim, r, &pictures),
        &sim.summary_view(),
        &r.run,
        &summary,
        scenario_toml,
        &face_map_context(sim, r),
    )?;
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(SUMMARY_JSON, summary_json.as_bytes())?;
    write(SCENARIO_TOML, scenario_toml.as_bytes())?;
    {
        let p = staged.path(PUNCTURES_CSV);
        let f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        punctures_csv::write_face(&mut w, sim, r).and_then(|_| std::io::Write::flush(&mut w)).map_err(|e| Error::io(&p, e))?;
    }
    for p in &drawn.pictures {
        write(&p.file, &p.bytes)?;
    }
    write(REPORT_HTML, drawn.report_html.as_bytes())
}
