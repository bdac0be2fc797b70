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
//! **Grid.** The finest cell side is the scenario's resolution, refined so the most stretched
//! measured triangle still has ≥ [`MIN_CELLS_ACROSS_RADIUS`] cells across a hole's smallest
//! chart semi-axis (`r / stretch_max`): [`SurfaceGrid`] reports that cell side, the fewest
//! cells across a hole radius and the worst-case area error of one hole.
//!
//! **Cells tile by tile** ([`TileLevels`]). A run does not need the finest cells everywhere:
//! each ≈ 2 mm tile of the chart is cut into the coarsest cells that still give every
//! triangle touching it ≥ [`MIN_CELLS_ACROSS_RADIUS`] cells across a hole radius, never
//! coarser than the scenario's resolution (`max_resolution_mm`), never finer than the
//! finest grid. A cell of
//! triangle `t` in a tile of cell side `h_L` weighs `round(σ_t · (h_L / h)² · 2^WEIGHT_BITS)`
//! units, so the tallies stay integers in one unit. On the built-in face this cuts the cells
//! ≈ 3.6× (most of the face is stretched far less than its worst triangle); the coverage
//! figures move by ≈ 10⁻⁴ (the grid's sampling error; PERFORMANCE.md).

use crate::error::{Error, Result};
use crate::needle::footprint::{self, Shape};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::{self, Accumulation, Layers, Request, Tally, TileGrids};
use crate::raster::domain::Touched;
use crate::raster::grid::GridSpec;

use super::chart::Chart;

/// Bits of the fixed area unit per cell: one unit = `h² / 2^WEIGHT_BITS` mm².
pub const WEIGHT_BITS: u32 = 16;
/// Fewest cells across a hole's smallest chart semi-axis.
pub const MIN_CELLS_ACROSS_RADIUS: f64 = 4.5;
/// Finest cell side a surface run may choose, mm.
pub const MIN_RESOLUTION_MM: f64 = 0.0005;
/// Coarsest cell side of a surface run whose scenario sets no resolution, mm (the scenario
/// file's largest allowed `grid.resolution_mm`): the holes' rule decides the cells.
pub const DEFAULT_MAX_RESOLUTION_MM: f64 = 0.05;

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
    weights_scaled(chart, 1.0)
}

/// Does the closed triangle `c` meet the rectangle `r`? Separating axes (the rectangle's are
/// the caller's box test): `false` only when all four corners lie outside one edge's line by
/// more than a rounding margin, so a triangle with a cell centre in `r` always meets it.
fn touches(c: &[crate::geometry::Vec2; 3], r: &crate::geometry::Rect) -> bool {
    let corners = [(r.x0, r.y0), (r.x1, r.y0), (r.x0, r.y1), (r.x1, r.y1)];
    let scale = r.width().max(r.height());
    (0..3).all(|k| {
        let (a, b, o) = (c[k], c[(k + 1) % 3], c[(k + 2) % 3]);
        let n = crate::geometry::Vec2::new(a.y - b.y, b.x - a.x);
        let inward = if n.dot(&(o - a)) >= 0.0 { 1.0 } else { -1.0 };
        let margin = 1e-9 * n.norm() * scale;
        corners.iter().any(|&(x, y)| inward * (n.x * (x - a.x) + n.y * (y - a.y)) >= -margin)
    })
}

/// Integer weight of a cell of each triangle whose side is `sqrt(ratio)` times the grid's.
fn weights_scaled(chart: &Chart, ratio: f64) -> Vec<u64> {
    chart.tris.iter().map(|t| (t.area_factor * (1u64 << WEIGHT_BITS) as f64 * ratio).round().max(1.0) as u64).collect()
}

/// The cells of a run, tile by tile (see the module doc): level 0 is the [`SurfaceGrid`],
/// coarser levels share its tiles.
#[derive(Clone, Debug)]
pub struct TileLevels {
    /// Grids by level, finest (the surface grid) first; every level's tile side is the
    /// surface grid's.
    pub levels: Vec<GridSpec>,
    /// Tile window over the chart's bounds: first tile and size.
    ti0: i64,
    tj0: i64,
    nx: usize,
    ny: usize,
    /// Level of each tile of the window.
    tile_level: Vec<u8>,
    /// Weight of a cell of each triangle at each level: `weights[level · tris + t]`.
    weights: Vec<u64>,
    /// Tiles holding a triangle, by level.
    pub tiles: Vec<usize>,
}

