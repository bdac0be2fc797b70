//! Meshes shared by the surface tests.

use needlesim::surface::shapes::sphere_cap;
use needlesim::surface::{SurfaceMesh, Triangle};

/// A face-like sphere cap (radius 40 mm, 45°, 30 × 120 quads) with groups by the distance of
/// each triangle's centroid from the axis: `eye` (group 1) within 6 mm, unassigned skin
/// (group 2, no name) beyond 26 mm, `cheek` (group 0) between.
pub fn cap_with_eye() -> SurfaceMesh {
    let mut m = sphere_cap(40.0, 45.0, 30, 120);
    m.groups = vec!["cheek".into(), "eye".into(), String::new()];
    let from_axis = |t: &Triangle, m: &SurfaceMesh| {
        let c = m.corners_mm(t);
        let x = (c[0][0] + c[1][0] + c[2][0]) / 3.0;
        let y = (c[0][1] + c[1][1] + c[2][1]) / 3.0;
        (x * x + y * y).sqrt()
    };
    let groups: Vec<u32> = m
        .triangles
        .iter()
        .map(|t| match from_axis(t, &m) {
            d if d < 6.0 => 1,
            d if d > 26.0 => 2,
            _ => 0,
        })
        .collect();
    for (t, g) in m.triangles.iter_mut().zip(groups) {
        t.group = g;
    }
    m
}
