//! `punctures.csv` of a surface session: the patch columns with `x_mm, y_mm` the skin
//! point's front-plane coordinates, then [`SURFACE_COLUMNS`] (every column of a flat face
//! session's file is among them: `region`, `landed_in`, `real_depth_mm`, `layer`).

use crate::error::{Error, Result};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::geometry::Vec2;
use crate::needle::puncture::Puncture;
use crate::surface::Chart;
use crate::surface::place::NO_TRIANGLE;

use super::{PUNCTURES_CSV, punctures_csv};

/// Columns a surface run adds to `punctures.csv`.
pub const SURFACE_COLUMNS: [&str; 11] =
    ["z_mm", "normal_x", "normal_y", "normal_z", "u_mm", "v_mm", "region", "landed_in", "real_depth_mm", "layer", "surface_tilt_deg"];

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
        .run
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
        .run
        .punctures
        .iter()
        .zip(&skin)
        .map(|(p, s)| match s {
            Ok(s) => Puncture { x_mm: s[0], y_mm: s[1], ..*p },
            Err(q) => Puncture { x_mm: q[0], y_mm: q[1], ..*p },
        })
        .collect();
    let aimed: Vec<u16> = {
        let mut a = vec![0u16; r.run.punctures.len()];
        for (t, run) in sim.treatments.iter().zip(&r.treatments) {
            a[run.punctures.clone()].fill(t.region);
        }
        a
    };
    let mut out = Vec::new();
    // Numbers by `push_fixed` (the bytes of `{:.N}`), names copied: no formatting per row.
    let fixed = |row: &mut Vec<u8>, v: f64, prec: usize| {
        row.push(b',');
        punctures_csv::push_fixed(row, v, prec);
    };
    let text = |row: &mut Vec<u8>, t: &str| {
        row.push(b',');
        row.extend_from_slice(t.as_bytes());
    };
    punctures_csv::write_with(&mut out, &front, &SURFACE_COLUMNS, |i, row| {
        let t = r.landing.tri[i];
        let p = &r.run.punctures[i];
        match skin[i] {
            Ok(s) => s[2..6].iter().for_each(|&v| fixed(row, v, 6)),
            Err(q) => {
                fixed(row, q[2], 6);
                row.extend_from_slice(b",,,");
            }
        }
        fixed(row, p.x_mm, 6);
        fixed(row, p.y_mm, 6);
        text(row, &sim.face.regions[aimed[i] as usize].name);
        match t {
            NO_TRIANGLE => text(row, "off_mesh"),
            _ => text(row, &group_name(chart.tris[t as usize].group as usize)),
        }
        fixed(row, r.real_depth_mm[i], 4);
        let g = (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < sim.face.regions.len());
        text(row, g.map_or("", |g| sim.face.regions[g].skin.layer_reached(r.real_depth_mm[i]).name()));
        fixed(row, r.landing.surface_tilt_deg[i] as f64, 4);
        Ok(())
    })
    .map_err(|e| Error::io(PUNCTURES_CSV, e))?;
    Ok(out)
}
