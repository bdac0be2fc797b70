//! The chart: the mesh's UV chart scaled to millimetres, each triangle's affine map between
//! chart and skin, and a locator (which triangle is at a chart point).
//!
//! **Chart coordinates** are `uv × scale_mm`, with `scale_mm = sqrt(mesh area / UV area)`
//! rounded to 4 significant digits, so a chart mm is on average a skin mm (an isometric
//! chart in mm, e.g. UV = xy, keeps its coordinates exactly). Triangle `t` maps a chart point
//! `p` to the skin point `p0 + J (p − a)`, where `a` and `p0` are its first corner in the
//! chart and in 3D and `J` (3 × 2) is constant over the triangle; its true area element is
//! `σ = |J₁ × J₂|` skin mm² per chart mm², and `J⁺` maps tangent-plane vectors back to the
//! chart. Normals follow the chart's orientation (counter-clockwise UVs → `J₁ × J₂`).
//!
//! **Locator.** A uniform bucket grid over the chart; a point belongs to the lowest-index
//! triangle of its bucket whose closed row span at the point's y holds its x
//! ([`Chart::locate`]). [`Chart`] is a [`Domain`] whose labels are triangle indices, and its
//! `label_row` uses the very same span test, so it equals `label_at` at every cell centre.

use nalgebra::{Matrix2, Matrix2x3, Matrix3x2, Vector3};

use crate::error::Result;
use crate::geometry::{Rect, Vec2};
use crate::raster::domain::{Domain, NO_LABEL, TileClass};
use crate::raster::grid::{GridSpec, floor_i64};

use super::mesh::SurfaceMesh;

pub type Vec3 = Vector3<f64>;

/// One triangle's affine maps.
#[derive(Clone, Debug)]
pub struct TriMap {
    /// Corners in the chart, mm.
    pub chart: [Vec2; 3],
    /// First corner on the skin, mm.
    pub p0: Vec3,
    /// Skin mm per chart mm (3 × 2).
    pub jac: Matrix3x2<f64>,
    /// Chart mm per skin mm on the triangle's plane (2 × 3, the pseudo-inverse of `jac`).
    pub inv: Matrix2x3<f64>,
    /// Unit normal.
    pub normal: Vec3,
    /// Skin mm² per chart mm².
    pub area_factor: f64,
    /// Largest and smallest stretch, skin mm per chart mm (singular values of `jac`).
    pub stretch: (f64, f64),
    pub group: u32,
    /// `dx/dy` of each edge `chart[k] → chart[k + 1]` (unused for a horizontal edge).
    slope: [f64; 3],
}

impl TriMap {
    /// Skin point of chart point `p`, mm.
    pub fn to_skin(&self, p: Vec2) -> Vec3 {
        self.p0 + self.jac * (p - self.chart[0])
    }

    /// Skin length of a chart displacement `d`, mm.
    pub fn skin_length(&self, d: Vec2) -> f64 {
        (self.jac * d).norm()
    }

