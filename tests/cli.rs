//! End-to-end: the `run` and `coverage` commands, their files, determinism and bad input.

mod common;

use common::{SMALL, bin, check, root, run_in};

#[test]
fn run_writes_the_contract_files_and_keys() {
    let (_dir, out, summary) = check(SMALL, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = summary.unwrap();
    for key in [
        "scenario",
        "seed",
        "stamps",
        "punctures",
        "area_mm2",
        "coverage",
        "coverage_per_pass",
        "coverage_cumulative",
        "hits_histogram",
        "density_per_cm2",
        "uniformity_cv",
        "warnings",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(s["scenario"], "small");
    assert_eq!(s["area_mm2"].as_f64().unwrap(), 80.0);
    let stamps = s["stamps"].as_u64().unwrap();
    assert_eq!(s["punctures"].as_u64().unwrap(), 12 * stamps);
    let h: f64 = s["hits_histogram"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum();
    assert!((h - 1.0).abs() < 1e-9);
    assert_eq!(s["coverage_per_pass"].as_array().unwrap().len(), 3);
}

#[test]
fn punctures_csv_has_header_and_one_row_per_puncture() {
    let (dir, out, summary) = check(SMALL, &[]);
    assert!(out.status.success());
    let csv = std::fs::read_to_string(dir.path().join("out/punctures.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("pass,stamp,needle,x_mm,y_mm,depth_mm"));
    assert_eq!(lines.count() as u64, summary.unwrap()["punctures"].as_u64().unwrap());
    let png = std::fs::read(dir.path().join("out/heatmap.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

/// `coverage` on the punctures a run exported measures the run's own cumulative coverage.
#[test]
fn coverage_command_agrees_with_run() {
    let (dir, out, summary) = check(SMALL, &[]);
    assert!(out.status.success());
    let csv = dir.path().join("out/punctures.csv");
    let o = run_in(dir.path(), &["coverage", csv.to_str().unwrap(), "--diameter-mm", "0.18", "--rect", "0,0,10,8"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = summary.unwrap();
    assert_eq!(v["area_mm2"].as_f64().unwrap(), 80.0);
    // The CSV rounds positions to 1 nm: a handful of rim cells may flip.
    assert!((v["coverage"].as_f64().unwrap() - s["coverage"].as_f64().unwrap()).abs() < 1e-4);
    for k in 0..5 {
        assert!((v["hits_histogram"][k].as_f64().unwrap() - s["hits_histogram"][k].as_f64().unwrap()).abs() < 1e-4);
    }
}

#[test]
fn outputs_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/default.toml");
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "patch.width_mm=15"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(out);
    }
    for f in ["summary.json", "punctures.csv", "heatmap.png", "scenario.toml"] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        let b = std::fs::read(outs[1].join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn set_overrides_change_the_run() {
    let (_d, out, s) = check(SMALL, &["--set", "cartridge.depth_mm=1.5", "--set", "technique.directions_deg=[0]"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    assert_eq!(s["depth_mm"].as_f64(), Some(1.5));
    assert_eq!(s["passes"].as_u64(), Some(1));
}

#[test]
fn more_than_four_passes_is_a_warning_not_an_error() {
    let (_d, out, s) = check(SMALL, &["--set", "technique.passes=5"]);
    assert!(out.status.success());
    let w = s.unwrap()["warnings"].to_string();
    assert!(w.contains("no more than 3–4 passes"), "{w}");
    let (_d, out, _) = check(SMALL, &["--set", "technique.passes=5", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn density_far_above_the_sources_is_a_warning_in_the_summary_and_the_report() {
    // 12 needles at 120 Hz and 40 mm/s over a ~3 mm track: ≈ 1,000 /cm² a pass.
    let (d, out, s) = check(SMALL, &["--set", "technique.passes=2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    let density = s["density_per_cm2"].as_f64().unwrap();
    assert!(density > 1200.0, "{density}");
    let w: Vec<&str> = s["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let far = w.iter().find(|w| w.contains("far above the sources' 250–300 /cm²")).unwrap_or_else(|| panic!("{w:?}"));
    assert!(far.starts_with(&format!("the patch: {density:.0} punctures/cm²")), "{far}");
    let html = std::fs::read_to_string(d.path().join("out/report.html")).unwrap();
    assert!(!html.contains("No warnings.") && html.contains("far above the sources"));
    // Fast enough for the band: no such warning.
    let (_d, out, s) = check(SMALL, &["--set", "technique.passes=1", "--set", "technique.speed_mm_s=400"]);
    assert!(out.status.success());
    let s = s.unwrap();
    assert!(s["density_per_cm2"].as_f64().unwrap() < 1200.0);
    assert!(!s["warnings"].to_string().contains("far above"), "{}", s["warnings"]);
}

/// Each bad input: exit 2, a message naming the key or line and what is allowed, and no
/// output directory left behind.
#[test]
fn bad_input_is_refused_clearly() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        ("TOML syntax error", "name = \"x\"\n[cartridge\n", &[], &["scenario.toml", "line 2"]),
        ("unknown key", &SMALL.replace("depth_mm = 1.0", "depth_mm = 1.0\ndepht_mm = 2"), &[], &["depht_mm"]),
        ("wrong type", &SMALL.replace("speed_mm_s = 40", "speed_mm_s = \"fast\""), &[], &["speed_mm_s"]),
        ("negative speed", SMALL, &["--set", "technique.speed_mm_s=-3"], &["technique.speed_mm_s", "-3", "0 < speed"]),
        ("NaN depth", SMALL, &["--set", "cartridge.depth_mm=nan"], &["cartridge.depth_mm", "NaN"]),
        ("infinite width", SMALL, &["--set", "patch.width_mm=inf"], &["patch.width_mm", "inf"]),
        ("depth beyond device", SMALL, &["--set", "cartridge.depth_mm=2.5"], &["cartridge.depth_mm", "2.5", "0.4–2"]),
        ("zero needles", &SMALL.replace("preset = 12", "needles_mm = []"), &[], &["cartridge.needles_mm", "at least 1"]),
        ("unknown preset", SMALL, &["--set", "cartridge.preset=7"], &["cartridge.preset", "7", "9, 12, 16, 20"]),
        ("zero-area patch", SMALL, &["--set", "patch.height_mm=0"], &["patch.height_mm", "0 < size"]),
        ("needles touching", &SMALL.replace("preset = 12", "needles_mm = [[0, 0], [0.1, 0]]"), &[], &["needles_mm[0] and [1]"]),
        ("grid too large", SMALL, &["--set", "grid.resolution_mm=0.0001", "--set", "limits.max_cells=1e8"], &["cells", "limits.max_cells"]),
        ("memory too large", SMALL, &["--set", "limits.max_memory_mb=0.5"], &["MB", "limits.max_memory_mb"]),
        ("bad --set", SMALL, &["--set", "novalue"], &["--set", "KEY=VALUE"]),
        ("unknown --set key", SMALL, &["--set", "technique.sped_mm_s=3"], &["sped_mm_s"]),
    ];
    for (what, scenario, extra, needles) in cases {
        let (dir, out, _) = check(scenario, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: exit {:?}, stderr {err}", out.status.code());
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!dir.path().join("out").exists(), "{what}: output left behind");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{what}: stray files {leftovers:?}");
    }
}

#[test]
fn missing_files_and_bad_csv_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["run", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.toml"));

    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "\u{feff}x_mm,y_mm\r\n1,2\r\n3,oops\r\n").unwrap();
    let o = run_in(dir.path(), &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("p.csv") && err.contains("line 3") && err.contains("oops"), "{err}");

    std::fs::write(&csv, "x_mm,y_mm\n1,2\n").unwrap();
    let o = run_in(dir.path(), &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,0,5"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--rect") && err.contains("positive area"), "{err}");
}

#[test]
fn a_rerun_replaces_the_output_directory_whole() {
    let (dir, out, _) = check(SMALL, &[]);
    assert!(out.status.success());
    let scenario = dir.path().join("scenario.toml");
    let o = run_in(dir.path(), &["run", scenario.to_str().unwrap(), "--out", "out", "--set", "technique.passes=1"]);
    assert!(o.status.success());
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(s["passes"].as_u64(), Some(1));
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "staging left behind: {names:?}");
}
