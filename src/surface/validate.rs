//! Mesh validation: every rule of [`super`]'s invariants, with an error naming the triangle or
//! vertex index and what is allowed.

use crate::error::{Error, Result};

use super::mesh::SurfaceMesh;

/// Largest coordinate accepted, mm (10 m: anything larger is a unit mistake).
pub const MAX_COORD_MM: f64 = 10_000.0;
/// Largest UV coordinate accepted (charts are usually within [0, 1]).
pub const MAX_UV: f64 = 1.0e6;
/// Smallest triangle area accepted, relative to the square of the mesh's largest extent
/// (a triangle below this is degenerate: its affine map cannot be inverted).
pub const MIN_RELATIVE_AREA: f64 = 1.0e-14;
/// Most triangles a surface run measures (each is one accumulation label).
pub const MAX_TRIANGLES: usize = u16::MAX as usize - 1;

impl SurfaceMesh {
    /// Check the mesh: `what` names it in errors (e.g. the file). Refuses an empty mesh,
    /// non-finite or huge coordinates, indices out of range, degenerate 3D triangles,
    /// degenerate or flipped (clockwise) UV triangles, edges shared by more than two
    /// triangles (non-manifold), more than [`MAX_TRIANGLES`] triangles and unknown groups.
    pub fn validate(&self, what: &str) -> Result<()> {
        if self.triangles.is_empty() {
            return Err(Error::invalid(format!("{what}: triangles"), 0, "a mesh with at least one triangle (with UVs)"));
        }
        if self.triangles.len() > MAX_TRIANGLES {
            return Err(Error::invalid(format!("{what}: triangles"), self.triangles.len(), format!("at most {MAX_TRIANGLES} triangles")));
        }
        for (i, p) in self.positions_mm.iter().enumerate() {
            if !p.iter().all(|c| c.is_finite() && c.abs() <= MAX_COORD_MM) {
                return Err(Error::invalid(
                    format!("{what}: vertex {i}"),
                    format!("{p:?} mm"),
                    format!("finite coordinates within ±{MAX_COORD_MM} mm"),
                ));
            }
        }
        for (i, uv) in self.uvs.iter().enumerate() {
            if !uv.iter().all(|c| c.is_finite() && c.abs() <= MAX_UV) {
                return Err(Error::invalid(
                    format!("{what}: texture coordinate {i}"),
                    format!("{uv:?}"),
                    format!("finite UVs within ±{MAX_UV}"),
                ));
            }
        }
        let extent = extent_of(self.positions_mm.iter().map(|p| p.as_slice()));
        let uv_extent = extent_of(self.uvs.iter().map(|p| p.as_slice()));
        for (i, t) in self.triangles.iter().enumerate() {
            let key = || format!("{what}: triangle {i}");
            if let Some(&v) = t.v.iter().find(|&&v| v as usize >= self.positions_mm.len()) {
                return Err(Error::invalid(
                    key(),
                    format!("vertex index {v}"),
                    format!("a vertex index below {}", self.positions_mm.len()),
                ));
            }
            if let Some(&v) = t.uv.iter().find(|&&v| v as usize >= self.uvs.len()) {
                return Err(Error::invalid(key(), format!("texture index {v}"), format!("a texture index below {}", self.uvs.len())));
            }
            if t.group as usize >= self.groups.len() {
                return Err(Error::invalid(key(), format!("group {}", t.group), format!("a group index below {}", self.groups.len())));
            }
            let a = self.area_mm2(t);
            if a <= MIN_RELATIVE_AREA * extent * extent {
                return Err(Error::invalid(
                    key(),
                    format!("area {a:e} mm² (corners {:?})", self.corners_mm(t)),
                    "a triangle of positive area (not degenerate)",
                ));
            }
            let uv = self.uv_area(t);
            if uv.abs() <= MIN_RELATIVE_AREA * uv_extent * uv_extent {
                return Err(Error::invalid(
                    key(),
                    format!("UV area {uv:e} (UVs {:?})", self.corners_uv(t)),
                    "UVs spanning a triangle of positive area",
                ));
            }
            if uv < 0.0 {
                return Err(Error::invalid(
                    key(),
                    format!("UVs {:?} clockwise", self.corners_uv(t)),
                    "counter-clockwise UVs in the order of the corners (the same orientation for every triangle: one chart, not flipped)",
                ));
            }
        }
        self.check_manifold(what)
    }

