//! Real hands on the surface against independent truth: a flat square mesh is the patch run
//! with the same hand (same streams, same punctures), a tilted pen's holes have the ellipse
//! area πr²/cos θ on a curved skin in any chart, the frontal pen composes its tilt with the
//! hand's in closed form on a cylinder, conservation and thread independence, no needle in
//! a no-go zone at the default margin (brute force), and what stays refused exits 2.

mod common;

use std::f64::consts::PI;

use common::surface::{assert_conserved, one_needle, pass, region};
use common::{bad_input, ok, run_in};
use needlesim::face::surface_face::SurfaceFace;
use needlesim::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use needlesim::geometry::{Rect, Vec2};
use needlesim::metrics::boolean_coverage;
use needlesim::needle::footprint::{Footprint, tilt_depth_factor};
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::surface::chart::Chart;
use needlesim::surface::clearance::Clearance;
use needlesim::surface::place::NO_TRIANGLE;
use needlesim::surface::shapes::{flat_rect, half_cylinder, sphere_cap};
use needlesim::surface::{PenOrientation, SurfaceMesh};
use needlesim::technique::Technique;
use needlesim::technique::hand::Hand;
use needlesim::technique::lanes::{PassPlan, Pattern};

/// A shaky hand: every departure on.
fn shaky() -> Hand {
    Hand {
        speed_sd_fraction: 0.2,
        speed_time_constant_s: 0.3,
        tremor_amplitude_mm: 0.15,
        tremor_time_constant_s: 0.1,
        tilt_mean_deg: 6.0,
        tilt_sd_deg: 4.0,
        tilt_time_constant_s: 0.5,
        tilt_azimuth_deg: 30.0,
        frequency_jitter_fraction: 0.05,
    }
}

/// The pen held 10° off square and the needles in the skin for 30 % of each period.
fn tilted_dragging() -> Device {
    Device { angle_deg: 80.0, contact_duty: Some(0.3), ..Device::default() }
}

fn session(mesh: SurfaceMesh, passes: Vec<PassPlan>, cartridge: Cartridge, hand: Hand, device: Device) -> SurfaceSimulation {
    common::surface::session_with(mesh, passes, cartridge, hand, device)
}
/// Skin area of puncture `i`'s hole of radius `r`: its chart footprint's exact area times the
/// skin area per chart mm² of its stamp's triangle (affine on the triangle).
fn skin_area_mm2(chart: &Chart, res: &SurfaceRunResult, i: usize, r: f64) -> f64 {
    let p = &res.run.punctures[i];
    let f = Footprint::shaped(Vec2::new(p.x_mm, p.y_mm), &res.landing.shape[i], r);
    f.area_mm2() * chart.tris[res.landing.stamp_tri[i] as usize].area_factor
}

