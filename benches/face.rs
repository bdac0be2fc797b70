//! Face maps: what the face costs over the flat patch, measured in the same run.
//!
//! - `face_map_accumulate`: the punctures of the face regions of `scenarios/flat-face.toml`
//!   (neck and décolleté left out to keep an iteration short) accumulated over the default
//!   face map (19 labels, polygon tile classes and row scans) against the same punctures over
//!   the map's bounding rectangle (`RectDomain`, the patch's path: the baseline).
//! - `face_boundary_rows`: labelling every cell of the face's boundary tiles by the row scan
//!   against the per-cell point test (the `Domain` default, the baseline).
//! - `face_session`: a whole `flat-face.toml` session (plan, punctures, four accumulations,
//!   metrics) against the patch scenario `face-scale.toml` (a similar number of punctures on a
//!   250 × 200 mm rectangle).

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needlesim::face::FaceMap;
use needlesim::geometry::{Rect, Vec2};
use needlesim::io::scenario;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::domain::{Domain, RectDomain, TileClass};
use needlesim::raster::grid::GridSpec;

fn load(name: &str) -> scenario::ScenarioFile {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name), &[]).unwrap()
}

/// The face map with the `Domain` default row labelling (one point test per cell).
struct PerCell<'a>(&'a FaceMap);

impl Domain for PerCell<'_> {
    fn bounds(&self) -> Rect {
        self.0.bounds()
    }
    fn label_count(&self) -> usize {
        self.0.label_count()
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.0.label_at(p)
    }
    fn area_mm2(&self, l: u16) -> f64 {
        self.0.area_mm2(l)
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        self.0.classify(tile)
    }
}

fn accumulate_face(c: &mut Criterion) {
    let mut file = load("flat-face.toml");
    file.treat.retain(|t| !t.regions.as_ref().is_some_and(|r| r.iter().any(|n| n == "neck")));
    let map = needlesim::face::default_face().unwrap();
    let sim = file.to_face_simulation(map).unwrap();
    let r = sim.run().unwrap();
    let p = &r.run.punctures;
    let rect = RectDomain(sim.map.bounds());
    let mut g = c.benchmark_group("face_map_accumulate");
    g.throughput(Throughput::Elements(p.len() as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("bounds_rect_baseline", p.len()), |b| {
        b.iter(|| {
            accumulate(
                p,
                &Request { grid: sim.grid, radius_mm: 0.09, passes: 3, picture_cells: None, domain: &rect, layers: Default::default() },
            )
        })
    });
    g.bench_function(BenchmarkId::new("default_face_19_regions", p.len()), |b| {
        b.iter(|| {
            accumulate(
                p,
                &Request { grid: sim.grid, radius_mm: 0.09, passes: 3, picture_cells: None, domain: &sim.map, layers: Default::default() },
            )
        })
    });
    g.finish();
}

fn boundary_rows(c: &mut Criterion) {
    let map = needlesim::face::default_face().unwrap();
    let grid = GridSpec::new(0.01).unwrap();
    let b = map.bounds();
    let tiles: Vec<(i64, i64)> = (grid.tile_of(b.y0)..=grid.tile_of(b.y1))
        .flat_map(|tj| (grid.tile_of(b.x0)..=grid.tile_of(b.x1)).map(move |ti| (ti, tj)))
        .filter(|&(ti, tj)| map.classify(&grid.tile_rect(ti, tj)) == TileClass::Mixed)
        .collect();
    let t = grid.tile_cells as i64;
    let label_all = |d: &dyn Domain| {
        let mut row = vec![0u16; t as usize];
        let mut sum = 0u64;
        for &(ti, tj) in &tiles {
            for r in 0..t {
                d.label_row(&grid, tj * t + r, ti * t, &mut row);
                sum += row[0] as u64;
            }
        }
        sum
    };
    let mut g = c.benchmark_group("face_boundary_rows");
    g.throughput(Throughput::Elements((tiles.len() * (t * t) as usize) as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("per_cell_point_test_baseline", tiles.len()), |b| b.iter(|| label_all(&PerCell(&map))));
    g.bench_function(BenchmarkId::new("row_scan", tiles.len()), |b| b.iter(|| label_all(&map)));
    g.finish();
}

fn session(c: &mut Criterion) {
    let patch = load("face-scale.toml").to_simulation().unwrap();
    let file = load("flat-face.toml");
    let face = file.to_face_simulation(needlesim::face::default_face().unwrap()).unwrap();
    let mut g = c.benchmark_group("face_session");
    g.sample_size(10);
    g.bench_function("face_scale_patch_baseline", |b| b.iter(|| patch.run().unwrap()));
    g.bench_function("full_face_session", |b| b.iter(|| face.run().unwrap()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = accumulate_face, boundary_rows, session
}
criterion_main!(benches);
