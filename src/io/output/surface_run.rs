//! The files of a surface session (a face session on a mesh), written atomically:
//!
//! - `summary.json`: every key of a flat face session's, then the surface's own
//!   ([`super::surface_summary`]).
//! - `punctures.csv`: the patch columns with `x_mm, y_mm` the skin point's front-plane
//!   coordinates (a needle past the mesh's edge: its point on the stamp's tangent plane, no
//!   normal, `landed_in = off_mesh`), then `z_mm, normal_x, normal_y, normal_z, u_mm, v_mm` (chart),
//!   `region` (aimed), `landed_in`, `real_depth_mm`, `layer`, `surface_tilt_deg`.
//! - `uv_heatmap.png` (chart, mean hits, region outlines) and `front_view.png` (the mesh
//!   from the front, coloured by hole coverage per triangle, shaded); the shaded 3D pictures
//!   `face_*.png` and `face_animation.gif` ([`crate::render::shaded`]: front and
//!   three-quarter views, per-region sheets with labels, a hole-scale zoom, the session pass by
//!   pass). The flat session's map pictures (heatmap, passes, density, depth as PNG/SVG,
//!   animation.gif, aliasing.png) are not drawn on a surface.
//! - `report.html`: the run report with the 3D pictures first ([`super::surface_report`]), and
//!   `regions.csv` beside it, as a flat face run's.
//! - `scenario.toml`: the resolved scenario.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::render::run_pictures::Picture;
use crate::render::surface::{front_view, uv_heatmap};

use super::{Outputs, REGIONS_CSV, REPORT_HTML, SCENARIO_TOML, SUMMARY_JSON, StagedDir};

/// The chart heatmap picture.
pub const UV_HEATMAP_PNG: &str = "uv_heatmap.png";
/// The front view picture.
pub const FRONT_VIEW_PNG: &str = "front_view.png";
pub use super::surface_punctures::{SURFACE_COLUMNS, punctures_bytes, write_punctures};

/// Write a surface run's outputs into `dir` atomically (everything drawn in memory first).
pub fn write_surface_run(dir: &Path, sim: &SurfaceSimulation, units: &str, r: &SurfaceRunResult, scenario_toml: &str) -> Result<PathBuf> {
    write_surface_run_with(dir, sim, units, r, scenario_toml, Outputs::ALL)
}

/// [`write_surface_run`] writing only the selected files (`run --outputs`): pictures (the
/// chart heatmap, the plain front view and the shaded 3D pictures,
/// [`crate::render::shaded`]) only when `pictures` is selected.
pub fn write_surface_run_with(
    dir: &Path,
    sim: &SurfaceSimulation,
    units: &str,
    r: &SurfaceRunResult,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    write_surface_run_files(&staged, sim, units, r, scenario_toml, outputs)?;
    staged.commit()
}

/// The files of [`write_surface_run_with`] into a staged folder (an export adds its own
/// files before committing it).
pub fn write_surface_run_files(
    staged: &StagedDir,
    sim: &SurfaceSimulation,
    units: &str,
    r: &SurfaceRunResult,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<()> {
    let chart = sim.chart()?;
    let summary_value = super::surface_summary::summary(sim, &chart, units, r);
    let summary = serde_json::to_string_pretty(&summary_value)
        .map_err(|e| Error::Render { path: SUMMARY_JSON.into(), message: e.to_string() })?
        + "\n";
    // punctures.csv is streamed to its file while the pictures and the report are drawn.
    let (csv, drawn) = rayon::join(
        || -> Result<()> {
            if outputs.punctures {
                super::run::write_punctures_with(staged, outputs.parquet, |w| write_punctures(w, sim, &chart, r))?;
            }
            Ok(())
        },
        || draw_surface_files(sim, &chart, r, &summary_value, scenario_toml, outputs),
    );
    csv?;
    let (pictures, report, regions_csv) = drawn?;
    let write = |name: &str, bytes: &[u8]| super::run::write_staged(staged, name, bytes);
    write(SUMMARY_JSON, summary.as_bytes())?;
    if outputs.pictures {
        for p in &pictures {
            write(&p.file, &p.bytes)?;
        }
    }
    if let Some(report) = report {
        write(REPORT_HTML, report.as_bytes())?;
    }
    if let Some(csv) = regions_csv {
        write(REGIONS_CSV, csv.as_bytes())?;
    }
    write(SCENARIO_TOML, scenario_toml.as_bytes())
}

/// The pictures (when files or the report need them), report.html and regions.csv of a
/// surface run.
fn draw_surface_files(
    sim: &SurfaceSimulation,
    chart: &crate::surface::Chart,
    r: &SurfaceRunResult,
    summary_value: &serde_json::Value,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<(Vec<Picture>, Option<String>, Option<String>)> {
    // Pictures are drawn when files or the report need them.
    let mut pictures = Vec::new();
    if outputs.pictures || outputs.report {
        // The shaded pictures (themselves in parallel) beside the chart heatmap and front view.
        let coverage: Vec<f64> =
            r.run.hole.tallies.iter().map(|t| if t.cells > 0 { t.covered() as f64 / t.cells as f64 } else { 0.0 }).collect();
        let (shaded, (uv, front)) = rayon::join(
            || crate::render::shaded::draw_surface_pictures(sim, chart, r),
            || {
                rayon::join(
                    || r.run.hole.raster.as_ref().map(|raster| uv_heatmap(&sim.face.mesh, chart, raster).to_png()).transpose(),
                    || front_view(&sim.face.mesh, chart, &coverage).to_png(),
                )
            },
        );
        for (file, bytes) in shaded? {
            let mime = if file.ends_with(".gif") { "image/gif" } else { "image/png" };
            let caption = crate::render::shaded::caption(&file).to_string();
            pictures.push(Picture { file, mime, bytes, caption, in_report: true });
        }
        if let Some(bytes) = uv? {
            pictures.push(Picture {
                file: UV_HEATMAP_PNG.into(),
                mime: "image/png",
                bytes,
                caption: "Mean hits per spot on the skin, in the mesh's UV chart (chart mm), with the region outlines".into(),
                in_report: true,
            });
        }
        pictures.push(Picture {
            file: FRONT_VIEW_PNG.into(),
            mime: "image/png",
            bytes: front?,
            caption: "The mesh from the front, each triangle coloured by its hole coverage, shaded".into(),
            in_report: false,
        });
    }
    let report = outputs.report.then(|| super::surface_report::surface_report_html(summary_value, scenario_toml, &pictures));
    let regions_csv = if outputs.report { super::report::regions_csv(summary_value) } else { None };
    Ok((pictures, report, regions_csv))
}
