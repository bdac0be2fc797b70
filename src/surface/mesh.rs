//! The triangle mesh: 3D positions (mm), a UV chart, a group (region) per triangle.

/// One triangle: three position indices, three UV indices (counter-clockwise in UV) and the
/// index of its group in [`SurfaceMesh::groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Triangle {
    pub v: [u32; 3],
    pub uv: [u32; 3],
    pub group: u32,
}

/// A triangle mesh with a UV chart. Positions in mm; UVs unitless.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurfaceMesh {
    pub positions_mm: Vec<[f64; 3]>,
    pub uvs: Vec<[f64; 2]>,
    pub triangles: Vec<Triangle>,
    /// Group names (regions, no-go zones, or `""` for unassigned), unique.
    pub groups: Vec<String>,
}

impl SurfaceMesh {
    /// The three corner positions of triangle `t`, mm.
    pub fn corners_mm(&self, t: &Triangle) -> [[f64; 3]; 3] {
        t.v.map(|i| self.positions_mm[i as usize])
    }

    /// The three corner UVs of triangle `t`.
    pub fn corners_uv(&self, t: &Triangle) -> [[f64; 2]; 3] {
        t.uv.map(|i| self.uvs[i as usize])
    }

    /// True 3D area of triangle `t`, mm².
    pub fn area_mm2(&self, t: &Triangle) -> f64 {
        let [a, b, c] = self.corners_mm(t);
        let (u, v) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
        let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        0.5 * (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt()
    }

    /// Signed UV area of triangle `t` (positive when counter-clockwise).
    pub fn uv_area(&self, t: &Triangle) -> f64 {
        let [a, b, c] = self.corners_uv(t);
        0.5 * ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]))
    }

    /// Total 3D area, mm² (sum over triangles, in index order).
    pub fn total_area_mm2(&self) -> f64 {
        self.triangles.iter().map(|t| self.area_mm2(t)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_right_triangle_has_half_area() {
        let m = SurfaceMesh {
            positions_mm: vec![[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 3.0, 0.0]],
            uvs: vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            triangles: vec![Triangle { v: [0, 1, 2], uv: [0, 1, 2], group: 0 }],
            groups: vec![String::new()],
        };
        assert_eq!(m.total_area_mm2(), 3.0);
        assert_eq!(m.uv_area(&m.triangles[0]), 0.5);
    }
}
