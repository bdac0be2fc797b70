//! Simple polygons on the face-map plane (mm, x right, y up): the shapes of face regions and
//! no-go zones.
//!
//! **Model.** A [`Polygon`] is a closed ring of at least 3 vertices, stored counter-clockwise
//! without repeating the first vertex, that does not cross or touch itself (checked once in
//! [`Polygon::new`]). Inside is decided by the crossing rule: a point is inside when a ray to
//! +x crosses an odd number of edges, an edge `(a, b)` counting when `(a.y > y) != (b.y > y)`
//! and the point lies left of the crossing. Every inside test in this crate (`contains`, the
//! row scan [`Polygon::row_crossings`] used to label grid rows) uses this one rule with the
//! same arithmetic, so the two never disagree, even on an edge.
//!
//! **Exact areas.** Area is the shoelace sum. The area (and centroid) of the intersection of
//! two polygons uses the fan identity: with triangles `T_i = (o, a_i, a_{i+1})` of signed
//! orientation `s_i`, the indicator of a polygon is `Σ s_i·1[T_i]` almost everywhere, so
//! `|A ∩ B| = Σ_i Σ_j s_i s_j |T_i ∩ T_j|`, each term a convex clip (Sutherland–Hodgman). It
//! needs no special cases for shared edges or touching vertices, which face maps are full of.
//!
//! # Runtime
//! `new` O(n²) (self-intersection test), `contains`/`distance_to_boundary`/`classify_rect`
//! O(n), `clip_line` O(n·k) for k crossings, `intersection` O(n·m).

use crate::geometry::interval;
use crate::geometry::{Rect, Vec2};

/// Most vertices one polygon may have (the self-intersection test is quadratic).
pub const MAX_VERTICES: usize = 20_000;

/// Why a vertex list is not a simple polygon.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PolygonError {
    #[error("{0} vertices; a polygon needs at least 3 distinct vertices")]
    TooFewVertices(usize),
    #[error("{0} vertices; at most {MAX_VERTICES} are allowed")]
    TooManyVertices(usize),
    #[error("vertex {index} = ({x}, {y}) is not a finite point")]
    NotFinite { index: usize, x: f64, y: f64 },
    #[error("vertices {index} and {next} are the same point ({x}, {y}); remove the repeat")]
    RepeatedVertex { index: usize, next: usize, x: f64, y: f64 },
    #[error("the polygon has zero area (all vertices on one line)")]
    ZeroArea,
    #[error("edges {a} and {b} cross or touch near ({x:.3}, {y:.3}) mm: the polygon is self-intersecting")]
    SelfIntersecting { a: usize, b: usize, x: f64, y: f64 },
}

/// How an axis-aligned rectangle relates to a polygon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RectRelation {
    /// The rectangle lies wholly inside (edges may touch).
    Inside,
    /// No point of the rectangle's interior is inside.
    Outside,
    /// The boundary passes through the rectangle (or touches it): test points one by one.
    Mixed,
}

/// A simple polygon, counter-clockwise, mm.
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    vertices: Vec<Vec2>,
    bounds: Rect,
    area_mm2: f64,
}

#[inline]
fn cross(a: Vec2, b: Vec2) -> f64 {
    a.x * b.y - a.y * b.x
}

#[inline]
fn orient(a: Vec2, b: Vec2, c: Vec2) -> f64 {
    cross(b - a, c - a)
}

/// Signed shoelace area of a ring (positive when counter-clockwise), mm².
pub fn signed_area(ring: &[Vec2]) -> f64 {
    let n = ring.len();
    0.5 * (0..n).map(|i| cross(ring[i], ring[(i + 1) % n])).sum::<f64>()
}

/// x where the edge `(a, b)` crosses the horizontal line at `y`; the one formula that both
/// `contains` and `row_crossings` use. Only meaningful when `(a.y > y) != (b.y > y)`.
#[inline]
fn x_cross(a: Vec2, b: Vec2, y: f64) -> f64 {
    a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
}

