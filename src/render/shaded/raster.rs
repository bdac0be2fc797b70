//! The z-buffer rasteriser: a mesh seen through an orthographic [`Camera`] becomes a
//! [`GBuffer`] of samples (triangle, chart point, shade, depth), which [`GBuffer::resolve`]
//! colours and averages into pixels.
//!
//! **Coverage is exact integer arithmetic.** Vertices are snapped to 1/[`SUB`] px; a sample
//! sits at a fixed sub-pixel offset ([`SAMPLES_4`], a rotated grid, or the pixel centre); it is
//! inside a triangle when the three edge functions (i64 products of snapped coordinates) are
//! positive, or zero on an edge the tie rule gives to it ([`owns_edge`]: of the two triangles
//! sharing an edge, exactly one owns it), so a closed mesh has no cracks and no doubled samples.
//! Triangles are drawn in index order and a sample keeps the nearest (strictly larger depth
//! wins; ties keep the earlier triangle), so the buffer depends on nothing but the inputs.
//! Attributes are interpolated with barycentric weights `e_k / area` (orthographic: screen-
//! linear is surface-linear, so this is exact, no perspective division).
//!
//! **Lighting** is Lambert with an ambient term, lights fixed in camera space (the same look
//! from every side), two-sided (a back face is lit through its flipped normal: an open mesh
//! seen through a hole still reads as skin). Normals are smooth: area-weighted vertex normals
//! interpolated per sample. The shade is a fixed-point integer ([`SHADE_ONE`] = 1).

use nalgebra::{Matrix3, Vector3};

use crate::surface::{Chart, SurfaceMesh};

use super::super::canvas::Canvas;

pub type V3 = Vector3<f64>;

/// Sub-pixel steps per pixel (vertex snapping and sample positions).
pub const SUB: i64 = 256;
/// Four samples per pixel on a rotated grid (offsets in 1/[`SUB`] px from the pixel corner).
pub const SAMPLES_4: [(i64, i64); 4] = [(96, 32), (224, 96), (32, 160), (160, 224)];
/// One sample at the pixel centre.
pub const SAMPLES_1: [(i64, i64); 1] = [(128, 128)];
/// Fixed-point one of [`GBuffer::shade`].
pub const SHADE_ONE: u32 = 1024;
/// No triangle at a sample.
pub const EMPTY: u32 = u32::MAX;

/// An orthographic camera: a rotation into camera space (x right, y up, z towards the viewer),
/// the point at the image centre, the scale and the image size.
#[derive(Clone, Debug, PartialEq)]
pub struct Camera {
    pub rot: Matrix3<f64>,
    pub center_mm: V3,
    pub px_per_mm: f64,
    pub width: u32,
    pub height: u32,
}

impl Camera {
    /// The mesh turned by `yaw_deg` about its y axis (positive turns its +x side towards the
    /// viewer), then tilted by `pitch_deg` about x (positive shows more of the top).
    pub fn orbit(yaw_deg: f64, pitch_deg: f64, center_mm: V3, px_per_mm: f64, width: u32, height: u32) -> Self {
        let (sy, cy) = (-yaw_deg).to_radians().sin_cos();
        let ry = Matrix3::new(cy, 0.0, sy, 0.0, 1.0, 0.0, -sy, 0.0, cy);
        let (sp, cp) = pitch_deg.to_radians().sin_cos();
        let rx = Matrix3::new(1.0, 0.0, 0.0, 0.0, cp, -sp, 0.0, sp, cp);
        Camera { rot: rx * ry, center_mm, px_per_mm, width, height }
    }

    /// Looking down `-normal` at `center_mm`, with the mesh's +y as near to up as it can be.
    pub fn along(normal: V3, center_mm: V3, px_per_mm: f64, width: u32, height: u32) -> Self {
        let z = normal.normalize();
        let up = if z.y.abs() > 0.95 { V3::new(0.0, 0.0, -1.0) } else { V3::new(0.0, 1.0, 0.0) };
        let x = up.cross(&z).normalize();
        let y = z.cross(&x);
        Camera { rot: Matrix3::from_rows(&[x.transpose(), y.transpose(), z.transpose()]), center_mm, px_per_mm, width, height }
    }

    /// Image position (px, y down) and depth (mm, larger = nearer) of a point.
    pub fn project(&self, p: V3) -> (f64, f64, f64) {
        let q = self.rot * (p - self.center_mm);
        (0.5 * self.width as f64 + q.x * self.px_per_mm, 0.5 * self.height as f64 - q.y * self.px_per_mm, q.z)
    }
}

/// Lambert lights in camera space and an ambient term (fractions of full brightness).
#[derive(Clone, Debug, PartialEq)]
pub struct Lighting {
    pub ambient: f64,
    /// (direction towards the light, strength).
    pub lights: Vec<(V3, f64)>,
}

impl Lighting {
    /// Soft studio light: ambient, a key light from the upper left front and a weak fill
    /// from the right.
    pub fn soft() -> Self {
        Lighting { ambient: 0.38, lights: vec![(V3::new(-0.45, 0.55, 1.0).normalize(), 0.55), (V3::new(0.8, -0.1, 0.6).normalize(), 0.17)] }
    }

