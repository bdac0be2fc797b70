//! Clearance: the straight-line (3D) distance from a skin point to a set of triangles (the
//! no-go zones), with a uniform 3D hash grid so a query looks at nearby triangles only.
//!
//! The straight-line distance is never more than the distance along the skin, so a point at
//! least `margin` mm away in 3D is at least `margin` mm away on the skin (conservative).
//!
//! The grid is dense over the triangles' bounding cells (CSR: one offset per cell), so a
//! query far from every triangle costs a bounds test and a near one a few slice reads.

use super::chart::{Chart, Vec3};

/// Most cells of the dense grid (4 bytes each).
const MAX_CELLS: f64 = (1u64 << 22) as f64;

/// Triangles to keep away from, bucketed in 3D.
#[derive(Clone, Debug, Default)]
pub struct Clearance {
    tris: Vec<[Vec3; 3]>,
    cell_mm: f64,
    /// Cell coordinates of the grid's first cell, and its size in cells.
    origin: [i64; 3],
    size: [i64; 3],
    /// CSR: triangles of cell `k` are `members[starts[k]..starts[k + 1]]`, ascending.
    starts: Vec<u32>,
    members: Vec<u32>,
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
        let (lo_mm, hi_mm) = tris
            .iter()
            .flatten()
            .fold((Vec3::repeat(f64::INFINITY), Vec3::repeat(f64::NEG_INFINITY)), |(lo, hi), p| (lo.inf(p), hi.sup(p)));
        // Cells of at least the margin (a query reads 3 × 3 × 3 of them), coarser when the
        // dense grid would hold more than MAX_CELLS.
        let mut cell_mm = margin_mm.max(1.0);
        let extent = hi_mm - lo_mm;
        while !tris.is_empty() && extent.iter().map(|e| (e / cell_mm).floor() + 2.0).product::<f64>() > MAX_CELLS {
            cell_mm *= 2.0;
        }
        // Each triangle's cell box, and the grid's box around all of them.
        let boxes: Vec<([i64; 3], [i64; 3])> = tris
            .iter()
            .map(|t| (Self::cell(t[0].inf(&t[1]).inf(&t[2]), cell_mm), Self::cell(t[0].sup(&t[1]).sup(&t[2]), cell_mm)))
            .collect();
        if tris.is_empty() {
            return Clearance { tris, cell_mm, ..Default::default() };
        }
        let (lo, hi) = (Self::cell(lo_mm, cell_mm), Self::cell(hi_mm, cell_mm));
        let size = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
        let mut grid = Clearance { tris: Vec::new(), cell_mm, origin: lo, size, starts: Vec::new(), members: Vec::new() };
        let cells = (size[0] * size[1] * size[2]) as usize;
        let mut counts = vec![0u32; cells + 1];
        let each = |(a, b): &([i64; 3], [i64; 3]), f: &mut dyn FnMut(usize)| {
            for i in a[0]..=b[0] {
                for j in a[1]..=b[1] {
                    for l in a[2]..=b[2] {
                        f(((l - lo[2]) * size[1] * size[0] + (j - lo[1]) * size[0] + (i - lo[0])) as usize);
                    }
                }
            }
        };
        for b in &boxes {
            each(b, &mut |k| counts[k + 1] += 1);
        }
        for k in 0..cells {
            counts[k + 1] += counts[k];
        }
        let mut next = counts.clone();
        let mut members = vec![0u32; counts[cells] as usize];
        for (t, b) in boxes.iter().enumerate() {
            each(b, &mut |k| {
                members[next[k] as usize] = t as u32;
                next[k] += 1;
            });
        }
        grid.tris = tris;
        grid.starts = counts;
        grid.members = members;
        grid
    }

    fn cell(p: Vec3, cell_mm: f64) -> [i64; 3] {
        [(p.x / cell_mm).floor() as i64, (p.y / cell_mm).floor() as i64, (p.z / cell_mm).floor() as i64]
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
        // The neighbourhood's cells inside the grid (local coordinates); none: nothing near.
        let mut range = [(0i64, 0i64); 3];
        for d in 0..3 {
            let (a, b) = ((c[d] - reach - self.origin[d]).max(0), (c[d] + reach - self.origin[d]).min(self.size[d] - 1));
            if a > b {
                return true;
            }
            range[d] = (a, b);
        }
        for l in range[2].0..=range[2].1 {
            for j in range[1].0..=range[1].1 {
                let row = ((l * self.size[1] + j) * self.size[0]) as usize;
                let (a, b) = (self.starts[row + range[0].0 as usize], self.starts[row + range[0].1 as usize + 1]);
                for &k in &self.members[a as usize..b as usize] {
                    let [a, b, cc] = self.tris[k as usize];
                    if (closest_on_triangle(p, a, b, cc) - p).norm() <= margin_mm {
                        return false;
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
