//! `report.html` for people: warnings, the pictures first, a region table that fits the page
//! (display names, a few figures with units in the headers), then the engineer's tables and
//! the scenario, as a [`crate::render::report::Report`]. Everything is read from the
//! summary.json value, so keys added later show up in `regions.csv` (the full per-region
//! table, written beside the report and embedded as a download) without changes here.
//! Percentages follow one rule ([`percent_number`]): one decimal, the unit in the header.

use serde_json::Value;

use crate::face::names::display_name;
use crate::render::figure::{percent, percent_number};
use crate::render::report::{Block, Report, Table};
use crate::render::run_pictures::Picture;

/// Keys of `regions.<name>` first in regions.csv, in this order, when present; the rest follow
/// sorted.
const REGION_KEYS: [&str; 8] =
    ["area_mm2", "coverage", "density_per_cm2", "mean_hits", "max_hits", "uniformity_cv", "over_pass_limit_fraction", "punctures"];

/// Percentages for people: the one rule ([`percent_number`]), without the unit (the header
/// carries it).
fn pct(v: &Value) -> String {
    v.as_f64().map_or("–".into(), percent_number)
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

/// Whole punctures per cm² (the per-region pictures print the same).
fn per_cm2(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |f| format!("{f:.0}"))
}

/// mm² as cm², one decimal.
fn cm2(v: &Value) -> String {
    v.as_f64().map_or("–".into(), |f| format!("{:.1}", f / 100.0))
}

fn row(label: &str, value: String) -> Vec<String> {
    vec![label.to_string(), value]
}

/// Every value of one region for regions.csv: numbers, booleans and strings as they are,
/// lists joined with `;`, one level of nested objects flattened as `outer.inner`.
fn flat_values(obj: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    fn cell(v: &Value) -> Option<String> {
        match v {
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Null => Some(String::new()),
            Value::Array(a) => Some(a.iter().filter_map(cell).collect::<Vec<_>>().join(";")),
            Value::Object(_) => None,
        }
    }
    let mut out = Vec::new();
    for (k, v) in obj {
        match v {
            Value::Object(inner) => out.extend(inner.iter().filter_map(|(k2, v2)| Some((format!("{k}.{k2}"), cell(v2)?)))),
            other => out.extend(cell(other).map(|c| (k.clone(), c))),
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The full per-region table of `summary.regions` as CSV (`regions.csv` beside the report):
/// one row per region in the summary's order, columns `region` (the key), `name` (the
/// display name), then every figure of `regions.<key>` (the [`REGION_KEYS`] first, the rest
/// sorted). Columns follow summary.json's keys, which are only ever added.
pub fn regions_csv(summary: &Value) -> Option<String> {
    let regions = summary.get("regions")?.as_object()?;
    if regions.is_empty() {
        return None;
    }
    let per: Vec<(&String, Vec<(String, String)>)> =
        regions.iter().map(|(name, v)| (name, v.as_object().map(flat_values).unwrap_or_default())).collect();
    let mut columns: Vec<String> =
        REGION_KEYS.iter().filter(|k| per.iter().any(|(_, s)| s.iter().any(|(n, _)| n == *k))).map(|k| k.to_string()).collect();
    let mut rest: Vec<String> = per.iter().flat_map(|(_, s)| s.iter().map(|(n, _)| n.clone())).filter(|n| !columns.contains(n)).collect();
    rest.sort();
    rest.dedup();
    columns.extend(rest);
    let mut out = String::from("region,name");
    for c in &columns {
        out.push(',');
        out.push_str(&csv_field(c));
    }
    out.push('\n');
    for (key, s) in &per {
        out.push_str(&csv_field(key));
        out.push(',');
        out.push_str(&csv_field(&display_name(key)));
        for c in &columns {
            out.push(',');
            out.push_str(&csv_field(s.iter().find(|(n, _)| n == c).map_or("", |(_, v)| v.as_str())));
        }
        out.push('\n');
    }
    Some(out)
}

/// One column of the people's region table: header (with unit), the key path in
/// `regions.<name>`, and how a value is shown.
type Column = (&'static str, &'static str, fn(&Value) -> String);

/// The people's region table's columns, shown when any region has the figure.
const REGION_COLUMNS: [Column; 9] = [
    ("Area (cm²)", "area_mm2", cm2),
    ("Coverage (%)", "coverage", pct),
    ("Treated zone (%)", "treated_zone.coverage", pct),
    ("Density (punctures / cm²)", "density_per_cm2", per_cm2),
    ("Passes", "passes", num),
    ("Area over the pass limit (%)", "over_pass_limit_fraction", pct),
    ("Reached the dermis (%)", "layers.dermis", pct),
    ("Dose (µL)", "dose_ul", num),
    ("Time (s)", "path_time_s", num),
];

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k)).filter(|v| !v.is_null())
}

