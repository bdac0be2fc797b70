//! Figures: one or more map panels on a grid, sharing one colour scale, with a title, mm
//! axes at equal scale in x and y, a labelled colour bar (or a class legend) and overlays.
//!
//! The layout is computed once and drawn by plotters on either backend, so the PNG and the
//! SVG of a figure have the same geometry. Maps are painted as one bitmap per panel: into
//! the pixel buffer for PNG, as one embedded PNG `<image>` for SVG (never a rectangle per
//! cell). Overlays are painted into the PNG and drawn as vector polygons in the SVG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::raster::accumulate::Raster;

use super::canvas::Canvas;
use super::map::sample;
use super::overlay::Overlays;
use super::svg::Svg;
use super::{ensure_font, viridis};

/// Colour of pixels with no data (outside the measured area).
pub const NO_DATA_RGB: [u8; 3] = [246, 246, 246];

/// A pixel rectangle: x range, y range (ends exclusive).
pub type PixelArea = ((i32, i32), (i32, i32));

const MARGIN: i32 = 10;
const TITLE_H: i32 = 38;
const CAPTION_H: i32 = 24;
const Y_LABELS: i32 = 62;
const X_LABELS: i32 = 44;
const RIGHT_PAD: i32 = 22;
const BAR_COLUMN: i32 = 118;
const LEGEND_COLUMN: i32 = 200;
const BAR_W: i32 = 26;

/// How values become colours.
#[derive(Clone, Debug, PartialEq)]
pub enum Scale {
    /// Viridis from 0 (dark) to `max` (yellow); values above `max` saturate.
    Continuous { max: f64, label: String },
    /// Value k (an integer) shows class k.
    Classes { label: String, classes: Vec<(String, [u8; 3])> },
}

impl Scale {
    pub fn colour(&self, v: f32) -> [u8; 3] {
        if !v.is_finite() {
            return NO_DATA_RGB;
        }
        match self {
            Scale::Continuous { max, .. } => viridis(v as f64 / max.max(1e-12)),
            Scale::Classes { classes, .. } => {
                let k = (v.max(0.0).round() as usize).min(classes.len().saturating_sub(1));
                classes.get(k).map_or(NO_DATA_RGB, |c| c.1)
            }
        }
    }
}

/// One map on the figure.
pub struct Panel<'a> {
    /// Caption above the panel (plain text).
    pub caption: String,
    pub map: &'a Raster,
    /// The mm rectangle shown.
    pub view: Rect,
    /// Plot scale, px per mm (x and y alike).
    pub px_per_mm: f64,
    pub overlays: Overlays,
}

impl Panel<'_> {
    fn plot_size(&self) -> (i32, i32) {
        (((self.view.width() * self.px_per_mm).round() as i32).max(1), ((self.view.height() * self.px_per_mm).round() as i32).max(1))
    }
}

/// Pixel geometry of a drawn map: where the data rectangle landed in the image.
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
    /// Image position of the point `(x_mm, y_mm)`, in (fractional) pixels.
    pub fn to_px(&self, x_mm: f64, y_mm: f64) -> (f64, f64) {
        let fx = (x_mm - self.view.x0) / self.view.width();
        let fy = (self.view.y1 - y_mm) / self.view.height();
        (
            self.plot_x.0 as f64 + fx * (self.plot_x.1 - self.plot_x.0) as f64,
            self.plot_y.0 as f64 + fy * (self.plot_y.1 - self.plot_y.0) as f64,
        )
    }

    /// Image pixel holding the point `(x_mm, y_mm)`.
    pub fn pixel_of(&self, x_mm: f64, y_mm: f64) -> (i32, i32) {
        let (px, py) = self.to_px(x_mm, y_mm);
        (px.floor() as i32, py.floor() as i32)
    }
}

pub struct Figure<'a> {
    pub title: String,
    pub panels: Vec<Panel<'a>>,
    /// Panels per row.
    pub columns: usize,
    pub scale: Scale,
}

