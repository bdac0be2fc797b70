//! # surface — the skin as a curved triangle mesh with a UV chart
//!
//! The face as a surface, not a frontal projection: a triangle mesh whose vertices carry
//! 3D positions in **millimetres** and whose corners carry UV chart coordinates (unitless).
//! Lanes are laid out in the chart but spaced and stamped by true 3D arc length; the pen is
//! held along the local surface normal; coverage is accumulated in the chart with each cell
//! weighted by its true skin area, so density and coverage are per mm² of skin.
//!
//! Invariants:
//! - positions are finite and in mm (readers convert declared units); UVs are finite;
//! - every triangle has positive 3D area and positive (counter-clockwise) UV area;
//! - `Triangle::group` indexes `SurfaceMesh::groups` (region or zone names, unique).
//!
//! Place in the import rule: after `sim`, before `face` (geometry → … → sim → surface → face).

pub mod mesh;

pub use mesh::{SurfaceMesh, Triangle};