    /// Closed interval of x where the row `y` crosses the triangle, if it does.
    #[inline]
    pub fn row_span(&self, y: f64) -> Option<(f64, f64)> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for k in 0..3 {
            let (a, b) = (self.chart[k], self.chart[(k + 1) % 3]);
            if (a.y <= y && y <= b.y) || (b.y <= y && y <= a.y) {
                if a.y == b.y {
                    lo = lo.min(a.x.min(b.x));
                    hi = hi.max(a.x.max(b.x));
                } else {
                    let x = a.x + (y - a.y) * self.slope[k];
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// Chart bounding box, mm.
    pub fn bounds(&self) -> Rect {
        let xs = self.chart.map(|c| c.x);
        let ys = self.chart.map(|c| c.y);
        Rect::new(
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            ys.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    }
}

/// The mesh's chart, maps and locator (see the module doc).
#[derive(Clone, Debug)]
pub struct Chart {
    /// Chart mm per UV unit.
    pub scale_mm: f64,
    pub tris: Vec<TriMap>,
    bounds: Rect,
    bucket_mm: f64,
    nx: usize,
    ny: usize,
    /// CSR: triangles of bucket k are `members[starts[k]..starts[k + 1]]`, ascending.
    starts: Vec<u32>,
    members: Vec<u32>,
    /// Each triangle's bucket range `(i0, i1, j0, j1)`: it is a member of exactly those.
    ranges: Vec<(usize, usize, usize, usize)>,
    /// Each triangle's chart box `[x0, y0, x1, y1]`, x widened by [`BOX_SLACK`] (a point
    /// outside it is in no row span of the triangle: a quick rejection in [`Chart::locate`]).
    boxes: Vec<[f64; 4]>,
}

/// Relative widening of the boxes' x extent: far more than the rounding of a row span's
/// interpolated ends (a few ulps), far less than a cell.
const BOX_SLACK: f64 = 1e-9;

/// The locator's bucket side, mm: the first quartile of the triangles' larger box sides (so
/// a bucket where the mesh is dense holds a few triangles, not dozens), widened until the
/// bucket grid has at most [`MAX_BUCKETS`] buckets and [`MAX_MEMBERS_PER_TRIANGLE`] times as
/// many memberships as triangles (large triangles over small buckets). Locating does not
/// depend on the side: a point's triangle is the lowest-index one whose span holds it.
fn bucket_side_mm(tris: &[TriMap], bounds: &Rect) -> f64 {
    let mut sides: Vec<f64> = tris.iter().map(|t| t.bounds()).map(|b| b.width().max(b.height())).collect();
    sides.sort_unstable_by(f64::total_cmp);
    let mut side = sides[(sides.len() - 1) / 4].max(bounds.width().max(bounds.height()) / 2048.0).max(1e-9);
    loop {
        let buckets = (bounds.width() / side + 1.0) * (bounds.height() / side + 1.0);
        let members: f64 = tris.iter().map(|t| t.bounds()).map(|b| (b.width() / side + 2.0) * (b.height() / side + 2.0)).sum();
        if buckets <= MAX_BUCKETS && members <= MAX_MEMBERS_PER_TRIANGLE * tris.len() as f64 {
            return side;
        }
        side *= 1.25;
    }
}

/// Most buckets of a chart's locator.
const MAX_BUCKETS: f64 = 4_194_304.0;
/// Most bucket memberships per triangle on average.
const MAX_MEMBERS_PER_TRIANGLE: f64 = 16.0;

/// `x` rounded to 4 significant digits.
fn round_4(x: f64) -> f64 {
    let e = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * e).round() / e
}

impl Chart {
    /// Validate `mesh` (`what` names it in errors) and build its chart.
    pub fn new(mesh: &SurfaceMesh, what: &str) -> Result<Self> {
        mesh.validate(what)?;
        let uv_area: f64 = mesh.triangles.iter().map(|t| mesh.uv_area(t)).sum();
        let scale_mm = round_4((mesh.total_area_mm2() / uv_area).sqrt());
        let tris: Vec<TriMap> = mesh
            .triangles
            .iter()
            .map(|t| {
                let c = mesh.corners_uv(t).map(|[u, v]| Vec2::new(u * scale_mm, v * scale_mm));
                let [p0, p1, p2] = mesh.corners_mm(t).map(Vec3::from);
                // Solve [e1 e2] = J [d1 d2] for J.
                let d = Matrix2::from_columns(&[c[1] - c[0], c[2] - c[0]]);
                let e = Matrix3x2::from_columns(&[p1 - p0, p2 - p0]);
                let jac = e * d.try_inverse().expect("validated: UV triangles are not degenerate");
                let cross = jac.column(0).cross(&jac.column(1));
                let area_factor = cross.norm();
                let gram = jac.transpose() * jac;
                let inv = gram.try_inverse().expect("validated: triangles are not degenerate") * jac.transpose();
                let (tr, det) = (gram.trace(), gram.determinant());
                let disc = (0.25 * tr * tr - det).max(0.0).sqrt();
                let stretch = ((0.5 * tr + disc).sqrt(), (0.5 * tr - disc).max(0.0).sqrt());
                let slope = [0, 1, 2].map(|k| {
                    let (a, b) = (c[k], c[(k + 1) % 3]);
                    (b.x - a.x) / (b.y - a.y)
                });
                TriMap { chart: c, p0, jac, inv, normal: cross / area_factor, area_factor, stretch, group: t.group, slope }
            })
            .collect();
        let mut bounds = tris[0].bounds();
        for t in &tris {
            let b = t.bounds();
            bounds = Rect::new(bounds.x0.min(b.x0), bounds.y0.min(b.y0), bounds.x1.max(b.x1), bounds.y1.max(b.y1));
        }
        let bucket_mm = bucket_side_mm(&tris, &bounds);
        let nx = ((bounds.width() / bucket_mm).floor() as usize + 1).max(1);
        let ny = ((bounds.height() / bucket_mm).floor() as usize + 1).max(1);
        let mut chart = Chart {
            scale_mm,
            tris,
            bounds,
            bucket_mm,
            nx,
            ny,
            starts: Vec::new(),
            members: Vec::new(),
            ranges: Vec::new(),
            boxes: Vec::new(),
        };
        chart.fill_buckets();
        Ok(chart)
    }

    fn bucket_xy(&self, x: f64, y: f64) -> (i64, i64) {
        (floor_i64((x - self.bounds.x0) / self.bucket_mm), floor_i64((y - self.bounds.y0) / self.bucket_mm))
    }

    fn bucket_range(&self, r: &Rect) -> (usize, usize, usize, usize) {
        let (i0, j0) = self.bucket_xy(r.x0, r.y0);
        let (i1, j1) = self.bucket_xy(r.x1, r.y1);
        let cx = |i: i64| i.clamp(0, self.nx as i64 - 1) as usize;
        let cy = |j: i64| j.clamp(0, self.ny as i64 - 1) as usize;
        (cx(i0), cx(i1), cy(j0), cy(j1))
    }

    fn fill_buckets(&mut self) {
        let n = self.nx * self.ny;
        let mut counts = vec![0u32; n + 1];
        let ranges: Vec<_> = self.tris.iter().map(|t| self.bucket_range(&t.bounds())).collect();
        for &(i0, i1, j0, j1) in &ranges {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    counts[j * self.nx + i + 1] += 1;
                }
            }
        }
        for k in 0..n {
            counts[k + 1] += counts[k];
        }
        let mut next = counts.clone();
        let mut members = vec![0u32; counts[n] as usize];
        for (t, &(i0, i1, j0, j1)) in ranges.iter().enumerate() {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let k = j * self.nx + i;
                    members[next[k] as usize] = t as u32;
                    next[k] += 1;
                }
            }
        }
        self.starts = counts;
        self.members = members;
        self.ranges = ranges;
        self.boxes = self
            .tris
            .iter()
            .map(|t| {
                let b = t.bounds();
                let slack = BOX_SLACK * (b.x0.abs().max(b.x1.abs()) + 1.0);
                [b.x0 - slack, b.y0, b.x1 + slack, b.y1]
            })
            .collect();
    }

    /// Triangles whose bounding box meets bucket `k`, ascending.
    fn bucket(&self, k: usize) -> &[u32] {
        &self.members[self.starts[k] as usize..self.starts[k + 1] as usize]
    }

    /// Bucket index holding `(x, y)`, if inside the chart's bucket grid.
    fn bucket_at(&self, x: f64, y: f64) -> Option<usize> {
        let (i, j) = self.bucket_xy(x, y);
        (i >= 0 && j >= 0 && (i as usize) < self.nx && (j as usize) < self.ny).then(|| j as usize * self.nx + i as usize)
    }

    /// The triangle at chart point `p` (see the module doc), or `None` off the mesh.
    pub fn locate(&self, p: Vec2) -> Option<u32> {
        let k = self.bucket_at(p.x, p.y)?;
        self.bucket(k).iter().copied().find(|&t| {
            // The y test is row_span's own (it meets an edge exactly when y is in range).
            let b = &self.boxes[t as usize];
            b[1] <= p.y
                && p.y <= b[3]
                && b[0] <= p.x
                && p.x <= b[2]
                && self.tris[t as usize].row_span(p.y).is_some_and(|(lo, hi)| lo <= p.x && p.x <= hi)
        })
    }

    /// Chart bounding box of every triangle, mm.
    pub fn chart_bounds(&self) -> Rect {
        self.bounds
    }
}

