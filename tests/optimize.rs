//! The optimiser: a closed-form optimum recovered, determinism, and the CLI's outputs and
//! bad input.

mod common;

use common::{SMALL, assert_refusals, bin, run_in};
use needlesim::geometry::{Rect, Vec2};
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::study::nelder_mead::Options;
use needlesim::study::optimize::{Knob, Noise, Settings, Target, TargetMetric, Weights, evaluate, optimize};
use needlesim::technique::lanes::{PassPlan, Pattern};

const FREQ_HZ: f64 = 100.0;
const LANE_MM: f64 = 2.0;
const R_MM: f64 = 0.09;

/// A row of 4 needles across the motion, 0.5 mm apart, in strokes whose lanes are exactly
/// 4 × 0.5 mm apart: every needle runs on its own track, tracks 0.5 mm apart, and holes on a
/// track are `s = v / f` apart. While `s ≥ 2r` nothing overlaps, so one pass covers
/// `N·πr² / (w·s)` of the patch: coverage = 0.25 at `v = f·N·πr² / (w·0.25)`.
fn tiling(speed_mm_s: f64, resolution_mm: f64) -> Simulation {
    let needles_mm = [-0.75, -0.25, 0.25, 0.75].iter().map(|&y| Vec2::new(0.0, y)).collect();
    Simulation {
        name: "tiling".into(),
        seed: 1,
        cartridge: Cartridge { needles_mm, needle_diameter_mm: 2.0 * R_MM, depth_mm: 1.0 },
        device: Device { frequency_hz: FREQ_HZ, ..Device::default() },
        area: Rect::new(0.0, 0.0, 30.0, 2.0 * LANE_MM),
        passes: vec![PassPlan { direction_deg: 0.0, pattern: Pattern::Strokes, speed_mm_s, lane_spacing_mm: LANE_MM, lane_offset_mm: 0.0 }],
        grid: GridSpec::new(resolution_mm).unwrap(),
        halo_mm: 0.0,
        picture: false,
        frames: 0,
        limits: Limits::default(),
        technique: Default::default(),
    }
}

fn closed_form_speed(coverage: f64) -> f64 {
    FREQ_HZ * 4.0 * std::f64::consts::PI * R_MM * R_MM / (LANE_MM * coverage)
}

#[test]
fn the_tiling_case_meets_its_closed_form() {
    // Valid while s ≥ 2r, i.e. coverage ≤ N·πr² / (w·2r) ≈ 0.283.
    for c in [0.15, 0.2, 0.25, 0.28] {
        let v = closed_form_speed(c);
        let r = tiling(v, 0.01).run().unwrap();
        let got = r.hole_coverage.coverage_per_pass[0];
        assert!((got - c).abs() < 0.01 * c, "target {c}: {got} at {v} mm/s");
    }
}

#[test]
fn optimiser_recovers_the_closed_form_speed() {
    let settings = Settings {
        knobs: vec![Knob { key: "technique.speed_mm_s".into(), lo: 10.0, hi: 60.0 }],
        start: vec![45.0],
        target: Target { metric: TargetMetric::CoveragePerPass, value: 0.25 },
        weights: Weights { distance: 1.0, cv: 0.0, hit3: 0.0 },
        seeds: vec![1, 2],
        noise: Noise::None,
        options: Options { max_evaluations: 40, x_tol: 1e-4, f_tol: 1e-4, ..Options::default() },
    };
    let build = |v: &[f64], seed: u64| {
        let mut s = tiling(v[0], 0.02);
        s.seed = seed;
        Ok(s)
    };
    let report = optimize(&settings, &build, |_| {});
    let best = &report.evaluations[report.best];
    let expect = closed_form_speed(0.25);
    assert!((best.values[0] - expect).abs() < 0.02 * expect, "found {} mm/s, closed form {expect}", best.values[0]);
    assert!((best.metrics.unwrap().value - 0.25).abs() < 0.005, "{best:?}");
    // best_so_far never increases and ends at the best.
    for w in report.evaluations.windows(2) {
        assert!(w[1].best_so_far <= w[0].best_so_far);
    }
    assert_eq!(report.evaluations.last().unwrap().best_so_far, best.metrics.unwrap().objective);
    // Deterministic: the same search again gives the same evaluations.
    assert_eq!(optimize(&settings, &build, |_| {}), report);
}

