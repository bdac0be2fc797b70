//! `needlesim run`: simulate a scenario and write its outputs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use needlesim::io::output;
use needlesim::io::scenario::{self, Override};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim run scenarios/default.toml\n  needlesim run scenarios/default.toml --set cartridge.depth_mm=1.5 --set technique.speed_mm_s=40 --out output/slow"
)]
/// Simulate a scenario: writes summary.json, punctures.csv and heatmap.png.
pub struct RunArgs {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Output directory (default: output/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key by dotted path, e.g. cartridge.depth_mm=1.5 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Exit with code 1 when the run produced warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Files to write, comma-separated: summary, punctures, pictures, report, or all.
    /// summary.json and scenario.toml are always written; without pictures and report
    /// nothing is drawn (the figures are the same).
    #[arg(long, value_name = "LIST", default_value = "all")]
    pub outputs: output::Outputs,
    /// Table format of the punctures: csv (punctures.csv) or parquet (punctures.parquet, the
    /// same columns typed; pandas/polars/pyarrow read it).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
}

/// The format of a command's tables (`--format`): CSV, or Parquet (`io::output::columnar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
}

pub fn run(a: RunArgs) -> anyhow::Result<ExitCode> {
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let file = scenario::load(&a.scenario, &overrides)?;
    let mut outputs = a.outputs;
    outputs.parquet = a.format == Format::Parquet;
    if file.is_surface() && outputs.parquet {
        return Err(needlesim::Error::invalid(
            "--format",
            "parquet",
            format!("csv for a face on a surface mesh ({}): its punctures are written as CSV only", a.scenario.display()),
        )
        .into());
    }
    if file.is_surface() {
        return super::run_surface::run(&a.scenario, &file, a.out, a.deny_warnings, a.outputs);
    }
    if file.is_face() {
        return super::run_face::run(&a.scenario, &file, a.out, a.deny_warnings, outputs);
    }
    let mut sim = file
        .to_simulation_in(a.scenario.parent().unwrap_or(std::path::Path::new(".")))
        .map_err(|e| anyhow::Error::new(e).context(format!("invalid scenario {}", a.scenario.display())))?;
    sim.picture &= outputs.draws();
    let result = sim.run().with_context(|| format!("running {}", a.scenario.display()))?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(&sim.name));
    let resolved = toml::to_string_pretty(&output::resolved_scenario(&file)).context("serialising the resolved scenario")?;
    let dir = output::write_run_with(&dir, &sim, &file.pictures()?, &result, &resolved, outputs)?;
    let c = &result.hole_coverage;
    println!(
        "{}: {} punctures in {} stamps over {:.0} mm²",
        sim.name,
        result.punctures.len(),
        result.stamps_per_pass.iter().sum::<usize>(),
        sim.area.area()
    );
    println!(
        "  hole coverage {:.1} % (per pass {}), density {:.0} /cm²",
        100.0 * c.coverage,
        c.coverage_per_pass.iter().map(|v| format!("{:.1} %", 100.0 * v)).collect::<Vec<_>>().join(", "),
        result.density.density_per_cm2
    );
    if let Some((_, z)) = &result.zone {
        println!("  treated-zone coverage {:.1} % (halo {} mm)", 100.0 * z.coverage, sim.halo_mm);
    }
    for w in &result.warnings {
        println!("  warning: {w}");
    }
    println!("  wrote {}", dir.display());
    Ok(if a.deny_warnings && !result.warnings.is_empty() { ExitCode::from(super::EXIT_WARNINGS) } else { ExitCode::SUCCESS })
}
