//! An RGB pixel buffer and the few primitives the pictures paint straight into it: spans,
//! filled and hatched polygons (even–odd scanline fill), lines, PNG encoding.
//!
//! Coordinates are image pixels, x right, y down; a pixel `(x, y)` covers
//! `[x, x+1) × [y, y+1)` and is inside a polygon when its centre is.

use crate::error::{Error, Result};

/// `width × height` RGB pixels, rows from the top.
#[derive(Clone, Debug, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Canvas {
    /// A canvas filled with `colour`.
    pub fn new(width: u32, height: u32, colour: [u8; 3]) -> Self {
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for _ in 0..width as usize * height as usize {
            rgb.extend_from_slice(&colour);
        }
        Canvas { width, height, rgb }
    }

    pub fn get(&self, x: i32, y: i32) -> Option<[u8; 3]> {
        self.index(x, y).map(|i| [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    pub fn put(&mut self, x: i32, y: i32, c: [u8; 3]) {
        if let Some(i) = self.index(x, y) {
            self.rgb[i..i + 3].copy_from_slice(&c);
        }
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        (x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height)
            .then(|| (y as usize * self.width as usize + x as usize) * 3)
    }

    /// Straight line from `a` to `b` (pixel centres), `thickness` px wide (square pen).
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), thickness: u32, c: [u8; 3]) {
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as usize).max(1);
        let half = thickness as i32 / 2;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            let (x, y) = ((a.0 + t * (b.0 - a.0)).floor() as i32, (a.1 + t * (b.1 - a.1)).floor() as i32);
            for dy in -half..=(thickness as i32 - 1 - half) {
                for dx in -half..=(thickness as i32 - 1 - half) {
                    self.put(x + dx, y + dy, c);
                }
            }
        }
    }

    /// Closed polygon outline.
    pub fn polygon_outline(&mut self, pts: &[(f64, f64)], thickness: u32, c: [u8; 3]) {
        for k in 0..pts.len() {
            self.line(pts[k], pts[(k + 1) % pts.len()], thickness, c);
        }
    }

    /// Call `f(x, y)` for every pixel whose centre lies inside the polygon (even–odd rule).
    pub fn polygon_pixels(&self, pts: &[(f64, f64)], mut f: impl FnMut(i32, i32)) {
        if pts.len() < 3 {
            return;
        }
        let (ymin, ymax) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let y0 = (ymin - 0.5).ceil().max(0.0) as i32;
        let y1 = ((ymax - 0.5).floor() as i32).min(self.height as i32 - 1);
        let mut xs = Vec::new();
        for y in y0..=y1 {
            let yc = y as f64 + 0.5;
            xs.clear();
            for k in 0..pts.len() {
                let (a, b) = (pts[k], pts[(k + 1) % pts.len()]);
                if (a.1 <= yc) != (b.1 <= yc) {
                    xs.push(a.0 + (yc - a.1) / (b.1 - a.1) * (b.0 - a.0));
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let x0 = (pair[0] - 0.5).ceil().max(0.0) as i32;
                let x1 = ((pair[1] - 0.5).floor() as i32).min(self.width as i32 - 1);
                for x in x0..=x1 {
                    f(x, y);
                }
            }
        }
    }

    /// Hatch the polygon's inside with diagonal stripes `spacing` px apart, `width` px wide.
    pub fn hatch_polygon(&mut self, pts: &[(f64, f64)], spacing: u32, width: u32, c: [u8; 3]) {
        let mut hits = Vec::new();
        self.polygon_pixels(pts, |x, y| {
            if (x + y).rem_euclid(spacing as i32) < width as i32 {
                hits.push((x, y));
            }
        });
        for (x, y) in hits {
            self.put(x, y, c);
        }
    }

    /// PNG bytes of the canvas.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        encode_rgb_png(self.width, self.height, &self.rgb)
    }
}

/// Encode `width × height` RGB bytes as a PNG.
pub fn encode_rgb_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>> {
    let err = |e: png::EncodingError| Error::Render { path: "png".into(), message: e.to_string() };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().map_err(err)?;
        w.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// Decode a PNG into (width, height, RGB bytes); for tests and for reading pictures back.
pub fn decode_png(bytes: &[u8]) -> Result<Canvas> {
    let err = |e: png::DecodingError| Error::Render { path: "png".into(), message: e.to_string() };
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().map_err(err)?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).map_err(err)?;
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => return Err(Error::Render { path: "png".into(), message: format!("unexpected colour type {other:?}") }),
    };
    Ok(Canvas { width: info.width, height: info.height, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_polygon_fills_exactly_its_pixels() {
        let c = Canvas::new(10, 10, [0; 3]);
        let mut n = 0;
        c.polygon_pixels(&[(2.0, 2.0), (6.0, 2.0), (6.0, 5.0), (2.0, 5.0)], |x, y| {
            assert!((2..6).contains(&x) && (2..5).contains(&y));
            n += 1;
        });
        assert_eq!(n, 12);
    }

    #[test]
    fn png_round_trip() {
        let mut c = Canvas::new(7, 3, [10, 20, 30]);
        c.put(6, 2, [255, 0, 0]);
        let back = decode_png(&c.to_png().unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
