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

pub use sim::coverage_of_points;
