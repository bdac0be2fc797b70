//! The pass-by-pass animation (GIF): the cartridge moving along its path, holes appearing,
//! the coverage counting up.
//!
//! **Model.** The session is cut into frames by [`crate::timeline`] (every pass ends on a
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

use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::grid::GridSpec;
use crate::puncture::Puncture;
use crate::timeline::Frames;

use super::canvas::Canvas;
use super::figure::NO_DATA_RGB;
use super::overlay::{NO_GO_HATCH_RGB, OUTLINE_RGB, Overlays};
use super::{ensure_font, viridis};

/// Longest side of the animated map, px.
pub const MAX_MAP_PX: f64 = 640.0;
/// Smallest image width, px (room for the header text).
const MIN_WIDTH: u32 = 420;
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
    /// Label of each pass, e.g. "pass 2/3, 90°".
    pub pass_labels: Vec<String>,
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
        Vec2::new((self.i0 + col as i64) as f64 * self.px_mm + 0.5 * self.px_mm, (self.j0 + row as i64) as f64 * self.px_mm + 0.5 * self.px_mm)
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

/// Paint the static part of a frame (header, map base) and return the palette indices.
struct Painter<'a> {
    input: &'a Input<'a>,
    map: MapGrid,
    width: u32,
    height: u32,
    /// Holes touching each map pixel, row-major from the bottom row.
    holes: Vec<u16>,
    /// Base map indices: no-data, overlays; `u8::MAX` = draw the hole level.
    base: Vec<u8>,
    /// Legend strip, indices.
    footer: Vec<u8>,
}

