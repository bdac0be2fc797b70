//! A picture sheet: a title, views side by side with captions, and a colour bar with its
//! title, units and the sources' reference marks. Text in the bundled font (plotters).

use plotters::prelude::*;

use crate::error::Result;

use super::super::canvas::Canvas;
use super::super::figure::{fmt_value, render_err as err};
use super::super::{ensure_font, viridis};

const MARGIN: i32 = 12;
const TITLE_H: i32 = 40;
const CAPTION_H: i32 = 22;
const BAR_COLUMN: i32 = 190;
const BAR_W: i32 = 22;
const FOOTNOTE_H: i32 = 20;

/// A reference on the colour bar: a line at `lo` (a band when `hi` > `lo`) with a label.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub lo: f64,
    pub hi: f64,
    pub label: String,
}

/// A continuous colour bar: viridis from 0 to `max`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Title with units, e.g. "hole coverage (%)".
    pub title: String,
    pub max: f64,
    /// Tick labels are `value × tick_factor` (e.g. 100 for a fraction shown in %).
    pub tick_factor: f64,
    pub marks: Vec<Mark>,
}

/// A class legend: swatches with names.
pub type Legend = Vec<(String, [u8; 3])>;

/// What the right-hand column shows.
pub enum Key {
    Bar(Bar),
    Legend(String, Legend),
}

/// Ticks at 1, 2 or 5 × 10ⁿ steps, about five over `0..=max`.
pub fn ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0];
    }
    let raw = max / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p);
    (0..).map(|k| k as f64 * step).take_while(|v| *v <= max * (1.0 + 1e-9)).collect()
}

