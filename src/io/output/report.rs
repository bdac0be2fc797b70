//! `report.html`: the run's summary (read from the summary.json value, so keys added later,
//! such as `regions.<name>`, show up without changes here), warnings, pictures and scenario,
//! as a [`crate::render::report::Report`].

use serde_json::Value;

use crate::render::report::{Block, Report, Table};
use crate::render::run_pictures::Picture;

/// Keys shown first in the per-region table, in this order, when present.
const REGION_KEYS: [&str; 8] =
    ["area_mm2", "coverage", "density_per_cm2", "mean_hits", "max_hits", "uniformity_cv", "over_pass_limit_fraction", "punctures"];
/// Most columns in the per-region table.
const MAX_REGION_COLUMNS: usize = 14;

fn pct(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |f| format!("{:.1} %", 100.0 * f))
}

fn num(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let s = if f.abs() >= 100.0 {
                format!("{f:.0}")
            } else if f.abs() >= 1.0 {
                format!("{f:.2}")
            } else {
                format!("{f:.4}")
            };
            // 0.1800 → 0.18, 90.00 → 90.
            if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
        }
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Percent for fractions (by key name), plain number otherwise.
fn by_key(key: &str, v: &Value) -> String {
    if key.contains("coverage") || key.contains("fraction") { pct(v) } else { num(v) }
}

fn row(label: &str, value: String) -> Vec<String> {
    vec![label.to_string(), value]
}

