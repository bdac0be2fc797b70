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
use super::labels::{LabelRequest, PlacedLabel, place_labels};
use super::map::sample;
use super::overlay::{Overlays, Shape};
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
    /// Each panel's labels as drawn (boxes and leaders in image pixels).
    pub labels: Vec<PanelLabels>,
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
    /// Width of the column left of the colour bar that names its marks (0 without marks).
    mark_w: i32,
}

fn layout(fig: &Figure, marks: &[BarMark]) -> Layout {
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
    let mark_w = match fig.scale {
        Scale::Continuous { .. } if !marks.is_empty() => {
            MARK_PAD + marks.iter().map(|m| text_width(&m.text, MARK_FONT_PX)).max().unwrap_or(0)
        }
        _ => 0,
    };
    let scale_w = match fig.scale {
        Scale::Continuous { .. } => BAR_COLUMN + mark_w,
        Scale::Classes { .. } => LEGEND_COLUMN,
    };
    let bar_h = fig.panels.first().map_or(200, |p| p.plot_size().1).max(160);
    let height = TITLE_H + row_h.iter().sum::<i32>().max(CAPTION_H + bar_h + X_LABELS) + MARGIN;
    // Never narrower than the title (a narrow map under a long title would cut it off).
    let width = (scale_x + scale_w + MARGIN).max(MARGIN + title_width(&fig.title) + MARGIN);
    Layout { width: width as u32, height: height as u32, cells, scale_x, bar_h, mark_w }
}

/// Width of the title as drawn, px (the bundled font; a generous estimate if it cannot be
/// measured).
fn title_width(title: &str) -> i32 {
    TITLE_FONT.into_font().box_size(title).map_or(11 * title.chars().count() as i32, |(w, _)| w as i32)
}

/// Width of `text` at `size` px in the bundled font.
fn text_width(text: &str, size: u32) -> i32 {
    ("sans-serif", size).into_font().box_size(text).map_or(size as i32 * text.chars().count() as i32, |(w, _)| w as i32)
}

/// A value or range marked on a continuous colour bar, named beside it (e.g. the sources'
/// ~25 % coverage, or 250–300 punctures/cm²).
#[derive(Clone, Debug, PartialEq)]
pub struct BarMark {
    /// The marked range in the scale's units; `lo == hi` marks one value.
    pub lo: f64,
    pub hi: f64,
    /// Short text drawn left of the bar (plain text).
    pub text: String,
}

const MARK_FONT_PX: u32 = 11;
/// Room for the tick between a mark's text and the bar, px.
const MARK_PAD: i32 = 14;

/// Image row of value `v` on a bar spanning rows `y0..y1` for values `0..max`.
fn bar_row(v: f64, max: f64, (y0, y1): (i32, i32)) -> f64 {
    y1 as f64 - (v / max.max(1e-12)).clamp(0.0, 1.0) * (y1 - y0) as f64
}

/// The marks' ticks and texts left of the bar (the marks on the bar itself are painted into
/// the bar's bitmap by [`mark_bar`]).
fn draw_mark_texts<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marks: &[BarMark],
    max: f64,
    bar: PixelArea,
    err: &dyn Fn(String) -> Error,
) -> Result<()> {
    let ((x0, _), ys) = bar;
    for m in marks {
        let (a, b) = (bar_row(m.hi, max, ys), bar_row(m.lo, max, ys));
        let mid = (0.5 * (a + b)).round() as i32;
        let tick = if (b - a).abs() < 1.0 {
            vec![(x0 - MARK_PAD + 3, mid), (x0, mid)]
        } else {
            vec![
                (x0, a.round() as i32),
                (x0 - 5, a.round() as i32),
                (x0 - 5, b.round() as i32),
                (x0, b.round() as i32),
                (x0 - 5, b.round() as i32),
                (x0 - 5, mid),
                (x0 - MARK_PAD + 3, mid),
            ]
        };
        root.draw(&PathElement::new(tick, BLACK.stroke_width(1))).map_err(|e| err(e.to_string()))?;
        let style = ("sans-serif", MARK_FONT_PX).into_font().color(&BLACK).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(m.text.clone(), (x0 - MARK_PAD, mid), style)).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

/// Paint the marks onto the bar's bitmap: a black-and-white line at a value, an outlined band
/// over a range.
fn mark_bar(c: &mut Canvas, marks: &[BarMark], max: f64) {
    let h = c.height as i32;
    let w = c.width as i32;
    for m in marks {
        let (a, b) = (bar_row(m.hi, max, (0, h - 1)).round() as i32, bar_row(m.lo, max, (0, h - 1)).round() as i32);
        for y in [a, b] {
            for x in 0..w {
                c.put(x, y - 1, [255, 255, 255]);
                c.put(x, y, [0, 0, 0]);
                c.put(x, y + 1, [255, 255, 255]);
            }
        }
        if b - a > 3 {
            for y in a..=b {
                for x in [0, 1, w - 2, w - 1] {
                    c.put(x, y, [0, 0, 0]);
                }
            }
        }
    }
}

pub(crate) fn render_err(what: &str) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Render { path: what.into(), message }
}

