//! `compare` outputs: compare.csv (one row per cartridge), compare.json and compare.png (bar
//! panels), written atomically into one folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, Result};
use crate::pen::layout::LayoutFacts;
use crate::render::charts::{BarPanel, bar_panels};
use crate::study::compare::CompareRow;

use super::StagedDir;

pub const COMPARE_CSV: &str = "compare.csv";
pub const COMPARE_JSON: &str = "compare.json";
pub const COMPARE_PNG: &str = "compare.png";

/// Layout facts as JSON.
pub fn facts_json(f: &LayoutFacts) -> serde_json::Value {
    json!({
        "needles": f.needles,
        "min_spacing_mm": f.min_spacing_mm,
        "footprint_diameter_mm": f.footprint_diameter_mm,
        "fill_fraction": f.fill_fraction,
        "extent_x_mm": f.extent_x_mm,
        "extent_y_mm": f.extent_y_mm,
    })
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6}")).unwrap_or_default()
}

/// The treated face regions of any row, in order of first appearance (none for a patch).
fn region_names(rows: &[CompareRow]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for g in rows.iter().flat_map(|r| &r.regions) {
        if !names.contains(&g.name.as_str()) {
            names.push(&g.name);
        }
    }
    names
}

/// The CSV text: a header, then one row per cartridge. Per-pass coverage gets one column per
/// pass (`coverage_pass_1`, …); empty cells mean "none" (no gap, target not reached). A face
/// session adds three columns per treated region, named as the sweep's:
/// `regions.NAME.coverage`, `regions.NAME.mean_coverage_per_pass`, `regions.NAME.density_per_cm2`.
pub fn csv(rows: &[CompareRow]) -> String {
    let passes = rows.iter().map(|r| r.coverage_per_pass.len()).max().unwrap_or(0);
    let regions = region_names(rows);
    let mut out = String::from("cartridge,needles,min_spacing_mm,footprint_diameter_mm,fill_fraction,mean_coverage_per_pass");
    for p in 1..=passes {
        let _ = write!(out, ",coverage_pass_{p}");
    }
    out.push_str(",coverage,hits_0,hits_1,hits_2,hits_3,hits_4_or_more,density_per_cm2,uniformity_cv,largest_gap_mm,time_to_target_s,path_time_s,aliasing");
    for g in &regions {
        let _ = write!(out, ",regions.{g}.coverage,regions.{g}.mean_coverage_per_pass,regions.{g}.density_per_cm2");
    }
    out.push('\n');
    for r in rows {
        let _ = write!(
            out,
            "{},{},{},{:.6},{:.6},{:.6}",
            r.cartridge.replace(',', ";"),
            r.layout.needles,
            opt(r.layout.min_spacing_mm),
            r.layout.footprint_diameter_mm,
            r.layout.fill_fraction,
            r.mean_coverage_per_pass
        );
        for p in 0..passes {
            let _ = write!(out, ",{}", opt(r.coverage_per_pass.get(p).copied()));
        }
        let _ = write!(out, ",{:.6}", r.coverage);
        for h in r.hits_histogram {
            let _ = write!(out, ",{h:.6}");
        }
        let _ = write!(
            out,
            ",{:.3},{},{},{},{:.3},{}",
            r.density_per_cm2,
            opt(r.uniformity_cv),
            opt(r.largest_gap_mm),
            opt(r.time_to_target_s),
            r.path_time_s,
            r.aliasing_flagged
        );
        for name in &regions {
            match r.regions.iter().find(|g| g.name == *name) {
                Some(g) => {
                    let _ = write!(out, ",{:.6},{:.6},{:.3}", g.coverage, g.mean_coverage_per_pass, g.density_per_cm2);
                }
                None => out.push_str(",,,"),
            }
        }
        out.push('\n');
    }
    out
}