/// Scalar numbers of an object, one level of nested objects flattened as `outer.inner`.
fn scalars(obj: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, v) in obj {
        match v {
            Value::Number(_) => out.push((k.clone(), v.clone())),
            Value::Object(inner) => {
                for (k2, v2) in inner {
                    if v2.is_number() {
                        out.push((format!("{k}.{k2}"), v2.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The per-region table of `summary.regions` (an object of region name → figures), if any.
pub fn regions_table(summary: &Value) -> Option<Table> {
    let regions = summary.get("regions")?.as_object()?;
    if regions.is_empty() {
        return None;
    }
    let per: Vec<(String, Vec<(String, Value)>)> =
        regions.iter().map(|(name, v)| (name.clone(), v.as_object().map(scalars).unwrap_or_default())).collect();
    let mut columns: Vec<String> =
        REGION_KEYS.iter().filter(|k| per.iter().any(|(_, s)| s.iter().any(|(n, _)| n == *k))).map(|k| k.to_string()).collect();
    let mut rest: Vec<String> = per.iter().flat_map(|(_, s)| s.iter().map(|(n, _)| n.clone())).filter(|n| !columns.contains(n)).collect();
    rest.sort();
    rest.dedup();
    columns.extend(rest);
    columns.truncate(MAX_REGION_COLUMNS);
    let rows = per
        .iter()
        .map(|(name, s)| {
            let mut r = vec![name.clone()];
            r.extend(columns.iter().map(|c| s.iter().find(|(n, _)| n == c).map_or("–".into(), |(_, v)| by_key(c, v))));
            r
        })
        .collect();
    let mut header = vec!["region".to_string()];
    header.extend(columns);
    Some(Table { caption: "Per region".into(), header, rows })
}

/// The run report.
pub fn run_report(summary: &Value, scenario_toml: &str, pictures: &[Picture]) -> Report {
    let s = |k: &str| summary.get(k).cloned().unwrap_or(Value::Null);
    let name = s("scenario").as_str().unwrap_or("").to_string();
    let mut r = Report::new(format!("needlesim report: {name}"));
    let t = s("technique");
    let tk = |k: &str| t.get(k).cloned().unwrap_or(Value::Null);
    // A face session sets a depth per treatment: the header gives the range over the treated
    // regions (summary.json `regions.<name>.depths_mm`), not the cartridge's default.
    let region_depths: Vec<f64> = summary
        .get("regions")
        .and_then(Value::as_object)
        .map(|r| r.values().filter_map(|v| v.get("depths_mm")?.as_array().cloned()).flatten().filter_map(|d| d.as_f64()).collect())
        .unwrap_or_default();
    let depth = match region_depths.iter().copied().reduce(f64::min).zip(region_depths.iter().copied().reduce(f64::max)) {
        Some((lo, hi)) if lo < hi => format!("set depths of {}–{} mm by region", num(&Value::from(lo)), num(&Value::from(hi))),
        Some((lo, _)) => format!("a set depth of {} mm", num(&Value::from(lo))),
        None => format!("a set depth of {} mm", num(&s("depth_mm"))),
    };
    r.push(Block::Paragraph(format!(
        "{} needles of {} mm at {depth}, {} Hz; {} pattern at {} mm/s, {} passes (directions {}°); seed {}. \
         Every image below is embedded in this file, which works offline.",
        num(&s("needles")),
        num(&s("needle_diameter_mm")),
        num(&tk("frequency_hz")),
        num(&tk("pattern")),
        num(&tk("speed_mm_s")),
        num(&s("passes")),
        tk("directions_deg").as_array().map(|a| a.iter().map(num).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
        num(&s("seed")),
    )));
    r.push(Block::Heading("Warnings".into()));
    let warnings: Vec<String> =
        s("warnings").as_array().map(|a| a.iter().map(|w| w.as_str().unwrap_or("").to_string()).collect()).unwrap_or_default();
    r.push(Block::Warnings(warnings));

    r.push(Block::Heading("Summary".into()));
    let mut rows = vec![row("hole coverage (needle footprint)", pct(&s("coverage")))];
    if let Some(z) = summary.get("treated_zone").filter(|z| !z.is_null()) {
        rows.push(row(&format!("treated-zone coverage (halo {} mm)", num(&z["halo_mm"])), pct(&z["coverage"])));
    }
    rows.extend([
        row("density, punctures / cm²", num(&s("density_per_cm2"))),
        row("density per pass, punctures / cm²", num(&s("density_per_pass_per_cm2"))),
        row("uniformity CV (1 mm bins)", num(&s("uniformity_cv"))),
        row("mean hits per spot", num(&s("mean_hits"))),
        row("most hits on one spot", num(&s("max_hits"))),
        row("area punctured on more than 4 passes", pct(&s("over_pass_limit_fraction"))),
        row("punctures", num(&s("punctures"))),
        row("stamps", num(&s("stamps"))),
        row("punctures outside the area", num(&s("punctures_outside_area"))),
        row("area, mm²", num(&s("area_mm2"))),
        row("path time, s", num(&s("path_time_s"))),
    ]);
    r.push(Block::Table(Table { caption: "Whole run".into(), header: vec!["figure".into(), "value".into()], rows }));

    let per_pass = s("coverage_per_pass");
    let cumulative = s("coverage_cumulative");
    let stamps = s("stamps_per_pass");
    let passes = per_pass.as_array().map_or(0, |a| a.len());
    let rows = (0..passes)
        .map(|k| {
            vec![
                (k + 1).to_string(),
                num(&tk("directions_deg")[k]),
                num(&tk("lane_spacing_mm")[k]),
                num(&stamps[k]),
                pct(&per_pass[k]),
                pct(&cumulative[k]),
            ]
        })
        .collect();
    r.push(Block::Table(Table {
        caption: "Passes".into(),
        header: ["pass", "direction (°)", "lane spacing (mm)", "stamps", "coverage alone", "coverage so far"].map(String::from).to_vec(),
        rows,
    }));
    let hist = s("hits_histogram");
    r.push(Block::Table(Table {
        caption: "Hits per spot (fraction of the area)".into(),
        header: ["0", "1", "2", "3", "≥ 4"].map(String::from).to_vec(),
        rows: vec![(0..5).map(|k| pct(&hist[k])).collect()],
    }));
    if let Some(t) = regions_table(summary) {
        r.push(Block::Heading("Regions".into()));
        r.push(Block::Table(t));
    }

    r.push(Block::Heading("Pictures".into()));
    for p in pictures.iter().filter(|p| p.in_report) {
        r.push(Block::Image { caption: p.caption.clone(), mime: p.mime.into(), bytes: p.bytes.clone() });
    }
    r.push(Block::Heading("Scenario".into()));
    r.push(Block::Preformatted { caption: "The resolved scenario (with overrides applied)".into(), text: scenario_toml.into() });
    r.push(Block::Paragraph(format!("needlesim {}", num(&s("needlesim_version")))));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_table_lists_every_region_with_known_keys_first() {
        let v: Value = serde_json::from_str(
            r#"{"regions": {"forehead": {"coverage": 0.25, "area_mm2": 3000, "layers": {"dermis": 0.5}, "warnings": []},
                            "cheek_l": {"coverage": 0.5, "area_mm2": 2000.5}}}"#,
        )
        .unwrap();
        let t = regions_table(&v).unwrap();
        assert_eq!(t.header, vec!["region", "area_mm2", "coverage", "layers.dermis"]);
        assert_eq!(t.rows.len(), 2);
        let forehead = t.rows.iter().find(|r| r[0] == "forehead").unwrap();
        assert_eq!(forehead[1..], ["3000", "25.0 %", "0.5"].map(String::from));
        let cheek = t.rows.iter().find(|r| r[0] == "cheek_l").unwrap();
        assert_eq!(cheek[3], "–");
        assert!(regions_table(&serde_json::json!({"coverage": 0.1})).is_none());
    }
}
