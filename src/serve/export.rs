//! Exports of a live session: the trace CSV, and the report `run` writes.
//!
//! An export is a fresh directory `<export dir>/session-<id prefix>-<n>/` written atomically
//! (staged, then renamed): `summary.json`, `punctures.csv`, `heatmap.png`, the pictures,
//! `report.html` and `scenario.toml` exactly as `needlesim run` writes them — on a face map
//! the face session's files (per-region table, skin layers, no-go zones) — with the figures
//! measured by the core at the scenario's own resolution (not the live grid), plus
//! `trace.csv`. The request names no path: the directory name comes from the session id and
//! a counter. See [`crate::live::run`] for how strokes become passes and treatments.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::ServeConfig;
use crate::error::{Error, Result};
use crate::live::LiveSession;
use crate::output::{self, StagedDir};
use crate::scenario::ScenarioFile;

/// File name of the trace inside an export.
pub const TRACE_CSV: &str = "trace.csv";
/// Columns of the trace CSV: one row per pointer sample, times in s since the session's
/// first sample, the pen each stroke was drawn with.
pub const TRACE_HEADER: &str = "stroke,pass,t_s,x_mm,y_mm,needles,depth_mm,frequency_hz,rotation_deg,tilt_deg";

/// The session's samples as CSV (see [`TRACE_HEADER`]).
pub fn trace_csv(session: &LiveSession) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(TRACE_HEADER);
    out.push('\n');
    for s in session.strokes() {
        let pen = &s.pen;
        for p in &s.samples {
            let _ = writeln!(
                out,
                "{},{},{:.6},{:.4},{:.4},{},{},{},{},{}",
                s.id,
                s.pass,
                p.t_s,
                p.at_mm.x,
                p.at_mm.y,
                pen.cartridge.needle_count(),
                pen.cartridge.depth_mm,
                pen.device.frequency_hz,
                pen.device.rotation_deg,
                pen.tilt_deg
            );
        }
    }
    out
}

/// Write export number `n` of session `sid` (settings `file`); returns what was written.
/// A patch session is measured as a run of `file`; a face session as a face session of the
/// served face scenario (per region, skin layers, no-go zones), with `file`'s pen.
pub fn write(config: &ServeConfig, sid: &str, n: u32, session: &LiveSession, file: &ScenarioFile) -> Result<Value> {
    let prefix: String = sid.chars().filter(char::is_ascii_hexdigit).take(8).collect();
    let dir: PathBuf = config.export_dir.join(format!("session-{prefix}-{n:03}"));
    let header = |passes: usize| {
        format!(
            "# Settings of a live session exported by `needlesim serve` ({} strokes, {passes} passes).\n\
             # The punctures are the session's own (trace.csv); running this scenario plans lanes instead.\n",
            session.strokes().len()
        )
    };
    let (staged, resolution_mm, result) = match &config.face {
        None => {
            let base = file.to_simulation()?;
            let (sim, result) = session.as_run(&base)?;
            let staged = StagedDir::new(&dir)?;
            let scenario = format!("{}{}", header(sim.passes.len()), to_toml(file)?);
            output::write_run_files(&staged, &sim, &result, &scenario)?;
            (staged, sim.grid.resolution_mm, result)
        }
        Some(face) => {
            let (sim, r) = session.as_face_run(&face.sim)?;
            let staged = StagedDir::new(&dir)?;
            // The served face scenario with the session's pen.
            let mut served = face.file.clone();
            served.cartridge = file.cartridge.clone();
            served.device = file.device.clone();
            served.coverage = file.coverage.clone();
            let scenario = format!("{}{}", header(sim.session_passes()), to_toml(&served)?);
            output::write_face_run_files(&staged, &sim, &r, &scenario)?;
            (staged, sim.grid.resolution_mm, r.run)
        }
    };
    let trace = staged.path(TRACE_CSV);
    std::fs::write(&trace, trace_csv(session)).map_err(|e| Error::io(&trace, e))?;
    let dir = staged.commit()?;
    // What was written, as listed on disk (the run's files, pictures and report.html, then
    // the trace).
    let mut files: Vec<String> = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    Ok(json!({
        "dir": dir.display().to_string(),
        "files": files,
        "resolution_mm": resolution_mm,
        "coverage": result.hole_coverage.coverage,
        "coverage_per_pass": result.hole_coverage.coverage_per_pass,
        "treated_zone_coverage": result.zone.as_ref().map(|(_, z)| z.coverage),
        "density_per_cm2": result.density.density_per_cm2,
        "warnings": result.warnings,
    }))
}

fn to_toml(file: &ScenarioFile) -> Result<String> {
    toml::to_string_pretty(file).map_err(|e| Error::parse("scenario.toml", e.to_string()))
}
