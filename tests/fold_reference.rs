//! The per-tile fold against the cell-by-cell fold it replaced (`raster::reference`): every
//! tally field (cells, histogram, hit sum, largest count, per-pass, first hits, distinct
//! passes, over-limit, first frames) and every picture value must come out identical, on
//! random inputs, on the 19-label face, with 32 passes, hits beyond 16 and beyond the
//! narrow lanes (255, 65,535), tilted and dragged footprints, frames on. The dense brute
//! force stays the referee of the cells themselves (`coverage_truth.rs`).

use needlesim::face::default_face;
use needlesim::geometry::Rect;
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Accumulation, Layers, Request, accumulate};
use needlesim::raster::domain::{Domain, RectDomain};
use needlesim::raster::grid::GridSpec;
use needlesim::raster::reference;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` punctures uniform over `r`, passes `0..passes` in order of index (as walked passes
/// are), times increasing within each pass; `shaped` adds tilts and drags to every other one.
fn punctures(n: usize, r: Rect, passes: usize, shaped: bool, seed: u64) -> Vec<Puncture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let pass = (i * passes / n.max(1)) as u16;
            let odd = shaped && i % 2 == 1;
            Puncture {
                pass,
                stamp: i as u32,
                needle: 0,
                x_mm: rng.random_range(r.x0..r.x1),
                y_mm: rng.random_range(r.y0..r.y1),
                depth_mm: 1.0,
                t_s: i as f64 * 0.001,
                tilt_deg: if odd { rng.random_range(-20.0f32..20.0) } else { 0.0 },
                tilt_azimuth_deg: rng.random_range(0.0f32..360.0),
                drag_x_mm: if odd { rng.random_range(-0.1f32..0.1) } else { 0.0 },
                drag_y_mm: if odd { rng.random_range(-0.1f32..0.1) } else { 0.0 },
            }
        })
        .collect()
}

/// Frame ends: `frames` frames, evenly over the punctures.
fn frame_ends(n: usize, frames: usize) -> Vec<u32> {
    (1..=frames).map(|f| (n * f / frames) as u32).collect()
}

fn both(p: &[Puncture], req: &Request) -> (Accumulation, Accumulation) {
    (accumulate(p, req), reference::accumulate(p, req))
}

fn assert_same(new: &Accumulation, old: &Accumulation, what: &str) {
    assert_eq!(new.tallies.len(), old.tallies.len(), "{what}: labels");
    for (l, (a, b)) in new.tallies.iter().zip(&old.tallies).enumerate() {
        assert_eq!(a, b, "{what}: label {l}");
    }
    assert_eq!(new.raster, old.raster, "{what}: picture");
    assert_eq!(new.pass_rasters, old.pass_rasters, "{what}: pass pictures");
}

#[allow(clippy::too_many_arguments)]
fn check(p: &[Puncture], domain: &dyn Domain, grid: GridSpec, r: f64, passes: usize, picture: Option<usize>, frames: usize, what: &str) {
    let ends = frame_ends(p.len(), frames);
    let layers = Layers { pass_pictures: picture.is_some(), frame_ends: (frames > 0).then_some(&ends[..]) };
    let req = Request { grid, radius_mm: r, passes, picture_cells: picture, domain, layers };
    let (new, old) = both(p, &req);
    assert_same(&new, &old, what);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random patches: any pass count up to 32, frames and pictures on or off, shapes, rects
    /// not aligned with tiles, dense clusters (hits beyond 16).
    #[test]
    fn per_tile_fold_equals_cell_by_cell_fold(
        seed in any::<u64>(),
        n in 0usize..1500,
        passes in prop::sample::select(vec![1usize, 2, 3, 5, 8, 9, 12, 16, 17, 32]),
        r in 0.03f64..0.3,
        x0 in -3.0f64..3.0,
        y0 in -3.0f64..3.0,
        w in 0.3f64..7.0,
        h in 0.3f64..7.0,
        cluster in 0.05f64..1.0,
        res in prop::sample::select(vec![0.01f64, 0.02, 0.025]),
        picture in prop::sample::select(vec![None, Some(1usize), Some(4), Some(5), Some(20)]),
        frames in prop::sample::select(vec![0usize, 1, 7, 120]),
        shaped in any::<bool>(),
    ) {
        let rect = Rect::new(x0, y0, x0 + w, y0 + h);
        // Centres over a sub-square of side `cluster · w`, so some cells are hit many times.
        let spread = Rect::new(x0 - r, y0 - r, x0 + cluster * w + r, y0 + cluster * h + r);
        let p = punctures(n, spread, passes, shaped, seed);
        let grid = GridSpec::new(res).unwrap();
        let picture = picture.filter(|c| grid.tile_cells.is_multiple_of(*c));
        check(&p, &RectDomain(rect), grid, r, passes, picture, frames, "patch");
    }
}

/// The built-in face (19 labels, mixed tiles on every region border) with 3 and 32 passes,
/// pictures and 120 frames.
#[test]
fn face_with_19_labels_and_32_passes() {
    let map = default_face().unwrap();
    assert!(map.label_count() >= 19);
    let b = map.bounds();
    let grid = GridSpec::new(0.02).unwrap();
    for (passes, shaped) in [(3usize, false), (8, true), (32, false), (32, true)] {
        let p = punctures(60_000, b, passes, shaped, passes as u64);
        check(&p, &map, grid, 0.09, passes, Some(5), 120, &format!("face, {passes} passes, shaped {shaped}"));
        check(&p, &map, grid, 0.3, passes, None, 0, &format!("face zone, {passes} passes"));
    }
}

/// Stacks of punctures on one spot: hits beyond 16, beyond 255 (u16 counts) and beyond
/// 65,535 (u32 counts), over 1, 8, 9 and 32 passes.
#[test]
fn deep_stacks_use_wider_lanes_and_stay_exact() {
    let grid = GridSpec::new(0.01).unwrap();
    let rect = Rect::new(-0.37, -0.41, 1.93, 2.21);
    for (n, passes) in [(40usize, 1usize), (300, 8), (300, 9), (2_000, 32), (70_000, 3)] {
        let mut p = punctures(n, Rect::new(0.95, 0.95, 1.05, 1.05), passes, false, n as u64);
        p.extend(punctures(50, Rect::new(-0.5, -0.5, 2.0, 2.3), passes, true, 7));
        let acc = accumulate(
            &p,
            &Request { grid, radius_mm: 0.12, passes, picture_cells: None, domain: &RectDomain(rect), layers: Layers::default() },
        );
        assert!(acc.tallies[0].max_hits as usize >= n.min(2000), "{n}: max {}", acc.tallies[0].max_hits);
        check(&p, &RectDomain(rect), grid, 0.12, passes, Some(4), 9, &format!("stack of {n}, {passes} passes"));
    }
}

/// No punctures at all, and punctures wholly outside the domain.
#[test]
fn empty_and_outside() {
    let grid = GridSpec::new(0.01).unwrap();
    let rect = Rect::new(0.1, 0.2, 5.3, 4.4);
    check(&[], &RectDomain(rect), grid, 0.09, 3, Some(5), 10, "empty");
    let p = punctures(500, Rect::new(20.0, 20.0, 30.0, 30.0), 3, false, 3);
    check(&p, &RectDomain(rect), grid, 0.09, 3, Some(5), 10, "outside");
}

/// One thread and two threads give the same accumulation, bit for bit.
#[test]
fn one_thread_equals_two_threads() {
    let map = default_face().unwrap();
    let p = punctures(40_000, map.bounds(), 3, true, 11);
    let ends = frame_ends(p.len(), 120);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            accumulate(
                &p,
                &Request {
                    grid: GridSpec::new(0.02).unwrap(),
                    radius_mm: 0.09,
                    passes: 3,
                    picture_cells: Some(5),
                    domain: &map,
                    layers: Layers { pass_pictures: true, frame_ends: Some(&ends) },
                },
            )
        })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
    let bits = |acc: &Accumulation| acc.raster.as_ref().unwrap().values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a), bits(&b));
}