/// The region table people read (a few figures with units, display names, set depths), one
/// row per region of `summary.regions`, and the regions' keys; `None` without regions. The
/// full table is [`regions_csv`].
pub fn regions_table(summary: &Value) -> Option<(Table, Vec<String>)> {
    let regions = summary.get("regions")?.as_object()?;
    if regions.is_empty() {
        return None;
    }
    let columns: Vec<&Column> = REGION_COLUMNS.iter().filter(|(_, path, _)| regions.values().any(|r| lookup(r, path).is_some())).collect();
    let has_depths = regions.values().any(|r| r.get("depths_mm").is_some());
    let mut header = vec!["Region".to_string()];
    if has_depths {
        header.push("Set depth (mm)".into());
    }
    header.extend(columns.iter().map(|c| c.0.to_string()));
    let rows = regions
        .iter()
        .map(|(key, r)| {
            let mut row = vec![display_name(key).into_owned()];
            if has_depths {
                let treated = r.get("treated").and_then(Value::as_bool) != Some(false);
                let depths: Vec<String> =
                    r.get("depths_mm").and_then(Value::as_array).map(|a| a.iter().map(num).collect()).unwrap_or_default();
                row.push(if !treated || depths.is_empty() { "untreated".into() } else { depths.join(" / ") });
            }
            row.extend(columns.iter().map(|(_, path, show)| lookup(r, path).map_or("–".into(), show)));
            row
        })
        .collect();
    let table = Table { caption: "Per region (the full table: regions.csv)".into(), header, rows };
    Some((table, regions.keys().cloned().collect()))
}

