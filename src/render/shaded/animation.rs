//! The session on the 3D face, pass by pass (GIF): the front view, each frame showing the
//! holes made so far, a header with the treatment, pass, time and punctures.
//!
//! **Model.** Frames cut every treatment's passes (a region's pass k) into a few equal runs of
//! punctures. Hits are summed on a chart lattice of `k × k` grid cells (a lattice pixel is
//! about a screen pixel, k ≤ 8), each hole adding the cells of its footprint rows (the
//! accumulator's own rule, on that grid): a lattice pixel shows the mean holes per spot, as the
//! accumulator's picture and `face_front.png` do. A screen pixel shows the lattice pixel under
//! its chart point in one of [`LEVELS`] steps of the same colour scale (0 to the picture's
//! maximum), shaded (24 fixed shade levels: a fixed palette, no quantisation).
//! Frames after the first carry only the changed pixels; the encoder is the flat
//! animation's ([`crate::render::animation`]), so the bytes do not depend on the thread count.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::geometry::Vec2;

use super::super::animation::{self as flat, ix};
use super::super::figure::fmt_value;
use super::super::overlay::NO_GO_HATCH_RGB;
use super::super::viridis;
use super::raster::{self, EMPTY, GBuffer, Lighting, SHADE_ONE, shaded};
use super::scene::{GroupKind, HATCH_PERIOD_PX, HATCH_WIDTH_PX, NO_GO_GROUND_RGB, SKIN_RGB, Scene};

/// Longest side of the animated view, px.
pub const VIEW_PX: f64 = 560.0;
/// Frames per region pass at most, and in the whole session about.
const FRAMES_PER_PASS: usize = 6;
const FRAMES_TOTAL: usize = 72;
const HEADER_H: u32 = 44;
const FOOTER_H: u32 = 26;
const MIN_WIDTH: u32 = 480;
const DELAY_CS: u16 = 12;
const HOLD_CS: u16 = 300;
/// Accumulation cells across a lattice pixel (at most).
const CELLS_PER_PX: i64 = 8;
/// Shade levels of the palette.
const SHADES: usize = 24;
/// Colour steps of the mean holes per spot, 0 to the maximum.
pub const LEVELS: usize = 8;

mod pal {
    pub const LEVEL0: usize = 10;
    pub const SKIN: usize = LEVEL0 + super::LEVELS * super::SHADES;
    pub const HATCH: usize = SKIN + super::SHADES;
    pub const GROUND: usize = HATCH + 1;
    pub const END: usize = GROUND + super::SHADES;
}

fn shade_bin(s: u16) -> usize {
    (s as usize * SHADES / (SHADE_ONE as usize + 1)).min(SHADES - 1)
}

fn bin_shade(b: usize) -> u16 {
    ((2 * b + 1) * SHADE_ONE as usize / (2 * SHADES)) as u16
}

/// The palette: the flat animation's white and greys, then shaded levels, skin and no-go.
fn palette() -> Vec<[u8; 3]> {
    let mut p = vec![[255, 0, 255], [255, 255, 255]];
    for g in 0..ix::GREYS {
        let v = (g as u32 * 220 / (ix::GREYS as u32 - 1)) as u8;
        p.push([v, v, v]);
    }
    p.resize(pal::LEVEL0, [0; 3]);
    for l in 0..LEVELS {
        for b in 0..SHADES {
            p.push(shaded(viridis(l as f64 / (LEVELS - 1) as f64), bin_shade(b)));
        }
    }
    for b in 0..SHADES {
        p.push(shaded(SKIN_RGB, bin_shade(b)));
    }
    p.push(NO_GO_HATCH_RGB);
    for b in 0..SHADES {
        p.push(shaded(NO_GO_GROUND_RGB, bin_shade(b)));
    }
    debug_assert_eq!(p.len(), pal::END);
    p.resize(256, [0; 3]);
    p
}

/// What a screen pixel shows.
#[derive(Clone, Copy)]
enum Px {
    Fixed(u8),
    Holes { lattice: usize, bin: u8 },
}

