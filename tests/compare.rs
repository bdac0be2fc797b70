//! `needlesim compare`: rows agree with `run`, a cartridge compared with itself gives
//! identical rows, and bad specs are refused.

mod common;

use common::{SMALL, assert_refusals, run_in};

fn write_small(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("small.toml");
    std::fs::write(&p, SMALL).unwrap();
    p
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

#[test]
fn a_cartridge_compared_with_itself_gives_identical_rows_that_match_run() {
    let dir = tempfile::tempdir().unwrap();
    write_small(dir.path());
    let o = run_in(dir.path(), &["compare", "small.toml", "--cartridges", "12,12,square:12:1,hex:7:0.8", "--out", "cmp"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.path().join("cmp/compare.csv")).unwrap();
    let r = rows(&csv);
    assert_eq!(r.len(), 5, "{csv}");
    // Same cartridge, three spellings: every figure identical.
    assert_eq!(r[1][1..], r[2][1..], "{csv}");
    assert_eq!(r[1][1..], r[3][1..], "{csv}");
    assert_ne!(r[1][1..], r[4][1..], "{csv}");
    for f in ["compare.json", "compare.png"] {
        assert!(dir.path().join("cmp").join(f).exists(), "{f}");
    }
    // The row of preset 12 carries the figures `run` reports for the same scenario.
    let o = run_in(dir.path(), &["run", "small.toml", "--out", "run"]);
    assert!(o.status.success());
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/summary.json")).unwrap()).unwrap();
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("cmp/compare.json")).unwrap()).unwrap();
    let row = &j["cartridges"][0];
    for k in ["coverage_per_pass", "coverage", "hits_histogram", "density_per_cm2", "uniformity_cv", "path_time_s"] {
        assert_eq!(row[k], s[k], "{k}");
    }
    assert!(row["largest_gap_mm"].as_f64().unwrap() > 0.0);
    // Time to 25 %: within the session's path time.
    let t = row["time_to_target_s"].as_f64().unwrap();
    assert!(t > 0.0 && t <= s["path_time_s"].as_f64().unwrap(), "{t}");
}

#[test]
fn compare_refuses_bad_specs_and_targets() {
    let dir = tempfile::tempdir().unwrap();
    write_small(dir.path());
    std::fs::write(dir.path().join("bad.csv"), "x_mm,y_mm\n0,0\n0.1,0\n").unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--cartridges", "12,dermapen"], &["--cartridges", "dermapen", "dermapen-2012"]),
        (&["--cartridges", "tri:7:1"], &["layout", "tri:7:1", "square, hex"]),
        (&["--cartridges", "7"], &["cartridge.preset", "9, 12, 16, 20"]),
        (&["--cartridges", "bad.csv"], &["bad.csv", "lines 2 and 3", "overlap"]),
        (&["--cartridges", "12", "--target-coverage", "1.5"], &["--target-coverage", "0 < target < 1"]),
    ];
    assert_refusals(dir.path(), "compare", "cmp", cases);
}
