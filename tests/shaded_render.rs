//! Truth tests of the shaded 3D rasteriser (src/render/shaded/): a flat mesh seen from the
//! front shows each chart cell in the colour of its hit count (checked against a brute-force
//! count of the disks over the cell centre); the depth test hides what is behind whatever the
//! drawing order; lighting falls monotonically with the angle to the light and matches
//! `ambient + k cos θ`; a hemisphere's silhouette has the closed-form area; the bytes do not
//! depend on the thread count.

#![cfg(feature = "render")]

use needlesim::geometry::Vec2;
use needlesim::needle::footprint::Shape;
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::Layers;
use needlesim::render::shaded::raster::{self, Camera, EMPTY, GBuffer, Lighting, SHADE_ONE, V3};
use needlesim::render::shaded::scene::{GroupKind, Layer, Scene};
use needlesim::render::viridis;
use needlesim::surface::measure::{self, SurfaceGrid};
use needlesim::surface::shapes::{flat_rect, sphere_cap};
use needlesim::surface::{Chart, SurfaceMesh, Triangle};

fn disk_shape() -> Shape {
    Shape { a_per_r: 1.0, b_per_r: 1.0, axis: Vec2::new(1.0, 0.0), drag: Vec2::zeros() }
}

/// Flat 20 × 20 mm mesh (UV = xy), disks of radius 3 mm accumulated on 0.5 mm cells with a
/// one-cell picture; the front view at 10 px/mm puts every cell on a 5 × 5 px block.
#[test]
fn a_cell_hit_k_times_shows_the_colour_of_k() {
    let mesh = flat_rect(20.0, 20.0, 4, 4, "skin");
    let chart = Chart::new(&mesh, "flat").unwrap();
    let r = 3.0;
    let grid = SurfaceGrid::choose(&chart, &[0], r, 0.5).unwrap();
    assert_eq!(grid.grid.resolution_mm, 0.5);
    let centres = [(7.0, 8.0), (10.0, 10.0), (12.2, 9.1), (9.3, 12.6), (14.0, 14.0), (5.1, 14.2)];
    let punctures: Vec<Puncture> =
        centres.iter().enumerate().map(|(k, &(x, y))| Puncture { x_mm: x, y_mm: y, stamp: k as u32, ..Puncture::default() }).collect();
    let shapes = vec![disk_shape(); punctures.len()];
    let m = measure::measure(&chart, 1, &punctures, &shapes, &grid, None, r, 1, Some(1), Layers::default());
    let picture = m.acc.raster.as_ref().expect("a picture");
    let max = picture.max() as f64;
    let scene = Scene::new(&mesh, &chart, vec![GroupKind::Treated]);
    let cam = Camera::orbit(0.0, 0.0, V3::new(10.0, 10.0, 0.0), 10.0, 200, 200);
    let g = GBuffer::render(&mesh, &chart, &scene.normals, &cam, &Lighting::flat(), &raster::SAMPLES_4);
    let layer = Layer::Spot { raster: picture, max };
    let img = g.resolve([255; 3], |t, q, x, y| scene.colour(&layer, t, q, x, y));
    let mut seen = std::collections::BTreeSet::new();
    // Cell (i, j) covers x ∈ [0.5 i, 0.5 i + 0.5) → pixels 5i..5i+4, y → rows 195 − 5j..199 − 5j.
    for j in 1..39 {
        for i in 1..39 {
            let (cx, cy) = (0.5 * i as f64 + 0.25, 0.5 * j as f64 + 0.25);
            let k = centres.iter().filter(|&&(x, y)| (x - cx).powi(2) + (y - cy).powi(2) <= r * r).count();
            seen.insert(k);
            let expected = viridis(k as f64 / max);
            for (px, py) in [(5 * i + 2, 197 - 5 * j), (5 * i + 1, 196 - 5 * j), (5 * i + 3, 198 - 5 * j)] {
                assert_eq!(img.get(px, py).unwrap(), expected, "cell ({i}, {j}) hit {k} times, pixel ({px}, {py})");
            }
        }
    }
    assert!(seen.len() >= 4, "hit counts met: {seen:?}");
    assert_eq!(max, *seen.iter().max().unwrap() as f64);
}

