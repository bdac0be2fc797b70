//! The pass-by-pass animation (GIF): the cartridge moving along its path, holes appearing,
//! the coverage counting up.
//!
//! **Model.** The session is cut into frames by [`crate::raster::frames`] (every pass ends on a
//! frame). Each GIF pixel is a square block of `cells_per_px × cells_per_px` grid cells on
//! the global lattice; a hole marks every pixel holding at least one cell centre inside its
//! disk (the grid's own sampling rule), so a 0.18 mm hole is never less than one pixel and a
//! pixel is marked exactly when the accumulator's picture shows hits there. The colour of a
//! marked pixel is the number of holes touching it (1, 2, 3, 4, 5+). The coverage printed
//! on each frame is exact: the accumulator counts the cells each frame newly covers.
//!
//! A fixed global palette (no colour quantisation: every pixel is written as a palette
//! index), and frames after the first carry only the pixels that changed, the rest
//! transparent, so a whole session stays small. A last frame, held longer, shows the final
//! map without the cartridge.

use std::borrow::Cow;

use plotters::prelude::*;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::needle::puncture::Puncture;
use crate::raster::domain::Domain;
use crate::raster::frames::Frames;
use crate::raster::grid::GridSpec;

use super::canvas::Canvas;
use super::figure::NO_DATA_RGB;
use super::overlay::{NO_GO_HATCH_RGB, OUTLINE_RGB, Overlays};
use super::{ensure_font, viridis};

/// Longest side of the animated map, px.
pub const MAX_MAP_PX: f64 = 640.0;
/// Smallest image width, px (room for the header text).
const MIN_WIDTH: u32 = 480;
const HEADER_H: u32 = 44;
const FOOTER_H: u32 = 26;
/// Frame delay, 1/100 s, and the hold of the last frame.
const DELAY_CS: u16 = 10;
const HOLD_CS: u16 = 300;
/// Holes-per-pixel levels drawn (the last is "this many or more").
pub const LEVELS: usize = 5;

/// Palette indices.
pub mod ix {
    pub const TRANSPARENT: u8 = 0;
    pub const WHITE: u8 = 1;
    /// Greys from black (2) to light (9), for text.
    pub const GREY0: u8 = 2;
    pub const GREYS: u8 = 8;
    pub const NO_DATA: u8 = 10;
    /// Untouched skin; `SKIN + k` = k holes (1..=LEVELS).
    pub const SKIN: u8 = 11;
    pub const CARTRIDGE: u8 = 17;
    pub const HATCH: u8 = 18;
    pub const OUTLINE: u8 = 19;
}

/// Okabe–Ito orange: stands out from viridis and reads for colour-blind viewers.
const CARTRIDGE_RGB: [u8; 3] = [230, 159, 0];

fn palette() -> Vec<[u8; 3]> {
    let mut p = vec![[255, 0, 255], [255, 255, 255]];
    for g in 0..ix::GREYS {
        let v = (g as u32 * 220 / (ix::GREYS as u32 - 1)) as u8;
        p.push([v, v, v]);
    }
    p.push(NO_DATA_RGB);
    for k in 0..=LEVELS {
        p.push(viridis(k as f64 / LEVELS as f64));
    }
    p.push(CARTRIDGE_RGB);
    p.push(NO_GO_HATCH_RGB);
    p.push(OUTLINE_RGB);
    p.resize(32, [0, 0, 0]);
    p
}

/// RGB of a palette index.
pub fn palette_rgb(index: u8) -> [u8; 3] {
    palette()[index as usize]
}

/// What to animate.
pub struct Input<'a> {
    /// First header line (scenario and key parameters).
    pub title: String,
    /// Punctures in time order (pass, then stamp).
    pub punctures: &'a [Puncture],
    pub frames: &'a Frames,
    /// Covered fraction of the measured area after each frame, 0–1.
    pub coverage_after: Vec<f64>,
    /// Label of each segment of the timeline (on a patch each pass, e.g. "pass 2/3 (90°)").
    pub segment_labels: Vec<String>,
    pub grid: GridSpec,
    pub radius_mm: f64,
    /// GIF pixel side in grid cells.
    pub cells_per_px: usize,
    pub view: Rect,
    pub domain: &'a dyn Domain,
    pub overlays: &'a Overlays,
}

