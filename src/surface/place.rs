//! The pen on the skin: every needle of every stamp landed on the surface, with its chart
//! footprint.
//!
//! **Model.** At a stamp, the cartridge's frame on the skin is the tangent plane of the
//! stamp's triangle, `e₁` = the chart's +x direction on the skin, `e₂ = n × e₁`.
//! - **`normal`** (the pen at 90° to the local skin): needle `(ox, oy)` (rotated by the
//!   device rotation) lands at `ox e₁ + oy e₂` from the centre in the tangent plane, mapped to
//!   the chart by the triangle's `J⁺` (exact on a flat or developable mesh with an isometric
//!   chart; elsewhere off by about `ρ²/2R` for a needle `ρ` mm from the centre on skin of
//!   curvature radius `R`). Tilt 0; the footprint is the skin disk of radius `r`.
//! - **`frontal`** (the pen square to the face front, its axis along −z): the tilt is the
//!   angle between the skin normal and +z (clipped to [`MAX_TILT_DEG`], counted); the needles
//!   sit in the pen's plane (`e₁` projected on the xy plane) and travel along −z to the
//!   tangent plane; each cuts it in an ellipse of semi-axes `r / cos θ` along the lean (the
//!   pen axis projected on the skin) and `r` across.
//!
//! **A real hand** ([`StampHand`], from [`crate::surface::walk`]) tilts the pen by `θ_h`
//! (hand + `90° − pen.angle_deg`) from the axis it is held along, leaning towards `l` (a
//! tangent direction), and drags the needles by `d` (tangent, skin mm):
//! - `normal`: the tilt from the skin normal is `θ_h` itself; the footprint is the ellipse of
//!   semi-axes `r / cos θ_h` along `l` and `r` across, exactly the flat map's.
//! - `frontal` (the tilts **compose**): the pen's axis is `+z` turned by `θ_h` towards `l`
//!   flattened onto the front plane, `a = z cos θ_h + ŵ sin θ_h`; the tilt from the skin is
//!   `θ = acos(a · n)` (on a cheek, leaning the pen's top towards the side the skin faces
//!   straightens it, leaning it the other way tilts it more), clipped to [`MAX_TILT_DEG`] and counted; the ellipse lies along `a`'s
//!   tangential part. The needles still travel along −z from the pen's plane.
//! - The hand moves no needle relative to the stamp (as on the flat map, where the tilt
//!   changes each footprint and depth, not where the needle enters); the drag is `J⁺ d` in
//!   the chart ([`Shape::drag`], and the punctures' `drag_x_mm, drag_y_mm`, chart mm).
//!
//! The skin footprint (disk or ellipse) maps through `J⁺` to an exact ellipse in the chart:
//! the image of the unit disk under the 2 × 2 matrix `M = J⁺ [l m] diag(1/cos θ, 1)`, whose
//! singular values and left vectors give the chart semi-axes per mm of radius
//! ([`Shape`]); a drag sweeps it along `J⁺ d` (exact: `J⁺` is affine on the triangle).
//! Conservation holds: every needle of every stamp is placed.

use crate::geometry::{Vec2, rotate};
use crate::needle::footprint::{MAX_TILT_DEG, Shape};
use crate::needle::puncture::Puncture;
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;
use nalgebra::Matrix2;

use super::chart::{Chart, TriMap, Vec3};
use super::plan::SurfaceStamp;

/// How the pen is held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PenOrientation {
    /// At 90° to the local skin (the surface normal at the cartridge centre).
    #[default]
    Normal,
    /// Square to the face front: the pen's axis along −z, whatever the skin does.
    Frontal,
}

impl PenOrientation {
    pub const NAMES: [&'static str; 2] = ["normal", "frontal"];
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(PenOrientation::Normal),
            "frontal" => Some(PenOrientation::Frontal),
            _ => None,
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            PenOrientation::Normal => "normal",
            PenOrientation::Frontal => "frontal",
        }
    }
}

/// Where each needle landed on the surface (parallel to the punctures).
#[derive(Clone, Debug, Default)]
pub struct Landing {
    /// Triangle under each needle (`u32::MAX`: off the mesh, e.g. over a hole).
    pub tri: Vec<u32>,
    /// Triangle under the needle's stamp centre (its tangent plane carries needles that
    /// land off the mesh).
    pub stamp_tri: Vec<u32>,
    /// Chart footprint per mm of radius.
    pub shape: Vec<Shape>,
    /// Pen tilt from the skin normal at each stamp, degrees, the hand's included (one per
    /// puncture; its magnitude: the punctures' `tilt_deg` keeps the flat map's sign).
    pub surface_tilt_deg: Vec<f32>,
    /// Stamps whose frontal tilt was clipped to [`MAX_TILT_DEG`].
    pub tilt_clipped: u64,
    /// Stamps whose hand tilt draw was clipped to [`MAX_TILT_DEG`] (by the hand model).
    pub hand_tilt_clipped: u64,
}

