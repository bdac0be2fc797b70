//! Pictures: heatmaps (PNG and SVG), the pass-by-pass animation (GIF) and the
//! self-contained HTML report. Fonts are bundled (DejaVu Sans, `assets/`), so drawing needs
//! no system font; nothing drawn refers to anything outside its own file.
//!
//! - `settings`: scale, frames, inset; checked before a run (always built: the scenario
//!   reader checks them; everything else needs the `render` feature).
//! - `map`: the rasters drawn (hits, per pass, density, classes, inset).
//! - `labels`: label placement that never collides (pixel boxes, leader lines).
//! - `overlay`: polygons in mm drawn over maps (outlines with labels, hatched no-go zones).
//! - `figure`: panels + colour bar/legend laid out once, drawn as PNG and SVG.
//! - `choropleth`: one colour and one printed value per region, sources marked on the bar.
//! - `heatmap`: the hits heatmap ([`figure::Placement`]: where a map landed in an image).
//! - `run_pictures`: every picture of a run.
//! - `animation`: the GIF. `report`: the HTML. `canvas`, `svg`, `datauri`: primitives.
//! - `surface`: the chart heatmap and plain front view of a surface run; `shaded`: its shaded
//!   3D views, zoom and animation (our own z-buffer rasteriser).

#[cfg(feature = "render")]
pub mod aliasing;
#[cfg(feature = "render")]
pub mod animation;
#[cfg(feature = "render")]
pub mod canvas;
#[cfg(feature = "render")]
pub mod charts;
#[cfg(feature = "render")]
pub mod choropleth;
#[cfg(feature = "render")]
pub mod datauri;
#[cfg(feature = "render")]
pub mod figure;
#[cfg(feature = "render")]
pub mod heatmap;
#[cfg(feature = "render")]
pub mod labels;
#[cfg(feature = "render")]
pub mod map;
#[cfg(feature = "render")]
pub mod overlay;
#[cfg(feature = "render")]
pub mod report;
#[cfg(feature = "render")]
pub mod run_pictures;
pub mod settings;
#[cfg(feature = "render")]
pub mod shaded;
#[cfg(feature = "render")]
pub mod surface;
#[cfg(feature = "render")]
pub mod svg;

#[cfg(feature = "render")]
use std::sync::Once;

#[cfg(feature = "render")]
use plotters::style::FontStyle;

#[cfg(feature = "render")]
static FONT: Once = Once::new();
#[cfg(feature = "render")]
static DEJAVU: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

#[cfg(feature = "render")]
/// Register the bundled font as "sans-serif" (idempotent).
pub fn ensure_font() {
    FONT.call_once(|| {
        // The bundled file is a valid TTF; a failure here is a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU);
    });
}

#[cfg(feature = "render")]
/// Viridis colour (perceptually uniform, colour-blind safe) for `t` in 0–1, from a
/// 1024-entry table (steps of 1/1023, below one 8-bit level of the map).
pub fn viridis(t: f64) -> [u8; 3] {
    use plotters::style::colors::colormaps::ViridisRGB;
    static TABLE: std::sync::OnceLock<Vec<[u8; 3]>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..VIRIDIS_STEPS)
            .map(|k| {
                let c = ViridisRGB::get_color(k as f64 / (VIRIDIS_STEPS - 1) as f64);
                [c.0, c.1, c.2]
            })
            .collect()
    });
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    table[(t * (VIRIDIS_STEPS - 1) as f64 + 0.5) as usize]
}

#[cfg(feature = "render")]
const VIRIDIS_STEPS: usize = 1024;

/// Escape text for XML and HTML content and attribute values.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
