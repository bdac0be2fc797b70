//! Aliasing (moiré): the periodic lane model against the full simulation, and the warning,
//! suggestions and picture of `run`.

mod common;

use common::{SMALL, check};
use needlesim::geometry::Rect;
use needlesim::metrics::aliasing::{Projected, check_pass};
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::dense::dense_counts;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::technique::lanes::{PassPlan, Pattern};

/// One long stroke lane of a 12-needle grid, measured by the dense truth in a window away
/// from the lane's ends, covers its band as the periodic model says: at aliasing and
/// non-aliasing speeds, with and without a turned cartridge.
#[test]
fn lane_model_matches_the_simulated_lane() {
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    for rotation in [0.0, 18.0] {
        for speed in [40.0, 34.3, 43.0, 60.0] {
            let proj = Projected::new(&cartridge, rotation, 0.0);
            let (lo, hi) = proj.band();
            let sim = Simulation {
                name: "lane".into(),
                seed: 1,
                cartridge: cartridge.clone(),
                device: Device { frequency_hz: 120.0, rotation_deg: rotation, ..Device::default() },
                area: Rect::new(0.0, lo, 40.0, hi),
                passes: vec![PassPlan {
                    direction_deg: 0.0,
                    pattern: Pattern::Strokes,
                    speed_mm_s: speed,
                    lane_spacing_mm: hi - lo,
                    lane_offset_mm: 0.0,
                }],
                grid: GridSpec::new(0.005).unwrap(),
                halo_mm: 0.0,
                picture: false,
                frames: 0,
                limits: Limits::default(),
                technique: Default::default(),
            };
            let (punctures, _, _) = sim.punctures();
            // Window: 10–30 mm along, the whole band across.
            let window = Rect::new(10.0, lo, 30.0, hi);
            let d = dense_counts(&punctures, cartridge.radius_mm(), &window, &sim.grid);
            let measured = d.counts.iter().filter(|&&c| c > 0).count() as f64 / d.counts.len() as f64;
            let (model, _) = proj.lane_coverage(speed / 120.0);
            assert!(
                (measured - model).abs() < 0.01 + 0.02 * model,
                "rotation {rotation}, {speed} mm/s: simulated {measured:.4} vs model {model:.4}"
            );
        }
    }
}

/// A speed known to alias (pitch × frequency / k) is flagged in summary.json with speeds to
/// try and a picture; a speed between two aliasing values is not.
#[test]
fn run_flags_an_aliasing_speed_and_not_one_between() {
    let base = ["--set", "device.rotation_deg=0", "--set", "technique.directions_deg=[0]"];
    // 1 mm pitch × 120 Hz / 3 = 40 mm/s.
    let (dir, out, s) = check(SMALL, &[&base[..], &["--set", "technique.speed_mm_s=40"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    assert_eq!(s["aliasing"][0]["flagged"], true, "{}", s["aliasing"]);
    let w = s["warnings"].to_string();
    assert!(w.contains("aliasing at 40 mm/s") && w.contains("3 × the stamp step"), "{w}");
    let tries: Vec<f64> = s["aliasing"][0]["suggested_speeds_mm_s"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(tries.len(), 2);
    assert!(tries[0] > 120.0 / 3.5 - 1e-9 && tries[0] < 40.0 && tries[1] > 40.0 && tries[1] < 48.0, "{tries:?}");
    let png = std::fs::read(dir.path().join("out/aliasing.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    // Between 120/3 and 120/4: 120 / 3.25 ≈ 36.9 mm/s.
    let (dir, out, s) = check(SMALL, &[&base[..], &["--set", "technique.speed_mm_s=36.923"]].concat());
    assert!(out.status.success());
    let s = s.unwrap();
    assert_eq!(s["aliasing"][0]["flagged"], false, "{}", s["aliasing"]);
    assert!(!s["warnings"].to_string().contains("aliasing"));
    assert!(!dir.path().join("out/aliasing.png").exists());
}

/// The suggested speeds are not themselves aliasing, for several lattices.
#[test]
fn suggestions_do_not_alias() {
    for spec in ["square:12:1.0", "square:20:0.8", "hex:19:1.0"] {
        let needles = needlesim::pen::layout::LayoutSpec::parse(spec).unwrap().generate().unwrap();
        let c = Cartridge { needles_mm: needles, needle_diameter_mm: 0.18, depth_mm: 1.0 };
        for speed in [30.0, 40.0, 60.0] {
            let a = check_pass(&c, 0.0, 0, 0.0, speed, 120.0, 0.0);
            for v in &a.suggested_speeds_mm_s {
                assert!(!check_pass(&c, 0.0, 0, 0.0, *v, 120.0, 0.0).flagged, "{spec} {speed} → {v}");
            }
        }
    }
}

/// A hand whose speed drifts (±15 %, the hand model's slow OU factor) washes the stripes
/// out: the speed-averaged lane model is not flagged at the aliasing speed, matches the
/// simulated lane, and a nearly steady hand (±1 %) is still flagged.
#[test]
fn a_varying_hand_washes_aliasing_out_as_the_model_says() {
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    assert!(check_pass(&cartridge, 0.0, 0, 0.0, 40.0, 120.0, 0.01).flagged);
    let a = check_pass(&cartridge, 0.0, 0, 0.0, 40.0, 120.0, 0.15);
    assert!(!a.flagged, "{a:?}");
    let proj = Projected::new(&cartridge, 0.0, 0.0);
    let (lo, hi) = proj.band();
    let mut technique = needlesim::technique::Technique::default();
    technique.hand.speed_sd_fraction = 0.15;
    let mut measured = Vec::new();
    for seed in 1..=4 {
        let sim = Simulation {
            name: "lane".into(),
            seed,
            cartridge: cartridge.clone(),
            device: Device { frequency_hz: 120.0, ..Device::default() },
            area: Rect::new(0.0, lo, 300.0, hi),
            passes: vec![PassPlan {
                direction_deg: 0.0,
                pattern: Pattern::Strokes,
                speed_mm_s: 40.0,
                lane_spacing_mm: hi - lo,
                lane_offset_mm: 0.0,
            }],
            grid: GridSpec::new(0.01).unwrap(),
            halo_mm: 0.0,
            picture: false,
            frames: 0,
            limits: Limits::default(),
            technique: technique.clone(),
        };
        measured.push(sim.run().unwrap().hole_coverage.coverage);
    }
    let mean = measured.iter().sum::<f64>() / measured.len() as f64;
    // 4 × 300 mm of lane ≈ 60 speed correlation lengths (40 mm/s × 0.5 s): a few per cent.
    assert!((mean - a.lane_coverage).abs() < 0.06 * a.lane_coverage, "simulated {measured:?} vs model {}", a.lane_coverage);
}
