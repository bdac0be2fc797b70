//! Face sessions in the study commands: `compare` and `optimize` on a flat face map, checked
//! against `needlesim run` of the same face (its summary.json is the independent truth), and
//! the refusals of what they do not take (surface faces, `compare-hand` on a face, region
//! targets on a patch or naming no region).

mod common;

use std::path::Path;

use common::{bad_input, ok, read, run_in as needlesim, write};
use serde_json::Value;

/// A face session on the built-in map: two small regions, coarse grid (a run takes well under
/// a second).
const FACE: &str = r#"
name = "f"
seed = 5

[cartridge]
preset = 12
depth_mm = 0.5

[device]
frequency_hz = 120
rotation_deg = 18

[technique]
pattern = "serpentine"
speed_mm_s = 58
directions_deg = [0, 90]

[grid]
resolution_mm = 0.05

[face]
map = "default"

[[treat]]
regions = ["chin", "nose"]
depth_mm = 0.5
"#;

fn json(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// CSV text as (header, rows); no quoting in these files.
fn table(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap().split(',').map(str::to_owned).collect();
    (header, lines.map(|l| l.split(',').map(str::to_owned).collect()).collect())
}

fn cell<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    &row[i]
}

#[test]
fn face_compare_rows_equal_each_cartridge_run_alone() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    ok(&needlesim(d.path(), &["compare", "f.toml", "--cartridges", "9,16", "--out", "cmp"]));
    let doc = json(d.path().join("cmp/compare.json"));
    let rows = doc["cartridges"].as_array().unwrap();
    let (header, csv_rows) = table(&read(d.path().join("cmp/compare.csv")));
    assert_eq!(rows.len(), 2);
    let mut coverages = Vec::new();
    for (i, preset) in ["9", "16"].into_iter().enumerate() {
        let out = format!("one-{preset}");
        ok(&needlesim(d.path(), &["run", "f.toml", "--out", &out, "--set", &format!("cartridge.preset={preset}")]));
        let s = json(d.path().join(&out).join("summary.json"));
        let row = &rows[i];
        // The whole-session figures are the face summary's (over the treated regions), exactly.
        for key in ["coverage", "density_per_cm2", "path_time_s"] {
            assert_eq!(f(&row[key]), f(&s[key]), "cartridge {preset}: {key}");
        }
        assert_eq!(row["coverage_per_pass"], s["coverage_per_pass"], "cartridge {preset}");
        assert_eq!(row["uniformity_cv"], s["uniformity_cv"], "cartridge {preset}");
        assert_eq!(row["largest_gap_mm"], Value::Null, "no gap is measured on a face");
        // Each treated region's figures are the summary's region figures; untreated are absent.
        let regions = row["regions"].as_object().unwrap();
        assert_eq!(regions.keys().collect::<Vec<_>>(), ["chin", "nose"], "cartridge {preset}");
        for r in ["chin", "nose"] {
            let want = &s["regions"][r];
            assert_eq!(f(&regions[r]["coverage"]), f(&want["coverage"]), "{preset} {r}");
            assert_eq!(f(&regions[r]["density_per_cm2"]), f(&want["density_per_cm2"]), "{preset} {r}");
            let per_pass: Vec<f64> = want["coverage_per_pass"].as_array().unwrap().iter().map(f).collect();
            let mean = per_pass.iter().sum::<f64>() / per_pass.len() as f64;
            assert!((f(&regions[r]["mean_coverage_per_pass"]) - mean).abs() <= 1e-15, "{preset} {r}");
            // The CSV carries the same figures under the sweep's column names.
            let csv_row = &csv_rows[i];
            assert_eq!(cell(&header, csv_row, &format!("regions.{r}.coverage")), format!("{:.6}", f(&want["coverage"])));
        }
        assert_eq!(cell(&header, &csv_rows[i], "coverage"), format!("{:.6}", f(&s["coverage"])));
        coverages.push(f(&s["coverage"]));
    }
    assert_ne!(coverages[0], coverages[1], "the cartridges differ, so the rows test something");
}

