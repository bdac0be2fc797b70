//! Per-region pictures read at a glance (choropleths): each region of a map filled with one
//! colour for its value (coverage, density, …), its name and value printed in it by the
//! label placer ([`super::labels`]), the colour bar marking the sources' figures.
//!
//! The values and their printed texts come from the caller (a face run takes them from its
//! summary.json, so the picture and the file agree by construction). Pixels outside every
//! region, and regions with no value (untreated), are drawn as "no data".

use crate::error::Result;
use crate::geometry::Vec2;
use crate::raster::accumulate::Raster;
use crate::raster::domain::Domain;

use super::figure::{self, BarMark, Drawn, Figure, Panel, Scale};
use super::overlay::Overlays;

/// A choropleth to draw.
pub struct Choropleth<'a> {
    pub title: String,
    /// Caption above the map (plain text).
    pub caption: String,
    /// The regions: label `l` of the domain is region `l`.
    pub domain: &'a dyn Domain,
    /// Value of each region (index = domain label), in the colour bar's units; `None` = no
    /// value (e.g. untreated), drawn as no data.
    pub values: Vec<Option<f64>>,
    /// Region outlines, no-go hatching and the labels (name and printed value) at the
    /// regions' anchors.
    pub overlays: Overlays,
    pub bar_label: String,
    /// Figures from the sources marked on the colour bar; the bar reaches past them.
    pub marks: Vec<BarMark>,
    /// Plot scale, px per mm.
    pub px_per_mm: f64,
}

/// One value per plot pixel: the value of the region under the pixel's centre.
pub fn region_raster(domain: &dyn Domain, values: &[Option<f64>], px_per_mm: f64) -> Raster {
    let b = domain.bounds();
    let pixel_mm = 1.0 / px_per_mm;
    let (width, height) = (((b.width() / pixel_mm).ceil() as usize).max(1), ((b.height() / pixel_mm).ceil() as usize).max(1));
    use rayon::prelude::*;
    let mut r = Raster { origin_mm: Vec2::new(b.x0, b.y0), pixel_mm, width, height, values: Vec::new() };
    let mut out = vec![f32::NAN; width * height];
    // Rows in parallel (each pixel is its own question to the domain).
    out.par_chunks_mut(width).enumerate().for_each(|(row, o)| {
        for (col, px) in o.iter_mut().enumerate() {
            let c = super::map::pixel_center(&r, col, row);
            if let Some(v) = domain.label_at(c).and_then(|l| values.get(l as usize).copied().flatten()) {
                *px = v as f32;
            }
        }
    });
    r.values = out;
    r
}

/// Top of the colour bar: 10 % above the largest value and every mark, so marks show.
pub fn scale_max(values: &[Option<f64>], marks: &[BarMark]) -> f64 {
    let top = values.iter().flatten().copied().chain(marks.iter().map(|m| m.hi)).filter(|v| v.is_finite()).fold(0.0, f64::max);
    (1.1 * top).max(1e-9)
}

/// Draw the choropleth (PNG and SVG; the labels as placed are in [`Drawn::labels`]).
pub fn draw(c: &Choropleth) -> Result<Drawn> {
    let raster = region_raster(c.domain, &c.values, c.px_per_mm);
    let fig = Figure {
        title: c.title.clone(),
        panels: vec![Panel {
            caption: c.caption.clone(),
            map: &raster,
            view: c.domain.bounds(),
            px_per_mm: c.px_per_mm,
            overlays: c.overlays.clone(),
        }],
        columns: 1,
        scale: Scale::Continuous { max: scale_max(&c.values, &c.marks), label: c.bar_label.clone() },
    };
    figure::draw_with_marks(&fig, &c.marks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Rect;

    /// Two regions split at x = 5 on a 10 × 4 mm rectangle.
    struct Halves;
    impl Domain for Halves {
        fn bounds(&self) -> Rect {
            Rect::new(0.0, 0.0, 10.0, 4.0)
        }
        fn label_count(&self) -> usize {
            2
        }
        fn label_at(&self, p: Vec2) -> Option<u16> {
            self.bounds().contains(p.x, p.y).then_some(if p.x < 5.0 { 0 } else { 1 })
        }
        fn area_mm2(&self, _: u16) -> f64 {
            20.0
        }
    }

    #[test]
    fn each_pixel_takes_its_regions_value() {
        let r = region_raster(&Halves, &[Some(3.0), None], 2.0);
        assert_eq!((r.width, r.height), (20, 8));
        assert!(r.values[..10].iter().all(|&v| v == 3.0));
        assert!(r.values[10..20].iter().all(|v| v.is_nan()), "no value: no data");
        assert_eq!(scale_max(&[Some(3.0), None], &[BarMark { lo: 25.0, hi: 25.0, text: String::new() }]), 1.1 * 25.0);
    }
}
