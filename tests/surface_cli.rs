//! Surface runs through the binary: the bundled example, thread-count independence of every
//! output byte, the frontal pen, and bad meshes / surface keys refused with exit 2, the file
//! and index or key named and nothing written.

mod common;

use std::path::Path;

use common::{bad_input, ok, root, run_in};

/// A quad strip in cm with two groups (`a`, `b`) and a no-go group `z`, and a scenario for it.
const OBJ: &str = "v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\nv 0 1 0.2\nv 1 1 0.2\nv 2 1 0.2\nv 3 1 0.2\n\
vt 0 0\nvt 1 0\nvt 2 0\nvt 3 0\nvt 0 1\nvt 1 1\nvt 2 1\nvt 3 1\n\
g a\nf 1/1 2/2 6/6 5/5\ng z\nf 2/2 3/3 7/7 6/6\ng b\nf 3/3 4/4 8/8 7/7\n";

fn scenario(face_extra: &str) -> String {
    format!(
        r#"name = "strip"
seed = 3
[cartridge]
preset = 12
depth_mm = 0.5
[technique]
pattern = "serpentine"
speed_mm_s = 40
directions_deg = [0]
[face]
surface = "strip.obj"
{face_extra}
[[face.region]]
name = "a"
epidermis_mm = 0.05
dermis_mm = 1.2
subcutis_mm = 4.0
recommended_depth_mm = [0.25, 1.0]
[[face.region]]
name = "b"
epidermis_mm = 0.05
dermis_mm = 1.2
subcutis_mm = 4.0
recommended_depth_mm = [0.25, 1.0]
[[treat]]
regions = ["a", "b"]
"#
    )
}

const GOOD: &str = "units = \"cm\"\nno_go = [\"z\"]";

fn run_case(obj: &str, toml: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("strip.obj"), obj).unwrap();
    std::fs::write(dir.path().join("s.toml"), toml).unwrap();
    let out = run_in(dir.path(), &["run", "s.toml", "--out", "out"]);
    (dir, out)
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn a_strip_runs_and_threads_change_no_byte() {
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("strip.obj"), OBJ).unwrap();
        std::fs::write(dir.path().join("s.toml"), scenario(GOOD)).unwrap();
        let o = common::bin()
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "s.toml", "--out", "out"])
            .output()
            .unwrap();
        ok(&o);
        let out = dir.path().join("out");
        assert_eq!(
            files(&out),
            [
                "face_animation.gif",
                "face_coverage_regions.png",
                "face_density_regions.png",
                "face_front.png",
                "face_layers_regions.png",
                "face_passes_regions.png",
                "face_three_quarter_left.png",
                "face_three_quarter_right.png",
                "face_zoom.png",
                "front_view.png",
                "punctures.csv",
                "regions.csv",
                "report.html",
                "scenario.toml",
                "summary.json",
                "uv_heatmap.png"
            ]
        );
        outs.push(files(&out).iter().map(|f| std::fs::read(out.join(f)).unwrap()).collect::<Vec<_>>());
        if threads == "1" {
            let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
            assert_eq!(s["mode"], "surface");
            assert_eq!(s["mesh"]["units"], "cm");
            let a = &s["regions"]["a"];
            // 10 mm × sqrt(100 + 2²) mm of skin per region; projected 10 × 10 mm.
            let skin = 10.0 * (100.0f64 + 4.0).sqrt();
            assert!((a["skin_area_mm2"].as_f64().unwrap() - skin).abs() < 1e-9, "{a}");
            assert!((a["projected_area_mm2"].as_f64().unwrap() - 100.0).abs() < 1e-9);
            assert!(a["coverage"].as_f64().unwrap() > 0.05);
            assert_eq!(s["no_go"]["z"]["punctures"], 0);
            let csv = std::fs::read_to_string(out.join("punctures.csv")).unwrap();
            assert!(
                csv.lines()
                    .next()
                    .unwrap()
                    .ends_with(",z_mm,normal_x,normal_y,normal_z,u_mm,v_mm,region,landed_in,real_depth_mm,layer,surface_tilt_deg")
            );
            let stamps: u64 = s["stamps_per_pass"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum();
            assert_eq!(csv.lines().count() as u64 - 1, stamps * 12, "conservation");
        }
    }
    assert!(outs[0] == outs[1], "1 and 2 threads differ");
}

/// `--outputs` selects a surface run's files: pictures only when asked, summary always.
#[test]
fn outputs_select_the_surface_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("strip.obj"), OBJ).unwrap();
    std::fs::write(dir.path().join("s.toml"), scenario(GOOD)).unwrap();
    let mut summaries = Vec::new();
    for (sel, expected) in
        [("summary", vec!["scenario.toml", "summary.json"]), ("punctures", vec!["punctures.csv", "scenario.toml", "summary.json"])]
    {
        let out = dir.path().join(sel);
        ok(&run_in(dir.path(), &["run", "s.toml", "--out", out.to_str().unwrap(), "--outputs", sel]));
        assert_eq!(files(&out), expected, "--outputs {sel}");
        summaries.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    let out = dir.path().join("pictures");
    ok(&run_in(dir.path(), &["run", "s.toml", "--out", out.to_str().unwrap(), "--outputs", "pictures"]));
    let f = files(&out);
    assert!(
        f.contains(&"face_front.png".to_string())
            && f.contains(&"face_animation.gif".to_string())
            && !f.contains(&"punctures.csv".to_string()),
        "{f:?}"
    );
    summaries.push(std::fs::read(out.join("summary.json")).unwrap());
    assert!(summaries.iter().all(|s| *s == summaries[0]), "the summary depends on the selection");
}

