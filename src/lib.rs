//! # needlesim
//!
//! A simulator of fractional microneedle (mesotherapy) pens: device parameters + technique +
//! a treated area in, where every needle lands and what that does to the skin out.
//!
//! The library is a small core with thin front ends on top:
//!
//! ```text
//! scenario (TOML, edge) ──► Cartridge + Device + Technique (core types)
//!     motion::plan_pass ──► stamps (cartridge centre, time)
//!     puncture::place   ──► punctures (pass, stamp, needle, x, y, depth)
//!     accumulate        ──► integer hit counts per cell, tiled, streamed into tallies
//!     metrics           ──► coverage, overlap histogram, density, uniformity
//!     output / render   ──► summary.json, punctures.csv, heatmap PNG
//! sweep: many points of a design ──► results.csv, manifest.json, plots
//! ```
//!
//! **Frame and units.** Every coordinate is in millimetres on the face-map (or patch) plane,
//! x to the right and y up. Times are seconds, frequencies hertz, speeds mm/s. Names carry
//! their unit (`depth_mm`, `speed_mm_s`, `frequency_hz`).
//!
//! **Invariant.** The simulation core (`geometry`, `cartridge`, `device`, `motion`,
//! `puncture`, `domain`, `grid`, `accumulate`, `metrics`, `simulate`, `polygon`, `interval`,
//! `skin`, `face`) does no IO and knows no file format; `scenario`, `facemap_file`, `output`
//! and `sweep` are the edges that do.

pub mod error;
pub mod face;
pub mod geometry;
pub mod io;
pub mod live;
pub mod metrics;
pub mod needle;
pub mod pen;
pub mod raster;
pub mod render;
pub mod serve;
pub mod sim;
pub mod study;
pub mod technique;

#[doc(hidden)]
pub use io::fuzzing;

pub use error::{Error, Result};

use geometry::Rect;

/// Coverage and density of bare puncture centres `(x_mm, y_mm)` of footprint `diameter_mm`
/// inside `rect`, at `resolution_mm`. All points count as one pass.
pub fn coverage_of_points(points: &[(f64, f64)], diameter_mm: f64, rect: Rect, resolution_mm: f64) -> Result<(metrics::Coverage, f64)> {
    let grid = raster::grid::GridSpec::new(resolution_mm);
    let cells = rect.area() / (resolution_mm * resolution_mm);
    let limits = sim::Limits::default();
    if cells > limits.max_cells {
        return Err(Error::TooLarge {
            what: format!("a {resolution_mm} mm grid over {:.0} mm²", rect.area()),
            needed: format!("{cells:.3e} cells"),
            limit: format!("{:.3e} cells", limits.max_cells),
            hint: "use a coarser --resolution-mm or a smaller --rect".into(),
        });
    }
    let punctures: Vec<needle::puncture::Puncture> = points
        .iter()
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
