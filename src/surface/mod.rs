//! # surface — the skin as a curved triangle mesh with a UV chart
//!
//! The face as a surface, not a frontal projection: a triangle mesh whose vertices carry
//! 3D positions in **millimetres** and whose corners carry UV chart coordinates (unitless).
//! Lanes are laid out in the chart but spaced and stamped by true 3D arc length; the pen is
//! held along the local surface normal; coverage is accumulated in the chart with each cell
//! weighted by its true skin area, so density and coverage are per mm² of skin.
//!
//! - `mesh` — the mesh type; `validate` — the rules below, errors naming the index;
//! - `chart` — chart mm (`uv × scale_mm`), per-triangle affine maps chart ↔ skin, normals,
//!   the triangle locator (a [`Domain`](crate::raster::domain::Domain) labelled by triangle);
//! - `clearance` — 3D distance to the no-go triangles; `plan` — lanes and stamps by skin
//!   length; `walk` — a real hand (tremor, speed, tilt, drag) walking those lanes on the
//!   skin; `place` — needles landed on the skin (pen normal or frontal, tilted by the hand,
//!   dragged), chart footprints;
//! - `measure` — the chart grid and the area-weighted integer tallies per group;
//! - `groups` — the chart labelled by mesh group (regions, the treated union), skin areas;
//! - `projected` — frontal area: the union of a group's triangles projected on the xy plane
//!   (its silhouette, folds counted once), exact.
//!
//! Units: positions, distances and chart coordinates in mm; areas in mm² of skin unless
//! named `chart`; angles in degrees. Frame: the mesh's own; "frontal" means along −z (the
//! face looks towards +z).
//!
//! Invariants:
//! - positions are finite and in mm (readers convert declared units); UVs are finite;
//! - every triangle has positive 3D area and positive (counter-clockwise) UV area; an edge
//!   belongs to at most two triangles; at most 65,534 triangles (one accumulation label each);
//! - `Triangle::group` indexes `SurfaceMesh::groups` (region or zone names, unique);
//! - conservation: every needle of every stamp is one puncture, on or off the mesh;
//! - tallies are integers (cells × integer weights): same result for any thread count.
//!
//! Place in the import rule: after `sim`, before `face` (geometry → … → sim → surface → face).

pub mod chart;
pub mod clearance;
pub mod groups;
pub mod measure;
pub mod mesh;
pub mod place;
pub mod plan;
pub mod projected;
pub mod shapes;
pub mod trace;
pub mod validate;
pub mod walk;

pub use chart::Chart;
pub use mesh::{SurfaceMesh, Triangle};
pub use place::PenOrientation;