/// True when `p` (collinear with `a`, `b`) lies within the segment's bounding box.
#[inline]
fn within(a: Vec2, b: Vec2, p: Vec2) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// True when the closed segments `[p1, p2]` and `[q1, q2]` share at least one point.
pub fn segments_touch(p1: Vec2, p2: Vec2, q1: Vec2, q2: Vec2) -> bool {
    let d1 = orient(q1, q2, p1);
    let d2 = orient(q1, q2, p2);
    let d3 = orient(p1, p2, q1);
    let d4 = orient(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0)) && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0)) {
        return true;
    }
    (d1 == 0.0 && within(q1, q2, p1))
        || (d2 == 0.0 && within(q1, q2, p2))
        || (d3 == 0.0 && within(p1, p2, q1))
        || (d4 == 0.0 && within(p1, p2, q2))
}

/// Distance from `p` to the closed segment `[a, b]`, mm.
pub fn point_segment_distance(p: Vec2, a: Vec2, b: Vec2) -> f64 {
    let e = b - a;
    let l2 = e.norm_squared();
    let t = if l2 > 0.0 { ((p - a).dot(&e) / l2).clamp(0.0, 1.0) } else { 0.0 };
    (p - (a + e * t)).norm()
}

/// Does the closed segment `[a, b]` meet the closed rectangle `r`? (Liang–Barsky.)
fn segment_meets_rect(a: Vec2, b: Vec2, r: &Rect) -> bool {
    if a.x.max(b.x) < r.x0 || a.x.min(b.x) > r.x1 || a.y.max(b.y) < r.y0 || a.y.min(b.y) > r.y1 {
        return false;
    }
    let d = b - a;
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, u, lo, hi) in [(a.x, d.x, r.x0, r.x1), (a.y, d.y, r.y0, r.y1)] {
        if u == 0.0 {
            if p < lo || p > hi {
                return false;
            }
        } else {
            let (s0, s1) = ((lo - p) / u, (hi - p) / u);
            t0 = t0.max(s0.min(s1));
            t1 = t1.min(s0.max(s1));
        }
    }
    t0 <= t1
}

impl Polygon {
    /// A simple polygon from its vertices in order (either orientation; the ring is closed
    /// implicitly, so do not repeat the first vertex at the end).
    pub fn new(vertices: Vec<Vec2>) -> Result<Self, PolygonError> {
        let n = vertices.len();
        if n > MAX_VERTICES {
            return Err(PolygonError::TooManyVertices(n));
        }
        if let Some((index, p)) = vertices.iter().enumerate().find(|(_, p)| !(p.x.is_finite() && p.y.is_finite())) {
            return Err(PolygonError::NotFinite { index, x: p.x, y: p.y });
        }
        if n < 3 {
            return Err(PolygonError::TooFewVertices(n));
        }
        for i in 0..n {
            let j = (i + 1) % n;
            if vertices[i] == vertices[j] {
                return Err(PolygonError::RepeatedVertex { index: i, next: j, x: vertices[i].x, y: vertices[i].y });
            }
        }
        let mut vertices = vertices;
        let mut a = signed_area(&vertices);
        if a.abs() <= 1e-12 * (1.0 + bounds_of(&vertices).area()) {
            return Err(PolygonError::ZeroArea);
        }
        if a < 0.0 {
            vertices.reverse();
            a = -a;
        }
        check_simple(&vertices)?;
        let bounds = bounds_of(&vertices);
        Ok(Polygon { vertices, bounds, area_mm2: a })
    }

    /// The axis-aligned rectangle `r` as a polygon.
    pub fn rect(r: Rect) -> Result<Self, PolygonError> {
        Self::new(r.corners().to_vec())
    }

    /// Vertices, counter-clockwise, mm.
    pub fn vertices(&self) -> &[Vec2] {
        &self.vertices
    }