/// The flat square (UV = xy, mm) with a real hand, a tilted pen and dragging needles is the
/// patch run with the same hand: the same stamps (the hand's stream lines up), the same
/// punctures with the same tilt and drag, path times, coverage and the drag's figures.
#[test]
fn a_flat_square_with_a_real_hand_gives_the_patch_run() {
    let passes = vec![pass(Pattern::Serpentine, 0.0), pass(Pattern::Strokes, 90.0), pass(Pattern::Serpentine, 45.0)];
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let s = session(flat_rect(20.0, 20.0, 10, 10, "square"), passes.clone(), cartridge.clone(), shaky(), tilted_dragging());
    let surf = s.run().unwrap();
    let patch = Simulation {
        name: "patch".into(),
        seed: 7,
        cartridge,
        device: tilted_dragging(),
        area: Rect::new(0.0, 0.0, 20.0, 20.0),
        passes,
        grid: GridSpec::new(0.01).unwrap(),
        halo_mm: 0.0,
        picture: false,
        limits: Limits::default(),
        technique: Technique { hand: shaky(), ..Technique::default() },
        frames: 0,
    }
    .run()
    .unwrap();
    assert_eq!(surf.run.stamps_per_pass, patch.stamps_per_pass);
    assert_eq!(surf.run.punctures.len(), patch.punctures.len());
    let mut tilted = 0;
    for (a, b) in surf.run.punctures.iter().zip(&patch.punctures) {
        assert_eq!((a.pass, a.stamp, a.needle), (b.pass, b.stamp, b.needle));
        // The surface's lanes end where a bisection to 10⁻⁶ mm finds the square's edge (the
        // patch's exactly on it): an oblique pass's turns differ by that much.
        assert!((a.x_mm - b.x_mm).abs() < 2e-6 && (a.y_mm - b.y_mm).abs() < 2e-6, "{a:?} vs {b:?}");
        if a.pass < 2 {
            assert!((a.x_mm - b.x_mm).abs() < 1e-9 && (a.y_mm - b.y_mm).abs() < 1e-9, "{a:?} vs {b:?}");
        }
        assert!((a.t_s - b.t_s).abs() < 1e-9);
        assert!((a.tilt_deg - b.tilt_deg).abs() < 1e-4, "{a:?} vs {b:?}");
        assert!((a.drag_x_mm - b.drag_x_mm).abs() < 1e-6 && (a.drag_y_mm - b.drag_y_mm).abs() < 1e-6, "{a:?} vs {b:?}");
        if b.tilt_deg.abs() > 1.0 {
            tilted += 1;
        }
    }
    assert!(tilted > surf.run.punctures.len() / 2, "the hand tilts the pen: {tilted}");
    // The footprint is the patch's ellipse (same area, same axis up to its sign) and slot.
    for (i, (a, b)) in surf.run.punctures.iter().zip(&patch.punctures).enumerate() {
        let mine = Footprint::shaped(Vec2::new(a.x_mm, a.y_mm), &surf.landing.shape[i], 0.09);
        let theirs = Footprint::of(b, 0.09);
        assert!((mine.area_mm2() / theirs.area_mm2() - 1.0).abs() < 1e-5, "{i}: {mine:?} vs {theirs:?}");
        assert!(mine.axis.dot(&theirs.axis).abs() > 1.0 - 1e-6 || (mine.a_mm - mine.b_mm).abs() < 1e-9, "{i}: {mine:?} vs {theirs:?}");
        assert!((mine.drag - theirs.drag).norm() < 1e-6);
        assert!((surf.landing.surface_tilt_deg[i] - b.tilt_deg.abs()).abs() < 1e-4);
    }
    for (k, (a, b)) in surf.run.pass_time_s.iter().zip(&patch.pass_time_s).enumerate() {
        // (The oblique pass's path is 10⁻⁶ mm off at its lane ends, see above.)
        assert!((a - b).abs() < if k < 2 { 1e-9 } else { 1e-6 }, "pass {k}: {a} vs {b}");
    }
    let (c, p) = (&surf.regions[0].figures.coverage, &patch.hole_coverage);
    assert!((c.coverage - p.coverage).abs() < 2e-4, "{} vs {}", c.coverage, p.coverage);
    for (a, b) in c.coverage_per_pass.iter().zip(&p.coverage_per_pass) {
        assert!((a - b).abs() < 2e-4, "{a} vs {b}");
    }
    let (ts, tp) = (&surf.run.technique, &patch.technique);
    assert!((ts.mean_drag_mm - tp.mean_drag_mm).abs() < 1e-6, "{} vs {}", ts.mean_drag_mm, tp.mean_drag_mm);
    assert!(ts.mean_drag_mm > 0.01);
    assert!((ts.mean_tilt_deg - tp.mean_tilt_deg).abs() < 1e-4);
    let (ws, wp) = (ts.coverage_without_drag.unwrap(), tp.coverage_without_drag.unwrap());
    assert!((ws - wp).abs() < 2e-4, "{ws} vs {wp}");
    assert!(ws < c.coverage, "the drag widens the holes: {ws} vs {}", c.coverage);
    // Real depth: the tilt shortens it as on the flat map.
    for (i, p) in surf.run.punctures.iter().enumerate().step_by(97) {
        let want = needlesim::needle::skin::real_depth_mm(1.0, 0.6, p.tilt_deg as f64);
        assert!((surf.real_depth_mm[i] - want).abs() < 1e-12);
    }
    let mean_tilt = surf.regions[0].surface_tilt_deg_mean;
    assert!((mean_tilt - tp.mean_tilt_deg).abs() < 1e-3, "{mean_tilt} vs {}", tp.mean_tilt_deg);
    // The frontal pen on a flat face is the normal pen: the tilts compose with a zero angle.
    let mut f = s.clone();
    f.orientation = PenOrientation::Frontal;
    let fr = f.run().unwrap();
    for (a, b) in fr.landing.surface_tilt_deg.iter().zip(&surf.landing.surface_tilt_deg) {
        assert!((a - b).abs() < 1e-3, "{a} vs {b}");
    }
}

