//! Face sessions end to end through the binary: summary keys, conservation, reproducibility,
//! warnings, and the patch mode left as it was.

mod common;

use std::path::Path;

use common::{needlesim, needlesim_env, root, write};
use serde_json::Value;

fn scenario(map: &str, treats: &str, extra: &str) -> String {
    format!(
        r#"name = "t"
seed = 3
[cartridge]
preset = 12
depth_mm = 0.5
[device]
frequency_hz = 120
rotation_deg = 18
[technique]
speed_mm_s = 58
directions_deg = [0, 90]
[grid]
resolution_mm = 0.05
[face]
map = "{map}"
{extra}
{treats}"#
    )
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn summary_has_the_patch_keys_the_face_keys_and_conserves_punctures() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write(tmp.path(), "s.toml", &scenario("default", "[[treat]]\nregions = [\"cheek_left\", \"nose\"]\ndepth_mm = 0.5\n", ""));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    for k in [
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
        "path_time_s",
    ] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    for k in ["face", "layers", "coverage_dej", "coverage_mid_dermis", "no_go", "regions", "punctures_off_map"] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    let regions = j["regions"].as_object().unwrap();
    assert_eq!(regions.len(), 19, "every region of the map is reported");
    let cheek = &regions["cheek_left"];
    for k in [
        "area_mm2",
        "coverage",
        "coverage_per_pass",
        "hits_histogram",
        "density_per_cm2",
        "uniformity_cv",
        "layers",
        "coverage_dej",
        "coverage_mid_dermis",
        "skin",
        "recommended_depth_mm",
        "treated",
    ] {
        assert!(cheek.get(k).is_some(), "cheek_left lacks {k}");
    }
    assert_eq!(cheek["treated"], true);
    assert_eq!(regions["forehead"]["treated"], false);
    // Whole area = the treated regions' areas.
    let treated_area = cheek["area_mm2"].as_f64().unwrap() + regions["nose"]["area_mm2"].as_f64().unwrap();
    assert!((j["area_mm2"].as_f64().unwrap() - treated_area).abs() < 1e-9);
    // Conservation: punctures = needles × stamps; stamps split over regions; every puncture
    // is centred in one region or counted off the map.
    let (punctures, stamps) = (j["punctures"].as_u64().unwrap(), j["stamps"].as_u64().unwrap());
    assert_eq!(punctures, 12 * stamps);
    let region_stamps: u64 = regions.values().map(|r| r["stamps"].as_u64().unwrap()).sum();
    assert_eq!(region_stamps, stamps);
    let centred: u64 = regions.values().map(|r| r["punctures"].as_u64().unwrap()).sum();
    assert_eq!(centred + j["punctures_off_map"].as_u64().unwrap(), punctures);
    let l = &cheek["layers"];
    let sum = l["epidermis_only"].as_f64().unwrap() + l["dermis"].as_f64().unwrap() + l["beyond"].as_f64().unwrap();
    assert!((sum - 1.0).abs() < 1e-12);
    // CSV: one row per puncture, face columns at the end.
    let csv = std::fs::read_to_string(tmp.path().join("out/punctures.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "pass,stamp,needle,x_mm,y_mm,depth_mm,t_s,region,landed_in,real_depth_mm,layer");
    assert_eq!(lines.count() as u64, punctures);
    assert!(tmp.path().join("out/heatmap.png").exists());
}

#[test]
fn same_scenario_same_bytes_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write(
        tmp.path(),
        "s.toml",
        &scenario(
            "default",
            "[[treat]]\nregions = [\"perioral\", \"chin\"]\npattern = \"random\"\n[[treat]]\nregion = \"nose\"\ndepth_mm = 0.4\n",
            "margin_mm = 0",
        ),
    );
    let a = needlesim_env(&["run", s.to_str().unwrap(), "--out", "a"], tmp.path(), &[("RAYON_NUM_THREADS", "1")]);
    let b = needlesim_env(&["run", s.to_str().unwrap(), "--out", "b"], tmp.path(), &[("RAYON_NUM_THREADS", "2")]);
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    for f in ["summary.json", "punctures.csv", "heatmap.png"] {
        assert!(
            std::fs::read(tmp.path().join("a").join(f)).unwrap() == std::fs::read(tmp.path().join("b").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn warnings_name_region_zone_and_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let treats = "[[treat]]\nregions = [\"periorbital_upper_left\", \"periorbital_lower_left\"]\ndepth_mm = 0.8\n[[treat]]\nregion = \"glabella\"\npasses = 5\n";
    let s = write(tmp.path(), "s.toml", &scenario("default", treats, "margin_mm = 0"));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out", "--deny-warnings"], tmp.path());
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    let warnings: Vec<&str> = j["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let has = |needles: &[&str]| warnings.iter().any(|w| needles.iter().all(|n| w.contains(n)));
    let eye = j["no_go"]["eye_left"]["punctures"].as_u64().unwrap();
    assert!(eye > 0);
    assert!(has(&["no-go zone eye_left", &format!("{eye} punctures")]), "{warnings:#?}");
    assert!(has(&["periorbital_upper_left", "0.8 mm", "recommended 0.25–0.5"]), "{warnings:#?}");
    assert!(has(&["glabella", "more than 4 passes"]), "{warnings:#?}");
    assert!(has(&["face.margin_mm = 0"]), "{warnings:#?}");
    assert!(j["regions"]["glabella"]["over_pass_limit_fraction"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_painted_map_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let r = needlesim(
        &["run", root().join("scenarios/painted-face.toml").to_str().unwrap(), "--out", "out", "--set", "grid.resolution_mm=0.05"],
        tmp.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    assert_eq!(j["face"]["map"], "painted-face.legend");
    assert!(j["regions"]["cheek_left"]["coverage"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_patch_mode_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let r = needlesim(
        &["run", root().join("scenarios/default.toml").to_str().unwrap(), "--out", "out", "--set", "grid.resolution_mm=0.05"],
        tmp.path(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    assert!(j.get("regions").is_none() && j.get("face").is_none());
    let csv = std::fs::read_to_string(tmp.path().join("out/punctures.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "pass,stamp,needle,x_mm,y_mm,depth_mm,t_s");
}

#[test]
fn a_real_hand_walks_the_regions_and_the_session_counts_regions() {
    let tmp = tempfile::tempdir().unwrap();
    let treats = "[[treat]]\nregions = [\"cheek_left\", \"chin\"]\ndepth_mm = 1.0\n[[treat]]\nregion = \"forehead\"\npasses = 1\n";
    let hand = "[hand]\nspeed_sd_fraction = 0.1\ntremor_amplitude_mm = 0.2\ntilt_mean_deg = 5\ntilt_sd_deg = 4\n[session]\nreposition_per_region_s = 20\n";
    let s = write(tmp.path(), "s.toml", &format!("{}{hand}", scenario("default", treats, "margin_mm = 3")));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    assert_eq!(j["hand"]["ideal"], false);
    assert!(j["hand"]["mean_tilt_deg"].as_f64().unwrap() > 1.0);
    // Three treatments: two region changes; passes 2 + 2 + 1: two pass changes inside them.
    assert_eq!(j["face"]["region_changes"], 2);
    assert_eq!(j["session"]["pass_changes"], 2);
    let path = j["session"]["path_time_s"].as_f64().unwrap();
    assert!((path - j["path_time_s"].as_f64().unwrap()).abs() < 1e-9);
    // Dose: every region's centred punctures × volume; together at most the total.
    let v = j["dose"]["cocktail_ul_per_puncture"].as_f64().unwrap();
    let regions = j["regions"].as_object().unwrap();
    let region_ul: f64 = regions.values().map(|g| g["dose_ul"].as_f64().unwrap()).sum();
    let centred: u64 = regions.values().map(|g| g["punctures"].as_u64().unwrap()).sum();
    assert!((region_ul - centred as f64 * v).abs() < 1e-6);
    assert!(region_ul <= j["dose"]["total_ul"].as_f64().unwrap() + 1e-9);
    // Each row's real depth uses its own tilt: set × 0.5 × cos(tilt).
    let csv = std::fs::read_to_string(tmp.path().join("out/punctures.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|c| *c == n).unwrap_or_else(|| panic!("no column {n}: {header:?}"));
    let (depth, tilt, real) = (col("depth_mm"), col("tilt_deg"), col("real_depth_mm"));
    assert!(tilt < col("region"), "face columns come last");
    let mut tilts = 0;
    for line in lines.take(5000) {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap_or(f64::NAN)).collect();
        let want = f[depth] * 0.5 * f[tilt].to_radians().cos();
        assert!((f[real] - want).abs() < 2e-4, "{line}");
        tilts += usize::from(f[tilt] != 0.0);
    }
    assert!(tilts > 4000);
}

#[test]
fn an_ideal_hand_table_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let base = scenario("default", "[[treat]]\nregions = [\"nose\", \"perioral\"]\n", "");
    let a = write(tmp.path(), "a.toml", &base);
    let b = write(tmp.path(), "b.toml", &format!("{base}[hand]\nspeed_sd_fraction = 0\ntremor_amplitude_mm = 0\ntilt_sd_deg = 0\n"));
    for (s, out) in [(&a, "a"), (&b, "b")] {
        let r = needlesim(&["run", s.to_str().unwrap(), "--out", out], tmp.path());
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for f in ["summary.json", "punctures.csv", "heatmap.png"] {
        assert!(
            std::fs::read(tmp.path().join("a").join(f)).unwrap() == std::fs::read(tmp.path().join("b").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn patterns_without_region_lanes_are_refused_in_face_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write(tmp.path(), "s.toml", &scenario("default", "[[treat]]\nregion = \"nose\"\npattern = \"circles\"\n", ""));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    common::assert_bad_input(&r, &["treat[0].pattern = \"circles\"", "serpentine, strokes or random"], Some(&tmp.path().join("out")));
}

#[test]
fn punctures_off_the_regions_and_density_far_above_the_sources_are_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    // The jawline lies on the map's edge: the cartridge's outer needles land beside it.
    let s = write(tmp.path(), "s.toml", &scenario("default", "[[treat]]\nregion = \"jawline_left\"\n", ""));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = summary(&tmp.path().join("out"));
    let csv = std::fs::read_to_string(tmp.path().join("out/punctures.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "landed_in").unwrap();
    let off = csv.lines().skip(1).filter(|l| l.split(',').nth(col) == Some("off_map")).count();
    assert!(off > 0, "the test needs punctures beside the jaw");
    let warnings: Vec<&str> = j["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let want = format!("{off} punctures landed off the map's regions (default): they count in no figure");
    assert!(warnings.contains(&want.as_str()), "{want}\n{warnings:#?}");
    // 12 needles at 120 Hz and 58 mm/s, two passes over a ~3 mm track: far above 4 × 300 /cm².
    let d = j["regions"]["jawline_left"]["density_per_cm2"].as_f64().unwrap();
    assert!(d > 1200.0, "{d}");
    assert!(warnings.iter().any(|w| w.starts_with(&format!("jawline_left: {d:.0} punctures/cm², far above"))), "{warnings:#?}");
}
