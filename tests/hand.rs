//! The real hand: the ideal hand reproduces the ideal run exactly, tremor moves punctures
//! without changing the mean density, drag = v × duty / f, depth under tilt = cos(tilt),
//! reproducibility; and the patterns and passes-per-spot figures that come with it.

mod common;

use common::{SMALL, bin, check};
use needlesim::geometry::Rect;
use needlesim::metrics;
use needlesim::needle::puncture::{Puncture, place_hand};
use needlesim::pen::cartridge::{Cartridge, grid_layout};
use needlesim::pen::device::Device;
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::technique::hand::Hand;
use needlesim::technique::lanes::{PassPlan, Pattern};
use needlesim::technique::walk::walk_pass;
use proptest::prelude::*;

fn sim(pattern: Pattern, dirs: &[f64], area: Rect) -> Simulation {
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let device = Device { frequency_hz: 120.0, rotation_deg: 18.0, ..Device::default() };
    let passes = dirs
        .iter()
        .map(|&d| PassPlan {
            direction_deg: d,
            pattern,
            speed_mm_s: 40.0,
            lane_spacing_mm: cartridge.track_width_mm(d, 18.0),
            lane_offset_mm: 0.0,
        })
        .collect();
    Simulation {
        name: "hand".into(),
        seed: 5,
        cartridge,
        device,
        area,
        passes,
        grid: GridSpec::new(0.02).unwrap(),
        halo_mm: 0.0,
        picture: false,
        frames: 0,
        limits: Limits::default(),
        technique: Default::default(),
    }
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::Serpentine),
        Just(Pattern::Strokes),
        Just(Pattern::Random),
        (0.3f64..2.0, 0.3f64..2.0).prop_map(|(radius_mm, advance_mm)| Pattern::Circles { radius_mm, advance_mm }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// The general walker with an ideal hand gives the ideal run's punctures: positions to
    /// the bit (times to 1e-9 s for `random`, which the walker re-times), no tilt, no drag.
    #[test]
    fn an_ideal_hand_walks_the_ideal_run(
        pattern in pattern(), dirs in prop::collection::vec(0.0f64..180.0, 1..4),
        w in 3.0f64..12.0, h in 3.0f64..12.0, x0 in -5.0f64..5.0, seed in any::<u64>(),
    ) {
        let mut s = sim(pattern, &dirs, Rect::new(x0, -1.0, x0 + w, h - 1.0));
        s.seed = seed;
        let (ideal, _, times) = s.punctures();
        let mut walked = Vec::new();
        for (i, plan) in s.passes.iter().enumerate() {
            let wk = walk_pass(&s.area, plan, &s.device, &Hand::ideal(), None, s.seed, i);
            prop_assert!((wk.time_s - times[i]).abs() < 1e-9 || pattern == Pattern::Random);
            place_hand(&s.cartridge, &s.device, i as u16, &wk.stamps, &mut walked);
        }
        prop_assert_eq!(ideal.len(), walked.len());
        for (a, b) in ideal.iter().zip(&walked) {
            prop_assert_eq!((a.pass, a.stamp, a.needle, a.x_mm, a.y_mm), (b.pass, b.stamp, b.needle, b.x_mm, b.y_mm));
            prop_assert!((a.t_s - b.t_s).abs() < 1e-9);
            prop_assert!(b.is_disk());
        }
    }

    /// Passes per spot: the histogram sums to 1, its non-zero part is the coverage, and its
    /// mean is the sum of the per-pass coverages (each pass that hits a spot counts once).
    #[test]
    fn passes_per_spot_add_up(dirs in prop::collection::vec(0.0f64..180.0, 1..6), tremor in 0.0f64..0.5) {
        let mut s = sim(Pattern::Serpentine, &dirs, Rect::new(0.0, 0.0, 8.0, 6.0));
        s.technique.hand.tremor_amplitude_mm = tremor;
        let c = s.run().unwrap().hole_coverage;
        prop_assert_eq!(c.passes_per_spot.len(), dirs.len() + 1);
        prop_assert!((c.passes_per_spot.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        prop_assert!((1.0 - c.passes_per_spot[0] - c.coverage).abs() < 1e-9);
        let mean: f64 = c.passes_per_spot.iter().enumerate().map(|(k, f)| k as f64 * f).sum();
        prop_assert!((mean - c.coverage_per_pass.iter().sum::<f64>()).abs() < 1e-9);
        let over3: f64 = c.passes_per_spot.iter().skip(4).sum();
        prop_assert!((over3 - c.over_3_passes_fraction).abs() < 1e-12);
    }
}

/// Zero-mean tremor moves punctures across the lanes but keeps their number, and the mean
/// density does not change within sampling error: over 16 seeds the mean change of the
/// count in a window two lane periods tall, 3 mm (10 σ) inside the patch, is within 3
/// standard errors of 0. (For a density periodic across the lanes, a window of whole
/// periods loses to the tremor exactly what it gains.) At the patch's own edges, where the
/// outermost needles run on the edge, tremor can only push punctures out: the whole
/// patch's count drops.
#[test]
fn zero_mean_tremor_keeps_the_mean_density() {
    let area = Rect::new(0.0, 0.0, 20.0, 12.0);
    let base = sim(Pattern::Strokes, &[0.0], area);
    let period = base.passes[0].lane_spacing_mm;
    let window = Rect::new(2.0, 3.0, 18.0, 3.0 + 2.0 * period);
    let count = |p: &[Puncture], r: Rect| metrics::density(p, &RectDomain(r))[0].punctures_inside as f64;
    let (ideal, ..) = base.punctures();
    let (n0, all0) = (count(&ideal, window), count(&ideal, area));
    let (mut d, mut edge, mut shift) = (Vec::new(), 0.0, Vec::new());
    for seed in 1..=16 {
        let mut s = base.clone();
        s.seed = seed;
        s.technique.hand = Hand { tremor_amplitude_mm: 0.3, tremor_time_constant_s: 0.1, ..Hand::ideal() };
        let (p, ..) = s.punctures();
        assert_eq!(p.len(), ideal.len(), "tremor must not add or remove punctures");
        // Tremor really moved them.
        assert!(p.iter().zip(&ideal).any(|(a, b)| (a.y_mm - b.y_mm).abs() > 0.1));
        d.push(count(&p, window) - n0);
        edge += count(&p, area) - all0;
        shift.push(p.iter().zip(&ideal).map(|(a, b)| a.y_mm - b.y_mm).sum::<f64>() / p.len() as f64);
    }
    // The offsets themselves have zero mean (a biased hand would shift the whole pattern,
    // which a window of whole lane periods cannot see).
    let m = shift.iter().sum::<f64>() / shift.len() as f64;
    let se = (shift.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (shift.len() as f64 - 1.0)).sqrt() / (shift.len() as f64).sqrt();
    assert!(m.abs() <= 3.0 * se && se < 0.05, "mean lateral offset {m} mm (se {se})");
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(sd > 0.0);
    assert!(mean.abs() <= 3.0 * sd / n.sqrt(), "mean change {mean} punctures (sd {sd}) of {n0}");
    assert!(mean.abs() / n0 < 0.01, "{mean} of {n0}");
    assert!(edge / n < 0.0, "the patch edges should lose punctures: {}", edge / n);
}

/// Drag: a contact duty makes every needle slide v × duty / f along the motion.
#[test]
fn drag_length_is_speed_times_duty_over_frequency() {
    let mut s = sim(Pattern::Strokes, &[0.0, 90.0], Rect::new(0.0, 0.0, 10.0, 8.0));
    s.device.contact_duty = Some(0.3);
    let r = s.run().unwrap();
    let expected = needlesim::needle::footprint::drag_length_mm(40.0, 0.3, 120.0);
    assert!((expected - 0.1).abs() < 1e-12);
    for p in &r.punctures {
        let dir = if p.pass == 0 { (1.0, 0.0) } else { (0.0, 1.0) };
        // Strokes lanes run in +x (pass 0) and +y (pass 1); f32 storage: 1e-7 mm.
        assert!((p.drag_x_mm as f64 - expected * dir.0).abs() < 1e-7 && (p.drag_y_mm as f64 - expected * dir.1).abs() < 1e-7, "{p:?}");
    }
    assert!((r.technique.mean_drag_mm - expected).abs() < 1e-7);
    // Slots cover more than holes: the same punctures without drag cover less.
    let without = r.technique.coverage_without_drag.unwrap();
    assert!(r.hole_coverage.coverage > without);
    // The hole-area ratio bounds the gain: (πr² + 2rL) / πr².
    let gain = (std::f64::consts::PI * 0.0081 + 2.0 * 0.09 * 0.1) / (std::f64::consts::PI * 0.0081);
    assert!(r.hole_coverage.coverage < without * gain + 1e-9);
}

/// Depth under tilt: a steady 30° tilt gives every puncture tilt 30° and a depth factor
/// cos 30°; the device's angle adds its own tilt.
#[test]
fn depth_ratio_under_tilt_is_cos_tilt() {
    let mut s = sim(Pattern::Serpentine, &[0.0], Rect::new(0.0, 0.0, 8.0, 6.0));
    s.technique.hand = Hand { tilt_mean_deg: 30.0, ..Hand::ideal() };
    let r = s.run().unwrap();
    assert!(r.punctures.iter().all(|p| p.tilt_deg == 30.0));
    assert!((r.technique.mean_depth_factor - 30f64.to_radians().cos()).abs() < 1e-12);
    assert!(r.warnings.iter().any(|w| w.contains("30° from perpendicular")), "{:?}", r.warnings);
    s.technique.hand = Hand { tilt_mean_deg: 5.0, ..Hand::ideal() };
    s.device.angle_deg = 80.0;
    let r = s.run().unwrap();
    assert!(r.punctures.iter().all(|p| p.tilt_deg == 15.0));
    assert!((r.technique.mean_depth_factor - 15f64.to_radians().cos()).abs() < 1e-6);
}

/// Stamping a lattice cartridge with a tiling step: with an ideal hand every hit spot is
/// hit exactly `stamps_per_spot` times, and the passes-per-spot histogram is all on 1.
#[test]
fn stamping_in_place_stacks_the_firings() {
    let cartridge = Cartridge { needles_mm: grid_layout(3, 3, 1.0), needle_diameter_mm: 0.18, depth_mm: 1.0 };
    let mut s = sim(Pattern::Stamping { step_mm: 3.0, stamps_per_spot: 4 }, &[0.0], Rect::new(0.0, 0.0, 12.0, 9.0));
    s.cartridge = cartridge;
    s.device.rotation_deg = 0.0;
    s.passes[0].lane_spacing_mm = 3.0;
    let r = s.run().unwrap();
    let c = &r.hole_coverage;
    assert!(c.coverage > 0.02);
    assert!((c.hits_histogram[4] - c.coverage).abs() < 1e-12, "{:?}", c.hits_histogram);
    assert_eq!(c.max_hits, 4);
    // 3 lanes × 5 spots × 4 firings; the walk takes 4 periods per spot and one step per move.
    assert_eq!(r.stamps_per_pass[0], 60);
    let expected = 15.0 * 3.0 / 120.0 + (12.0 * 3.0 + 2.0 * 3.0) / 40.0;
    assert!((r.pass_time_s[0] - expected).abs() < 1e-9, "{} vs {expected}", r.pass_time_s[0]);
    // Tremor spreads the stacked firings: fewer spots hit 4 times.
    s.technique.hand.tremor_amplitude_mm = 0.05;
    let shaky = s.run().unwrap().hole_coverage;
    assert!(shaky.hits_histogram[4] < c.hits_histogram[4] && shaky.coverage > c.coverage);
}

/// Circles: stamps are `speed / frequency` apart along the curve (chords never longer).
#[test]
fn circles_stamp_evenly_along_the_curve() {
    let s = sim(Pattern::Circles { radius_mm: 1.0, advance_mm: 1.0 }, &[0.0], Rect::new(0.0, 0.0, 10.0, 6.0));
    let (p, stamps, times) = s.punctures();
    let centres: Vec<_> = p.iter().filter(|q| q.needle == 0).collect();
    assert_eq!(centres.len(), stamps[0]);
    let step = 40.0 / 120.0;
    // A chord is never longer than the arc; on this gently curved path (and its corners
    // where lanes join) it is rarely much shorter.
    let chords: Vec<f64> = centres.windows(2).map(|w| (w[1].x_mm - w[0].x_mm).hypot(w[1].y_mm - w[0].y_mm)).collect();
    assert!(chords.iter().all(|&c| c <= step + 1e-9 && c > 0.5 * step));
    let mean = chords.iter().sum::<f64>() / chords.len() as f64;
    assert!(mean > 0.97 * step, "{mean} vs {step}");
    // Time: the curve's length at the set speed; stamps: one per step of it.
    let len: f64 = needlesim::technique::lanes::path_length_mm(&needlesim::technique::lanes::path(&s.area, &s.passes[0])).0;
    assert!((times[0] - len / 40.0).abs() < 1e-9);
    assert_eq!(stamps[0], (len / step + 1e-9).floor() as usize + 1);
}

/// Explicit zero-variability tables change nothing: the files of a run with `[hand]` and
/// `[session]` at their defaults are byte-identical to those of a run without them.
#[test]
fn explicit_ideal_tables_reproduce_the_run_byte_for_byte() {
    let (a, oa, _) = check(SMALL, &[]);
    let with = format!("{SMALL}\n[hand]\ntremor_amplitude_mm = 0.0\nspeed_sd_fraction = 0\ntilt_sd_deg = 0\n\n[session]\n");
    let (b, ob, _) = check(&with, &[]);
    assert!(oa.status.success() && ob.status.success());
    for f in ["punctures.csv", "heatmap.png", "summary.json"] {
        let (x, y) = (std::fs::read(a.path().join("out").join(f)).unwrap(), std::fs::read(b.path().join("out").join(f)).unwrap());
        assert!(x == y, "{f} differs");
    }
}

/// A real hand is reproducible: same scenario and seed, byte-identical outputs for 1 and 2
/// threads; another seed gives another run.
#[test]
fn a_real_hand_is_reproducible_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = common::root().join("scenarios/real-hand.toml");
    let mut outs = Vec::new();
    for (threads, seed) in [("1", "42"), ("2", "42"), ("2", "43")] {
        let out = dir.path().join(format!("t{threads}-{seed}"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(["--set", "patch.width_mm=12", "--set", "patch.height_mm=10", "--set", &format!("seed={seed}")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(out);
    }
    for f in ["summary.json", "punctures.csv", "heatmap.png"] {
        let read = |k: usize| std::fs::read(outs[k].join(f)).unwrap();
        assert!(read(0) == read(1), "{f} differs between 1 and 2 threads");
    }
    assert!(std::fs::read(outs[1].join("punctures.csv")).unwrap() != std::fs::read(outs[2].join("punctures.csv")).unwrap());
    let csv = std::fs::read_to_string(outs[0].join("punctures.csv")).unwrap();
    assert!(csv.starts_with("pass,stamp,needle,x_mm,y_mm,depth_mm,t_s,tilt_deg,tilt_azimuth_deg,drag_x_mm,drag_y_mm\n"));
}

/// Pass order performs the planned passes in another order: per-pass coverage permuted,
/// total unchanged (each pass has its own stream, so ideal passes do not depend on order).
#[test]
fn pass_order_permutes_the_passes() {
    let (_a, oa, sa) = check(SMALL, &[]);
    let (_b, ob, sb) = check(SMALL, &["--set", "technique.pass_order=[2, 0, 1]"]);
    assert!(oa.status.success() && ob.status.success(), "{}", String::from_utf8_lossy(&ob.stderr));
    let (sa, sb) = (sa.unwrap(), sb.unwrap());
    let per = |s: &serde_json::Value| s["coverage_per_pass"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect::<Vec<_>>();
    let (pa, pb) = (per(&sa), per(&sb));
    assert_eq!(pb, vec![pa[2], pa[0], pa[1]]);
    assert!((sa["coverage"].as_f64().unwrap() - sb["coverage"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(sb["technique"]["directions_deg"], serde_json::json!([45.0, 0.0, 90.0]));
}

/// Bad hand, device and pattern settings: exit 2 with the key, the value and the range.
#[test]
fn bad_technique_input_is_refused_clearly() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("negative sd", &["--set", "hand.tilt_sd_deg=-1"], &["hand.tilt_sd_deg", "-1", "0 ≤ sd"]),
        ("negative tremor", &["--set", "hand.tremor_amplitude_mm=-0.2"], &["hand.tremor_amplitude_mm", "-0.2"]),
        ("NaN speed sd", &["--set", "hand.speed_sd_fraction=nan"], &["hand.speed_sd_fraction", "NaN"]),
        ("zero time constant", &["--set", "hand.tremor_time_constant_s=0"], &["hand.tremor_time_constant_s", "0 < time constant"]),
        ("duty zero", &["--set", "device.contact_duty=0"], &["device.contact_duty", "0 < duty ≤ 1"]),
        ("duty above one", &["--set", "device.contact_duty=1.5"], &["device.contact_duty", "1.5", "0 < duty ≤ 1"]),
        ("unknown hand key", &["--set", "hand.tremor_mm=1"], &["tremor_mm"]),
        ("unknown pattern", &["--set", "technique.patterns=[\"serpentine\", \"zigzag\"]"], &["technique.patterns[1]", "zigzag", "circles"]),
        ("pass order repeats", &["--set", "technique.pass_order=[0, 0, 1]"], &["technique.pass_order", "permutation"]),
        ("pass order short", &["--set", "technique.pass_order=[1, 0]"], &["technique.pass_order", "permutation of 0–2"]),
        (
            "circle radius",
            &["--set", "technique.pattern=\"circles\"", "--set", "technique.circle_radius_mm=-1"],
            &["technique.circle_radius_mm", "-1"],
        ),
        (
            "stamps per spot",
            &["--set", "technique.pattern=\"stamping\"", "--set", "technique.stamps_per_spot=0"],
            &["technique.stamps_per_spot", "1–1000"],
        ),
        ("negative cocktail", &["--set", "session.cocktail_ul_per_puncture=-0.1"], &["session.cocktail_ul_per_puncture", "-0.1"]),
        ("zero procedure limit", &["--set", "session.procedure_limit_min=0"], &["session.procedure_limit_min"]),
    ];
    for (what, extra, needles) in cases {
        let (dir, out, _) = check(SMALL, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: exit {:?}, stderr {err}", out.status.code());
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!dir.path().join("out").exists(), "{what}: output left behind");
    }
}

/// A tilt sd wide enough to draw past 80° is legal but warned about (clipped draws counted).
#[test]
fn clipped_tilt_draws_are_a_warning() {
    let (_d, out, s) =
        check(SMALL, &["--set", "hand.tilt_mean_deg=60", "--set", "hand.tilt_sd_deg=30", "--set", "technique.directions_deg=[0]"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = s.unwrap();
    assert!(s["hand"]["tilt_clipped_stamps"].as_u64().unwrap() > 0);
    let w = s["warnings"].to_string();
    assert!(w.contains("clipped") && w.contains("from perpendicular"), "{w}");
}