/// The run report: the pictures first (per-region pictures, heatmap, …), then the region
/// table, then the engineer's tables and the scenario.
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
         Hole coverage {} of the area, {} punctures/cm². Every image below is embedded in this file, which works offline.",
        num(&s("needles")),
        num(&s("needle_diameter_mm")),
        num(&tk("frequency_hz")),
        num(&tk("pattern")),
        num(&tk("speed_mm_s")),
        num(&s("passes")),
        tk("directions_deg").as_array().map(|a| a.iter().map(num).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
        num(&s("seed")),
        s("coverage").as_f64().map_or("–".into(), percent),
        per_cm2(&s("density_per_cm2")),
    )));
    r.push(Block::Heading("Warnings".into()));
    let warnings: Vec<String> =
        s("warnings").as_array().map(|a| a.iter().map(|w| w.as_str().unwrap_or("").to_string()).collect()).unwrap_or_default();
    r.push(Block::Warnings(warnings));

    r.push(Block::Heading("Pictures".into()));
    for p in pictures.iter().filter(|p| p.in_report) {
        r.push(Block::Image { caption: p.caption.clone(), mime: p.mime.into(), bytes: p.bytes.clone() });
    }

    if let Some((table, row_keys)) = regions_table(summary) {
        r.push(Block::Heading("Regions".into()));
        r.push(Block::KeyedTable { table, row_keys });
        if let Some(csv) = regions_csv(summary) {
            r.push(Block::Download {
                text: "Download the full per-region table (regions.csv, also written beside this report)".into(),
                file_name: super::REGIONS_CSV.into(),
                mime: "text/csv".into(),
                bytes: csv.into_bytes(),
            });
        }
    }

    r.push(Block::Heading("Details for engineers".into()));
    let mut rows = vec![row("Hole coverage, needle footprint (%)", pct(&s("coverage")))];
    if let Some(z) = summary.get("treated_zone").filter(|z| !z.is_null()) {
        rows.push(row(&format!("Treated-zone coverage, halo {} mm (%)", num(&z["halo_mm"])), pct(&z["coverage"])));
    }
    rows.extend([
        row("Density (punctures / cm²)", per_cm2(&s("density_per_cm2"))),
        row("Density per pass (punctures / cm²)", per_cm2(&s("density_per_pass_per_cm2"))),
        row("Uniformity, CV over 1 mm bins", num(&s("uniformity_cv"))),
        row("Mean hits per spot", num(&s("mean_hits"))),
        row("Most hits on one spot", num(&s("max_hits"))),
        row("Area punctured on more than 4 passes (%)", pct(&s("over_pass_limit_fraction"))),
        row("Punctures", num(&s("punctures"))),
        row("Stamps", num(&s("stamps"))),
        row("Punctures outside the area", num(&s("punctures_outside_area"))),
        row("Area (cm²)", cm2(&s("area_mm2"))),
        row("Path time (s)", num(&s("path_time_s"))),
    ]);
    r.push(Block::Table(Table { caption: "Whole run".into(), header: vec!["Figure".into(), "Value".into()], rows }));

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
        header: ["Pass", "Direction (°)", "Lane spacing (mm)", "Stamps", "Coverage alone (%)", "Coverage so far (%)"]
            .map(String::from)
            .to_vec(),
        rows,
    }));
    let hist = s("hits_histogram");
    r.push(Block::Table(Table {
        caption: "Hits per spot (% of the area)".into(),
        header: ["0", "1", "2", "3", "≥ 4"].map(String::from).to_vec(),
        rows: vec![(0..5).map(|k| pct(&hist[k])).collect()],
    }));

    r.push(Block::Heading("Scenario".into()));
    r.push(Block::Preformatted { caption: "The resolved scenario (with overrides applied)".into(), text: scenario_toml.into() });
    r.push(Block::Paragraph(format!("needlesim {}", num(&s("needlesim_version")))));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_table_shows_display_names_units_and_the_csv_every_key() {
        let v: Value = serde_json::from_str(
            r#"{"regions": {"forehead": {"coverage": 0.25, "area_mm2": 3000, "layers": {"dermis": 0.5}, "depths_mm": [0.5], "warnings": ["a, \"b\""]},
                            "cheek_left": {"coverage": 0.12345, "area_mm2": 2000.5, "treated": false, "depths_mm": []}}}"#,
        )
        .unwrap();
        let (t, keys) = regions_table(&v).unwrap();
        assert_eq!(t.header, vec!["Region", "Set depth (mm)", "Area (cm²)", "Coverage (%)", "Reached the dermis (%)"]);
        assert_eq!(keys, vec!["cheek_left", "forehead"]);
        assert_eq!(t.rows[0], ["cheek (left)", "untreated", "20.0", "12.3", "–"].map(String::from));
        assert_eq!(t.rows[1], ["forehead", "0.5", "30.0", "25.0", "50.0"].map(String::from));
        let csv = regions_csv(&v).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "region,name,area_mm2,coverage,depths_mm,layers.dermis,treated,warnings");
        assert_eq!(lines[1], "cheek_left,cheek (left),2000.5,0.12345,,,false,");
        assert_eq!(lines[2], "forehead,forehead,3000,0.25,0.5,0.5,,\"a, \"\"b\"\"\"");
        assert!(regions_table(&serde_json::json!({"coverage": 0.1})).is_none());
        assert!(regions_csv(&serde_json::json!({"regions": {}})).is_none());
    }
}