/// A drawn figure.
pub struct Drawn {
    /// The PNG's pixels.
    pub canvas: Canvas,
    pub png: Vec<u8>,
    pub svg: String,
    /// Where each panel's map landed in the image.
    pub placements: Vec<Placement>,
    /// The colour bar's plot area in pixels: x range, y range (continuous scales only).
    pub bar: Option<PixelArea>,
}

/// The title's font.
const TITLE_FONT: (&str, u32) = ("sans-serif", 18);

struct Layout {
    width: u32,
    height: u32,
    /// Top-left corner of each panel's cell.
    cells: Vec<(i32, i32)>,
    /// Left edge of the scale column.
    scale_x: i32,
    /// Height of the first row's plot (the colour bar's height).
    bar_h: i32,
}

fn layout(fig: &Figure) -> Layout {
    let cols = fig.columns.max(1);
    let rows = fig.panels.len().div_ceil(cols);
    let mut col_w = vec![0; cols];
    let mut row_h = vec![0; rows];
    for (k, p) in fig.panels.iter().enumerate() {
        let (w, h) = p.plot_size();
        col_w[k % cols] = col_w[k % cols].max(Y_LABELS + w + RIGHT_PAD);
        row_h[k / cols] = row_h[k / cols].max(CAPTION_H + h + X_LABELS);
    }
    let cells = (0..fig.panels.len())
        .map(|k| (MARGIN + col_w[..k % cols].iter().sum::<i32>(), TITLE_H + row_h[..k / cols].iter().sum::<i32>()))
        .collect();
    let scale_x = MARGIN + col_w.iter().sum::<i32>();
    let scale_w = match fig.scale {
        Scale::Continuous { .. } => BAR_COLUMN,
        Scale::Classes { .. } => LEGEND_COLUMN,
    };
    let bar_h = fig.panels.first().map_or(200, |p| p.plot_size().1).max(160);
    let height = TITLE_H + row_h.iter().sum::<i32>().max(CAPTION_H + bar_h + X_LABELS) + MARGIN;
    // Never narrower than the title (a narrow map under a long title would cut it off).
    let width = (scale_x + scale_w + MARGIN).max(MARGIN + title_width(&fig.title) + MARGIN);
    Layout { width: width as u32, height: height as u32, cells, scale_x, bar_h }
}

/// Width of the title as drawn, px (the bundled font; a generous estimate if it cannot be
/// measured).
fn title_width(title: &str) -> i32 {
    TITLE_FONT.into_font().box_size(title).map_or(11 * title.chars().count() as i32, |(w, _)| w as i32)
}

fn render_err(what: &str) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Render { path: what.into(), message }
}

