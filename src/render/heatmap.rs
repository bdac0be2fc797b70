//! The hits-per-spot heatmap of a [`Raster`] (mm axes, equal scale, viridis colour bar),
//! as a [`Picture`] placed by a [`Placement`] (defined beside [`Figure`]).
//!
//! Drawing goes through [`super::figure`]: the raster is painted as one bitmap, never one
//! rectangle per cell.

use std::path::Path;

use crate::error::{Error, Result};
use crate::geometry::Rect;
use crate::raster::accumulate::Raster;

pub use super::figure::Placement;
use super::figure::{self, Figure, Panel, Scale};
use super::map;
use super::overlay::Overlays;
use super::settings::DEFAULT_PLOT_PX;

/// An RGB picture in memory, `width × height × 3` bytes, rows from the top.
pub struct Picture {
    pub rgb: Vec<u8>,
    pub placement: Placement,
    /// Value shown at the top of the colour bar.
    pub scale_max: f64,
}

/// Draw `raster` over `view` with a colour bar labelled `bar_label` (max = the largest value
/// shown), the longest side of the plot [`DEFAULT_PLOT_PX`] pixels.
pub fn draw(raster: &Raster, view: Rect, title: &str, bar_label: &str) -> Result<Picture> {
    let scale_max = (map::max_in(raster, &view) as f64).max(1e-9);
    let fig = Figure {
        title: title.into(),
        panels: vec![Panel {
            caption: String::new(),
            map: raster,
            view,
            px_per_mm: DEFAULT_PLOT_PX / view.width().max(view.height()),
            overlays: Overlays::default(),
        }],
        columns: 1,
        scale: Scale::Continuous { max: scale_max, label: bar_label.into() },
    };
    let d = figure::draw(&fig)?;
    Ok(Picture { rgb: d.canvas.rgb, placement: d.placements[0], scale_max })
}

/// Encode an RGB picture as PNG bytes.
pub fn encode_png(p: &Picture) -> Result<Vec<u8>> {
    super::canvas::encode_rgb_png(p.placement.width, p.placement.height, &p.rgb)
}

/// Draw and write a heatmap PNG to `path`.
pub fn write_png(path: &Path, raster: &Raster, view: Rect, title: &str, bar_label: &str) -> Result<Placement> {
    let pic = draw(raster, view, title, bar_label)?;
    let bytes = encode_png(&pic)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))?;
    Ok(pic.placement)
}