/// The GIF pixel lattice over a view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapGrid {
    /// Pixel side, mm.
    pub px_mm: f64,
    /// Global pixel index of the first column and row (row 0 = bottom).
    pub i0: i64,
    pub j0: i64,
    pub width: usize,
    pub height: usize,
    /// Image row of the map's top.
    pub top: u32,
}

impl MapGrid {
    fn new(view: &Rect, px_mm: f64) -> Self {
        let (i0, j0) = ((view.x0 / px_mm + 1e-9).floor() as i64, (view.y0 / px_mm + 1e-9).floor() as i64);
        let (i1, j1) = ((view.x1 / px_mm - 1e-9).ceil() as i64, (view.y1 / px_mm - 1e-9).ceil() as i64);
        MapGrid { px_mm, i0, j0, width: (i1 - i0).max(1) as usize, height: (j1 - j0).max(1) as usize, top: HEADER_H }
    }

    /// Image pixel `(x, y)` of the map pixel holding `(x_mm, y_mm)`.
    pub fn pixel_of(&self, x_mm: f64, y_mm: f64) -> (i64, i64) {
        let (i, j) = ((x_mm / self.px_mm).floor() as i64, (y_mm / self.px_mm).floor() as i64);
        (i - self.i0, self.top as i64 + (self.height as i64 - 1 - (j - self.j0)))
    }

    /// Centre (mm) of map pixel `(col, row_from_bottom)`.
    pub fn center(&self, col: usize, row: usize) -> Vec2 {
        Vec2::new(
            (self.i0 + col as i64) as f64 * self.px_mm + 0.5 * self.px_mm,
            (self.j0 + row as i64) as f64 * self.px_mm + 0.5 * self.px_mm,
        )
    }
}

/// Smallest GIF pixel (a multiple of `picture_cells` cells) keeping the map's longest side
/// within [`MAX_MAP_PX`].
pub fn choose_cells_per_px(view: &Rect, grid: &GridSpec, picture_cells: usize) -> usize {
    let side = view.width().max(view.height());
    let p = picture_cells.max(1);
    (1..).map(|m| m * p).find(|&k| side / (k as f64 * grid.resolution_mm) <= MAX_MAP_PX).unwrap_or(p)
}

/// A drawn animation.
pub struct Animation {
    pub gif: Vec<u8>,
    pub width: u16,
    pub height: u16,
    /// Frames in the file (the session's frames plus the final hold).
    pub frames: usize,
    pub map: MapGrid,
}

/// The image being animated, kept up to date incrementally: only the pixels a new hole
/// touches, the header and the cartridge change between frames.
struct Painter<'a> {
    input: &'a Input<'a>,
    map: MapGrid,
    width: u32,
    height: u32,
    /// Holes touching each map pixel, row-major from the bottom row.
    holes: Vec<u16>,
    /// Base map indices: no-data, overlays; `u8::MAX` = draw the hole level.
    base: Vec<u8>,
    /// The image without the cartridge, palette indices, rows from the top.
    current: Vec<u8>,
    /// The image the viewer sees after the last frame written.
    shown: Vec<u8>,
    /// Bounding box `(x0, y0, x1, y1)` (exclusive ends) of `current`'s changes since the
    /// last frame.
    dirty: Option<(usize, usize, usize, usize)>,
    /// Image pixels of the cartridge drawn on the last frame.
    cartridge: Vec<usize>,
    /// Workspace of [`Painter::add_hole`]: `(pixel row, first column, last column)`.
    spans: Vec<(i64, i64, i64)>,
}