    /// Edges `(a, b)` in order.
    pub fn edges(&self) -> impl Iterator<Item = (Vec2, Vec2)> + '_ {
        let n = self.vertices.len();
        (0..n).map(move |i| (self.vertices[i], self.vertices[(i + 1) % n]))
    }

    /// Bounding box, mm.
    pub fn bounds(&self) -> Rect {
        self.bounds
    }

    /// Exact area (shoelace), mm².
    pub fn area_mm2(&self) -> f64 {
        self.area_mm2
    }

    /// Length of the boundary, mm.
    pub fn perimeter_mm(&self) -> f64 {
        self.edges().map(|(a, b)| (b - a).norm()).sum()
    }

    /// Area centroid, mm.
    pub fn centroid(&self) -> Vec2 {
        let o = self.vertices[0];
        let mut m = Vec2::zeros();
        for (a, b) in self.edges() {
            let (a, b) = (a - o, b - o);
            m += (a + b) * cross(a, b);
        }
        o + m / (6.0 * self.area_mm2)
    }

    /// Is `p` inside (crossing rule; see the module doc for points on an edge)?
    #[inline]
    pub fn contains(&self, p: Vec2) -> bool {
        let b = &self.bounds;
        if p.x < b.x0 || p.x > b.x1 || p.y < b.y0 || p.y > b.y1 {
            return false;
        }
        let mut inside = false;
        for (a, b) in self.edges() {
            if (a.y > p.y) != (b.y > p.y) && p.x < x_cross(a, b, p.y) {
                inside = !inside;
            }
        }
        inside
    }

    /// Append the x of every edge crossing of the horizontal line `y` (the rule of
    /// `contains`), unsorted. A point `(x, y)` is inside exactly when an odd number of the
    /// crossings are `> x`.
    pub fn row_crossings(&self, y: f64, out: &mut Vec<f64>) {
        for (a, b) in self.edges() {
            if (a.y > y) != (b.y > y) {
                out.push(x_cross(a, b, y));
            }
        }
    }

    /// Distance from `p` to the nearest edge, mm (0 on the boundary; positive inside and out).
    pub fn distance_to_boundary(&self, p: Vec2) -> f64 {
        self.edges().map(|(a, b)| point_segment_distance(p, a, b)).fold(f64::INFINITY, f64::min)
    }

    /// Does the closed disk of radius `r_mm` at `p` meet the polygon (inside or touching)?
    pub fn meets_disk(&self, p: Vec2, r_mm: f64) -> bool {
        let b = &self.bounds;
        if p.x < b.x0 - r_mm || p.x > b.x1 + r_mm || p.y < b.y0 - r_mm || p.y > b.y1 + r_mm {
            return false;
        }
        self.contains(p) || self.distance_to_boundary(p) <= r_mm
    }

    /// How the closed rectangle `r` relates to the polygon.
    pub fn classify_rect(&self, r: &Rect) -> RectRelation {
        let b = &self.bounds;
        if b.x1 < r.x0 || b.x0 > r.x1 || b.y1 < r.y0 || b.y0 > r.y1 {
            return RectRelation::Outside;
        }
        if self.edges().any(|(a, b)| segment_meets_rect(a, b, r)) {
            return RectRelation::Mixed;
        }
        // No edge meets the rectangle: it is wholly inside or wholly outside.
        if self.contains(r.center()) { RectRelation::Inside } else { RectRelation::Outside }
    }

    /// Parameter intervals `[t0, t1]` (sorted, disjoint) where the line `p + t·u` is inside.
    /// A line may enter and leave a non-convex polygon several times.
    pub fn clip_line(&self, p: Vec2, u: Vec2) -> Vec<(f64, f64)> {
        let uu = u.norm_squared();
        if uu == 0.0 {
            return Vec::new();
        }
        let param = |q: Vec2| (q - p).dot(&u) / uu;
        let mut ts: Vec<f64> = Vec::new();
        for (a, b) in self.edges() {
            let e = b - a;
            let denom = cross(u, e);
            if denom.abs() <= 1e-12 * u.norm() * e.norm() {
                // Parallel (or nearly): its end points bound any shared piece. Extra cut
                // points are harmless; missing ones are not.
                ts.push(param(a));
                ts.push(param(b));
            } else {
                let s = cross(a - p, u) / denom;
                if (-1e-9..=1.0 + 1e-9).contains(&s) {
                    ts.push(cross(a - p, e) / denom);
                }
            }
        }
        ts.sort_by(f64::total_cmp);
        ts.dedup();
        let mut out = Vec::new();
        for w in ts.windows(2) {
            if w[1] - w[0] > interval::MIN_LEN && self.contains(p + u * (0.5 * (w[0] + w[1]))) {
                out.push((w[0], w[1]));
            }
        }
        interval::normalise(out)
    }

    /// Parameter intervals where the line `p + t·u` is inside the polygon or within
    /// `margin_mm` of it (the polygon grown by a disk of that radius).
    pub fn clip_line_grown(&self, margin_mm: f64, p: Vec2, u: Vec2) -> Vec<(f64, f64)> {
        let mut v = self.clip_line(p, u);
        if margin_mm > 0.0 {
            v.extend(self.edges().filter_map(|(a, b)| band_interval(a, b, margin_mm, p, u)));
        }
        interval::normalise(v)
    }

    /// Area (mm²) and centroid of the intersection with `other`; centroid `None` when the
    /// polygons do not overlap.
    pub fn intersection(&self, other: &Polygon) -> (f64, Option<Vec2>) {
        if !self.bounds.intersects(&other.bounds) {
            return (0.0, None);
        }
        let o = self.vertices[0];
        let tris = |poly: &Polygon| -> Vec<([Vec2; 3], f64, Rect)> {
            poly.edges()
                .filter_map(|(a, b)| {
                    let (a, b) = (a - o, b - o);
                    let s = cross(a, b);
                    if s == 0.0 {
                        return None;
                    }
                    let t = if s > 0.0 { [Vec2::zeros(), a, b] } else { [Vec2::zeros(), b, a] };
                    Some((t, s.signum(), bounds_of(&t)))
                })
                .collect()
        };
        let (ta, tb) = (tris(self), tris(other));
        let (mut area, mut moment) = (0.0, Vec2::zeros());
        let mut buf = (Vec::with_capacity(12), Vec::with_capacity(12));
        for (a, sa, ra) in &ta {
            for (b, sb, rb) in &tb {
                if !ra.intersects(rb) {
                    continue;
                }
                clip_convex(a, b, &mut buf);
                let (ar, m) = area_moment(&buf.0);
                area += sa * sb * ar;
                moment += m * (sa * sb);
            }
        }
        let scale = self.area_mm2.min(other.area_mm2);
        if area <= 1e-9 * scale.max(1e-12) {
            return (area.max(0.0), None);
        }
        (area, Some(o + moment / area))
    }
}

