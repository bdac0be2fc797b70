//! Clearance: the straight-line (3D) distance from a skin point to a set of triangles (the
//! no-go zones), with a uniform 3D hash grid so a query looks at nearby triangles only.
//!
//! The straight-line distance is never more than the distance along the skin, so a point at
//! least `margin` mm away in 3D is at least `margin` mm away on the skin (conservative).

use std::collections::HashMap;

use super::chart::{Chart, Vec3};

/// Triangles to keep away from, bucketed in 3D.
#[derive(Clone, Debug, Default)]
pub struct Clearance {
    tris: Vec<[Vec3; 3]>,
    cell_mm: f64,
    cells: HashMap<(i64, i64, i64), Vec<u32>>,
}

/// Closest point of triangle `abc` to `p` (Ericson, Real-Time Collision Detection, 5.1.5).
pub fn closest_on_triangle(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> Vec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(&ap), ac.dot(&ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(&bp), ac.dot(&bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(&cp), ac.dot(&cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    a + ab * (vb * denom) + ac * (vc * denom)
}

impl Clearance {
    /// The triangles of `chart` in `groups`, bucketed for queries up to about `margin_mm`.
    pub fn new(chart: &Chart, groups: &[u32], margin_mm: f64) -> Self {
        let tris: Vec<[Vec3; 3]> = chart
            .tris
            .iter()
            .filter(|t| groups.contains(&t.group))
            .map(|t| [t.to_skin(t.chart[0]), t.to_skin(t.chart[1]), t.to_skin(t.chart[2])])
            .collect();
        let cell_mm = margin_mm.max(1.0);
        let mut cells: HashMap<(i64, i64, i64), Vec<u32>> = HashMap::new();
        for (k, t) in tris.iter().enumerate() {
            let lo = t[0].inf(&t[1]).inf(&t[2]);
            let hi = t[0].sup(&t[1]).sup(&t[2]);
            let (a, b) = (Self::cell(lo, cell_mm), Self::cell(hi, cell_mm));
            for i in a.0..=b.0 {
                for j in a.1..=b.1 {
                    for l in a.2..=b.2 {
                        cells.entry((i, j, l)).or_default().push(k as u32);
                    }
                }
            }
        }
        Clearance { tris, cell_mm, cells }
    }

    fn cell(p: Vec3, cell_mm: f64) -> (i64, i64, i64) {
        ((p.x / cell_mm).floor() as i64, (p.y / cell_mm).floor() as i64, (p.z / cell_mm).floor() as i64)
    }

    /// No triangle at all.
    pub fn is_empty(&self) -> bool {
        self.tris.is_empty()
    }

    /// True when every triangle is more than `margin_mm` from `p` (3D; `margin_mm` ≤ the
    /// bucketing margin, or 1 mm).
    pub fn clear(&self, p: Vec3, margin_mm: f64) -> bool {
        if self.tris.is_empty() {
            return true;
        }
        let reach = (margin_mm / self.cell_mm).ceil() as i64;
        let c = Self::cell(p, self.cell_mm);
        for i in c.0 - reach..=c.0 + reach {
            for j in c.1 - reach..=c.1 + reach {
                for l in c.2 - reach..=c.2 + reach {
                    let Some(list) = self.cells.get(&(i, j, l)) else { continue };
                    for &k in list {
                        let [a, b, cc] = self.tris[k as usize];
                        if (closest_on_triangle(p, a, b, cc) - p).norm() <= margin_mm {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// Brute force: the least distance from `p` to any triangle, mm (∞ when there is none).
    pub fn distance_mm(&self, p: Vec3) -> f64 {
        self.tris.iter().map(|[a, b, c]| (closest_on_triangle(p, *a, *b, *c) - p).norm()).fold(f64::INFINITY, f64::min)
    }
}