    /// No shading (every sample at full brightness): colours are the layer's own.
    pub fn flat() -> Self {
        Lighting { ambient: 1.0, lights: Vec::new() }
    }

    /// Fixed-point shade of a camera-space unit normal (two-sided), capped at 1.
    pub fn shade(&self, n: V3) -> u16 {
        let n = if n.z < 0.0 { -n } else { n };
        let s = self.ambient + self.lights.iter().map(|(l, k)| k * n.dot(l).max(0.0)).sum::<f64>();
        (s.clamp(0.0, 1.0) * SHADE_ONE as f64).round() as u16
    }
}

/// Area-weighted vertex normals (per position index) of the mesh.
pub fn vertex_normals(mesh: &SurfaceMesh, chart: &Chart) -> Vec<V3> {
    let mut n = vec![V3::zeros(); mesh.positions_mm.len()];
    for (t, m) in mesh.triangles.iter().zip(&chart.tris) {
        let w = m.normal * mesh.area_mm2(t);
        for &v in &t.v {
            n[v as usize] += w;
        }
    }
    n.into_iter().map(|v| if v.norm() > 0.0 { v.normalize() } else { V3::new(0.0, 0.0, 1.0) }).collect()
}

/// Does a triangle own the samples exactly on its edge `a → b` (screen orientation with
/// positive area)? The neighbour walks the edge the other way, so exactly one of the two does.
#[inline]
fn owns_edge(a: (i64, i64), b: (i64, i64)) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    dy > 0 || (dy == 0 && dx < 0)
}

#[inline]
fn edge(a: (i64, i64), b: (i64, i64), p: (i64, i64)) -> i64 {
    (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0)
}

/// The samples of one view (row-major pixels, `spp` samples per pixel).
#[derive(Clone, Debug)]
pub struct GBuffer {
    pub width: u32,
    pub height: u32,
    pub spp: usize,
    /// Sample offsets used, 1/[`SUB`] px.
    pub offsets: Vec<(i64, i64)>,
    /// Triangle index at each sample, or [`EMPTY`].
    pub tri: Vec<u32>,
    /// Chart point (mm) at each sample.
    pub chart: Vec<[f32; 2]>,
    /// Shade at each sample ([`SHADE_ONE`] = full light).
    pub shade: Vec<u16>,
    /// Depth (mm along the view, larger = nearer; −∞ where empty).
    pub depth: Vec<f64>,
}

impl GBuffer {
    /// Rasterise every triangle of `mesh` through `camera` (see the module doc).
    pub fn render(mesh: &SurfaceMesh, chart: &Chart, normals: &[V3], camera: &Camera, light: &Lighting, offsets: &[(i64, i64)]) -> Self {
        let (w, h, spp) = (camera.width as usize, camera.height as usize, offsets.len());
        let n = w * h * spp;
        let mut g = GBuffer {
            width: camera.width,
            height: camera.height,
            spp,
            offsets: offsets.to_vec(),
            tri: vec![EMPTY; n],
            chart: vec![[0.0; 2]; n],
            shade: vec![0; n],
            depth: vec![f64::NEG_INFINITY; n],
        };
        let proj: Vec<(f64, f64, f64)> = mesh.positions_mm.iter().map(|p| camera.project(V3::from(*p))).collect();
        let snap: Vec<(i64, i64)> = proj.iter().map(|p| ((p.0 * SUB as f64).round() as i64, (p.1 * SUB as f64).round() as i64)).collect();
        let cam_normals: Vec<V3> = normals.iter().map(|v| camera.rot * v).collect();
        for (t, tri) in mesh.triangles.iter().enumerate() {
            let mut idx = [0usize, 1, 2];
            let v = tri.v.map(|k| k as usize);
            let mut area = edge(snap[v[0]], snap[v[1]], snap[v[2]]);
            if area == 0 {
                continue;
            }
            if area < 0 {
                idx.swap(1, 2);
                area = -area;
            }
            let c = idx.map(|k| v[k]);
            let s = c.map(|k| snap[k]);
            let z = c.map(|k| proj[k].2);
            let ch = idx.map(|k| chart.tris[t].chart[k]);
            let nn = c.map(|k| cam_normals[k]);
            let own = [owns_edge(s[1], s[2]), owns_edge(s[2], s[0]), owns_edge(s[0], s[1])];
            let (xmin, xmax) = (s.iter().map(|p| p.0).min().unwrap_or(0), s.iter().map(|p| p.0).max().unwrap_or(0));
            let (ymin, ymax) = (s.iter().map(|p| p.1).min().unwrap_or(0), s.iter().map(|p| p.1).max().unwrap_or(0));
            let px0 = (xmin.div_euclid(SUB)).max(0);
            let px1 = (xmax.div_euclid(SUB)).min(w as i64 - 1);
            let py0 = (ymin.div_euclid(SUB)).max(0);
            let py1 = (ymax.div_euclid(SUB)).min(h as i64 - 1);
            let inv = 1.0 / area as f64;
            for py in py0..=py1 {
                for px in px0..=px1 {
                    for (k, &(ox, oy)) in offsets.iter().enumerate() {
                        let p = (px * SUB + ox, py * SUB + oy);
                        let e = [edge(s[1], s[2], p), edge(s[2], s[0], p), edge(s[0], s[1], p)];
                        if !(0..3).all(|i| e[i] > 0 || (e[i] == 0 && own[i])) {
                            continue;
                        }
                        let l = e.map(|v| v as f64 * inv);
                        let depth = l[0] * z[0] + l[1] * z[1] + l[2] * z[2];
                        let at = (py as usize * w + px as usize) * spp + k;
                        if depth > g.depth[at] {
                            let q = ch[0] * l[0] + ch[1] * l[1] + ch[2] * l[2];
                            let nrm = nn[0] * l[0] + nn[1] * l[1] + nn[2] * l[2];
                            g.depth[at] = depth;
                            g.tri[at] = t as u32;
                            g.chart[at] = [q.x as f32, q.y as f32];
                            g.shade[at] = light.shade(if nrm.norm() > 0.0 { nrm.normalize() } else { V3::new(0.0, 0.0, 1.0) });
                        }
                    }
                }
            }
        }
        g
    }