/// Draw the animation of a surface run.
pub fn draw(sim: &SurfaceSimulation, scene: &Scene, r: &SurfaceRunResult) -> Result<Vec<u8>> {
    let what = super::FACE_ANIMATION_GIF;
    let cam = super::cameras(scene, &[0.0], VIEW_PX).remove(0);
    let g = GBuffer::render(scene.mesh, scene.chart, &scene.normals, &cam, &Lighting::soft(), &raster::SAMPLES_1);
    let width = cam.width.max(MIN_WIDTH);
    let height = HEADER_H + cam.height + FOOTER_H;
    if width > u16::MAX as u32 || height > u16::MAX as u32 {
        return Err(Error::invalid("pictures (3D animation)", format!("{width} × {height} px"), "at most 65535 px a side"));
    }
    // The lattice: k × k cells per pixel, about a screen pixel; cells no coarser than the
    // run's grid when that is already coarse, else [`CELLS_PER_PX`] across a pixel (the mean
    // holes per spot is then exact to a cell's rim: enough for 8 colour steps, 8× cheaper).
    let screen_mm = 1.0 / cam.px_per_mm;
    let grid = if r.grid.grid.resolution_mm * CELLS_PER_PX as f64 >= screen_mm {
        r.grid.grid
    } else {
        crate::raster::grid::GridSpec::new(screen_mm / CELLS_PER_PX as f64)?
    };
    let k = (screen_mm / grid.resolution_mm).round().max(1.0) as i64;
    let px_mm = k as f64 * grid.resolution_mm;
    let b = scene.chart.chart_bounds();
    let (li0, lj0) = ((b.x0 / px_mm).floor() as i64 - 1, (b.y0 / px_mm).floor() as i64 - 1);
    let (lw, lh) = (((b.x1 / px_mm).ceil() as i64 + 1 - li0) as usize, ((b.y1 / px_mm).ceil() as i64 + 1 - lj0) as usize);
    let lattice_of = |q: [f32; 2]| -> Option<usize> {
        let (i, j) = ((q[0] as f64 / px_mm).floor() as i64 - li0, (q[1] as f64 / px_mm).floor() as i64 - lj0);
        (i >= 0 && j >= 0 && (i as usize) < lw && (j as usize) < lh).then(|| j as usize * lw + i as usize)
    };
    let off_x = (width - cam.width) / 2;
    let mut pixels = vec![Px::Fixed(ix::WHITE); (width * cam.height) as usize];
    for y in 0..cam.height {
        for x in 0..cam.width {
            let s = (y * cam.width + x) as usize;
            let t = g.tri[s];
            if t == EMPTY {
                continue;
            }
            let bin = shade_bin(g.shade[s]);
            let grp = scene.mesh.triangles[t as usize].group as usize;
            let px = match scene.kinds.get(grp).copied().unwrap_or(GroupKind::Skin) {
                GroupKind::Treated => match lattice_of(g.chart[s]) {
                    Some(l) => Px::Holes { lattice: l, bin: bin as u8 },
                    None => Px::Fixed((pal::LEVEL0 + bin) as u8),
                },
                GroupKind::Skin => Px::Fixed((pal::SKIN + bin) as u8),
                GroupKind::NoGo if (x + y) % HATCH_PERIOD_PX < HATCH_WIDTH_PX => Px::Fixed(pal::HATCH as u8),
                GroupKind::NoGo => Px::Fixed((pal::GROUND + bin) as u8),
            };
            pixels[(y * width + x + off_x) as usize] = px;
        }
    }
    // Frames: each region pass (a treatment's run of one pass number) cut into equal runs.
    let mut segments = Vec::new();
    for (ti, run) in r.treatments.iter().enumerate() {
        let mut a = run.punctures.start;
        while a < run.punctures.end {
            let pass = r.run.punctures[a].pass;
            let mut e = a;
            while e < run.punctures.end && r.run.punctures[e].pass == pass {
                e += 1;
            }
            segments.push((ti, pass as usize - run.first_pass, a, e));
            a = e;
        }
    }
    let per = (FRAMES_TOTAL / segments.len().max(1)).clamp(1, FRAMES_PER_PASS);
    // Hit cells per lattice pixel; the colour scale's top is the accumulator picture's maximum.
    let mut counts = vec![0u32; lw * lh];
    let max = r.run.hole.raster.as_ref().map_or(1.0, |p| p.max() as f64).max(1e-9);
    let cells = (k * k) as f64;
    let level = |c: u32| ((c as f64 / cells / max * (LEVELS - 1) as f64).round() as usize).min(LEVELS - 1);
    let radius = sim.cartridge.radius_mm();
    let big = (i64::MIN / 4, i64::MAX / 4, i64::MIN / 4, i64::MAX / 4);
    let add = |i: usize, counts: &mut Vec<u32>| {
        let p = &r.run.punctures[i];
        grid.shape_rows(Vec2::new(p.x_mm, p.y_mm), &r.landing.shape[i], radius, big, |j, i0, i1| {
            let jj = j.div_euclid(k) - lj0;
            if jj < 0 || jj as usize >= lh {
                return;
            }
            for c in i0.div_euclid(k)..=i1.div_euclid(k) {
                let ii = c - li0;
                if ii >= 0 && (ii as usize) < lw {
                    let n = i1.min((c + 1) * k - 1) - i0.max(c * k) + 1;
                    let l = jj as usize * lw + ii as usize;
                    counts[l] = counts[l].saturating_add(n as u32);
                }
            }
        });
    };
    let image = |counts: &[u32], header: &[u8], footer: &[u8]| -> Vec<u8> {
        let mut img = Vec::with_capacity((width * height) as usize);
        img.extend_from_slice(header);
        img.extend(pixels.iter().map(|p| match *p {
            Px::Fixed(v) => v,
            Px::Holes { lattice, bin } => (pal::LEVEL0 + level(counts[lattice]) * SHADES + bin as usize) as u8,
        }));
        img.extend_from_slice(footer);
        img
    };
    let footer = footer(width, max)?;
    let names = |ti: usize| sim.face.regions[sim.treatments[ti].region as usize].name.clone();
    let title = format!("{}: the session on the face, region by region, pass by pass", sim.name);
    let mut frames: Vec<gif::Frame<'static>> = Vec::new();
    let mut shown: Vec<u8> = Vec::new();
    let mut t_before = 0.0;
    let mut done = 0usize;
    for &(ti, k_pass, a, e) in &segments {
        let passes = sim.treatments[ti].passes.len();
        let seg_time = r.treatments[ti].pass_time_s.get(k_pass).copied().unwrap_or(0.0);
        for f in 1..=per {
            let end = a + (e - a) * f / per;
            for i in done.max(a)..end {
                add(i, &mut counts);
            }
            done = end;
            let t = t_before + seg_time * f as f64 / per as f64;
            let header = flat::text_strip(
                width,
                HEADER_H,
                &[(title.clone(), 13, 4), (format!("{} · pass {}/{passes} · {t:.0} s · {end} punctures", names(ti), k_pass + 1), 15, 22)],
            )?;
            push_frame(&mut frames, &mut shown, image(&counts, &header, &footer), width, DELAY_CS);
        }
        t_before += seg_time;
    }
    let header = flat::text_strip(
        width,
        HEADER_H,
        &[
            (title.clone(), 13, 4),
            (
                format!(
                    "session done · {t_before:.0} s · {} punctures · hole coverage {:.1} %",
                    r.run.punctures.len(),
                    100.0 * r.run.hole_coverage.coverage
                ),
                15,
                22,
            ),
        ],
    )?;
    push_frame(&mut frames, &mut shown, image(&counts, &header, &footer), width, HOLD_CS);
    let flat_palette: Vec<u8> = palette().concat();
    flat::encode(width as u16, height as u16, &flat_palette, frames, what)
}

