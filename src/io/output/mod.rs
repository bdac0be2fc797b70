//! Outputs: the files a run writes, and how they are written.
//!
//! **Invariant:** an output directory is either the previous complete one or the new
//! complete one. Files are written into a hidden sibling staging directory, which is renamed
//! into place only when every file is written; a failed or interrupted run leaves no
//! half-written directory (a stale staging directory may remain after `kill -9` and is
//! removed by the next run into the same place).

mod atomic;
#[cfg(feature = "study")]
pub mod cartridge_compare;
#[cfg(feature = "study")]
pub mod columnar;
#[cfg(feature = "study")]
pub mod compare;
#[cfg(feature = "render")]
pub mod face;
#[cfg(feature = "render")]
pub mod face_pictures;
pub mod face_summary;
#[cfg(feature = "study")]
pub mod optimization;
pub mod punctures_csv;
#[cfg(feature = "render")]
pub mod report;
#[cfg(feature = "render")]
mod run;
pub mod selection;
pub mod summary;
pub mod surface_punctures;
#[cfg(feature = "render")]
pub mod surface_report;
#[cfg(feature = "render")]
pub mod surface_run;
pub mod surface_summary;
pub mod technique_summary;

pub use atomic::{StagedDir, remove_stale_temporaries, write_file_atomic, write_file_atomic_with};
#[cfg(feature = "render")]
pub use face::{write_face_run, write_face_run_files, write_face_run_with};
#[cfg(feature = "render")]
pub(crate) use run::draw_pictures_and_report;
#[cfg(feature = "render")]
pub use run::{write_run, write_run_files, write_run_on, write_run_with};
pub use selection::Outputs;

/// File names inside a run directory.
pub const SUMMARY_JSON: &str = "summary.json";
pub const PUNCTURES_CSV: &str = "punctures.csv";
/// punctures.csv's columnar twin (`run --format parquet`, [`columnar`]).
pub const PUNCTURES_PARQUET: &str = "punctures.parquet";
pub const HEATMAP_PNG: &str = "heatmap.png";
pub const SCENARIO_TOML: &str = "scenario.toml";
/// The replayed trace, copied so the output folder re-runs on its own.
pub const TRACE_CSV: &str = "trace.csv";

/// The scenario as written into a run folder: a `[trace]` points at the folder's own copy.
pub fn resolved_scenario(file: &crate::io::scenario::ScenarioFile) -> crate::io::scenario::ScenarioFile {
    let mut f = file.clone();
    if let Some(t) = &mut f.trace {
        t.file = TRACE_CSV.into();
    }
    f
}
/// Written only when a pass aliases (the worst pass).
pub const ALIASING_PNG: &str = "aliasing.png";
pub const REPORT_HTML: &str = "report.html";
/// The report's full per-region table, beside report.html (runs with regions; see
/// `report::regions_csv`).
pub const REGIONS_CSV: &str = "regions.csv";
/// The other pictures: heatmap.svg, passes.png/.svg, density.png/.svg, depth.png/.svg and
/// animation.gif (see `render::run_pictures`).
pub const ANIMATION_GIF: &str = "animation.gif";
