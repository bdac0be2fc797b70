//! Exports of a live session: the trace CSV, and the report `run` writes.
//!
//! An export is a fresh directory `<export dir>/session-<id prefix>-<n>/` written atomically
//! (staged, then renamed): `summary.json`, `punctures.csv`, `heatmap.png`, the pictures,
//! `report.html` and `scenario.toml` exactly as `needlesim run` writes them — on a face map
//! the face session's files (per-region table, skin layers, no-go zones) — with the figures
//! measured by the core at the scenario's own resolution (not the live grid), plus
//! `trace.csv` (the samples, in the format `needlesim run` reads:
//! [`crate::io::scenario::trace_csv`]) and `strokes.csv` (the pen of each stroke). On a patch the
//! exported `scenario.toml` replays `trace.csv`, so `needlesim run scenario.toml` in the
//! export reproduces the session's punctures when the pen stayed the same. The request names
//! no path: the directory name comes from the session id and a counter. Exports are capped
//! per session ([`super::ServeLimits::max_exports_per_session`], checked by the API) and in
//! the bytes the export directory holds ([`super::ServeLimits::max_export_bytes`]): an
//! export that would pass the cap is measured in its staging directory and discarded, so no
//! half-written folder is ever left. See
//! [`crate::live::run`] for how strokes become passes and treatments.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::ServeConfig;
use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::io::output::{self, StagedDir};
use crate::io::scenario::ScenarioFile;
use crate::io::scenario::technique_file::{DEFAULT_MAX_GAP_S, MAX_GAP_LIMIT_S, TraceFile};
use crate::io::scenario::trace_csv;
use crate::live::LiveSession;
use crate::needle::footprint::MAX_TILT_DEG;
use crate::technique::trajectory::{TraceStroke, Trajectory};

/// File name of the trace inside an export.
pub const TRACE_CSV: &str = "trace.csv";
/// Columns of the trace CSV: one row per pointer sample, times in s since the session's
/// first sample, the tilt the stroke was drawn with; exactly the columns `needlesim run`
/// reads (values in full precision).
pub const TRACE_HEADER: &str = "stroke,pass,t_s,x_mm,y_mm,tilt_deg";
/// File name of the per-stroke pen table inside an export.
pub const STROKES_CSV: &str = "strokes.csv";
/// Columns of `strokes.csv`: one row per stroke, the pen it was drawn with (needles, depth,
/// frequency, rotation, the page's tilt setting) and what it made.
pub const STROKES_HEADER: &str = "stroke,pass,needles,depth_mm,frequency_hz,rotation_deg,tilt_deg,stamps,length_mm,duration_s";

/// Why an export was not written. Nothing of it is left on disk.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "this session has written {made} exports, the most one session may (--max-exports-per-session {max}); reload the page to start a new session"
    )]
    PerSession { made: u32, max: u32 },
    #[error(
        "the export directory {dir} {holds}, more than its cap of {cap} (--max-export-mb): move old exports out of it or raise the cap"
    )]
    DirFull { dir: PathBuf, holds: String, cap: String },
    #[error(transparent)]
    Core(#[from] Error),
}