/// Two squares: `back` at z = 0 (group 0, 0–10 mm), `front` at z = 5 (group 1, 3–7 mm).
fn two_squares(front_first: bool) -> SurfaceMesh {
    let square = |x0: f64, x1: f64, z: f64, base: u32, group: u32| {
        let p = vec![[x0, x0, z], [x1, x0, z], [x1, x1, z], [x0, x1, z]];
        let t = vec![
            Triangle { v: [base, base + 1, base + 2], uv: [base, base + 1, base + 2], group },
            Triangle { v: [base, base + 2, base + 3], uv: [base, base + 2, base + 3], group },
        ];
        (p, t)
    };
    let (pb, tb) = square(0.0, 10.0, 0.0, 0, 0);
    let (pf, tf) = square(3.0, 7.0, 5.0, 4, 1);
    let positions_mm: Vec<[f64; 3]> = pb.into_iter().chain(pf).collect();
    let uvs = positions_mm.iter().map(|p| [p[0], p[1]]).collect();
    let triangles = if front_first { tf.into_iter().chain(tb).collect() } else { tb.into_iter().chain(tf).collect() };
    SurfaceMesh { positions_mm, uvs, triangles, groups: vec!["back".into(), "front".into()] }
}

#[test]
fn the_nearer_triangle_hides_the_farther_whatever_the_order() {
    let mut images = Vec::new();
    for front_first in [false, true] {
        let mesh = two_squares(front_first);
        // The two squares overlap in the chart too: the chart is only read for its corners here.
        let chart = Chart::new(&mesh, "squares").unwrap();
        let scene = Scene::new(&mesh, &chart, vec![GroupKind::Treated, GroupKind::Treated]);
        let cam = Camera::orbit(0.0, 0.0, V3::new(5.0, 5.0, 0.0), 20.0, 200, 200);
        let g = GBuffer::render(&mesh, &chart, &scene.normals, &cam, &Lighting::flat(), &raster::SAMPLES_4);
        let values = [0.0, 1.0];
        let layer = Layer::Group { values: &values, max: 1.0 };
        let img = g.resolve([255; 3], |t, q, x, y| scene.colour(&layer, t, q, x, y));
        // Centre: the front square (value 1); 1 mm in from the corner: only the back (value 0).
        assert_eq!(img.get(100, 100).unwrap(), viridis(1.0));
        assert_eq!(img.get(30, 170).unwrap(), viridis(0.0));
        assert!((g.pixel_depth(100, 100) - 5.0).abs() < 1e-9);
        // From behind (yaw 180°) the back square is the nearer one everywhere.
        let behind = Camera::orbit(180.0, 0.0, V3::new(5.0, 5.0, 0.0), 20.0, 200, 200);
        let gb = GBuffer::render(&mesh, &chart, &scene.normals, &behind, &Lighting::flat(), &raster::SAMPLES_4);
        let ib = gb.resolve([255; 3], |t, q, x, y| scene.colour(&layer, t, q, x, y));
        assert_eq!(ib.get(100, 100).unwrap(), viridis(0.0));
        images.push(img);
    }
    assert_eq!(images[0], images[1], "drawing order changed the picture");
}

#[test]
fn lighting_falls_with_the_angle_and_matches_lambert() {
    let light = Lighting { ambient: 0.2, lights: vec![(V3::new(0.0, 0.0, 1.0), 0.8)] };
    let mut last = u16::MAX;
    for deg in (0..=90).step_by(5) {
        let a = (deg as f64).to_radians();
        let s = light.shade(V3::new(a.sin(), 0.0, a.cos()));
        assert!(s < last || deg == 0, "shade rose at {deg}°");
        let expected = (0.2 + 0.8 * a.cos()) * SHADE_ONE as f64;
        assert!((s as f64 - expected).abs() <= 0.5, "{deg}°: {s} vs {expected}");
        last = s;
    }
    // Rendered: a flat square turned by θ away from the viewer (and the light) gets darker.
    let mesh = flat_rect(10.0, 10.0, 1, 1, "s");
    let chart = Chart::new(&mesh, "s").unwrap();
    let scene = Scene::new(&mesh, &chart, vec![GroupKind::Skin]);
    let mut last = u8::MAX;
    for deg in [0.0, 20.0, 40.0, 60.0, 80.0] {
        let cam = Camera::orbit(deg, 0.0, V3::new(5.0, 5.0, 0.0), 10.0, 120, 120);
        let g = GBuffer::render(&mesh, &chart, &scene.normals, &cam, &light, &raster::SAMPLES_4);
        let img = g.resolve([0; 3], |_, _, _, _| [200, 200, 200]);
        let v = img.get(60, 60).unwrap()[0];
        let expected = 200.0 * (0.2 + 0.8 * f64::to_radians(deg).cos());
        assert!((v as f64 - expected).abs() <= 1.0, "{deg}°: {v} vs {expected}");
        assert!(v < last || deg == 0.0);
        last = v;
    }
}

