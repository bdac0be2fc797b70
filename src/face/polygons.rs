//! Polygon face maps: regions as polygons (one or more parts each), no-go zones as polygons.
//!
//! Point queries test the no-go zones first (a point in one belongs to no region), then the
//! region parts, each behind a bounding-box check. Tiles are classified polygon by polygon
//! (no edge meets the tile ⇒ wholly in or out), so tiles inside one region skip per-cell
//! work; boundary tiles are labelled a grid row at a time from the sorted edge crossings of
//! the row ([`Polygon::row_crossings`]), O(edges + cells) per row instead of O(edges · cells).

use crate::error::{Error, Result};
use crate::geometry::interval;
use crate::geometry::polygon::{Polygon, RectRelation, label_point};
use crate::geometry::{Rect, Vec2};
use crate::raster::domain::{NO_LABEL, TileClass};
use crate::raster::grid::GridSpec;

use super::RegionInfo;

/// Overlaps smaller than this, mm², are rounding at shared edges, not overlaps.
pub const OVERLAP_TOLERANCE_MM2: f64 = 1e-6;

#[derive(Clone, Debug)]
pub struct PolygonShape {
    /// Region parts, grouped by label.
    parts: Vec<Polygon>,
    /// Label of each part.
    part_label: Vec<u16>,
    /// Range of `parts` of each region.
    ranges: Vec<std::ops::Range<usize>>,
    no_go: Vec<Polygon>,
}

impl PolygonShape {
    /// Check overlaps and build. `infos` and `no_go_names` name things in errors.
    pub fn new(parts: Vec<Vec<Polygon>>, no_go: Vec<Polygon>, infos: &[RegionInfo], no_go_names: &[String]) -> Result<Self> {
        let mut flat = Vec::new();
        let mut part_label = Vec::new();
        let mut ranges = Vec::new();
        for (l, ps) in parts.into_iter().enumerate() {
            let start = flat.len();
            part_label.extend(std::iter::repeat_n(l as u16, ps.len()));
            flat.extend(ps);
            ranges.push(start..flat.len());
        }
        let part_name = |k: usize| {
            let l = part_label[k];
            let r = &ranges[l as usize];
            if r.len() > 1 {
                format!("region {:?} (part {})", infos[l as usize].name, k - r.start)
            } else {
                format!("region {:?}", infos[l as usize].name)
            }
        };
        for a in 0..flat.len() {
            for b in a + 1..flat.len() {
                if let (area, Some(c)) = flat[a].intersection(&flat[b])
                    && area > OVERLAP_TOLERANCE_MM2
                {
                    return Err(Error::invalid(
                        format!("{} and {}", part_name(a), part_name(b)),
                        format!("overlap of {area:.3} mm² around ({:.2}, {:.2}) mm", c.x, c.y),
                        "regions that do not overlap (shared edges are fine)",
                    ));
                }
            }
        }
        for a in 0..no_go.len() {
            for b in a + 1..no_go.len() {
                if let (area, Some(c)) = no_go[a].intersection(&no_go[b])
                    && area > OVERLAP_TOLERANCE_MM2
                {
                    return Err(Error::invalid(
                        format!("no_go {:?} and {:?}", no_go_names[a], no_go_names[b]),
                        format!("overlap of {area:.3} mm² around ({:.2}, {:.2}) mm", c.x, c.y),
                        "no-go zones that do not overlap (merge them into one)",
                    ));
                }
            }
        }
        Ok(PolygonShape { parts: flat, part_label, ranges, no_go })
    }

    pub fn region_parts(&self, label: usize) -> &[Polygon] {
        &self.parts[self.ranges[label].clone()]
    }

    pub fn no_go(&self) -> &[Polygon] {
        &self.no_go
    }

    fn region_iter(&self, label: usize) -> impl Iterator<Item = &Polygon> {
        self.parts[self.ranges[label].clone()].iter()
    }

    /// Net area of a region: its parts minus what the no-go zones cover of them, mm².
    pub fn region_area(&self, label: usize) -> f64 {
        self.region_iter(label).map(|p| p.area_mm2() - self.no_go.iter().map(|z| p.intersection(z).0).sum::<f64>()).sum()
    }

    /// Area centroid of a region net of no-go zones, mm.
    pub fn region_centroid(&self, label: usize) -> Vec2 {
        let (mut a, mut m) = (0.0, Vec2::zeros());
        for p in self.region_iter(label) {
            a += p.area_mm2();
            m += p.centroid() * p.area_mm2();
            for z in &self.no_go {
                if let (za, Some(zc)) = p.intersection(z) {
                    a -= za;
                    m -= zc * za;
                }
            }
        }
        m / a
    }

    pub fn region_bounds(&self, label: usize) -> Rect {
        union_bounds(self.region_iter(label).map(|p| p.bounds()))
    }

    /// Bounds of every region (no-go zones outside all regions are not measured).
    pub fn bounds(&self) -> Rect {
        union_bounds(self.parts.iter().map(|p| p.bounds()))
    }

