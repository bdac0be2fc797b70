//! The accumulation grid: from punctures to integer counts per cell.
//!
//! - `grid`: cells of `resolution_mm` on a lattice anchored at the origin, centre sampling,
//!   tiles; the area error bound is documented there.
//! - `domain`: which label (patch, face region) a point has, exact areas, tile classes.
//! - `accumulate`: counting-sort punctures into ~2 mm tiles, rasterise each tile in a
//!   per-worker workspace, fold cells into integer tallies per label.
//! - `dense`: the naive dense grid, the slow truth for tests and the bench baseline.
//! - `frames`: where the animation frames of a session end (puncture counts).
//!
//! **Invariant:** tallies are integer sums, so results are identical whatever the thread
//! count or order. No pictures here: a down-sampled raster is data, drawn by `render`.

pub mod accumulate;
pub mod dense;
pub mod domain;
pub(crate) mod fold;
pub mod frames;
pub mod grid;
pub mod reference;
