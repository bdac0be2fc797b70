//! Pictures of a surface run: the UV-chart heatmap with region outlines, and a plain shaded
//! front view of the mesh coloured by hole coverage (an orthographic z-buffer of our own,
//! looking down −z; Lambert shading from the viewer). Pure functions of the run: the same
//! run gives the same bytes.

use crate::raster::accumulate::Raster;
use crate::surface::{Chart, SurfaceMesh};

use super::canvas::Canvas;
use super::shaded::scene::outline_edges;

/// Longest side of a picture, pixels.
pub const SIDE_PX: u32 = 900;

/// A perceptually ordered ramp (dark blue → teal → yellow) for `t` in 0–1.
pub fn ramp(t: f64) -> [u8; 3] {
    let stops: [[f64; 3]; 5] = [[20.0, 24.0, 82.0], [33.0, 102.0, 172.0], [31.0, 160.0, 135.0], [140.0, 200.0, 60.0], [253.0, 231.0, 37.0]];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * (stops.len() - 1) as f64;
    let k = (t.floor() as usize).min(stops.len() - 2);
    let f = t - k as f64;
    [0, 1, 2].map(|c| (stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f).round() as u8)
}

/// The chart heatmap: mean hits per pixel of `raster` (chart mm), region outlines in white.
pub fn uv_heatmap(mesh: &SurfaceMesh, chart: &Chart, raster: &Raster) -> Canvas {
    let b = chart.chart_bounds();
    let scale = SIDE_PX as f64 / b.width().max(b.height());
    let (w, h) = ((b.width() * scale).ceil().max(1.0) as u32, (b.height() * scale).ceil().max(1.0) as u32);
    let mut c = Canvas::new(w, h, [255, 255, 255]);
    let max = raster.max().max(1e-9) as f64;
    let to_px = |x: f64, y: f64| ((x - b.x0) * scale, (b.y1 - y) * scale);
    for py in 0..h {
        for px in 0..w {
            let (x, y) = (b.x0 + (px as f64 + 0.5) / scale, b.y1 - (py as f64 + 0.5) / scale);
            if chart.locate(crate::geometry::Vec2::new(x, y)).is_none() {
                continue;
            }
            let col = ((x - raster.origin_mm.x) / raster.pixel_mm).floor();
            let row = ((y - raster.origin_mm.y) / raster.pixel_mm).floor();
            let v = if col >= 0.0 && row >= 0.0 && (col as usize) < raster.width && (row as usize) < raster.height {
                raster.values[row as usize * raster.width + col as usize] as f64
            } else {
                0.0
            };
            c.put(px as i32, py as i32, ramp(v / max));
        }
    }
    for (t, k) in outline_edges(mesh) {
        let tri = &chart.tris[t];
        let (a, bb) = (tri.chart[k], tri.chart[(k + 1) % 3]);
        c.line(to_px(a.x, a.y), to_px(bb.x, bb.y), 2, [255, 255, 255]);
    }
    c
}

/// The front view: the mesh seen from +z (orthographic), each triangle coloured by
/// `coverage[t]` (0–1, scaled by `max`) and shaded by `|n_z|`; a z-buffer keeps the nearest.
pub fn front_view(mesh: &SurfaceMesh, chart: &Chart, coverage: &[f64]) -> Canvas {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &mesh.positions_mm {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-9);
    let scale = SIDE_PX as f64 / span;
    let (w, h) = (((hi[0] - lo[0]) * scale).ceil().max(1.0) as u32, ((hi[1] - lo[1]) * scale).ceil().max(1.0) as u32);
    let mut c = Canvas::new(w, h, [255, 255, 255]);
    let mut depth = vec![f64::NEG_INFINITY; (w * h) as usize];
    let max = coverage.iter().copied().fold(0.0, f64::max).max(1e-9);
    for (t, tri) in mesh.triangles.iter().enumerate() {
        let p = mesh.corners_mm(tri).map(|q| ((q[0] - lo[0]) * scale, (hi[1] - q[1]) * scale, q[2]));
        let area = (p[1].0 - p[0].0) * (p[2].1 - p[0].1) - (p[2].0 - p[0].0) * (p[1].1 - p[0].1);
        if area.abs() < 1e-12 {
            continue;
        }
        let shade = 0.35 + 0.65 * chart.tris[t].normal.z.abs();
        let base = ramp(coverage[t] / max).map(|v| (v as f64 * shade).round() as u8);
        let x0 = p.iter().map(|q| q.0).fold(f64::INFINITY, f64::min).floor().max(0.0) as u32;
        let x1 = (p.iter().map(|q| q.0).fold(f64::NEG_INFINITY, f64::max).ceil() as u32).min(w - 1);
        let y0 = p.iter().map(|q| q.1).fold(f64::INFINITY, f64::min).floor().max(0.0) as u32;
        let y1 = (p.iter().map(|q| q.1).fold(f64::NEG_INFINITY, f64::max).ceil() as u32).min(h - 1);
        for py in y0..=y1 {
            for px in x0..=x1 {
                let (x, y) = (px as f64 + 0.5, py as f64 + 0.5);
                let w0 = ((p[1].0 - x) * (p[2].1 - y) - (p[2].0 - x) * (p[1].1 - y)) / area;
                let w1 = ((p[2].0 - x) * (p[0].1 - y) - (p[0].0 - x) * (p[2].1 - y)) / area;
                let w2 = 1.0 - w0 - w1;
                if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                    continue;
                }
                let z = w0 * p[0].2 + w1 * p[1].2 + w2 * p[2].2;
                let k = (py * w + px) as usize;
                if z > depth[k] {
                    depth[k] = z;
                    c.put(px as i32, py as i32, base);
                }
            }
        }
    }
    c
}