fn bounds_of(pts: &[Vec2]) -> Rect {
    pts.iter().fold(Rect::new(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |r, p| {
        Rect::new(r.x0.min(p.x), r.y0.min(p.y), r.x1.max(p.x), r.y1.max(p.y))
    })
}

/// Error unless no two edges meet except neighbours at their shared vertex.
fn check_simple(v: &[Vec2]) -> Result<(), PolygonError> {
    let n = v.len();
    let edge = |i: usize| (v[i], v[(i + 1) % n]);
    let boxes: Vec<Rect> = (0..n).map(|i| bounds_of(&[edge(i).0, edge(i).1])).collect();
    let fail = |a: usize, b: usize| {
        let (p, q) = edge(a);
        let m = 0.5 * (p + q);
        PolygonError::SelfIntersecting { a, b, x: m.x, y: m.y }
    };
    for i in 0..n {
        // Neighbour i, i+1 share v[i+1]: they meet elsewhere only by folding back on a line.
        let (a, s) = edge(i);
        let c = v[(i + 2) % n];
        if orient(a, s, c) == 0.0 && (a - s).dot(&(c - s)) > 0.0 {
            return Err(fail(i, (i + 1) % n));
        }
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue; // neighbours through v[0]; the fold-back test above covers them
            }
            let (bi, bj) = (&boxes[i], &boxes[j]);
            if bi.x1 < bj.x0 || bj.x1 < bi.x0 || bi.y1 < bj.y0 || bj.y1 < bi.y0 {
                continue;
            }
            let (p1, p2) = edge(i);
            let (q1, q2) = edge(j);
            if segments_touch(p1, p2, q1, q2) {
                return Err(fail(i, j));
            }
        }
    }
    Ok(())
}