/// Draw axes, captions, title and the scale's ticks or legend; returns each panel's plot
/// area and the colour bar's area, in pixels.
fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    lay: &Layout,
    marks: &[BarMark],
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
            let area = root.clone().shrink((lay.scale_x + lay.mark_w, top), (BAR_COLUMN as u32, (lay.bar_h + 1) as u32));
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
                (lay.scale_x + lay.mark_w + 8, top - 16),
                ("sans-serif", 12).into_font().color(&BLACK),
            ))
            .map_err(|e| err(e.to_string()))?;
            let bar = ((xr.start, xr.end), (yr.start, yr.end));
            draw_mark_texts(root, marks, *max, bar, &err)?;
            Some(bar)
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

/// The one rule for percentages shown to people (pictures, labels, the report): one
/// decimal of the percentage, e.g. 0.12345 → "12.3" (NaN → "–").
pub fn percent_number(fraction: f64) -> String {
    if fraction.is_finite() { format!("{:.1}", 100.0 * fraction) } else { "–".into() }
}

/// [`percent_number`] with its unit: "12.3 %".
pub fn percent(fraction: f64) -> String {
    if fraction.is_finite() { format!("{} %", percent_number(fraction)) } else { "–".into() }
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

/// Font size of the labels on maps, px.
pub const LABEL_FONT_PX: u32 = 12;
/// Line height of the labels, px.
pub const LABEL_LINE_PX: f64 = 15.0;
/// Padding around a label's text inside its box, px.
const LABEL_PAD_PX: f64 = 3.0;
/// A label box darkens the map under it to this fraction, so white text reads on any colour.
const LABEL_SHADE: f64 = 0.4;

/// One label as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnLabel {
    /// The text (lines separated by `\n`).
    pub text: String,
    /// The box and its leader, image pixels.
    pub placed: PlacedLabel,
}

impl DrawnLabel {
    /// Each line of text with the image point it is centred on.
    pub fn lines(&self) -> impl Iterator<Item = (&str, (f64, f64))> {
        let r = self.placed.rect;
        let cx = 0.5 * (r.x0 + r.x1);
        self.text.split('\n').enumerate().map(move |(k, line)| (line, (cx, r.y0 + LABEL_PAD_PX + LABEL_LINE_PX * (k as f64 + 0.5))))
    }
}

/// A panel's labels, with what they were placed against.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelLabels {
    pub labels: Vec<DrawnLabel>,
    /// Texts with no free place (left out rather than drawn over another label).
    pub left_out: Vec<String>,
    /// The no-go hatching's boxes and the plot area the labels were kept off and inside, px.
    pub obstacles: Vec<Rect>,
    pub bounds: Rect,
}

/// The box of `text` (lines separated by `\n`) at the labels' font, padding included, px.
pub fn label_size(text: &str) -> (f64, f64) {
    ensure_font();
    let font = ("sans-serif", LABEL_FONT_PX).into_font();
    let lines: Vec<&str> = text.split('\n').collect();
    let widest = lines
        .iter()
        .map(|l| font.box_size(l).map_or(0.62 * LABEL_FONT_PX as f64 * l.chars().count() as f64, |(w, _)| w as f64))
        .fold(0.0, f64::max);
    ((widest + 2.0 * LABEL_PAD_PX).ceil(), (LABEL_LINE_PX * lines.len() as f64 + 2.0 * LABEL_PAD_PX).ceil())
}