    /// Nearest depth over the samples of pixel `(x, y)` (−∞ where empty or outside).
    pub fn pixel_depth(&self, x: i64, y: i64) -> f64 {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return f64::NEG_INFINITY;
        }
        let at = (y as usize * self.width as usize + x as usize) * self.spp;
        self.depth[at..at + self.spp].iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    /// Pixels: each sample coloured by `colour(triangle, chart point, x, y)` and shaded, the
    /// samples averaged (integer rounding), `background` where no triangle.
    pub fn resolve(&self, background: [u8; 3], mut colour: impl FnMut(u32, [f32; 2], u32, u32) -> [u8; 3]) -> Canvas {
        let mut c = Canvas::new(self.width, self.height, background);
        let spp = self.spp as u32;
        for y in 0..self.height {
            for x in 0..self.width {
                let at = (y as usize * self.width as usize + x as usize) * self.spp;
                let mut sum = [0u32; 3];
                for k in at..at + self.spp {
                    let rgb =
                        if self.tri[k] == EMPTY { background } else { shaded(colour(self.tri[k], self.chart[k], x, y), self.shade[k]) };
                    for i in 0..3 {
                        sum[i] += rgb[i] as u32;
                    }
                }
                c.put(x as i32, y as i32, sum.map(|v| ((v + spp / 2) / spp) as u8));
            }
        }
        c
    }
}

/// `rgb` times a fixed-point shade (integer rounding).
#[inline]
pub fn shaded(rgb: [u8; 3], shade: u16) -> [u8; 3] {
    rgb.map(|v| ((v as u32 * shade as u32 + SHADE_ONE / 2) / SHADE_ONE).min(255) as u8)
}

/// Draw mesh edges `(triangle, corner k)` (the edge from corner k to k + 1) over `canvas`,
/// where they are not hidden: a point of the edge shows when its depth is within
/// `tolerance_mm` of the nearest sample of its pixel. Each pixel is blended once, `ink =
/// (rgb, alpha)`: `alpha` of the way (0–256) to `rgb`.
pub fn draw_edges(
    canvas: &mut Canvas,
    g: &GBuffer,
    camera: &Camera,
    mesh: &SurfaceMesh,
    edges: &[(usize, usize)],
    tolerance_mm: f64,
    ink: ([u8; 3], u32),
) {
    let (rgb, alpha) = ink;
    let (w, h) = (g.width as usize, g.height as usize);
    let mut mark = vec![false; w * h];
    for &(t, k) in edges {
        let tri = &mesh.triangles[t];
        let a = camera.project(V3::from(mesh.positions_mm[tri.v[k] as usize]));
        let b = camera.project(V3::from(mesh.positions_mm[tri.v[(k + 1) % 3] as usize]));
        let steps = (2.0 * (b.0 - a.0).abs().max((b.1 - a.1).abs())).ceil().max(1.0) as usize;
        if steps > 8 * (w + h) {
            continue;
        }
        for s in 0..=steps {
            let f = s as f64 / steps as f64;
            let (x, y, z) = (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2));
            let (px, py) = (x.floor() as i64, y.floor() as i64);
            if px < 0 || py < 0 || px >= w as i64 || py >= h as i64 {
                continue;
            }
            if z >= g.pixel_depth(px, py) - tolerance_mm {
                mark[py as usize * w + px as usize] = true;
            }
        }
    }
    for (i, _) in mark.iter().enumerate().filter(|(_, m)| **m) {
        let (x, y) = ((i % w) as i32, (i / w) as i32);
        let old = canvas.get(x, y).unwrap_or([0; 3]);
        let mix = |o: u8, n: u8| ((o as u32 * (256 - alpha) + n as u32 * alpha + 128) >> 8) as u8;
        canvas.put(x, y, [mix(old[0], rgb[0]), mix(old[1], rgb[1]), mix(old[2], rgb[2])]);
    }
}
