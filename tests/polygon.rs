//! Polygon geometry against independent truth: closed forms, brute force, dense sampling.

use needlesim::geometry::polygon::{Polygon, RectRelation};
use needlesim::geometry::{Rect, Vec2};
use proptest::prelude::*;

fn regular(n: usize, r: f64, c: Vec2, phase: f64) -> Polygon {
    Polygon::new(
        (0..n)
            .map(|k| {
                c + Vec2::new(
                    (phase + k as f64 * std::f64::consts::TAU / n as f64).cos(),
                    (phase + k as f64 * std::f64::consts::TAU / n as f64).sin(),
                ) * r
            })
            .collect(),
    )
    .unwrap()
}

/// A star-shaped polygon: sorted angles, radii in [0.3, 1] × scale.
fn star(angles: &[f64], radii: &[f64], c: Vec2, scale: f64) -> Option<Polygon> {
    let mut a: Vec<f64> = angles.to_vec();
    a.sort_by(f64::total_cmp);
    a.dedup_by(|x, y| (*x - *y).abs() < 1e-3);
    let pts: Vec<Vec2> = a.iter().zip(radii).map(|(t, r)| c + Vec2::new(t.cos(), t.sin()) * (r * scale)).collect();
    Polygon::new(pts).ok()
}

/// Winding number of the ring around `p`: an implementation independent of the crate's
/// crossing rule.
fn winding(poly: &Polygon, p: Vec2) -> i32 {
    let v = poly.vertices();
    let mut w = 0;
    for i in 0..v.len() {
        let (a, b) = (v[i], v[(i + 1) % v.len()]);
        let side = (b.x - a.x) * (p.y - a.y) - (p.x - a.x) * (b.y - a.y);
        if a.y <= p.y {
            if b.y > p.y && side > 0.0 {
                w += 1;
            }
        } else if b.y <= p.y && side < 0.0 {
            w -= 1;
        }
    }
    w
}

