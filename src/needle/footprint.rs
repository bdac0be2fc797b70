//! Footprints: the shape one needle leaves on the skin plane, and its exact rasterisation.
//!
//! **Model.** An ideal needle enters perpendicular and instantly: its footprint is the disk
//! of radius `r` (the needle radius, or needle + halo for the treated zone). Two things of a
//! real hand change that:
//!
//! - **Tilt** from perpendicular by `θ`: the needle (modelled as a cylinder of radius `r`
//!   around its axis) cuts the skin plane in an **ellipse** of semi-axes `a = r / cos θ`
//!   along the direction the needle leans (`tilt_azimuth_deg`) and `b = r` across it; the
//!   tip reaches a vertical depth of `depth × cos θ` ([`tilt_depth_factor`], **\[est\]**,
//!   shared/domain.md). The ellipse is centred on the entry point.
//! - **Drag**: the needles stay in the skin for a duty fraction of each period while the pen
//!   keeps moving, so the tip slides by `d = v × duty × period` (`v × duty / f` at a steady
//!   frequency, [`drag_length_mm`]) and the footprint is the entry shape swept along `d`: a
//!   **stadium** (slot) of area `πr² + 2r|d|` for a perpendicular needle.
//!
//! Both together give the ellipse swept along `d` (a Minkowski sum, convex). In the frame
//! `M` that maps the ellipse to the unit disk the swept shape is a capsule of radius 1
//! around the segment `[0, M d]`, so a point is inside when its `M`-distance to that segment
//! is at most 1 ([`Footprint::contains`], the brute-force test) and each grid row meets the
//! shape in one interval, found in closed form from two circles and one slab
//! ([`Footprint::rows`], the rasteriser). Cells are hit when their **centre** is inside
//! (closed), the same rule as `raster::grid::GridSpec::disk_rows`, which stays the fast path for disks.
//!
//! Areas in closed form: `πab + |d| · w⊥`, where `w⊥` is the ellipse's width across the drag.

use std::f64::consts::PI;

use crate::geometry::{Rect, Vec2, direction};
use crate::needle::puncture::Puncture;

/// Largest tilt a footprint is built for, degrees. Beyond this the needle would skid along
/// the skin rather than enter it (**assumed**); the hand model clips draws to it.
pub const MAX_TILT_DEG: f64 = 80.0;

/// Vertical depth over set depth for a needle tilted `tilt_deg` from perpendicular:
/// `cos(tilt)` (**\[est\]**, shared/domain.md: "tilt shortens vertical depth by cos(tilt)").
///
/// This is the tilt factor of the real-depth model; the skin-deformation ratio is applied
/// on top of it where the layered-skin model is present.
pub fn tilt_depth_factor(tilt_deg: f64) -> f64 {
    tilt_deg.to_radians().cos()
}

/// Drag length of a needle that stays in the skin for `duty` of each period while the pen
/// moves at `speed_mm_s`: `speed × duty / frequency`, mm.
pub fn drag_length_mm(speed_mm_s: f64, duty: f64, frequency_hz: f64) -> f64 {
    speed_mm_s * duty / frequency_hz
}

/// The disk that holds puncture `p`'s footprint of radius `r_mm`: the needle disk itself for
/// a perpendicular, undragged needle, else [`Footprint::enclosing_disk`] (centre, radius, mm).
/// What the no-go checks test, so a tilted or dragged hole is never missed (they may report
/// a near miss within the overreach instead).
pub fn reach(p: &Puncture, r_mm: f64) -> (Vec2, f64) {
    if p.is_disk() { (Vec2::new(p.x_mm, p.y_mm), r_mm) } else { Footprint::of(p, r_mm).enclosing_disk() }
}

/// The box holding puncture `p`'s footprint of radius `r_mm`, mm: drawn from `shape` (a chart
/// footprint, [`Footprint::shaped`]) when given, else the needle disk's square for a
/// perpendicular, undragged needle, else [`Footprint::bbox`] of its tilt and drag. What tiles
/// are binned by.
pub fn bbox(p: &Puncture, shape: Option<&Shape>, r_mm: f64) -> Rect {
    match shape {
        Some(s) => Footprint::shaped(Vec2::new(p.x_mm, p.y_mm), s, r_mm).bbox(),
        None if p.is_disk() => Rect::new(p.x_mm - r_mm, p.y_mm - r_mm, p.x_mm + r_mm, p.y_mm + r_mm),
        None => Footprint::of(p, r_mm).bbox(),
    }
}