impl TileLevels {
    /// Levels for holes of radius `radius_mm` on `chart` over the surface grid `grid`, cells
    /// no coarser than `max_resolution_mm`.
    pub fn new(chart: &Chart, grid: &SurfaceGrid, radius_mm: f64, max_resolution_mm: f64) -> Self {
        let g = grid.grid;
        let b = chart.chart_bounds();
        let (ti0, tj0) = (g.tile_of(b.x0), g.tile_of(b.y0));
        let (nx, ny) = ((g.tile_of(b.x1) - ti0 + 1) as usize, (g.tile_of(b.y1) - tj0 + 1) as usize);
        let n0 = g.tile_cells;
        let tile_mm = g.tile_mm();
        // Fewest cells per tile side for a triangle of stretch `s` (settled by the very test
        // the doc states, so the rounding of the guess never matters).
        let cells_for = |s: f64| -> usize {
            let mut n = ((tile_mm / max_resolution_mm).ceil() as usize).max(1);
            while n < n0 && tile_mm / n as f64 > max_resolution_mm {
                n += 1;
            }
            if s > 0.0 {
                n = n.max((tile_mm * MIN_CELLS_ACROSS_RADIUS * s / radius_mm).floor() as usize);
                while n < n0 && radius_mm / s / (tile_mm / n as f64) < MIN_CELLS_ACROSS_RADIUS {
                    n += 1;
                }
            }
            n.min(n0)
        };
        let mut need = vec![0usize; nx * ny];
        for t in &chart.tris {
            let n = cells_for(t.stretch.0);
            let tb = t.bounds();
            let (x0, x1) = ((g.tile_of(tb.x0) - ti0).max(0) as usize, ((g.tile_of(tb.x1) - ti0) as usize).min(nx - 1));
            let (y0, y1) = ((g.tile_of(tb.y0) - tj0).max(0) as usize, ((g.tile_of(tb.y1) - tj0) as usize).min(ny - 1));
            for y in y0..=y1 {
                for x in x0..=x1 {
                    if touches(&t.chart, &g.tile_rect(ti0 + x as i64, tj0 + y as i64)) {
                        need[y * nx + x] = need[y * nx + x].max(n);
                    }
                }
            }
        }
        // Levels: the finest first, then every coarser side some tile needs.
        let mut sides: Vec<usize> = need.iter().copied().filter(|&n| n > 0 && n < n0).collect();
        sides.sort_unstable_by(|a, b| b.cmp(a));
        sides.dedup();
        sides.insert(0, n0);
        assert!(sides.len() <= u8::MAX as usize, "at most 255 levels");
        let levels: Vec<GridSpec> =
            sides.iter().map(|&n| if n == n0 { g } else { GridSpec { resolution_mm: tile_mm / n as f64, tile_cells: n } }).collect();
        // Level of each side (cells per tile side); a tile no triangle meets holds no measured
        // cell: the coarsest cells do.
        let mut level_of_side = vec![sides.len() - 1; n0 + 1];
        sides.iter().enumerate().for_each(|(l, &n)| level_of_side[n] = l);
        let mut tiles = vec![0usize; levels.len()];
        let tile_level = need
            .iter()
            .map(|&n| {
                let l = level_of_side[n];
                tiles[l] += usize::from(n > 0);
                l as u8
            })
            .collect();
        let weights = sides.iter().flat_map(|&n| weights_scaled(chart, (n0 as f64 / n as f64).powi(2))).collect();
        TileLevels { levels, ti0, tj0, nx, ny, tile_level, weights, tiles }
    }

    /// Level of tile `(ti, tj)`.
    fn level(&self, ti: i64, tj: i64) -> usize {
        let (x, y) = (ti - self.ti0, tj - self.tj0);
        if x < 0 || y < 0 || x >= self.nx as i64 || y >= self.ny as i64 {
            0
        } else {
            self.tile_level[y as usize * self.nx + x as usize] as usize
        }
    }

    /// Coarsest cell side any tile holding a triangle has, mm.
    pub fn coarsest_resolution_mm(&self) -> f64 {
        self.levels
            .iter()
            .zip(&self.tiles)
            .filter(|(_, n)| **n > 0)
            .map(|(g, _)| g.resolution_mm)
            .fold(self.levels[0].resolution_mm, f64::max)
    }

    /// Cells of tiles holding a triangle, all levels: what the accumulation folds.
    pub fn cells(&self) -> u64 {
        self.levels.iter().zip(&self.tiles).map(|(g, &n)| (g.tile_cells * g.tile_cells) as u64 * n as u64).sum()
    }