/// Stamping in place on the flat square with a real hand is the patch's: the same spots
/// (every `step` mm along the serpentine's lanes), firings, tremor and times.
#[test]
fn stamping_on_a_flat_square_with_a_real_hand_gives_the_patch_run() {
    let stamping = Pattern::Stamping { step_mm: 2.5, stamps_per_spot: 3 };
    let passes = vec![pass(stamping, 0.0), pass(stamping, 90.0)];
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let s = session(flat_rect(20.0, 20.0, 10, 10, "square"), passes.clone(), cartridge.clone(), shaky(), tilted_dragging());
    let surf = s.run().unwrap();
    let patch = Simulation {
        name: "patch".into(),
        seed: 7,
        cartridge,
        device: tilted_dragging(),
        area: Rect::new(0.0, 0.0, 20.0, 20.0),
        passes,
        grid: GridSpec::new(0.01).unwrap(),
        halo_mm: 0.0,
        picture: false,
        limits: Limits::default(),
        technique: Technique { hand: shaky(), ..Technique::default() },
        frames: 0,
    }
    .run()
    .unwrap();
    assert_eq!(surf.run.stamps_per_pass, patch.stamps_per_pass);
    assert_eq!(surf.run.stamps_per_pass[0], 7 * 9 * 3, "7 lanes of 9 spots, 3 firings each");
    for (a, b) in surf.run.punctures.iter().zip(&patch.punctures) {
        assert_eq!((a.pass, a.stamp, a.needle), (b.pass, b.stamp, b.needle));
        assert!((a.x_mm - b.x_mm).abs() < 1e-9 && (a.y_mm - b.y_mm).abs() < 1e-9, "{a:?} vs {b:?}");
        assert!((a.t_s - b.t_s).abs() < 1e-9 && (a.tilt_deg - b.tilt_deg).abs() < 1e-4);
        assert_eq!((a.drag_x_mm, a.drag_y_mm, b.drag_x_mm, b.drag_y_mm), (0.0, 0.0, 0.0, 0.0), "the pen is still while it fires");
    }
    for (a, b) in surf.run.pass_time_s.iter().zip(&patch.pass_time_s) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    let (c, p) = (&surf.regions[0].figures.coverage, &patch.hole_coverage);
    assert!((c.coverage - p.coverage).abs() < 2e-4, "{} vs {}", c.coverage, p.coverage);
    assert_eq!(surf.run.technique.session.lane_changes, patch.technique.session.lane_changes);
}

/// A pen tilted a fixed θ from the normal on a cylinder: every hole's skin area is the
/// ellipse's πr²/cos θ, in an isometric and a 3:1 stretched chart; and sparse random
/// punctures cover 1 − exp(−λ πr²/cos θ) of the skin (the Boolean model with the ellipse).
#[test]
fn a_tilted_pen_on_a_cylinder_makes_ellipses_of_area_pi_r2_over_cos() {
    let r = 0.09;
    let theta: f64 = 40.0;
    let hand = Hand { tilt_mean_deg: theta, tilt_azimuth_deg: 25.0, ..Hand::ideal() };
    let mut got = Vec::new();
    for stretch in [1.0, 3.0] {
        let mut p = pass(Pattern::Random, 0.0);
        p.lane_spacing_mm = 0.4;
        let s = session(half_cylinder(15.0, 12.0, 96, 8, stretch), vec![p], one_needle(), hand.clone(), Device::default());
        let res = s.run().unwrap();
        assert_conserved(&res, 1);
        let chart = s.chart().unwrap();
        let want = PI * r * r / tilt_depth_factor(theta);
        for i in 0..res.run.punctures.len() {
            assert!((res.landing.surface_tilt_deg[i] as f64 - theta).abs() < 1e-4);
            let a = skin_area_mm2(&chart, &res, i, r);
            assert!((a / want - 1.0).abs() < 1e-6, "stretch {stretch}, puncture {i}: {a} vs {want}");
        }
        let area = res.regions[0].skin_area_mm2;
        let lambda = res.run.punctures.len() as f64 / area;
        let expected = boolean_coverage(lambda, want);
        let c = res.regions[0].figures.coverage.coverage;
        assert!((c - expected).abs() < 0.005, "stretch {stretch}: {c} vs {expected}");
        // The untilted disks would cover clearly less (the test can fail).
        assert!(c - boolean_coverage(lambda, PI * r * r) > 0.02);
        assert!((res.regions[0].surface_tilt_deg_max - theta).abs() < 1e-4);
        got.push(c);
    }
    assert!((got[0] - got[1]).abs() < 0.005, "{got:?}");
}

