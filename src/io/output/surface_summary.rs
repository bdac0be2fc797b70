//! `summary.json` of a surface session: every key of a flat face session's summary
//! ([`FaceSummary`], computed on the skin: areas, densities and dose per cm² of skin,
//! coverage per skin area), then the surface's own keys, added where the flat summary has
//! none (contract: keys only grow, for both):
//!
//! - `mode = "surface"`, `name`, the `mesh` (`name`, `units` as read, `triangles`,
//!   `skin_area_mm2`, `projected_area_mm2` (the silhouette from the front: folds count
//!   once, as in each region's), `chart_scale_mm`, `identity`),
//!   `pen_orientation`, the chart `grid` (cell side, fewest cells across a hole radius,
//!   worst-case hole area error, weight unit), `skin_area_mm2` (= `area_mm2`, the treated
//!   skin), `pass_time_s`, `zone`, `punctures_off_regions`, `tilt_clipped`, `layers.epidermis`
//!   / `layers.punctures`;
//! - per region under `regions.<name>`: `skin_area_mm2` (= `area_mm2`), `projected_area_mm2`,
//!   `punctures_inside`, `surface_tilt_deg_mean` / `_max`, `sampled_skin_area_mm2`.
//!
//! What the flat keys mean on the surface: `face.map` is the surface's name and
//! `face.map_area_mm2` the mesh's skin area; `resolution_mm` is the chart grid's cell side;
//! `face.tilt_deg` is the device's tilt (the pen's tilt from the skin is per region,
//! `surface_tilt_deg_*`); `uniformity_cv` and `gaps` use 1 mm bins of the chart (a chart mm
//! is on average a skin mm); `no_go.<zone>` centres are the skin points' front-plane (x, y).

use serde_json::{Value, json};

use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::needle::skin::{self, LayerCounts};
use crate::surface::Chart;

use super::face_summary::{FaceSection, FaceSummary, NoGoSummary, Ordered, RegionSummary, TreatmentSummary};
use super::summary::Summary;

/// The flat face session's keys, computed on the surface.
pub fn face_summary(sim: &SurfaceSimulation, chart: &Chart, r: &SurfaceRunResult) -> FaceSummary {
    let view = sim.summary_view(chart, &r.grid);
    let mut base = Summary::new(&view, &r.run);
    base.area_mm2 = r.regions.iter().filter(|g| g.figures.treated).map(|g| g.skin_area_mm2).sum();
    let tilt = skin::tilt_from_angle_deg(sim.device.angle_deg);
    let real = |d: f64| skin::real_depth_mm(d, sim.penetration_ratio, tilt);
    let regions = r
        .regions
        .iter()
        .zip(&sim.face.regions)
        .enumerate()
        .map(|(l, (g, info))| {
            let dose = r.run.technique.dose.labels.get(l + 1);
            (info.name.clone(), RegionSummary::new(info, &g.figures, g.skin_area_mm2, sim.halo_mm, dose, real))
        })
        .collect();
    let no_go = sim.face.no_go.iter().zip(&r.no_go).map(|(n, z)| (n.clone(), NoGoSummary::from(z))).collect();
    FaceSummary {
        base,
        face: FaceSection {
            map: sim.face.name.clone(),
            margin_mm: sim.margin_mm,
            penetration_ratio: sim.penetration_ratio,
            tilt_deg: tilt,
            map_area_mm2: sim.face.mesh.total_area_mm2(),
            region_changes: r.run.technique.session.region_changes,
            reposition_per_region_s: sim.technique.session.reposition_per_region_s,
            treatments: TreatmentSummary::all(&sim.treatments, &r.treatments, |l| &sim.face.regions[l as usize].name, real),
        },
        layers: (&r.layers).into(),
        coverage_dej: r.coverage_dej,
        coverage_mid_dermis: r.coverage_mid_dermis,
        punctures_off_map: r.off_regions,
        no_go: Ordered(no_go),
        regions: Ordered(regions),
    }
}

fn layers(l: &LayerCounts) -> Value {
    let [e, d, b] = l.fractions();
    json!({ "epidermis": e, "dermis": d, "beyond": b, "punctures": l.total() })
}

/// Add to `dst` every key of `src` it lacks, recursively into objects both have.
fn add_missing(dst: &mut Value, src: Value) {
    if let (Value::Object(d), Value::Object(s)) = (dst, src) {
        for (k, v) in s {
            match d.get_mut(&k) {
                Some(existing) => add_missing(existing, v),
                None => {
                    d.insert(k, v);
                }
            }
        }
    }
}

/// summary.json of a surface run (see the module doc).
pub fn summary(sim: &SurfaceSimulation, chart: &Chart, units: &str, r: &SurfaceRunResult) -> Value {
    let mut out = serde_json::to_value(face_summary(sim, chart, r)).expect("summary serialises");
    let mesh = &sim.face.mesh;
    let projected = crate::surface::projected::projected_area_mm2(mesh);
    let treated_area: f64 = r.regions.iter().filter(|g| g.figures.treated).map(|g| g.skin_area_mm2).sum();
    let regions: serde_json::Map<String, Value> = r
        .regions
        .iter()
        .map(|g| {
            let v = json!({
                "skin_area_mm2": g.skin_area_mm2,
                "projected_area_mm2": g.projected_area_mm2,
                "punctures_inside": g.figures.density.punctures_inside,
                "surface_tilt_deg_mean": g.surface_tilt_deg_mean,
                "surface_tilt_deg_max": g.surface_tilt_deg_max,
                "sampled_skin_area_mm2": g.figures.coverage.sampled_area_mm2,
                "layers": layers(&g.figures.layers),
            });
            (g.name.clone(), v)
        })
        .collect();
    let surface = json!({
        "name": sim.name,
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
            // Cells tile by tile (`surface::measure::TileLevels`): the finest is the grid above.
            "tiles": r.tiles.tiles.iter().sum::<usize>(),
            "coarsest_resolution_mm": r.tiles.coarsest_resolution_mm(),
            "cells": r.tiles.cells(),
        },
        "skin_area_mm2": treated_area,
        "pass_time_s": r.run.pass_time_s,
        "zone": r.run.zone.as_ref().map(|(_, z)| json!({ "halo_mm": sim.halo_mm, "coverage": z.coverage })),
        "layers": layers(&r.layers),
        "punctures_off_regions": r.off_regions,
        "sampled_skin_area_mm2": r.run.hole_coverage.sampled_area_mm2,
        "tilt_clipped": r.landing.tilt_clipped,
        "regions": regions,
    });
    add_missing(&mut out, surface);
    out
}
