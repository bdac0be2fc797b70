//! Reference surfaces with closed-form areas, for truth tests, benches and example meshes:
//! a flat rectangle, an open cylinder and a sphere cap, each one group, UVs counter-clockwise.

use std::f64::consts::PI;

use super::mesh::{SurfaceMesh, Triangle};

/// Two counter-clockwise triangles per grid quad `(i, j)` of an `nu × nv` vertex grid
/// (vertex and UV index `j * nu + i`).
fn grid_triangles(nu: usize, nv: usize) -> Vec<Triangle> {
    let mut out = Vec::with_capacity(2 * (nu - 1) * (nv - 1));
    for j in 0..nv - 1 {
        for i in 0..nu - 1 {
            let k = |i: usize, j: usize| (j * nu + i) as u32;
            let (a, b, c, d) = (k(i, j), k(i + 1, j), k(i + 1, j + 1), k(i, j + 1));
            out.push(Triangle { v: [a, b, c], uv: [a, b, c], group: 0 });
            out.push(Triangle { v: [a, c, d], uv: [a, c, d], group: 0 });
        }
    }
    out
}

/// The flat rectangle `[0, w] × [0, h]` (mm) in the z = 0 plane, `n × m` quads, UV = xy in mm.
pub fn flat_rect(w_mm: f64, h_mm: f64, n: usize, m: usize, group: &str) -> SurfaceMesh {
    let (nu, nv) = (n + 1, m + 1);
    let mut positions_mm = Vec::with_capacity(nu * nv);
    let mut uvs = Vec::with_capacity(nu * nv);
    for j in 0..nv {
        for i in 0..nu {
            let (x, y) = (w_mm * i as f64 / n as f64, h_mm * j as f64 / m as f64);
            positions_mm.push([x, y, 0.0]);
            uvs.push([x, y]);
        }
    }
    SurfaceMesh { positions_mm, uvs, triangles: grid_triangles(nu, nv), groups: vec![group.to_string()] }
}

/// Half an open cylinder of radius `r_mm` and height `h_mm` around the y axis facing +z
/// (angle −90°…90° from +z), `n` facets around and `m` along; UV = (arc length × `u_stretch`,
/// height) in mm, so `u_stretch` ≠ 1 gives a stretched chart. Closed-form area `π r h`.
pub fn half_cylinder(r_mm: f64, h_mm: f64, n: usize, m: usize, u_stretch: f64) -> SurfaceMesh {
    let (nu, nv) = (n + 1, m + 1);
    let mut positions_mm = Vec::with_capacity(nu * nv);
    let mut uvs = Vec::with_capacity(nu * nv);
    for j in 0..nv {
        for i in 0..nu {
            let a = -0.5 * PI + PI * i as f64 / n as f64;
            let y = h_mm * j as f64 / m as f64;
            positions_mm.push([r_mm * a.sin(), y, r_mm * a.cos()]);
            uvs.push([r_mm * (a + 0.5 * PI) * u_stretch, y]);
        }
    }
    SurfaceMesh { positions_mm, uvs, triangles: grid_triangles(nu, nv), groups: vec!["cylinder".into()] }
}

/// The cap of a sphere of radius `r_mm` around +z within `cap_deg` of the pole, `rings` rings
/// and `sectors` sectors; UV = the orthographic projection (x, y) in mm. Closed-form area
/// `2π r² (1 − cos cap)`.
pub fn sphere_cap(r_mm: f64, cap_deg: f64, rings: usize, sectors: usize) -> SurfaceMesh {
    let mut positions_mm = vec![[0.0, 0.0, r_mm]];
    for i in 1..=rings {
        let polar = cap_deg.to_radians() * i as f64 / rings as f64;
        for j in 0..sectors {
            let az = 2.0 * PI * j as f64 / sectors as f64;
            positions_mm.push([r_mm * polar.sin() * az.cos(), r_mm * polar.sin() * az.sin(), r_mm * polar.cos()]);
        }
    }
    let uvs = positions_mm.iter().map(|p| [p[0], p[1]]).collect();
    let ring = |i: usize, j: usize| if i == 0 { 0 } else { (1 + (i - 1) * sectors + j % sectors) as u32 };
    let mut triangles = Vec::new();
    for i in 0..rings {
        for j in 0..sectors {
            if i == 0 {
                let t = [0, ring(1, j), ring(1, j + 1)];
                triangles.push(Triangle { v: t, uv: t, group: 0 });
            } else {
                let (a, b, c, d) = (ring(i, j), ring(i + 1, j), ring(i + 1, j + 1), ring(i, j + 1));
                triangles.push(Triangle { v: [a, b, c], uv: [a, b, c], group: 0 });
                triangles.push(Triangle { v: [a, c, d], uv: [a, c, d], group: 0 });
            }
        }
    }
    SurfaceMesh { positions_mm, uvs, triangles, groups: vec!["cap".into()] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_meshes_are_valid() {
        flat_rect(20.0, 10.0, 4, 2, "a").validate("flat").unwrap();
        half_cylinder(30.0, 40.0, 64, 8, 1.0).validate("cyl").unwrap();
        half_cylinder(30.0, 40.0, 64, 8, 3.0).validate("cyl3").unwrap();
        sphere_cap(50.0, 40.0, 16, 64).validate("cap").unwrap();
    }
}
