//! Raster face maps: a grid of labelled pixels (a painted map), as a domain.
//!
//! **Model.** Pixel `(col, row)` covers `origin + [col, col+1) × [row, row+1) · pixel_mm`
//! (row 0 at the bottom, y up) and is one region, one no-go zone, or empty. A point takes the
//! label of the pixel it falls in; region areas are pixel counts × pixel area, exactly.
//!
//! **Lanes and margins.** A lane is clipped pixel by pixel: the line is cut where it crosses
//! pixel edges and each piece kept when its pixel may hold the cartridge centre. A pixel may
//! when it belongs to the treated region and, for a margin m > 0, when its centre is at least
//! `m + √2·pixel_mm` from the centre of every no-go pixel (the exact Euclidean distance
//! transform of the no-go pixels, Felzenszwalb & Huttenlocher 2012). The √2·pixel term makes
//! the test conservative: every point of an allowed pixel is at least m from every point of
//! every no-go pixel.

use crate::error::{Error, Result};
use crate::geometry::interval;
use crate::geometry::{Rect, Vec2};
use crate::raster::domain::{NO_LABEL, TileClass};
use crate::raster::grid::GridSpec;

/// Largest raster, pixels.
pub const MAX_PIXELS: usize = 64_000_000;

/// What one pixel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pixel {
    Region(u16),
    NoGo(u16),
    Empty,
}

const EMPTY: u16 = u16::MAX;
const NO_GO_FLAG: u16 = 0x8000;

fn encode(p: Pixel) -> u16 {
    match p {
        Pixel::Region(l) => l,
        Pixel::NoGo(k) => NO_GO_FLAG | k,
        Pixel::Empty => EMPTY,
    }
}

fn decode(c: u16) -> Pixel {
    if c == EMPTY {
        Pixel::Empty
    } else if c & NO_GO_FLAG != 0 {
        Pixel::NoGo(c & !NO_GO_FLAG)
    } else {
        Pixel::Region(c)
    }
}

/// A labelled pixel grid.
#[derive(Clone, Debug)]
pub struct LabelRaster {
    origin_mm: Vec2,
    pixel_mm: f64,
    width: usize,
    height: usize,
    /// Row-major from the bottom row.
    codes: Vec<u16>,
    /// Distance from each pixel centre to the nearest no-go pixel centre, mm (∞ when none).
    no_go_dist_mm: Vec<f32>,
}

/// Per-region figures of a raster.
#[derive(Clone, Copy, Debug)]
pub struct RegionStats {
    pub pixels: u64,
    pub centroid: Vec2,
    pub anchor: Vec2,
    pub bounds: Rect,
}

impl LabelRaster {
    /// A raster of `width × height` pixels of side `pixel_mm` whose pixel (0, 0) has its
    /// lower-left corner at `origin_mm`; `pixels` row-major from the bottom row.
    pub fn new(origin_mm: Vec2, pixel_mm: f64, width: usize, height: usize, pixels: &[Pixel]) -> Result<Self> {
        if !(pixel_mm.is_finite() && pixel_mm > 0.0 && pixel_mm <= 10.0) {
            return Err(Error::invalid("mm_per_px", pixel_mm, "0 < mm_per_px ≤ 10"));
        }
        if !(origin_mm.x.is_finite() && origin_mm.y.is_finite() && origin_mm.x.abs() <= 1e4 && origin_mm.y.abs() <= 1e4) {
            return Err(Error::invalid("origin_mm", format!("[{}, {}]", origin_mm.x, origin_mm.y), "finite coordinates within ±10,000 mm"));
        }
        if width == 0 || height == 0 || width.saturating_mul(height) > MAX_PIXELS {
            return Err(Error::invalid(
                "image size",
                format!("{width} × {height} px"),
                format!("at least 1 × 1 and at most {MAX_PIXELS} pixels"),
            ));
        }
        if pixels.len() != width * height {
            return Err(Error::invalid("pixels", pixels.len(), format!("{} (width × height)", width * height)));
        }
        let codes: Vec<u16> = pixels.iter().map(|&p| encode(p)).collect();
        let no_go: Vec<bool> = codes.iter().map(|&c| matches!(decode(c), Pixel::NoGo(_))).collect();
        let no_go_dist_mm = if no_go.iter().any(|&b| b) {
            edt_squared(&no_go, width, height).into_iter().map(|d2| (d2.sqrt() * pixel_mm) as f32).collect()
        } else {
            vec![f32::INFINITY; width * height]
        };
        Ok(LabelRaster { origin_mm, pixel_mm, width, height, codes, no_go_dist_mm })
    }

