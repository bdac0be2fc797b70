//! Stamps: one firing of the cartridge, where its axis is and when ([`Stamp`]), and the
//! same with the hand's state at that instant ([`HandStamp`]: velocity, period, tilt).
//!
//! They live beside the punctures they make (every needle of a stamp is one puncture) so
//! that `needle` needs nothing from `technique`: the technique plans stamps, the needle
//! module places them.
//!
//! **Units:** positions mm on the skin plane, times s since the pass started, velocities
//! mm/s, tilts degrees from perpendicular.

use crate::geometry::Vec2;

/// One firing of the cartridge: where its axis is and when.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stamp {
    /// Cartridge axis on the skin plane, mm.
    pub center_mm: Vec2,
    /// Time since the pass started, s.
    pub t_s: f64,
}

/// One firing with the hand's state at that instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HandStamp {
    /// Cartridge axis on the skin plane, mm.
    pub center_mm: Vec2,
    /// Time since the pass started, s.
    pub t_s: f64,
    /// Hand velocity, mm/s (zero when the pen is held still).
    pub velocity_mm_s: Vec2,
    /// Time until the next firing, s.
    pub period_s: f64,
    /// Tilt from perpendicular, degrees.
    pub tilt_deg: f64,
    /// Direction the pen leans towards, degrees counter-clockwise from +x.
    pub tilt_azimuth_deg: f64,
}

impl HandStamp {
    pub fn stamp(&self) -> Stamp {
        Stamp { center_mm: self.center_mm, t_s: self.t_s }
    }
}
