//! The files of a surface session (a face session on a mesh), written atomically:
//!
//! - `summary.json`: name, seed, `mode = "surface"`, the mesh (`name`, `units` as read,
//!   `triangles`, `skin_area_mm2`, `projected_area_mm2`, `chart_scale_mm`, `identity`),
//!   `pen_orientation`, the chart `grid` (cell side, fewest cells across a hole radius,
//!   worst-case hole area error, weight unit), whole-session figures over the treated skin
//!   (`area_mm2` = treated skin area, `punctures`, `stamps_per_pass`, `pass_time_s`,
//!   `coverage…`, `hits_histogram`, `density_per_cm2` per cm² of skin, `zone`), `layers`,
//!   `no_go` hits, and per region under `regions.<name>`: `treated`, `area_mm2` (= skin
//!   area), `skin_area_mm2`, `projected_area_mm2`, coverage keys, `density_per_cm2`,
//!   `surface_tilt_deg_mean` / `_max`, `layers`.
//! - `punctures.csv`: the patch columns with `x_mm, y_mm` the skin point's front-plane
//!   coordinates (a needle past the mesh's edge: its point on the stamp's tangent plane, no
//!   normal, `landed_in = off_mesh`), then `z_mm, normal_x, normal_y, normal_z, u_mm, v_mm` (chart),
//!   `region` (aimed), `landed_in`, `real_depth_mm`, `layer`, `surface_tilt_deg`.
//! - `uv_heatmap.png` (chart, mean hits, region outlines) and `front_view.png` (the mesh
//!   from the front, coloured by hole coverage per triangle, shaded); the shaded 3D pictures
//!   `face_*.png` and `face_animation.gif` ([`crate::render::shaded`]).
//! - `scenario.toml`: the resolved scenario.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::geometry::Vec2;
use crate::metrics::Coverage;
use crate::needle::puncture::Puncture;
use crate::needle::skin::LayerCounts;
use crate::render::surface::{front_view, uv_heatmap};
use crate::surface::Chart;
use crate::surface::place::NO_TRIANGLE;

use super::{Outputs, PUNCTURES_CSV, SCENARIO_TOML, SUMMARY_JSON, StagedDir, punctures_csv};

/// The chart heatmap picture.
pub const UV_HEATMAP_PNG: &str = "uv_heatmap.png";
/// The front view picture.
pub const FRONT_VIEW_PNG: &str = "front_view.png";
/// Columns a surface run adds to `punctures.csv`.
pub const SURFACE_COLUMNS: [&str; 11] =
    ["z_mm", "normal_x", "normal_y", "normal_z", "u_mm", "v_mm", "region", "landed_in", "real_depth_mm", "layer", "surface_tilt_deg"];

fn coverage_keys(c: &Coverage) -> Value {
    json!({
        "coverage": c.coverage,
        "coverage_per_pass": c.coverage_per_pass,
        "coverage_cumulative": c.coverage_cumulative,
        "hits_histogram": c.hits_histogram,
        "hits_histogram_full": c.hits_histogram_full,
        "mean_hits": c.mean_hits,
        "max_hits": c.max_hits,
        "over_pass_limit_fraction": c.over_pass_limit_fraction,
        "sampled_skin_area_mm2": c.sampled_area_mm2,
    })
}

fn layers(l: &LayerCounts) -> Value {
    let [e, d, b] = l.fractions();
    json!({ "epidermis": e, "dermis": d, "beyond": b, "punctures": l.total() })
}