    pub fn origin_mm(&self) -> Vec2 {
        self.origin_mm
    }
    pub fn pixel_mm(&self) -> f64 {
        self.pixel_mm
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn pixel_area_mm2(&self) -> f64 {
        self.pixel_mm * self.pixel_mm
    }
    /// The pixel at column `col`, row `row` (row 0 at the bottom).
    pub fn pixel(&self, col: usize, row: usize) -> Pixel {
        decode(self.codes[row * self.width + col])
    }
    /// The outline of the pixels that are `of` (a region or a no-go zone) as closed rings
    /// in mm, counter-clockwise around them (holes clockwise); see [`super::outline`].
    pub fn rings_mm(&self, of: Pixel) -> Vec<Vec<Vec2>> {
        let code = encode(of);
        let corner = |(c, r): super::outline::Corner| self.origin_mm + Vec2::new(c as f64, r as f64) * self.pixel_mm;
        super::outline::pixel_rings(self.width, self.height, |c, r| self.codes[r * self.width + c] == code)
            .into_iter()
            .map(|ring| ring.into_iter().map(corner).collect())
            .collect()
    }

    /// The rectangle the raster covers, mm.
    pub fn bounds(&self) -> Rect {
        let o = self.origin_mm;
        Rect::new(o.x, o.y, o.x + self.width as f64 * self.pixel_mm, o.y + self.height as f64 * self.pixel_mm)
    }

    #[inline]
    fn col_row(&self, p: Vec2) -> (i64, i64) {
        (((p.x - self.origin_mm.x) / self.pixel_mm).floor() as i64, ((p.y - self.origin_mm.y) / self.pixel_mm).floor() as i64)
    }

    #[inline]
    fn index(&self, col: i64, row: i64) -> Option<usize> {
        (col >= 0 && row >= 0 && (col as usize) < self.width && (row as usize) < self.height)
            .then(|| row as usize * self.width + col as usize)
    }

    #[inline]
    fn code_at(&self, p: Vec2) -> u16 {
        let (c, r) = self.col_row(p);
        self.index(c, r).map_or(EMPTY, |i| self.codes[i])
    }

    #[inline]
    pub fn label_at(&self, p: Vec2) -> Option<u16> {
        match decode(self.code_at(p)) {
            Pixel::Region(l) => Some(l),
            _ => None,
        }
    }

    pub fn no_go_at(&self, p: Vec2) -> Option<usize> {
        match decode(self.code_at(p)) {
            Pixel::NoGo(k) => Some(k as usize),
            _ => None,
        }
    }

    /// The first no-go zone (in pixel order) whose pixels the closed disk meets.
    pub fn no_go_meeting_disk(&self, p: Vec2, r_mm: f64) -> Option<usize> {
        let (c0, r0) = self.col_row(p - Vec2::new(r_mm, r_mm));
        let (c1, r1) = self.col_row(p + Vec2::new(r_mm, r_mm));
        for row in r0..=r1 {
            for col in c0..=c1 {
                let Some(i) = self.index(col, row) else { continue };
                if let Pixel::NoGo(k) = decode(self.codes[i]) {
                    let lo = self.origin_mm + Vec2::new(col as f64, row as f64) * self.pixel_mm;
                    let dx = (lo.x - p.x).max(p.x - lo.x - self.pixel_mm).max(0.0);
                    let dy = (lo.y - p.y).max(p.y - lo.y - self.pixel_mm).max(0.0);
                    if dx * dx + dy * dy <= r_mm * r_mm {
                        return Some(k as usize);
                    }
                }
            }
        }
        None
    }

    pub fn classify(&self, tile: &Rect) -> TileClass {
        let (c0, r0) = self.col_row(Vec2::new(tile.x0, tile.y0));
        let (c1, r1) = self.col_row(Vec2::new(tile.x1, tile.y1));
        let mut first: Option<u16> = None;
        for row in r0..=r1 {
            for col in c0..=c1 {
                let code = self.index(col, row).map_or(EMPTY, |i| self.codes[i]);
                let label = match decode(code) {
                    Pixel::Region(l) => l,
                    _ => NO_LABEL,
                };
                match first {
                    None => first = Some(label),
                    Some(f) if f != label => return TileClass::Mixed,
                    _ => {}
                }
            }
        }
        match first {
            Some(l) if l != NO_LABEL => TileClass::Inside(l),
            _ => TileClass::Outside,
        }
    }

    pub fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        let y = grid.cell_center(j);
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.label_at(Vec2::new(grid.cell_center(i0 + k as i64), y)).unwrap_or(NO_LABEL);
        }
    }

    /// May a cartridge centre in pixel `i` be there when treating `label`?
    #[inline]
    fn pixel_allows(&self, i: usize, label: u16, margin_mm: f64) -> bool {
        self.codes[i] == label && (margin_mm <= 0.0 || self.no_go_dist_mm[i] as f64 - std::f64::consts::SQRT_2 * self.pixel_mm >= margin_mm)
    }

    pub fn allows(&self, label: usize, margin_mm: f64, p: Vec2) -> bool {
        let (c, r) = self.col_row(p);
        self.index(c, r).is_some_and(|i| self.pixel_allows(i, label as u16, margin_mm))
    }

    /// Parameter intervals of `p + t·u` within `[t0, t1]` over allowed pixels.
    pub fn lane_intervals(&self, label: usize, margin_mm: f64, p: Vec2, u: Vec2, t0: f64, t1: f64) -> Vec<(f64, f64)> {
        let mut ts = vec![t0, t1];
        let o = self.origin_mm;
        for (pi, ui, oi) in [(p.x, u.x, o.x), (p.y, u.y, o.y)] {
            if ui == 0.0 {
                continue;
            }
            let (a, b) = ((pi + ui * t0 - oi) / self.pixel_mm, (pi + ui * t1 - oi) / self.pixel_mm);
            let (lo, hi) = (a.min(b).ceil() as i64, a.max(b).floor() as i64);
            ts.extend((lo..=hi).map(|k| (oi + k as f64 * self.pixel_mm - pi) / ui));
        }
        ts.retain(|t| *t >= t0 && *t <= t1);
        ts.sort_by(f64::total_cmp);
        ts.dedup();
        let mut out = Vec::new();
        for w in ts.windows(2) {
            if w[1] - w[0] <= interval::MIN_LEN {
                continue;
            }
            if self.allows(label, margin_mm, p + u * (0.5 * (w[0] + w[1]))) {
                out.push((w[0], w[1]));
            }
        }
        interval::normalise(out)
    }

    /// Pixel count, centroid, label anchor and bounds of regions `0..n`.
    pub fn region_stats(&self, n: usize) -> Vec<RegionStats> {
        let mut count = vec![0u64; n];
        let mut sum = vec![Vec2::zeros(); n];
        let mut bbox = vec![(usize::MAX, usize::MAX, 0usize, 0usize); n];
        for row in 0..self.height {
            for col in 0..self.width {
                if let Pixel::Region(l) = self.pixel(col, row) {
                    let l = l as usize;
                    if l >= n {
                        continue;
                    }
                    count[l] += 1;
                    sum[l] += Vec2::new(col as f64 + 0.5, row as f64 + 0.5);
                    let b = &mut bbox[l];
                    *b = (b.0.min(col), b.1.min(row), b.2.max(col), b.3.max(row));
                }
            }
        }
        let to_mm = |c: f64, r: f64| self.origin_mm + Vec2::new(c, r) * self.pixel_mm;
        (0..n)
            .map(|l| {
                if count[l] == 0 {
                    return RegionStats {
                        pixels: 0,
                        centroid: Vec2::zeros(),
                        anchor: Vec2::zeros(),
                        bounds: Rect::new(0.0, 0.0, 0.0, 0.0),
                    };
                }
                let (c0, r0, c1, r1) = bbox[l];
                let centroid = to_mm(sum[l].x / count[l] as f64, sum[l].y / count[l] as f64);
                // Anchor: the region pixel farthest from any other pixel, on the bounding box
                // padded by one non-region pixel all round.
                let (w, h) = (c1 - c0 + 3, r1 - r0 + 3);
                let mut other = vec![true; w * h];
                for row in r0..=r1 {
                    for col in c0..=c1 {
                        other[(row - r0 + 1) * w + (col - c0 + 1)] = self.pixel(col, row) != Pixel::Region(l as u16);
                    }
                }
                let d = edt_squared(&other, w, h);
                let best = (0..w * h).max_by(|&a, &b| d[a].total_cmp(&d[b]).then(b.cmp(&a))).unwrap_or(0);
                let (bc, br) = ((best % w) as f64 - 1.0 + c0 as f64, (best / w) as f64 - 1.0 + r0 as f64);
                RegionStats {
                    pixels: count[l],
                    centroid,
                    anchor: to_mm(bc + 0.5, br + 0.5),
                    bounds: Rect::new(
                        to_mm(c0 as f64, 0.0).x,
                        to_mm(0.0, r0 as f64).y,
                        to_mm((c1 + 1) as f64, 0.0).x,
                        to_mm(0.0, (r1 + 1) as f64).y,
                    ),
                }
            })
            .collect()
    }
}

