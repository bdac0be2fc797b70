//! Writing a run's folder: summary.json, punctures.csv, scenario.toml, the pictures and
//! report.html, drawn in memory first and staged atomically (feature `render`).

use std::path::{Path, PathBuf};

use super::summary::Summary;
use super::*;
use crate::error::{Error, Result};
use crate::raster::domain::RectDomain;
use crate::render::overlay::Overlays;
use crate::render::run_pictures::{self, DepthClasses, MapContext, Picture, RunInfo};
use crate::render::settings::Pictures;
use crate::sim::{RunResult, Simulation};

/// Write a run's outputs into `dir` atomically: summary.json, punctures.csv, the pictures
/// (heatmap.png and the rest), report.html and the resolved scenario (`scenario_toml`, with
/// overrides applied). The patch is drawn as a plain rectangle, as `pictures` says.
pub fn write_run(dir: &Path, sim: &Simulation, pictures: &Pictures, result: &RunResult, scenario_toml: &str) -> Result<PathBuf> {
    write_run_with(dir, sim, pictures, result, scenario_toml, Outputs::ALL)
}

/// [`write_run`] writing only the selected `outputs` (summary.json and scenario.toml always).
pub fn write_run_with(
    dir: &Path,
    sim: &Simulation,
    pictures: &Pictures,
    result: &RunResult,
    scenario_toml: &str,
    outputs: Outputs,
) -> Result<PathBuf> {
    let domain = RectDomain(sim.area);
    write_selected(dir, sim, pictures, result, scenario_toml, &patch_map(&domain), outputs)
}

/// The plain patch as a map: no outlines, set-depth classes.
fn patch_map(domain: &RectDomain) -> MapContext<'_> {
    MapContext { domain, overlays: Overlays::default(), depth: DepthClasses::set_depth() }
}

/// [`write_run`] on a given map (domain, overlays, depth classes). The pictures are drawn in
/// memory while the other files are written into the staging directory; the directory is
/// put in place only when every file and picture succeeded.
pub fn write_run_on(
    dir: &Path,
    sim: &Simulation,
    pictures: &Pictures,
    result: &RunResult,
    scenario_toml: &str,
    ctx: &MapContext,
) -> Result<PathBuf> {
    write_selected(dir, sim, pictures, result, scenario_toml, ctx, Outputs::ALL)
}

fn write_selected(
    dir: &Path,
    sim: &Simulation,
    pictures: &Pictures,
    result: &RunResult,
    scenario_toml: &str,
    ctx: &MapContext,
    outputs: Outputs,
) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    let (drawn, written) = rayon::join(
        || outputs.draws().then(|| draw_run_outputs(sim, pictures, result, scenario_toml, ctx)).transpose(),
        || write_record(&staged, sim, result, scenario_toml, outputs),
    );
    written?;
    if let Some(drawn) = drawn? {
        write_drawn(&staged, &drawn, outputs)?;
    }
    staged.commit()
}

/// Write a run's files into a staged directory (for writers that add files of their own,
/// e.g. the live page's export, before committing). The patch is drawn as a rectangle.
pub fn write_run_files(staged: &StagedDir, sim: &Simulation, pictures: &Pictures, result: &RunResult, scenario_toml: &str) -> Result<()> {
    let domain = RectDomain(sim.area);
    let drawn = draw_run_outputs(sim, pictures, result, scenario_toml, &patch_map(&domain))?;
    write_record(staged, sim, result, scenario_toml, Outputs::ALL)?;
    write_drawn(staged, &drawn, Outputs::ALL)
}

/// A run's pictures and report, drawn in memory.
pub(crate) struct Drawn {
    pub(crate) pictures: Vec<Picture>,
    pub(crate) report_html: String,
    /// The report's full per-region table (`regions.csv`), when the run has regions.
    pub(crate) regions_csv: Option<String>,
}

fn draw_run_outputs(sim: &Simulation, pictures: &Pictures, result: &RunResult, scenario_toml: &str, ctx: &MapContext) -> Result<Drawn> {
    let summary =
        serde_json::to_value(Summary::new(sim, result)).map_err(|e| Error::Render { path: REPORT_HTML.into(), message: e.to_string() })?;
    draw_pictures_and_report(&RunInfo::of(sim, pictures), sim, result, &summary, scenario_toml, ctx, || Ok(Vec::new()))
}

