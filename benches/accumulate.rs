//! Punctures accumulated per second: the tiled parallel accumulator against the naive dense
//! grid (same punctures, same rectangle, same resolution) in one group, so the ratio is
//! measured on the same machine in the same run. A second group runs a whole face worth of
//! punctures (≈ 565,000 over 500 cm²) through accumulation and metrics. The group
//! `fold_old_vs_new` runs the accumulator before issue 14 (`raster::reference`, a cell-by-cell
//! fold over `u32` cells) and the current one on the same inputs, in the same run.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needlesim::geometry::Rect;
use needlesim::io::scenario;
use needlesim::metrics::{Coverage, density};
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Layers, Request, accumulate};
use needlesim::raster::dense::dense_counts;
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use needlesim::raster::reference;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

fn uniform(n: usize, rect: Rect, seed: u64) -> Vec<Puncture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| Puncture {
            pass: (i % 3) as u16,
            stamp: i as u32,
            needle: 0,
            x_mm: rng.random_range(rect.x0..rect.x1),
            y_mm: rng.random_range(rect.y0..rect.y1),
            depth_mm: 1.0,
            t_s: 0.0,
            ..Puncture::default()
        })
        .collect()
}

fn patch(c: &mut Criterion) {
    // A 40 × 30 mm patch at ~1,100 punctures/cm² per pass over 3 passes (the default scenario's load).
    let rect = Rect::new(0.0, 0.0, 40.0, 30.0);
    let p = uniform(40_000, rect, 1);
    let grid = GridSpec::new(0.01).unwrap();
    let mut g = c.benchmark_group("accumulate_patch_40x30mm");
    g.throughput(Throughput::Elements(p.len() as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("dense_naive", p.len()), |b| b.iter(|| dense_counts(&p, 0.09, &rect, &grid)));
    g.bench_function(BenchmarkId::new("tiled_parallel", p.len()), |b| {
        b.iter(|| {
            accumulate(
                &p,
                &Request { grid, radius_mm: 0.09, passes: 3, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
            )
        })
    });
    g.finish();
}

fn face(c: &mut Criterion) {
    let file = scenario::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/face-scale.toml")), &[]).unwrap();
    let sim = file.to_simulation().unwrap();
    let (p, _, _) = sim.punctures();
    let domain = RectDomain(sim.area);
    let mut g = c.benchmark_group("face_scale_500cm2");
    g.throughput(Throughput::Elements(p.len() as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("accumulate_and_metrics", p.len()), |b| {
        b.iter(|| {
            let acc = accumulate(
                &p,
                &Request { grid: sim.grid, radius_mm: 0.09, passes: 1, picture_cells: None, domain: &domain, layers: Default::default() },
            );
            (Coverage::from_tally(&acc.tallies[0], &sim.grid), density(&p, &domain))
        })
    });
    g.finish();
}

/// The picture layers' cost: the default scenario's picture accumulation without layers
/// (the plain hits picture), with per-pass pictures, and with per-pass pictures and 120
/// animation frames (what `run` asks for).
fn layers(c: &mut Criterion) {
    let file = scenario::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml")), &[]).unwrap();
    let sim = file.to_simulation().unwrap();
    let (p, _, _) = sim.punctures();
    let domain = RectDomain(sim.area);
    let frames = needlesim::raster::frames::frames(&p, 120);
    let mut g = c.benchmark_group("picture_layers_default");
    g.throughput(Throughput::Elements(p.len() as u64));
    g.sample_size(10);
    let cases: [(&str, Layers); 3] = [
        ("plain", Layers::default()),
        ("pass_pictures", Layers { pass_pictures: true, frame_ends: None }),
        ("pass_pictures_and_frames", Layers { pass_pictures: true, frame_ends: Some(&frames.ends) }),
    ];
    for (name, layers) in cases {
        g.bench_function(BenchmarkId::new(name, p.len()), |b| {
            b.iter(|| {
                accumulate(&p, &Request { grid: sim.grid, radius_mm: 0.09, passes: 3, picture_cells: Some(5), domain: &domain, layers })
            })
        });
    }
    g.finish();
}

/// The old fold (`reference`) against the new one on the same inputs: the coverage
/// command's face-sized set (565,000 punctures over 500 cm², 0.01 mm, one pass), the
/// default patch with its pictures and frames, and the built-in face (19 labels, 3 passes).
fn old_vs_new(c: &mut Criterion) {
    type Acc = fn(&[Puncture], &Request) -> needlesim::raster::accumulate::Accumulation;
    let cases: [(&str, Acc); 2] = [("old_reference", reference::accumulate), ("new", accumulate)];
    let mut g = c.benchmark_group("fold_old_vs_new");
    g.sample_size(10);

    let rect = Rect::new(0.0, 0.0, 250.0, 200.0);
    let p = uniform(565_000, rect, 14);
    let domain = RectDomain(rect);
    let grid = GridSpec::new(0.01).unwrap();
    g.throughput(Throughput::Elements(p.len() as u64));
    for (name, f) in cases {
        g.bench_function(BenchmarkId::new(format!("coverage_565k_500cm2/{name}"), p.len()), |b| {
            b.iter(|| {
                f(&p, &Request { grid, radius_mm: 0.09, passes: 3, picture_cells: None, domain: &domain, layers: Default::default() })
            })
        });
    }

    let file = scenario::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.toml")), &[]).unwrap();
    let sim = file.to_simulation().unwrap();
    let (p, _, _) = sim.punctures();
    let domain = RectDomain(sim.area);
    let frames = needlesim::raster::frames::frames(&p, 120);
    g.throughput(Throughput::Elements(p.len() as u64));
    for (name, f) in cases {
        g.bench_function(BenchmarkId::new(format!("default_patch_pictures_frames/{name}"), p.len()), |b| {
            b.iter(|| {
                f(
                    &p,
                    &Request {
                        grid: sim.grid,
                        radius_mm: 0.09,
                        passes: 3,
                        picture_cells: Some(5),
                        domain: &domain,
                        layers: Layers { pass_pictures: true, frame_ends: Some(&frames.ends) },
                    },
                )
            })
        });
    }

    let map = needlesim::face::default_face().unwrap();
    let b = needlesim::raster::domain::Domain::bounds(&map);
    let mut p = uniform(300_000, b, 15);
    p.sort_by_key(|q| q.pass);
    g.throughput(Throughput::Elements(p.len() as u64));
    for (name, f) in cases {
        g.bench_function(BenchmarkId::new(format!("face_19_labels_3_passes/{name}"), p.len()), |b| {
            b.iter(|| f(&p, &Request { grid, radius_mm: 0.09, passes: 3, picture_cells: None, domain: &map, layers: Default::default() }))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = patch, face, layers, old_vs_new
}
criterion_main!(benches);