/// summary.json of a surface run.
pub fn summary(sim: &SurfaceSimulation, chart: &Chart, units: &str, r: &SurfaceRunResult) -> Value {
    let mesh = &sim.face.mesh;
    let projected: f64 = chart.tris.iter().map(|t| t.area_factor * crate::surface::plan::area(&t.chart) * t.normal.z.abs()).sum();
    let treated_area: f64 = r.regions.iter().filter(|g| g.treated).map(|g| g.skin_area_mm2).sum();
    let inside: u64 = r.regions.iter().filter(|g| g.treated).map(|g| g.punctures_inside).sum();
    let mut all_layers = LayerCounts::default();
    let mut regions = serde_json::Map::new();
    for g in &r.regions {
        if g.treated {
            all_layers.epidermis += g.layers.epidermis;
            all_layers.dermis += g.layers.dermis;
            all_layers.beyond += g.layers.beyond;
        }
        let mut v = coverage_keys(&g.coverage);
        let o = v.as_object_mut().expect("an object");
        o.insert("treated".into(), json!(g.treated));
        o.insert("area_mm2".into(), json!(g.skin_area_mm2));
        o.insert("skin_area_mm2".into(), json!(g.skin_area_mm2));
        o.insert("projected_area_mm2".into(), json!(g.projected_area_mm2));
        o.insert("punctures_inside".into(), json!(g.punctures_inside));
        o.insert("density_per_cm2".into(), json!(g.density_per_cm2));
        o.insert("surface_tilt_deg_mean".into(), json!(g.surface_tilt_deg_mean));
        o.insert("surface_tilt_deg_max".into(), json!(g.surface_tilt_deg_max));
        o.insert("layers".into(), layers(&g.layers));
        regions.insert(g.name.clone(), v);
    }
    let mut whole = coverage_keys(&r.whole);
    let o = whole.as_object_mut().expect("an object");
    let extra = json!({
        "name": sim.name,
        "seed": sim.seed,
        "mode": "surface",
        "mesh": {
            "name": sim.face.name,
            "units": units,
            "triangles": mesh.triangles.len(),
            "skin_area_mm2": mesh.total_area_mm2(),
            "projected_area_mm2": projected,
            "chart_scale_mm": chart.scale_mm,
            "identity": sim.face.identity,
        },
        "pen_orientation": sim.orientation.name(),
        "grid": {
            "resolution_mm": r.grid.grid.resolution_mm,
            "min_cells_across_radius": r.grid.min_cells_across_radius,
            "worst_hole_area_error": r.grid.worst_hole_error,
            "weight_unit_mm2": r.grid.unit_mm2,
        },
        "area_mm2": treated_area,
        "skin_area_mm2": treated_area,
        "punctures": r.punctures.len(),
        "stamps_per_pass": r.stamps_per_pass,
        "pass_time_s": r.pass_time_s,
        "path_time_s": r.pass_time_s.iter().sum::<f64>(),
        "density_per_cm2": if treated_area > 0.0 { inside as f64 / (treated_area / 100.0) } else { 0.0 },
        "zone": r.zone_whole.as_ref().map(|z| json!({ "halo_mm": sim.halo_mm, "coverage": z.coverage })),
        "layers": layers(&all_layers),
        "punctures_off_regions": r.off_regions,
        "no_go": sim.face.no_go.iter().zip(&r.no_go_hits).map(|(n, h)| (n.clone(), json!({ "punctures": h }))).collect::<serde_json::Map<_, _>>(),
        "tilt_clipped": r.landing.tilt_clipped,
        "regions": regions,
        "warnings": r.warnings,
    });
    for (k, v) in extra.as_object().expect("an object") {
        o.insert(k.clone(), v.clone());
    }
    whole
}

