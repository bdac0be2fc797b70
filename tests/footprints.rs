//! Tilted and dragged footprints in the tiled accumulator, against the brute-force dense
//! grid (cell by cell) and the closed-form areas (stadium πr² + 2rL, ellipse πab).

mod common;

use std::f64::consts::PI;

use common::uniform_punctures;
use needlesim::geometry::Rect;
use needlesim::needle::footprint::{Footprint, tilt_depth_factor};
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::dense::dense_counts;
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Give seeded punctures random tilts (0–40°), lean directions and drags (0–0.3 mm).
fn shaped(mut p: Vec<Puncture>, seed: u64) -> Vec<Puncture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for q in &mut p {
        q.tilt_deg = rng.random_range(0.0..40.0);
        q.tilt_azimuth_deg = rng.random_range(-180.0..180.0);
        let (len, dir): (f32, f32) = (rng.random_range(0.0..0.3), rng.random_range(0.0..std::f32::consts::TAU));
        (q.drag_x_mm, q.drag_y_mm) = (len * dir.cos(), len * dir.sin());
    }
    p
}

/// The tiled, parallel accumulator agrees cell for cell with the naive dense grid for
/// tilted and dragged needles straddling tiles and the rectangle's edges.
#[test]
fn shaped_accumulation_matches_dense_brute_force() {
    let r = 0.09;
    let rect = Rect::new(-1.37, 0.23, 6.91, 5.55);
    let p = shaped(uniform_punctures(2000, (-1.6, 0.0, 7.2, 5.8), 21), 22);
    let grid = GridSpec::new(0.01).unwrap();
    for radius in [r, r + 0.05] {
        let acc = accumulate(
            &p,
            &Request { grid, radius_mm: radius, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
        );
        let dense = dense_counts(&p, radius, &rect, &grid);
        let mut hist = [0u64; 17];
        for &c in &dense.counts {
            hist[(c as usize).min(16)] += 1;
        }
        let t = &acc.tallies[0];
        assert_eq!(t.cells, dense.counts.len() as u64);
        // Boundary ties between the closed-form spans and the distance test: a handful of
        // cells out of ~440,000.
        let diff: u64 = t.hist.iter().zip(&hist).map(|(a, b)| a.abs_diff(*b)).sum();
        assert!(diff <= 8, "r={radius}: histograms differ in {diff} cells");
        let dense_sum: u64 = dense.counts.iter().map(|&c| c as u64).sum();
        assert!(t.hit_sum.abs_diff(dense_sum) <= 4, "{} vs {dense_sum}", t.hit_sum);
    }
}

/// Σ hits × cell area = Σ footprint areas when every footprint lies inside: ellipses πab
/// (a = r / cos tilt), stadiums πr² + 2rL.
#[test]
fn hit_sum_conserves_the_closed_form_areas() {
    let r = 0.09;
    let rect = Rect::new(0.0, 0.0, 12.0, 9.0);
    let grid = GridSpec::new(0.01).unwrap();
    let base = uniform_punctures(3000, (1.0, 1.0, 11.0, 8.0), 31);
    let cases: [(&str, f32, f32); 3] = [("ellipse 35°", 35.0, 0.0), ("stadium 0.25 mm", 0.0, 0.25), ("both", 20.0, 0.15)];
    for (what, tilt, drag) in cases {
        let p: Vec<Puncture> = base
            .iter()
            .enumerate()
            .map(|(i, q)| Puncture { tilt_deg: tilt, tilt_azimuth_deg: (i * 37 % 360) as f32, drag_x_mm: drag, ..*q })
            .collect();
        let acc = accumulate(
            &p,
            &Request { grid, radius_mm: r, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
        );
        let measured = acc.tallies[0].hit_sum as f64 * grid.cell_area_mm2();
        let exact: f64 = p.iter().map(|q| Footprint::of(q, r).area_mm2()).sum();
        if drag == 0.0 {
            let a = r / tilt_depth_factor(tilt as f64);
            assert!((exact - p.len() as f64 * PI * a * r).abs() < 1e-9);
        }
        if tilt == 0.0 {
            assert!((exact - p.len() as f64 * (PI * r * r + 2.0 * r * drag as f64)).abs() < 1e-6);
        }
        assert!((measured - exact).abs() / exact < 0.002, "{what}: {measured} vs {exact}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// One shaped footprint anywhere: the accumulator's cells are the dense truth's, and
    /// their area is the closed form within the rim bound.
    #[test]
    fn one_footprint_is_rasterised_exactly(
        x in 0.5f64..3.5, y in 0.5f64..3.5, tilt in 0.0f32..60.0, az in -180.0f32..180.0,
        dx in -0.5f32..0.5, dy in -0.5f32..0.5, r in 0.05f64..0.2,
    ) {
        let p = [Puncture { x_mm: x, y_mm: y, tilt_deg: tilt, tilt_azimuth_deg: az, drag_x_mm: dx, drag_y_mm: dy, ..Puncture::default() }];
        let rect = Rect::new(-1.0, -1.0, 5.0, 5.0);
        let grid = GridSpec::new(0.005).unwrap();
        let acc = accumulate(&p, &Request { grid, radius_mm: r, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() });
        let dense = dense_counts(&p, r, &rect, &grid);
        let dense_cells = dense.counts.iter().filter(|&&c| c > 0).count() as u64;
        prop_assert!(acc.tallies[0].covered().abs_diff(dense_cells) <= 2);
        let f = Footprint::of(&p[0], r);
        let area = acc.tallies[0].covered() as f64 * grid.cell_area_mm2();
        prop_assert!((area - f.area_mm2()).abs() < f.perimeter_bound_mm() * grid.resolution_mm * 2f64.sqrt());
    }
}