/// The footprint of one needle: an ellipse (a disk when `a = b`) swept along a segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// Entry point (ellipse centre at the start of the contact), mm.
    pub center: Vec2,
    /// Displacement of the tip while in the skin, mm (zero = no drag).
    pub drag: Vec2,
    /// Semi-axis along `axis`, mm. Positive.
    pub a_mm: f64,
    /// Semi-axis across `axis`, mm. Positive.
    pub b_mm: f64,
    /// Unit vector of the `a` semi-axis.
    pub axis: Vec2,
}

/// 2-D cross product `p × q`.
#[inline]
fn cross(p: Vec2, q: Vec2) -> f64 {
    p.x * q.y - p.y * q.x
}

/// Interval of `ξ` where `k·ξ + m ∈ [lo, hi]`.
#[inline]
fn linear(k: f64, m: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    if k == 0.0 {
        return (m >= lo && m <= hi).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let (p, q) = ((lo - m) / k, (hi - m) / k);
    Some((p.min(q), p.max(q)))
}

/// Interval of `ξ` where `|ξ·B + E|² ≤ 1` (`B ≠ 0`).
#[inline]
fn in_unit_disk(b: Vec2, e: Vec2) -> Option<(f64, f64)> {
    let a2 = b.dot(&b);
    let a1 = b.dot(&e);
    let a0 = e.dot(&e) - 1.0;
    let disc = a1 * a1 - a2 * a0;
    if disc < 0.0 {
        return None;
    }
    let s = disc.sqrt();
    Some(((-a1 - s) / a2, (-a1 + s) / a2))
}

#[inline]
fn hull(acc: Option<(f64, f64)>, next: Option<(f64, f64)>) -> Option<(f64, f64)> {
    match (acc, next) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (x, None) | (None, x) => x,
    }
}

/// A footprint's shape apart from its centre and size, for footprints drawn in a chart
/// (the surface's UV chart): an ellipse of semi-axes `a_per_r · r` along `axis` and
/// `b_per_r · r` across it for a needle of radius `r`, swept along `drag` (mm, not scaled).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub a_per_r: f64,
    pub b_per_r: f64,
    /// Unit vector of the `a` semi-axis.
    pub axis: Vec2,
    pub drag: Vec2,
}

impl Footprint {
    /// The disk of radius `r_mm` at `center`.
    pub fn disk(center: Vec2, r_mm: f64) -> Self {
        Footprint { center, drag: Vec2::zeros(), a_mm: r_mm, b_mm: r_mm, axis: Vec2::new(1.0, 0.0) }
    }

    /// The footprint of `shape` at `center` for a needle (or treated zone) of radius `r_mm`.
    pub fn shaped(center: Vec2, shape: &Shape, r_mm: f64) -> Self {
        Footprint { center, drag: shape.drag, a_mm: shape.a_per_r * r_mm, b_mm: shape.b_per_r * r_mm, axis: shape.axis }
    }

    /// The footprint of puncture `p` for a needle (or treated zone) of radius `r_mm`.
    pub fn of(p: &Puncture, r_mm: f64) -> Self {
        let tilt = (p.tilt_deg as f64).abs();
        Footprint {
            center: Vec2::new(p.x_mm, p.y_mm),
            drag: Vec2::new(p.drag_x_mm as f64, p.drag_y_mm as f64),
            a_mm: r_mm / tilt_depth_factor(tilt),
            b_mm: r_mm,
            axis: direction(p.tilt_azimuth_deg as f64),
        }
    }

    /// Half-extents of the (unswept) ellipse along x and y, mm.
    fn half_extents(&self) -> (f64, f64) {
        let (ux, uy) = (self.axis.x, self.axis.y);
        let (a, b) = (self.a_mm, self.b_mm);
        (((a * ux).powi(2) + (b * uy).powi(2)).sqrt(), ((a * uy).powi(2) + (b * ux).powi(2)).sqrt())
    }