/// Place a panel's labels: region labels inside their outline when they fit, every label
/// off the no-go hatching and inside the plot ([`super::labels::place_labels`]).
fn place_panel_labels(p: &Panel, pl: &Placement) -> PanelLabels {
    let to_px = |q: &Vec2| {
        let (x, y) = pl.to_px(q.x, q.y);
        Vec2::new(x, y)
    };
    let bounds = Rect::new(pl.plot_x.0 as f64, pl.plot_y.0 as f64, pl.plot_x.1 as f64, pl.plot_y.1 as f64);
    let obstacles: Vec<Rect> = p
        .overlays
        .hatched
        .iter()
        .filter(|s| !s.polygon_mm.is_empty())
        .map(|s| {
            let pts: Vec<Vec2> = s.polygon_mm.iter().map(to_px).collect();
            let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), q| (a.min(q.x), b.max(q.x)));
            let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), q| (a.min(q.y), b.max(q.y)));
            Rect::new(x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
        })
        .filter(|r| r.intersects(&bounds))
        .collect();
    let shapes: Vec<(&Shape, bool)> =
        p.overlays.hatched.iter().map(|s| (s, false)).chain(p.overlays.outlines.iter().map(|s| (s, true))).collect();
    let requests: Vec<LabelRequest> = shapes
        .iter()
        .filter_map(|&(s, home)| {
            let text = s.label.as_deref()?;
            let at = s.anchor_mm.unwrap_or_else(|| s.centroid());
            p.view.contains(at.x, at.y).then(|| LabelRequest {
                text: text.to_string(),
                anchor: to_px(&at),
                size: label_size(text),
                home: home.then(|| s.polygon_mm.iter().map(to_px).collect()),
            })
        })
        .collect();
    PanelLabels::place(requests, obstacles, bounds)
}

impl PanelLabels {
    /// `requests` placed off `obstacles` and inside `bounds` ([`place_labels`]); a label with
    /// no free place is listed in `left_out`.
    pub fn place(requests: Vec<LabelRequest>, obstacles: Vec<Rect>, bounds: Rect) -> PanelLabels {
        let placed = place_labels(&requests, &obstacles, bounds);
        let mut out = PanelLabels { labels: Vec::new(), left_out: Vec::new(), obstacles, bounds };
        for (r, p) in requests.into_iter().zip(placed) {
            match p {
                Some(placed) => out.labels.push(DrawnLabel { text: r.text, placed }),
                None => out.left_out.push(r.text),
            }
        }
        out
    }
}

/// Leaders and shaded boxes of the labels, into the PNG's pixels (the text is drawn after).
fn paint_labels(c: &mut Canvas, pl: &PanelLabels) {
    for l in &pl.labels {
        if let Some((a, b)) = l.placed.leader {
            c.line((a.x, a.y), (b.x, b.y), 3, [0, 0, 0]);
            c.line((a.x, a.y), (b.x, b.y), 1, [255, 255, 255]);
            let (x, y) = (a.x.floor() as i32, a.y.floor() as i32);
            for (r, col) in [(2, [0, 0, 0]), (1, [255, 255, 255])] {
                for dy in -r..=r {
                    for dx in -r..=r {
                        c.put(x + dx, y + dy, col);
                    }
                }
            }
        }
    }
    for l in &pl.labels {
        let r = l.placed.rect;
        for y in r.y0.round() as i32..r.y1.round() as i32 {
            for x in r.x0.round() as i32..r.x1.round() as i32 {
                if let Some(v) = c.get(x, y) {
                    c.put(x, y, v.map(|k| (k as f64 * LABEL_SHADE).round() as u8));
                }
            }
        }
    }
}

