//! Pictures. Fonts are bundled (DejaVu Sans, `assets/`), so drawing needs no system font.

pub mod aliasing;
pub mod charts;
pub mod heatmap;

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

/// Viridis colour (perceptually uniform, colour-blind safe) for `t` in 0–1.
pub fn viridis(t: f64) -> [u8; 3] {
    use plotters::style::colors::colormaps::ViridisRGB;
    let c = ViridisRGB::get_color(t.clamp(0.0, 1.0));
    [c.0, c.1, c.2]
}
