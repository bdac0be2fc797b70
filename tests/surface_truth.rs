//! The surface against independent truth: the flat patch run, closed-form areas, the Boolean
//! model, stretched charts, lane and stamp spacing on the skin, conservation, thread count,
//! no-go zones by brute force.

mod common;

use common::surface::{assert_conserved, one_needle, pass, region};

use std::f64::consts::PI;

use needlesim::face::surface_face::SurfaceFace;
use needlesim::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use needlesim::geometry::{Rect, Vec2};
use needlesim::metrics::boolean_coverage;
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::surface::chart::Chart;
use needlesim::surface::clearance::Clearance;
use needlesim::surface::place::NO_TRIANGLE;
use needlesim::surface::plan::GroupPlanner;
use needlesim::surface::shapes::{flat_rect, half_cylinder, sphere_cap};
use needlesim::surface::{PenOrientation, SurfaceMesh};
use needlesim::technique::Technique;
use needlesim::technique::lanes::{PassPlan, Pattern};

fn session(mesh: SurfaceMesh, passes: Vec<PassPlan>, cartridge: Cartridge) -> SurfaceSimulation {
    common::surface::session_with(mesh, passes, cartridge, Default::default(), Device::default())
}
#[test]
fn a_flat_square_gives_the_patch_run() {
    let passes = vec![pass(Pattern::Serpentine, 0.0), pass(Pattern::Strokes, 90.0)];
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let s = session(flat_rect(20.0, 20.0, 10, 10, "square"), passes.clone(), cartridge.clone());
    let surf = s.run().unwrap();
    let patch = Simulation {
        name: "patch".into(),
        seed: 7,
        cartridge,
        device: Device::default(),
        area: Rect::new(0.0, 0.0, 20.0, 20.0),
        passes,
        grid: GridSpec::new(0.01).unwrap(),
        halo_mm: 0.0,
        picture: false,
        limits: Limits::default(),
        technique: Technique::default(),
        frames: 0,
    }
    .run()
    .unwrap();
    assert_eq!(surf.grid.grid.resolution_mm, 0.01, "an isometric chart keeps the scenario's grid");
    assert_eq!(surf.run.stamps_per_pass, patch.stamps_per_pass);
    assert_eq!(surf.run.punctures.len(), patch.punctures.len());
    for (a, b) in surf.run.punctures.iter().zip(&patch.punctures) {
        assert_eq!((a.pass, a.stamp, a.needle), (b.pass, b.stamp, b.needle));
        assert!((a.x_mm - b.x_mm).abs() < 1e-9 && (a.y_mm - b.y_mm).abs() < 1e-9, "{a:?} vs {b:?}");
        assert!((a.t_s - b.t_s).abs() < 1e-9);
    }
    for (a, b) in surf.run.pass_time_s.iter().zip(&patch.pass_time_s) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    let (c, p) = (&surf.regions[0].figures.coverage, &patch.hole_coverage);
    assert!((c.coverage - p.coverage).abs() < 1e-4, "{} vs {}", c.coverage, p.coverage);
    for (a, b) in c.coverage_per_pass.iter().zip(&p.coverage_per_pass) {
        assert!((a - b).abs() < 1e-4);
    }
    for (a, b) in c.hits_histogram.iter().zip(&p.hits_histogram) {
        assert!((a - b).abs() < 1e-4);
    }
    assert!((c.sampled_area_mm2 - 400.0).abs() < 0.01, "{}", c.sampled_area_mm2);
    assert!((surf.regions[0].skin_area_mm2 - 400.0).abs() < 1e-9);
    assert!((surf.regions[0].projected_area_mm2 - 400.0).abs() < 1e-9);
    // The patch's rectangle is half-open, the mesh closed: needles exactly on its top or right
    // edge count on the mesh only.
    let on_far_edge = surf
        .run
        .punctures
        .iter()
        .filter(|p| (0.0..=20.0).contains(&p.x_mm) && (0.0..=20.0).contains(&p.y_mm) && (p.x_mm == 20.0 || p.y_mm == 20.0))
        .count() as u64;
    assert_eq!(surf.regions[0].figures.density.punctures_inside, patch.density.punctures_inside + on_far_edge);
}