/// Draw a run's pictures on `ctx`'s map (when the run made a picture), the aliasing picture
/// of the worst flagged pass (`aliasing_sim` gives its cartridge and device) and the report
/// built from `summary` (the run's summary.json as a value). The pictures `leading` draws (a
/// face run's per-region pictures), drawn in parallel with the run's, come first, in the
/// report too.
pub(crate) fn draw_pictures_and_report(
    info: &RunInfo,
    aliasing_sim: &Simulation,
    result: &RunResult,
    summary: &serde_json::Value,
    scenario_toml: &str,
    ctx: &MapContext,
    leading: impl FnOnce() -> Result<Vec<Picture>> + Send,
) -> Result<Drawn> {
    let (leading, run) =
        rayon::join(leading, || result.hole.raster.is_some().then(|| run_pictures::draw_run(info, result, ctx)).transpose());
    let mut pictures = leading?;
    if let Some(run) = run? {
        pictures.extend(run.pictures);
    }
    if let Some(worst) = result.aliasing.iter().filter(|a| a.flagged).min_by(|a, b| a.ratio.total_cmp(&b.ratio)) {
        let s = aliasing_sim;
        let bytes = crate::render::aliasing::png(&s.cartridge, s.device.rotation_deg, s.device.frequency_hz, worst)?;
        pictures.push(Picture {
            file: ALIASING_PNG.into(),
            mime: "image/png",
            bytes,
            caption: "Aliasing: the pass whose needle columns fall on too few tracks (see the warning).".into(),
            in_report: true,
        });
    }
    let report_html = report::run_report(summary, scenario_toml, &pictures).to_html();
    Ok(Drawn { pictures, report_html, regions_csv: report::regions_csv(summary) })
}

/// Write `bytes` to `name` inside the staging directory.
pub(crate) fn write_staged(staged: &StagedDir, name: &str, bytes: &[u8]) -> Result<()> {
    let p = staged.path(name);
    std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
}

/// The run's record (summary.json, scenario.toml, trace.csv for a replayed trace) and, when
/// asked, punctures.csv.
fn write_record(staged: &StagedDir, sim: &Simulation, result: &RunResult, scenario_toml: &str, outputs: Outputs) -> Result<()> {
    let summary = Summary::new(sim, result);
    write_staged(staged, SUMMARY_JSON, summary.to_json().as_bytes())?;
    write_staged(staged, SCENARIO_TOML, scenario_toml.as_bytes())?;
    if let Some(trace) = &sim.technique.trace {
        write_staged(staged, TRACE_CSV, crate::io::scenario::trace_csv::write(trace).as_bytes())?;
    }
    if outputs.punctures {
        write_punctures_with(staged, outputs.parquet, |w| punctures_csv::write(w, &result.punctures))?;
    }
    Ok(())
}

/// punctures.csv in the staging directory, through a 1 MiB buffer, by `fill`; with `parquet`,
/// punctures.parquet instead (the CSV drawn in memory, then converted: one rule for both).
pub(crate) fn write_punctures_with(
    staged: &StagedDir,
    parquet: bool,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    if parquet {
        return write_punctures_parquet(staged, fill);
    }
    let p = staged.path(PUNCTURES_CSV);
    let f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    fill(&mut w).and_then(|_| std::io::Write::flush(&mut w)).map_err(|e| Error::io(&p, e))
}

/// punctures.parquet: the CSV `fill` writes, drawn into an unlinked temporary file first.
fn write_punctures_parquet(
    staged: &StagedDir,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    #[cfg(feature = "study")]
    {
        use std::io::{Read, Seek};
        let p = staged.path(PUNCTURES_CSV);
        let tmp = tempfile_in(staged)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
        fill(&mut w).and_then(|_| std::io::Write::flush(&mut w)).map_err(|e| Error::io(&p, e))?;
        let mut f = w.into_inner().map_err(|e| Error::io(&p, e.into_error()))?;
        let mut text = String::new();
        f.rewind().and_then(|_| f.read_to_string(&mut text)).map_err(|e| Error::io(&p, e))?;
        let bytes = super::columnar::from_csv(&text, &p)?;
        write_staged(staged, super::PUNCTURES_PARQUET, &bytes)
    }
    #[cfg(not(feature = "study"))]
    {
        let _ = (staged, fill);
        Err(Error::invalid("--format", "parquet", "csv (this build has no `study` feature, which writes Parquet)"))
    }
}

/// An anonymous file in the staging directory (gone when closed).
#[cfg(feature = "study")]
fn tempfile_in(staged: &StagedDir) -> Result<std::fs::File> {
    let p = staged.path(".punctures.csv.tmp");
    let f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&p).map_err(|e| Error::io(&p, e))?;
    std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
    Ok(f)
}

/// The drawn pictures (when `outputs.pictures`) and report.html (when `outputs.report`).
pub(crate) fn write_drawn(staged: &StagedDir, drawn: &Drawn, outputs: Outputs) -> Result<()> {
    if outputs.pictures {
        for p in &drawn.pictures {
            write_staged(staged, &p.file, &p.bytes)?;
        }
    }
    if outputs.report {
        write_staged(staged, REPORT_HTML, drawn.report_html.as_bytes())?;
        if let Some(csv) = &drawn.regions_csv {
            write_staged(staged, REGIONS_CSV, csv.as_bytes())?;
        }
    }
    Ok(())
}
