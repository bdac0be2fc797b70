//! Footprint rasterisation: the disk fast path (baseline) against the exact shape rasteriser
//! on disks, stadiums (drag), ellipses (tilt) and both; per footprint and in the whole
//! tiled accumulation. Seeded inputs, the same for every case.
//!
//! ```sh
//! cargo bench --bench footprint
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use needlesim::geometry::{Rect, Vec2, direction};
use needlesim::needle::footprint::Footprint;
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const R_MM: f64 = 0.09;

/// Builds one benchmark case's footprint at a centre.
type MakeFootprint = fn(Vec2) -> Footprint;
const BIG: (i64, i64, i64, i64) = (i64::MIN / 2, i64::MAX / 2, i64::MIN / 2, i64::MAX / 2);

/// `n` punctures uniform over `side × side` mm with the given tilt and drag (along +x).
fn punctures(n: usize, side: f64, tilt_deg: f32, drag_mm: f32, seed: u64) -> Vec<Puncture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| Puncture {
            stamp: i as u32,
            x_mm: rng.random_range(0.0..side),
            y_mm: rng.random_range(0.0..side),
            depth_mm: 1.0,
            tilt_deg,
            tilt_azimuth_deg: 0.0,
            drag_x_mm: drag_mm,
            ..Puncture::default()
        })
        .collect()
}

fn cells_of(f: &Footprint, g: &GridSpec) -> i64 {
    let mut cells = 0;
    g.footprint_rows(f, BIG, |_, a, b| cells += b - a + 1);
    cells
}

fn per_footprint(c: &mut Criterion) {
    let g = GridSpec::new(0.01).unwrap();
    let p = punctures(10_000, 20.0, 0.0, 0.0, 1);
    let centres: Vec<Vec2> = p.iter().map(|q| Vec2::new(q.x_mm, q.y_mm)).collect();
    let mut group = c.benchmark_group("rasterise 10k footprints, r = 0.09 mm, h = 0.01 mm");
    group.bench_function("disk_rows (fast path, baseline)", |b| {
        b.iter(|| {
            let mut cells = 0i64;
            for q in &centres {
                g.disk_rows(q.x, q.y, R_MM, BIG, |_, a, z| cells += z - a + 1);
            }
            black_box(cells)
        })
    });
    let shapes: [(&str, MakeFootprint); 4] = [
        ("shape rows: disk", |c| Footprint::disk(c, R_MM)),
        ("shape rows: stadium, drag 0.1 mm", |c| Footprint { drag: Vec2::new(0.1, 0.0), ..Footprint::disk(c, R_MM) }),
        ("shape rows: ellipse, tilt 10°", |c| Footprint {
            a_mm: R_MM / 10f64.to_radians().cos(),
            axis: direction(30.0),
            ..Footprint::disk(c, R_MM)
        }),
        ("shape rows: tilt 10° + drag 0.1 mm", |c| Footprint {
            a_mm: R_MM / 10f64.to_radians().cos(),
            axis: direction(30.0),
            drag: Vec2::new(0.1, 0.0),
            ..Footprint::disk(c, R_MM)
        }),
    ];
    for (name, make) in &shapes {
        let fs: Vec<Footprint> = centres.iter().map(|&c| make(c)).collect();
        group.bench_function(*name, |b| b.iter(|| black_box(fs.iter().map(|f| cells_of(f, &g)).sum::<i64>())));
    }
    group.finish();
}

fn whole_accumulation(c: &mut Criterion) {
    let grid = GridSpec::new(0.01).unwrap();
    let domain = RectDomain(Rect::new(0.0, 0.0, 20.0, 20.0));
    let mut group = c.benchmark_group("accumulate 40k punctures over 20 × 20 mm");
    group.sample_size(20);
    for (name, tilt, drag) in
        [("disks (ideal hand, baseline)", 0.0, 0.0), ("stadiums, drag 0.1 mm", 0.0, 0.1), ("ellipses, tilt 10°", 10.0, 0.0)]
    {
        let p = punctures(40_000, 20.0, tilt, drag, 2);
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(accumulate(
                    &p,
                    &Request { grid, radius_mm: R_MM, passes: 1, picture_cells: None, domain: &domain, layers: Default::default() },
                ))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotters backend needs system fonts that CI machines may lack.
    config = Criterion::default().without_plots();
    targets = per_footprint, whole_accumulation
}
criterion_main!(benches);