/// A hemisphere of radius R seen along its axis covers πR² of the image: samples counted
/// (4 a pixel) against the closed form, within the polygon's deficit (128 sectors) plus a
/// quarter pixel along the rim.
#[test]
fn a_hemisphere_silhouette_has_area_pi_r_squared() {
    let r_mm = 20.0;
    let sectors = 128;
    let mesh = sphere_cap(r_mm, 90.0, 32, sectors);
    let chart = Chart::new(&mesh, "cap").unwrap();
    let scene = Scene::new(&mesh, &chart, vec![GroupKind::Skin]);
    let s = 10.0;
    for (cx, cy) in [(0.0, 0.0), (0.037, -0.011)] {
        let cam = Camera::orbit(0.0, 0.0, V3::new(cx, cy, 0.0), s, 460, 460);
        let g = GBuffer::render(&mesh, &chart, &scene.normals, &cam, &Lighting::soft(), &raster::SAMPLES_4);
        let area_px = g.tri.iter().filter(|&&t| t != EMPTY).count() as f64 / 4.0;
        let r_px = r_mm * s;
        let disk = std::f64::consts::PI * r_px * r_px;
        let polygon = 0.5 * sectors as f64 * (2.0 * std::f64::consts::PI / sectors as f64).sin() * r_px * r_px;
        let rim = 0.25 * 2.0 * std::f64::consts::PI * r_px;
        assert!((area_px - polygon).abs() <= rim, "{area_px} px² vs polygon {polygon} (bound {rim})");
        assert!((area_px - disk).abs() <= (disk - polygon) + rim, "{area_px} px² vs πR² = {disk}");
        // No doubled or missing sample inside: every sample well inside the rim is covered.
        let inside = (0..460 * 460).filter(|&i| {
            let (x, y) = ((i % 460) as f64 + 0.5 - 230.0, (i / 460) as f64 + 0.5 - 230.0);
            x * x + y * y < (r_px - 2.0).powi(2)
        });
        assert!(inside.into_iter().all(|i| g.tri[4 * i..4 * i + 4].iter().all(|&t| t != EMPTY)), "a crack inside the silhouette");
    }
}

#[test]
fn the_same_scene_gives_the_same_bytes_on_one_or_two_threads() {
    let mesh = sphere_cap(20.0, 80.0, 12, 48);
    let chart = Chart::new(&mesh, "cap").unwrap();
    let draw = || {
        let scene = Scene::new(&mesh, &chart, vec![GroupKind::Treated]);
        let values = [0.7];
        let cam = Camera::orbit(30.0, 10.0, V3::new(0.0, 0.0, 0.0), 9.0, 420, 400);
        scene.view(&cam, &Layer::Group { values: &values, max: 1.0 }).to_png().unwrap()
    };
    let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
    let one = pool(1).install(draw);
    let two = pool(2).install(draw);
    assert_eq!(one, two);
    assert_eq!(one, draw());
}