    /// Every edge (by position indices) is shared by at most two triangles.
    fn check_manifold(&self, what: &str) -> Result<()> {
        let mut edges: Vec<(u32, u32, usize)> = Vec::with_capacity(3 * self.triangles.len());
        for (i, t) in self.triangles.iter().enumerate() {
            for k in 0..3 {
                let (a, b) = (t.v[k], t.v[(k + 1) % 3]);
                edges.push((a.min(b), a.max(b), i));
            }
        }
        edges.sort_unstable();
        for w in edges.windows(3) {
            if (w[0].0, w[0].1) == (w[2].0, w[2].1) {
                return Err(Error::invalid(
                    format!("{what}: triangle {}", w[2].2),
                    format!("edge between vertices {} and {} shared by triangles {}, {} and {}", w[0].0, w[0].1, w[0].2, w[1].2, w[2].2),
                    "a manifold surface (an edge belongs to at most two triangles)",
                ));
            }
        }
        Ok(())
    }
}

/// Largest side of the bounding box of `points` (any dimension).
fn extent_of<'a>(points: impl Iterator<Item = &'a [f64]>) -> f64 {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in points {
        for (k, &c) in p.iter().enumerate() {
            lo[k] = lo[k].min(c);
            hi[k] = hi[k].max(c);
        }
    }
    lo.iter().zip(&hi).map(|(l, h)| if h >= l { h - l } else { 0.0 }).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::Triangle;

    fn tri() -> SurfaceMesh {
        SurfaceMesh {
            positions_mm: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]],
            uvs: vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            triangles: vec![Triangle { v: [0, 1, 2], uv: [0, 1, 2], group: 0 }],
            groups: vec!["a".into()],
        }
    }

    #[test]
    fn each_bad_mesh_names_its_index_and_the_rule() {
        assert!(tri().validate("m").is_ok());
        let check = |m: SurfaceMesh, want: &[&str]| {
            let e = m.validate("m.obj").unwrap_err().to_string();
            for w in want {
                assert!(e.contains(w), "{e} lacks {w}");
            }
        };
        check(SurfaceMesh { triangles: vec![], ..tri() }, &["m.obj", "at least one triangle"]);
        let mut m = tri();
        m.positions_mm[2][1] = f64::NAN;
        check(m, &["vertex 2", "finite"]);
        let mut m = tri();
        m.positions_mm[1][0] = 1e9;
        check(m, &["vertex 1", "±10000 mm"]);
        let mut m = tri();
        m.positions_mm[2] = [2.0, 0.0, 0.0];
        check(m, &["triangle 0", "positive area"]);
        let mut m = tri();
        m.uvs[2] = [2.0, 0.0];
        check(m, &["triangle 0", "UV"]);
        let mut m = tri();
        m.triangles[0].uv = [0, 2, 1];
        check(m, &["triangle 0", "clockwise"]);
        let mut m = tri();
        m.triangles[0].v = [0, 1, 7];
        check(m, &["triangle 0", "vertex index 7"]);
        let mut m = tri();
        m.positions_mm.push([0.0, -1.0, 0.0]);
        m.positions_mm.push([0.5, 0.5, 1.0]);
        m.triangles.push(Triangle { v: [0, 4, 1], uv: [0, 1, 3], group: 0 });
        m.triangles.push(Triangle { v: [0, 1, 5], uv: [0, 1, 3], group: 0 });
        check(m, &["triangle 2", "manifold", "vertices 0 and 1"]);
    }
}