/// Append `img` as a frame: the whole image first, then only the pixels that changed.
fn push_frame(frames: &mut Vec<gif::Frame<'static>>, shown: &mut Vec<u8>, img: Vec<u8>, width: u32, delay: u16) {
    let w = width as usize;
    let h = img.len() / w;
    if shown.is_empty() {
        *shown = img.clone();
        frames.push(gif::Frame { width: width as u16, height: h as u16, delay, buffer: Cow::Owned(img), ..Default::default() });
        return;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (i, (a, b)) in img.iter().zip(shown.iter()).enumerate() {
        if a != b {
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
        }
    }
    if x0 >= x1 {
        (x0, y0, x1, y1) = (0, 0, 1, 1);
    }
    let mut buf = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        for x in x0..x1 {
            let i = y * w + x;
            buf.push(if img[i] != shown[i] { img[i] } else { ix::TRANSPARENT });
        }
    }
    *shown = img;
    frames.push(gif::Frame {
        left: x0 as u16,
        top: y0 as u16,
        width: (x1 - x0) as u16,
        height: (y1 - y0) as u16,
        delay,
        transparent: Some(ix::TRANSPARENT),
        dispose: gif::DisposalMethod::Keep,
        buffer: Cow::Owned(buf),
        ..Default::default()
    });
}

/// The legend strip: a swatch per colour step (full light) labelled with its mean holes.
fn footer(width: u32, max: f64) -> Result<Vec<u8>> {
    let w = width as usize;
    let mut strip = flat::text_strip(width, FOOTER_H, &[])?;
    // Text is drawn at x = 6 by the strip; shift it to `at`.
    let put_text = |s: &mut Vec<u8>, txt: &str, at: usize| -> Result<()> {
        let t = flat::text_strip(width, FOOTER_H, &[(txt.to_string(), 11, 8)])?;
        for y in 0..FOOTER_H as usize {
            for x in 6..w {
                let dst = x - 6 + at;
                if dst < w && t[y * w + x] != ix::WHITE {
                    s[y * w + dst] = t[y * w + x];
                }
            }
        }
        Ok(())
    };
    let mut x = 6usize;
    for l in 0..LEVELS {
        let idx = (pal::LEVEL0 + l * SHADES + SHADES - 1) as u8;
        for y in 6..20 {
            for xx in x..(x + 12).min(w) {
                strip[y * w + xx] = idx;
            }
        }
        put_text(&mut strip, &fmt_value(max * l as f64 / (LEVELS - 1) as f64), x + 14)?;
        x += 44;
    }
    put_text(&mut strip, "holes per spot (mean)", x)?;
    Ok(strip)
}