/// The pixel rows of a disk hole as [`Painter::add_hole`] marks them: for each band of `k`
/// cell rows the disk covers, `(band, first, last)` with `first..=last` the band's columns
/// of `k` cells holding the union of [`GridSpec::disk_rows`]' spans over the band's rows.
///
/// The same arithmetic as `disk_rows`, once per band: each of its steps (`dy²`, `r² − dy²`,
/// the square root, `cells_between`) is monotone, so a row's span holds the span of every
/// row with a larger `dy²`, and the union over a band is the span of its row with the
/// smallest `dy²`: one square root per band instead of one per cell row.
fn disk_band_spans(grid: &GridSpec, cx: f64, cy: f64, r_mm: f64, k: i64, out: &mut Vec<(i64, i64, i64)>) {
    let (j0, j1) = grid.cells_between(cy - r_mm, cy + r_mm);
    let r2 = r_mm * r_mm;
    let mut j = j0;
    while j <= j1 {
        let band = j.div_euclid(k);
        let end = ((band + 1) * k - 1).min(j1);
        let nearest = (j..=end)
            .map(|jj| {
                let dy = grid.cell_center(jj) - cy;
                dy * dy
            })
            .fold(f64::INFINITY, f64::min);
        let rest = r2 - nearest;
        if rest >= 0.0 {
            let dx = rest.sqrt();
            let (i0, i1) = grid.cells_between(cx - dx, cx + dx);
            if i0 <= i1 {
                out.push((band, i0.div_euclid(k), i1.div_euclid(k)));
            }
        }
        j = end + 1;
    }
}

fn grow(b: &mut Option<(usize, usize, usize, usize)>, x0: usize, y0: usize, x1: usize, y1: usize) {
    *b = Some(match *b {
        None => (x0, y0, x1, y1),
        Some((a, b2, c, d)) => (a.min(x0), b2.min(y0), c.max(x1), d.max(y1)),
    });
}

/// Lines of text `(text, size px, y px)` on white, as palette indices (white and the greys
/// of [`ix`]).
pub(crate) fn text_strip(width: u32, height: u32, lines: &[(String, u32, i32)]) -> Result<Vec<u8>> {
    ensure_font();
    let mut c = Canvas::new(width, height, [255; 3]);
    {
        let root = BitMapBackend::with_buffer(&mut c.rgb, (width, height)).into_drawing_area();
        for (text, size, y) in lines {
            root.draw(&Text::new(text.clone(), (6, *y), ("sans-serif", *size).into_font().color(&BLACK)))
                .map_err(|e| Error::Render { path: "animation.gif".into(), message: e.to_string() })?;
        }
        root.present().map_err(|e| Error::Render { path: "animation.gif".into(), message: e.to_string() })?;
    }
    Ok(c.rgb.chunks_exact(3).map(grey_index).collect())
}

