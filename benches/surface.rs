//! The face as a surface: what the 3D face costs over the flat face, measured in the same run.
//!
//! - `surface_session`: the whole `scenarios/full-face.toml` session on the built-in surface
//!   (plan on the skin, landing, accumulation in the chart, levels, no-go, metrics) against
//!   the flat session `scenarios/flat-face.toml` (the baseline). Read the ratio with the cells
//!   each measures: the surface's chart grid is finer (chosen for its most stretched
//!   triangle) and its skin larger than the frontal projection.
//! - `chart_labels`: labelling every mixed tile of the chart: one row at a time
//!   (`Chart::label_row`, the previous path: the baseline) against one block per tile
//!   (`Chart::label_block`, what the accumulator calls).
//! - `projected_area`: every group's frontal area on the built-in face, the exact union of its
//!   projected triangles (`surface::projected`), against the sum of the triangles' projected
//!   areas (the previous figure, which counts folds twice: the baseline).

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needlesim::io::scenario;
use needlesim::raster::domain::{Domain, TileClass};
use needlesim::surface::Chart;

fn path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

fn session(c: &mut Criterion) {
    let flat_file = scenario::load(&path("flat-face.toml"), &[]).unwrap();
    let mut flat = flat_file.to_face_simulation(needlesim::face::default_face().unwrap()).unwrap();
    // Figures only on both sides (`run --outputs summary`): no picture raster, no frames.
    (flat.picture, flat.frames) = (false, 0);
    let file = scenario::load(&path("full-face.toml"), &[]).unwrap();
    let mut surface = file.to_surface_simulation_in(file.load_surface_face(&path("full-face.toml")).unwrap(), &path("")).unwrap();
    surface.picture = false;
    let mut g = c.benchmark_group("surface_session");
    g.sample_size(10);
    g.bench_function("flat_face_session_baseline", |b| b.iter(|| flat.run().unwrap()));
    g.bench_function("surface_face_session", |b| b.iter(|| surface.run().unwrap()));
    g.finish();
}

fn chart_labels(c: &mut Criterion) {
    let file = scenario::load(&path("full-face.toml"), &[]).unwrap();
    let surface = file.to_surface_simulation_in(file.load_surface_face(&path("full-face.toml")).unwrap(), &path("")).unwrap();
    let chart: Chart = surface.chart().unwrap();
    let grid = needlesim::raster::grid::GridSpec::new(0.0074).unwrap();
    let b = chart.chart_bounds();
    // Every 16th mixed tile, to keep an iteration short.
    let tiles: Vec<(i64, i64)> = (grid.tile_of(b.y0)..=grid.tile_of(b.y1))
        .flat_map(|tj| (grid.tile_of(b.x0)..=grid.tile_of(b.x1)).map(move |ti| (ti, tj)))
        .filter(|&(ti, tj)| chart.classify(&grid.tile_rect(ti, tj)) == TileClass::Mixed)
        .step_by(16)
        .collect();
    let t = grid.tile_cells;
    let mut block = vec![0u16; t * t];
    let mut g = c.benchmark_group("chart_labels");
    g.throughput(Throughput::Elements((tiles.len() * t * t) as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("rows_baseline", tiles.len()), |bch| {
        bch.iter(|| {
            for &(ti, tj) in &tiles {
                for (r, row) in block.chunks_exact_mut(t).enumerate() {
                    chart.label_row(&grid, tj * t as i64 + r as i64, ti * t as i64, row);
                }
            }
            block[0]
        })
    });
    g.bench_function(BenchmarkId::new("blocks", tiles.len()), |bch| {
        bch.iter(|| {
            for &(ti, tj) in &tiles {
                chart.label_block(&grid, tj * t as i64, ti * t as i64, t, &mut block);
            }
            block[0]
        })
    });
    g.finish();
}

fn projected_area(c: &mut Criterion) {
    let face = needlesim::face::surface::builtin_surface_face(&[]).unwrap();
    let mesh = &face.mesh;
    let mut g = c.benchmark_group("projected_area");
    g.throughput(Throughput::Elements(mesh.triangles.len() as u64));
    g.sample_size(20);
    g.bench_function("sum_baseline", |b| {
        b.iter(|| {
            let mut sum = vec![0.0; mesh.groups.len()];
            for t in &mesh.triangles {
                let [p, q, r] = mesh.corners_mm(t);
                sum[t.group as usize] += 0.5 * ((q[0] - p[0]) * (r[1] - p[1]) - (r[0] - p[0]) * (q[1] - p[1])).abs();
            }
            sum
        })
    });
    g.bench_function("union", |b| b.iter(|| needlesim::surface::projected::group_projected_areas_mm2(mesh)));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = chart_labels, session, projected_area
}
criterion_main!(benches);
