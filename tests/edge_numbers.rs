//! Numbers at the edge: `nan`, `inf`, `-inf`, `1e400` (too large for a double), `-1e400` and
//! `-0` in `--set` overrides, scenario files, design matrices, trace, puncture and layout
//! CSVs (API bodies: `tests/serve_abuse.rs`), and identity and layout values at their bounds.
//! Non-finite values are refused (exit 2) naming the key or the file and line, with nothing
//! written; `-0` is zero: refused where zero is, and where zero is allowed it gives the same
//! run as `0`.

mod common;

use std::path::Path;

use common::{Run, SMALL, needlesim, write};

const NON_FINITE: [&str; 5] = ["nan", "inf", "-inf", "1e400", "-1e400"];

/// Exit 2, no panic, every needle in the message, no `out` folder.
fn refused(r: &Run, dir: &Path, what: &str, needles: &[&str]) {
    assert_eq!(r.code, 2, "{what}: exit {}\n{}", r.code, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "{what}: message lacks {n:?}:\n{}", r.stderr);
    }
    assert!(!dir.join("out").exists(), "{what}: out/ was written");
}

fn small(dir: &Path) {
    write(dir, "small.toml", SMALL);
}

fn run_set(dir: &Path, out: &str, sets: &[String]) -> Run {
    let mut args = vec!["run", "small.toml", "--out", out];
    for s in sets {
        args.extend(["--set", s.as_str()]);
    }
    needlesim(&args, dir)
}