/// Nearest of white and the greys, by luminance.
fn grey_index(p: &[u8]) -> u8 {
    let l = (p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000;
    if l > 235 {
        return ix::WHITE;
    }
    let g = ((l * (ix::GREYS as u32 - 1) + 110) / 220).min(ix::GREYS as u32 - 1);
    ix::GREY0 + g as u8
}

/// The legend strip: a swatch per holes level, and the cartridge colour.
fn footer(width: u32) -> Result<Vec<u8>> {
    let err = |e: String| Error::Render { path: "animation.gif".into(), message: e };
    let pal = palette();
    let mut c = Canvas::new(width, FOOTER_H, [255; 3]);
    {
        let root = BitMapBackend::with_buffer(&mut c.rgb, (width, FOOTER_H)).into_drawing_area();
        let font = ("sans-serif", 12).into_font().color(&BLACK);
        let swatch = |x: i32, rgb: [u8; 3]| Rectangle::new([(x, 6), (x + 14, 20)], RGBColor(rgb[0], rgb[1], rgb[2]).filled());
        let mut x = 6;
        for k in 0..=LEVELS {
            root.draw(&swatch(x, pal[ix::SKIN as usize + k])).map_err(|e| err(e.to_string()))?;
            let label = if k == LEVELS { format!("{k}+") } else { k.to_string() };
            root.draw(&Text::new(label, (x + 17, 7), font.clone())).map_err(|e| err(e.to_string()))?;
            x += 36;
        }
        root.draw(&Text::new("holes per pixel", (x, 7), font.clone())).map_err(|e| err(e.to_string()))?;
        root.draw(&swatch(x + 110, CARTRIDGE_RGB)).map_err(|e| err(e.to_string()))?;
        root.draw(&Text::new("cartridge", (x + 128, 7), font)).map_err(|e| err(e.to_string()))?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(c.rgb
        .chunks_exact(3)
        .map(|p| {
            let exact = (ix::SKIN..=ix::CARTRIDGE).find(|&k| pal[k as usize] == [p[0], p[1], p[2]]);
            exact.unwrap_or_else(|| grey_index(p))
        })
        .collect())
}

impl<'a> Painter<'a> {
    fn new(input: &'a Input<'a>) -> Result<Self> {
        let map = MapGrid::new(&input.view, input.cells_per_px as f64 * input.grid.resolution_mm);
        let width = (map.width as u32).max(MIN_WIDTH);
        let height = HEADER_H + map.height as u32 + FOOTER_H;
        if width > u16::MAX as u32 || height > u16::MAX as u32 {
            return Err(Error::invalid("pictures (animation)", format!("{width} × {height} px"), "at most 65535 px a side"));
        }
        let mut base = vec![u8::MAX; map.width * map.height];
        for row in 0..map.height {
            for col in 0..map.width {
                if input.domain.label_at(map.center(col, row)).is_none() {
                    base[row * map.width + col] = ix::NO_DATA;
                }
            }
        }
        // Overlays: paint on a scratch canvas, read back the overlay colours as indices.
        if !input.overlays.is_empty() {
            let mut c = Canvas::new(map.width as u32, map.height as u32, [0; 3]);
            let (x0, y_top) = (map.i0 as f64 * map.px_mm, (map.j0 + map.height as i64) as f64 * map.px_mm);
            let to_px = |q: Vec2| ((q.x - x0) / map.px_mm, (y_top - q.y) / map.px_mm);
            input.overlays.paint(&mut c, &to_px);
            for y in 0..map.height {
                for x in 0..map.width {
                    let idx = match c.get(x as i32, y as i32) {
                        Some(p) if p == NO_GO_HATCH_RGB => ix::HATCH,
                        Some(p) if p == OUTLINE_RGB => ix::OUTLINE,
                        _ => continue,
                    };
                    base[(map.height - 1 - y) * map.width + x] = idx;
                }
            }
        }
        let (w, h) = (width as usize, height as usize);
        let mut current = vec![ix::WHITE; w * h];
        let footer = footer(width)?;
        current[w * (h - FOOTER_H as usize)..].copy_from_slice(&footer);
        let mut p = Painter {
            input,
            map,
            width,
            height,
            holes: vec![0; map.width * map.height],
            base,
            current,
            shown: Vec::new(),
            dirty: None,
            cartridge: Vec::new(),
            spans: Vec::new(),
        };
        for row in 0..map.height {
            for col in 0..map.width {
                let i = p.image_index(col, row);
                p.current[i] = p.map_index(row * map.width + col);
            }
        }
        Ok(p)
    }

    /// Image index of map pixel `(col, row_from_bottom)`.
    fn image_index(&self, col: usize, row: usize) -> usize {
        (self.map.top as usize + self.map.height - 1 - row) * self.width as usize + col
    }

    /// Palette index of map pixel `i`.
    fn map_index(&self, i: usize) -> u8 {
        let level = ix::SKIN + (self.holes[i] as usize).min(LEVELS) as u8;
        match self.base[i] {
            u8::MAX => level,
            // Holes in a no-go zone stay visible over the stripes.
            ix::HATCH if self.holes[i] > 0 => level,
            b => b,
        }
    }

    /// Mark the pixels of one hole.
    fn add_hole(&mut self, p: &Puncture) {
        let k = self.input.cells_per_px as i64;
        let m = self.map;
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        if p.is_disk() {
            disk_band_spans(&self.input.grid, p.x_mm, p.y_mm, self.input.radius_mm, k, &mut spans);
        } else {
            let mut cur: Option<(i64, i64, i64)> = None;
            let big = (i64::MIN / 4, i64::MAX / 4, i64::MIN / 4, i64::MAX / 4);
            crate::raster::accumulate::footprint_rows(p, &self.input.grid, self.input.radius_mm, big, |j, i0, i1| {
                let (jj, a, b) = (j.div_euclid(k), i0.div_euclid(k), i1.div_euclid(k));
                match &mut cur {
                    Some((cj, ca, cb)) if *cj == jj => {
                        *ca = (*ca).min(a);
                        *cb = (*cb).max(b);
                    }
                    _ => {
                        if let Some(s) = cur.take() {
                            spans.push(s);
                        }
                        cur = Some((jj, a, b));
                    }
                }
            });
            spans.extend(cur);
        }
        for &(jj, a, b) in &spans {
            let row = jj - m.j0;
            if row < 0 || row >= m.height as i64 {
                continue;
            }
            let row = row as usize;
            let (c0, c1) = ((a - m.i0).max(0), (b - m.i0).min(m.width as i64 - 1));
            if c0 > c1 {
                continue;
            }
            for col in c0 as usize..=c1 as usize {
                let i = row * m.width + col;
                self.holes[i] = self.holes[i].saturating_add(1);
                let at = self.image_index(col, row);
                self.current[at] = self.map_index(i);
            }
            let y = self.map.top as usize + self.map.height - 1 - row;
            grow(&mut self.dirty, c0 as usize, y, c1 as usize + 1, y + 1);
        }
        self.spans = spans;
    }

    fn set_header(&mut self, lines: &[(String, u32, i32)]) -> Result<()> {
        let strip = text_strip(self.width, HEADER_H, lines)?;
        self.current[..strip.len()].copy_from_slice(&strip);
        grow(&mut self.dirty, 0, 0, self.width as usize, HEADER_H as usize);
        Ok(())
    }

    /// The next GIF frame: what changed since the last one, the cartridge at `stamp`.
    fn next_frame(&mut self, stamp: Option<&[Puncture]>, delay: u16) -> gif::Frame<'static> {
        let w = self.width as usize;
        let cartridge = stamp.map(|n| self.cartridge_pixels(n)).unwrap_or_default();
        if self.shown.is_empty() {
            self.shown = self.current.clone();
            for &i in &cartridge {
                self.shown[i] = ix::CARTRIDGE;
            }
            self.cartridge = cartridge;
            self.dirty = None;
            let (w16, h16) = (self.width as u16, self.height as u16);
            return gif::Frame { width: w16, height: h16, delay, buffer: Cow::Owned(self.shown.clone()), ..Default::default() };
        }
        let mut region = self.dirty.take();
        for &i in self.cartridge.iter().chain(&cartridge) {
            grow(&mut region, i % w, i / w, i % w + 1, i / w + 1);
        }
        let (x0, y0, x1, y1) = region.unwrap_or((0, 0, 1, 1));
        let rw = x1 - x0;
        let mut buf = vec![ix::TRANSPARENT; rw * (y1 - y0)];
        // The box of the pixels written (not transparent), relative to the region: the crop.
        let (mut cx0, mut cy0, mut cx1, mut cy1) = (rw, y1 - y0, 0, 0);
        let mut mark = |x: usize, y: usize| (cx0, cy0, cx1, cy1) = (cx0.min(x), cy0.min(y), cx1.max(x + 1), cy1.max(y + 1));
        for y in y0..y1 {
            let row = y * w + x0..y * w + x1;
            // Most rows of the box did not change: one slice compare skips them.
            if self.current[row.clone()] == self.shown[row.clone()] {
                continue;
            }
            for x in x0..x1 {
                let i = y * w + x;
                if self.current[i] != self.shown[i] {
                    self.shown[i] = self.current[i];
                    buf[(y - y0) * rw + x - x0] = self.current[i];
                    if self.current[i] != ix::TRANSPARENT {
                        mark(x - x0, y - y0);
                    }
                }
            }
        }
        for &i in &cartridge {
            if self.shown[i] != ix::CARTRIDGE {
                self.shown[i] = ix::CARTRIDGE;
                buf[(i / w - y0) * rw + i % w - x0] = ix::CARTRIDGE;
                mark(i % w - x0, i / w - y0);
            }
        }
        self.cartridge = cartridge;
        // Crop to the pixels that really changed (less to compress).
        if cx0 >= cx1 {
            (cx0, cy0, cx1, cy1) = (0, 0, 1, 1);
        }
        let mut cropped = Vec::with_capacity((cx1 - cx0) * (cy1 - cy0));
        for y in cy0..cy1 {
            cropped.extend_from_slice(&buf[y * rw + cx0..y * rw + cx1]);
        }
        gif::Frame {
            left: (x0 + cx0) as u16,
            top: (y0 + cy0) as u16,
            width: (cx1 - cx0) as u16,
            height: (cy1 - cy0) as u16,
            delay,
            transparent: Some(ix::TRANSPARENT),
            dispose: gif::DisposalMethod::Keep,
            buffer: Cow::Owned(cropped),
            ..Default::default()
        }
    }

    /// Image pixels of the cartridge: a ring around the stamp's needles and each needle.
    fn cartridge_pixels(&self, needles: &[Puncture]) -> Vec<usize> {
        let n = needles.len().max(1) as f64;
        let c = needles.iter().fold(Vec2::zeros(), |s, p| s + Vec2::new(p.x_mm, p.y_mm)) / n;
        let r_mm = needles.iter().map(|p| (Vec2::new(p.x_mm, p.y_mm) - c).norm()).fold(0.0, f64::max) + 0.6;
        let (top, bottom) = (self.map.top as i64, self.map.top as i64 + self.map.height as i64);
        let inside = |(x, y): (i64, i64)| {
            (x >= 0 && x < self.map.width as i64 && y >= top && y < bottom).then(|| (y * self.width as i64 + x) as usize)
        };
        let steps = ((std::f64::consts::TAU * r_mm / self.map.px_mm) * 2.0).ceil().max(16.0) as usize;
        let mut out: Vec<usize> = (0..steps)
            .flat_map(|s| {
                let a = s as f64 / steps as f64 * std::f64::consts::TAU;
                [0.0, 0.6 * self.map.px_mm].map(|dr| self.map.pixel_of(c.x + (r_mm + dr) * a.cos(), c.y + (r_mm + dr) * a.sin()))
            })
            .chain(needles.iter().map(|p| self.map.pixel_of(p.x_mm, p.y_mm)))
            .filter_map(inside)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The needles of the stamp holding puncture `idx` (a stamp's needles are consecutive).
fn stamp_of(punctures: &[Puncture], idx: usize) -> &[Puncture] {
    let key = |p: &Puncture| (p.pass, p.stamp);
    let k = key(&punctures[idx]);
    let mut a = idx;
    while a > 0 && key(&punctures[a - 1]) == k {
        a -= 1;
    }
    let mut b = idx + 1;
    while b < punctures.len() && key(&punctures[b]) == k {
        b += 1;
    }
    &punctures[a..b]
}

/// Draw the animation.
pub fn draw(input: &Input) -> Result<Animation> {
    let mut painter = Painter::new(input)?;
    let (w, h) = (painter.width as u16, painter.height as u16);
    let flat: Vec<u8> = palette().concat();
    let mut frames = Vec::with_capacity(input.frames.ends.len() + 1);
    {
        let mut start = 0usize;
        for (f, &end) in input.frames.ends.iter().enumerate() {
            for p in &input.punctures[start..end as usize] {
                painter.add_hole(p);
            }
            let segment = input.frames.segment[f] as usize;
            painter.set_header(&[
                (input.title.clone(), 13, 4),
                (
                    format!(
                        "{} · {:.1} s · coverage {:.1} %",
                        input.segment_labels.get(segment).map_or("", String::as_str),
                        input.frames.t_s[f],
                        100.0 * input.coverage_after.get(f).copied().unwrap_or(0.0)
                    ),
                    15,
                    22,
                ),
            ])?;
            let stamp = (end as usize > 0).then(|| stamp_of(input.punctures, end as usize - 1));
            frames.push(painter.next_frame(stamp, DELAY_CS));
            start = end as usize;
        }
        let last = input.coverage_after.last().copied().unwrap_or(0.0);
        let t = input.frames.t_s.last().copied().unwrap_or(0.0);
        painter
            .set_header(&[(input.title.clone(), 13, 4), (format!("session done · {t:.1} s · coverage {:.1} %", 100.0 * last), 15, 22)])?;
        frames.push(painter.next_frame(None, HOLD_CS));
    }
    let n = frames.len();
    let bytes = encode(w, h, &flat, frames, "animation.gif")?;
    Ok(Animation { gif: bytes, width: w, height: h, frames: n, map: painter.map })
}

/// The GIF encoder every animation shares: frames LZW-compressed in parallel, then written in
/// order (the bytes do not depend on the thread count), looping forever. `palette` is flat
/// RGB (256 entries); `what` names the file in errors.
pub(crate) fn encode(w: u16, h: u16, palette: &[u8], mut frames: Vec<gif::Frame<'static>>, what: &str) -> Result<Vec<u8>> {
    let err = |e: gif::EncodingError| Error::Render { path: what.into(), message: e.to_string() };
    frames.par_iter_mut().for_each(|f| f.make_lzw_pre_encoded());
    let mut bytes = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut bytes, w, h, palette).map_err(err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(err)?;
        for f in &frames {
            enc.write_lzw_pre_encoded_frame(f).map_err(err)?;
        }
    }
    Ok(bytes)
}

/// Decode a GIF written by [`draw`] and return the palette indices of the image shown after
/// its last frame (frames composited with their transparency), for tests and checks.
pub fn decode_last_image(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>, usize)> {
    let err = |e: gif::DecodingError| Error::Render { path: "animation.gif".into(), message: e.to_string() };
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let mut dec = opts.read_info(std::io::Cursor::new(bytes)).map_err(err)?;
    let (w, h) = (dec.width() as usize, dec.height() as usize);
    let mut img = vec![0u8; w * h];
    let mut n = 0;
    while let Some(f) = dec.read_next_frame().map_err(err)? {
        n += 1;
        for y in 0..f.height as usize {
            for x in 0..f.width as usize {
                let v = f.buffer[y * f.width as usize + x];
                if Some(v) != f.transparent {
                    img[(f.top as usize + y) * w + f.left as usize + x] = v;
                }
            }
        }
    }
    Ok((w, h, img, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bands of `disk_rows`' spans merged row by row, as `add_hole` did before
    /// [`disk_band_spans`]: the brute force.
    fn merged_rows(grid: &GridSpec, cx: f64, cy: f64, r: f64, k: i64) -> Vec<(i64, i64, i64)> {
        let mut out: Vec<(i64, i64, i64)> = Vec::new();
        let big = (i64::MIN / 4, i64::MAX / 4, i64::MIN / 4, i64::MAX / 4);
        grid.disk_rows(cx, cy, r, big, |j, i0, i1| {
            let (jj, a, b) = (j.div_euclid(k), i0.div_euclid(k), i1.div_euclid(k));
            match out.last_mut() {
                Some((cj, ca, cb)) if *cj == jj => {
                    *ca = (*ca).min(a);
                    *cb = (*cb).max(b);
                }
                _ => out.push((jj, a, b)),
            }
        });
        out
    }

    #[test]
    fn disk_bands_are_the_rows_merged() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut checked = 0;
        for &h in &[0.01, 0.02, 0.005, 0.0137] {
            let grid = GridSpec::new(h).unwrap();
            for &k in &[1i64, 2, 3, 7, 20, 47, 64] {
                for _ in 0..4000 {
                    let (cx, cy) = (400.0 * next() - 200.0, 400.0 * next() - 200.0);
                    // Radii from below a cell to many cells; centres on cell edges and centres too.
                    let r = h * (0.2 + 30.0 * next());
                    let snap = |v: f64, t: f64| {
                        if t < 0.2 {
                            (v / h).round() * h
                        } else if t < 0.4 {
                            ((v / h).floor() + 0.5) * h
                        } else {
                            v
                        }
                    };
                    let (cx, cy) = (snap(cx, next()), snap(cy, next()));
                    let mut fast = Vec::new();
                    disk_band_spans(&grid, cx, cy, r, k, &mut fast);
                    assert_eq!(fast, merged_rows(&grid, cx, cy, r, k), "h {h} k {k} centre ({cx}, {cy}) r {r}");
                    checked += fast.len();
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
