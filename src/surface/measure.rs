//! Coverage per true area: accumulation in the chart, every cell weighted by its skin area.
//!
//! **Model.** The chart is sampled on the usual grid ([`GridSpec`], cells hit when their
//! centre is inside the footprint's chart ellipse). The accumulation's labels are the
//! triangles ([`Chart`] is the domain), so each triangle gets its integer tally of cells;
//! a cell of triangle `t` weighs `w_t = round(σ_t · 2^WEIGHT_BITS)` units of
//! `h² / 2^WEIGHT_BITS` mm² of skin (`σ_t` = skin mm² per chart mm²), and a group's tally is
//! `Σ_t w_t · tally_t` ([`Tally::add_scaled`]). Tallies stay integers, so results are the same
//! for any thread count; coverage, overlap histogram and mean hits are fractions of skin area.
//! The weight's rounding is at most `2^-(WEIGHT_BITS+1) / σ_t` relative.
//!
//! **Grid.** The cell side is the scenario's resolution, refined so the most stretched
//! measured triangle still has ≥ [`MIN_CELLS_ACROSS_RADIUS`] cells across a hole's smallest
//! chart semi-axis (`r / stretch_max`): [`SurfaceGrid`] reports the cell side, the fewest
//! cells across a hole radius and the worst-case area error of one hole.

use crate::error::{Error, Result};
use crate::needle::footprint::{self, Shape};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{self, Accumulation, Layers, Request, Tally};
use crate::raster::domain::Touched;
use crate::raster::grid::GridSpec;

use super::chart::Chart;

/// Bits of the fixed area unit per cell: one unit = `h² / 2^WEIGHT_BITS` mm².
pub const WEIGHT_BITS: u32 = 16;
/// Fewest cells across a hole's smallest chart semi-axis.
pub const MIN_CELLS_ACROSS_RADIUS: f64 = 4.5;
/// Finest cell side a surface run may choose, mm.
pub const MIN_RESOLUTION_MM: f64 = 0.0005;

/// The chart grid of a surface run and what it can resolve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceGrid {
    pub grid: GridSpec,
    /// Fewest cells across a hole's radius on any measured triangle (its most stretched
    /// direction).
    pub min_cells_across_radius: f64,
    /// Worst-case relative area error of one hole on that triangle: rim cells
    /// `2π a h √2` over the area `π a b` = `2√2 h / b`, with `b` the smallest chart semi-axis
    /// (the same bound as the flat grid's, `raster::grid`; the error over many holes is far
    /// smaller, its mean ≈ 0).
    pub worst_hole_error: f64,
    /// Skin area of one weight unit, mm².
    pub unit_mm2: f64,
}

impl SurfaceGrid {
    /// The grid for holes of radius `radius_mm` on the triangles of `chart` in `groups`, no
    /// coarser than `resolution_mm`.
    pub fn choose(chart: &Chart, groups: &[u32], radius_mm: f64, resolution_mm: f64) -> Result<Self> {
        let stretch = chart.tris.iter().filter(|t| groups.contains(&t.group)).map(|t| t.stretch.0).fold(0.0, f64::max);
        let mut h = resolution_mm;
        if stretch > 0.0 {
            h = h.min(radius_mm / stretch / MIN_CELLS_ACROSS_RADIUS);
        }
        if h < MIN_RESOLUTION_MM {
            return Err(Error::invalid(
                "surface chart stretch",
                format!("{stretch:.3} skin mm per chart mm (would need {h:.2e} mm cells)"),
                format!("a UV chart that resolves a {radius_mm} mm hole with cells of at least {MIN_RESOLUTION_MM} mm (less stretch)"),
            ));
        }
        let grid = GridSpec::new(h)?;
        let cells = if stretch > 0.0 { radius_mm / stretch / h } else { f64::INFINITY };
        Ok(SurfaceGrid {
            grid,
            min_cells_across_radius: cells,
            worst_hole_error: 2.0 * 2f64.sqrt() / cells,
            unit_mm2: grid.cell_area_mm2() / (1u64 << WEIGHT_BITS) as f64,
        })
    }
}

/// Integer weight of a cell of each triangle (units of [`SurfaceGrid::unit_mm2`]).
pub fn weights(chart: &Chart) -> Vec<u64> {
    chart.tris.iter().map(|t| (t.area_factor * (1u64 << WEIGHT_BITS) as f64).round().max(1.0) as u64).collect()
}

/// One accumulation in the chart and its area-weighted tallies per group.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Per triangle (cells), with the chart picture when asked.
    pub acc: Accumulation,
    /// Per mesh group, in weight units.
    pub groups: Vec<Tally>,
}

/// Accumulate `punctures` (chart coordinates, footprints `shapes`) at radius `radius_mm` over
/// the chart, and weight the triangles' tallies into `group_count` group tallies.
#[allow(clippy::too_many_arguments)]
pub fn measure(
    chart: &Chart,
    group_count: usize,
    punctures: &[Puncture],
    shapes: &[Shape],
    grid: &SurfaceGrid,
    radius_mm: f64,
    passes: usize,
    picture_cells: Option<usize>,
    layers: Layers,
) -> Measured {
    let req = Request { grid: grid.grid, radius_mm, passes, picture_cells, domain: chart, layers };
    weigh(chart, group_count, accumulate::accumulate_shaped(punctures, Some(shapes), &req), passes, layers)
}

/// [`measure`] over the tiles the footprints touch only: the hit counts (and so every
/// group's `covered()`) are exact, cell counts cover those tiles only. For the few punctures
/// that reach a depth level.
pub fn measure_hits(
    chart: &Chart,
    group_count: usize,
    punctures: &[Puncture],
    shapes: &[Shape],
    grid: &SurfaceGrid,
    radius_mm: f64,
    passes: usize,
) -> Measured {
    let boxes = punctures.iter().zip(shapes).map(|(p, s)| footprint::bbox(p, Some(s), radius_mm));
    let touched = Touched::new(chart, &grid.grid, boxes);
    let req = Request { grid: grid.grid, radius_mm, passes, picture_cells: None, domain: &touched, layers: Layers::default() };
    weigh(chart, group_count, accumulate::accumulate_shaped(punctures, Some(shapes), &req), passes, Layers::default())
}

/// The triangles' tallies of `acc` weighted into `group_count` group tallies.
fn weigh(chart: &Chart, group_count: usize, acc: Accumulation, passes: usize, layers: Layers) -> Measured {
    let frames = layers.frame_ends.map_or(0, |e| e.len());
    let mut groups = vec![Tally::with_frames(passes, frames); group_count];
    for ((t, tally), w) in chart.tris.iter().zip(&acc.tallies).zip(weights(chart)) {
        groups[t.group as usize].add_scaled(tally, w);
    }
    Measured { acc, groups }
}