/// The frontal pen with a hand that leans forward along the motion on a cylinder (axis y):
/// the pen's axis is +z turned by θ_h towards the motion (±x), the skin normal at angle φ
/// from +z, so the tilt from the skin is |φ − s θ_h| (s = the motion's side, one per lane).
#[test]
fn the_frontal_pen_composes_its_tilt_with_the_hand_on_a_cylinder() {
    let theta_h: f64 = 15.0;
    let hand = Hand { tilt_mean_deg: theta_h, ..Hand::ideal() };
    let mut s =
        session(half_cylinder(20.0, 20.0, 128, 12, 1.0), vec![pass(Pattern::Serpentine, 0.0)], one_needle(), hand, Device::default());
    s.orientation = PenOrientation::Frontal;
    let res = s.run().unwrap();
    assert_conserved(&res, 1);
    let chart = s.chart().unwrap();
    let (mut plus, mut minus, mut plain) = (0, 0, 0);
    for i in 0..res.run.punctures.len() {
        let n = chart.tris[res.landing.stamp_tri[i] as usize].normal;
        let phi = n.x.atan2(n.z).to_degrees();
        if phi.abs() > 75.0 - theta_h {
            continue; // near the clip
        }
        let tilt = res.landing.surface_tilt_deg[i] as f64;
        if (tilt - (phi - theta_h).abs()).abs() < 1e-6 {
            plus += 1;
        } else if (tilt - (phi + theta_h).abs()).abs() < 1e-6 {
            minus += 1;
        } else {
            panic!("puncture {i}: tilt {tilt} at φ = {phi} is neither |φ ∓ {theta_h}|");
        }
        if (tilt - phi.abs()).abs() < 1.0 {
            plain += 1;
        }
    }
    // Serpentine: lanes both ways, so both signs, and the hand changed the tilt.
    assert!(plus > 100 && minus > 100, "{plus} {minus}");
    assert!(plain < (plus + minus) / 20, "{plain}");
    // Real depth follows the composed tilt.
    let i = res.real_depth_mm.len() / 2;
    let want = needlesim::needle::skin::real_depth_mm(1.0, 0.6, res.landing.surface_tilt_deg[i] as f64);
    assert!((res.real_depth_mm[i] - want).abs() < 1e-6);
}

/// Conservation with every departure of the hand, 1 vs 2 threads byte-identical.
#[test]
fn a_real_hand_conserves_punctures_and_threads_change_nothing() {
    let cartridge = Cartridge::preset(16, 1.0).unwrap();
    let mut s = session(
        sphere_cap(40.0, 50.0, 24, 96),
        vec![pass(Pattern::Serpentine, 30.0), pass(Pattern::Random, 0.0), pass(Pattern::Strokes, 120.0)],
        cartridge,
        shaky(),
        tilted_dragging(),
    );
    s.halo_mm = 0.2;
    s.picture = true;
    let run = |s: &SurfaceSimulation, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| s.run().unwrap())
    };
    for o in [PenOrientation::Normal, PenOrientation::Frontal] {
        s.orientation = o;
        let (a, b) = (run(&s, 1), run(&s, 2));
        assert_conserved(&a, 16);
        assert_eq!(format!("{:?}", a.run.punctures), format!("{:?}", b.run.punctures));
        assert_eq!(format!("{:?}", a.landing.shape), format!("{:?}", b.landing.shape));
        assert_eq!(format!("{:?}", a.hole_groups), format!("{:?}", b.hole_groups));
        assert_eq!(format!("{:?}", a.zone_groups), format!("{:?}", b.zone_groups));
        assert_eq!(format!("{:?}", a.run.hole.raster), format!("{:?}", b.run.hole.raster));
        assert_eq!(format!("{:?}", a.regions), format!("{:?}", b.regions));
        assert_eq!(format!("{:?}", a.run.technique), format!("{:?}", b.run.technique));
        assert!(a.regions[0].surface_tilt_deg_mean > 5.0, "{o:?}: {}", a.regions[0].surface_tilt_deg_mean);
        assert!(a.run.technique.mean_drag_mm > 0.0);
        // Every stamp counted was placed: the punctures' stamp indices run 0..stamps.
        let mut k = 0;
        for (pass, &n) in a.run.stamps_per_pass.iter().enumerate() {
            let last = a.run.punctures[k + n * 16 - 1];
            assert_eq!((last.pass as usize, last.stamp as usize), (pass, n - 1));
            k += n * 16;
        }
    }
}