/// The JSON document: the scenario, the target and every row.
pub fn json(scenario: &str, target: f64, rows: &[CompareRow]) -> String {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut row = json!({
                "cartridge": r.cartridge,
                "layout": facts_json(&r.layout),
                "coverage_per_pass": r.coverage_per_pass,
                "mean_coverage_per_pass": r.mean_coverage_per_pass,
                "coverage": r.coverage,
                "hits_histogram": r.hits_histogram,
                "density_per_cm2": r.density_per_cm2,
                "uniformity_cv": r.uniformity_cv,
                "largest_gap_mm": r.largest_gap_mm,
                "time_to_target_s": r.time_to_target_s,
                "path_time_s": r.path_time_s,
                "aliasing": r.aliasing_flagged,
                "warnings": r.warnings,
            });
            if !r.regions.is_empty() {
                let regions: serde_json::Map<String, serde_json::Value> = r
                    .regions
                    .iter()
                    .map(|g| {
                        let v = json!({
                            "coverage": g.coverage,
                            "mean_coverage_per_pass": g.mean_coverage_per_pass,
                            "density_per_cm2": g.density_per_cm2,
                        });
                        (g.name.clone(), v)
                    })
                    .collect();
                row["regions"] = serde_json::Value::Object(regions);
            }
            row
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "scenario": scenario, "target_coverage": target, "cartridges": rows }))
        .expect("JSON of plain values")
        + "\n"
}

/// The bar panels: coverage per pass, overlap histogram, density CV, largest gap, time to
/// target, cumulative coverage.
pub fn png(title: &str, target: f64, rows: &[CompareRow]) -> Result<Vec<u8>> {
    let cats: Vec<String> = rows.iter().map(|r| r.cartridge.clone()).collect();
    let passes = rows.iter().map(|r| r.coverage_per_pass.len()).max().unwrap_or(0);
    let pct = |v: f64| 100.0 * v;
    let one = |name: &str, f: &dyn Fn(&CompareRow) -> f64| vec![(name.to_owned(), rows.iter().map(f).collect::<Vec<f64>>())];
    let panels = vec![
        BarPanel {
            title: "coverage per pass (each pass alone)".into(),
            y_label: "% of area".into(),
            categories: cats.clone(),
            series: (0..passes)
                .map(|p| {
                    (format!("pass {}", p + 1), rows.iter().map(|r| r.coverage_per_pass.get(p).map_or(f64::NAN, |v| pct(*v))).collect())
                })
                .collect(),
        },
        BarPanel {
            title: "overlap: area hit k times".into(),
            y_label: "% of area".into(),
            categories: cats.clone(),
            series: ["0", "1", "2", "3", "≥4"]
                .iter()
                .enumerate()
                .map(|(k, n)| (format!("{n} hits"), rows.iter().map(|r| pct(r.hits_histogram[k])).collect()))
                .collect(),
        },
        BarPanel {
            title: "density CV (1 mm bins)".into(),
            y_label: "CV".into(),
            categories: cats.clone(),
            series: one("CV", &|r| r.uniformity_cv.unwrap_or(f64::NAN)),
        },
        BarPanel {
            title: "largest untreated gap".into(),
            y_label: "diameter (mm)".into(),
            categories: cats.clone(),
            series: one("gap", &|r| r.largest_gap_mm.unwrap_or(f64::NAN)),
        },
        BarPanel {
            title: format!("time to {:.0} % coverage (no bar: not reached)", pct(target)),
            y_label: "s".into(),
            categories: cats.clone(),
            series: one("time", &|r| r.time_to_target_s.unwrap_or(f64::NAN)),
        },
        BarPanel {
            title: "cumulative coverage".into(),
            y_label: "% of area".into(),
            categories: cats,
            series: one("coverage", &|r| pct(r.coverage)),
        },
    ];
    bar_panels(title, &panels, 2, (1200, 1200))
}

/// Write compare.csv, compare.json and compare.png into `dir` atomically.
pub fn write(dir: &Path, scenario: &str, target: f64, rows: &[CompareRow]) -> Result<PathBuf> {
    let staged = StagedDir::new(dir)?;
    let write = |name: &str, bytes: &[u8]| {
        let p = staged.path(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    write(COMPARE_CSV, csv(rows).as_bytes())?;
    write(COMPARE_JSON, json(scenario, target, rows).as_bytes())?;
    write(COMPARE_PNG, &png(&format!("{scenario}: cartridges on the same technique"), target, rows)?)?;
    staged.commit()
}