#[test]
fn face_optimize_on_a_region_improves_deterministically_and_its_best_is_its_run() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    let args = |out: &str| {
        [
            "optimize",
            "f.toml",
            "--target",
            "regions.chin.coverage=0.3",
            "--vary",
            "device.frequency_hz=40:150",
            "--seeds",
            "1",
            "--noise",
            "none",
            "--max-evaluations",
            "8",
            "--out",
            out,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let run = |out: &str| {
        let a = args(out);
        ok(&needlesim(d.path(), &a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    run("o1");
    run("o2");
    let evals = read(d.path().join("o1/evaluations.csv"));
    assert_eq!(evals, read(d.path().join("o2/evaluations.csv")), "same scenario and seeds, same search");
    let (header, rows) = table(&evals);
    assert!(header.contains(&"regions.chin.coverage".to_owned()), "{header:?}");
    let objective = |r: &[String]| cell(&header, r, "objective").parse::<f64>().unwrap();
    let first = objective(&rows[0]);
    let best_so_far: f64 = cell(&header, rows.last().unwrap(), "best_so_far").parse().unwrap();
    assert!(best_so_far < first, "the search improves on its start: {first} → {best_so_far}\n{evals}");

    // The best setting, run alone from best.toml, has the reported figures.
    let doc = json(d.path().join("o1/optimize.json"));
    let m = &doc["best"]["metrics"];
    ok(&needlesim(d.path(), &["run", "o1/best.toml", "--out", "best"]));
    let s = json(d.path().join("best/summary.json"));
    assert_eq!(f(&m["target_metric"]), f(&s["regions"]["chin"]["coverage"]), "the region target is the chin's coverage");
    assert_eq!(f(&m["coverage"]), f(&s["coverage"]), "whole-session coverage over the treated regions");
    assert_eq!(f(&m["density_per_cm2"]), f(&s["density_per_cm2"]));
    let distance = (f(&m["target_metric"]) - 0.3).abs() / 0.3;
    let want = distance + 0.25 * f(&s["uniformity_cv"]) + {
        let h: Vec<f64> = s["hits_histogram"].as_array().unwrap().iter().map(f).collect();
        h[3] + h[4]
    };
    assert!((f(&m["objective"]) - want).abs() <= 1e-12, "J = |m − t|/t + 0.25·CV + F3: {} vs {want}", m["objective"]);
}

#[test]
fn face_optimize_on_the_whole_face_reads_the_treated_regions() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    ok(&needlesim(
        d.path(),
        &[
            "optimize",
            "f.toml",
            "--target",
            "coverage=0.5",
            "--vary",
            "technique.speed_mm_s=20:120",
            "--seeds",
            "1",
            "--noise",
            "none",
            "--max-evaluations",
            "3",
            "--out",
            "o",
        ],
    ));
    let doc = json(d.path().join("o/optimize.json"));
    ok(&needlesim(d.path(), &["run", "o/best.toml", "--out", "best"]));
    let s = json(d.path().join("best/summary.json"));
    assert_eq!(f(&doc["best"]["metrics"]["target_metric"]), f(&s["coverage"]));
}

#[test]
fn study_commands_refuse_what_they_do_not_take_up_front() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    write(d.path(), "s.toml", &FACE.replace("map = \"default\"", "surface = \"builtin\""));
    write(d.path(), "p.toml", common::SMALL);
    let vary = ["--vary", "technique.speed_mm_s=10:120", "--out", "o"];
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["compare-hand", "f.toml", "--out", "o"], vec!["needlesim compare-hand f.toml", "face scenario", "needlesim compare"]),
        (vec!["compare", "s.toml", "--cartridges", "9,12", "--out", "o"], vec!["needlesim compare s.toml", "surface", "flat map"]),
        (
            [&["optimize", "s.toml", "--target", "coverage=0.3"][..], &vary].concat(),
            vec!["needlesim optimize s.toml", "surface", "flat map"],
        ),
        (
            [&["optimize", "p.toml", "--target", "regions.chin.coverage=0.3"][..], &vary].concat(),
            vec!["--target", "regions.chin.coverage", "face scenario"],
        ),
        (
            [&["optimize", "f.toml", "--target", "regions.chinn.coverage=0.3"][..], &vary].concat(),
            vec!["chinn", "did you mean chin?", "cheek_left"],
        ),
        ([&["optimize", "f.toml", "--target", "regions.chin.depth=0.3"][..], &vary].concat(), vec!["regions.NAME.coverage"]),
    ];
    for (args, wants) in cases {
        let err = bad_input(&needlesim(d.path(), &args));
        for w in wants {
            assert!(err.contains(w), "{args:?}: {w:?} not in {err}");
        }
        assert!(!err.contains("ScenarioFile"), "{err}");
        assert!(!d.path().join("o").exists(), "{args:?} wrote nothing");
    }
}
