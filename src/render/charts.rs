//! Line and bar charts (PNG) for `compare`, `optimize` and the aliasing picture.
//!
//! Charts are drawn into an RGB buffer with plotters (bundled font) and encoded with `png`,
//! so the bytes depend only on the data. Colours come from viridis.

use plotters::prelude::*;

use crate::error::{Error, Result};

use super::canvas::encode_rgb_png;
use super::{ensure_font, viridis};

/// One line (or scatter) of a line panel.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Colour as viridis position 0–1, or `None` for grey.
    pub color: Option<f64>,
    /// Draw dots instead of a line.
    pub dots: bool,
}

/// A panel of lines sharing axes.
#[derive(Clone, Debug, Default)]
pub struct LinePanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Vertical marker lines at these x values (red).
    pub markers_x: Vec<f64>,
}

/// A panel of grouped bars: one group of bars per category, one bar per series.
#[derive(Clone, Debug, Default)]
pub struct BarPanel {
    pub title: String,
    pub y_label: String,
    pub categories: Vec<String>,
    /// `(series name, one value per category)`; NaN draws no bar.
    pub series: Vec<(String, Vec<f64>)>,
}

fn color(c: Option<f64>) -> RGBColor {
    match c {
        Some(t) => {
            let [r, g, b] = viridis(t);
            RGBColor(r, g, b)
        }
        None => RGBColor(150, 150, 150),
    }
}

fn render_err(title: &str, e: impl ToString) -> Error {
    Error::Render { path: title.into(), message: e.to_string() }
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 { (lo - 0.5, hi + 0.5) } else { (lo, hi) }
}

/// Lay `n` panels out in `cols` columns on a `width × height` canvas titled `title`; draw
/// each with `draw(area, index)`; return PNG bytes.
fn grid_png(
    title: &str,
    n: usize,
    cols: usize,
    (width, height): (u32, u32),
    mut draw: impl FnMut(&DrawingArea<BitMapBackend, plotters::coord::Shift>, usize) -> Result<()>,
) -> Result<Vec<u8>> {
    ensure_font();
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        let body = root.titled(title, ("sans-serif", 20)).map_err(|e| render_err(title, e))?;
        let rows = n.div_ceil(cols);
        let areas = body.split_evenly((rows, cols));
        for (i, area) in areas.iter().enumerate().take(n) {
            draw(area, i)?;
        }
        root.present().map_err(|e| render_err(title, e))?;
    }
    encode_rgb_png(width, height, &rgb)
}

/// Line panels stacked in `cols` columns; PNG bytes.
pub fn line_panels(title: &str, panels: &[LinePanel], cols: usize, size: (u32, u32)) -> Result<Vec<u8>> {
    grid_png(title, panels.len(), cols, size, |area, i| {
        let p = &panels[i];
        let (x0, x1) = bounds(p.series.iter().flat_map(|s| s.points.iter().map(|q| q.0)));
        let (y0, y1) = bounds(p.series.iter().flat_map(|s| s.points.iter().map(|q| q.1)));
        let pad = 0.05 * (y1 - y0);
        let (y0, y1) = (if y0 >= 0.0 { (y0 - pad).max(0.0) } else { y0 - pad }, y1 + pad);
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(38)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| render_err(&p.title, e))?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc(p.x_label.as_str())
            .y_desc(p.y_label.as_str())
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| render_err(&p.title, e))?;
        for &mx in &p.markers_x {
            chart.draw_series(LineSeries::new([(mx, y0), (mx, y1)], RED.stroke_width(2))).map_err(|e| render_err(&p.title, e))?;
        }
        for s in &p.series {
            let c = color(s.color);
            let drawn = if s.dots {
                chart.draw_series(s.points.iter().map(|&q| Circle::new(q, 3, c.filled()))).map_err(|e| render_err(&p.title, e))?
            } else {
                chart.draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2))).map_err(|e| render_err(&p.title, e))?
            };
            if !s.name.is_empty() {
                drawn.label(s.name.as_str()).legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
            }
        }
        if p.series.iter().any(|s| !s.name.is_empty()) {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(|e| render_err(&p.title, e))?;
        }
        Ok(())
    })
}

/// Grouped bar panels in `cols` columns; PNG bytes.
pub fn bar_panels(title: &str, panels: &[BarPanel], cols: usize, size: (u32, u32)) -> Result<Vec<u8>> {
    grid_png(title, panels.len(), cols, size, |area, i| {
        let p = &panels[i];
        let n = p.categories.len().max(1);
        let ymax = p.series.iter().flat_map(|s| s.1.iter().copied()).filter(|v| v.is_finite()).fold(0.0, f64::max);
        // Head room for the legend of grouped bars.
        let ymax = if ymax > 0.0 { ymax * if p.series.len() > 1 { 1.45 } else { 1.12 } } else { 1.0 };
        let cats = p.categories.clone();
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..ymax)
            .map_err(|e| render_err(&p.title, e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(n)
            .x_label_formatter(&move |x: &f64| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 { cats.get(k as usize).cloned().unwrap_or_default() } else { String::new() }
            })
            .y_desc(p.y_label.as_str())
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| render_err(&p.title, e))?;
        let m = p.series.len().max(1);
        let width = 0.8 / m as f64;
        for (j, (name, values)) in p.series.iter().enumerate() {
            let c = color(Some(if m == 1 { 0.35 } else { j as f64 / (m - 1) as f64 * 0.9 }));
            let bars = values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(k, &v)| {
                let x = k as f64 - 0.4 + j as f64 * width;
                Rectangle::new([(x, 0.0), (x + width * 0.92, v)], c.filled())
            });
            let drawn = chart.draw_series(bars).map_err(|e| render_err(&p.title, e))?;
            if m > 1 {
                drawn.label(name.as_str()).legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], c.filled()));
            }
        }
        if m > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 11))
                .draw()
                .map_err(|e| render_err(&p.title, e))?;
        }
        Ok(())
    })
}
