//! `needlesim compare`: the same technique with several cartridges, side by side.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use needlesim::Error;
use needlesim::face::FaceMap;
use needlesim::io::output;
use needlesim::io::scenario::{self, Override, ScenarioFile, cartridge_spec::CartridgeSpec};
use needlesim::study::compare::{self, CompareRow};
use needlesim::study::optimize::Session;

#[derive(Args, Debug)]
#[command(
    after_help = "Cartridge specs (comma-separated):\n  12 | preset:12          cartridge preset (9, 12, 16, 20)\n  hex:19:0.8            generated layout FAMILY:NEEDLES:PITCH_MM[:SEED]\n                        (square, hex, rings, ring, jitter, poisson)\n  skinpen-precision     a device preset's cartridge (`needlesim presets`)\n  file:my.csv | my.toml custom layout file\n\nExample:\n  needlesim compare scenarios/default.toml --cartridges 12,hex:19:0.8,rings:12:0.8,exceed"
)]
/// Run one technique with several cartridges: table (stdout + compare.csv), compare.json and
/// bar plots (compare.png) of coverage per pass, overlap, density CV, largest gap, time to target.
/// A face scenario on a flat map compares its session over the treated regions, with
/// per-region columns (regions.cheek_left.coverage, …).
pub struct CompareArgs {
    /// Scenario TOML file, patch or flat face (its technique is kept; its cartridge is replaced).
    pub scenario: PathBuf,
    /// Cartridge specs, comma-separated (repeatable).
    #[arg(long, value_name = "A,B,C", required = true)]
    pub cartridges: Vec<String>,
    /// Cumulative hole coverage whose time is reported, 0–1.
    #[arg(long, default_value_t = 0.25)]
    pub target_coverage: f64,
    /// Output directory (default: output/<scenario name>-compare/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key by dotted path (repeatable), applied before each cartridge.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

fn pct(v: f64) -> String {
    format!("{:.1}", 100.0 * v)
}

fn print_table(rows: &[CompareRow], target: f64) {
    let w = rows.iter().map(|r| r.cartridge.len()).max().unwrap_or(9).max(9);
    println!(
        "{:<w$} {:>7} {:>9} {:>10} {:>8} {:>29} {:>7} {:>8} {:>10}",
        "cartridge", "needles", "pass_%", "cumul_%", "CV", "hits 0/1/2/3/≥4 %", "gap_mm", "t_target", "aliasing"
    );
    for r in rows {
        let h: Vec<String> = r.hits_histogram.iter().map(|v| format!("{:.0}", 100.0 * v)).collect();
        println!(
            "{:<w$} {:>7} {:>9} {:>10} {:>8} {:>29} {:>7} {:>8} {:>10}",
            r.cartridge,
            r.layout.needles,
            pct(r.mean_coverage_per_pass),
            pct(r.coverage),
            r.uniformity_cv.map_or("-".into(), |v| format!("{v:.3}")),
            h.join("/"),
            r.largest_gap_mm.map_or("-".into(), |v| format!("{v:.2}")),
            r.time_to_target_s.map_or("never".into(), |v| format!("{v:.1}s")),
            if r.aliasing_flagged { "ALIASING" } else { "-" }
        );
    }
    println!("(pass_% = mean coverage of a pass alone; t_target = time to {} % cumulative coverage)", pct(target));
}

pub fn run(a: CompareArgs) -> anyhow::Result<ExitCode> {
    if !(a.target_coverage.is_finite() && a.target_coverage > 0.0 && a.target_coverage < 1.0) {
        return Err(Error::invalid("--target-coverage", a.target_coverage, "0 < target < 1").into());
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let mut specs = Vec::new();
    for list in &a.cartridges {
        specs.extend(CartridgeSpec::parse_list(list, &cwd)?);
    }
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let base = scenario::read_table(&a.scenario)?;
    refuse_surface("compare", &a.scenario, &base)?;
    let map = face_map_of(&base, &a.scenario, &overrides)?;
    // Build every simulation first, so a bad spec fails before anything runs.
    let mut sims = Vec::with_capacity(specs.len());
    let mut name = String::new();
    for (label, spec) in &specs {
        let mut table = base.clone();
        spec.apply(&mut table)?;
        let (_, sim) = session_from_table(&table, &a.scenario, &overrides, map.as_ref())
            .map_err(|e| anyhow::Error::new(e).context(format!("cartridge {label:?} in {}", a.scenario.display())))?;
        sim.check_resources()?;
        name = sim.name().to_owned();
        sims.push((label.clone(), sim));
    }
    let mut rows = Vec::with_capacity(sims.len());
    for (label, sim) in &sims {
        let row = match sim {
            Session::Patch(s) => compare::row(label, s, a.target_coverage),
            Session::Face(f) => compare::face_row(label, f, a.target_coverage),
        };
        rows.push(row.with_context(|| format!("running cartridge {label:?}"))?);
    }
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(format!("{name}-compare")));
    let dir = output::cartridge_compare::write(&dir, &name, a.target_coverage, &rows)?;
    print_table(&rows, a.target_coverage);
    println!("wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The face map of a face scenario `table` (with `overrides`), loaded once for every session a
/// command builds; `None` for a patch.
pub(super) fn face_map_of(table: &toml::Table, path: &Path, overrides: &[Override]) -> needlesim::Result<Option<FaceMap>> {
    let file = scenario::from_table(table.clone(), path, overrides)?;
    if !file.is_face() {
        return Ok(None);
    }
    scenario::load_face_map(&file, path).map(Some)
}

/// The session `compare` and `optimize` run from a scenario `table` plus `overrides`: a patch,
/// or a face on the flat `map` (from [`face_map_of`]), reading files relative to `path`.
pub(super) fn session_from_table(
    table: &toml::Table,
    path: &Path,
    overrides: &[Override],
    map: Option<&FaceMap>,
) -> needlesim::Result<(ScenarioFile, Session)> {
    let mut file = scenario::from_table(table.clone(), path, overrides)?;
    scenario::resolve_files(&mut file, path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    if file.is_face() {
        let map = match map {
            Some(m) => m.clone(),
            None => scenario::load_face_map(&file, path)?,
        };
        let face = file.to_face_simulation_in(map, dir)?;
        return Ok((file, Session::Face(Box::new(face))));
    }
    let sim = file.to_simulation_in(dir)?;
    Ok((file, Session::Patch(Box::new(sim))))
}

/// `compare` and `optimize` run patches and faces on a flat map: a face on a surface mesh
/// (`[face] surface = …`) is refused before anything runs, naming the command and what it takes.
pub(super) fn refuse_surface(command: &str, path: &Path, table: &toml::Table) -> Result<(), Error> {
    let surface = table.get("face").and_then(|f| f.get("surface"));
    if let Some(s) = surface {
        return Err(Error::invalid(
            format!("needlesim {command} {}", path.display()),
            format!("a face on a surface mesh (face.surface = {s})"),
            "a patch scenario ([patch]) or a face on a flat map ([face] without surface): run a surface face with `needlesim run`",
        ));
    }
    Ok(())
}

/// `compare-hand` runs patch sessions: a face scenario is refused before anything runs,
/// naming the command and what takes faces.
pub(super) fn refuse_face(command: &str, path: &std::path::Path, is_face: bool) -> Result<(), Error> {
    if is_face {
        return Err(Error::invalid(
            format!("needlesim {command} {}", path.display()),
            "a face scenario ([face] + [[treat]])",
            format!(
                "a patch scenario ([patch]): `{command}` compares patch sessions; run a face with `needlesim run`, compare cartridges on it with `needlesim compare`, or vary its keys with `needlesim sweep` (per-region columns such as regions.chin.coverage)"
            ),
        ));
    }
    Ok(())
}