/// First `k` in `[from, to]` whose cell centre `xs[k]` is past `x` (`>` when `STRICT`, else
/// `>=`; `to` when none is), starting from the guess `guess` (cells from `xs[0]`) and settled
/// by exact comparisons, so the guess's rounding never matters.
#[inline(always)]
fn first_past<const STRICT: bool>(xs: &[f64], guess: f64, x: f64, from: usize, to: usize) -> usize {
    let past = |c: usize| if STRICT { xs[c] > x } else { xs[c] >= x };
    // `floor_i64` saturates (NaN → 0): any start is settled below.
    let mut k = floor_i64(guess).clamp(from as i64, to as i64) as usize;
    while k > from && past(k - 1) {
        k -= 1;
    }
    while k < to && !past(k) {
        k += 1;
    }
    k
}

impl Domain for Chart {
    fn bounds(&self) -> Rect {
        self.bounds
    }
    fn label_count(&self) -> usize {
        self.tris.len()
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.locate(p).map(|t| t as u16)
    }
    fn area_mm2(&self, label: u16) -> f64 {
        let c = &self.tris[label as usize].chart;
        0.5 * ((c[1] - c[0]).perp(&(c[2] - c[0]))).abs()
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        if !tile.intersects(&self.bounds) {
            return TileClass::Outside;
        }
        let (i0, i1, j0, j1) = self.bucket_range(tile);
        let any = (j0..=j1)
            .any(|j| (i0..=i1).any(|i| self.bucket(j * self.nx + i).iter().any(|&t| self.tris[t as usize].bounds().intersects(tile))));
        if any { TileClass::Mixed } else { TileClass::Outside }
    }
    /// Each triangle that may hold a cell of the block (a member of a bucket the block's cells
    /// fall in), in descending order, writes its label over the cells of its closed row span
    /// on the rows and bucket columns where it is a bucket member, so the last writer of a
    /// cell is the lowest-index member of its bucket whose span holds its centre: exactly
    /// `label_at`'s rule, with the same bucket and span arithmetic, at one span per triangle
    /// row instead of one bucket walk per block row (and plain fills, no test per cell).
    fn label_block(&self, grid: &GridSpec, j0: i64, i0: i64, side: usize, out: &mut [u16]) {
        out.fill(NO_LABEL);
        let xs: Vec<f64> = (0..side).map(|k| grid.cell_center(i0 + k as i64)).collect();
        let ys: Vec<f64> = (0..side).map(|k| grid.cell_center(j0 + k as i64)).collect();
        // Bucket column of each cell column and bucket row of each cell row (non-decreasing).
        let bx: Vec<i64> = xs.iter().map(|&x| self.bucket_xy(x, ys[0]).0).collect();
        let by: Vec<i64> = ys.iter().map(|&y| self.bucket_xy(xs[0], y).1).collect();
        let clamp = |v: i64, n: usize| v.clamp(0, n as i64 - 1) as usize;
        if bx[side - 1] < 0 || by[side - 1] < 0 || bx[0] >= self.nx as i64 || by[0] >= self.ny as i64 {
            return;
        }
        let mut cands: Vec<u32> = Vec::new();
        for j in clamp(by[0], self.ny)..=clamp(by[side - 1], self.ny) {
            for i in clamp(bx[0], self.nx)..=clamp(bx[side - 1], self.nx) {
                cands.extend_from_slice(self.bucket(j * self.nx + i));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let (x_first, per_mm) = (xs[0], 1.0 / grid.resolution_mm);
        for &t in cands.iter().rev() {
            let (bi0, bi1, bj0, bj1) = self.ranges[t as usize];
            let tri = &self.tris[t as usize];
            // Cell columns in the triangle's bucket columns, rows in its bucket rows and y range.
            let (ca, cb) = (bx.partition_point(|&b| b < bi0 as i64), bx.partition_point(|&b| b <= bi1 as i64));
            // The box's y extent is exact (only its x is widened).
            let (y_lo, y_hi) = (self.boxes[t as usize][1], self.boxes[t as usize][3]);
            let ra = by.partition_point(|&b| b < bj0 as i64).max(ys.partition_point(|&y| y < y_lo));
            let rb = by.partition_point(|&b| b <= bj1 as i64).min(ys.partition_point(|&y| y <= y_hi));
            if ca >= cb {
                continue;
            }
            for r in ra..rb {
                let Some((lo, hi)) = tri.row_span(ys[r]) else { continue };
                let from = first_past::<false>(&xs, (lo - x_first) * per_mm, lo, ca, cb);
                let to = first_past::<true>(&xs, (hi - x_first) * per_mm, hi, from, cb);
                out[r * side + from..r * side + to].fill(t as u16);
            }
        }
    }
    /// Runs of cells sharing a bucket, and within a run each triangle's span, are found by
    /// index arithmetic and then settled with the very comparisons `label_at` makes (cell
    /// centres increase with the index), so the labels equal `label_at`'s exactly while the
    /// cost per cell is one store instead of one test per triangle of the bucket.
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        out.fill(NO_LABEL);
        let n = out.len();
        let y = grid.cell_center(j);
        let h = grid.resolution_mm;
        let x_of = |k: usize| grid.cell_center(i0 + k as i64);
        let x_first = x_of(0);
        // First k in [from, to] where `reached(k)` holds (it is monotone in k), from a guess.
        let first = |reached: &dyn Fn(usize) -> bool, x: f64, from: usize, to: usize| -> usize {
            let g = ((x - x_first) / h).floor();
            let mut k = if g.is_finite() { g.clamp(from as f64, to as f64) as usize } else { from };
            while k > from && reached(k - 1) {
                k -= 1;
            }
            while k < to && !reached(k) {
                k += 1;
            }
            k
        };
        let (_, bj) = self.bucket_xy(x_first, y);
        if bj < 0 || bj as usize >= self.ny {
            return;
        }
        let bucket_i = |k: usize| self.bucket_xy(x_of(k), y).0;
        let mut k = 0;
        while k < n {
            let mut bi = bucket_i(k);
            if bi < 0 {
                // Left of the chart: jump to the first cell in bucket column 0.
                k = first(&|c| bucket_i(c) >= 0, self.bounds.x0, k, n);
                if k >= n {
                    break;
                }
                bi = bucket_i(k);
            }
            if bi as usize >= self.nx {
                break;
            }
            let edge = self.bounds.x0 + (bi + 1) as f64 * self.bucket_mm;
            let end = first(&|c| bucket_i(c) > bi, edge, k + 1, n);
            let b = bj as usize * self.nx + bi as usize;
            for &t in self.bucket(b) {
                let Some((lo, hi)) = self.tris[t as usize].row_span(y) else { continue };
                let from = first(&|c| x_of(c) >= lo, lo, k, end);
                let to = first(&|c| x_of(c) > hi, hi, from, end);
                for o in &mut out[from..to] {
                    if *o == NO_LABEL {
                        *o = t as u16;
                    }
                }
            }
            k = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::shapes::{half_cylinder, sphere_cap};

    /// `label_row` (the accumulator's row scan) equals `label_at` at every cell centre, and the
    /// located triangle holds the point (barycentric test).
    #[test]
    fn label_rows_equal_label_at_and_hold_the_point() {
        for mesh in [sphere_cap(20.0, 60.0, 6, 24), half_cylinder(10.0, 8.0, 12, 3, 3.0)] {
            let chart = Chart::new(&mesh, "m").unwrap();
            let grid = GridSpec::new(0.37).unwrap();
            let b = chart.chart_bounds();
            let (i0, i1) = grid.cells_between(b.x0 - 1.0, b.x1 + 1.0);
            let (j0, j1) = grid.cells_between(b.y0 - 1.0, b.y1 + 1.0);
            let mut row = vec![0u16; (i1 - i0 + 1) as usize];
            let mut found = 0;
            for j in j0..=j1 {
                chart.label_row(&grid, j, i0, &mut row);
                for (k, &l) in row.iter().enumerate() {
                    let p = Vec2::new(grid.cell_center(i0 + k as i64), grid.cell_center(j));
                    assert_eq!(l, chart.label_at(p).unwrap_or(NO_LABEL), "{p:?}");
                    if l != NO_LABEL {
                        found += 1;
                        let c = chart.tris[l as usize].chart;
                        let d = (c[1] - c[0]).perp(&(c[2] - c[0]));
                        let w1 = (p - c[0]).perp(&(c[2] - c[0])) / d;
                        let w2 = (c[1] - c[0]).perp(&(p - c[0])) / d;
                        assert!(w1 >= -1e-9 && w2 >= -1e-9 && w1 + w2 <= 1.0 + 1e-9, "{p:?} not in triangle {l}");
                    }
                }
            }
            assert!(found > 100);
        }
    }

    /// `label_block` (the accumulator's tile scan) equals `label_at` at every cell centre, for
    /// blocks at any offset and size, inside, across and beyond the chart's edges.
    #[test]
    fn label_blocks_equal_label_at() {
        for mesh in [sphere_cap(20.0, 60.0, 6, 24), half_cylinder(10.0, 8.0, 12, 3, 3.0)] {
            let chart = Chart::new(&mesh, "m").unwrap();
            for (h, side) in [(0.37, 7usize), (0.05, 64), (0.011, 200)] {
                let grid = GridSpec::new(h).unwrap();
                let b = chart.chart_bounds();
                let (i0, i1) = grid.cells_between(b.x0 - 1.0, b.x1 + 1.0);
                let (j0, j1) = grid.cells_between(b.y0 - 1.0, b.y1 + 1.0);
                let mut block = vec![0u16; side * side];
                let (mut found, mut blocks) = (0, 0);
                // Offsets not aligned to the block size, so blocks straddle bucket edges.
                let step = (side as i64 * 3 / 2).max(1);
                let (mut j, mut checked) = (j0 - 3, 0usize);
                while j <= j1 && blocks < 400 {
                    let mut i = i0 - 5;
                    while i <= i1 && blocks < 400 {
                        chart.label_block(&grid, j, i, side, &mut block);
                        blocks += 1;
                        for (k, &l) in block.iter().enumerate() {
                            let p = Vec2::new(grid.cell_center(i + (k % side) as i64), grid.cell_center(j + (k / side) as i64));
                            assert_eq!(l, chart.label_at(p).unwrap_or(NO_LABEL), "{p:?} h {h}");
                            found += usize::from(l != NO_LABEL);
                            checked += 1;
                        }
                        i += step;
                    }
                    j += step;
                }
                assert!(found > 100 && found < checked, "h {h}: {found} labelled of {checked}");
            }
        }
    }

    #[test]
    fn the_chart_maps_corners_to_corners() {
        let mesh = half_cylinder(10.0, 8.0, 12, 3, 3.0);
        let chart = Chart::new(&mesh, "m").unwrap();
        for (t, m) in mesh.triangles.iter().zip(&chart.tris) {
            for (k, &v) in t.v.iter().enumerate() {
                let p = Vec3::from(mesh.positions_mm[v as usize]);
                assert!((m.to_skin(m.chart[k]) - p).norm() < 1e-9);
            }
            assert!((m.area_factor * crate::surface::plan::area(&m.chart) - mesh.area_mm2(t)).abs() < 1e-9);
        }
    }
}
