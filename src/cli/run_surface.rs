//! `needlesim run` on a surface scenario (`[face] surface = "mesh.obj"` + `[[treat]]`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use needlesim::io::output;
use needlesim::io::scenario::ScenarioFile;

/// Load the mesh, simulate the session on it, write the outputs and print a short report.
pub fn run(
    path: &Path,
    file: &ScenarioFile,
    out: Option<PathBuf>,
    deny_warnings: bool,
    outputs: output::Outputs,
) -> anyhow::Result<ExitCode> {
    let face =
        file.load_surface_face(path).map_err(|e| anyhow::Error::new(e).context(format!("loading the surface of {}", path.display())))?;
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let invalid = |e| anyhow::Error::new(e).context(format!("invalid scenario {}", path.display()));
    let (sim, r) = if file.is_surface_trace() {
        // A recorded trace (the live 3D page's export): its strokes are the session.
        let (mut base, strokes) = file.to_surface_trace_in(face, base_dir).map_err(invalid)?;
        base.picture &= outputs.draws();
        needlesim::face::surface_trace_run::run_surface_trace(&base, &strokes).map_err(invalid)?
    } else {
        let mut sim = file.to_surface_simulation_in(face, base_dir).map_err(invalid)?;
        sim.picture &= outputs.draws();
        let r = sim.run().with_context(|| format!("running {}", path.display()))?;
        (sim, r)
    };
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&sim.name));
    let resolved = toml::to_string_pretty(&output::resolved_scenario(file)).context("serialising the resolved scenario")?;
    let units = file.face.as_ref().and_then(|f| f.units.clone()).unwrap_or_default();
    let dir = output::surface_run::write_surface_run_with(&dir, &sim, &units, &r, &resolved, outputs)?;
    let treated: Vec<_> = r.regions.iter().filter(|g| g.figures.treated).collect();
    let area: f64 = treated.iter().map(|g| g.skin_area_mm2).sum();
    let projected: f64 = treated.iter().map(|g| g.projected_area_mm2).sum();
    println!(
        "{}: {} punctures in {} stamps over {} regions ({:.0} mm² of skin, {:.0} mm² projected) of surface {:?}, pen {}",
        sim.name,
        r.run.punctures.len(),
        r.run.stamps_per_pass.iter().sum::<usize>(),
        treated.len(),
        area,
        projected,
        sim.face.name,
        sim.orientation.name()
    );
    println!(
        "  hole coverage {:.1} % of the skin, path time {:.0} s; chart grid {} mm ({:.1} cells across a hole radius at worst)",
        100.0 * r.run.hole_coverage.coverage,
        r.run.pass_time_s.iter().sum::<f64>(),
        r.grid.grid.resolution_mm,
        r.grid.min_cells_across_radius
    );
    for w in &r.run.warnings {
        println!("  warning: {w}");
    }
    println!("  wrote {}", dir.display());
    Ok(if deny_warnings && !r.run.warnings.is_empty() { ExitCode::from(super::EXIT_WARNINGS) } else { ExitCode::SUCCESS })
}