fn dist_to_edges(poly: &Polygon, p: Vec2) -> f64 {
    poly.edges()
        .map(|(a, b)| {
            let e = b - a;
            let t = ((p - a).dot(&e) / e.norm_squared()).clamp(0.0, 1.0);
            (p - (a + e * t)).norm()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn regular_polygon_areas_and_centroids_match_closed_forms() {
    for n in [3, 4, 5, 7, 12, 100, 1000] {
        let c = Vec2::new(-3.5, 12.25);
        let p = regular(n, 2.5, c, 0.3);
        let exact = 0.5 * n as f64 * 2.5 * 2.5 * (std::f64::consts::TAU / n as f64).sin();
        assert!((p.area_mm2() - exact).abs() < 1e-9 * exact, "n = {n}: {} vs {exact}", p.area_mm2());
        assert!((p.centroid() - c).norm() < 1e-9, "n = {n}");
    }
}

#[test]
fn square_and_its_45_degree_turn_overlap_in_a_regular_octagon() {
    let sq = regular(4, 2f64.sqrt(), Vec2::zeros(), std::f64::consts::FRAC_PI_4); // side 2
    let turned = regular(4, 2f64.sqrt(), Vec2::zeros(), 0.0);
    let (a, c) = sq.intersection(&turned);
    // Octagon inscribed between the squares: side-2 square minus 4 corner triangles.
    let exact = 4.0 * 2.0 * (2f64.sqrt() - 1.0);
    assert!((a - exact).abs() < 1e-12, "{a} vs {exact}");
    assert!(c.unwrap().norm() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn point_in_polygon_matches_winding_number(
        angles in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..24),
        radii in prop::collection::vec(0.3f64..1.0, 24),
        probes in prop::collection::vec((-1.2f64..1.2, -1.2f64..1.2), 200),
    ) {
        let Some(poly) = star(&angles, &radii, Vec2::new(5.0, -2.0), 10.0) else { return Ok(()) };
        for (x, y) in probes {
            let p = Vec2::new(5.0 + 10.0 * x, -2.0 + 10.0 * y);
            if dist_to_edges(&poly, p) < 1e-9 { continue; }
            prop_assert_eq!(poly.contains(p), winding(&poly, p) != 0, "at {:?}", p);
        }
    }

    #[test]
    fn shoelace_area_matches_dense_sampling(
        angles in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..16),
        radii in prop::collection::vec(0.3f64..1.0, 16),
    ) {
        let Some(poly) = star(&angles, &radii, Vec2::zeros(), 1.0) else { return Ok(()) };
        // Midpoint sampling on a 400 × 400 lattice over [-1, 1]²; error ≤ boundary cells.
        let n = 400;
        let h = 2.0 / n as f64;
        let inside = (0..n * n).filter(|k| winding(&poly, Vec2::new(-1.0 + (k % n) as f64 * h + h / 2.0, -1.0 + (k / n) as f64 * h + h / 2.0)) != 0).count();
        let sampled = inside as f64 * h * h;
        prop_assert!((sampled - poly.area_mm2()).abs() <= poly.perimeter_mm() * h, "{} vs {}", sampled, poly.area_mm2());
    }

    #[test]
    fn lane_clipping_stays_inside_and_misses_nothing(
        angles in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..24),
        radii in prop::collection::vec(0.3f64..1.0, 24),
        p0 in (-1.5f64..1.5, -1.5f64..1.5),
        dir in 0.0f64..std::f64::consts::TAU,
        margin in 0.0f64..0.3,
    ) {
        let Some(poly) = star(&angles, &radii, Vec2::zeros(), 1.0) else { return Ok(()) };
        let p = Vec2::new(p0.0, p0.1);
        let u = Vec2::new(dir.cos(), dir.sin());
        let iv = poly.clip_line(p, u);
        let grown = poly.clip_line_grown(margin, p, u);
        for k in 0..=2000 {
            let t = -4.0 + 8.0 * k as f64 / 2000.0;
            let q = p + u * t;
            let d = dist_to_edges(&poly, q);
            if d < 1e-7 { continue; }
            let inside = winding(&poly, q) != 0;
            let in_iv = iv.iter().any(|&(a, b)| t >= a && t <= b);
            prop_assert_eq!(in_iv, inside, "t = {} at {:?}", t, q);
            if (d - margin).abs() < 1e-7 { continue; }
            let in_grown = grown.iter().any(|&(a, b)| t >= a && t <= b);
            prop_assert_eq!(in_grown, inside || d <= margin, "grown, t = {}", t);
        }
        for w in iv.windows(2) { prop_assert!(w[0].1 < w[1].0); }
    }

    #[test]
    fn rect_classes_agree_with_brute_force(
        angles in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..24),
        radii in prop::collection::vec(0.3f64..1.0, 24),
        r in (-1.2f64..1.0, -1.2f64..1.0, 0.01f64..0.6, 0.01f64..0.6),
    ) {
        let Some(poly) = star(&angles, &radii, Vec2::zeros(), 1.0) else { return Ok(()) };
        let rect = Rect::new(r.0, r.1, r.0 + r.2, r.1 + r.3);
        let mut seen = (false, false);
        for j in 0..=20 {
            for i in 0..=20 {
                let q = Vec2::new(rect.x0 + rect.width() * i as f64 / 20.0, rect.y0 + rect.height() * j as f64 / 20.0);
                if dist_to_edges(&poly, q) < 1e-9 { continue; }
                if winding(&poly, q) != 0 { seen.0 = true } else { seen.1 = true }
            }
        }
        match poly.classify_rect(&rect) {
            RectRelation::Inside => prop_assert!(!seen.1, "a point outside an Inside rect"),
            RectRelation::Outside => prop_assert!(!seen.0, "a point inside an Outside rect"),
            RectRelation::Mixed => {}
        }
        if seen.0 && seen.1 { prop_assert_eq!(poly.classify_rect(&rect), RectRelation::Mixed); }
    }

    #[test]
    fn intersection_area_matches_dense_sampling(
        a1 in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..12),
        r1 in prop::collection::vec(0.3f64..1.0, 12),
        a2 in prop::collection::vec(0.0f64..std::f64::consts::TAU, 3..12),
        r2 in prop::collection::vec(0.3f64..1.0, 12),
        shift in (-0.8f64..0.8, -0.8f64..0.8),
    ) {
        let (Some(a), Some(b)) = (star(&a1, &r1, Vec2::zeros(), 1.0), star(&a2, &r2, Vec2::new(shift.0, shift.1), 1.0)) else { return Ok(()) };
        let n = 300;
        let h = 4.0 / n as f64;
        let both = (0..n * n).filter(|k| {
            let q = Vec2::new(-2.0 + (k % n) as f64 * h + h / 2.0, -2.0 + (k / n) as f64 * h + h / 2.0);
            winding(&a, q) != 0 && winding(&b, q) != 0
        }).count();
        let sampled = both as f64 * h * h;
        let (exact, _) = a.intersection(&b);
        prop_assert!((sampled - exact).abs() <= (a.perimeter_mm() + b.perimeter_mm()) * h, "{} vs {}", sampled, exact);
    }
}