/// punctures.csv bytes of a surface run.
pub fn punctures_bytes(sim: &SurfaceSimulation, chart: &Chart, r: &SurfaceRunResult) -> Result<Vec<u8>> {
    let group_name = |g: usize| -> String {
        let names = &sim.face.mesh.groups;
        let nr = sim.face.regions.len();
        if g < nr {
            names[g].clone()
        } else if g < nr + sim.face.no_go.len() {
            format!("no_go:{}", names[g])
        } else {
            "unassigned".into()
        }
    };
    let skin: Vec<std::result::Result<[f64; 6], [f64; 3]>> = r
        .punctures
        .iter()
        .zip(&r.landing.tri)
        .enumerate()
        .map(|(i, (p, &t))| {
            // Off the mesh: the point on the stamp's tangent plane (in the air past the edge).
            let m = &chart.tris[if t != NO_TRIANGLE { t } else { r.landing.stamp_tri[i] } as usize];
            let q = m.to_skin(Vec2::new(p.x_mm, p.y_mm));
            (t != NO_TRIANGLE).then_some([q.x, q.y, q.z, m.normal.x, m.normal.y, m.normal.z]).ok_or([q.x, q.y, q.z])
        })
        .collect();
    let front: Vec<Puncture> = r
        .punctures
        .iter()
        .zip(&skin)
        .map(|(p, s)| match s {
            Ok(s) => Puncture { x_mm: s[0], y_mm: s[1], ..*p },
            Err(q) => Puncture { x_mm: q[0], y_mm: q[1], ..*p },
        })
        .collect();
    let aimed: Vec<u16> = {
        let mut a = vec![0u16; r.punctures.len()];
        for (t, run) in sim.treatments.iter().zip(&r.treatments) {
            a[run.punctures.clone()].fill(t.region);
        }
        a
    };
    let mut out = Vec::new();
    punctures_csv::write_with(&mut out, &front, &SURFACE_COLUMNS, |i, w| {
        use std::io::Write;
        let t = r.landing.tri[i];
        let p = &r.punctures[i];
        match skin[i] {
            Ok(s) => write!(w, ",{:.6},{:.6},{:.6},{:.6}", s[2], s[3], s[4], s[5])?,
            Err(q) => write!(w, ",{:.6},,,", q[2])?,
        }
        write!(w, ",{:.6},{:.6},{}", p.x_mm, p.y_mm, sim.face.regions[aimed[i] as usize].name)?;
        let landed = if t == NO_TRIANGLE { "off_mesh".to_string() } else { group_name(chart.tris[t as usize].group as usize) };
        write!(w, ",{landed},{:.4}", r.real_depth_mm[i])?;
        let g = (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < sim.face.regions.len());
        match g {
            Some(g) => write!(w, ",{}", sim.face.regions[g].skin.layer_reached(r.real_depth_mm[i]).name())?,
            None => write!(w, ",")?,
        }
        write!(w, ",{:.4}", r.landing.surface_tilt_deg[i])
    })
    .map_err(|e| Error::io(PUNCTURES_CSV, e))?;
    Ok(out)
}

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
    let summary = serde_json::to_string_pretty(&summary(sim, &chart, units, r))
        .map_err(|e| Error::Render { path: SUMMARY_JSON.into(), message: e.to_string() })?
        + "\n";
    let csv = if outputs.punctures { Some(punctures_bytes(sim, &chart, r)?) } else { None };
    let mut pictures = Vec::new();
    if outputs.pictures {
        if let Some(raster) = &r.hole.acc.raster {
            pictures.push((UV_HEATMAP_PNG.to_string(), uv_heatmap(&sim.face.mesh, &chart, raster).to_png()?));
        }
        let coverage: Vec<f64> =
            r.hole.acc.tallies.iter().map(|t| if t.cells > 0 { t.covered() as f64 / t.cells as f64 } else { 0.0 }).collect();
        pictures.push((FRONT_VIEW_PNG.to_string(), front_view(&sim.face.mesh, &chart, &coverage).to_png()?));
        pictures.extend(crate::render::shaded::draw_surface_pictures(sim, &chart, r)?);
    }
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(SUMMARY_JSON, summary.as_bytes())?;
    if let Some(csv) = csv {
        write(PUNCTURES_CSV, &csv)?;
    }
    for (name, bytes) in &pictures {
        write(name, bytes)?;
    }
    write(SCENARIO_TOML, scenario_toml.as_bytes())
}
