//! Geometry of the skin plane: vectors, rectangles, rotations and line clipping (`plane`),
//! simple polygons (`polygon`) and sorted interval sets (`interval`).
//!
//! **Frame and units (stated once for the whole crate):** millimetres on the face-map /
//! patch plane, x to the right, y up; angles in degrees, counter-clockwise from +x.
//!
//! **Invariant:** pure functions of their inputs; no IO, no randomness, no other folder of
//! the crate is imported here (geometry is the bottom of the layering).

pub mod interval;
mod plane;
pub mod polygon;

pub use plane::*;
