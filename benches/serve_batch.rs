//! The live page's latency budget: one stroke batch of 200 pointer samples, stamped, placed,
//! accumulated and summed up (`LiveSession::add_samples` + `metrics`), on a session that
//! already holds three full passes over the default 40 × 30 mm patch (≈ 155,000 punctures),
//! without a halo (the default) and with a 0.2 mm treated-zone halo (a second footprint
//! layer, measured on its own coarser grid, see `live::zone_grid`). Baselines in the same
//! group: recomputing the whole session with the core `accumulate` on the live grid and on
//! the 0.01 mm grid of `run` (what a server without incremental tiles would do per batch),
//! and the same incremental batch on a 0.01 mm live grid. The median is the p50 reported in
//! PERFORMANCE.md. (The HTTP round trip is measured by the load test, tests/serve_load.rs.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use needlesim::geometry::{Rect, Vec2};
use needlesim::live::accumulator::baseline;
use needlesim::live::{LIVE_PASSES, LayerSpec, LiveAccumulator, LiveMap, LiveSession, PenSettings, SessionLimits, zone_grid};
use needlesim::metrics::Coverage;
use needlesim::pen::cartridge::Cartridge;
use needlesim::pen::device::Device;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use needlesim::technique::firing::TimedSample;

const PATCH: Rect = Rect { x0: 0.0, y0: 0.0, x1: 40.0, y1: 30.0 };

/// Samples of a zigzag over the patch at `speed` mm/s, one every `dt` s, from `t0`.
fn zigzag(t0: f64, n: usize, dt: f64, speed: f64, phase: f64) -> Vec<TimedSample> {
    (0..n)
        .map(|i| {
            let s = phase + i as f64 * dt * speed; // arc length, mm
            let lane = (s / 36.0).floor();
            let along = s - lane * 36.0;
            let x = if lane as i64 % 2 == 0 { 2.0 + along } else { 38.0 - along };
            let y = 2.0 + (lane * 2.2) % 26.0;
            TimedSample { t_s: t0 + i as f64 * dt, at_mm: Vec2::new(x, y) }
        })
        .collect()
}

fn session(grid: GridSpec, halo_mm: f64) -> LiveSession {
    let map = LiveMap::with_grid("patch", Arc::new(RectDomain(PATCH)), vec!["patch".into()], None, grid);
    three_passes(map, halo_mm, Vec2::zeros())
}

/// The same three passes on the default face, over the 40 × 30 mm box of the cheek and
/// nose (cut by region edges and no-go zones: per-cell labels, the no-go test per puncture).
fn face_session(halo_mm: f64) -> (LiveSession, Vec2) {
    let face = Arc::new(needlesim::face::default_face().unwrap());
    let cheek = face.label_anchor(face.regions().iter().position(|r| r.name == "cheek_left").unwrap() as u16);
    let offset = cheek - Vec2::new(30.0, 15.0);
    (three_passes(LiveMap::face(face), halo_mm, offset), offset)
}

fn shift(samples: Vec<TimedSample>, by: Vec2) -> Vec<TimedSample> {
    samples.into_iter().map(|s| TimedSample { t_s: s.t_s, at_mm: s.at_mm + by }).collect()
}

fn three_passes(map: LiveMap, halo_mm: f64, offset: Vec2) -> LiveSession {
    let mut cartridge = Cartridge::preset(12, 1.0).unwrap();
    cartridge.depth_mm = 1.0;
    let pen = PenSettings { cartridge, device: Device { frequency_hz: 120.0, rotation_deg: 18.0, ..Device::default() }, tilt_deg: 0.0 };
    let mut s = LiveSession::new(Arc::new(map), pen, halo_mm, SessionLimits::default()).unwrap();
    // Three passes of serpentine strokes over the whole patch (≈ 40 mm/s, 60 Hz samples).
    let mut t = 0.0;
    for pass in 0..3u16 {
        let samples = shift(zigzag(t, 60 * 12 * 3, 1.0 / 60.0, 40.0, 0.0), offset);
        for (k, chunk) in samples.chunks(200).enumerate() {
            s.add_samples(1 + pass as u64 * 100 + k as u64, pass, chunk).unwrap();
            s.end_stroke();
        }
        t = samples.last().unwrap().t_s + 1.0;
    }
    s
}