/// Lay out `views` (caption, picture) left to right under `title`, `key` on the right and
/// `footnote` under everything; `what` names the file in errors.
pub fn compose(what: &str, title: &str, views: &[(String, Canvas)], key: &Key, footnote: &str) -> Result<Canvas> {
    ensure_font();
    let e = err(what);
    let views_w: i32 = views.iter().map(|(_, c)| c.width as i32).sum::<i32>() + MARGIN * (views.len() as i32 - 1).max(0);
    let views_h: i32 = views.iter().map(|(_, c)| c.height as i32).max().unwrap_or(0);
    let key_h = match key {
        Key::Bar(_) => 300,
        Key::Legend(_, l) => 30 + 24 * l.len() as i32,
    };
    let title_w = ("sans-serif", 19).into_font().box_size(title).map_or(11 * title.len() as i32, |(w, _)| w as i32);
    let width = (MARGIN + views_w + MARGIN + BAR_COLUMN).max(2 * MARGIN + title_w) as u32;
    let height = (TITLE_H + CAPTION_H + views_h.max(key_h + 20) + FOOTNOTE_H + MARGIN) as u32;
    let mut c = Canvas::new(width, height, [255; 3]);
    let top = TITLE_H + CAPTION_H;
    let mut x = MARGIN;
    for (_, v) in views {
        for y in 0..v.height as i32 {
            let (src, dst) = ((y as usize * v.width as usize) * 3, (((top + y) as usize * width as usize) + x as usize) * 3);
            c.rgb[dst..dst + v.width as usize * 3].copy_from_slice(&v.rgb[src..src + v.width as usize * 3]);
        }
        x += v.width as i32 + MARGIN;
    }
    let kx = MARGIN + views_w + MARGIN;
    let bar = match key {
        Key::Bar(b) => {
            let (y0, y1) = (top + 24, top + 24 + key_h - 40);
            for y in y0..y1 {
                let col = viridis((y1 - 1 - y) as f64 / (y1 - 1 - y0).max(1) as f64);
                for xx in kx..kx + BAR_W {
                    c.put(xx, y, col);
                }
            }
            Some((b, y0, y1))
        }
        Key::Legend(..) => None,
    };
    {
        let root = BitMapBackend::with_buffer(&mut c.rgb, (width, height)).into_drawing_area();
        let font = |size: u32| ("sans-serif", size).into_font().color(&BLACK);
        root.draw(&Text::new(title.to_string(), (MARGIN, 10), font(19))).map_err(|x| e(x.to_string()))?;
        let mut x = MARGIN;
        for (caption, v) in views {
            root.draw(&Text::new(caption.clone(), (x + 4, TITLE_H + 2), font(14))).map_err(|x| e(x.to_string()))?;
            x += v.width as i32 + MARGIN;
        }
        if !footnote.is_empty() {
            root.draw(&Text::new(
                footnote.to_string(),
                (MARGIN, height as i32 - FOOTNOTE_H - 2),
                ("sans-serif", 12).into_font().color(&RGBColor(80, 80, 80)),
            ))
            .map_err(|x| e(x.to_string()))?;
        }
        match key {
            Key::Bar(b) => {
                let (_, y0, y1) = bar.expect("a bar");
                root.draw(&Text::new(b.title.clone(), (kx - 4, top + 2), font(13))).map_err(|x| e(x.to_string()))?;
                let to_y = |v: f64| y1 - 1 - ((v / b.max.max(1e-12)).clamp(0.0, 1.0) * (y1 - 1 - y0) as f64).round() as i32;
                root.draw(&Rectangle::new([(kx, y0), (kx + BAR_W, y1)], BLACK.stroke_width(1))).map_err(|x| e(x.to_string()))?;
                for t in ticks(b.max) {
                    let y = to_y(t);
                    root.draw(&PathElement::new(vec![(kx + BAR_W, y), (kx + BAR_W + 5, y)], BLACK)).map_err(|x| e(x.to_string()))?;
                    root.draw(&Text::new(fmt_value(t * b.tick_factor), (kx + BAR_W + 8, y - 6), font(12))).map_err(|x| e(x.to_string()))?;
                }
                let red = RGBColor(200, 30, 30);
                for m in &b.marks {
                    let (ya, yb) = (to_y(m.hi.max(m.lo)), to_y(m.lo));
                    if yb - ya >= 2 {
                        root.draw(&Rectangle::new([(kx - 6, ya), (kx - 2, yb + 1)], red.filled())).map_err(|x| e(x.to_string()))?;
                    }
                    for y in [ya, yb] {
                        root.draw(&PathElement::new(vec![(kx - 6, y), (kx + BAR_W + 4, y)], red.stroke_width(2)))
                            .map_err(|x| e(x.to_string()))?;
                    }
                    root.draw(&Text::new(
                        m.label.clone(),
                        (kx + BAR_W + 44, (ya + yb) / 2 - 6),
                        ("sans-serif", 11).into_font().color(&red),
                    ))
                    .map_err(|x| e(x.to_string()))?;
                }
            }
            Key::Legend(name, items) => {
                root.draw(&Text::new(name.clone(), (kx, top + 2), font(13))).map_err(|x| e(x.to_string()))?;
                for (k, (label, rgb)) in items.iter().enumerate() {
                    let y = top + 26 + 24 * k as i32;
                    root.draw(&Rectangle::new([(kx, y), (kx + 18, y + 18)], RGBColor(rgb[0], rgb[1], rgb[2]).filled()))
                        .map_err(|x| e(x.to_string()))?;
                    root.draw(&Rectangle::new([(kx, y), (kx + 18, y + 18)], BLACK.stroke_width(1))).map_err(|x| e(x.to_string()))?;
                    root.draw(&Text::new(label.clone(), (kx + 24, y + 2), font(12))).map_err(|x| e(x.to_string()))?;
                }
            }
        }
        root.present().map_err(|x| e(x.to_string()))?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_within_the_range() {
        let t = ticks(1.0);
        assert_eq!(t.len(), 6);
        assert!((t[5] - 1.0).abs() < 1e-12 && (t[1] - 0.2).abs() < 1e-12);
        assert_eq!(ticks(400.0), vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        assert!(ticks(3.7).iter().all(|t| *t <= 3.7));
    }
}