/// Label anchors (for a label placer): a visible region's anchor is the mean of its samples;
/// a region hidden behind another gets none.
#[test]
fn region_anchors_sit_on_visible_regions_only() {
    use needlesim::render::shaded::region_anchors;
    let mesh = two_squares(false);
    let chart = Chart::new(&mesh, "squares").unwrap();
    let scene = Scene::new(&mesh, &chart, vec![GroupKind::Treated, GroupKind::Treated]);
    let cam = Camera::orbit(0.0, 0.0, V3::new(5.0, 5.0, 0.0), 20.0, 200, 200);
    let g = GBuffer::render(&mesh, &chart, &scene.normals, &cam, &Lighting::flat(), &raster::SAMPLES_4);
    let a = region_anchors(&g, &scene);
    assert_eq!(a.len(), 2);
    // The front square (3–7 mm) is centred on the image: 80 × 80 px = 25,600 samples.
    assert_eq!(a[1].visible_samples, 4 * 80 * 80);
    assert!((a[1].x_px - 100.0).abs() < 1e-9 && (a[1].y_px - 100.0).abs() < 1e-9);
    // The back square's visible ring is symmetric about the centre too.
    assert_eq!(a[0].visible_samples, 4 * (200 * 200 - 80 * 80));
    assert!((a[0].x_px - 100.0).abs() < 1e-9);
    // From behind the front square is hidden: no anchor for it.
    let behind = Camera::orbit(180.0, 0.0, V3::new(5.0, 5.0, 0.0), 20.0, 200, 200);
    let gb = GBuffer::render(&mesh, &chart, &scene.normals, &behind, &Lighting::flat(), &raster::SAMPLES_4);
    let b = region_anchors(&gb, &scene);
    assert_eq!(b.iter().map(|a| a.group).collect::<Vec<_>>(), [0]);
}

/// The region labels of the 3D views of the built-in face, at both sizes `run` draws them
/// (single views and three-view sheets), with a value line as the region sheets print:
/// no two boxes overlap (nor come closer than the placer's gap), every box lies inside its
/// view, none covers a visible no-go zone's box, every leader stays off the other boxes, and
/// most regions are named.
#[test]
fn region_labels_on_the_3d_face_never_collide() {
    use needlesim::face::surface::builtin_surface_face;
    use needlesim::render::labels::{overlapping_pairs, segment_meets_rect};
    use needlesim::render::shaded::{SHEET_VIEW_PX, SINGLE_VIEW_PX, VIEWS, cameras, region_texts, view_labels};
    let face = builtin_surface_face(&[]).unwrap();
    let chart = Chart::new(&face.mesh, "builtin").unwrap();
    let (nr, nz) = (face.regions.len(), face.no_go.len());
    let kinds: Vec<GroupKind> = (0..face.mesh.groups.len())
        .map(|g| {
            if g < nr {
                GroupKind::Treated
            } else if g < nr + nz {
                GroupKind::NoGo
            } else {
                GroupKind::Skin
            }
        })
        .collect();
    let scene = Scene::new(&face.mesh, &chart, kinds);
    let yaws: Vec<f64> = VIEWS.iter().map(|v| v.2).collect();
    for (side, value) in [(SINGLE_VIEW_PX, false), (SHEET_VIEW_PX, true)] {
        let texts = region_texts(&scene, &|g| value.then(|| format!("{:.1} %", 10.0 + g as f64)));
        for (view, cam) in VIEWS.iter().zip(cameras(&scene, &yaws, side)) {
            let g = scene.gbuffer(&cam);
            let l = view_labels(&g, &scene, &texts);
            let what = format!("{} at {side} px", view.0);
            let rects: Vec<_> = l.labels.iter().map(|d| d.placed.rect).collect();
            assert!(rects.len() >= 8, "{what}: only {} labels ({:?} left out)", rects.len(), l.left_out);
            assert!(overlapping_pairs(&rects).is_empty(), "{what}: overlapping labels {:?}", overlapping_pairs(&rects));
            for (k, r) in rects.iter().enumerate() {
                assert!(r.x0 >= 0.0 && r.y0 >= 0.0 && r.x1 <= g.width as f64 && r.y1 <= g.height as f64, "{what}: {r:?} outside");
                assert!(l.obstacles.iter().all(|o| !o.intersects(r)), "{what}: {r:?} over a no-go zone");
                for (j, d) in l.labels.iter().enumerate() {
                    if let (true, Some((a, b))) = (j != k, d.placed.leader) {
                        assert!(!segment_meets_rect(a, b, r), "{what}: a leader crosses {r:?}");
                    }
                }
            }
            // Nothing silently lost: a label left out is reported, and few are.
            assert!(l.left_out.len() * 3 <= rects.len(), "{what}: {} left out of {}", l.left_out.len(), rects.len() + l.left_out.len());
        }
    }
}