/// Hand noise really perturbs the runs (a typical hand replaces the ideal one, and each seed
/// draws its own hand and lane start), while `none` on an ideal hand repeats exactly; the
/// same seeds give the same figures.
#[test]
fn hand_noise_varies_with_the_seed_and_reproduces() {
    let settings = |noise, seeds: Vec<u64>| Settings {
        knobs: vec![Knob { key: "technique.speed_mm_s".into(), lo: 10.0, hi: 60.0 }],
        start: vec![20.0],
        target: Target { metric: TargetMetric::CoveragePerPass, value: 0.25 },
        weights: Weights::default(),
        seeds,
        noise,
        options: Options::default(),
    };
    let build = |v: &[f64], seed: u64| {
        let mut s = tiling(v[0], 0.02);
        s.seed = seed;
        Ok(s)
    };
    let m = |noise, seeds: Vec<u64>| evaluate(&settings(noise, seeds), &[20.0], &build).unwrap();
    assert_eq!(m(Noise::None, vec![1]), m(Noise::None, vec![2]));
    let (a, b) = (m(Noise::Hand, vec![1]), m(Noise::Hand, vec![2]));
    assert_ne!(a.value, b.value);
    assert_ne!(a.value, m(Noise::None, vec![1]).value, "the typical hand changes the run");
    assert_eq!(m(Noise::Hand, vec![1, 2]), m(Noise::Hand, vec![1, 2]));
    // The ideal tiling never overlaps: its density CV comes from the lattice alone; the
    // wandering hand's differs.
    assert_ne!(a.uniformity_cv, m(Noise::None, vec![1]).uniformity_cv);
}

/// The CLI on the small scenario: outputs written, best setting printed, the best scenario
/// reproduces the reported figure, and the same seed gives the same bytes for any thread count.
#[test]
fn optimize_command_writes_its_outputs_reproducibly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    let args = |out: &str, seeds: &str| {
        vec![
            "optimize",
            "small.toml",
            "--target",
            "coverage_per_pass=0.25",
            "--vary",
            "technique.speed_mm_s=20:80",
            "--seeds",
            seeds,
            "--max-evaluations",
            "8",
            "--set",
            "grid.resolution_mm=0.02",
            "--set",
            "technique.directions_deg=[0,90]",
            "--out",
            out,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let o = bin().current_dir(dir.path()).env("RAYON_NUM_THREADS", "2").args(args("o1", "2")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("technique.speed_mm_s") && stdout.contains("coverage_per_pass"), "{stdout}");
    for f in ["evaluations.csv", "convergence.png", "optimize.json", "best.toml"] {
        assert!(dir.path().join("o1").join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(dir.path().join("o1/evaluations.csv")).unwrap();
    assert!(csv.starts_with("evaluation,technique.speed_mm_s,objective,coverage_per_pass,"), "{csv}");
    assert!(csv.lines().count() >= 3);
    let b = bin().current_dir(dir.path()).env("RAYON_NUM_THREADS", "1").args(args("o2", "2")).output().unwrap();
    assert!(b.status.success());
    for f in ["evaluations.csv", "optimize.json", "best.toml", "convergence.png"] {
        assert_eq!(
            std::fs::read(dir.path().join("o1").join(f)).unwrap(),
            std::fs::read(dir.path().join("o2").join(f)).unwrap(),
            "{f} differs"
        );
    }

    // With one seed and no noise the reported figure is exactly what `run` measures on
    // best.toml.
    let mut a3 = args("o3", "1");
    a3.extend(["--noise".to_string(), "none".to_string()]);
    let o = run_in(dir.path(), &a3.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run_in(dir.path(), &["run", "o3/best.toml", "--out", "best-run"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("best-run/summary.json")).unwrap()).unwrap();
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("o3/optimize.json")).unwrap()).unwrap();
    let per_pass: Vec<f64> = s["coverage_per_pass"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let mean = per_pass.iter().sum::<f64>() / per_pass.len() as f64;
    assert!((mean - j["best"]["metrics"]["target_metric"].as_f64().unwrap()).abs() < 1e-12, "{mean} vs {}", j["best"]);
    assert_eq!(s["technique"]["speed_mm_s"], j["best"]["values"]["technique.speed_mm_s"]);
}

#[test]
fn optimize_refuses_bad_targets_bounds_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--target", "coverage_per_pass=1.5", "--vary", "technique.speed_mm_s=10:80"], &["--target", "0 < value < 1"]),
        (&["--target", "coverage_per_pass=-0.1", "--vary", "technique.speed_mm_s=10:80"], &["--target", "0 < value < 1"]),
        (&["--target", "coverge=0.2", "--vary", "technique.speed_mm_s=10:80"], &["--target", "coverage_per_pass"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s=80:10"], &["--vary technique.speed_mm_s", "LO < HI"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s=10:10"], &["LO < HI"]),
        (&["--target", "coverage=0.2", "--vary", "technique.sped_mm_s=10:80"], &["sped_mm_s"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s=0:80"], &["technique.speed_mm_s", "0 < speed"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s"], &["--vary", "KEY=LO:HI"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s=10:80", "--seeds", "0"], &["--seeds", "1–"]),
        (&["--target", "coverage=0.2", "--vary", "technique.speed_mm_s=10:80", "--weights", "cv=-1"], &["--weights cv"]),
    ];
    assert_refusals(dir.path(), "optimize", "opt", cases);
}
