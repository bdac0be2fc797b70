//! Paint a face map as a labelled PNG plus legend: the inverse of [`super::legend`]. Used to
//! ship an example painted map (`needlesim face-map --paint`) and by the tests that compare a
//! painted map with its polygons.
//!
//! Each pixel takes what lies under its centre (region, no-go zone, or background = white);
//! colours are flat, so the result reads back exactly.

use std::path::Path;

use crate::error::{Error, Result};
use crate::face::FaceMap;
use crate::geometry::Vec2;
use crate::raster::domain::Domain;

use super::legend::{ColorFile, LegendFile, Rgba, format_rgb};

/// Region colours (Sasha Trubetskoy's 20 distinct colours, without white and black), then
/// shades of grey for no-go zones; white is the background.
const PALETTE: [[u8; 3]; 18] = [
    [230, 25, 75],
    [60, 180, 75],
    [255, 225, 25],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [210, 245, 60],
    [250, 190, 212],
    [0, 128, 128],
    [220, 190, 255],
    [170, 110, 40],
    [255, 250, 200],
    [128, 0, 0],
    [170, 255, 195],
    [128, 128, 0],
    [255, 215, 180],
];
const BACKGROUND: [u8; 3] = [255, 255, 255];

/// Colour of region `i`: the palette, then distinct generated colours.
fn region_colour(i: usize) -> [u8; 3] {
    if i < PALETTE.len() {
        return PALETTE[i];
    }
    // Beyond the palette: walk an RGB lattice that avoids greys, white and the palette.
    let k = i - PALETTE.len();
    [(40 + (k * 37) % 200) as u8, (20 + (k * 91) % 200) as u8, (60 + (k * 53) % 180) as u8 | 1]
}

/// Colour of no-go zone `k`: dark greys.
fn no_go_colour(k: usize) -> [u8; 3] {
    let v = (k * 12 % 96) as u8;
    [v, v, v]
}

/// Paint `map` at `mm_per_px`, covering its bounds with a one-pixel white border. The legend
/// points at `image_name`.
pub fn paint(map: &FaceMap, mm_per_px: f64, image_name: &str) -> Result<(Rgba, LegendFile)> {
    if !((0.05..=10.0).contains(&mm_per_px)) {
        return Err(Error::invalid("--mm-per-px", mm_per_px, "0.05–10 mm per pixel"));
    }
    let b = map.bounds();
    let origin = Vec2::new((b.x0 / mm_per_px).floor() * mm_per_px - mm_per_px, (b.y0 / mm_per_px).floor() * mm_per_px - mm_per_px);
    let width = ((b.x1 - origin.x) / mm_per_px).ceil() as usize + 1;
    let height = ((b.y1 - origin.y) / mm_per_px).ceil() as usize + 1;
    if width * height > crate::face::raster::MAX_PIXELS {
        return Err(Error::invalid("--mm-per-px", mm_per_px, "a pixel size that keeps the picture under 64 million pixels"));
    }
    let n = map.regions().len();
    let colours: Vec<[u8; 3]> = (0..n).map(region_colour).collect();
    let mut pixels = vec![[0u8; 4]; width * height];
    for top_row in 0..height {
        let row = height - 1 - top_row;
        for col in 0..width {
            let p = origin + Vec2::new(col as f64 + 0.5, row as f64 + 0.5) * mm_per_px;
            let c = match (map.label_at(p), map.no_go_at(p)) {
                (Some(l), _) => colours[l as usize],
                (None, Some(k)) => no_go_colour(k),
                (None, None) => BACKGROUND,
            };
            pixels[top_row * width + col] = [c[0], c[1], c[2], 255];
        }
    }
    let mut color: Vec<ColorFile> = map
        .regions()
        .iter()
        .zip(&colours)
        .map(|(r, c)| ColorFile {
            rgb: format_rgb(*c),
            region: Some(r.name.clone()),
            no_go: None,
            background: false,
            epidermis_mm: Some(r.skin.epidermis_mm),
            dermis_mm: Some(r.skin.dermis_mm),
            subcutis_mm: Some(r.skin.subcutis_mm),
            recommended_depth_mm: Some([r.recommended_depth_mm.0, r.recommended_depth_mm.1]),
            source: r.source.clone(),
        })
        .collect();
    color.extend(map.no_go_names().iter().enumerate().map(|(k, name)| ColorFile {
        rgb: format_rgb(no_go_colour(k)),
        region: None,
        no_go: Some(name.clone()),
        background: false,
        epidermis_mm: None,
        dermis_mm: None,
        subcutis_mm: None,
        recommended_depth_mm: None,
        source: String::new(),
    }));
    color.push(ColorFile {
        rgb: format_rgb(BACKGROUND),
        region: None,
        no_go: None,
        background: true,
        epidermis_mm: None,
        dermis_mm: None,
        subcutis_mm: None,
        recommended_depth_mm: None,
        source: String::new(),
    });
    let legend = LegendFile {
        description: Some(format!("face map {:?} painted by needlesim at {mm_per_px} mm per pixel", map.name())),
        image: image_name.into(),
        mm_per_px,
        origin_mm: [origin.x, origin.y],
        tolerance: 0,
        color,
    };
    Ok((Rgba { width, height, pixels }, legend))
}

/// Encode RGBA8 (rows from the top) as an RGB PNG.
pub fn encode_png(image: &Rgba, path: &Path) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, image.width as u32, image.height as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::High);
        let mut w = enc.write_header().map_err(|e| Error::Render { path: path.into(), message: e.to_string() })?;
        let rgb: Vec<u8> = image.pixels.iter().flat_map(|p| [p[0], p[1], p[2]]).collect();
        w.write_image_data(&rgb).map_err(|e| Error::Render { path: path.into(), message: e.to_string() })?;
    }
    Ok(out)
}