    /// Exact axis-aligned bounding box, mm.
    pub fn bbox(&self) -> Rect {
        let (ex, ey) = self.half_extents();
        let end = self.center + self.drag;
        Rect::new(
            self.center.x.min(end.x) - ex,
            self.center.y.min(end.y) - ey,
            self.center.x.max(end.x) + ex,
            self.center.y.max(end.y) + ey,
        )
    }

    /// Map a displacement into the frame where the ellipse is the unit disk.
    #[inline]
    fn unit_frame(&self, v: Vec2) -> Vec2 {
        let across = Vec2::new(-self.axis.y, self.axis.x);
        Vec2::new(v.dot(&self.axis) / self.a_mm, v.dot(&across) / self.b_mm)
    }

    /// Brute-force membership (closed): the unit-frame distance from `q` to the drag segment
    /// is at most 1.
    pub fn contains(&self, q: Vec2) -> bool {
        let w = self.unit_frame(q - self.center);
        let d = self.unit_frame(self.drag);
        let dd = d.dot(&d);
        let t = if dd > 0.0 { (w.dot(&d) / dd).clamp(0.0, 1.0) } else { 0.0 };
        (w - d * t).norm_squared() <= 1.0
    }

    /// Exact area, mm²: `πab` plus the drag length × the ellipse's width across the drag.
    pub fn area_mm2(&self) -> f64 {
        let len = self.drag.norm();
        let ellipse = PI * self.a_mm * self.b_mm;
        if len == 0.0 {
            return ellipse;
        }
        let n = Vec2::new(-self.drag.y, self.drag.x) / len;
        let across = Vec2::new(-self.axis.y, self.axis.x);
        let half_width = ((self.a_mm * n.dot(&self.axis)).powi(2) + (self.b_mm * n.dot(&across)).powi(2)).sqrt();
        ellipse + 2.0 * half_width * len
    }

    /// The smallest disk about the drag's midpoint that holds the whole shape: centre, radius
    /// `max(a, b) + |drag|/2`, mm. Tight for a disk; for a tilted or dragged needle it
    /// overreaches the shape by at most `max(a, b) − min(a, b) + |drag|/2` to the side.
    pub fn enclosing_disk(&self) -> (Vec2, f64) {
        (self.center + self.drag * 0.5, self.a_mm.max(self.b_mm) + 0.5 * self.drag.norm())
    }

    /// An upper bound of the perimeter, mm (for the grid's rim error: `2π·max(a, b) + 2|d|`).
    pub fn perimeter_bound_mm(&self) -> f64 {
        2.0 * PI * self.a_mm.max(self.b_mm) + 2.0 * self.drag.norm()
    }