/// A "face-like" cap with a no-go disk at the pole, a real hand (tilted, dragging, a small
/// tremor): at the default margin (footprint radius + 0.5 mm) no needle lands in the zone and
/// no hole (its tilted, dragged footprint on the skin) reaches it, by brute force over every
/// no-go triangle; with no margin some do (the test can fail).
#[test]
fn no_needle_of_a_real_hand_reaches_a_no_go_zone_at_the_default_margin() {
    let m = common::surface::cap_with_eye();
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let margin = 0.5 * cartridge.footprint_diameter_mm() + 0.5;
    let face = SurfaceFace::new("face-like", m, vec![region("cheek")], vec!["eye".into()], vec![]).unwrap();
    let hand = Hand { tremor_amplitude_mm: 0.04, ..shaky() };
    let mut s = session(
        flat_rect(1.0, 1.0, 1, 1, "x"),
        vec![pass(Pattern::Serpentine, 20.0), pass(Pattern::Random, 0.0)],
        cartridge,
        hand,
        tilted_dragging(),
    );
    s.face = face;
    s.margin_mm = margin;
    let r = s.run().unwrap();
    assert_conserved(&r, 12);
    let chart = Chart::new(&s.face.mesh, "face-like").unwrap();
    let eye = Clearance::new(&chart, &[1], 1.0);
    let mut nearest = f64::INFINITY;
    for (i, (p, &t)) in r.run.punctures.iter().zip(&r.landing.tri).enumerate() {
        assert_ne!(t, NO_TRIANGLE);
        assert_ne!(chart.tris[t as usize].group, 1, "a needle landed in the no-go zone");
        // The hole's reach on the skin: its centre, the drag's end, ± the ellipse's long axis.
        let m = &chart.tris[t as usize];
        let q = m.to_skin(Vec2::new(p.x_mm, p.y_mm));
        let drag = m.jac * r.landing.shape[i].drag;
        let long = 0.09 / tilt_depth_factor(r.landing.surface_tilt_deg[i] as f64);
        nearest = nearest.min(eye.distance_mm(q).min(eye.distance_mm(q + drag)) - long);
    }
    assert!(nearest > 0.0, "a hole reaches the no-go zone: {nearest} mm");
    assert_eq!(r.no_go.iter().map(|z| z.punctures).collect::<Vec<_>>(), vec![0]);
    assert!(!r.run.warnings.iter().any(|w| w.contains("face.margin_mm")), "{:?}", r.run.warnings);
    s.margin_mm = 0.0;
    let r0 = s.run().unwrap();
    assert!(r0.no_go[0].punctures > 0);
    // A tremor that can carry needles past the margin is warned about, as on the flat map.
    s.margin_mm = margin;
    s.technique.hand.tremor_amplitude_mm = 0.3;
    let w = s.validate(&chart).unwrap();
    assert!(w.iter().any(|w| w.contains("3 × hand.tremor_amplitude_mm")), "{w:?}");
}

/// A quad strip in cm with two groups (`a`, `b`) and a no-go group `z`, and a scenario for it.
const OBJ: &str = "v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\nv 0 1 0.2\nv 1 1 0.2\nv 2 1 0.2\nv 3 1 0.2\n\
vt 0 0\nvt 1 0\nvt 2 0\nvt 3 0\nvt 0 1\nvt 1 1\nvt 2 1\nvt 3 1\n\
g a\nf 1/1 2/2 6/6 5/5\ng z\nf 2/2 3/3 7/7 6/6\ng b\nf 3/3 4/4 8/8 7/7\n";