fn batch_timer(s: &mut LiveSession, batch: &[TimedSample], iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let start = Instant::now();
        let out = s.add_samples(1_000_000 + i, 3, batch).unwrap();
        let m = s.metrics();
        total += start.elapsed();
        std::hint::black_box((out, m));
        s.undo();
    }
    total
}

fn live_batch(c: &mut Criterion) {
    let live = GridSpec::new(needlesim::live::LIVE_RESOLUTION_MM).unwrap();
    let exact = GridSpec::new(0.01).unwrap();
    let mut s0 = session(live, 0.0);
    let mut s = session(live, 0.2);
    let mut s01 = session(exact, 0.2);
    eprintln!("session before the batch: {} punctures, coverage {:.3}", s.punctures().len(), s.metrics().hole.whole.coverage);
    // 200 samples at 60 Hz (3.3 s of drawing at 40 mm/s) and 200 samples over the longest
    // batch allowed (10 s).
    let t_after = s.strokes().last().unwrap().samples.last().unwrap().t_s + 10.0;
    let typical = zigzag(t_after, 200, 1.0 / 60.0, 40.0, 5.0);
    let longest = zigzag(t_after, 200, 10.0 / 199.0, 40.0, 5.0);
    let mut g = c.benchmark_group("serve_batch_200_samples");
    g.sample_size(20);
    g.bench_function("live_0.02mm_no_halo_60Hz_samples", |b| b.iter_custom(|n| batch_timer(&mut s0, &typical, n)));
    g.bench_function("live_0.02mm_halo_0.2_60Hz_samples", |b| b.iter_custom(|n| batch_timer(&mut s, &typical, n)));
    g.bench_function("live_0.02mm_halo_0.2_10s_batch", |b| b.iter_custom(|n| batch_timer(&mut s, &longest, n)));
    g.bench_function("live_0.01mm_halo_0.2_60Hz_samples", |b| b.iter_custom(|n| batch_timer(&mut s01, &typical, n)));
    let (mut face, offset) = face_session(0.2);
    let t_face = face.strokes().last().unwrap().samples.last().unwrap().t_s + 10.0;
    let face_longest = shift(zigzag(t_face, 200, 10.0 / 199.0, 40.0, 5.0), offset);
    eprintln!("face session before the batch: {} punctures, live grid {} mm", face.punctures().len(), face.map().grid.resolution_mm);
    g.bench_function("live_face_halo_0.2_10s_batch", |b| b.iter_custom(|n| batch_timer(&mut face, &face_longest, n)));
    // The zone layer on the live grid (as before `zone_grid`) vs on its own grid: the
    // accumulator alone, the 10 s batch's punctures added to the same session.
    let mut probe = session(live, 0.2);
    let before = probe.punctures().len();
    probe.add_samples(3_000_000, 3, &longest).unwrap();
    let (held, batch) = probe.punctures().split_at(before);
    let domain: Arc<dyn needlesim::raster::domain::Domain + Send + Sync> = Arc::new(RectDomain(PATCH));
    for (name, zone) in
        [("accumulator_zone_on_live_grid_10s_batch", live), ("accumulator_zone_on_zone_grid_10s_batch", zone_grid(live, 0.29))]
    {
        let layers = [(live, 0.09), (zone, 0.29)]
            .map(|(grid, radius_mm)| LayerSpec { grid, radius_mm, baseline: Arc::new(baseline(domain.as_ref(), grid, LIVE_PASSES)) })
            .to_vec();
        let mut acc = LiveAccumulator::new(domain.clone(), layers, LIVE_PASSES);
        acc.push(held);
        g.bench_function(name, |b| {
            b.iter_custom(|n| {
                let mut total = Duration::ZERO;
                for _ in 0..n {
                    let start = Instant::now();
                    std::hint::black_box(acc.push(batch));
                    total += start.elapsed();
                    acc.truncate(held.len());
                }
                total
            })
        });
    }
    // Baselines: recompute everything after the batch.
    s.add_samples(2_000_000, 3, &typical).unwrap();
    let punctures = s.punctures().to_vec();
    let domain = RectDomain(PATCH);
    for (name, grid) in [("baseline_full_recompute_0.02mm", live), ("baseline_full_recompute_0.01mm", exact)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut out = Vec::new();
                // The same layers as the live session: the hole on `grid`, the zone on its grid.
                for (r, g) in [(0.09, grid), (0.29, zone_grid(grid, 0.29))] {
                    let acc = accumulate(
                        &punctures,
                        &Request {
                            grid: g,
                            radius_mm: r,
                            passes: LIVE_PASSES,
                            picture_cells: None,
                            domain: &domain,
                            layers: Default::default(),
                        },
                    );
                    out.push(Coverage::from_tally(&acc.tallies[0], &g));
                }
                out
            })
        });
    }
    surface_batch(&mut g);
    g.finish();
}

