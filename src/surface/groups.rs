//! A view of the chart whose labels are mesh groups: each chosen group (a region, or all
//! treated regions as one) is one label, every other triangle is unmeasured. Used where a
//! flat-map rule works on a [`Domain`] of regions (density per region, gaps, the treated
//! union), so the surface reuses the rule instead of copying it.
//!
//! Areas are **skin** mm² (the groups' true mesh areas), so a density over this domain is per
//! cm² of skin. Bins and bounds are in chart mm (on average a skin mm, see [`Chart`]).

use crate::geometry::{Rect, Vec2};
use crate::raster::domain::{Domain, NO_LABEL, TileClass};
use crate::raster::grid::GridSpec;

use super::chart::Chart;

/// The chart with labels by group: `label_of_group[g]` is the label of group `g`'s triangles
/// (`None`: not measured), `areas_mm2[l]` the skin area of label `l`.
pub struct ChartGroups<'a> {
    pub chart: &'a Chart,
    pub label_of_group: Vec<Option<u16>>,
    pub areas_mm2: Vec<f64>,
}

impl<'a> ChartGroups<'a> {
    /// Labels `0..n` for groups `0..n` (e.g. the regions), with their skin areas.
    pub fn first_groups(chart: &'a Chart, group_areas_mm2: &[f64], n: usize) -> Self {
        let groups = group_areas_mm2.len();
        ChartGroups {
            chart,
            label_of_group: (0..groups).map(|g| (g < n).then_some(g as u16)).collect(),
            areas_mm2: group_areas_mm2[..n].to_vec(),
        }
    }

    /// One label (0) for the `chosen` groups together.
    pub fn union(chart: &'a Chart, group_areas_mm2: &[f64], chosen: &[u32]) -> Self {
        let label_of_group = (0..group_areas_mm2.len()).map(|g| chosen.contains(&(g as u32)).then_some(0)).collect();
        let area = chosen.iter().map(|&g| group_areas_mm2[g as usize]).sum();
        ChartGroups { chart, label_of_group, areas_mm2: vec![area] }
    }

    /// Triangle labels → group labels.
    fn relabel(&self, out: &mut [u16]) {
        for l in out.iter_mut() {
            if *l != NO_LABEL {
                *l = self.label_of_tri(*l as usize).unwrap_or(NO_LABEL);
            }
        }
    }

    fn label_of_tri(&self, t: usize) -> Option<u16> {
        self.label_of_group.get(self.chart.tris[t].group as usize).copied().flatten()
    }

    /// Label of the points of triangle `t` as [`Chart::locate`] gives it (`None` for a
    /// point off the mesh, `t` = `u32::MAX`, or an unmeasured group): what `label_at` says.
    pub fn label_of_triangle(&self, t: u32) -> Option<u16> {
        self.chart.tris.get(t as usize).and_then(|_| self.label_of_tri(t as usize))
    }
}

impl Domain for ChartGroups<'_> {
    fn bounds(&self) -> Rect {
        self.chart.chart_bounds()
    }
    fn label_count(&self) -> usize {
        self.areas_mm2.len()
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.chart.label_at(p).and_then(|t| self.label_of_tri(t as usize))
    }
    fn area_mm2(&self, label: u16) -> f64 {
        self.areas_mm2[label as usize]
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        match self.chart.classify(tile) {
            TileClass::Outside => TileClass::Outside,
            _ => TileClass::Mixed,
        }
    }
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        self.chart.label_row(grid, j, i0, out);
        self.relabel(out);
    }
    fn label_block(&self, grid: &GridSpec, j0: i64, i0: i64, side: usize, out: &mut [u16]) {
        self.chart.label_block(grid, j0, i0, side, out);
        self.relabel(out);
    }
}
