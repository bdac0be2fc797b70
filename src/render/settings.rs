//! What the pictures of a run look like: scale and zoomed inset. (How many animation frames
//! the run records is the simulation's `frames`: the core accumulates them.)
//!
//! Checked up front ([`Pictures::check`]) by the front end, before the simulation runs, so a
//! picture that cannot be drawn at the requested size fails fast and nothing is written.

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};

/// Longest side of a heatmap's plot area when no scale is given, px.
pub const DEFAULT_PLOT_PX: f64 = 760.0;
/// Largest side of a heatmap's plot area, px (a 3-byte RGB buffer of 8000² is 192 MB).
pub const MAX_PLOT_PX: f64 = 8000.0;
/// Default side of the zoomed inset, mm: a few needle pitches, so single 0.18 mm holes show.
pub const DEFAULT_INSET_MM: f64 = 2.0;
/// Allowed inset sides, mm (the inset is a dense grid: 10 mm at 0.01 mm is 10⁶ cells).
pub const INSET_RANGE_MM: (f64, f64) = (0.2, 10.0);

/// How the pictures of a run look (the scenario's `[pictures]` table, frames aside).
#[derive(Clone, Debug, PartialEq)]
pub struct Pictures {
    /// Heatmap scale, pixels per mm; `None` = fit the longest side in [`DEFAULT_PLOT_PX`].
    pub px_per_mm: Option<f64>,
    /// Side of the zoomed inset window, mm.
    pub inset_mm: f64,
    /// Centre of the inset window, mm; `None` = the centre of the drawn area.
    pub inset_center_mm: Option<Vec2>,
}

impl Default for Pictures {
    fn default() -> Self {
        Pictures { px_per_mm: None, inset_mm: DEFAULT_INSET_MM, inset_center_mm: None }
    }
}

impl Pictures {
    /// Plot-area scale for a map of `view`, px per mm.
    /// By default the longer side gets [`DEFAULT_PLOT_PX`] pixels, and a long, thin map at
    /// least one pixel across its shorter side.
    pub fn scale_px_per_mm(&self, view: &Rect) -> f64 {
        self.px_per_mm.unwrap_or_else(|| (DEFAULT_PLOT_PX / view.width().max(view.height())).max(1.0 / view.width().min(view.height())))
    }

    /// Validate the settings and check that a map of `view` can be drawn at this scale.
    pub fn check(&self, view: &Rect) -> Result<()> {
        if let Some(s) = self.px_per_mm
            && !(s.is_finite() && s > 0.0)
        {
            return Err(Error::invalid("pictures.px_per_mm", s, "a positive number of pixels per mm"));
        }
        let (lo, hi) = INSET_RANGE_MM;
        if !(self.inset_mm.is_finite() && self.inset_mm >= lo && self.inset_mm <= hi) {
            return Err(Error::invalid("pictures.inset_mm", self.inset_mm, format!("{lo}–{hi} mm")));
        }
        if let Some(c) = self.inset_center_mm
            && !(c.x.is_finite() && c.y.is_finite())
        {
            return Err(Error::invalid("pictures.inset_center_mm", format!("[{}, {}]", c.x, c.y), "finite coordinates in mm"));
        }
        let s = self.scale_px_per_mm(view);
        let (w, h) = (view.width() * s, view.height() * s);
        let fit = MAX_PLOT_PX / view.width().max(view.height());
        // The scale giving the shorter side one pixel.
        let least = 1.0 / view.width().min(view.height());
        let size = format!("{:.3} × {:.3} mm map", view.width(), view.height());
        if least > fit {
            let allowed = format!("none: a {size} cannot be 1 to {MAX_PLOT_PX:.0} px on both sides");
            return Err(Error::invalid("pictures.px_per_mm", format!("{s:.3}"), allowed));
        }
        if w < 1.0 || h < 1.0 {
            // Too thin, not too large.
            let allowed = format!("{least:.3}–{fit:.3} px/mm for a {size} (1 to {MAX_PLOT_PX:.0} px a side)");
            return Err(Error::invalid("pictures.px_per_mm", format!("{s:.3}"), allowed));
        }
        if w > MAX_PLOT_PX || h > MAX_PLOT_PX {
            return Err(Error::TooLarge {
                what: format!(
                    "a heatmap of {:.1} × {:.1} mm at {s:.3} px/mm ({w:.0} × {h:.0} px, at least 1 and at most {MAX_PLOT_PX:.0} px a side)",
                    view.width(),
                    view.height()
                ),
                needed: format!("{:.0} MB of pixels", w * h * 3.0 / 1e6),
                limit: format!("{MAX_PLOT_PX:.0} px a side ({:.0} MB)", MAX_PLOT_PX * MAX_PLOT_PX * 3.0 / 1e6),
                hint: format!("set pictures.px_per_mm to at most {fit:.3} for this map"),
            });
        }
        Ok(())
    }

    /// The inset window over `view`: a square of `inset_mm` at the set centre (or the centre of
    /// `view`), moved to lie inside `view` where it fits.
    pub fn inset_window(&self, view: &Rect) -> Rect {
        let c = self.inset_center_mm.unwrap_or_else(|| view.center());
        let half = 0.5 * self.inset_mm.min(view.width()).min(view.height());
        let x = c.x.clamp(view.x0 + half, view.x1 - half);
        let y = c.y.clamp(view.y0 + half, view.y1 - half);
        Rect::new(x - half, y - half, x + half, y + half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_names_the_key_and_the_largest_scale() {
        let p = Pictures { px_per_mm: Some(100.0), ..Default::default() };
        let e = p.check(&Rect::new(0.0, 0.0, 200.0, 250.0)).unwrap_err();
        let msg = e.to_string();
        assert!(e.is_bad_input());
        assert!(msg.contains("pictures.px_per_mm") && msg.contains("32.000"), "{msg}");
        assert!(p.check(&Rect::new(0.0, 0.0, 40.0, 30.0)).is_ok());
    }

    #[test]
    fn a_long_thin_map_gets_a_pixel_across_or_a_message_about_thinness() {
        let thin = Rect::new(0.0, 0.0, 1000.0, 1.0);
        let p = Pictures::default();
        assert!(p.check(&thin).is_ok(), "{:?}", p.check(&thin));
        assert!(p.scale_px_per_mm(&thin) >= 1.0);
        let e = Pictures { px_per_mm: Some(0.5), ..Default::default() }.check(&thin).unwrap_err().to_string();
        assert!(e.contains("pictures.px_per_mm = 0.500") && e.contains("1.000–8.000 px/mm"), "{e}");
        let e = p.check(&Rect::new(0.0, 0.0, 1000.0, 1e-4)).unwrap_err().to_string();
        assert!(e.contains("none: a 1000.000 × 0.000 mm map"), "{e}");
        // Maps of ordinary shape keep the default scale.
        let square = Rect::new(0.0, 0.0, 40.0, 30.0);
        assert_eq!(p.scale_px_per_mm(&square), DEFAULT_PLOT_PX / 40.0);
    }

    #[test]
    fn inset_stays_inside_the_view() {
        let p = Pictures { inset_center_mm: Some(Vec2::new(-5.0, 29.5)), ..Default::default() };
        let w = p.inset_window(&Rect::new(0.0, 0.0, 40.0, 30.0));
        assert_eq!(w, Rect::new(0.0, 28.0, 2.0, 30.0));
    }
}