fn text_strip(width: u32, height: u32, lines: &[(String, u32, i32)]) -> Result<Vec<u8>> {
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
        let footer = footer(width)?;
        Ok(Painter { input, map, width, height, holes: vec![0; map.width * map.height], base, footer })
    }

    /// Mark the pixels of one hole.
    fn add_hole(&mut self, p: &Puncture) {
        let k = self.input.cells_per_px as i64;
        let m = self.map;
        let mut cur: Option<(i64, i64, i64)> = None;
        let mut spans = Vec::with_capacity(4);
        let big = (i64::MIN / 4, i64::MAX / 4, i64::MIN / 4, i64::MAX / 4);
        self.input.grid.disk_rows(p.x_mm, p.y_mm, self.input.radius_mm, big, |j, i0, i1| {
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
        for (jj, a, b) in spans {
            let row = jj - m.j0;
            if row < 0 || row >= m.height as i64 {
                continue;
            }
            for col in (a - m.i0).max(0)..=(b - m.i0).min(m.width as i64 - 1) {
                let h = &mut self.holes[row as usize * m.width + col as usize];
                *h = h.saturating_add(1);
            }
        }
    }

    /// Palette indices of the whole image: header text, map (with the cartridge at `stamp`
    /// when given), legend.
    fn frame(&self, header: &[(String, u32, i32)], stamp: Option<&[Puncture]>) -> Result<Vec<u8>> {
        let (w, m) = (self.width as usize, self.map);
        let mut out = text_strip(self.width, HEADER_H, header)?;
        out.reserve(w * (m.height + FOOTER_H as usize));
        for r in 0..m.height {
            let row = m.height - 1 - r;
            for col in 0..w {
                let v = if col >= m.width {
                    ix::WHITE
                } else {
                    let i = row * m.width + col;
                    let level = ix::SKIN + (self.holes[i] as usize).min(LEVELS) as u8;
                    match self.base[i] {
                        u8::MAX => level,
                        // Holes in a no-go zone stay visible over the stripes.
                        ix::HATCH if self.holes[i] > 0 => level,
                        b => b,
                    }
                };
                out.push(v);
            }
        }
        out.extend_from_slice(&self.footer);
        if let Some(needles) = stamp {
            self.draw_cartridge(&mut out, needles);
        }
        Ok(out)
    }

    /// The cartridge: a ring around the stamp's needles and each needle's pixel.
    fn draw_cartridge(&self, out: &mut [u8], needles: &[Puncture]) {
        let n = needles.len().max(1) as f64;
        let c = needles.iter().fold(Vec2::zeros(), |s, p| s + Vec2::new(p.x_mm, p.y_mm)) / n;
        let r_mm = needles.iter().map(|p| (Vec2::new(p.x_mm, p.y_mm) - c).norm()).fold(0.0, f64::max) + 0.6;
        let (w, h) = (self.width as i64, self.height as i64);
        let mut put = |x: i64, y: i64| {
            if x >= 0 && x < (self.map.width as i64).min(w) && y >= self.map.top as i64 && y < (self.map.top as i64 + self.map.height as i64).min(h) {
                out[(y * w + x) as usize] = ix::CARTRIDGE;
            }
        };
        let steps = ((2.0 * std::f64::consts::PI * r_mm / self.map.px_mm) * 2.0).ceil().max(16.0) as usize;
        for s in 0..steps {
            let a = s as f64 / steps as f64 * std::f64::consts::TAU;
            for dr in [0.0, 0.6 * self.map.px_mm] {
                let (x, y) = self.map.pixel_of(c.x + (r_mm + dr) * a.cos(), c.y + (r_mm + dr) * a.sin());
                put(x, y);
            }
        }
        for p in needles {
            let (x, y) = self.map.pixel_of(p.x_mm, p.y_mm);
            put(x, y);
        }
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
    let err = |e: gif::EncodingError| Error::Render { path: "animation.gif".into(), message: e.to_string() };
    let mut painter = Painter::new(input)?;
    let (w, h) = (painter.width as u16, painter.height as u16);
    let flat: Vec<u8> = palette().concat();
    let mut bytes = Vec::new();
    let mut frames_written = 0;
    {
        let mut enc = gif::Encoder::new(&mut bytes, w, h, &flat).map_err(err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(err)?;
        let mut prev: Option<Vec<u8>> = None;
        let mut emit = |enc: &mut gif::Encoder<&mut Vec<u8>>, img: Vec<u8>, delay: u16| -> Result<()> {
            let frame = delta_frame(prev.as_deref(), &img, w, h, delay);
            enc.write_frame(&frame).map_err(err)?;
            prev = Some(img);
            frames_written += 1;
            Ok(())
        };
        let mut start = 0usize;
        for (f, &end) in input.frames.ends.iter().enumerate() {
            for p in &input.punctures[start..end as usize] {
                painter.add_hole(p);
            }
            let pass = input.frames.pass[f] as usize;
            let header = [
                (input.title.clone(), 13, 4),
                (
                    format!(
                        "{} · {:.1} s · coverage {:.1} %",
                        input.pass_labels.get(pass).map_or("", String::as_str),
                        input.frames.t_s[f],
                        100.0 * input.coverage_after.get(f).copied().unwrap_or(0.0)
                    ),
                    15,
                    22,
                ),
            ];
            let stamp = (end as usize > 0).then(|| stamp_of(input.punctures, end as usize - 1));
            let img = painter.frame(&header, stamp)?;
            emit(&mut enc, img, DELAY_CS)?;
            start = end as usize;
        }
        let last = input.coverage_after.last().copied().unwrap_or(0.0);
        let t = input.frames.t_s.last().copied().unwrap_or(0.0);
        let header = [
            (input.title.clone(), 13, 4),
            (format!("session done · {t:.1} s · coverage {:.1} %", 100.0 * last), 15, 22),
        ];
        let img = painter.frame(&header, None)?;
        emit(&mut enc, img, HOLD_CS)?;
    }
    Ok(Animation { gif: bytes, width: w, height: h, frames: frames_written, map: painter.map })
}

/// A frame holding only the pixels that differ from `prev` (the rest transparent), cropped
/// to their bounding box; the whole image when there is no previous frame.
fn delta_frame<'b>(prev: Option<&[u8]>, img: &'b [u8], w: u16, h: u16, delay: u16) -> gif::Frame<'b> {
    let (wu, hu) = (w as usize, h as usize);
    let Some(prev) = prev else {
        return gif::Frame { width: w, height: h, delay, buffer: Cow::Borrowed(img), ..Default::default() };
    };
    let (mut x0, mut y0, mut x1, mut y1) = (wu, hu, 0, 0);
    for y in 0..hu {
        for x in 0..wu {
            if prev[y * wu + x] != img[y * wu + x] {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    if x0 >= x1 {
        (x0, y0, x1, y1) = (0, 0, 1, 1);
    }
    let mut buf = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            let i = y * wu + x;
            buf.push(if prev[i] == img[i] { ix::TRANSPARENT } else { img[i] });
        }
    }
    gif::Frame {
        left: x0 as u16,
        top: y0 as u16,
        width: (x1 - x0) as u16,
        height: (y1 - y0) as u16,
        delay,
        transparent: Some(ix::TRANSPARENT),
        dispose: gif::DisposalMethod::Keep,
        buffer: Cow::Owned(buf),
        ..Default::default()
    }
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
