//! Metrics: what tallies and punctures mean for the skin (`coverage`: coverage per pass and
//! cumulative, overlap histogram, density per cm², 1 mm-bin uniformity, Boolean-model
//! closed forms), empty space (`gaps`, `empty_disk`) and cartridge aliasing (`aliasing`).
//!
//! **Units:** fractions in [0, 1], densities per cm² (1 cm² = 100 mm²), areas mm².
//! **Invariants:** cumulative coverage never decreases with passes; the overlap histogram
//! sums to 1; every figure is a pure function of integer tallies and puncture centres.

pub mod aliasing;
mod coverage;
pub mod empty_disk;
pub mod gaps;

pub use coverage::*;
