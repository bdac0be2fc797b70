//! `punctures.csv` of a surface session: the patch columns with `x_mm, y_mm` the skin
//! point's front-plane coordinates, then [`SURFACE_COLUMNS`] (every column of a flat face
//! session's file is among them: `region`, `landed_in`, `real_depth_mm`, `layer`).

use crate::error::{Error, Result};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::geometry::Vec2;
use crate::needle::puncture::Puncture;
use crate::surface::Chart;
use crate::surface::place::NO_TRIANGLE;

use super::PUNCTURES_CSV;
use super::punctures_csv::{self, push_fixed};

/// Columns a surface run adds to `punctures.csv`.
pub const SURFACE_COLUMNS: [&str; 11] =
    ["z_mm", "normal_x", "normal_y", "normal_z", "u_mm", "v_mm", "region", "landed_in", "real_depth_mm", "layer", "surface_tilt_deg"];

/// punctures.csv bytes of a surface run.
pub fn punctures_bytes(sim: &SurfaceSimulation, chart: &Chart, r: &SurfaceRunResult) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_punctures(&mut out, sim, chart, r).map_err(|e| Error::io(PUNCTURES_CSV, e))?;
    Ok(out)
}

/// Write a surface run's punctures.csv to `w`, a row at a time (numbers by
/// [`punctures_csv::push_fixed`]: the bytes of `{:.N}`).
pub fn write_punctures<W: std::io::Write>(w: &mut W, sim: &SurfaceSimulation, chart: &Chart, r: &SurfaceRunResult) -> std::io::Result<()> {
    let names = &sim.face.mesh.groups;
    let nr = sim.face.regions.len();
    let group_names: Vec<String> = (0..names.len())
        .map(|g| {
            if g < nr {
                names[g].clone()
            } else if g < nr + sim.face.no_go.len() {
                format!("no_go:{}", names[g])
            } else {
                "unassigned".into()
            }
        })
        .collect();
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
    let mut row: Vec<u8> = Vec::with_capacity(160);
    punctures_csv::write_with(w, &front, &SURFACE_COLUMNS, |i, w| {
        let t = r.landing.tri[i];
        let p = &r.run.punctures[i];
        row.clear();
        let num = |row: &mut Vec<u8>, v: f64, prec: usize| {
            row.push(b',');
            push_fixed(row, v, prec);
        };
        match skin[i] {
            Ok(s) => (2..6).for_each(|k| num(&mut row, s[k], 6)),
            Err(q) => {
                num(&mut row, q[2], 6);
                row.extend_from_slice(b",,,");
            }
        }
        num(&mut row, p.x_mm, 6);
        num(&mut row, p.y_mm, 6);
        row.push(b',');
        row.extend_from_slice(sim.face.regions[aimed[i] as usize].name.as_bytes());
        row.push(b',');
        row.extend_from_slice(if t == NO_TRIANGLE {
            b"off_mesh"
        } else {
            group_names.get(chart.tris[t as usize].group as usize).map_or(&b"unassigned"[..], |n| n.as_bytes())
        });
        num(&mut row, r.real_depth_mm[i], 4);
        row.push(b',');
        let g = (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < nr);
        if let Some(g) = g {
            row.extend_from_slice(sim.face.regions[g].skin.layer_reached(r.real_depth_mm[i]).name().as_bytes());
        }
        num(&mut row, r.landing.surface_tilt_deg[i] as f64, 4);
        w.write_all(&row)
    })
}