/// Placed labels drawn into a picture's pixels: leaders, shaded boxes, then the white text
/// (the one way labels look, on flat maps and 3D renders alike); `what` names the file in
/// errors.
pub fn draw_labels_png(canvas: &mut Canvas, labels: &[PanelLabels], what: &str) -> Result<()> {
    for pl in labels {
        paint_labels(canvas, pl);
    }
    let (w, h) = (canvas.width, canvas.height);
    let err = render_err(what);
    let root = BitMapBackend::with_buffer(&mut canvas.rgb, (w, h)).into_drawing_area();
    for pl in labels {
        for l in &pl.labels {
            for (line, (x, y)) in l.lines() {
                let style = ("sans-serif", LABEL_FONT_PX).into_font().color(&WHITE).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(line.to_string(), (x.round() as i32, y.round() as i32), style)).map_err(|e| err(e.to_string()))?;
            }
        }
    }
    root.present().map_err(|e| err(e.to_string()))
}

/// The labels as SVG: leaders, shaded boxes, text.
fn svg_labels(svg: &mut Svg, pl: &PanelLabels) {
    for l in &pl.labels {
        if let Some((a, b)) = l.placed.leader {
            svg.line((a.x, a.y), (b.x, b.y), "stroke=\"#000\" stroke-width=\"3\"");
            svg.line((a.x, a.y), (b.x, b.y), "stroke=\"#fff\" stroke-width=\"1\"");
        }
    }
    for l in &pl.labels {
        let r = l.placed.rect;
        svg.rect(r.x0, r.y0, r.width(), r.height(), &format!("fill=\"#000\" fill-opacity=\"{}\"", 1.0 - LABEL_SHADE));
        for (line, (x, y)) in l.lines() {
            svg.label(x, y, line, LABEL_FONT_PX);
        }
    }
}

/// Draw the figure as PNG and SVG.
pub fn draw(fig: &Figure) -> Result<Drawn> {
    draw_with_marks(fig, &[])
}

/// [`draw`] with `marks` on the colour bar (continuous scales; ignored for classes).
pub fn draw_with_marks(fig: &Figure, marks: &[BarMark]) -> Result<Drawn> {
    ensure_font();
    let marks = if matches!(fig.scale, Scale::Continuous { .. }) { marks } else { &[] };
    let lay = layout(fig, marks);
    let err = render_err(&fig.title);
    let (w, h) = (lay.width, lay.height);

    // PNG: frame by plotters, then maps, overlays and the bar straight into the buffer.
    let mut canvas = Canvas::new(w, h, [255; 3]);
    let (plots, bar) = {
        let root = BitMapBackend::with_buffer(&mut canvas.rgb, (w, h)).into_drawing_area();
        let r = draw_frame(&root, fig, &lay, marks)?;
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
        placements.push(Placement { width: w, height: h, plot_x: plot.0, plot_y: plot.1, view: p.view });
    }
    if let Some(((x0, x1), (y0, y1))) = bar {
        let mut b = bar_canvas(x1 - x0, y1 - y0);
        if let Scale::Continuous { max, .. } = &fig.scale {
            mark_bar(&mut b, marks, *max);
        }
        for y in 0..b.height as i32 {
            for x in 0..b.width as i32 {
                canvas.put(x0 + x, y0 + y, b.get(x, y).unwrap_or([0; 3]));
            }
        }
        svg.png_image(x0, y0, x1 - x0, y1 - y0, &b.to_png()?);
    }
    // Labels last, over the maps: placed once (never over each other, the no-go hatching or
    // the panel's edge), drawn alike into the PNG and the SVG.
    let labels: Vec<PanelLabels> = fig.panels.iter().zip(&placements).map(|(p, pl)| place_panel_labels(p, pl)).collect();
    for pl in &labels {
        svg_labels(&mut svg, pl);
    }
    draw_labels_png(&mut canvas, &labels, &fig.title)?;
    let png = canvas.to_png()?;

    // SVG: the same frame as vectors, then the maps, bar and overlays added above.
    let mut doc = String::new();
    {
        let root = SVGBackend::with_string(&mut doc, (w, h)).into_drawing_area();
        draw_frame(&root, fig, &lay, marks)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(Drawn { canvas, png, svg: svg.finish_into(&doc), placements, bar, labels })
}
