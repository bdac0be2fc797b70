//! The accumulator and metrics against independent truth: closed forms, exact lattice
//! coverage, disk areas, conservation, and the brute-force dense grid.

mod common;

use std::f64::consts::PI;

use common::uniform_punctures;
use needlesim::geometry::Rect;
use needlesim::metrics::{Coverage, boolean_coverage};
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::dense::dense_counts;
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;

fn cover(punctures: &[Puncture], r: f64, rect: Rect, h: f64) -> Coverage {
    let grid = GridSpec::new(h).unwrap();
    let acc = accumulate(
        punctures,
        &Request { grid, radius_mm: r, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
    );
    Coverage::from_tally(&acc.tallies[0], &grid)
}

/// Boolean model: N uniform disks of radius r give coverage 1 − exp(−λπr²). Edge effects are
/// removed by dropping centres over the rectangle grown by r and counting λ over that.
#[test]
fn random_punctures_follow_the_boolean_model() {
    let r = 0.09;
    let inner = Rect::new(0.0, 0.0, 20.0, 20.0);
    for (seed, lambda_a) in [(1u64, 0.1), (2, 0.5), (3, 1.5)] {
        let outer = (-r, -r, 20.0 + r, 20.0 + r);
        let outer_area = (20.0 + 2.0 * r) * (20.0 + 2.0 * r);
        let lambda = lambda_a / (PI * r * r);
        let n = (lambda * outer_area).round() as usize;
        let p = uniform_punctures(n, outer, seed);
        let c = cover(&p, r, inner, 0.005);
        let expected = boolean_coverage(n as f64 / outer_area, PI * r * r);
        // Sampling sd of the covered fraction over 400 mm² with ~0.03 mm² grains is < 0.3 %.
        assert!((c.coverage - expected).abs() < 0.01, "λa={lambda_a}: {} vs {expected}", c.coverage);
    }
}

#[test]
fn one_puncture_covers_its_disk_area() {
    let rect = Rect::new(-1.0, -1.0, 1.0, 1.0);
    for (k, h) in [(0, 0.01), (1, 0.005), (2, 0.0025)] {
        let p = uniform_punctures(1, (-0.3, -0.3, 0.3, 0.3), 10 + k);
        let c = cover(&p, 0.09, rect, h);
        let area = c.coverage * rect.area();
        let exact = PI * 0.09 * 0.09;
        // Rim bound: fewer than 2πr/h·√2 cells of h² each are misjudged.
        let bound = 2.0 * PI * 0.09 * h * 2f64.sqrt();
        assert!((area - exact).abs() < bound, "h={h}: {area} vs {exact} ± {bound}");
    }
}

/// Disks on a square lattice of pitch p (> 2r) that tiles the rectangle exactly cover
/// N·πr²/A, up to the grid's rim error.
#[test]
fn non_overlapping_lattice_covers_n_pi_r2_over_a() {
    let (pitch, r) = (0.5, 0.09);
    let rect = Rect::new(0.0, 0.0, 10.0, 7.5);
    let mut p = Vec::new();
    for j in 0..15 {
        for i in 0..20 {
            p.push(Puncture {
                pass: 0,
                stamp: 0,
                needle: 0,
                x_mm: (i as f64 + 0.5) * pitch + 0.0013,
                y_mm: (j as f64 + 0.5) * pitch + 0.0027,
                depth_mm: 1.0,
                t_s: 0.0,
                ..Puncture::default()
            });
        }
    }
    let c = cover(&p, r, rect, 0.005);
    let exact = p.len() as f64 * PI * r * r / rect.area();
    assert!((c.coverage - exact).abs() / exact < 0.01, "{} vs {exact}", c.coverage);
    assert!((c.hits_histogram[1] - exact).abs() / exact < 0.01);
    assert_eq!(c.hits_histogram[2], 0.0);
}

/// Σ(hits × cell area) = punctures × πr² when every disk lies inside the area.
#[test]
fn hit_sum_conserves_disk_area() {
    let r = 0.09;
    let rect = Rect::new(0.0, 0.0, 12.0, 9.0);
    let p = uniform_punctures(5000, (r, r, 12.0 - r, 9.0 - r), 5);
    let grid = GridSpec::new(0.01).unwrap();
    let acc = accumulate(
        &p,
        &Request { grid, radius_mm: r, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
    );
    let measured = acc.tallies[0].hit_sum as f64 * grid.cell_area_mm2();
    let exact = p.len() as f64 * PI * r * r;
    assert!((measured - exact).abs() / exact < 0.002, "{measured} vs {exact}");
}

/// The tiled, parallel accumulator agrees cell for cell with the naive dense grid, including
/// disks that straddle tile borders and the rectangle's edges.
#[test]
fn tiled_accumulation_matches_dense_brute_force() {
    let r = 0.12;
    // Not aligned with tiles (2 mm) on purpose.
    let rect = Rect::new(-1.37, 0.23, 6.91, 5.55);
    let p = uniform_punctures(3000, (-1.6, 0.0, 7.2, 5.8), 9);
    let grid = GridSpec::new(0.01).unwrap();
    let acc = accumulate(
        &p,
        &Request { grid, radius_mm: r, passes: 1, picture_cells: None, domain: &RectDomain(rect), layers: Default::default() },
    );
    let dense = dense_counts(&p, r, &rect, &grid);
    let mut hist = [0u64; 17];
    for &c in &dense.counts {
        hist[(c as usize).min(16)] += 1;
    }
    let t = &acc.tallies[0];
    assert_eq!(t.cells, dense.counts.len() as u64);
    // Centre-in-disk ties can fall either way between sqrt spans and distance tests: allow
    // a handful of cells out of ~400,000.
    let diff: u64 = t.hist.iter().zip(&hist).map(|(a, b)| a.abs_diff(*b)).sum();
    assert!(diff <= 8, "histograms differ in {diff} cells: {:?} vs {hist:?}", t.hist);
    let dense_sum: u64 = dense.counts.iter().map(|&c| c as u64).sum();
    assert!(t.hit_sum.abs_diff(dense_sum) <= 4);
}
