//! `needlesim run` on a face scenario (`[face]` + `[[treat]]`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use needlesim::io::output;
use needlesim::io::scenario::{self, ScenarioFile};

/// Load the map, simulate the session, write the outputs and print a short report.
pub fn run(
    path: &Path,
    file: &ScenarioFile,
    out: Option<PathBuf>,
    deny_warnings: bool,
    outputs: output::Outputs,
) -> anyhow::Result<ExitCode> {
    let map = scenario::load_face_map(file, path)
        .map_err(|e| anyhow::Error::new(e).context(format!("loading the face map of {}", path.display())))?;
    let mut sim = file
        .to_face_simulation_in(map, path.parent().unwrap_or(Path::new(".")))
        .map_err(|e| anyhow::Error::new(e).context(format!("invalid scenario {}", path.display())))?;
    sim.picture &= outputs.draws();
    let result = sim.run().with_context(|| format!("running {}", path.display()))?;
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&sim.name));
    let resolved = toml::to_string_pretty(&output::resolved_scenario(file)).context("serialising the resolved scenario")?;
    let dir = output::write_face_run_with(&dir, &sim, &file.pictures()?, &result, &resolved, outputs)?;
    let r = &result.run;
    let treated: f64 = result
        .regions
        .iter()
        .zip(0u16..)
        .filter(|(g, _)| g.treated)
        .map(|(_, l)| needlesim::raster::domain::Domain::area_mm2(&sim.map, l))
        .sum();
    println!(
        "{}: {} punctures in {} stamps over {} regions ({:.0} mm² treated) of face map {:?}",
        sim.name,
        r.punctures.len(),
        r.stamps_per_pass.iter().sum::<usize>(),
        result.regions.iter().filter(|g| g.treated).count(),
        treated,
        sim.map.name()
    );
    println!(
        "  hole coverage {:.1} % (at the DEJ {:.1} %, mid-dermis {:.1} %), density {:.0} /cm², path time {:.0} s",
        100.0 * r.hole_coverage.coverage,
        100.0 * result.coverage_dej,
        100.0 * result.coverage_mid_dermis,
        r.density.density_per_cm2,
        r.pass_time_s.iter().sum::<f64>()
    );
    if let Some((_, z)) = &r.zone {
        println!("  treated-zone coverage {:.1} % (halo {} mm)", 100.0 * z.coverage, sim.halo_mm);
    }
    let [e, d, b] = result.layers.fractions();
    println!("  deepest layer reached: epidermis only {:.1} %, dermis {:.1} %, beyond {:.1} %", 100.0 * e, 100.0 * d, 100.0 * b);
    for w in &r.warnings {
        println!("  warning: {w}");
    }
    println!("  wrote {}", dir.display());
    Ok(if deny_warnings && !r.warnings.is_empty() { ExitCode::from(super::EXIT_WARNINGS) } else { ExitCode::SUCCESS })
}
