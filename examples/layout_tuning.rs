//! Longer layout-tuning runs that do not belong in the test suite, with timings as ratios to
//! a plain run measured in the same process:
//!
//! ```sh
//! cargo run --release --example layout_tuning
//! ```
//!
//! 1. The tiling closed form (4 needles in a row, strokes, lanes one cartridge apart) at the
//!    default 0.01 mm grid, 4 seeds per evaluation: the speed found against `f·N·πr²/(w·C)`
//!    for several targets.
//! 2. The cost of the aliasing check and of the largest-gap distance transform, against one
//!    run of the default scenario.

use std::path::Path;
use std::time::Instant;

use needlesim::geometry::{Rect, Vec2};
use needlesim::io::scenario;
use needlesim::metrics::empty_disk;
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::grid::GridSpec;
use needlesim::sim::{Limits, Simulation};
use needlesim::study::nelder_mead::Options;
use needlesim::study::optimize::{Knob, Noise, Settings, Target, TargetMetric, Weights, optimize};
use needlesim::technique::lanes::{PassPlan, Pattern};

fn tiling(speed_mm_s: f64, seed: u64) -> Simulation {
    let needles_mm = [-0.75, -0.25, 0.25, 0.75].iter().map(|&y| Vec2::new(0.0, y)).collect();
    Simulation {
        name: "tiling".into(),
        seed,
        cartridge: Cartridge { needles_mm, needle_diameter_mm: 0.18, depth_mm: 1.0 },
        device: Device { frequency_hz: 100.0, ..Device::default() },
        area: Rect::new(0.0, 0.0, 60.0, 8.0),
        passes: vec![PassPlan { direction_deg: 0.0, pattern: Pattern::Strokes, speed_mm_s, lane_spacing_mm: 2.0, lane_offset_mm: 0.0 }],
        grid: GridSpec::new(0.01).unwrap(),
        halo_mm: 0.0,
        picture: false,
        frames: 0,
        limits: Limits::default(),
        technique: Default::default(),
    }
}

fn main() {
    println!("1. tiling closed form, 0.01 mm grid, 4 seeds per evaluation");
    for c in [0.15, 0.2, 0.25] {
        let settings = Settings {
            knobs: vec![Knob { key: "technique.speed_mm_s".into(), lo: 10.0, hi: 80.0 }],
            start: vec![60.0],
            target: Target { metric: TargetMetric::CoveragePerPass, value: c },
            weights: Weights { distance: 1.0, cv: 0.0, hit3: 0.0 },
            seeds: vec![1, 2, 3, 4],
            noise: Noise::None,
            options: Options { max_evaluations: 60, x_tol: 1e-5, f_tol: 1e-5, ..Options::default() },
        };
        let t = Instant::now();
        let r = optimize(&settings, &|v: &[f64], seed| Ok(tiling(v[0], seed)), |_| {});
        let best = &r.evaluations[r.best];
        let exact = 100.0 * 4.0 * std::f64::consts::PI * 0.09 * 0.09 / (2.0 * c);
        println!(
            "   target {c}: found {:.3} mm/s, closed form {exact:.3} ({:+.2} %), coverage {:.4}, {} evaluations in {:.2} s",
            best.values[0],
            100.0 * (best.values[0] / exact - 1.0),
            best.metrics.unwrap().value,
            r.evaluations.len(),
            t.elapsed().as_secs_f64()
        );
    }

    println!("2. costs against one run of scenarios/default.toml");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let mut sim = scenario::load(&path, &[]).unwrap().to_simulation().unwrap();
    sim.picture = false;
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..3 {
            f();
        }
        t.elapsed().as_secs_f64() / 3.0
    };
    let mut result = None;
    let run_s = time(&mut || result = Some(sim.run().unwrap()));
    let r = result.unwrap();
    let alias_s = time(&mut || {
        let _ = sim.aliasing();
    });
    let mut aliased = sim.clone();
    aliased.device.rotation_deg = 0.0;
    aliased.passes.truncate(1);
    let alias_flagged_s = time(&mut || {
        let _ = aliased.aliasing();
    });
    let window = empty_disk::window(&sim.area, &sim.grid);
    let gap_s = time(&mut || {
        let _ = empty_disk::largest_empty_disk_mm(&r.punctures, sim.cartridge.radius_mm(), &window, &sim.grid);
    });
    println!(
        "   run {run_s:.3} s; aliasing check {:.4} × a run (flagged pass with speed scan: {:.3} ×); largest gap {:.3} × a run",
        alias_s / run_s,
        alias_flagged_s / run_s,
        gap_s / run_s
    );
}
