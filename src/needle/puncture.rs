//! Punctures: every needle of every stamp, placed on the skin plane.
//!
//! **Invariant (conservation):** a pass with `S` stamps of an `N`-needle cartridge yields
//! exactly `N × S` punctures, whether or not they fall inside the treated area.
//!
//! A puncture made by an ideal hand with an instantaneous needle is a disk at its centre.
//! A tilted needle or one that stays in the skin while the pen moves leaves a larger
//! footprint, described by `tilt_deg`, `tilt_azimuth_deg` and the drag vector (see
//! [`crate::needle::footprint`]); all three are zero for the ideal puncture (`Default`).

use crate::geometry::{Vec2, rotate};
use crate::needle::stamp::{HandStamp, Stamp};
use crate::pen::cartridge::Cartridge;
use crate::pen::device::Device;

/// One needle entering the skin.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Puncture {
    /// Pass index, from 0.
    pub pass: u16,
    /// Stamp index within the pass, from 0.
    pub stamp: u32,
    /// Needle index within the cartridge, from 0.
    pub needle: u16,
    /// Needle centre on the skin plane, mm.
    pub x_mm: f64,
    pub y_mm: f64,
    /// Set needle depth, mm.
    pub depth_mm: f64,
    /// Time since the pass started, s.
    pub t_s: f64,
    /// Tilt of the needle from perpendicular, degrees (0 = perpendicular). Signed: the
    /// footprint and the depth depend on its magnitude only.
    pub tilt_deg: f32,
    /// Direction the needle leans towards on the skin plane, degrees counter-clockwise from
    /// +x (only meaningful when `tilt_deg ≠ 0`).
    pub tilt_azimuth_deg: f32,
    /// How far the needle tip moves along the skin while it is in, mm (x and y): the hand's
    /// velocity × contact time. Zero for an instantaneous puncture.
    pub drag_x_mm: f32,
    pub drag_y_mm: f32,
}

impl Puncture {
    /// True when the footprint is the plain disk (no tilt, no drag): the accumulator's fast
    /// path.
    #[inline]
    pub fn is_disk(&self) -> bool {
        self.tilt_deg == 0.0 && self.drag_x_mm == 0.0 && self.drag_y_mm == 0.0
    }
}

/// Append the punctures of one pass's `stamps` to `out`.
pub fn place(cartridge: &Cartridge, device: &Device, pass: u16, stamps: &[Stamp], out: &mut Vec<Puncture>) {
    place_each(cartridge, device, pass, stamps.len(), out, |s| (stamps[s].center_mm, stamps[s].t_s, Puncture::default()));
}

/// Append the punctures of one pass made by a real hand: as [`place`], plus each stamp's
/// tilt and, when the device has a contact duty, the drag `velocity × duty × period`.
pub fn place_hand(cartridge: &Cartridge, device: &Device, pass: u16, stamps: &[HandStamp], out: &mut Vec<Puncture>) {
    place_each(cartridge, device, pass, stamps.len(), out, |s| {
        let stamp = &stamps[s];
        let drag = device.contact_duty.map_or(Vec2::zeros(), |duty| stamp.velocity_mm_s * (duty * stamp.period_s));
        let shape = Puncture {
            tilt_deg: stamp.tilt_deg as f32,
            tilt_azimuth_deg: stamp.tilt_azimuth_deg as f32,
            drag_x_mm: drag.x as f32,
            drag_y_mm: drag.y as f32,
            ..Puncture::default()
        };
        (stamp.center_mm, stamp.t_s, shape)
    });
}

/// Every needle of stamps `0..count`: `stamp(s)` gives the stamp's centre, time and a
/// template whose footprint fields (tilt, drag) every needle of that stamp shares.
fn place_each(
    cartridge: &Cartridge,
    device: &Device,
    pass: u16,
    count: usize,
    out: &mut Vec<Puncture>,
    stamp: impl Fn(usize) -> (Vec2, f64, Puncture),
) {
    let offsets: Vec<Vec2> = cartridge.needles_mm.iter().map(|p| rotate(*p, device.rotation_deg)).collect();
    out.reserve(count * offsets.len());
    for s in 0..count {
        let (center, t_s, shape) = stamp(s);
        for (n, off) in offsets.iter().enumerate() {
            let p = center + off;
            out.push(Puncture {
                pass,
                stamp: s as u32,
                needle: n as u16,
                x_mm: p.x,
                y_mm: p.y,
                depth_mm: cartridge.depth_mm,
                t_s,
                ..shape
            });
        }
    }
}