/// Squared Euclidean distance (pixels²) from each pixel centre to the nearest `feature`
/// pixel centre; a large number (> 1e19) when there is none. Exact (Felzenszwalb &
/// Huttenlocher 2012: two passes of the 1-D lower envelope of parabolas).
pub fn edt_squared(feature: &[bool], width: usize, height: usize) -> Vec<f64> {
    const INF: f64 = 1e20;
    let mut d: Vec<f64> = feature.iter().map(|&f| if f { 0.0 } else { INF }).collect();
    let n = width.max(height);
    let (mut f, mut out, mut v, mut z) = (vec![0.0; n], vec![0.0; n], vec![0usize; n], vec![0.0; n + 1]);
    for col in 0..width {
        for row in 0..height {
            f[row] = d[row * width + col];
        }
        dt_1d(&f[..height], &mut out[..height], &mut v, &mut z);
        for row in 0..height {
            d[row * width + col] = out[row];
        }
    }
    for row in 0..height {
        f[..width].copy_from_slice(&d[row * width..(row + 1) * width]);
        dt_1d(&f[..width], &mut out[..width], &mut v, &mut z);
        d[row * width..(row + 1) * width].copy_from_slice(&out[..width]);
    }
    d
}

fn dt_1d(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    let mut k = 0usize;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in 1..n {
        let qf = q as f64;
        let mut s;
        loop {
            let vk = v[k] as f64;
            s = ((f[q] + qf * qf) - (f[v[k]] + vk * vk)) / (2.0 * qf - 2.0 * vk);
            // z[0] = -∞, so this stops at k = 0.
            if s <= z[k] {
                k -= 1;
            } else {
                break;
            }
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, dq) in d.iter_mut().enumerate() {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let dx = q as f64 - v[k] as f64;
        *dq = dx * dx + f[v[k]];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edt_matches_brute_force() {
        let (w, h) = (13, 9);
        let feature: Vec<bool> = (0..w * h).map(|i| (i * 7919) % 23 == 0).collect();
        let d = edt_squared(&feature, w, h);
        for (i, &got) in d.iter().enumerate() {
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            let brute = (0..w * h)
                .filter(|&k| feature[k])
                .map(|k| ((k % w) as f64 - x).powi(2) + ((k / w) as f64 - y).powi(2))
                .fold(f64::INFINITY, f64::min);
            assert_eq!(got, brute, "pixel {i}");
        }
    }

    #[test]
    fn lane_over_a_striped_raster() {
        // 6 × 1 pixels of 1 mm: region 0, no-go, region 0 ×4.
        let px = [Pixel::Region(0), Pixel::NoGo(0), Pixel::Region(0), Pixel::Region(0), Pixel::Region(0), Pixel::Region(0)];
        let r = LabelRaster::new(Vec2::zeros(), 1.0, 6, 1, &px).unwrap();
        let p = Vec2::new(-1.0, 0.5);
        let u = Vec2::new(1.0, 0.0);
        assert_eq!(r.lane_intervals(0, 0.0, p, u, 0.0, 10.0), vec![(1.0, 2.0), (3.0, 7.0)]);
        // Margin 1 mm: centres need ≥ 1 + √2 mm to the no-go pixel centre (x = 1.5):
        // pixel centres 4.5 and 5.5 qualify (3.0, 4.0 ≥ 2.414), 3.5 does not (2.0).
        assert_eq!(r.lane_intervals(0, 1.0, p, u, 0.0, 10.0), vec![(5.0, 7.0)]);
        assert_eq!(r.no_go_meeting_disk(Vec2::new(2.3, 0.5), 0.29), None);
        assert_eq!(r.no_go_meeting_disk(Vec2::new(2.3, 0.5), 0.31), Some(0));
    }
}
