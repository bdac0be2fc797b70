//! Frontal (projected) area as the union of the projected triangles, against independent
//! truth: closed forms (regular polygon, rectangle, square), the convex hull of a closed convex
//! mesh's vertices, an exact slab sweep over random triangle sets, and point sampling with its
//! worst-case bound (on random sets and on every region of the built-in face).

mod common;

use std::f64::consts::PI;

use needlesim::face::surface::builtin_surface_face;
use needlesim::geometry::Vec2;
use needlesim::surface::projected::{group_projected_areas_mm2, projected_area_mm2, union_area_mm2};
use needlesim::surface::shapes::{flat_rect, half_cylinder, sphere_cap};
use needlesim::surface::{SurfaceMesh, Triangle};
use proptest::prelude::*;

/// `a` and `b` as one mesh, one group (`a`'s first).
fn merge(a: &SurfaceMesh, b: &SurfaceMesh) -> SurfaceMesh {
    let mut m = a.clone();
    let (nv, nuv) = (a.positions_mm.len() as u32, a.uvs.len() as u32);
    m.positions_mm.extend(&b.positions_mm);
    m.uvs.extend(&b.uvs);
    m.triangles.extend(b.triangles.iter().map(|t| Triangle { v: t.v.map(|i| i + nv), uv: t.uv.map(|i| i + nuv), group: 0 }));
    m
}

/// `m` mirrored through the xy plane (z → −z), winding kept counter-clockwise seen from outside.
fn mirrored_z(m: &SurfaceMesh) -> SurfaceMesh {
    let mut out = m.clone();
    for p in &mut out.positions_mm {
        p[2] = -p[2];
    }
    for t in &mut out.triangles {
        t.v.swap(1, 2);
        t.uv.swap(1, 2);
    }
    out
}

/// The old figure: Σ skin area × |n_z| = Σ |projected triangle area| (folds count per layer).
fn sum_of_projections(m: &SurfaceMesh) -> f64 {
    m.triangles.iter().map(|t| tri_area(&projected(m, t)).abs()).sum()
}

fn projected(m: &SurfaceMesh, t: &Triangle) -> [Vec2; 3] {
    m.corners_mm(t).map(|p| Vec2::new(p[0], p[1]))
}