#[test]
fn the_bundled_surface_scenario_runs_normal_and_frontal() {
    let dir = tempfile::tempdir().unwrap();
    let sc = root().join("scenarios/surface-cylinder.toml");
    let mut tilt = Vec::new();
    for o in ["normal", "frontal"] {
        let out = dir.path().join(o);
        let set = format!("face.pen_orientation=\"{o}\"");
        ok(&run_in(
            dir.path(),
            &["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", &set, "--set", "technique.directions_deg=[0]"],
        ));
        let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        tilt.push(s["regions"]["left"]["surface_tilt_deg_max"].as_f64().unwrap());
        assert!((s["mesh"]["skin_area_mm2"].as_f64().unwrap() / (std::f64::consts::PI * 40.0 * 30.0) - 1.0).abs() < 1e-3);
    }
    assert_eq!(tilt[0], 0.0);
    assert!(tilt[1] > 70.0, "the frontal pen meets the cylinder's sides steeply: {}", tilt[1]);
}

#[test]
fn bad_meshes_and_surface_keys_exit_2_and_write_nothing() {
    let quad_flipped = OBJ.replace("f 1/1 2/2 6/6 5/5", "f 1/1 5/5 6/6 2/2");
    let no_uv = OBJ.replace("f 1/1 2/2 6/6 5/5", "f 1 2 6 5");
    let nan = OBJ.replace("v 1 0 0\n", "v 1 nan 0\n");
    let huge = OBJ.replace("v 1 0 0\n", "v 1e12 0 0\n");
    let degenerate_uv = OBJ.replace("vt 1 0\n", "vt 0 0\n");
    let non_manifold = format!("{OBJ}v 1 0 5\nvt 5 5\ng a\nf 1/1 2/2 9/9\nf 2/1 1/2 9/9\n");
    let cases: Vec<(&str, String, String, Vec<&str>)> = vec![
        ("empty mesh", String::new(), scenario(GOOD), vec!["strip.obj", "no group (g) named \"a\""]),
        ("no triangles", "g a\ng b\ng z\n".into(), scenario(GOOD), vec!["strip.obj", "at least one triangle"]),
        ("units missing", OBJ.into(), scenario("no_go = [\"z\"]"), vec!["face.units = missing", "\"mm\", \"cm\" or \"m\""]),
        ("units unknown", OBJ.into(), scenario("units = \"inch\"\nno_go = [\"z\"]"), vec!["face.units = \"inch\""]),
        ("flipped UVs", quad_flipped, scenario(GOOD), vec!["strip.obj", "triangle 0", "clockwise"]),
        ("no UVs", no_uv, scenario(GOOD), vec!["strip.obj: line 18", "no texture index"]),
        ("NaN", nan, scenario(GOOD), vec!["strip.obj: line 2", "finite"]),
        ("huge", huge, scenario(GOOD), vec!["strip.obj", "vertex 1", "±10000 mm"]),
        ("degenerate UVs", degenerate_uv, scenario(GOOD), vec!["strip.obj", "triangle 0", "UV"]),
        ("non-manifold", non_manifold, scenario(GOOD), vec!["strip.obj", "manifold", "vertices 0 and 1"]),
        ("unknown group", OBJ.into(), scenario("units = \"cm\"\nno_go = [\"eye\"]"), vec!["no group (g) named \"eye\"", "\"a\""]),
        ("region twice", OBJ.into(), scenario(GOOD).replace("name = \"b\"", "name = \"a\""), vec!["\"a\""]),
        (
            "skin missing",
            OBJ.into(),
            scenario(GOOD).replacen("dermis_mm = 1.2\n", "", 1),
            vec!["face.region[0] \"a\".dermis_mm", "missing"],
        ),
        (
            "pen orientation",
            OBJ.into(),
            scenario("units = \"cm\"\npen_orientation = \"sideways\""),
            vec!["face.pen_orientation", "\"normal\" or \"frontal\""],
        ),
        (
            "builtin with regions",
            OBJ.into(),
            scenario(GOOD).replace("surface = \"strip.obj\"", "surface = \"builtin\""),
            vec!["face.region", "surface = \"builtin\""],
        ),
        (
            "identity beyond 5 sd",
            OBJ.into(),
            scenario("identity = [0, 5.5]")
                .replace("surface = \"strip.obj\"", "surface = \"builtin\"")
                .split("[[face.region]]")
                .next()
                .unwrap()
                .to_string()
                + "[[treat]]\nregions = [\"chin\"]\n",
            vec!["face.identity[1]", "5.5"],
        ),
        (
            "identity with a mesh file",
            OBJ.into(),
            scenario("units = \"cm\"\nno_go = [\"z\"]\nidentity = [1]"),
            vec!["face.identity", "builtin"],
        ),
        ("missing file", OBJ.into(), scenario(GOOD).replace("strip.obj", "nope.obj"), vec!["nope.obj"]),
    ];
    for (what, obj, toml, expect) in cases {
        let (dir, out) = run_case(&obj, &toml);
        let err = bad_input(&out);
        for e in expect {
            assert!(err.contains(e), "{what}: {err:?} lacks {e:?}");
        }
        assert_eq!(files(dir.path()), ["s.toml", "strip.obj"], "{what}: something was written");
    }
}
