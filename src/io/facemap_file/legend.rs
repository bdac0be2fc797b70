//! Painted face maps: a PNG where each region is one flat colour, plus a TOML legend.
//!
//! ```toml
//! image = "painted-face.png"    # relative to this legend
//! mm_per_px = 1.0               # pixel side on the face, mm
//! origin_mm = [-112.5, -205.5]  # where the image's lower-left corner lies (mm, x right, y up)
//! tolerance = 0                 # optional: snap colours within this per-channel difference
//! [[color]]
//! rgb = "#e6194b"
//! region = "cheek_left"
//! epidermis_mm = 0.056
//! dermis_mm = 1.0
//! subcutis_mm = 4.0
//! recommended_depth_mm = [0.5, 2.0]
//! source = "Meng 2022"
//! [[color]]
//! rgb = "#000000"
//! no_go = "eye_left"
//! [[color]]
//! rgb = "#ffffff"
//! background = true             # not skin to treat (fully transparent pixels are too)
//! ```
//!
//! **Strict by default.** Every opaque pixel's colour must be in the legend: image editors
//! smooth (anti-alias) brush and selection edges, which makes in-between colours that
//! belong to no region. Such pixels are an error that lists each unknown colour with its
//! pixel count and the first pixel (column, row from the top-left as editors show it, and
//! mm). Either paint with anti-aliasing off, add the colours, or set `tolerance = N`: then a
//! pixel takes the legend colour within N per channel (0–64); a pixel that is equally near
//! two legend colours, or near none, is still an error.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::face::raster::{LabelRaster, Pixel};
use crate::face::{FaceMap, RegionInfo};
use crate::geometry::Vec2;

use super::polygons::region_info;