/// The run's outputs a reader compares (scenario.toml echoes the value as given).
fn outputs(dir: &Path) -> Vec<Vec<u8>> {
    ["summary.json", "punctures.csv", "heatmap.png"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect()
}

#[test]
fn non_finite_overrides_are_refused_naming_the_key() {
    let d = tempfile::tempdir().unwrap();
    small(d.path());
    let keys = [
        "cartridge.depth_mm",
        "cartridge.pitch_mm",
        "device.frequency_hz",
        "device.rotation_deg",
        "patch.width_mm",
        "patch.x0_mm",
        "technique.speed_mm_s",
        "technique.lane_spacing_mm",
        "technique.lane_offset_mm",
        "grid.resolution_mm",
        "coverage.halo_mm",
        "seed",
        "technique.passes",
    ];
    for key in keys {
        for v in NON_FINITE {
            let r = run_set(d.path(), "out", &[format!("{key}={v}")]);
            refused(&r, d.path(), &format!("{key}={v}"), &[key]);
        }
    }
    for v in NON_FINITE {
        let r = run_set(d.path(), "out", &[format!("technique.directions_deg=[0, {v}]")]);
        refused(&r, d.path(), &format!("directions_deg {v}"), &["technique.directions_deg"]);
        let r = run_set(d.path(), "out", &[format!("cartridge.needles_mm=[[0, 0], [{v}, 1]]")]);
        refused(&r, d.path(), &format!("needles_mm {v}"), &["cartridge.needles_mm"]);
    }
}

#[test]
fn negative_zero_is_zero() {
    let d = tempfile::tempdir().unwrap();
    small(d.path());
    // Where zero is refused, so is -0, with the key.
    for key in
        ["cartridge.depth_mm", "device.frequency_hz", "patch.width_mm", "technique.speed_mm_s", "grid.resolution_mm", "cartridge.pitch_mm"]
    {
        for v in ["-0", "-0.0"] {
            let r = run_set(d.path(), "out", &[format!("{key}={v}")]);
            refused(&r, d.path(), &format!("{key}={v}"), &[key]);
        }
    }
    // Where zero is allowed, -0 gives the same run, byte for byte.
    for key in
        ["patch.x0_mm", "patch.y0_mm", "device.rotation_deg", "technique.lane_offset_mm", "technique.directions_deg", "coverage.halo_mm"]
    {
        let (zero, minus) = if key.ends_with("directions_deg") { ("[0, 90]", "[-0.0, 90]") } else { ("0", "-0.0") };
        let a = run_set(d.path(), "zero", &[format!("{key}={zero}")]);
        let b = run_set(d.path(), "minus", &[format!("{key}={minus}")]);
        assert_eq!((a.code, b.code), (0, 0), "{key}: {}{}", a.stderr, b.stderr);
        assert!(outputs(&d.path().join("zero"))[1..] == outputs(&d.path().join("minus"))[1..], "{key} = -0 and = 0 give different runs");
        // summary.json echoes the value as given (-0.0 where a direction was -0.0): equal as
        // numbers (serde_json compares floats with ==, and -0.0 == 0.0), every figure the same.
        let summary = |dir: &str| -> serde_json::Value { serde_json::from_slice(&outputs(&d.path().join(dir))[0]).unwrap() };
        assert_eq!(summary("zero"), summary("minus"), "{key}: summaries differ as numbers");
        let csv = std::fs::read_to_string(d.path().join("minus/punctures.csv")).unwrap();
        assert!(!csv.split([',', '\n']).any(|c| c == "-0"), "{key}: a -0 cell in punctures.csv");
    }
}

#[test]
fn non_finite_values_in_scenario_files_are_refused_with_the_file_and_key() {
    let d = tempfile::tempdir().unwrap();
    for v in NON_FINITE {
        let text = SMALL.replace("speed_mm_s = 40", &format!("speed_mm_s = {v}"));
        write(d.path(), "s.toml", &text);
        let r = needlesim(&["run", "s.toml", "--out", "out"], d.path());
        refused(&r, d.path(), &format!("speed_mm_s = {v}"), &["speed_mm_s"]);
    }
}

#[test]
fn design_matrices_refuse_non_finite_cells_by_line_and_take_negative_zero_as_zero() {
    let d = tempfile::tempdir().unwrap();
    let sweep = "\n[sweep]\ndesign = \"file\"\nfile = \"d.txt\"\nparameters = [{ key = \"technique.speed_mm_s\" }, { key = \"device.rotation_deg\" }]\n";
    write(d.path(), "s.toml", &format!("{SMALL}{sweep}"));
    for (k, v) in NON_FINITE.iter().chain(&["NaN", "+inf", "infinity", "-Infinity"]).enumerate() {
        for row in [format!("{v} 18"), format!("40 {v}")] {
            write(d.path(), "d.txt", &format!("# speed rotation\n40 18\n{row}\n"));
            let r = needlesim(&["sweep", "s.toml", "--out", "out"], d.path());
            refused(&r, d.path(), &format!("case {k}: {row}"), &["d.txt", "line 3", "not a finite number"]);
        }
    }
    // -0 rotation is rotation 0: the same metrics in both rows.
    write(d.path(), "d.txt", "40 0\n40 -0\n40 -0.0\n");
    let r = needlesim(&["sweep", "s.toml", "--out", "out"], d.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t =
        needlesim::study::sweep::results::parse(&std::fs::read_to_string(d.path().join("out/results.csv")).unwrap(), Path::new("r.csv"))
            .unwrap();
    let metrics = |row: &Vec<String>| row[4..].to_vec();
    assert_eq!(metrics(&t.rows[0]), metrics(&t.rows[1]));
    assert_eq!(metrics(&t.rows[0]), metrics(&t.rows[2]));
}

#[test]
fn trace_puncture_and_layout_csvs_refuse_non_finite_cells_by_line() {
    let d = tempfile::tempdir().unwrap();
    let trace_scenario = SMALL.replace("pattern = \"serpentine\"", "pattern = \"trace\"").replace("directions_deg = [0, 90, 45]", "")
        + "\n[trace]\nfile = \"t.csv\"\n";
    write(d.path(), "s.toml", &trace_scenario);
    let good = ["0.00,1.0,4.0", "0.02,1.8,4.0", "0.04,2.6,4.0", "0.06,3.4,4.0"];
    write(d.path(), "t.csv", &format!("t_s,x_mm,y_mm\n{}\n", good.join("\n")));
    let r = needlesim(&["run", "s.toml", "--out", "ok"], d.path());
    assert_eq!(r.code, 0, "the undamaged trace runs: {}", r.stderr);
    for v in NON_FINITE {
        for col in 0..3 {
            let mut rows: Vec<String> = good.iter().map(|s| s.to_string()).collect();
            let mut cells: Vec<&str> = good[2].split(',').collect();
            cells[col] = v;
            rows[2] = cells.join(",");
            write(d.path(), "t.csv", &format!("t_s,x_mm,y_mm\n{}\n", rows.join("\n")));
            let r = needlesim(&["run", "s.toml", "--out", "out"], d.path());
            refused(&r, d.path(), &format!("trace {v} in column {col}"), &["t.csv", "line 4"]);
        }
    }
    // -0 in a trace is 0.
    write(d.path(), "t.csv", &format!("t_s,x_mm,y_mm\n-0,1.0,4.0\n{}\n", good[1..].join("\n")));
    let r = needlesim(&["run", "s.toml", "--out", "minus"], d.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(outputs(&d.path().join("ok")) == outputs(&d.path().join("minus")));

    // `coverage` over a punctures CSV, and its numeric options.
    for v in NON_FINITE {
        write(d.path(), "p.csv", &format!("x_mm,y_mm\n1,1\n{v},2\n"));
        let r = needlesim(&["coverage", "p.csv", "--diameter-mm", "0.2", "--rect", "0,0,5,5"], d.path());
        refused(&r, d.path(), &format!("punctures {v}"), &["p.csv", "line 3"]);
        write(d.path(), "p.csv", "x_mm,y_mm\n1,1\n");
        let r = needlesim(&["coverage", "p.csv", "--diameter-mm", v, "--rect", "0,0,5,5"], d.path());
        refused(&r, d.path(), &format!("--diameter-mm {v}"), &["diameter"]);
        let r = needlesim(&["coverage", "p.csv", "--diameter-mm", "0.2", "--rect", &format!("0,0,{v},5")], d.path());
        refused(&r, d.path(), &format!("--rect {v}"), &["rect"]);
    }

    // A layout file.
    for v in NON_FINITE {
        write(d.path(), "layout.csv", &format!("x_mm,y_mm\n0,0\n{v},1\n"));
        let text = SMALL.replace("preset = 12", "layout_file = \"layout.csv\"");
        write(d.path(), "l.toml", &text);
        let r = needlesim(&["run", "l.toml", "--out", "out"], d.path());
        refused(&r, d.path(), &format!("layout {v}"), &["layout.csv", "line 3"]);
    }
}

#[test]
fn identity_and_layout_values_at_their_bounds() {
    let d = tempfile::tempdir().unwrap();
    small(d.path());
    // (override, accepted?) — at the bound accepted, one step past refused, naming the key.
    let cases: &[(&str, bool, &str)] = &[
        ("seed=0", true, "seed"),
        ("seed=9223372036854775807", true, "seed"),
        ("seed=-1", false, "seed"),
        ("seed=18446744073709551616", false, "seed"),
        ("seed=1.5", false, "seed"),
        ("name=\"\"", false, "name"),
        ("name=\".hidden\"", false, "name"),
        ("name=\"a/b\"", false, "name"),
        ("name=\"crème brûlée ✓\"", true, "name"),
        ("cartridge.pitch_mm=10", true, "pitch_mm"),
        ("cartridge.pitch_mm=10.000000001", false, "pitch_mm"),
        // The smallest positive double is a pitch > 0, refused for needles closer than their
        // diameter.
        ("cartridge.pitch_mm=5e-324", false, "at least one diameter"),
        // 1000 × 1 mm: the default picture scale once left the short side under a pixel and
        // refused the run as "more than the limit"; it now gets one pixel across.
        ("patch.width_mm=1000", true, "width_mm"),
        ("patch.width_mm=1000.0000001", false, "width_mm"),
        ("patch.x0_mm=-1000", true, "x0_mm"),
        ("patch.x0_mm=-1000.0001", false, "x0_mm"),
    ];
    for (set, accepted, key) in cases {
        let mut sets = vec![set.to_string()];
        if set.starts_with("patch.width_mm=1000") || set.starts_with("patch.x0_mm") {
            // Keep the big patch cheap: one lane.
            sets.extend(["grid.resolution_mm=0.05".into(), "patch.height_mm=1".into(), "technique.directions_deg=[0]".into()]);
        }
        let r = run_set(d.path(), "out", &sets);
        if *accepted {
            assert_eq!(r.code, 0, "{set}: {}", r.stderr);
            std::fs::remove_dir_all(d.path().join("out")).unwrap();
        } else {
            refused(&r, d.path(), set, &[key]);
        }
    }
    // Generated layouts: 1 and MAX_NEEDLES needles run, 0 and MAX_NEEDLES + 1 are refused.
    let max = needlesim::pen::layout::MAX_NEEDLES;
    for family in ["square", "hex", "rings", "ring", "jitter", "poisson"] {
        for (n, accepted) in [(1, true), (max, true), (0, false), (max + 1, false)] {
            let text = SMALL.replace("preset = 12", &format!("layout = \"{family}\"\nneedles = {n}\npitch_mm = 0.5"));
            write(d.path(), "g.toml", &text);
            let r = needlesim(
                &["run", "g.toml", "--out", "out", "--set", "technique.directions_deg=[0]", "--set", "grid.resolution_mm=0.05"],
                d.path(),
            );
            if accepted {
                assert_eq!(r.code, 0, "{family} × {n}: {}", r.stderr);
                let s: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(d.path().join("out/summary.json")).unwrap()).unwrap();
                assert_eq!(s["needles"].as_u64(), Some(n as u64), "{family} × {n}");
                std::fs::remove_dir_all(d.path().join("out")).unwrap();
            } else {
                refused(&r, d.path(), &format!("{family} × {n}"), &["cartridge.needles"]);
            }
        }
    }
}