    /// A point well inside the region, away from its edges and from no-go zones.
    pub fn region_anchor(&self, label: usize, bounds: Rect) -> Vec2 {
        let inside = |p: Vec2| self.label_at(p) == Some(label as u16);
        let clearance = |p: Vec2| {
            let d = self.region_iter(label).map(|q| q.distance_to_boundary(p)).fold(f64::INFINITY, f64::min);
            self.no_go.iter().map(|z| z.distance_to_boundary(p)).fold(d, f64::min)
        };
        label_point(bounds, inside, clearance).unwrap_or_else(|| self.region_centroid(label))
    }

    #[inline]
    pub fn no_go_at(&self, p: Vec2) -> Option<usize> {
        self.no_go.iter().position(|z| z.contains(p))
    }

    pub fn no_go_meeting_disk(&self, p: Vec2, r_mm: f64) -> Option<usize> {
        self.no_go.iter().position(|z| z.meets_disk(p, r_mm))
    }

    #[inline]
    pub fn label_at(&self, p: Vec2) -> Option<u16> {
        if self.no_go_at(p).is_some() {
            return None;
        }
        self.parts.iter().position(|q| q.contains(p)).map(|k| self.part_label[k])
    }

    pub fn classify(&self, tile: &Rect) -> TileClass {
        for z in &self.no_go {
            match z.classify_rect(tile) {
                RectRelation::Outside => {}
                RectRelation::Inside => return TileClass::Outside,
                RectRelation::Mixed => return TileClass::Mixed,
            }
        }
        let mut found = None;
        for (p, l) in self.parts.iter().zip(&self.part_label) {
            match p.classify_rect(tile) {
                RectRelation::Outside => {}
                RectRelation::Inside if found.is_none() => found = Some(*l),
                _ => return TileClass::Mixed,
            }
        }
        found.map_or(TileClass::Outside, TileClass::Inside)
    }

    /// Label a grid row by edge crossings (agrees with `label_at` at every cell centre).
    pub fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        out.fill(NO_LABEL);
        if out.is_empty() {
            return;
        }
        let y = grid.cell_center(j);
        let (xa, xb) = (grid.cell_center(i0), grid.cell_center(i0 + out.len() as i64 - 1));
        let mut xs = Vec::new();
        let mut paint = |poly: &Polygon, value: u16, out: &mut [u16]| {
            let b = poly.bounds();
            if y < b.y0 || y > b.y1 || b.x1 < xa || b.x0 > xb {
                return;
            }
            xs.clear();
            poly.row_crossings(y, &mut xs);
            xs.sort_by(f64::total_cmp);
            // Inside: c[2k] ≤ x < c[2k+1] (an odd number of crossings lie right of x).
            for pair in xs.chunks_exact(2) {
                let (a, b) = (first_cell_at_or_after(grid, pair[0]), first_cell_at_or_after(grid, pair[1]));
                let (a, b) = ((a - i0).max(0), (b - i0).min(out.len() as i64));
                if a < b {
                    out[a as usize..b as usize].fill(value);
                }
            }
        };
        // Reverse order: where parts touch, the first part wins, as in `label_at`.
        for (p, l) in self.parts.iter().zip(&self.part_label).rev() {
            paint(p, *l, out);
        }
        for z in &self.no_go {
            paint(z, NO_LABEL, out);
        }
    }

    /// Parameter intervals of the line `p + t·u`, within `[t0, t1]`, where a cartridge
    /// centre may go: inside the region and at least `margin_mm` from every no-go zone.
    pub fn lane_intervals(&self, label: usize, margin_mm: f64, p: Vec2, u: Vec2, t0: f64, t1: f64) -> Vec<(f64, f64)> {
        let inside: Vec<(f64, f64)> = self.region_iter(label).flat_map(|q| q.clip_line(p, u)).collect();
        let inside = interval::clamp(&interval::normalise(inside), t0, t1);
        if inside.is_empty() {
            return inside;
        }
        let banned: Vec<(f64, f64)> = self.no_go.iter().flat_map(|z| z.clip_line_grown(margin_mm, p, u)).collect();
        interval::subtract(&inside, &interval::normalise(banned))
    }

    /// May a cartridge centre sit at `p` when treating `label`?
    pub fn allows(&self, label: usize, margin_mm: f64, p: Vec2) -> bool {
        self.region_iter(label).any(|q| q.contains(p)) && !self.no_go.iter().any(|z| z.contains(p) || z.distance_to_boundary(p) < margin_mm)
    }
}

/// Index of the first cell whose centre is `≥ x` (exact against `cell_center`).
fn first_cell_at_or_after(grid: &GridSpec, x: f64) -> i64 {
    let mut i = (x / grid.resolution_mm - 0.5).ceil() as i64;
    while grid.cell_center(i) < x {
        i += 1;
    }
    while grid.cell_center(i - 1) >= x {
        i -= 1;
    }
    i
}

fn union_bounds(rects: impl Iterator<Item = Rect>) -> Rect {
    rects.fold(Rect::new(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |a, b| {
        Rect::new(a.x0.min(b.x0), a.y0.min(b.y0), a.x1.max(b.x1), a.y1.max(b.y1))
    })
}