    /// Accumulate with these levels.
    fn accumulate(&self, punctures: &[Puncture], shapes: &[Shape], req: &Request) -> Accumulation {
        let level = |ti: i64, tj: i64| self.level(ti, tj);
        let grids = TileGrids { levels: &self.levels, level: &level, weights: &self.weights };
        accumulate::accumulate_tiled(punctures, Some(shapes), req, Some(&grids))
    }
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
/// the chart, on the surface grid or tile by tile on `tiles` (whose level 0 is `grid`), and
/// weight the triangles' tallies into `group_count` group tallies.
#[allow(clippy::too_many_arguments)]
pub fn measure(
    chart: &Chart,
    group_count: usize,
    punctures: &[Puncture],
    shapes: &[Shape],
    grid: &SurfaceGrid,
    tiles: Option<&TileLevels>,
    radius_mm: f64,
    passes: usize,
    picture_cells: Option<usize>,
    layers: Layers,
) -> Measured {
    let req = Request { grid: grid.grid, radius_mm, passes, picture_cells, domain: chart, layers };
    weigh(chart, group_count, accumulate_on(punctures, shapes, &req, tiles), passes, layers, tiles.is_some())
}

/// One accumulation on the surface grid or on `tiles` (tallies then already in weight units).
fn accumulate_on(punctures: &[Puncture], shapes: &[Shape], req: &Request, tiles: Option<&TileLevels>) -> Accumulation {
    match tiles {
        Some(t) => t.accumulate(punctures, shapes, req),
        None => accumulate::accumulate_shaped(punctures, Some(shapes), req),
    }
}

/// [`measure`] over the tiles the footprints touch only: the hit counts (and so every
/// group's `covered()`) are exact, cell counts cover those tiles only. For the few punctures
/// that reach a depth level.
#[allow(clippy::too_many_arguments)]
pub fn measure_hits(
    chart: &Chart,
    group_count: usize,
    punctures: &[Puncture],
    shapes: &[Shape],
    grid: &SurfaceGrid,
    tiles: Option<&TileLevels>,
    radius_mm: f64,
    passes: usize,
) -> Measured {
    let boxes = punctures.iter().zip(shapes).map(|(p, s)| footprint::bbox(p, Some(s), radius_mm));
    let touched = Touched::new(chart, &grid.grid, boxes);
    let req = Request { grid: grid.grid, radius_mm, passes, picture_cells: None, domain: &touched, layers: Layers::default() };
    weigh(chart, group_count, accumulate_on(punctures, shapes, &req, tiles), passes, Layers::default(), tiles.is_some())
}

/// The triangles' tallies of `acc` weighted into `group_count` group tallies (`weighted`:
/// they already are in weight units).
fn weigh(chart: &Chart, group_count: usize, acc: Accumulation, passes: usize, layers: Layers, weighted: bool) -> Measured {
    let frames = layers.frame_ends.map_or(0, |e| e.len());
    let mut groups = vec![Tally::with_frames(passes, frames); group_count];
    let w = if weighted { vec![1; chart.tris.len()] } else { weights(chart) };
    for ((t, tally), w) in chart.tris.iter().zip(&acc.tallies).zip(w) {
        groups[t.group as usize].add_scaled(tally, w);
    }
    Measured { acc, groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Vec2;
    use crate::sim::picture_cells_for;
    use crate::surface::shapes::{flat_rect, sphere_cap};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const R: f64 = 0.09;

    /// Round chart disks at random points of the disk of radius `rho` mm, 3 passes.
    fn random_disks(n: usize, rho: f64, seed: u64) -> (Vec<Puncture>, Vec<Shape>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = Vec::new();
        while out.len() < n {
            let (x, y) = (rng.random_range(-rho..rho), rng.random_range(-rho..rho));
            if x * x + y * y <= rho * rho {
                out.push(Puncture { x_mm: x, y_mm: y, pass: (out.len() % 3) as u16, ..Default::default() });
            }
        }
        let shape = Shape { a_per_r: 1.0, b_per_r: 1.0, axis: Vec2::new(1.0, 0.0), drag: Vec2::zeros() };
        (out.clone(), vec![shape; out.len()])
    }

    /// A sphere cap seen orthographically: stretch 1 at the pole, 2 at 60°.
    fn cap() -> (Chart, SurfaceGrid, TileLevels) {
        let chart = Chart::new(&sphere_cap(10.0, 60.0, 12, 48), "cap").unwrap();
        let grid = SurfaceGrid::choose(&chart, &[0], R, DEFAULT_MAX_RESOLUTION_MM).unwrap();
        let tiles = TileLevels::new(&chart, &grid, R, DEFAULT_MAX_RESOLUTION_MM);
        (chart, grid, tiles)
    }

    /// Every tile holding a point of a triangle (a barycentric lattice of points over each
    /// triangle, corners and edges included: brute force, independent of the tiles' own
    /// contact test) has ≥ 4.5 cells across a hole radius on that triangle, no cell is coarser
    /// than allowed, and the low-stretch middle of the cap gets coarser cells than the finest.
    #[test]
    fn every_tile_resolves_the_holes_of_its_triangles() {
        let (chart, grid, tiles) = cap();
        let g = grid.grid;
        assert!(tiles.levels.len() >= 3, "{} levels", tiles.levels.len());
        let mut coarse = 0;
        const N: usize = 12;
        for t in &chart.tris {
            let [a, b, c] = t.chart;
            for i in 0..=N {
                for j in 0..=N - i {
                    let (u, v) = (i as f64 / N as f64, j as f64 / N as f64);
                    let p = a + (b - a) * u + (c - a) * v;
                    let h = tiles.levels[tiles.level(g.tile_of(p.x), g.tile_of(p.y))].resolution_mm;
                    assert!(R / t.stretch.0 / h >= MIN_CELLS_ACROSS_RADIUS - 1e-9, "stretch {} at {h} mm", t.stretch.0);
                    assert!(h <= DEFAULT_MAX_RESOLUTION_MM && h >= g.resolution_mm);
                    coarse += usize::from(h > 1.5 * g.resolution_mm);
                }
            }
        }
        assert!(coarse > 0, "the flat middle of the cap is cut no coarser than its rim");
        // Every level's tiles are the surface grid's tiles.
        for l in &tiles.levels {
            assert!((l.tile_mm() - g.tile_mm()).abs() < 1e-12 * g.tile_mm());
        }
    }

    /// The same holes measured on the tiles and on the finest grid everywhere: coverage,
    /// histogram and sampled area agree within the grids' sampling error, and the sampled
    /// skin area is the cap's mesh area within the rim bound.
    #[test]
    fn tiled_tallies_match_the_finest_grid() {
        let (chart, grid, tiles) = cap();
        let (p, s) = random_disks(12_000, 8.6, 7);
        let fine = measure(&chart, 1, &p, &s, &grid, None, R, 3, None, Layers::default()).groups.remove(0);
        let tiled = measure(&chart, 1, &p, &s, &grid, Some(&tiles), R, 3, None, Layers::default()).groups.remove(0);
        let frac = |t: &Tally, c: u64| c as f64 / t.cells as f64;
        let (cf, ct) = (frac(&fine, fine.covered()), frac(&tiled, tiled.covered()));
        assert!(cf > 0.3 && cf < 0.9, "coverage {cf}");
        assert!((cf - ct).abs() < 0.003, "coverage fine {cf} tiled {ct}");
        for k in 0..4 {
            assert!((frac(&fine, fine.hist[k]) - frac(&tiled, tiled.hist[k])).abs() < 0.003, "hist[{k}]");
        }
        let area: f64 = chart.tris.iter().map(|t| t.area_factor * crate::surface::plan::area(&t.chart)).sum();
        let (af, at) = (fine.cells as f64 * grid.unit_mm2, tiled.cells as f64 * grid.unit_mm2);
        assert!((af - area).abs() < 0.005 * area && (at - area).abs() < 0.005 * area, "areas {af} {at} of {area}");
        let n0 = grid.grid.tile_cells as u64;
        // Cells ∝ the tile's largest stretch² (1 / cos² of the polar angle at its outer
        // edge): 2 mm tiles on a 8.7 mm chart keep most of the area near the rim's.
        let finest = tiles.tiles.iter().sum::<usize>() as u64 * n0 * n0;
        assert!((tiles.cells() as f64) < 0.85 * finest as f64, "{} cells of {finest} on the finest grid", tiles.cells());
    }

    /// An isometric chart at the scenario's resolution has one level: the tiled tallies are
    /// the single grid's, count for count, at 1 and 2 threads.
    #[test]
    fn one_level_is_the_single_grid_exactly() {
        let chart = Chart::new(&flat_rect(6.0, 4.0, 3, 2, "flat"), "flat").unwrap();
        let grid = SurfaceGrid::choose(&chart, &[0], R, 0.01).unwrap();
        let tiles = TileLevels::new(&chart, &grid, R, 0.01);
        assert_eq!(tiles.levels, vec![grid.grid]);
        let (mut p, s) = random_disks(3_000, 2.0, 3);
        p.iter_mut().for_each(|q| (q.x_mm, q.y_mm) = (q.x_mm + 3.0, q.y_mm + 2.0));
        let pc = Some(picture_cells_for(&grid.grid, &chart.chart_bounds()));
        let single = measure(&chart, 1, &p, &s, &grid, None, R, 3, pc, Layers::default());
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let tiled = pool.install(|| measure(&chart, 1, &p, &s, &grid, Some(&tiles), R, 3, pc, Layers::default()));
            assert_eq!(tiled.groups, single.groups, "{threads} threads");
            assert_eq!(tiled.acc.raster, single.acc.raster);
        }
    }
}