/// Parameter interval where the line `p + t·u` is within `m` of the segment `[a, b]`: the
/// hull of its pieces in the two end disks and the band between them (a capsule is convex,
/// so the pieces form one interval).
fn band_interval(a: Vec2, b: Vec2, m: f64, p: Vec2, u: Vec2) -> Option<(f64, f64)> {
    let uu = u.norm_squared();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in [a, b] {
        let w = p - c;
        let (hb, cc) = (u.dot(&w), w.norm_squared() - m * m);
        let disc = hb * hb - uu * cc;
        if disc >= 0.0 {
            let r = disc.sqrt();
            lo = lo.min((-hb - r) / uu);
            hi = hi.max((-hb + r) / uu);
        }
    }
    let e = b - a;
    let l = e.norm();
    if l > 0.0 {
        let (ex, nx) = (e / l, Vec2::new(-e.y / l, e.x / l));
        let (mut t0, mut t1) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut hit = true;
        for (s0, ds, smin, smax) in [((p - a).dot(&ex), u.dot(&ex), 0.0, l), ((p - a).dot(&nx), u.dot(&nx), -m, m)] {
            if ds.abs() < 1e-15 {
                if s0 < smin || s0 > smax {
                    hit = false;
                }
            } else {
                let (x, y) = ((smin - s0) / ds, (smax - s0) / ds);
                t0 = t0.max(x.min(y));
                t1 = t1.min(x.max(y));
            }
        }
        if hit && t0 <= t1 {
            lo = lo.min(t0);
            hi = hi.max(t1);
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// Clip the convex CCW polygon `subject` by the convex CCW triangle `clip` into `buf.0`.
fn clip_convex(subject: &[Vec2; 3], clip: &[Vec2; 3], buf: &mut (Vec<Vec2>, Vec<Vec2>)) {
    let (out, tmp) = buf;
    out.clear();
    out.extend_from_slice(subject);
    for k in 0..3 {
        let (c0, c1) = (clip[k], clip[(k + 1) % 3]);
        std::mem::swap(out, tmp);
        out.clear();
        let n = tmp.len();
        for i in 0..n {
            let (s, e) = (tmp[i], tmp[(i + 1) % n]);
            let (ds, de) = (orient(c0, c1, s), orient(c0, c1, e));
            if ds >= 0.0 {
                out.push(s);
            }
            if (ds >= 0.0) != (de >= 0.0) {
                out.push(s + (e - s) * (ds / (ds - de)));
            }
        }
        if out.is_empty() {
            return;
        }
    }
}

/// Area and first moment (∫x, ∫y) of a CCW polygon.
fn area_moment(v: &[Vec2]) -> (f64, Vec2) {
    let n = v.len();
    if n < 3 {
        return (0.0, Vec2::zeros());
    }
    let (mut a, mut m) = (0.0, Vec2::zeros());
    for i in 0..n {
        let (p, q) = (v[i], v[(i + 1) % n]);
        let c = cross(p, q);
        a += c;
        m += (p + q) * c;
    }
    (0.5 * a, m / 6.0)
}

/// A point well inside a shape: approximately the interior point farthest from the shape's
/// boundary (pole of inaccessibility), by a coarse grid search refined four times. `inside`
/// says whether a point belongs to the shape, `clearance` how far it is from its boundary.
/// Returns `None` when no grid point falls inside.
pub fn label_point(bounds: Rect, inside: impl Fn(Vec2) -> bool, clearance: impl Fn(Vec2) -> f64) -> Option<Vec2> {
    const N: usize = 24;
    let mut best: Option<(f64, Vec2)> = None;
    let consider = |p: Vec2, best: &mut Option<(f64, Vec2)>| {
        if inside(p) {
            let d = clearance(p);
            if best.is_none_or(|(bd, _)| d > bd) {
                *best = Some((d, p));
            }
        }
    };
    let (w, h) = (bounds.width() / N as f64, bounds.height() / N as f64);
    for j in 0..N {
        for i in 0..N {
            consider(Vec2::new(bounds.x0 + (i as f64 + 0.5) * w, bounds.y0 + (j as f64 + 0.5) * h), &mut best);
        }
    }
    let (mut sw, mut sh) = (w, h);
    for _ in 0..4 {
        let (_, c) = best?;
        for j in -4..=4 {
            for i in -4..=4 {
                consider(c + Vec2::new(i as f64 * sw / 4.0, j as f64 * sh / 4.0), &mut best);
            }
        }
        sw /= 2.0;
        sh /= 2.0;
    }
    best.map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(pts: &[(f64, f64)]) -> Polygon {
        Polygon::new(pts.iter().map(|&(x, y)| Vec2::new(x, y)).collect()).unwrap()
    }

    #[test]
    fn shoelace_of_an_l_shape_and_its_centroid() {
        // 2×2 square with a 1×1 bite out of the top right: area 3.
        let l = poly(&[(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0)]);
        assert!((l.area_mm2() - 3.0).abs() < 1e-12);
        // Centroid: (3 unit squares at (0.5,0.5), (1.5,0.5), (0.5,1.5)) / 3.
        assert!((l.centroid() - Vec2::new(2.5 / 3.0, 2.5 / 3.0)).norm() < 1e-12);
        assert!(l.contains(Vec2::new(0.5, 1.5)) && !l.contains(Vec2::new(1.5, 1.5)));
    }

    #[test]
    fn clockwise_input_is_turned_around() {
        let p = poly(&[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]);
        assert!(signed_area(p.vertices()) > 0.0);
    }

    #[test]
    fn bad_rings_are_refused() {
        let v = |pts: &[(f64, f64)]| Polygon::new(pts.iter().map(|&(x, y)| Vec2::new(x, y)).collect());
        assert_eq!(v(&[(0.0, 0.0), (1.0, 0.0)]), Err(PolygonError::TooFewVertices(2)));
        assert!(v(&[(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]).is_ok());
        // Bow tie.
        assert!(matches!(v(&[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 1.0)]), Err(PolygonError::SelfIntersecting { .. })));
        // A vertex touching a non-adjacent edge.
        assert!(matches!(v(&[(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (1.0, 0.0), (0.0, 2.0)]), Err(PolygonError::SelfIntersecting { .. })));
        // A spike folding back on itself.
        assert!(matches!(v(&[(0.0, 0.0), (2.0, 0.0), (1.0, 0.0), (1.0, 1.0)]), Err(PolygonError::SelfIntersecting { .. })));
        assert_eq!(v(&[(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)]), Err(PolygonError::ZeroArea));
        assert!(matches!(v(&[(0.0, 0.0), (1.0, 0.0), (1.0, 0.0), (0.0, 1.0)]), Err(PolygonError::RepeatedVertex { .. })));
        assert!(matches!(v(&[(0.0, 0.0), (f64::NAN, 0.0), (0.0, 1.0)]), Err(PolygonError::NotFinite { index: 1, .. })));
    }

    #[test]
    fn line_through_a_u_shape_splits_in_two() {
        // U: outer 0..3 × 0..3 with a notch 1..2 × 1..3.
        let u = poly(&[(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (2.0, 3.0), (2.0, 1.0), (1.0, 1.0), (1.0, 3.0), (0.0, 3.0)]);
        let iv = u.clip_line(Vec2::new(-1.0, 2.0), Vec2::new(1.0, 0.0));
        assert_eq!(iv.len(), 2);
        assert!((iv[0].0 - 1.0).abs() < 1e-12 && (iv[0].1 - 2.0).abs() < 1e-12);
        assert!((iv[1].0 - 3.0).abs() < 1e-12 && (iv[1].1 - 4.0).abs() < 1e-12);
        // Through the base: one piece; along the bottom edge: the piece on the boundary.
        assert_eq!(u.clip_line(Vec2::new(-1.0, 0.5), Vec2::new(2.0, 0.0)).len(), 1);
    }

    #[test]
    fn grown_clip_matches_a_disk_around_a_vertex() {
        let sq = poly(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        // Horizontal line at y = 1.5, margin 1: reaches x = -√0.75 … 1 + √0.75.
        let iv = sq.clip_line_grown(1.0, Vec2::new(0.0, 1.5), Vec2::new(1.0, 0.0));
        let r = 0.75f64.sqrt();
        assert_eq!(iv.len(), 1);
        assert!((iv[0].0 + r).abs() < 1e-12 && (iv[0].1 - 1.0 - r).abs() < 1e-12, "{iv:?}");
    }

    #[test]
    fn intersection_of_offset_squares_and_shared_edges() {
        let a = poly(&[(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]);
        let b = poly(&[(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)]);
        let (ar, c) = a.intersection(&b);
        assert!((ar - 1.0).abs() < 1e-12);
        assert!((c.unwrap() - Vec2::new(1.5, 1.5)).norm() < 1e-12);
        // Neighbours sharing an edge (and a T-junction) do not overlap.
        let n = poly(&[(2.0, 0.0), (4.0, 0.0), (4.0, 1.0), (2.0, 1.0)]);
        assert!(a.intersection(&n).0.abs() < 1e-12);
        assert!((a.intersection(&a).0 - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rect_classification() {
        let tri = poly(&[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)]);
        assert_eq!(tri.classify_rect(&Rect::new(1.0, 1.0, 2.0, 2.0)), RectRelation::Inside);
        assert_eq!(tri.classify_rect(&Rect::new(6.0, 6.0, 7.0, 7.0)), RectRelation::Outside);
        assert_eq!(tri.classify_rect(&Rect::new(4.0, 4.0, 6.0, 6.0)), RectRelation::Mixed);
        // A polygon wholly inside the rectangle.
        assert_eq!(tri.classify_rect(&Rect::new(-1.0, -1.0, 11.0, 11.0)), RectRelation::Mixed);
    }
}
