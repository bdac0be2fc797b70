//! The simulation: a validated [`Simulation`] in, punctures, tallies and metrics out.
//!
//! **Invariants:** no IO, no file format, no pictures (the front ends draw); the same
//! simulation and seed give the same result whatever the thread count; the resource guard
//! ([`resources::check`]) runs before anything large is allocated.

mod points;
pub mod resources;
mod simulation;

pub use points::coverage_of_points;
pub use resources::{ASSUMED_WORKERS, Limits, PICTURE_MAX_PX};
pub use simulation::*;