/// Bytes in the files under `dir` (symbolic links are not followed; a missing directory
/// holds 0).
pub fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut total = 0;
    for entry in entries {
        let entry = entry?;
        let meta = std::fs::symlink_metadata(entry.path())?;
        total += if meta.is_dir() { dir_bytes(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

/// Bytes as MB for messages.
fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// Commit a staged export once its size fits under `cap` in `export_dir` ([`check_room`]),
/// and list what was written, as on disk, sorted. The staging directory is inside the
/// export directory, so exports written at the same time are counted too; past the cap,
/// dropping `staged` removes it.
pub(super) fn commit_within(staged: StagedDir, export_dir: &Path, cap: u64) -> std::result::Result<(PathBuf, Vec<String>), ExportError> {
    let staging = staged.path(".");
    let size = dir_bytes(&staging).map_err(|e| Error::io(&staging, e))?;
    check_room(export_dir, cap, size.max(1))?;
    let dir = staged.commit()?;
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    Ok((dir, files))
}

/// Refuse when the export directory holds more than `cap` bytes (`staged` of them being the
/// export in hand).
pub(super) fn check_room(dir: &Path, cap: u64, staged: u64) -> std::result::Result<(), ExportError> {
    let used = dir_bytes(dir).map_err(|e| Error::io(dir, e))?;
    if used > cap || (staged == 0 && used == cap) {
        let holds =
            if staged > 0 { format!("would hold {} with this export ({})", mb(used), mb(staged)) } else { format!("holds {}", mb(used)) };
        return Err(ExportError::DirFull { dir: dir.to_path_buf(), holds, cap: mb(cap) });
    }
    Ok(())
}

/// The session's samples as a trajectory with strokes and passes (`None` before the first
/// stroke).
fn session_trajectory(session: &LiveSession) -> Result<Option<Trajectory>> {
    if session.strokes().is_empty() {
        return Ok(None);
    }
    let (mut t, mut xy, mut tilt, mut strokes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in session.strokes() {
        let start = t.len();
        for p in &s.samples {
            t.push(p.t_s);
            xy.push(p.at_mm);
            tilt.push(s.pen.tilt_deg);
        }
        strokes.push(TraceStroke { id: Some(s.id), pass: Some(s.pass), samples: start..t.len() });
    }
    Trajectory::with_strokes(t, xy, Some(tilt), strokes).map(Some)
}

/// The session's samples as CSV (see [`TRACE_HEADER`]): what `needlesim run` reads.
pub fn trace_csv(session: &LiveSession) -> Result<String> {
    Ok(match session_trajectory(session)? {
        Some(t) => trace_csv::write(&t),
        None => format!("{TRACE_HEADER}\n"),
    })
}

/// The pen of each stroke as CSV (see [`STROKES_HEADER`]).
pub fn strokes_csv(session: &LiveSession) -> String {
    let mut out = format!("{STROKES_HEADER}\n");
    for s in session.strokes() {
        let pen = &s.pen;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            s.id,
            s.pass,
            pen.cartridge.needle_count(),
            pen.cartridge.depth_mm,
            pen.device.frequency_hz,
            pen.device.rotation_deg,
            pen.tilt_deg,
            s.stamps,
            s.length_mm,
            s.duration_s()
        );
    }
    out
}

/// Why `run` could not replay the session's trace on `area` (a sample off the patch, a
/// tilt beyond a trace's, a pause within a stroke beyond the largest gap a trace allows),
/// else the gap limit the replay needs.
fn replay_gap_s(session: &LiveSession, area: Rect) -> std::result::Result<f64, String> {
    let mut gap: f64 = DEFAULT_MAX_GAP_S;
    for s in session.strokes() {
        if let Some(p) = s.samples.iter().find(|p| !trace_csv::on_map(&area, p.at_mm)) {
            return Err(format!("stroke {} leaves the patch at ({:.1}, {:.1}) mm", s.id, p.at_mm.x, p.at_mm.y));
        }
        if s.pen.tilt_deg > MAX_TILT_DEG {
            return Err(format!("stroke {} was drawn at a tilt of {}°, more than a trace allows ({MAX_TILT_DEG}°)", s.id, s.pen.tilt_deg));
        }
        gap = s.samples.windows(2).map(|w| w[1].t_s - w[0].t_s).fold(gap, f64::max);
    }
    // Rounded up to the millisecond, for the reader of scenario.toml.
    let ms = (gap * 1000.0).ceil() / 1000.0;
    let gap = if ms >= gap { ms } else { ms + 0.001 };
    if gap > MAX_GAP_LIMIT_S {
        return Err(format!("a stroke pauses {gap:.1} s between two samples, more than a trace allows ({MAX_GAP_LIMIT_S} s)"));
    }
    Ok(gap)
}

/// The export's `scenario.toml`: the session's settings `file`, set to replay `trace.csv`
/// over `passes` passes (pattern `trace`, the ideal hand: the recording is the hand) when
/// `run` can read it on `area`; else the settings as they are, saying why.
fn scenario_toml(file: &ScenarioFile, session: &LiveSession, area: Rect, passes: usize) -> Result<String> {
    let mut head = export_header(session, passes);
    let mut f = file.clone();
    match replay_gap_s(session, area) {
        Err(why) => head.push_str(&no_replay_note(&why)),
        Ok(max_gap_s) => {
            let t = &mut f.technique;
            t.pattern = "trace".into();
            t.patterns = None;
            t.pass_order = None;
            t.passes = Some(passes as i64);
            f.trace = Some(TraceFile { file: TRACE_CSV.into(), max_gap_s });
            f.hand = None;
            head.push_str(
                "# `needlesim run scenario.toml` here replays trace.csv: each stroke fires at its first sample and then\n\
                 # every 1/frequency_hz s up to its last, as on the page; pass k replays the strokes drawn in pass k.\n",
            );
            let pen = session.pen();
            if session.strokes().iter().any(|s| s.pen.cartridge != pen.cartridge || s.pen.device != pen.device) {
                head.push_str("# The pen changed during the session (strokes.csv lists each stroke's): this replay uses the current pen\n# for every stroke, so it differs from punctures.csv where another pen was used.\n");
            }
            if session.strokes().iter().any(|s| s.pen.tilt_deg > 0.0) {
                head.push_str("# trace.csv's tilt_deg is each stroke's tilt; the replay leans each hole along the recorded motion, the page\n# along the chord between stamps: the same while the pen moves, not where it rests or taps.\n");
            }
            if pen.device.contact_duty.is_some() {
                head.push_str("# device.contact_duty: the replay drags every footprint along the recorded motion; the live session drags a tilted pen's only.\n");
            }
        }
    }
    Ok(format!("{head}{}", to_toml(&f)?))
}

/// The line of an exported scenario that `run` cannot replay, saying why.
fn no_replay_note(why: &str) -> String {
    format!(
        "# The punctures are the session's own (trace.csv); `run` cannot replay it ({why}), so running this scenario plans lanes instead.\n"
    )
}

/// The first line of an exported scenario.
fn export_header(session: &LiveSession, passes: usize) -> String {
    format!("# Settings of a live session exported by `needlesim serve` ({} strokes, {passes} passes).\n", session.strokes().len())
}

/// Write `trace.csv` and `strokes.csv` into `staged`.
fn write_trace_files(staged: &StagedDir, session: &LiveSession) -> Result<()> {
    for (name, text) in [(TRACE_CSV, trace_csv(session)?), (STROKES_CSV, strokes_csv(session))] {
        let p = staged.path(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

/// The directory of export number `n` of session `sid` under `root`.
pub fn export_dir(root: &Path, sid: &str, n: u32) -> PathBuf {
    let prefix: String = sid.chars().filter(char::is_ascii_hexdigit).take(8).collect();
    root.join(format!("session-{prefix}-{n:03}"))
}

/// Write export number `n` of session `sid` (settings `file`); returns what was written.
/// A patch session is measured as a run of `file`; a face session as a face session of the
/// served face scenario (per region, skin layers, no-go zones), with `file`'s pen. Refused
/// when the export directory is at its cap before, or would be past it after, the export.
pub fn write(
    config: &ServeConfig,
    sid: &str,
    n: u32,
    session: &LiveSession,
    file: &ScenarioFile,
) -> std::result::Result<Value, ExportError> {
    let cap = config.limits.max_export_bytes;
    check_room(&config.export_dir, cap, 0)?;
    let dir = export_dir(&config.export_dir, sid, n);
    let (staged, resolution_mm, result) = match &config.face {
        None => {
            let base = file.to_simulation()?;
            let (sim, result) = session.as_run(&base)?;
            let staged = StagedDir::new(&dir)?;
            let scenario = scenario_toml(file, session, sim.area, sim.passes.len())?;
            output::write_run_files(&staged, &sim, &file.pictures()?, &result, &scenario)?;
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
            let why = no_replay_note("face sessions do not take the trace pattern");
            let scenario = format!("{}{why}{}", export_header(session, sim.session_passes()), to_toml(&served)?);
            output::write_face_run_files(&staged, &sim, &face.file.pictures()?, &r, &scenario)?;
            (staged, sim.grid.resolution_mm, r.run)
        }
    };
    write_trace_files(&staged, session)?;
    // The staging directory is inside the export directory: counted in `used`, so exports
    // written at the same time are counted too. Past the cap, dropping `staged` removes it.
    let (dir, files) = commit_within(staged, &config.export_dir, cap)?;
    Ok(json!({
        "dir": dir.display().to_string(),
        "files": files,
        "resolution_mm": resolution_mm,
        "punctures": session.punctures().len(),
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::geometry::Vec2;
    use crate::live::{LiveMap, PenSettings, SessionLimits};
    use crate::pen::cartridge::Cartridge;
    use crate::pen::device::Device;
    use crate::technique::firing::TimedSample;

    /// The trace CSV is [`TRACE_HEADER`] with or without strokes, and reads back (with the
    /// run's reader) as the session's samples, strokes, passes and tilt, to the bit.
    #[test]
    fn the_trace_reads_back_as_the_session() {
        let mut cartridge = Cartridge::preset(12, 1.0).unwrap();
        cartridge.depth_mm = 1.0;
        let pen = PenSettings { cartridge, device: Device::default(), tilt_deg: 12.5 };
        let area = Rect::new(0.0, 0.0, 40.0, 30.0);
        let mut s = LiveSession::new(Arc::new(LiveMap::patch(area)), pen, 0.0, SessionLimits::default()).unwrap();
        assert_eq!(trace_csv(&s).unwrap(), format!("{TRACE_HEADER}\n"));
        let line = |t0: f64, y: f64| -> Vec<TimedSample> {
            (0..9).map(|i| TimedSample { t_s: t0 + i as f64 / 61.0, at_mm: Vec2::new(3.0 + i as f64 * 0.7, y) }).collect()
        };
        s.add_samples(3, 0, &line(1234.5678, 4.0)).unwrap();
        s.add_samples(8, 1, &line(1240.1, 9.0)).unwrap();
        let csv = trace_csv(&s).unwrap();
        assert!(csv.starts_with(&format!("{TRACE_HEADER}\n3,0,0,3,4,12.5\n")), "{csv}");
        let rules = trace_csv::TraceRules { max_gap_s: 0.1, map: area };
        let t = trace_csv::read(&csv, Path::new("trace.csv"), &rules).unwrap();
        let strokes: Vec<(Option<u64>, Option<u16>, usize)> = t.strokes().iter().map(|s| (s.id, s.pass, s.samples.len())).collect();
        assert_eq!(strokes, vec![(Some(3), Some(0), 9), (Some(8), Some(1), 9)]);
        let samples: Vec<&TimedSample> = s.strokes().iter().flat_map(|s| &s.samples).collect();
        assert_eq!(t.times_s(), samples.iter().map(|p| p.t_s).collect::<Vec<_>>().as_slice());
        assert_eq!(t.points_mm(), samples.iter().map(|p| p.at_mm).collect::<Vec<_>>().as_slice());
        assert_eq!(t.tilt_at_sample(17), Some(12.5));
        let table = strokes_csv(&s);
        assert_eq!(table.lines().next(), Some(STROKES_HEADER));
        assert_eq!(table.lines().count(), 3);
    }
}