fn tri_area(t: &[Vec2; 3]) -> f64 {
    0.5 * (t[1] - t[0]).perp(&(t[2] - t[0]))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

#[test]
fn a_closed_sphere_projects_to_its_equator_polygon_not_twice() {
    let (r, sectors) = (25.0, 96);
    let upper = sphere_cap(r, 90.0, 24, sectors);
    let sphere = merge(&upper, &mirrored_z(&upper));
    // Both hemispheres tile the regular polygon of the equator ring exactly.
    let polygon = 0.5 * sectors as f64 * r * r * (2.0 * PI / sectors as f64).sin();
    let union = projected_area_mm2(&sphere);
    let sum = sum_of_projections(&sphere);
    eprintln!("sphere R = {r}: union {union:.6}, polygon {polygon:.6}, πR² {:.6}, old sum {sum:.6}", PI * r * r);
    assert!(close(union, polygon, 1e-12), "{union} vs {polygon}");
    assert!(close(sum, 2.0 * polygon, 1e-12), "the old sum counts both layers: {sum}");
    // And the polygon is πR² to the tessellation's known deficit (1 − sin(2π/s)/(2π/s)).
    let deficit = 1.0 - (2.0 * PI / sectors as f64).sin() / (2.0 * PI / sectors as f64);
    assert!(close(union, PI * r * r * (1.0 - deficit), 1e-12));
    assert_eq!(group_projected_areas_mm2(&sphere), vec![union]);
}

/// Area of the convex hull of points (Andrew's monotone chain).
fn hull_area(mut p: Vec<Vec2>) -> f64 {
    p.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let turn = |o: Vec2, a: Vec2, b: Vec2| (a - o).perp(&(b - o));
    let mut hull: Vec<Vec2> = Vec::new();
    for pass in [p.clone(), p.into_iter().rev().collect()] {
        let start = hull.len();
        for q in pass {
            while hull.len() >= start + 2 && turn(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    let n = hull.len();
    0.5 * (0..n).map(|i| hull[i].perp(&hull[(i + 1) % n])).sum::<f64>()
}

#[test]
fn a_tilted_closed_sphere_projects_to_the_hull_of_its_vertices() {
    // Rotated so that nothing lines up with the view: every silhouette edge is a fold of the
    // mesh, seen at a slant. The surface is convex and closed, so its shadow is the convex
    // hull of the projected vertices.
    let upper = sphere_cap(30.0, 90.0, 12, 40);
    let mut sphere = merge(&upper, &mirrored_z(&upper));
    let (a, b) = (37f64.to_radians(), 23f64.to_radians());
    for p in &mut sphere.positions_mm {
        let (y, z) = (p[1] * a.cos() - p[2] * a.sin(), p[1] * a.sin() + p[2] * a.cos());
        let (x, z) = (p[0] * b.cos() + z * b.sin(), -p[0] * b.sin() + z * b.cos());
        *p = [x, y, z];
    }
    let hull = hull_area(sphere.positions_mm.iter().map(|p| Vec2::new(p[0], p[1])).collect());
    let union = projected_area_mm2(&sphere);
    let sum = sum_of_projections(&sphere);
    eprintln!("tilted sphere: union {union:.6}, hull {hull:.6}, old sum {sum:.6}");
    assert!(close(union, hull, 1e-10), "{union} vs {hull}");
    assert!(sum > 1.9 * hull);
}

#[test]
fn a_half_cylinder_and_a_closed_tube_project_to_2r_by_l() {
    let (r, l) = (30.0, 40.0);
    let half = half_cylinder(r, l, 64, 8, 1.0);
    assert!(close(projected_area_mm2(&half), 2.0 * r * l, 1e-12), "{}", projected_area_mm2(&half));
    let tube = merge(&half, &mirrored_z(&half));
    let union = projected_area_mm2(&tube);
    eprintln!("tube: union {union}, old sum {}", sum_of_projections(&tube));
    assert!(close(union, 2.0 * r * l, 1e-12), "{union}");
    assert!(close(sum_of_projections(&tube), 4.0 * r * l, 1e-12));
}

/// A 20 × 20 mm sheet (n × n quads) at z = 0 and its other half folded back under it about the
/// edge y = 20, at `angle_deg` from the front half (0: flat under it): the back half shares the
/// hinge row and projects inside the front square. The chart is the unfolded 20 × 40 mm sheet
/// (the back half's v = 40 − y, its triangles' winding swapped so the chart stays
/// counter-clockwise), so the mesh is a valid surface.
fn folded_sheet(n: usize, angle_deg: f64) -> SurfaceMesh {
    let front = flat_rect(20.0, 20.0, n, n, "sheet");
    let mut back = front.clone();
    let a = angle_deg.to_radians();
    for (p, uv) in back.positions_mm.iter_mut().zip(&mut back.uvs) {
        let s = 20.0 - p[1]; // distance from the hinge along the back half
        *uv = [p[0], 40.0 - p[1]];
        *p = [p[0], 20.0 - s * a.cos(), -s * a.sin()];
    }
    for t in &mut back.triangles {
        t.v.swap(1, 2);
        t.uv.swap(1, 2);
    }
    // Reconnect the hinge: the back's hinge row (y = 20) is the front's.
    let mut m = merge(&front, &back);
    let nv = front.positions_mm.len() as u32;
    let row = ((n + 1) * n) as u32; // first index of the hinge row in each half
    for t in &mut m.triangles {
        for i in t.v.iter_mut().chain(t.uv.iter_mut()) {
            if *i >= nv + row {
                *i -= nv;
            }
        }
    }
    m
}

#[test]
fn a_folded_sheet_counts_its_square_once() {
    // Folded flat (0°): the back half's triangles coincide with the front's in projection.
    let flat_fold = folded_sheet(10, 0.0);
    assert!(close(projected_area_mm2(&flat_fold), 400.0, 1e-12), "{}", projected_area_mm2(&flat_fold));
    assert!(close(sum_of_projections(&flat_fold), 800.0, 1e-12));
    // Folded at 50°: the back half projects to [0, 20] × [20 − 20 cos 50°, 20], inside.
    let open_fold = folded_sheet(10, 50.0);
    let union = projected_area_mm2(&open_fold);
    let back = 400.0 * 50f64.to_radians().cos();
    eprintln!("fold at 50°: union {union}, old sum {}", sum_of_projections(&open_fold));
    assert!(close(union, 400.0, 1e-12), "{union}");
    assert!(close(sum_of_projections(&open_fold), 400.0 + back, 1e-12));
}

#[test]
fn a_surface_session_on_a_folded_sheet_reports_the_silhouette() {
    // The figure summary.json reports (`regions.<name>.projected_area_mm2`), end to end.
    let mesh = folded_sheet(10, 50.0);
    mesh.validate("folded sheet").unwrap();
    let pass = common::surface::pass(needlesim::technique::lanes::Pattern::Serpentine, 0.0);
    let s = common::surface::session_with(mesh, vec![pass], common::surface::one_needle(), Default::default(), Default::default());
    let r = s.run().unwrap();
    let g = &r.regions[0];
    eprintln!("folded sheet session: skin {} mm², projected {} mm²", g.skin_area_mm2, g.projected_area_mm2);
    assert!(close(g.skin_area_mm2, 800.0, 1e-12));
    assert!(close(g.projected_area_mm2, 400.0, 1e-12), "{}", g.projected_area_mm2);
}

#[test]
fn a_flat_square_mesh_is_its_area_and_groups_stay_apart() {
    let square = flat_rect(20.0, 20.0, 10, 10, "square");
    assert!(close(projected_area_mm2(&square), 400.0, 1e-13));
    // Two disjoint triangles (group 0): their sum; a third overlapping them in group 1 is its
    // own group's area and does not change group 0's.
    let m = SurfaceMesh {
        positions_mm: vec![
            [0.0, 0.0, 0.0],
            [4.0, 0.0, 1.0],
            [0.0, 3.0, 2.0],
            [10.0, 10.0, 0.0],
            [12.0, 10.0, -5.0],
            [10.0, 15.0, 0.0],
            [-1.0, -1.0, 0.0],
            [20.0, -1.0, 0.0],
            [-1.0, 20.0, 0.0],
        ],
        uvs: vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
        triangles: vec![
            Triangle { v: [0, 1, 2], uv: [0, 1, 2], group: 0 },
            Triangle { v: [3, 4, 5], uv: [0, 1, 2], group: 0 },
            Triangle { v: [6, 7, 8], uv: [0, 1, 2], group: 1 },
        ],
        groups: vec!["a".into(), "b".into(), "empty".into()],
    };
    let areas = group_projected_areas_mm2(&m);
    assert_eq!(areas.len(), 3);
    assert!(close(areas[0], 6.0 + 5.0, 1e-13), "{areas:?}");
    assert!(close(areas[1], 0.5 * 21.0 * 21.0, 1e-13), "{areas:?}");
    assert_eq!(areas[2], 0.0);
    // The whole mesh: the big triangle (x + y ≤ 19) holds the first, not the second (x + y ≥ 20).
    let all: Vec<[Vec2; 3]> = m.triangles.iter().map(|t| projected(&m, t)).collect();
    assert!(close(projected_area_mm2(&m), 220.5 + 5.0, 1e-13), "{}", projected_area_mm2(&m));
    assert!(close(slab_area(&all), 220.5 + 5.0, 1e-13));
}

/// Exact union area by brute force, a different method: cut the plane at every vertex y and
/// every y where two edges cross; inside such a slab each triangle's cross-section is an
/// interval whose ends move linearly and never pass each other, so the union's length is
/// linear in y and the midpoint rule is exact.
fn slab_area(tris: &[[Vec2; 3]]) -> f64 {
    let edges: Vec<(Vec2, Vec2)> = tris.iter().flat_map(|t| (0..3).map(move |k| (t[k], t[(k + 1) % 3]))).collect();
    let mut ys: Vec<f64> = tris.iter().flatten().map(|p| p.y).collect();
    for (i, &(p, p1)) in edges.iter().enumerate() {
        for &(q, q1) in &edges[i + 1..] {
            let (r, s) = (p1 - p, q1 - q);
            let den = r.perp(&s);
            if den != 0.0 {
                let (t, u) = ((q - p).perp(&s) / den, (q - p).perp(&r) / den);
                if t > 0.0 && t < 1.0 && u > 0.0 && u < 1.0 {
                    ys.push(p.y + t * r.y);
                }
            }
        }
    }
    ys.sort_by(f64::total_cmp);
    ys.dedup();
    let mut area = 0.0;
    for w in ys.windows(2) {
        let ym = 0.5 * (w[0] + w[1]);
        let mut spans: Vec<(f64, f64)> = tris
            .iter()
            .filter_map(|t| {
                let xs: Vec<f64> = (0..3)
                    .map(|k| (t[k], t[(k + 1) % 3]))
                    .filter(|(a, b)| (ym - a.y) * (ym - b.y) < 0.0)
                    .map(|(a, b)| a.x + (ym - a.y) / (b.y - a.y) * (b.x - a.x))
                    .collect();
                (xs.len() == 2).then(|| (xs[0].min(xs[1]), xs[0].max(xs[1])))
            })
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut len, mut end) = (0.0, f64::NEG_INFINITY);
        for (a, b) in spans {
            if b > end {
                len += b - a.max(end);
                end = b;
            }
        }
        area += (w[1] - w[0]) * len;
    }
    area
}

/// Union area by sampling cell centres of an `h` grid over `[lo, hi]²`, and its worst-case
/// error: only cells that the union's boundary crosses can be misjudged, and the boundary lies
/// on the given `edges`; a segment crosses at most `|dx|/h + |dy|/h + 2` cells.
fn sampled_area(tris: &[[Vec2; 3]], edges: &[(Vec2, Vec2)], lo: Vec2, hi: Vec2, h: f64) -> (f64, f64) {
    let (nx, ny) = (((hi.x - lo.x) / h).ceil() as usize, ((hi.y - lo.y) / h).ceil() as usize);
    let mut inside = vec![false; nx * ny];
    for t in tris {
        let s = tri_area(t).signum();
        if s == 0.0 {
            continue;
        }
        let (bl, tr) = (t[0].inf(&t[1]).inf(&t[2]), t[0].sup(&t[1]).sup(&t[2]));
        let (i0, i1) = (((bl.x - lo.x) / h).floor().max(0.0) as usize, (((tr.x - lo.x) / h).ceil() as usize).min(nx));
        let (j0, j1) = (((bl.y - lo.y) / h).floor().max(0.0) as usize, (((tr.y - lo.y) / h).ceil() as usize).min(ny));
        for j in j0..j1 {
            for i in i0..i1 {
                let p = Vec2::new(lo.x + (i as f64 + 0.5) * h, lo.y + (j as f64 + 0.5) * h);
                if (0..3).all(|k| s * (t[(k + 1) % 3] - t[k]).perp(&(p - t[k])) >= 0.0) {
                    inside[j * nx + i] = true;
                }
            }
        }
    }
    let area = inside.iter().filter(|&&b| b).count() as f64 * h * h;
    let bound: f64 = edges.iter().map(|(a, b)| ((b.x - a.x).abs() / h + (b.y - a.y).abs() / h + 2.0) * h * h).sum();
    (area, bound)
}

fn triangle_sets() -> impl Strategy<Value = Vec<[Vec2; 3]>> {
    let free = prop::collection::vec(prop::array::uniform6(0.0f64..10.0), 1..10);
    // Corners on a coarse integer grid: shared vertices, shared and collinear edges, identical
    // and edge-on triangles, the cases a mesh is made of.
    let snapped = prop::collection::vec(prop::array::uniform6((0u8..5).prop_map(|k| 2.5 * k as f64)), 1..10);
    prop_oneof![free, snapped]
        .prop_map(|v| v.into_iter().map(|c| [Vec2::new(c[0], c[1]), Vec2::new(c[2], c[3]), Vec2::new(c[4], c[5])]).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_triangle_sets_match_the_exact_slab_sweep(tris in triangle_sets()) {
        let union = union_area_mm2(&tris);
        let slab = slab_area(&tris);
        let sum: f64 = tris.iter().map(|t| tri_area(t).abs()).sum();
        prop_assert!((union - slab).abs() <= 1e-9 * (1.0 + slab), "union {} slab {}", union, slab);
        prop_assert!(union <= sum + 1e-9 && union >= tris.iter().map(|t| tri_area(t).abs()).fold(0.0, f64::max) - 1e-9);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_triangle_sets_match_point_sampling_within_its_bound(tris in triangle_sets()) {
        let edges: Vec<(Vec2, Vec2)> = tris.iter().flat_map(|t| (0..3).map(move |k| (t[k], t[(k + 1) % 3]))).collect();
        let (sampled, bound) = sampled_area(&tris, &edges, Vec2::new(0.0, 0.0), Vec2::new(10.0, 10.0), 0.01);
        let union = union_area_mm2(&tris);
        prop_assert!((union - sampled).abs() <= bound, "union {} sampled {} bound {}", union, sampled, bound);
    }
}

#[test]
fn every_region_of_the_builtin_face_matches_point_sampling_and_folds_count_once() {
    let face = builtin_surface_face(&[]).unwrap();
    let mesh = &face.mesh;
    let clock = std::time::Instant::now();
    let areas = group_projected_areas_mm2(mesh);
    // Printed, not asserted (speed goes to `benches/surface.rs`, group `projected_area`).
    eprintln!("{} triangles, {} groups: unions in {:.1} ms", mesh.triangles.len(), mesh.groups.len(), clock.elapsed().as_secs_f64() * 1e3);
    let skin = face.group_areas_mm2();
    let h = 0.1;
    eprintln!("{:>24} {:>9} {:>9} {:>9} {:>9} {:>7}", "group", "skin", "old sum", "union", "sampled", "bound");
    let (mut old_total, mut new_total) = (0.0, 0.0);
    for (g, name) in mesh.groups.iter().enumerate() {
        let tris: Vec<&Triangle> = mesh.triangles.iter().filter(|t| t.group as usize == g).collect();
        let proj: Vec<[Vec2; 3]> = tris.iter().map(|t| projected(mesh, t)).collect();
        // The union's boundary lies on the group's open edges (one triangle of the group) and
        // its folds (two triangles on the same side of the edge in projection).
        let mut by_edge: std::collections::BTreeMap<(u32, u32), Vec<(usize, f64)>> = Default::default();
        for (i, t) in tris.iter().enumerate() {
            for k in 0..3 {
                let (a, b) = (t.v[k], t.v[(k + 1) % 3]);
                let c = t.v[(k + 2) % 3];
                let p = |v: u32| Vec2::new(mesh.positions_mm[v as usize][0], mesh.positions_mm[v as usize][1]);
                // Side of the third corner relative to the edge taken in increasing index order.
                let (lo, hi) = (a.min(b), a.max(b));
                by_edge.entry((lo, hi)).or_default().push((i, (p(hi) - p(lo)).perp(&(p(c) - p(lo)))));
            }
        }
        let p = |v: u32| Vec2::new(mesh.positions_mm[v as usize][0], mesh.positions_mm[v as usize][1]);
        let edges: Vec<(Vec2, Vec2)> = by_edge
            .iter()
            .filter(|(_, sides)| sides.len() != 2 || sides[0].1 * sides[1].1 >= 0.0)
            .map(|(&(a, b), _)| (p(a), p(b)))
            .collect();
        let pts: Vec<Vec2> = proj.iter().flatten().copied().collect();
        if pts.is_empty() {
            assert_eq!(areas[g], 0.0);
            continue;
        }
        let lo = pts.iter().fold(pts[0], |m, q| m.inf(q)) - Vec2::new(h, h);
        let hi = pts.iter().fold(pts[0], |m, q| m.sup(q)) + Vec2::new(h, h);
        let (sampled, bound) = sampled_area(&proj, &edges, lo, hi, h);
        let old: f64 = proj.iter().map(|t| tri_area(t).abs()).sum();
        eprintln!(
            "{:>24} {:9.1} {:9.1} {:9.1} {:9.1} {:7.1}",
            if name.is_empty() { "(unassigned)" } else { name },
            skin[g],
            old,
            areas[g],
            sampled,
            bound
        );
        assert!((areas[g] - sampled).abs() <= bound, "{name}: union {} sampled {sampled} bound {bound}", areas[g]);
        assert!(areas[g] <= old * (1.0 + 1e-12) && areas[g] <= skin[g], "{name}");
        if g < face.regions.len() {
            old_total += old;
            new_total += areas[g];
        }
    }
    eprintln!("regions: old sum {old_total:.1} mm², union {new_total:.1} mm²");
    // The whole mesh's silhouette: no more than the sum of its groups' silhouettes.
    let whole = projected_area_mm2(mesh);
    eprintln!("mesh silhouette {whole:.1} mm², old sum {:.1} mm²", sum_of_projections(mesh));
    assert!(whole <= areas.iter().sum::<f64>() * (1.0 + 1e-12));
}

#[test]
fn threads_change_no_bit() {
    // Sets larger than a piece of work (1,024 triangles), the face's groups and its silhouette.
    let face = builtin_surface_face(&[]).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| (group_projected_areas_mm2(&face.mesh), projected_area_mm2(&face.mesh)))
    };
    let (one, two) = (run(1), run(2));
    assert!(one.0.iter().zip(&two.0).all(|(a, b)| a.to_bits() == b.to_bits()), "{one:?} vs {two:?}");
    assert_eq!(one.1.to_bits(), two.1.to_bits());
}

fn v(x: f64, y: f64) -> Vec2 {
    Vec2::new(x, y)
}

#[test]
fn one_triangle_either_orientation_is_its_area() {
    let t = [v(0.0, 0.0), v(4.0, 0.0), v(0.0, 3.0)];
    assert_eq!(union_area_mm2(&[t]), 6.0);
    assert_eq!(union_area_mm2(&[[t[0], t[2], t[1]]]), 6.0);
    assert_eq!(union_area_mm2(&[]), 0.0);
    // Seen edge-on: no area.
    assert_eq!(union_area_mm2(&[[v(0.0, 0.0), v(1.0, 1.0), v(2.0, 2.0)]]), 0.0);
    // A triangle with a non-finite corner is dropped, not spread over the others.
    assert_eq!(union_area_mm2(&[t, [v(0.0, 0.0), v(f64::INFINITY, 0.0), v(0.0, 1.0)], [v(f64::NAN, 0.0), v(1.0, 0.0), v(0.0, 1.0)]]), 6.0);
}

#[test]
fn a_triangle_twice_and_a_triangle_inside_another_count_once() {
    let t = [v(0.0, 0.0), v(4.0, 0.0), v(0.0, 3.0)];
    assert_eq!(union_area_mm2(&[t, t, [t[0], t[2], t[1]]]), 6.0);
    let inner = [v(0.5, 0.5), v(1.5, 0.5), v(0.5, 1.5)];
    assert!((union_area_mm2(&[t, inner]) - 6.0).abs() < 1e-12);
    assert!((union_area_mm2(&[inner, t]) - 6.0).abs() < 1e-12);
}

#[test]
fn two_overlapping_squares_by_hand() {
    // [0,2]² ∪ [1,3]² = 4 + 4 − 1 = 7, each square as two triangles.
    let sq = |x: f64, y: f64| [[v(x, y), v(x + 2.0, y), v(x + 2.0, y + 2.0)], [v(x, y), v(x + 2.0, y + 2.0), v(x, y + 2.0)]];
    let tris: Vec<[Vec2; 3]> = sq(0.0, 0.0).into_iter().chain(sq(1.0, 1.0)).collect();
    assert!((union_area_mm2(&tris) - 7.0).abs() < 1e-12, "{}", union_area_mm2(&tris));
}
