//! Punctures: every needle of every stamp, placed on the skin plane.
//!
//! **Invariant (conservation):** a pass with `S` stamps of an `N`-needle cartridge yields
//! exactly `N × S` punctures, whether or not they fall inside the treated area.

use crate::cartridge::Cartridge;
use crate::device::Device;
use crate::geometry::{Vec2, rotate};
use crate::motion::Stamp;

/// One needle entering the skin.
#[derive(Clone, Copy, Debug, PartialEq)]
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
}

/// Append the punctures of one pass's `stamps` to `out`.
pub fn place(cartridge: &Cartridge, device: &Device, pass: u16, stamps: &[Stamp], out: &mut Vec<Puncture>) {
    let offsets: Vec<Vec2> = cartridge.needles_mm.iter().map(|p| rotate(*p, device.rotation_deg)).collect();
    out.reserve(stamps.len() * offsets.len());
    for (s, stamp) in stamps.iter().enumerate() {
        for (n, off) in offsets.iter().enumerate() {
            let p = stamp.center_mm + off;
            out.push(Puncture {
                pass,
                stamp: s as u32,
                needle: n as u16,
                x_mm: p.x,
                y_mm: p.y,
                depth_mm: cartridge.depth_mm,
                t_s: stamp.t_s,
            });
        }
    }
}
