//! Device presets and needle layouts in scenarios: `[device] preset`, `cartridge.layout`,
//! `cartridge.layout_file`, the `presets` command, and their bad input.

mod common;

use common::{SMALL, check, run_in};

#[test]
fn presets_command_lists_every_pen_and_json_carries_sources() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["presets"]);
    assert!(o.status.success());
    let table = String::from_utf8_lossy(&o.stdout);
    for name in needlesim::pen::preset::names() {
        assert!(table.contains(name), "{name} missing from\n{table}");
    }
    let o = run_in(dir.path(), &["presets", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), needlesim::pen::preset::PRESETS.len());
    for p in list {
        for key in ["needles", "layout", "pitch_mm", "needle_diameter_mm", "frequency_hz", "frequency_range_hz", "depth_range_mm"] {
            assert!(!p[key]["source"].as_str().unwrap().is_empty(), "{} {key}", p["name"]);
        }
    }
    let o = run_in(dir.path(), &["presets", "skinpen"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("generic-36") && err.contains("did you mean \"skinpen-precision\""), "{err}");
}

/// A device preset fills the frequency, depth range and cartridge; explicit keys win.
#[test]
fn device_preset_fills_the_scenario_and_explicit_keys_win() {
    let scenario = SMALL.replace("preset = 12\n", "").replace("frequency_hz = 120\n", "preset = \"exceed\"\n");
    let (dir, out, s) = check(&scenario, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    assert_eq!(s["needles"].as_u64(), Some(6));
    assert_eq!(s["technique"]["frequency_hz"].as_f64(), Some(150.0));
    let resolved = std::fs::read_to_string(dir.path().join("out/scenario.toml")).unwrap();
    assert!(resolved.contains("preset = \"exceed\"") && resolved.contains("layout = \"ring\""), "{resolved}");

    let (_d, out, s) = check(&scenario, &["--set", "device.frequency_hz=90", "--set", "cartridge.preset=12"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    assert_eq!((s["needles"].as_u64(), s["technique"]["frequency_hz"].as_f64()), (Some(12), Some(90.0)));
    let w = s["warnings"].to_string();
    assert!(w.contains("outside the pen's range 100–150 Hz"), "{w}");
}

/// `cartridge.preset = 12` and `layout = "square"` with 12 needles are the same cartridge:
/// the same run, figure for figure.
#[test]
fn square_layout_of_12_runs_exactly_like_preset_12() {
    let (_a, oa, sa) = check(SMALL, &[]);
    let layout = SMALL.replace("preset = 12", "layout = \"square\"\nneedles = 12");
    let (_b, ob, sb) = check(&layout, &[]);
    assert!(oa.status.success() && ob.status.success(), "{}", String::from_utf8_lossy(&ob.stderr));
    let (sa, sb) = (sa.unwrap(), sb.unwrap());
    for k in ["punctures", "coverage", "coverage_per_pass", "hits_histogram", "uniformity_cv", "layout"] {
        assert_eq!(sa[k], sb[k], "{k}");
    }
    // Layout facts of the 4 × 3 grid at 1 mm: spacing 1, footprint 2·√(1.5² + 1²) + 0.18.
    assert_eq!(sa["layout"]["min_spacing_mm"].as_f64(), Some(1.0));
    let d = 2.0 * (1.5f64 * 1.5 + 1.0).sqrt() + 0.18;
    assert!((sa["layout"]["footprint_diameter_mm"].as_f64().unwrap() - d).abs() < 1e-12);
    assert!((sa["layout"]["fill_fraction"].as_f64().unwrap() - 12.0 * 0.18 * 0.18 / (d * d)).abs() < 1e-12);
}

#[test]
fn layout_files_in_csv_and_toml_are_read_relative_to_the_scenario() {
    let needles = "x_mm,y_mm\n-0.5,0\n0.5,0\n0,0.8\n";
    for (name, text) in
        [("needles.csv", needles.to_string()), ("needles.toml", "needles_mm = [[-0.5, 0], [0.5, 0], [0, 0.8]]\n".to_string())]
    {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("s")).unwrap();
        std::fs::write(dir.path().join("s").join(name), text).unwrap();
        let scenario = SMALL.replace("preset = 12", &format!("layout_file = \"{name}\""));
        std::fs::write(dir.path().join("s/scenario.toml"), scenario).unwrap();
        let o = run_in(dir.path(), &["run", "s/scenario.toml", "--out", "out"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/summary.json")).unwrap()).unwrap();
        assert_eq!(s["needles"].as_u64(), Some(3));
        // The resolved scenario carries the needles inline, so it runs on its own.
        let resolved = std::fs::read_to_string(dir.path().join("out/scenario.toml")).unwrap();
        assert!(resolved.contains("needles_mm") && !resolved.contains("layout_file"), "{resolved}");
    }
}

#[test]
fn bad_presets_and_layouts_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("touching.csv"), "x_mm,y_mm\n0,0\n1,0\n1.05,0\n").unwrap();
    let touching = dir.path().join("touching.csv");
    let with_file = SMALL.replace("preset = 12", &format!("layout_file = {:?}", touching.to_str().unwrap()));
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "unknown device preset",
            SMALL,
            &["--set", "device.preset=skinpen-precison"],
            &["device.preset", "generic-12", "did you mean \"skinpen-precision\""],
        ),
        (
            "unknown layout family",
            &SMALL.replace("preset = 12", "layout = \"hexx\"\nneedles = 7"),
            &[],
            &["cartridge.layout", "did you mean \"hex\""],
        ),
        ("layout without needles", &SMALL.replace("preset = 12", "layout = \"hex\""), &[], &["cartridge.needles", "missing"]),
        ("needles without layout", SMALL, &["--set", "cartridge.needles=7"], &["cartridge.needles", "only with cartridge.layout"]),
        (
            "two layouts",
            SMALL,
            &["--set", "cartridge.layout=hex", "--set", "cartridge.needles=7"],
            &["cartridge.preset / cartridge.layout", "exactly one"],
        ),
        (
            "needles overlap in a layout",
            &SMALL.replace("preset = 12", "layout = \"hex\"\nneedles = 7\npitch_mm = 0.1"),
            &[],
            &["needles", "at least one diameter"],
        ),
        ("layout file with overlapping needles", &with_file, &[], &["touching.csv", "lines 3 and 4", "overlap"]),
        ("missing layout file", &SMALL.replace("preset = 12", "layout_file = \"nope.csv\""), &[], &["nope.csv"]),
        (
            "device range nonsense",
            SMALL,
            &["--set", "device.frequency_min_hz=200", "--set", "device.frequency_max_hz=100"],
            &["frequency_min_hz", "min ≤ max"],
        ),
    ];
    for (what, scenario, extra, needles) in cases {
        let (d, out, _) = check(scenario, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}: {err}");
        }
        assert!(!d.path().join("out").exists(), "{what}: output left behind");
    }
}