/// Issue 16: the same 200-sample batch on the 3D face (`live::surface`): chart points in a
/// zigzag over the left cheek's chart centroid (samples off the mesh are skipped), stamped by
/// skin length, landed with the pen normal to the skin, accumulated in the chart with its
/// ellipses, plus the figures and the per-triangle coverage the server sends. The session
/// already holds three passes over the same box.
fn surface_batch(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use needlesim::live::surface::{SurfaceLiveMap, SurfaceLiveSession};
    use needlesim::surface::trace::SurfaceSample;
    let mut cartridge = Cartridge::preset(12, 1.0).unwrap();
    cartridge.depth_mm = 1.0;
    let pen = PenSettings { cartridge, device: Device { frequency_hz: 120.0, rotation_deg: 18.0, ..Device::default() }, tilt_deg: 0.0 };
    let face = needlesim::face::surface::builtin_surface_face(&[]).unwrap();
    let map = Arc::new(SurfaceLiveMap::new(face, pen.cartridge.radius_mm()).unwrap());
    let g_cheek = map.face.mesh.groups.iter().position(|n| n == "cheek_left").unwrap() as u32;
    let (mut c, mut w) = (Vec2::zeros(), 0.0);
    for t in map.chart.tris.iter().filter(|t| t.group == g_cheek) {
        let a = needlesim::surface::plan::area(&t.chart);
        c += (t.chart[0] + t.chart[1] + t.chart[2]) * (a / 3.0);
        w += a;
    }
    let centre = c / w - Vec2::new(18.0, 13.0);
    let on_mesh = |v: Vec<TimedSample>| -> Vec<SurfaceSample> {
        v.into_iter()
            .map(|s| SurfaceSample { t_s: s.t_s, at_mm: s.at_mm * 0.5 + centre })
            .filter(|s| map.chart.locate(s.at_mm).is_some())
            .collect()
    };
    let mut s = SurfaceLiveSession::new(map.clone(), pen, SessionLimits::default()).unwrap();
    let mut t = 0.0;
    for pass in 0..3u16 {
        let samples = on_mesh(zigzag(t, 60 * 12 * 3, 1.0 / 60.0, 40.0, 0.0));
        for (k, chunk) in samples.chunks(200).enumerate() {
            s.add_samples(1 + pass as u64 * 100 + k as u64, pass, chunk).unwrap();
            s.end_stroke();
        }
        t = samples.last().unwrap().t_s + 1.0;
    }
    let batch: Vec<SurfaceSample> = on_mesh(zigzag(t + 10.0, 260, 1.0 / 60.0, 40.0, 5.0)).into_iter().take(200).collect();
    eprintln!(
        "surface session before the batch: {} punctures, chart grid {} mm, batch of {} samples",
        s.punctures().len(),
        map.grid.resolution_mm,
        batch.len()
    );
    g.bench_function("live_surface_face_cheek_60Hz_samples", |b| {
        b.iter_custom(|n| {
            let mut total = Duration::ZERO;
            for i in 0..n {
                let start = Instant::now();
                let out = s.add_samples(1_000_000 + i, 3, &batch).unwrap();
                let m = s.metrics();
                let cov = s.triangle_coverage();
                total += start.elapsed();
                std::hint::black_box((out, m, cov));
                s.undo();
            }
            total
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = live_batch
}
criterion_main!(benches);
