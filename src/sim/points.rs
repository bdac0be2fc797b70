//! Coverage of bare puncture centres: the `coverage` command's measurement, with the run's
//! grid, accumulator and metrics.

use rayon::prelude::*;

use crate::error::Error;
use crate::error::Result;
use crate::geometry::Rect;
use crate::{metrics, needle, raster};

/// Coverage and density of bare puncture centres `(x_mm, y_mm)` of footprint `diameter_mm`
/// inside `rect`, at `resolution_mm`. All points count as one pass. Refused, before anything
/// large is allocated, when the grid or memory would exceed the default [`super::Limits`].
pub fn coverage_of_points(points: &[(f64, f64)], diameter_mm: f64, rect: Rect, resolution_mm: f64) -> Result<(metrics::Coverage, f64)> {
    let grid = raster::grid::GridSpec::new(resolution_mm)
        .map_err(|_| Error::invalid("--resolution-mm", resolution_mm, "a positive, finite cell side in mm"))?;
    let workload =
        super::resources::Workload { bounds: rect, grid, punctures: points.len() as f64, reach_mm: 0.5 * diameter_mm, passes: 1 };
    let advice =
        super::resources::Advice { keyed: false, measured: "the rectangle", coarsen: "--resolution-mm", shrink: "use a smaller --rect" };
    super::resources::check(&workload, &super::Limits::default(), &advice)?;
    let punctures: Vec<needle::puncture::Puncture> = points
        .par_iter()
        .map(|&(x_mm, y_mm)| needle::puncture::Puncture {
            pass: 0,
            stamp: 0,
            needle: 0,
            x_mm,
            y_mm,
            depth_mm: 0.0,
            t_s: 0.0,
            ..Default::default()
        })
        .collect();
    let domain = raster::domain::RectDomain(rect);
    let acc = raster::accumulate::accumulate(
        &punctures,
        &raster::accumulate::Request {
            grid,
            radius_mm: 0.5 * diameter_mm,
            passes: 1,
            picture_cells: None,
            domain: &domain,
            layers: Default::default(),
        },
    );
    let cov = metrics::Coverage::from_tally(&acc.tallies[0], &grid);
    let density = metrics::density(&punctures, &domain).remove(0).density_per_cm2;
    Ok((cov, density))
}
