//! Export of a live session on the 3D face: a fresh folder `<export dir>/session-<id
//! prefix>-<n>/`, written atomically, holding `trace.csv` (the session's samples, the 3D
//! page's trace: `stroke,pass,t_s,u_mm,v_mm`), `scenario.toml` (the served pen on the
//! built-in face surface, replaying `trace.csv`) and the files `needlesim run scenario.toml`
//! writes there: summary.json, punctures.csv and the pictures, made by the same call on the
//! same trace text, so a later `run` in the folder reproduces them (same punctures, same
//! figures). The figures are measured on the scenario's chart grid, not the live one.
//! Capped as the flat export ([`super::export`]): per session and in bytes.

use serde_json::{Value, json};

use super::ServeConfig;
use super::export::{ExportError, TRACE_CSV, check_room, commit_within, export_dir};
use crate::error::{Error, Result};
use crate::face::surface_trace_run::run_surface_trace;
use crate::io::output::surface_run::write_surface_run_files;
use crate::io::output::{Outputs, SCENARIO_TOML, StagedDir};
use crate::io::scenario::ScenarioFile;
use crate::io::scenario::surface_trace::read_surface_trace;
use crate::live::surface::SurfaceLiveSession;

/// The exported `scenario.toml` for the served settings `file`.
pub fn scenario_toml(file: &ScenarioFile, session: &SurfaceLiveSession) -> Result<String> {
    let f = file.to_surface_trace_export(TRACE_CSV);
    let body = toml::to_string_pretty(&f).map_err(|e| Error::parse(SCENARIO_TOML, e.to_string()))?;
    Ok(format!(
        "# A live session on the 3D face exported by `needlesim serve` ({} strokes).\n\
         # `needlesim run scenario.toml` here replays trace.csv on the built-in face surface: each stroke fires at its\n\
         # first sample and then every 1/frequency_hz s, spaced by skin length, the pen at 90° to the skin, as on the page.\n{body}",
        session.strokes().len()
    ))
}

/// Write export number `n` of surface session `sid` (served settings `file`).
pub fn write(
    config: &ServeConfig,
    sid: &str,
    n: u32,
    session: &SurfaceLiveSession,
    file: &ScenarioFile,
) -> std::result::Result<Value, ExportError> {
    if session.strokes().is_empty() {
        return Err(Error::invalid("session", "no strokes", "at least one stroke to export").into());
    }
    let cap = config.limits.max_export_bytes;
    check_room(&config.export_dir, cap, 0)?;
    let trace = super::surface::trace_csv(session);
    let scenario = scenario_toml(file, session)?;
    let exported = file.to_surface_trace_export(TRACE_CSV);
    let map = session.map();
    let base = exported.to_surface_trace_session((*map.face).clone())?;
    let strokes = read_surface_trace(&trace, std::path::Path::new(TRACE_CSV), &map.chart)?;
    let (sim, r) = run_surface_trace(&base, &strokes)?;
    let dir = export_dir(&config.export_dir, sid, n);
    let staged = StagedDir::new(&dir)?;
    // The units as `run` reads them from the scenario (none given for the built-in face).
    let units = exported.face.as_ref().and_then(|f| f.units.clone()).unwrap_or_default();
    write_surface_run_files(&staged, &sim, &units, &r, &scenario, Outputs::ALL)?;
    let p = staged.path(TRACE_CSV);
    std::fs::write(&p, &trace).map_err(|e| Error::io(&p, e))?;
    let (dir, files) = commit_within(staged, &config.export_dir, cap)?;
    Ok(json!({
        "dir": dir.display().to_string(),
        "files": files,
        "resolution_mm": r.grid.grid.resolution_mm,
        "live_resolution_mm": map.grid.resolution_mm,
        "punctures": r.run.punctures.len(),
        "coverage": r.run.hole_coverage.coverage,
        "regions": r.regions.iter().filter(|g| g.figures.treated).map(|g| json!({
            "name": g.name,
            "coverage": g.figures.coverage.coverage,
            "punctures": g.figures.density.punctures_inside,
            "density_per_cm2": g.figures.density.density_per_cm2,
        })).collect::<Vec<_>>(),
        "warnings": r.run.warnings,
    }))
}
