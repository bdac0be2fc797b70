//! The technique: how the pen moves over the skin.
//!
//! - `lanes`: the planned passes (serpentine, strokes, random reference) and their stamps,
//!   one every `speed_mm_s / frequency_hz` mm of path.
//! - `patterns`: circles and stamping paths; `walk`: a pattern walked by a hand;
//!   `hand`: the hand's seeded processes (speed, tremor, tilt, period jitter).
//! - `trajectory`: a recorded trajectory cut into pen-down strokes; `firing`: the firing
//!   clock of hand-drawn strokes (shared by the live page and trace replay).
//! - `session_time`: procedure time and cocktail dose; `spec`: the [`Technique`] bundle.
//!
//! **Units:** mm, s, Hz, mm/s, degrees. **Invariant:** a pass with the ideal technique is
//! stamped by `lanes::plan_pass` and the walker reduces to the same arithmetic, bit for bit;
//! every random process draws from its own ChaCha8 stream, so nothing depends on threads.

pub mod firing;
pub mod hand;
pub mod lanes;
pub mod patterns;
pub mod session_time;
mod spec;
pub mod trajectory;
pub mod walk;

pub use spec::*;