#[test]
fn cylinder_and_sphere_cap_areas_match_the_closed_forms() {
    for stretch in [1.0, 3.0] {
        let m = half_cylinder(30.0, 40.0, 128, 16, stretch);
        let exact = PI * 30.0 * 40.0;
        assert!((m.total_area_mm2() / exact - 1.0).abs() < 1e-3, "cylinder {}", m.total_area_mm2());
        // The chart's weighted cells measure the same skin area.
        let chart = Chart::new(&m, "cyl").unwrap();
        let sum: f64 = chart.tris.iter().map(|t| t.area_factor * needlesim::surface::plan::area(&t.chart)).sum();
        assert!((sum / m.total_area_mm2() - 1.0).abs() < 1e-9);
    }
    let m = sphere_cap(50.0, 40.0, 64, 256);
    let exact = 2.0 * PI * 50.0 * 50.0 * (1.0 - 40f64.to_radians().cos());
    assert!((m.total_area_mm2() / exact - 1.0).abs() < 1e-3, "cap {} vs {exact}", m.total_area_mm2());
}

/// Random stamps uniform over the true area follow the Boolean model on a curved surface, and
/// a chart stretched 3:1 gives the same coverage (the Jacobian is honoured).
#[test]
fn random_punctures_on_a_cylinder_follow_the_boolean_model_in_any_chart() {
    let mut got = Vec::new();
    for stretch in [1.0, 3.0] {
        let mut p = pass(Pattern::Random, 0.0);
        p.lane_spacing_mm = 0.4;
        let s = session(half_cylinder(15.0, 12.0, 96, 8, stretch), vec![p], one_needle());
        let r = s.run().unwrap();
        let area = r.regions[0].skin_area_mm2;
        let lambda = r.run.punctures.len() as f64 / area;
        let expected = boolean_coverage(lambda, PI * 0.09 * 0.09);
        let c = r.regions[0].figures.coverage.coverage;
        assert!((c - expected).abs() < 0.005, "stretch {stretch}: {c} vs {expected} (λ = {lambda})");
        assert!(
            (r.regions[0].figures.coverage.sampled_area_mm2 / area - 1.0).abs() < 0.002,
            "{} vs {area}",
            r.regions[0].figures.coverage.sampled_area_mm2
        );
        got.push(c);
    }
    assert!((got[0] - got[1]).abs() < 0.005, "{got:?}");
}

/// Lanes on a cylinder are one lane spacing apart on the skin and stamps `v / f` apart along it,
/// around and along the axis, in an isometric and a stretched chart.
#[test]
fn lanes_and_stamps_are_spaced_on_the_skin() {
    let (radius, f) = (20.0, 120.0);
    for stretch in [1.0, 3.0] {
        let m = half_cylinder(radius, 30.0, 128, 12, stretch);
        let chart = Chart::new(&m, "cyl").unwrap();
        let none = Clearance::default();
        let planner = GroupPlanner { chart: &chart, group: 0, no_go: &none, margin_mm: 0.0 };
        for direction in [0.0, 90.0] {
            let plan = pass(Pattern::Strokes, direction);
            let segs = planner.path(&plan);
            let lanes: Vec<_> = segs.iter().filter(|s| s.pen_down && (s.to - s.from).norm() > 5.0).collect();
            assert!(lanes.len() >= 3, "{} lanes", lanes.len());
            let skin = |p: Vec2| chart.tris[chart.locate(p).unwrap() as usize].to_skin(p);
            // Direction 0 runs around the cylinder: lanes differ in height. 90: along the
            // axis, lanes differ in angle (arc length r·Δθ on the skin).
            let across = |p: Vec2| {
                let q = skin(p);
                if direction == 0.0 { q.y } else { radius * q.x.atan2(q.z) }
            };
            for w in lanes.windows(2) {
                let d = (across(w[1].from) - across(w[0].from)).abs();
                assert!((d / plan.lane_spacing_mm - 1.0).abs() < 0.01, "stretch {stretch}, dir {direction}: lanes {d} mm apart");
            }
            let (stamps, _) = planner.stamp_path(&segs, plan.speed_mm_s, f);
            let step = plan.speed_mm_s / f;
            let along = |p: Vec2| {
                let q = skin(p);
                if direction == 0.0 { radius * q.x.atan2(q.z) } else { q.y }
            };
            let mut checked = 0;
            for w in stamps.windows(2) {
                let (a, b) = (along(w[0].center), along(w[1].center));
                if (across(w[0].center) - across(w[1].center)).abs() < 1e-6 {
                    assert!(
                        ((b - a).abs() / step - 1.0).abs() < 0.01,
                        "stretch {stretch}, dir {direction}: stamps {} mm apart",
                        (b - a).abs()
                    );
                    checked += 1;
                }
            }
            assert!(checked > 100);
        }
    }
}