/// Largest allowed `tolerance`.
pub const MAX_TOLERANCE: u8 = 64;
/// Unknown colours listed in an error.
const LISTED: usize = 5;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegendFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The PNG, relative to the legend.
    pub image: String,
    pub mm_per_px: f64,
    /// Lower-left corner of the image on the face plane, mm.
    pub origin_mm: [f64; 2],
    #[serde(default)]
    pub tolerance: u8,
    pub color: Vec<ColorFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColorFile {
    /// `"#rrggbb"`.
    pub rgb: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_go: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub background: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epidermis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dermis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcutis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_depth_mm: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

/// `"#rrggbb"` (or `"rrggbb"`) as bytes.
pub fn parse_rgb(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#').unwrap_or(s);
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let b = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([b(0)?, b(2)?, b(4)?])
}

pub fn format_rgb(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// An image as RGBA8, rows from the top.
pub struct Rgba {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[u8; 4]>,
}

/// Largest painted map, pixels (100 Mpx: a face at 0.02 mm per pixel is ≈ 20 Mpx).
pub const MAX_MAP_PIXELS: u64 = 100_000_000;

/// Decode a PNG of any colour type into RGBA8.
pub fn read_png(bytes: &[u8], path: &Path) -> Result<Rgba> {
    let bad = |e: &dyn std::fmt::Display| Error::parse(path, format!("not a readable PNG image: {e}"));
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().map_err(|e| bad(&e))?;
    // The header's size is checked before any buffer is allocated: a hostile or corrupt
    // header can claim gigapixels (found by fuzzing: a 727 GB allocation).
    let (hw, hh) = (reader.info().width as u64, reader.info().height as u64);
    if hw * hh > MAX_MAP_PIXELS {
        return Err(Error::parse(
            path,
            format!(
                "image is {hw} × {hh} px ({} Mpx): allowed is at most {} Mpx for a painted map",
                hw * hh / 1_000_000,
                MAX_MAP_PIXELS / 1_000_000
            ),
        ));
    }
    let size = reader.output_buffer_size().ok_or_else(|| bad(&"image too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
    let (w, h) = (info.width as usize, info.height as usize);
    let data = &buf[..info.buffer_size()];
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => return Err(bad(&format!("unsupported colour type {other:?}"))),
    };
    let pixels = (0..w * h)
        .map(|i| {
            let px = &data[i * channels..(i + 1) * channels];
            match channels {
                1 => [px[0], px[0], px[0], 255],
                2 => [px[0], px[0], px[0], px[1]],
                3 => [px[0], px[1], px[2], 255],
                _ => [px[0], px[1], px[2], px[3]],
            }
        })
        .collect();
    Ok(Rgba { width: w, height: h, pixels })
}

impl LegendFile {
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        toml::from_str(text).map_err(|e: toml::de::Error| Error::parse(path, super::polygons::with_suggestion(e.to_string())))
    }

    /// Read the legend's image (relative to `legend_path`) and build the map.
    pub fn load_map(&self, name: &str, legend_path: &Path) -> Result<FaceMap> {
        let png_path = legend_path.parent().unwrap_or(Path::new(".")).join(&self.image);
        let bytes = std::fs::read(&png_path).map_err(|e| Error::io(&png_path, e))?;
        let image = read_png(&bytes, &png_path)?;
        self.to_map(name, &image, legend_path, &png_path)
    }

    /// Build the map from a decoded image; paths name the files in errors.
    pub fn to_map(&self, name: &str, image: &Rgba, legend_path: &Path, png_path: &Path) -> Result<FaceMap> {
        let at = |e: Error| Error::parse(legend_path, e.to_string());
        let palette = Palette::new(&self.color, self.tolerance, "", "tolerance").map_err(at)?;
        let (w, h) = (image.width, image.height);
        let px = self.mm_per_px;
        let origin = Vec2::new(self.origin_mm[0], self.origin_mm[1]);
        let where_mm = |col: usize, top_row: usize| {
            let mm = origin + Vec2::new(col as f64 + 0.5, (h - top_row) as f64 - 0.5) * px;
            format!("({:.1}, {:.1}) mm", mm.x, mm.y)
        };
        let mut pixels = palette.label_image(image, &where_mm, &legend_path.display().to_string(), png_path)?;
        // Raster rows go up from the bottom: swap the rows in place (no second picture).
        for top_row in 0..h / 2 {
            let (upper, lower) = pixels.split_at_mut((h - 1 - top_row) * w);
            upper[top_row * w..(top_row + 1) * w].swap_with_slice(&mut lower[..w]);
        }
        let raster = LabelRaster::new(origin, px, w, h, &pixels).map_err(at)?;
        FaceMap::from_raster(name, palette.regions, palette.no_go, raster).map_err(at)
    }
}

/// A legend's colours resolved: the regions (with their skin) and no-go zones in legend
/// order, and each colour's label. One copy of the legend rules for every painted picture:
/// the flat map's PNG and a surface's UV paint (`io::mesh_file::uv_paint`).
pub struct Palette {
    /// Region colours' regions, in legend order (label `Pixel::Region(i)`).
    pub regions: Vec<RegionInfo>,
    /// No-go colours' zone names, in legend order (label `Pixel::NoGo(k)`).
    pub no_go: Vec<String>,
    colours: Vec<([u8; 3], Pixel)>,
    exact: HashMap<[u8; 3], Pixel>,
    tolerance: u8,
}

impl Palette {
    /// Check the `[[color]]` entries (keys `{prefix}color[i]…` in errors) and `tolerance`
    /// (key `tolerance_key`).
    pub fn new(color: &[ColorFile], tolerance: u8, prefix: &str, tolerance_key: &str) -> Result<Palette> {
        if tolerance > MAX_TOLERANCE {
            return Err(Error::invalid(tolerance_key, tolerance, format!("0–{MAX_TOLERANCE} (per-channel colour difference)")));
        }
        let mut regions: Vec<RegionInfo> = Vec::new();
        let mut no_go: Vec<String> = Vec::new();
        let mut colours: Vec<([u8; 3], Pixel)> = Vec::new();
        for (i, c) in color.iter().enumerate() {
            let key = format!("{prefix}color[{i}]");
            let rgb = parse_rgb(&c.rgb)
                .ok_or_else(|| Error::invalid(format!("{key}.rgb"), format!("{:?}", c.rgb), "a colour \"#rrggbb\" (6 hex digits)"))?;
            if colours.iter().any(|(k, _)| *k == rgb) {
                return Err(Error::invalid(format!("{key}.rgb"), &c.rgb, "each colour once in the legend"));
            }
            let has_skin = c.epidermis_mm.is_some() || c.dermis_mm.is_some() || c.subcutis_mm.is_some() || c.recommended_depth_mm.is_some();
            let pixel = match (&c.region, &c.no_go, c.background) {
                (Some(r), None, false) => {
                    let key = format!("{key} ({} region {r:?})", c.rgb);
                    regions.push(region_info(r, &key, [c.epidermis_mm, c.dermis_mm, c.subcutis_mm], c.recommended_depth_mm, &c.source)?);
                    Pixel::Region((regions.len() - 1) as u16)
                }
                (None, Some(z), false) if !has_skin => {
                    no_go.push(z.clone());
                    Pixel::NoGo((no_go.len() - 1) as u16)
                }
                (None, None, true) if !has_skin => Pixel::Empty,
                (None, Some(_), false) | (None, None, true) => {
                    return Err(Error::invalid(
                        format!("{key} ({})", c.rgb),
                        "skin keys on a no-go or background colour",
                        "skin keys only on region colours",
                    ));
                }
                _ => {
                    return Err(Error::invalid(
                        format!("{key} ({})", c.rgb),
                        "not exactly one of region, no_go, background",
                        "exactly one of region = \"name\", no_go = \"name\", background = true",
                    ));
                }
            };
            colours.push((rgb, pixel));
            if regions.len() >= crate::face::MAX_REGIONS || no_go.len() >= 0x7fff {
                return Err(Error::invalid(
                    format!("{prefix}color"),
                    color.len(),
                    format!("at most {} region colours", crate::face::MAX_REGIONS),
                ));
            }
        }
        let exact = colours.iter().copied().collect();
        Ok(Palette { regions, no_go, colours, exact, tolerance })
    }

    /// The label of colour `c`: its legend colour, or with a tolerance the one nearest legend
    /// colour within it; `None` when none is near or two are equally near (ambiguous).
    pub fn lookup(&self, c: [u8; 3]) -> Option<Pixel> {
        if let Some(p) = self.exact.get(&c) {
            return Some(*p);
        }
        let tol = self.tolerance as i32;
        if tol == 0 {
            return None;
        }
        let dist = |k: &[u8; 3]| (0..3).map(|i| (k[i] as i32 - c[i] as i32).abs()).max().unwrap_or(0);
        let mut near: Vec<(i32, Pixel)> = self.colours.iter().map(|(k, p)| (dist(k), *p)).filter(|(d, _)| *d <= tol).collect();
        near.sort_by_key(|(d, _)| *d);
        match near.as_slice() {
            [] => None,
            [(_, p)] => Some(*p),
            [(d0, p0), (d1, _), ..] if d0 < d1 => Some(*p0),
            _ => None, // equally near two legend colours: ambiguous
        }
    }

    /// Label every pixel of `image` (rows from the top, as stored): fully transparent pixels
    /// are `Empty`. Any opaque pixel whose colour is not in the legend is an error on
    /// `png_path` listing each unknown colour with its pixel count and first pixel (column,
    /// row from the top-left, and `where_is(col, top_row)`, e.g. mm or UV); `legend` names
    /// the legend in it.
    pub fn label_image(
        &self,
        image: &Rgba,
        where_is: &dyn Fn(usize, usize) -> String,
        legend: &str,
        png_path: &Path,
    ) -> Result<Vec<Pixel>> {
        let w = image.width;
        let mut pixels = vec![Pixel::Empty; image.pixels.len()];
        let mut unknown: HashMap<[u8; 3], (u64, usize)> = HashMap::new();
        for (i, rgba) in image.pixels.iter().enumerate() {
            if rgba[3] == 0 {
                continue;
            }
            let c = [rgba[0], rgba[1], rgba[2]];
            match self.lookup(c) {
                Some(p) => pixels[i] = p,
                None => unknown.entry(c).or_insert((0, i)).0 += 1,
            }
        }
        if unknown.is_empty() {
            return Ok(pixels);
        }
        let total: u64 = unknown.values().map(|(n, _)| n).sum();
        let mut list: Vec<([u8; 3], (u64, usize))> = unknown.into_iter().collect();
        list.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
        let shown: Vec<String> = list
            .iter()
            .take(LISTED)
            .map(|(c, (n, first))| {
                let (col, top_row) = (first % w, first / w);
                format!("{} × {n} px (first at column {col}, row {top_row} from the top-left = {})", format_rgb(*c), where_is(col, top_row))
            })
            .collect();
        let more = if list.len() > LISTED { format!(" and {} more colours", list.len() - LISTED) } else { String::new() };
        Err(Error::parse(
            png_path,
            format!(
                "{total} pixels have colours that are not in the legend {legend} (tolerance {}): {}{more}. Add them as [[color]] entries, repaint them (anti-aliased edges make in-between colours), or set tolerance = N (≤ {MAX_TOLERANCE}) to snap near colours",
                self.tolerance,
                shown.join("; ")
            ),
        ))
    }
}
