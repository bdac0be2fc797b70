//! Session time and cocktail dose in summary.json, and `compare-hand`.

mod common;

use common::{SMALL, check, run_in};

fn f(s: &serde_json::Value, path: &[&str]) -> f64 {
    path.iter().fold(s, |v, k| &v[*k]).as_f64().unwrap_or_else(|| panic!("{path:?} is not a number in {s}"))
}

/// Time = path + repositioning (+ 20 min anaesthetic); strokes lift the pen at each new
/// lane; dose = punctures × µL per puncture, per cm² over the punctures inside.
#[test]
fn session_time_and_dose_add_up() {
    let extra =
        ["--set", "technique.pattern=\"strokes\"", "--set", "session.anaesthetic=true", "--set", "session.cocktail_ul_per_puncture=0.05"];
    let (_d, out, s) = check(SMALL, &extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    let ses = &s["session"];
    // SMALL: 10 × 8 mm, three passes; strokes lanes one track (≈ 3.0–3.7 mm) apart.
    let lanes = ses["lane_changes"].as_u64().unwrap();
    assert!(lanes >= 3, "{lanes}");
    assert_eq!(ses["pass_changes"].as_u64(), Some(2));
    let repo = lanes as f64 * 1.0 + 2.0 * 10.0;
    assert!((f(ses, &["reposition_time_s"]) - repo).abs() < 1e-9);
    assert!((f(ses, &["path_time_s"]) - f(&s, &["path_time_s"])).abs() < 1e-9);
    assert!((f(ses, &["procedure_time_s"]) - (f(&s, &["path_time_s"]) + repo)).abs() < 1e-9);
    assert!((f(ses, &["session_time_s"]) - f(ses, &["procedure_time_s"]) - 1200.0).abs() < 1e-9);
    assert!((f(ses, &["procedure_fraction_of_limit"]) - f(ses, &["procedure_time_s"]) / 1800.0).abs() < 1e-12);
    assert_eq!(ses["within_procedure_limit"], true);
    let dose = &s["dose"];
    assert!((f(dose, &["total_ul"]) - 0.05 * f(&s, &["punctures"])).abs() < 1e-9);
    assert!((f(dose, &["ul_per_cm2"]) - 0.05 * f(&s, &["density_per_cm2"])).abs() < 1e-9);
}

#[test]
fn a_procedure_over_the_limit_is_a_warning() {
    let (_d, out, s) = check(SMALL, &["--set", "session.procedure_limit_min=0.1"]);
    assert!(out.status.success());
    let s = s.unwrap();
    assert_eq!(s["session"]["within_procedure_limit"], false);
    assert!(s["warnings"].to_string().contains("more than the 0.1 min"), "{}", s["warnings"]);
}

/// `compare-hand`: the ideal column is the run without the hand, the real column the run
/// with it, and the difference is real − ideal.
#[test]
fn compare_hand_puts_the_ideal_and_real_runs_side_by_side() {
    let shaky = format!("{SMALL}\n[hand]\ntremor_amplitude_mm = 0.4\nspeed_sd_fraction = 0.2\n");
    let (dir, out, real) = check(&shaky, &["--set", "technique.directions_deg=[0]"]);
    assert!(out.status.success());
    let (_i, out, ideal) = check(SMALL, &["--set", "technique.directions_deg=[0]"]);
    assert!(out.status.success());
    let o = run_in(dir.path(), &["compare-hand", "scenario.toml", "--out", "cmp", "--set", "technique.directions_deg=[0]"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("hole coverage") && stdout.contains("largest gap"), "{stdout}");
    let c: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("cmp/compare.json")).unwrap()).unwrap();
    let (real, ideal) = (real.unwrap(), ideal.unwrap());
    assert_eq!(c["ideal"]["coverage"], ideal["coverage"]);
    assert_eq!(c["real"]["coverage"], real["coverage"]);
    assert_eq!(c["ideal"]["uniformity_cv"], ideal["uniformity_cv"]);
    assert_eq!(c["real"]["largest_gap_mm"], real["gaps"]["largest_gap_mm"]);
    assert_eq!(c["hand_is_ideal"], false);
    for k in ["coverage", "density_per_cm2", "empty_bin_fraction", "largest_gap_mm"] {
        assert!((f(&c, &["difference", k]) - (f(&c, &["real", k]) - f(&c, &["ideal", k]))).abs() < 1e-12, "{k}");
    }
    for png in ["heatmap-ideal.png", "heatmap-real.png"] {
        assert_eq!(&std::fs::read(dir.path().join("cmp").join(png)).unwrap()[1..4], b"PNG");
    }
    // Bad input is refused as for `run`.
    let o = run_in(dir.path(), &["compare-hand", "scenario.toml", "--set", "hand.tilt_sd_deg=-2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("hand.tilt_sd_deg"));
}