#[test]
fn punctures_are_conserved_and_threads_change_nothing() {
    let cartridge = Cartridge::preset(16, 1.0).unwrap();
    let mut s = session(sphere_cap(40.0, 50.0, 24, 96), vec![pass(Pattern::Serpentine, 30.0), pass(Pattern::Random, 0.0)], cartridge);
    s.halo_mm = 0.2;
    s.picture = true;
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| s.run().unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_conserved(&a, 16);
    assert_eq!(format!("{:?}", a.run.punctures), format!("{:?}", b.run.punctures));
    assert_eq!(format!("{:?}", a.hole_groups), format!("{:?}", b.hole_groups));
    assert_eq!(format!("{:?}", a.run.hole.raster), format!("{:?}", b.run.hole.raster));
    assert_eq!(format!("{:?}", a.regions), format!("{:?}", b.regions));
    assert!(a.regions[0].figures.coverage.coverage > 0.01);
    // Frontal: the same stamps' needles tilt away from the pole, the holes grow, depth drops.
    s.orientation = PenOrientation::Frontal;
    let f = s.run().unwrap();
    assert_conserved(&f, 16);
    assert!(f.regions[0].surface_tilt_deg_max > 40.0 && f.regions[0].surface_tilt_deg_max <= 51.0, "{}", f.regions[0].surface_tilt_deg_max);
    assert!(f.regions[0].surface_tilt_deg_mean > 10.0);
    assert_eq!(a.regions[0].surface_tilt_deg_max, 0.0);
    let mean = |r: &SurfaceRunResult| r.real_depth_mm.iter().sum::<f64>() / r.real_depth_mm.len() as f64;
    assert!(mean(&f) < mean(&a));
}

/// A "face-like" cap: a region around a no-go disk at the pole (and an unassigned rim). No
/// needle lands in or reaches the zone at the default margin (brute force over every no-go
/// triangle), and the group areas sum to the mesh area.
#[test]
fn no_needle_reaches_a_no_go_zone_at_the_default_margin() {
    let m = common::surface::cap_with_eye();
    let total = m.total_area_mm2();
    let cartridge = Cartridge::preset(12, 1.0).unwrap();
    let margin = 0.5 * cartridge.footprint_diameter_mm() + 0.5;
    let face = SurfaceFace::new("face-like", m, vec![region("cheek")], vec!["eye".into()], vec![]).unwrap();
    let areas = face.group_areas_mm2();
    assert!((areas.iter().sum::<f64>() / total - 1.0).abs() < 1e-12);
    let mut s = session(flat_rect(1.0, 1.0, 1, 1, "x"), vec![pass(Pattern::Serpentine, 20.0), pass(Pattern::Random, 0.0)], cartridge);
    s.face = face;
    s.margin_mm = margin;
    let r = s.run().unwrap();
    assert_conserved(&r, 12);
    let chart = Chart::new(&s.face.mesh, "face-like").unwrap();
    let eye = Clearance::new(&chart, &[1], 1.0);
    let mut nearest = f64::INFINITY;
    for (p, &t) in r.run.punctures.iter().zip(&r.landing.tri) {
        assert_ne!(t, NO_TRIANGLE);
        assert_ne!(chart.tris[t as usize].group, 1, "a needle landed in the no-go zone");
        let q = chart.tris[t as usize].to_skin(Vec2::new(p.x_mm, p.y_mm));
        nearest = nearest.min(eye.distance_mm(q));
    }
    assert!(nearest > 0.09, "a hole reaches the no-go zone: {nearest} mm");
    assert_eq!(r.no_go.iter().map(|z| z.punctures).collect::<Vec<_>>(), vec![0]);
    // The same plan with no margin does reach it (the test can fail).
    s.margin_mm = 0.0;
    let r0 = s.run().unwrap();
    assert!(r0.no_go[0].punctures > 0);
}
