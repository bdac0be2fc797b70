//! `report.html` of a surface run: the run report ([`run_report`]) built from the surface's
//! summary.json (which carries every key of a flat face session's), with the surface's
//! pictures, and a section on the surface: the mesh, the pen, and per region skin vs
//! projected area and the pen's tilt from the skin. Self-contained like the flat report.

use serde_json::Value;

use crate::face::names::display_name;
use crate::render::report::{Block, Table};
use crate::render::run_pictures::Picture;

use super::report::run_report;

fn f(v: &Value, digits: usize) -> String {
    v.as_f64().map_or("–".into(), |x| format!("{x:.digits$}"))
}

/// The surface section: what the mesh is, and a per-region table of areas and tilt.
fn surface_blocks(summary: &Value) -> Vec<Block> {
    let mesh = &summary["mesh"];
    let mut out = vec![
        Block::Heading("Surface".into()),
        Block::Paragraph(format!(
            "Run on the curved skin of mesh {} ({} triangles, {} cm² of skin, {} cm² seen from the front; identity {}), \
             the pen {} to the skin. Areas, densities and dose are per cm² of skin; coverage is a fraction of the skin \
             (chart grid {} mm, at least {} cells across a hole radius, worst-case hole area error {} %).",
            mesh["name"].as_str().unwrap_or("?"),
            mesh["triangles"],
            f(&Value::from(mesh["skin_area_mm2"].as_f64().unwrap_or(f64::NAN) / 100.0), 1),
            f(&Value::from(mesh["projected_area_mm2"].as_f64().unwrap_or(f64::NAN) / 100.0), 1),
            mesh["identity"],
            if summary["pen_orientation"] == "frontal" { "square to the face front, not" } else { "normal" },
            f(&summary["grid"]["resolution_mm"], 4),
            f(&summary["grid"]["min_cells_across_radius"], 1),
            f(&Value::from(100.0 * summary["grid"]["worst_hole_area_error"].as_f64().unwrap_or(f64::NAN)), 1),
        )),
    ];
    if let Some(regions) = summary["regions"].as_object() {
        let rows = regions
            .iter()
            .map(|(name, g)| {
                vec![
                    display_name(name).into_owned(),
                    f(&Value::from(g["skin_area_mm2"].as_f64().unwrap_or(f64::NAN) / 100.0), 2),
                    f(&Value::from(g["projected_area_mm2"].as_f64().unwrap_or(f64::NAN) / 100.0), 2),
                    f(&g["surface_tilt_deg_mean"], 1),
                    f(&g["surface_tilt_deg_max"], 1),
                ]
            })
            .collect();
        out.push(Block::Table(Table {
            caption: "Skin and pen per region".into(),
            header: ["Region", "Skin (cm²)", "Seen from the front (cm²)", "Pen tilt from the skin, mean (°)", "Max (°)"]
                .map(String::from)
                .to_vec(),
            rows,
        }));
    }
    out
}

/// The HTML of a surface run's report.
pub fn surface_report_html(summary: &Value, scenario_toml: &str, pictures: &[Picture]) -> String {
    let mut report = run_report(summary, scenario_toml, pictures);
    // After the pictures and the region table, before the engineers' details.
    let at =
        report.blocks.iter().position(|b| matches!(b, Block::Heading(h) if h == "Details for engineers")).unwrap_or(report.blocks.len());
    for (k, b) in surface_blocks(summary).into_iter().enumerate() {
        report.blocks.insert(at + k, b);
    }
    report.to_html()
}
