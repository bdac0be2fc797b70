//! One needle in the skin: where it lands (`puncture`: every needle of every stamp), the
//! shape it leaves (`footprint`: a disk, an ellipse `r / cos(tilt)` × `r` when tilted, a
//! slot when dragged) and how deep it reaches (`skin`: real depth = set × penetration ratio ×
//! cos(tilt), classed by skin layer).
//!
//! **Units:** mm for positions, diameters and depths, degrees for tilts, s for times.
//! **Invariant (conservation):** a pass of `S` stamps of an `N`-needle cartridge yields
//! exactly `N × S` punctures, inside the area or not.

pub mod footprint;
pub mod puncture;
pub mod skin;
pub mod stamp;
