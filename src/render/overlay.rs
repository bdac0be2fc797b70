//! Overlays drawn over a map: outlined polygons with an optional label (face regions, the
//! patch edge, the inset window), hatched polygons (no-go zones) and marked points
//! (punctures inside a no-go zone, whose cells the map itself leaves blank). Polygons are in mm on
//! the map plane; this module knows nothing about faces, so any map can supply them.

use crate::geometry::Vec2;

use super::canvas::Canvas;
use super::svg::{self, Svg};

/// Outline colour: white reads on every viridis colour but the brightest yellow, where the
/// dark label halo carries it.
pub const OUTLINE_RGB: [u8; 3] = [255, 255, 255];
/// No-go hatching: red stripes (no fill, so holes inside stay visible), unlike any viridis
/// colour.
pub const NO_GO_HATCH_RGB: [u8; 3] = [200, 30, 30];

/// A polygon in mm, closed implicitly (last vertex joins the first).
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub polygon_mm: Vec<Vec2>,
    /// Text drawn at `anchor_mm` or the polygon's centroid (user text: escaped in SVG).
    pub label: Option<String>,
    /// Where the label goes, mm (a face map's label anchor); `None` = the centroid.
    pub anchor_mm: Option<Vec2>,
}

impl Shape {
    pub fn new(polygon_mm: Vec<Vec2>, label: Option<String>) -> Self {
        Shape { polygon_mm, label, anchor_mm: None }
    }

    /// The same shape with its label at `anchor_mm`.
    pub fn with_anchor(mut self, anchor_mm: Vec2) -> Self {
        self.anchor_mm = Some(anchor_mm);
        self
    }

    /// Area-weighted centroid (falls back to the vertex mean for a degenerate polygon).
    pub fn centroid(&self) -> Vec2 {
        let p = &self.polygon_mm;
        let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for k in 0..p.len() {
            let (u, v) = (p[k], p[(k + 1) % p.len()]);
            let cross = u.x * v.y - v.x * u.y;
            a += cross;
            cx += (u.x + v.x) * cross;
            cy += (u.y + v.y) * cross;
        }
        if a.abs() < 1e-12 {
            let n = p.len().max(1) as f64;
            return p.iter().fold(Vec2::zeros(), |s, q| s + q) / n;
        }
        Vec2::new(cx / (3.0 * a), cy / (3.0 * a))
    }
}

/// Everything drawn over a map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlays {
    /// Outlined, not filled (regions, the patch edge).
    pub outlines: Vec<Shape>,
    /// Hatched (no-go zones); drawn over the map, under the outlines.
    pub hatched: Vec<Shape>,
    /// Points marked on top of everything (punctures centred in a no-go zone), mm; at most
    /// [`MAX_MARKS`] are drawn.
    pub marks_mm: Vec<Vec2>,
}

/// Most marks drawn on one picture (beyond it the zone is solid red anyway).
pub const MAX_MARKS: usize = 20_000;
/// Mark colour: the no-go red, ringed in white so it reads over the red hatching.
pub const MARK_RGB: [u8; 3] = [230, 20, 20];

impl Overlays {
    pub fn is_empty(&self) -> bool {
        self.outlines.is_empty() && self.hatched.is_empty() && self.marks_mm.is_empty()
    }

    /// Labels with their anchor in mm.
    pub fn labels(&self) -> Vec<(Vec2, &str)> {
        self.hatched
            .iter()
            .chain(&self.outlines)
            .filter_map(|s| s.label.as_deref().map(|l| (s.anchor_mm.unwrap_or_else(|| s.centroid()), l)))
            .collect()
    }

    /// Paint the shapes (not the labels) onto `canvas`, mapping mm to pixels with `to_px`.
    pub fn paint(&self, canvas: &mut Canvas, to_px: &dyn Fn(Vec2) -> (f64, f64)) {
        for s in &self.hatched {
            // Stripes only, so punctures inside a no-go zone stay visible between them.
            let pts: Vec<(f64, f64)> = s.polygon_mm.iter().map(|p| to_px(*p)).collect();
            canvas.hatch_polygon(&pts, 6, 2, NO_GO_HATCH_RGB);
            canvas.polygon_outline(&pts, 1, NO_GO_HATCH_RGB);
        }
        for s in &self.outlines {
            let pts: Vec<(f64, f64)> = s.polygon_mm.iter().map(|p| to_px(*p)).collect();
            canvas.polygon_outline(&pts, 2, OUTLINE_RGB);
        }
        for m in self.marks_mm.iter().take(MAX_MARKS) {
            let (x, y) = to_px(*m);
            let (x, y) = (x.floor() as i32, y.floor() as i32);
            for (r, c) in [(2, OUTLINE_RGB), (1, MARK_RGB)] {
                for dy in -r..=r {
                    for dx in -r..=r {
                        canvas.put(x + dx, y + dy, c);
                    }
                }
            }
        }
    }

    /// The shapes as SVG elements (clipped by the caller), mapping mm to pixels with `to_px`.
    pub fn to_svg(&self, out: &mut Svg, to_px: &dyn Fn(Vec2) -> (f64, f64)) {
        let points = |s: &Shape| s.polygon_mm.iter().map(|p| to_px(*p)).collect::<Vec<_>>();
        for s in &self.hatched {
            out.polygon(
                &points(s),
                &format!("fill=\"url(#{})\" stroke=\"{}\" stroke-width=\"1\"", svg::HATCH_ID, svg::hex(NO_GO_HATCH_RGB)),
            );
        }
        for s in &self.outlines {
            out.polygon(&points(s), &format!("fill=\"none\" stroke=\"{}\" stroke-width=\"2\"", svg::hex(OUTLINE_RGB)));
        }
        let mark = format!("fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"", svg::hex(MARK_RGB), svg::hex(OUTLINE_RGB));
        for m in self.marks_mm.iter().take(MAX_MARKS) {
            let (x, y) = to_px(*m);
            out.rect(x - 2.0, y - 2.0, 4.0, 4.0, &mark);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroid_of_a_rectangle_is_its_centre() {
        let s = Shape::new(vec![Vec2::new(0.0, 0.0), Vec2::new(4.0, 0.0), Vec2::new(4.0, 2.0), Vec2::new(0.0, 2.0)], None);
        assert!((s.centroid() - Vec2::new(2.0, 1.0)).norm() < 1e-12);
    }
}
