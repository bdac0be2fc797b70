//! Heatmap PNG of a [`Raster`]: mm axes, equal scale in x and y, viridis colour bar.
//!
//! The raster is painted as one bitmap straight into the pixel buffer (never one rectangle
//! per cell); plotters draws the axes, labels and title around it.

use std::path::Path;

use plotters::prelude::*;

use crate::accumulate::Raster;
use crate::error::{Error, Result};
use crate::geometry::Rect;

use super::{ensure_font, viridis};

/// Pixel geometry of a drawn heatmap: where the data rectangle landed in the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub width: u32,
    pub height: u32,
    /// Plotting area in image pixels: x range and y range (y grows downwards).
    pub plot_x: (i32, i32),
    pub plot_y: (i32, i32),
    /// Data rectangle shown, mm.
    pub view: Rect,
}

impl Placement {
    /// Image pixel holding the point `(x_mm, y_mm)`.
    pub fn pixel_of(&self, x_mm: f64, y_mm: f64) -> (i32, i32) {
        let fx = (x_mm - self.view.x0) / self.view.width();
        let fy = (self.view.y1 - y_mm) / self.view.height();
        let px = self.plot_x.0 as f64 + fx * (self.plot_x.1 - self.plot_x.0) as f64;
        let py = self.plot_y.0 as f64 + fy * (self.plot_y.1 - self.plot_y.0) as f64;
        (px.floor() as i32, py.floor() as i32)
    }
}

/// An RGB picture in memory, `width × height × 3` bytes, rows from the top.
pub struct Picture {
    pub rgb: Vec<u8>,
    pub placement: Placement,
    /// Value shown at the top of the colour bar.
    pub scale_max: f64,
}

/// Draw `raster` over `view` with a colour bar labelled `bar_label`.
pub fn draw(raster: &Raster, view: Rect, title: &str, bar_label: &str) -> Result<Picture> {
    ensure_font();
    let plot_w = 760.0f64;
    let plot_h = (plot_w * view.height() / view.width()).clamp(120.0, 900.0);
    let (width, height) = ((plot_w + 230.0) as u32, (plot_h + 110.0) as u32);
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    let scale_max = (raster.max() as f64).max(1e-9);
    let err = |e: String| Error::Render { path: title.into(), message: e };

    let (plot_x, plot_y, bar_x, bar_y) = {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        let (main, bar) = root.split_horizontally(width - 150);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(view.x0..view.x1, view.y0..view.y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x (mm)")
            .y_desc("y (mm)")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let mut bar_chart = ChartBuilder::on(&bar)
            .margin_top(38)
            .margin_bottom(50)
            .margin_right(60)
            .y_label_area_size(0)
            .right_y_label_area_size(55)
            .build_cartesian_2d(0.0..1.0, 0.0..scale_max)
            .map_err(|e| err(e.to_string()))?;
        bar_chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc(bar_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let (bx, by) = bar_chart.plotting_area().get_pixel_range();
        root.present().map_err(|e| err(e.to_string()))?;
        ((px.start, px.end), (py.start, py.end), (bx.start, bx.end), (by.start, by.end))
    };

    let put = |rgb: &mut [u8], x: i32, y: i32, c: [u8; 3]| {
        if x >= 0 && y >= 0 && (x as u32) < width && (y as u32) < height {
            let i = ((y as u32 * width + x as u32) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&c);
        }
    };
    let placement = Placement { width, height, plot_x, plot_y, view };
    let (pw, ph) = ((plot_x.1 - plot_x.0) as f64, (plot_y.1 - plot_y.0) as f64);
    for py in plot_y.0..plot_y.1 {
        let y = view.y1 - ((py - plot_y.0) as f64 + 0.5) / ph * view.height();
        let row = ((y - raster.origin_mm.y) / raster.pixel_mm).floor();
        for px in plot_x.0..plot_x.1 {
            let x = view.x0 + ((px - plot_x.0) as f64 + 0.5) / pw * view.width();
            let col = ((x - raster.origin_mm.x) / raster.pixel_mm).floor();
            let v = if row >= 0.0 && col >= 0.0 && (row as usize) < raster.height && (col as usize) < raster.width {
                raster.values[row as usize * raster.width + col as usize] as f64
            } else {
                0.0
            };
            put(&mut rgb, px, py, viridis(v / scale_max));
        }
    }
    let bh = (bar_y.1 - bar_y.0).max(1) as f64;
    for py in bar_y.0..bar_y.1 {
        let c = viridis(1.0 - (py - bar_y.0) as f64 / bh);
        for px in bar_x.0..bar_x.1 {
            put(&mut rgb, px, py, c);
        }
    }
    Ok(Picture { rgb, placement, scale_max })
}

/// Encode an RGB picture as PNG bytes.
pub fn encode_png(p: &Picture) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, p.placement.width, p.placement.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| Error::Render { path: "png".into(), message: e.to_string() })?;
        w.write_image_data(&p.rgb).map_err(|e| Error::Render { path: "png".into(), message: e.to_string() })?;
    }
    Ok(out)
}

/// Draw and write a heatmap PNG to `path`.
pub fn write_png(path: &Path, raster: &Raster, view: Rect, title: &str, bar_label: &str) -> Result<Placement> {
    let pic = draw(raster, view, title, bar_label)?;
    let bytes = encode_png(&pic)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))?;
    Ok(pic.placement)
}
