//! Property tests over random cartridges, techniques and areas: conservation, monotone
//! cumulative coverage, histograms that sum to 1, and agreement with the dense truth.

mod common;

use needlesim::geometry::{Rect, Vec2};
use needlesim::pen::cartridge::{Cartridge, grid_layout};
use needlesim::pen::device::Device;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::technique::lanes::{PassPlan, Pattern};
use proptest::prelude::*;

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![Just(Pattern::Serpentine), Just(Pattern::Strokes), Just(Pattern::Random)]
}

prop_compose! {
    fn simulation()(
        cols in 1usize..5, rows in 1usize..5, pitch in 0.3f64..1.5,
        rotation in 0.0f64..90.0, freq in 50.0f64..150.0, speed in 10.0f64..120.0,
        w in 3.0f64..9.0, h in 3.0f64..9.0, x0 in -5.0f64..5.0, y0 in -5.0f64..5.0,
        dirs in prop::collection::vec(0.0f64..180.0, 1..6), pattern in pattern(),
        spacing_factor in 0.5f64..1.5, seed in any::<u64>(),
    ) -> Simulation {
        let cartridge = Cartridge { needles_mm: grid_layout(cols, rows, pitch), needle_diameter_mm: 0.18, depth_mm: 1.0 };
        let device = Device { frequency_hz: freq, rotation_deg: rotation, ..Device::default() };
        let passes = dirs.iter().map(|&d| PassPlan {
            direction_deg: d, pattern, speed_mm_s: speed,
            lane_spacing_mm: cartridge.track_width_mm(d, rotation) * spacing_factor, lane_offset_mm: 0.0,
        }).collect();
        Simulation {
            name: "prop".into(), seed, cartridge, device,
            area: Rect::new(x0, y0, x0 + w, y0 + h), passes,
            grid: GridSpec::new(0.02).unwrap(), halo_mm: 0.05, picture: false, frames: 0, limits: Limits::default(), technique: Default::default(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn conservation_and_monotonicity(sim in simulation()) {
        let r = sim.run().unwrap();
        // punctures = needles × stamps, pass by pass.
        prop_assert_eq!(r.punctures.len(), sim.cartridge.needle_count() * r.stamps_per_pass.iter().sum::<usize>());
        for (p, &s) in r.stamps_per_pass.iter().enumerate() {
            let n = r.punctures.iter().filter(|q| q.pass as usize == p).count();
            prop_assert_eq!(n, s * sim.cartridge.needle_count());
        }
        for cov in [&r.hole_coverage, &r.zone.as_ref().unwrap().1] {
            let sum: f64 = cov.hits_histogram.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-9);
            for w in cov.coverage_cumulative.windows(2) {
                prop_assert!(w[1] >= w[0]);
            }
            // Cumulative ≥ each pass alone, and the last cumulative is the coverage.
            for (c, a) in cov.coverage_cumulative.iter().zip(&cov.coverage_per_pass) {
                prop_assert!(c + 1e-12 >= *a);
            }
            prop_assert!((cov.coverage_cumulative.last().unwrap() - cov.coverage).abs() < 1e-12);
        }
        // Growing the footprint by a halo never lowers coverage.
        prop_assert!(r.zone.as_ref().unwrap().1.coverage + 1e-12 >= r.hole_coverage.coverage);
    }

    #[test]
    fn adding_a_pass_never_lowers_coverage(sim in simulation(), extra in 0.0f64..180.0) {
        let base = sim.run().unwrap();
        let mut more = sim.clone();
        let mut p = more.passes[0].clone();
        p.direction_deg = extra;
        more.passes.push(p);
        let r = more.run().unwrap();
        prop_assert!(r.hole_coverage.coverage + 1e-12 >= base.hole_coverage.coverage);
        // Earlier passes are unchanged by a later one.
        prop_assert_eq!(&r.hole_coverage.coverage_per_pass[..sim.passes.len()], &base.hole_coverage.coverage_per_pass[..]);
    }

    #[test]
    fn every_puncture_is_a_needle_offset_from_its_stamp(sim in simulation()) {
        let r = sim.run().unwrap();
        let offs: Vec<Vec2> = sim.cartridge.needles_mm.iter().map(|p| needlesim::geometry::rotate(*p, sim.device.rotation_deg)).collect();
        // All needles of one stamp share the stamp's centre: puncture − offset is the same point.
        for chunk in r.punctures.chunks(sim.cartridge.needle_count()) {
            let c0 = Vec2::new(chunk[0].x_mm, chunk[0].y_mm) - offs[0];
            for q in chunk {
                let c = Vec2::new(q.x_mm, q.y_mm) - offs[q.needle as usize];
                prop_assert!((c - c0).norm() < 1e-9);
                prop_assert_eq!(q.stamp, chunk[0].stamp);
            }
        }
    }
}

/// A lattice stamp pattern that tiles the patch without overlap: 3×3 needles, pitch 1 mm,
/// strokes stepping 3 mm with lanes 3 mm apart. Coverage must be N·πr²/A over the punctures
/// inside, and no spot hit twice.
#[test]
fn tiling_stamps_cover_exactly_n_disks() {
    let cartridge = Cartridge { needles_mm: grid_layout(3, 3, 1.0), needle_diameter_mm: 0.18, depth_mm: 1.0 };
    let sim = Simulation {
        name: "tiling".into(),
        seed: 1,
        cartridge,
        device: Device { frequency_hz: 100.0, ..Device::default() },
        area: Rect::new(0.0, 0.0, 12.0, 9.0),
        passes: vec![PassPlan {
            direction_deg: 0.0,
            pattern: Pattern::Strokes,
            speed_mm_s: 300.0,
            lane_spacing_mm: 3.0,
            lane_offset_mm: 0.0,
        }],
        grid: GridSpec::new(0.005).unwrap(),
        halo_mm: 0.0,
        picture: false,
        frames: 0,
        limits: Limits::default(),
        technique: Default::default(),
    };
    let r = sim.run().unwrap();
    assert_eq!(r.hole_coverage.hits_histogram[2], 0.0);
    // Stamps start on the patch edge, so some needles sit exactly on an edge (half a disk
    // inside) or a corner (a quarter). Any other cut would make the closed form unusable.
    let a = sim.area;
    let mut disks = 0.0;
    for p in &r.punctures {
        let part = |v: f64, lo: f64, hi: f64| {
            if v - 0.09 >= lo - 1e-9 && v + 0.09 <= hi + 1e-9 {
                Some(1.0)
            } else if (v - lo).abs() < 1e-9 || (v - hi).abs() < 1e-9 {
                Some(0.5)
            } else if v + 0.09 <= lo || v - 0.09 >= hi {
                Some(0.0)
            } else {
                None
            }
        };
        let fx = part(p.x_mm, a.x0, a.x1).expect("disk cut off-centre by a vertical edge");
        let fy = part(p.y_mm, a.y0, a.y1).expect("disk cut off-centre by a horizontal edge");
        disks += fx * fy;
    }
    let exact = disks * std::f64::consts::PI * 0.0081 / sim.area.area();
    assert!((r.hole_coverage.coverage - exact).abs() / exact < 0.01, "{} vs {exact}", r.hole_coverage.coverage);
}
