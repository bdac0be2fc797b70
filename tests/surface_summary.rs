//! A face session on the surface reports what a flat face session reports: every key of the
//! flat summary.json (contract: keys only grow; region names aside, since the décolleté is
//! not in the mesh), computed on the skin and consistent with itself; `Scenario::run`, the
//! library's front door, runs surfaces; `face.identity.K` keys morph the built-in face.

mod common;

use std::collections::BTreeSet;

use needlesim::Scenario;
use serde_json::Value;

/// A small plan on the built-in face, `{face}` = the `[face]` table's body.
const PLAN: &str = r#"
name = "two-regions"
seed = 7
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
penetration_ratio = 0.5
{face}
[[treat]]
regions = ["glabella"]
depth_mm = 0.5
[[treat]]
regions = ["chin"]
depth_mm = 1.5
"#;

fn run(face: &str, sets: &[&str]) -> Value {
    let text = PLAN.replace("{face}", face);
    let sc: Scenario = text.parse().unwrap();
    sc.with_overrides(sets).unwrap().run().unwrap().summary()
}

/// Every key path (objects `.key`, arrays `[]`), with region names replaced by `*`.
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let k = if prefix == "regions" { "*" } else { k.as_str() };
                let p = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
                out.insert(p.clone());
                key_paths(x, &p, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| key_paths(x, &format!("{prefix}[]"), out)),
        _ => {}
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_surface_summary_has_every_key_of_a_flat_face_summary_and_adds_its_own() {
    let flat = run("map = \"default\"", &[]);
    let surface = run("surface = \"builtin\"", &[]);
    let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
    key_paths(&flat, "", &mut a);
    key_paths(&surface, "", &mut b);
    let missing: Vec<&String> = a.difference(&b).collect();
    assert!(missing.is_empty(), "keys of the flat face summary missing on the surface: {missing:?}");
    for k in [
        "mode",
        "mesh.units",
        "mesh.identity",
        "mesh.skin_area_mm2",
        "grid.worst_hole_area_error",
        "regions.*.skin_area_mm2",
        "regions.*.projected_area_mm2",
        "regions.*.surface_tilt_deg_mean",
        "regions.*.surface_tilt_deg_max",
    ] {
        assert!(b.contains(k), "surface key {k} missing");
    }
    // Region names: the flat map's, the same on the surface (both default_face()).
    let names = |s: &Value| s["regions"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert!(names(&surface).iter().all(|n| names(&flat).contains(n)));
}

#[test]
fn the_surface_figures_agree_with_each_other() {
    let s = run("surface = \"builtin\"", &[]);
    let regions = s["regions"].as_object().unwrap();
    let treated: Vec<&Value> = regions.values().filter(|g| g["treated"] == true).collect();
    assert_eq!(treated.len(), 2);
    for g in regions.values() {
        assert_eq!(g["area_mm2"], g["skin_area_mm2"], "area is skin area");
        assert!(f(&g["skin_area_mm2"]) >= f(&g["projected_area_mm2"]) * 0.999 || g["projected_area_mm2"].as_f64().unwrap() == 0.0);
    }
    // The whole-session figures over the union of the treated regions (a domain of its own)
    // equal the sums of the per-region ones.
    let inside: f64 = treated.iter().map(|g| f(&g["punctures"])).sum();
    let area: f64 = treated.iter().map(|g| f(&g["skin_area_mm2"])).sum();
    assert!((f(&s["area_mm2"]) - area).abs() < 1e-9 * area);
    assert!((f(&s["density_per_cm2"]) - inside / area * 100.0).abs() < 1e-9 * f(&s["density_per_cm2"]));
    let ul = f(&s["dose"]["cocktail_ul_per_puncture"]);
    assert!((f(&s["dose"]["area_ul"]) - inside * ul).abs() < 1e-9);
    assert!((f(&s["dose"]["total_ul"]) - f(&s["punctures"]) * ul).abs() < 1e-6);
    let per_region_dose: f64 = treated.iter().map(|g| f(&g["dose_ul"])).sum();
    assert!((per_region_dose - inside * ul).abs() < 1e-6);
    // Every puncture is in one region or off them.
    let all: f64 = regions.values().map(|g| f(&g["punctures"])).sum();
    assert_eq!(all + f(&s["punctures_off_map"]), f(&s["punctures"]));
    assert_eq!(f(&s["punctures_outside_area"]), f(&s["punctures"]) - inside);
    // Session time = path + repositioning; one region change, one pass change per treatment.
    let t = &s["session"];
    assert!((f(&t["procedure_time_s"]) - f(&t["path_time_s"]) - f(&t["reposition_time_s"])).abs() < 1e-9);
    assert!((f(&t["path_time_s"]) - f(&s["path_time_s"])).abs() < 1e-9);
    assert_eq!(s["face"]["region_changes"], 1);
    assert_eq!(t["pass_changes"], 2);
    assert!(f(&t["lane_changes"]) > 0.0);
    // Depth: DEJ ⊆ hole, mid-dermis ⊆ DEJ; at 1.5 mm set × 0.5 the chin's needles pass its
    // mid-dermis, the glabella's 0.25 mm do not.
    let (c, dej, mid) = (f(&s["coverage"]), f(&s["coverage_dej"]), f(&s["coverage_mid_dermis"]));
    assert!(mid <= dej && dej <= c && c > 0.0, "{c} {dej} {mid}");
    assert!(f(&s["regions"]["chin"]["coverage_mid_dermis"]) > 0.5 * f(&s["regions"]["chin"]["coverage"]));
    assert_eq!(f(&s["regions"]["glabella"]["coverage_mid_dermis"]), 0.0);
    let l = &s["layers"];
    assert!((f(&l["epidermis_only"]) + f(&l["dermis"]) + f(&l["beyond"]) - 1.0).abs() < 1e-9);
    assert!(s["aliasing"].as_array().unwrap().len() == 2);
}

#[test]
fn identity_keys_morph_the_face_one_mode_at_a_time() {
    let plan = "surface = \"builtin\"";
    let neutral = run(plan, &[]);
    let morphed = run(plan, &["face.identity.3=2.5"]);
    assert_eq!(morphed["mesh"]["identity"], serde_json::json!([0.0, 0.0, 0.0, 2.5]));
    assert_ne!(f(&morphed["mesh"]["skin_area_mm2"]), f(&neutral["mesh"]["skin_area_mm2"]));
    let text = PLAN.replace("{face}", plan);
    let sc: Scenario = text.parse().unwrap();
    let e = sc.with_overrides(["face.identity.3=6"]).unwrap().run().err().expect("6 sd is refused").to_string();
    assert!(e.contains("face.identity[3]") && e.contains("face.identity.3") && e.contains("±5"), "{e}");
}

/// A sweep over identity modes runs surface points (one face per row); a point beyond ±5 sd
/// fails alone, its error naming the key.
#[test]
fn a_sweep_over_face_shapes_runs_on_the_surface() {
    let d = tempfile::tempdir().unwrap();
    let plan = PLAN
        .replace("{face}", "surface = \"builtin\"")
        .replace("depth_mm = 1.5", "depth_mm = 1.0")
        .replace("directions_deg = [0, 90]", "directions_deg = [0]");
    let plan = plan.replace("[[treat]]\nregions = [\"chin\"]\ndepth_mm = 1.0\n", "");
    let sweep = "[sweep]\nseeds = \"same\"\nparameters = [ { key = \"face.identity.0\", values = [-2, 2] } ]\n";
    std::fs::write(d.path().join("s.toml"), format!("{plan}\n{sweep}")).unwrap();
    let o = common::run_in(d.path(), &["sweep", "s.toml", "--out", "sw", "--threads", "2"]);
    common::ok(&o);
    let t = needlesim::study::sweep::results::parse(
        &std::fs::read_to_string(d.path().join("sw/results.csv")).unwrap(),
        std::path::Path::new("results.csv"),
    )
    .unwrap();
    let col = |name: &str| {
        let k = t.column(name).unwrap_or_else(|| panic!("no column {name}: {:?}", t.columns));
        t.rows.iter().map(|r| r[k].parse::<f64>().unwrap()).collect::<Vec<f64>>()
    };
    let area = col("regions.glabella.skin_area_mm2");
    assert_eq!(area.len(), 2);
    assert_ne!(area[0], area[1], "two faces, two skin areas");
    assert!(col("coverage").iter().all(|c| *c > 0.05 && *c < 1.0));
    let bad = sweep.replace("values = [-2, 2]", "values = [-2, 7]");
    std::fs::write(d.path().join("bad.toml"), format!("{plan}\n{bad}")).unwrap();
    common::run_in(d.path(), &["sweep", "bad.toml", "--out", "bad", "--threads", "2"]);
    let text = std::fs::read_to_string(d.path().join("bad/results.csv")).unwrap();
    assert!(text.contains("face.identity[0] (sweep key face.identity.0)") && text.contains("±5"), "{text}");
}
