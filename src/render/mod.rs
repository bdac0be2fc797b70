//! Pictures: heatmaps (PNG and SVG), the pass-by-pass animation (GIF) and the
//! self-contained HTML report. Fonts are bundled (DejaVu Sans, `assets/`), so drawing needs
//! no system font; nothing drawn refers to anything outside its own file.
//!
//! - `settings`: scale, frames, inset; checked before a run.
//! - `map`: the rasters drawn (hits, per pass, density, classes, inset).
//! - `overlay`: polygons in mm drawn over maps (outlines with labels, hatched no-go zones).
//! - `figure`: panels + colour bar/legend laid out once, drawn as PNG and SVG.
//! - `heatmap`: the hits heatmap ([`figure::Placement`]: where a map landed in an image).
//! - `run_pictures`: every picture of a run.
//! - `animation`: the GIF. `report`: the HTML. `canvas`, `svg`, `datauri`: primitives.

pub mod aliasing;
pub mod animation;
pub mod canvas;
pub mod charts;
pub mod datauri;
pub mod figure;
pub mod heatmap;
pub mod map;
pub mod overlay;
pub mod report;
pub mod run_pictures;
pub mod settings;
pub mod svg;

use std::sync::Once;

use plotters::style::FontStyle;

static FONT: Once = Once::new();
static DEJAVU: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Register the bundled font as "sans-serif" (idempotent).
pub fn ensure_font() {
    FONT.call_once(|| {
        // The bundled file is a valid TTF; a failure here is a build defect.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU);
    });
}

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
