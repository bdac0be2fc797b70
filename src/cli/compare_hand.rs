//! `needlesim compare-hand`: a scenario with an ideal hand and with its own, side by side.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use needlesim::io::output::compare;
use needlesim::io::scenario::{self, Override};
use needlesim::technique::hand::Hand;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim compare-hand scenarios/real-hand.toml\n  needlesim compare-hand scenarios/default.toml --set hand.tremor_amplitude_mm=0.5 --out output/tremor"
)]
/// Run a scenario twice, with an ideal hand and with the scenario's [hand], and compare
/// coverage, overlap, density, uniformity and gaps (writes compare.json and two heatmaps).
pub struct CompareHandArgs {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Output directory (default: output/<scenario name>-compare-hand/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override a scenario key by dotted path, e.g. hand.tremor_amplitude_mm=0.3 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

fn pct(v: f64) -> String {
    format!("{:.1} %", 100.0 * v)
}

pub fn run(a: CompareHandArgs) -> anyhow::Result<ExitCode> {
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let file = scenario::load(&a.scenario, &overrides)?;
    super::compare::refuse_face("compare-hand", &a.scenario, file.is_face())?;
    let real = file
        .to_simulation_in(a.scenario.parent().unwrap_or(std::path::Path::new(".")))
        .map_err(|e| anyhow::Error::new(e).context(format!("invalid scenario {}", a.scenario.display())))?;
    let mut ideal = real.clone();
    ideal.technique.hand = Hand::ideal();
    let ri = ideal.run().with_context(|| format!("running {} with an ideal hand", a.scenario.display()))?;
    let rr = real.run().with_context(|| format!("running {}", a.scenario.display()))?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-compare-hand", real.name)));
    let (dir, c) = compare::write_compare(&dir, &real, &ri, &rr)?;
    let cv = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    println!("{}: ideal hand vs the scenario's hand", real.name);
    if c.hand_is_ideal {
        println!("  note: the scenario's [hand] is already ideal; both columns are the same");
    }
    println!("  {:<28} {:>12} {:>12}", "", "ideal", "real");
    let rows: Vec<(&str, String, String)> = vec![
        ("hole coverage", pct(c.ideal.coverage), pct(c.real.coverage)),
        ("hit 0 / 1 / 2 / 3 / ≥4 times", hist(&c.ideal.hits_histogram), hist(&c.real.hits_histogram)),
        ("density /cm²", format!("{:.0}", c.ideal.density_per_cm2), format!("{:.0}", c.real.density_per_cm2)),
        ("uniformity CV (1 mm bins)", cv(c.ideal.uniformity_cv), cv(c.real.uniformity_cv)),
        ("empty 1 mm bins", pct(c.ideal.empty_bin_fraction), pct(c.real.empty_bin_fraction)),
        ("largest gap", format!("{} mm", c.ideal.largest_gap_mm), format!("{} mm", c.real.largest_gap_mm)),
        ("area on > 3 passes", pct(c.ideal.over_3_passes_fraction), pct(c.real.over_3_passes_fraction)),
        ("path time", format!("{:.1} s", c.ideal.path_time_s), format!("{:.1} s", c.real.path_time_s)),
    ];
    for (name, i, r) in rows {
        if name.starts_with("hit 0") {
            println!("  {name}\n    ideal {i}\n    real  {r}");
        } else {
            println!("  {name:<28} {i:>12} {r:>12}");
        }
    }
    for w in &c.warnings {
        println!("  warning: {w}");
    }
    println!("  wrote {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn hist(h: &[f64; 5]) -> String {
    h.iter().map(|v| format!("{:.1}", 100.0 * v)).collect::<Vec<_>>().join(" / ") + " %"
}
