//! The files of a face session: the patch's four files, with face columns and keys added.
//!
//! - `summary.json`: [`FaceSummary`] (the patch keys, then `face`, `layers`, `no_go`,
//!   `regions.<name>`, …).
//! - `punctures.csv`: the patch columns, then `region` (the region the treatment aimed at),
//!   `landed_in` (region under the needle's centre, `no_go:<zone>`, or `off_map`),
//!   `real_depth_mm` and `layer` (`epidermis`, `dermis`, `beyond`; empty when it landed in
//!   no region).
//! - `heatmap.png`: hits per spot over the map's box (outlines are drawn by `render`).
//! - `scenario.toml`: the resolved scenario.

use std::path::{Path, PathBuf};

use crate::domain::{Domain, NO_LABEL};
use crate::error::{Error, Result};
use crate::face::session::{FaceRunResult, FaceSimulation, layers_of};
use crate::geometry::Vec2;
use crate::render::heatmap;

use super::face_summary::FaceSummary;
use super::{HEATMAP_PNG, PUNCTURES_CSV, SCENARIO_TOML, StagedDir, SUMMARY_JSON, punctures_csv};

/// Extra columns of a face session's `punctures.csv`.
pub const FACE_COLUMNS: [&str; 4] = ["region", "landed_in", "real_depth_mm", "layer"];

/// Write a face session's outputs into `dir` atomically.
pub fn write_face_run(dir: &Path, sim: &FaceSimulation, r: &FaceRunResult, scenario_toml: &str) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(SUMMARY_JSON, FaceSummary::new(sim, r).to_json().as_bytes())?;
    write(SCENARIO_TOML, scenario_toml.as_bytes())?;
    {
        let p = staged.path(PUNCTURES_CSV);
        let f = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let map = &sim.map;
        let mut aimed = vec![0u16; r.run.punctures.len()];
        for (t, run) in sim.treatments.iter().zip(&r.treatments) {
            aimed[run.punctures.clone()].fill(t.region);
        }
        let layers = layers_of(map, &r.landed, &r.real_depth_mm);
        let pts = &r.run.punctures;
        punctures_csv::write_with(&mut w, pts, &FACE_COLUMNS, |i, w| {
            use std::io::Write;
            let landed = match r.landed[i] {
                NO_LABEL => match map.no_go_at(Vec2::new(pts[i].x_mm, pts[i].y_mm)) {
                    Some(k) => format!("no_go:{}", map.no_go_names()[k]),
                    None => "off_map".into(),
                },
                l => map.region(l).name.clone(),
            };
            let layer = layers[i].map_or("", |l| l.name());
            write!(w, ",{},{landed},{:.4},{layer}", map.region(aimed[i]).name, r.real_depth_mm[i])
        })
        .and_then(|_| std::io::Write::flush(&mut w))
        .map_err(|e| Error::io(&p, e))?;
    }
    if let Some(raster) = &r.run.hole.raster {
        let title = format!(
            "{}: hits per spot on face map {:?}, {} regions, {} needles, {} Hz, coverage {:.1} %",
            sim.name,
            sim.map.name(),
            sim.treatments.len(),
            sim.cartridge.needle_count(),
            sim.device.frequency_hz,
            100.0 * r.run.hole_coverage.coverage
        );
        heatmap::write_png(&staged.path(HEATMAP_PNG), raster, sim.map.bounds(), &title, "mean hits per pixel")?;
    }
    staged.commit()
}