impl Landing {
    /// Room for `n` more needles.
    pub fn reserve(&mut self, n: usize) {
        self.tri.reserve(n);
        self.stamp_tri.reserve(n);
        self.shape.reserve(n);
        self.surface_tilt_deg.reserve(n);
    }

    /// Append `other`'s needles (and counts) after these.
    pub fn append(&mut self, other: Landing) {
        self.tri.extend(other.tri);
        self.stamp_tri.extend(other.stamp_tri);
        self.shape.extend(other.shape);
        self.surface_tilt_deg.extend(other.surface_tilt_deg);
        self.tilt_clipped += other.tilt_clipped;
        self.hand_tilt_clipped += other.hand_tilt_clipped;
    }
}

/// Off the mesh.
pub const NO_TRIANGLE: u32 = u32::MAX;

/// The chart ellipse of the unit disk under `m`: semi-axes (largest first) and the axis.
fn ellipse_of(m: Matrix2<f64>) -> Shape {
    let svd = m.svd(true, false);
    let u = svd.u.expect("asked for U");
    let (s0, s1) = (svd.singular_values[0], svd.singular_values[1]);
    let k = if s0 >= s1 { 0 } else { 1 };
    Shape { a_per_r: s0.max(s1), b_per_r: s0.min(s1), axis: Vec2::new(u[(0, k)], u[(1, k)]), drag: Vec2::zeros() }
}

/// The tangent frame `(e₁, e₂)` of triangle `t`.
pub fn tangent_frame(t: &TriMap) -> (Vec3, Vec3) {
    let e1 = (t.jac * Vec2::new(1.0, 0.0)).normalize();
    (e1, t.normal.cross(&e1))
}

/// The hand at one stamp on the skin ([`crate::surface::walk`]): how far the pen is tilted
/// from the axis it is held along, which way it leans, and how far its needles slide.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StampHand {
    /// Tilt from the held axis (the local normal, or −z with `frontal`), degrees: the
    /// hand's tilt plus `90° − pen.angle_deg`, signed as on the flat map.
    pub tilt_deg: f64,
    /// Unit vector the pen leans towards, in the tangent plane of the stamp's triangle.
    pub lean: Vec3,
    /// Slide of each needle tip while in the skin, mm, in that tangent plane (zero: none).
    pub drag: Vec3,
}