    /// Interval of x offsets from `center.x` inside the shape on the row `y = center.y + η`.
    #[inline]
    pub fn row_span(&self, eta: f64) -> Option<(f64, f64)> {
        let bx = self.unit_frame(Vec2::new(1.0, 0.0));
        let e = self.unit_frame(Vec2::new(0.0, eta));
        let d = self.unit_frame(self.drag);
        let mut span = in_unit_disk(bx, e);
        let len = d.norm();
        if len > 0.0 {
            span = hull(span, in_unit_disk(bx, e - d));
            let u = d / len;
            let along = linear(bx.dot(&u), e.dot(&u), 0.0, len);
            let side = linear(cross(bx, u), cross(e, u), -1.0, 1.0);
            let slab = match (along, side) {
                (Some((a0, a1)), Some((s0, s1))) if a0.max(s0) <= a1.min(s1) => Some((a0.max(s0), a1.min(s1))),
                _ => None,
            };
            span = hull(span, slab);
        }
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::grid::GridSpec;

    const BIG: (i64, i64, i64, i64) = (i64::MIN / 2, i64::MAX / 2, i64::MIN / 2, i64::MAX / 2);

    fn shapes() -> Vec<Footprint> {
        let c = Vec2::new(0.1234, -0.0567);
        vec![
            Footprint::disk(c, 0.09),
            Footprint { drag: Vec2::new(0.21, 0.07), ..Footprint::disk(c, 0.09) },
            Footprint { a_mm: 0.09 / tilt_depth_factor(35.0), axis: direction(20.0), ..Footprint::disk(c, 0.09) },
            Footprint { a_mm: 0.15, b_mm: 0.09, axis: direction(-70.0), drag: Vec2::new(-0.05, 0.3), center: c },
            // Drag along the ellipse's own axis and across it.
            Footprint { a_mm: 0.14, b_mm: 0.09, axis: direction(0.0), drag: Vec2::new(0.25, 0.0), center: c },
            Footprint { a_mm: 0.14, b_mm: 0.09, axis: direction(0.0), drag: Vec2::new(0.0, 0.25), center: c },
        ]
    }

    /// Row spans agree cell for cell with the brute-force membership test.
    #[test]
    fn rows_match_brute_force_membership() {
        let g = GridSpec::new(0.005).unwrap();
        for (k, f) in shapes().iter().enumerate() {
            let b = f.bbox();
            let (i0, i1) = g.cells_between(b.x0 - 0.02, b.x1 + 0.02);
            let (j0, j1) = g.cells_between(b.y0 - 0.02, b.y1 + 0.02);
            let mut fast = std::collections::HashSet::new();
            g.footprint_rows(f, BIG, |j, a, c| {
                for i in a..=c {
                    fast.insert((i, j));
                }
            });
            let mut differ = 0;
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let inside = f.contains(Vec2::new(g.cell_center(i), g.cell_center(j)));
                    if inside != fast.contains(&(i, j)) {
                        differ += 1;
                    }
                }
            }
            assert!(differ <= 2, "shape {k}: {differ} cells differ");
            assert!(!fast.is_empty());
        }
    }

    /// Cell counts match the closed-form areas (stadium πr² + 2rL, ellipse πab, swept
    /// ellipse) within the rim bound.
    #[test]
    fn cell_areas_match_closed_forms() {
        let g = GridSpec::new(0.0025).unwrap();
        let r = 0.09;
        let stadium = Footprint { drag: Vec2::new(0.3, 0.0), ..Footprint::disk(Vec2::zeros(), r) };
        assert!((stadium.area_mm2() - (PI * r * r + 2.0 * r * 0.3)).abs() < 1e-12);
        let ellipse = Footprint { a_mm: 0.2, ..Footprint::disk(Vec2::zeros(), r) };
        assert!((ellipse.area_mm2() - PI * 0.2 * r).abs() < 1e-12);
        for f in shapes().into_iter().chain([stadium, ellipse]) {
            let mut cells = 0i64;
            g.footprint_rows(&f, BIG, |_, a, c| cells += c - a + 1);
            let area = cells as f64 * g.cell_area_mm2();
            let bound = f.perimeter_bound_mm() * g.resolution_mm * 2f64.sqrt();
            assert!((area - f.area_mm2()).abs() < bound, "{f:?}: {area} vs {}", f.area_mm2());
        }
    }

    /// The bounding box is tight: every box edge touches the shape.
    #[test]
    fn bbox_is_tight_and_holds_the_shape() {
        for f in shapes() {
            let b = f.bbox();
            let n = 400;
            let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
            for i in 0..=n {
                for j in 0..=n {
                    let q = Vec2::new(b.x0 + b.width() * i as f64 / n as f64, b.y0 + b.height() * j as f64 / n as f64);
                    if f.contains(q) {
                        (x0, x1, y0, y1) = (x0.min(q.x), x1.max(q.x), y0.min(q.y), y1.max(q.y));
                    }
                }
            }
            let tol = 2.0 * b.width().max(b.height()) / n as f64;
            for (got, want) in [(x0, b.x0), (x1, b.x1), (y0, b.y0), (y1, b.y1)] {
                assert!((got - want).abs() <= tol, "{f:?}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn drag_length_and_depth_factor() {
        assert!((drag_length_mm(40.0, 0.3, 120.0) - 0.1).abs() < 1e-15);
        assert!((tilt_depth_factor(60.0) - 0.5).abs() < 1e-15);
        assert_eq!(tilt_depth_factor(0.0), 1.0);
    }
}