const SCENARIO: &str = r#"name = "strip"
seed = 3
[cartridge]
preset = 12
depth_mm = 0.5
[device]
angle_deg = 80
contact_duty = 0.3
[technique]
pattern = "serpentine"
speed_mm_s = 40
directions_deg = [0]
[hand]
tremor_amplitude_mm = 0.05
tilt_mean_deg = 5
speed_sd_fraction = 0.1
[face]
surface = "strip.obj"
units = "cm"
no_go = ["z"]
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
"#;

/// Through the binary: a surface run with a real hand writes the tilt from the skin with the
/// hand's in it, and the drag; what stays refused (circles on a surface; bad hand values)
/// exits 2 naming the key, writing nothing.
#[test]
fn the_binary_runs_a_real_hand_on_a_surface_and_refuses_what_stays_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("strip.obj"), OBJ).unwrap();
    std::fs::write(dir.path().join("s.toml"), SCENARIO).unwrap();
    ok(&run_in(dir.path(), &["run", "s.toml", "--out", "out"]));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/summary.json")).unwrap()).unwrap();
    // 10° from the pen's angle + 5° from the hand, from the local normal of the sloping strip.
    for g in ["a", "b"] {
        for k in ["surface_tilt_deg_mean", "surface_tilt_deg_max"] {
            let tilt = s["regions"][g][k].as_f64().unwrap();
            assert!((tilt - 15.0).abs() < 1e-4, "{g} {k}: {tilt}");
        }
    }
    let csv = std::fs::read_to_string(dir.path().join("out/punctures.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (drag, surface_tilt) = (col("drag_x_mm"), col("surface_tilt_deg"));
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().any(|r| r[drag].parse::<f64>().unwrap().abs() > 0.01));
    assert!(rows.iter().all(|r| (r[surface_tilt].parse::<f64>().unwrap() - 15.0).abs() < 1e-3));
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "circles",
            &["--set", "technique.pattern=\"circles\""],
            &["treat[0].pattern", "circles", "serpentine, strokes, random or stamping"],
        ),
        ("negative tilt sd", &["--set", "hand.tilt_sd_deg=-1"], &["hand.tilt_sd_deg", "-1", "0 ≤ sd ≤ 30"]),
        ("zero time constant", &["--set", "hand.tremor_time_constant_s=0"], &["hand.tremor_time_constant_s", "0 < time constant"]),
    ];
    for (what, extra, expect) in cases {
        let mut args = vec!["run", "s.toml", "--out", "bad"];
        args.extend_from_slice(extra);
        let err = bad_input(&run_in(dir.path(), &args));
        for e in expect {
            assert!(err.contains(e), "{what}: {err:?} lacks {e:?}");
        }
        assert!(!dir.path().join("bad").exists(), "{what}: something was written");
    }
}

/// A recorded trace on a surface is replayed with the pen at 90° to the skin and
/// instantaneous needles: a tilted pen or a contact duty is refused (exit 2, the key named),
/// not silently ignored; the same trace runs without them.
#[test]
fn a_recorded_trace_on_a_surface_refuses_a_tilted_or_dragging_pen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("strip.obj"), OBJ).unwrap();
    let regions = &SCENARIO[SCENARIO.find("[[face.region]]").unwrap()..SCENARIO.find("[[treat]]").unwrap()];
    let toml = format!(
        "name = \"strip-trace\"\nseed = 3\n[cartridge]\npreset = 12\ndepth_mm = 0.5\n[technique]\npattern = \"trace\"\nspeed_mm_s = 40\n\
         [trace]\nfile = \"trace.csv\"\n[face]\nsurface = \"strip.obj\"\nunits = \"cm\"\nno_go = [\"z\"]\n{regions}"
    );
    std::fs::write(dir.path().join("t.toml"), toml).unwrap();
    std::fs::write(dir.path().join("trace.csv"), "t_s,u_mm,v_mm\n0,2,5\n0.1,6,5\n").unwrap();
    ok(&run_in(dir.path(), &["run", "t.toml", "--out", "good", "--outputs", "summary"]));
    for (set, key) in [("device.angle_deg=80", "device.angle_deg"), ("device.contact_duty=0.3", "device.contact_duty")] {
        let err = bad_input(&run_in(dir.path(), &["run", "t.toml", "--out", "bad", "--set", set]));
        assert!(err.contains(key) && err.contains("recorded trace on a surface"), "{set}: {err}");
        assert!(!dir.path().join("bad").exists(), "{set}: something was written");
    }
}