/// Place every needle of `stamps` (one pass) on the surface: punctures in chart coordinates
/// appended to `out`, their landings to `landing`. `hands` (parallel to `stamps`) is the
/// real hand at each stamp; `None` is the ideal hand.
#[allow(clippy::too_many_arguments)]
pub fn place(
    chart: &Chart,
    cartridge: &Cartridge,
    device: &Device,
    orientation: PenOrientation,
    pass: u16,
    stamps: &[SurfaceStamp],
    hands: Option<&[StampHand]>,
    out: &mut Vec<Puncture>,
    landing: &mut Landing,
) {
    if let Some(h) = hands {
        assert_eq!(h.len(), stamps.len(), "one hand per stamp");
    }
    let offsets: Vec<Vec2> = cartridge.needles_mm.iter().map(|p| rotate(*p, device.rotation_deg)).collect();
    landing.reserve(stamps.len() * offsets.len());
    out.reserve(stamps.len() * offsets.len());
    let z = Vec3::new(0.0, 0.0, 1.0);
    let max_cos = MAX_TILT_DEG.to_radians().cos();
    for (s, st) in stamps.iter().enumerate() {
        let t = &chart.tris[st.tri as usize];
        let (e1, e2) = tangent_frame(t);
        let n = t.normal;
        let hand = hands.map(|h| h[s]).filter(|h| h.tilt_deg != 0.0);
        // The footprint matrix on the skin, the tilt, and for a frontal pen its plane.
        let (foot, tilt_deg, pen) = match (orientation, hand) {
            (PenOrientation::Normal, None) => ([e1, e2], 0.0, None),
            (PenOrientation::Normal, Some(h)) => {
                let cos = h.tilt_deg.to_radians().cos();
                ([h.lean / cos, n.cross(&h.lean)], h.tilt_deg, None)
            }
            (PenOrientation::Frontal, _) => {
                // The pen's axis (tip to top): +z, tilted by the hand towards its lean
                // flattened onto the front plane.
                let axis = match hand {
                    None => z,
                    Some(h) => {
                        let w = Vec3::new(h.lean.x, h.lean.y, 0.0);
                        let w = if w.norm() > 1e-9 { w.normalize() } else { Vec3::new(1.0, 0.0, 0.0) };
                        let (sin, cos) = h.tilt_deg.to_radians().sin_cos();
                        z * cos + w * sin
                    }
                };
                let c = axis.dot(&n);
                let mut tilt = c.clamp(-1.0, 1.0).acos().to_degrees();
                if tilt > MAX_TILT_DEG {
                    tilt = MAX_TILT_DEG;
                    landing.tilt_clipped += 1;
                }
                let nz = n.z.max(max_cos);
                // The pen's plane: e₁ flattened onto xy (or x when e₁ is along z).
                let f1 = {
                    let f = Vec3::new(e1.x, e1.y, 0.0);
                    if f.norm() > 1e-9 { f.normalize() } else { Vec3::new(1.0, 0.0, 0.0) }
                };
                let lean = axis - n * c;
                let l = if lean.norm() > 1e-9 { lean.normalize() } else { e1 };
                let cos = tilt.to_radians().cos();
                ([l / cos, n.cross(&l)], tilt, Some((f1, z.cross(&f1), nz)))
            }
        };
        // A needle's offset on the skin: in the tangent plane, or from the pen's plane along
        // −z to the tangent plane (the hand's tilt moves no needle, as on the flat map).
        let skin_offset = |o: Vec2| match pen {
            None => e1 * o.x + e2 * o.y,
            Some((f1, f2, nz)) => {
                let w: Vec3 = f1 * o.x + f2 * o.y;
                w + z * (-(w.dot(&n)) / nz)
            }
        };
        let m = t.inv * nalgebra::Matrix3x2::from_columns(&foot);
        let mut shape = ellipse_of(m);
        if let Some(h) = hands.map(|h| h[s]) {
            shape.drag = t.inv * h.drag;
        }
        for (k, o) in offsets.iter().enumerate() {
            let p = st.center + t.inv * skin_offset(*o);
            out.push(Puncture {
                pass,
                stamp: s as u32,
                needle: k as u16,
                x_mm: p.x,
                y_mm: p.y,
                depth_mm: cartridge.depth_mm,
                t_s: st.t_s,
                tilt_deg: tilt_deg as f32,
                tilt_azimuth_deg: shape.axis.y.atan2(shape.axis.x).to_degrees() as f32,
                drag_x_mm: shape.drag.x as f32,
                drag_y_mm: shape.drag.y as f32,
            });
            landing.tri.push(chart.locate(p).unwrap_or(NO_TRIANGLE));
            landing.stamp_tri.push(st.tri);
            landing.shape.push(shape);
            landing.surface_tilt_deg.push(tilt_deg.abs() as f32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::shapes::flat_rect;
    use std::f64::consts::PI;

    /// A plane turned α = 40° about y (normal (sin α, 0, cos α), isometric chart). Frontal: no
    /// hand gives tilt α; a hand tilting θ_h = 15° towards +x (the side the skin faces) gives |α − θ_h|, towards
    /// −x gives α + θ_h. Normal: θ_h itself. Every hole's chart area is πr²/cos(tilt).
    #[test]
    fn frontal_tilt_composes_with_the_hand() {
        let alpha: f64 = 40.0;
        let (s, c) = alpha.to_radians().sin_cos();
        let mut mesh = flat_rect(10.0, 10.0, 2, 2, "plane");
        for p in &mut mesh.positions_mm {
            *p = [p[0] * c, p[1], -p[0] * s];
        }
        let chart = Chart::new(&mesh, "plane").unwrap();
        let center = Vec2::new(5.0, 5.0);
        let tri = chart.locate(center).unwrap();
        let e1 = tangent_frame(&chart.tris[tri as usize]).0;
        assert!((e1 - Vec3::new(c, 0.0, -s)).norm() < 1e-12, "{e1:?}");
        let cartridge = Cartridge { needles_mm: vec![Vec2::zeros()], needle_diameter_mm: 0.18, depth_mm: 1.0 };
        let stamp = [SurfaceStamp { center, tri, t_s: 0.0 }];
        let tilt_of = |orientation, hand: Option<StampHand>| {
            let (mut out, mut landing) = (Vec::new(), Landing::default());
            let hands = hand.map(|h| vec![h]);
            place(&chart, &cartridge, &Device::default(), orientation, 0, &stamp, hands.as_deref(), &mut out, &mut landing);
            let sh = landing.shape[0];
            assert!((PI * sh.a_per_r * sh.b_per_r * (out[0].tilt_deg as f64).to_radians().cos() - PI).abs() < 1e-5, "{sh:?}");
            landing.surface_tilt_deg[0] as f64
        };
        let hand = |lean: Vec3| Some(StampHand { tilt_deg: 15.0, lean, drag: Vec3::zeros() });
        assert!((tilt_of(PenOrientation::Frontal, None) - 40.0).abs() < 1e-4);
        assert!((tilt_of(PenOrientation::Frontal, hand(e1)) - 25.0).abs() < 1e-4);
        assert!((tilt_of(PenOrientation::Frontal, hand(-e1)) - 55.0).abs() < 1e-4);
        assert!((tilt_of(PenOrientation::Normal, hand(e1)) - 15.0).abs() < 1e-6);
        assert_eq!(tilt_of(PenOrientation::Normal, None), 0.0);
    }
}
