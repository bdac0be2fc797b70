//! # needlesim
//!
//! A simulator of fractional microneedle (mesotherapy) pens: device parameters + technique +
//! a treated area (a flat patch or a face map) in, where every needle lands and what that
//! does to the skin out.
//!
//! ## Use it
//! The front door is three types: [`Scenario`] (load a scenario file or text, apply
//! `--set`-style overrides), [`Run`] (summary.json figures, punctures, the hits raster, and
//! with the `render` feature every file `needlesim run` writes) and [`Error`]. See
//! [`front`] for an example. Everything else is public for the binary, the tests and the
//! benches; it is documented, but its shape may change between versions.
//!
//! ## The pipeline
//! ```text
//! io::scenario (TOML, edge) ──► pen (Cartridge, Device) + technique + area ──► sim::Simulation
//!   technique::lanes / walk   ──► stamps (cartridge centre, time)
//!   needle::puncture          ──► punctures (pass, stamp, needle, x, y, depth): N × S exactly
//!   raster::accumulate        ──► integer tallies per label, tiled, per-worker workspaces
//!   metrics                   ──► coverage, overlap histogram, density, uniformity, gaps
//!   io::output + render       ──► summary.json, punctures.csv, pictures, report.html
//! face: FaceMap (regions, skin, no-go zones) as the domain, one treatment per region
//! study: sweeps, comparisons, the optimiser; live + serve: the training page
//! ```
//!
//! **Frame and units.** Every coordinate is in millimetres on the face-map (or patch) plane,
//! x to the right and y up. Times are seconds, frequencies hertz, speeds mm/s. Names carry
//! their unit (`depth_mm`, `speed_mm_s`, `frequency_hz`).
//!
//! **Invariant (the import rule, ARCHITECTURE.md).** The core folders (`geometry`, `pen`,
//! `needle`, `technique`, `raster`, `metrics`, `sim`, `surface`, `face`) do no IO, know no file format
//! and draw no pictures: they never import `io`, `render`, `study`, `live` or `serve`
//! (tests/layering.rs checks it).
//!
//! ## Features
//! `default = ["cli"]`. `--no-default-features` builds the core plus the scenario reader and
//! summary/CSV writers (nalgebra, rand, rayon, serde, toml, png, serde_json, thiserror);
//! `render` adds pictures (plotters, gif), `study` sweeps and comparisons, `serve` the live
//! page's server (axum, tokio), `cli` the binary (clap, indicatif, anyhow).

pub mod error;
pub mod face;
pub mod front;
pub mod geometry;
pub mod io;
pub mod live;
pub mod metrics;
pub mod needle;
pub mod pen;
pub mod raster;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sim;
#[cfg(feature = "study")]
pub mod study;
pub mod surface;
pub mod technique;

#[cfg(feature = "study")]
#[doc(hidden)]
pub use io::fuzzing;

pub use error::{Error, Result};
pub use front::{Run, Scenario};

pub use sim::coverage_of_points;