/// Draw axes, captions, title and the scale's ticks or legend; returns each panel's plot
/// area and the colour bar's area, in pixels.
fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    lay: &Layout,
) -> Result<(Vec<PixelArea>, Option<PixelArea>)> {
    let err = render_err(&fig.title);
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    root.draw(&Text::new(fig.title.clone(), (MARGIN, 10), TITLE_FONT.into_font().color(&BLACK))).map_err(|e| err(e.to_string()))?;
    let mut plots = Vec::new();
    for (p, &(cx, cy)) in fig.panels.iter().zip(&lay.cells) {
        let (w, h) = p.plot_size();
        root.draw(&Text::new(p.caption.clone(), (cx + Y_LABELS, cy + 4), ("sans-serif", 14).into_font().color(&BLACK)))
            .map_err(|e| err(e.to_string()))?;
        let area = root.clone().shrink((cx, cy + CAPTION_H), ((Y_LABELS + w + RIGHT_PAD) as u32, (h + X_LABELS) as u32));
        let mut chart = ChartBuilder::on(&area)
            .margin(0)
            .margin_right(RIGHT_PAD)
            .x_label_area_size(X_LABELS)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(p.view.x0..p.view.x1, p.view.y0..p.view.y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels((w / 70).clamp(2, 12) as usize)
            .y_labels((h / 50).clamp(2, 12) as usize)
            .x_desc("x (mm)")
            .y_desc("y (mm)")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        plots.push(((xr.start, xr.end), (yr.start, yr.end)));
    }
    let top = TITLE_H + CAPTION_H;
    let bar = match &fig.scale {
        Scale::Continuous { max, label } => {
            let area = root.clone().shrink((lay.scale_x, top), (BAR_COLUMN as u32, (lay.bar_h + 1) as u32));
            let mut chart = ChartBuilder::on(&area)
                .margin(0)
                .margin_left(8)
                .y_label_area_size(0)
                .right_y_label_area_size(BAR_COLUMN - 8 - BAR_W)
                .build_cartesian_2d(0.0..1.0, 0.0..max.max(1e-12))
                .map_err(|e| err(e.to_string()))?;
            chart
                .configure_mesh()
                .disable_mesh()
                .disable_x_axis()
                .y_labels((lay.bar_h / 50).clamp(3, 10) as usize)
                .y_desc(label.as_str())
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(|e| err(e.to_string()))?;
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            root.draw(&Text::new(
                format!("max {}", fmt_value(*max)),
                (lay.scale_x + 8, top - 16),
                ("sans-serif", 12).into_font().color(&BLACK),
            ))
            .map_err(|e| err(e.to_string()))?;
            Some(((xr.start, xr.end), (yr.start, yr.end)))
        }
        Scale::Classes { label, classes } => {
            let font = ("sans-serif", 13).into_font().color(&BLACK);
            root.draw(&Text::new(label.clone(), (lay.scale_x + 4, top - 16), font.clone())).map_err(|e| err(e.to_string()))?;
            for (k, (name, c)) in classes.iter().enumerate() {
                let y = top + 6 + 24 * k as i32;
                let rgb = RGBColor(c[0], c[1], c[2]);
                root.draw(&Rectangle::new([(lay.scale_x + 4, y), (lay.scale_x + 22, y + 18)], rgb.filled()))
                    .map_err(|e| err(e.to_string()))?;
                root.draw(&Rectangle::new([(lay.scale_x + 4, y), (lay.scale_x + 22, y + 18)], BLACK.stroke_width(1)))
                    .map_err(|e| err(e.to_string()))?;
                root.draw(&Text::new(name.clone(), (lay.scale_x + 28, y + 2), font.clone())).map_err(|e| err(e.to_string()))?;
            }
            None
        }
    };
    Ok((plots, bar))
}

/// Short, readable number for labels.
pub fn fmt_value(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The panel's map painted at plot size (no overlays), and the mm → plot-pixel mapping.
fn paint_map(p: &Panel, scale: &Scale, plot: PixelArea) -> Canvas {
    let (w, h) = ((plot.0.1 - plot.0.0).max(1), (plot.1.1 - plot.1.0).max(1));
    let mut c = Canvas::new(w as u32, h as u32, NO_DATA_RGB);
    let at = |px: i32, py: i32| {
        Vec2::new(p.view.x0 + (px as f64 + 0.5) / w as f64 * p.view.width(), p.view.y1 - (py as f64 + 0.5) / h as f64 * p.view.height())
    };
    for py in 0..h {
        for px in 0..w {
            let q = at(px, py);
            c.put(px, py, scale.colour(sample(p.map, q.x, q.y)));
        }
    }
    c
}

fn to_plot_px(view: Rect, w: i32, h: i32) -> impl Fn(Vec2) -> (f64, f64) {
    move |q: Vec2| ((q.x - view.x0) / view.width() * w as f64, (view.y1 - q.y) / view.height() * h as f64)
}

fn bar_canvas(w: i32, h: i32) -> Canvas {
    let mut c = Canvas::new(w.max(1) as u32, h.max(1) as u32, [0; 3]);
    for y in 0..h {
        let col = viridis(1.0 - y as f64 / (h - 1).max(1) as f64);
        for x in 0..w {
            c.put(x, y, col);
        }
    }
    c
}

/// Draw the figure as PNG and SVG.
pub fn draw(fig: &Figure) -> Result<Drawn> {
    ensure_font();
    let lay = layout(fig);
    let err = render_err(&fig.title);
    let (w, h) = (lay.width, lay.height);

    // PNG: frame by plotters, then maps, overlays and the bar straight into the buffer.
    let mut canvas = Canvas::new(w, h, [255; 3]);
    let (plots, bar) = {
        let root = BitMapBackend::with_buffer(&mut canvas.rgb, (w, h)).into_drawing_area();
        let r = draw_frame(&root, fig, &lay)?;
        root.present().map_err(|e| err(e.to_string()))?;
        r
    };
    let mut svg = Svg::default();
    let mut placements = Vec::new();
    for (p, &plot) in fig.panels.iter().zip(&plots) {
        let mut m = paint_map(p, &fig.scale, plot);
        svg.png_image(plot.0.0, plot.1.0, m.width as i32, m.height as i32, &m.to_png()?);
        let (pw, ph) = (m.width as i32, m.height as i32);
        p.overlays.paint(&mut m, &to_plot_px(p.view, pw, ph));
        for y in 0..ph {
            let (src, dst) = ((y * pw * 3) as usize, (((plot.1.0 + y) * w as i32 + plot.0.0) * 3) as usize);
            canvas.rgb[dst..dst + (pw * 3) as usize].copy_from_slice(&m.rgb[src..src + (pw * 3) as usize]);
        }
        let to_fig = |q: Vec2| {
            let (x, y) = to_plot_px(p.view, pw, ph)(q);
            (x + plot.0.0 as f64, y + plot.1.0 as f64)
        };
        svg.begin_clip(plot.0.0, plot.1.0, pw, ph);
        p.overlays.to_svg(&mut svg, &to_fig);
        svg.end_clip();
        for (at, text) in p.overlays.labels().into_iter().filter(|(at, _)| p.view.contains(at.x, at.y)) {
            let (x, y) = to_fig(at);
            svg.label(x, y, text, 12);
        }
        placements.push(Placement { width: w, height: h, plot_x: plot.0, plot_y: plot.1, view: p.view });
    }
    if let Some(((x0, x1), (y0, y1))) = bar {
        let b = bar_canvas(x1 - x0, y1 - y0);
        for y in 0..b.height as i32 {
            for x in 0..b.width as i32 {
                canvas.put(x0 + x, y0 + y, b.get(x, y).unwrap_or([0; 3]));
            }
        }
        svg.png_image(x0, y0, x1 - x0, y1 - y0, &b.to_png()?);
    }
    // Labels last, over the maps, with a dark halo.
    {
        let root = BitMapBackend::with_buffer(&mut canvas.rgb, (w, h)).into_drawing_area();
        for (p, pl) in fig.panels.iter().zip(&placements) {
            for (at, text) in p.overlays.labels().into_iter().filter(|(at, _)| p.view.contains(at.x, at.y)) {
                let (x, y) = pl.to_px(at.x, at.y);
                let (x, y) = (x.round() as i32, y.round() as i32);
                let anchor = Pos::new(HPos::Center, VPos::Center);
                for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                    let halo = ("sans-serif", 12).into_font().color(&BLACK).pos(anchor);
                    root.draw(&Text::new(text.to_string(), (x + dx, y + dy), halo)).map_err(|e| err(e.to_string()))?;
                }
                let style = ("sans-serif", 12).into_font().color(&WHITE).pos(anchor);
                root.draw(&Text::new(text.to_string(), (x, y), style)).map_err(|e| err(e.to_string()))?;
            }
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let png = canvas.to_png()?;

    // SVG: the same frame as vectors, then the maps, bar and overlays added above.
    let mut doc = String::new();
    {
        let root = SVGBackend::with_string(&mut doc, (w, h)).into_drawing_area();
        draw_frame(&root, fig, &lay)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(Drawn { canvas, png, svg: svg.finish_into(&doc), placements, bar })
}
