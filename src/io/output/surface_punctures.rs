//! `punctures.csv` of a surface session: the patch columns with `x_mm, y_mm` the skin
//! point's front-plane coordinates, then [`SURFACE_COLUMNS`] (every column of a flat face
//! session's file is among them: `region`, `landed_in`, `real_depth_mm`, `layer`).

use rayon::prelude::*;

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
    let aimed: Vec<u16> = {
        let mut a = vec![0u16; r.run.punctures.len()];
        for (t, run) in sim.treatments.iter().zip(&r.treatments) {
            a[run.punctures.clone()].fill(t.region);
        }
        a
    };
    let punctures = &r.run.punctures;
    let shaped = punctures.iter().any(|p| !p.is_disk());
    punctures_csv::write_header(w, shaped, &SURFACE_COLUMNS)?;
    // Rows are formatted in parallel in blocks of ROWS, written in order.
    const ROWS: usize = 1 << 14;
    let row_of = |i: usize, row: &mut Vec<u8>| {
        let (p, t) = (&punctures[i], r.landing.tri[i]);
        // Off the mesh: the point on the stamp's tangent plane (in the air past the edge).
        let m = &chart.tris[if t != NO_TRIANGLE { t } else { r.landing.stamp_tri[i] } as usize];
        let q = m.to_skin(Vec2::new(p.x_mm, p.y_mm));
        punctures_csv::push_row(row, &Puncture { x_mm: q.x, y_mm: q.y, ..*p }, shaped);
        let num = |row: &mut Vec<u8>, v: f64, prec: usize| {
            row.push(b',');
            push_fixed(row, v, prec);
        };
        num(row, q.z, 6);
        if t != NO_TRIANGLE {
            (0..3).for_each(|k| num(row, m.normal[k], 6));
        } else {
            row.extend_from_slice(b",,,");
        }
        num(row, p.x_mm, 6);
        num(row, p.y_mm, 6);
        row.push(b',');
        row.extend_from_slice(sim.face.regions[aimed[i] as usize].name.as_bytes());
        row.push(b',');
        row.extend_from_slice(if t == NO_TRIANGLE {
            b"off_mesh"
        } else {
            group_names.get(chart.tris[t as usize].group as usize).map_or(&b"unassigned"[..], |n| n.as_bytes())
        });
        num(row, r.real_depth_mm[i], 4);
        row.push(b',');
        let g = (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize).filter(|&g| g < nr);
        if let Some(g) = g {
            row.extend_from_slice(sim.face.regions[g].skin.layer_reached(r.real_depth_mm[i]).name().as_bytes());
        }
        num(row, r.landing.surface_tilt_deg[i] as f64, 4);
        row.push(b'\n');
    };
    let blocks: Vec<std::ops::Range<usize>> = (0..punctures.len()).step_by(ROWS).map(|a| a..(a + ROWS).min(punctures.len())).collect();
    for group in blocks.chunks(rayon::current_num_threads().max(1) * 2) {
        let texts: Vec<Vec<u8>> = group
            .par_iter()
            .map(|b| {
                let mut out = Vec::with_capacity(b.len() * 160);
                b.clone().for_each(|i| row_of(i, &mut out));
                out
            })
            .collect();
        for t in &texts {
            w.write_all(t)?;
        }
    }
    Ok(())
}
