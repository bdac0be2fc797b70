//! The pen: how often it stamps, how the cartridge is turned, the allowed depth range.
//!
//! **Model.** The pen fires the whole cartridge once per period `1 / frequency_hz`. The
//! cartridge keeps one orientation (`rotation_deg`, counter-clockwise, in the face-map frame)
//! for the whole session: practitioners change direction by moving the pen, not by turning
//! it. `angle_deg` is the angle between the needles and the skin surface (90° = perpendicular,
//! as the sources prescribe); it is stored and validated here, and tilt is modelled by the
//! technique layer.
//!
//! `contact_duty` is the fraction of each period the needles stay in the skin. `None` is the
//! instantaneous needle of the ideal model; with a duty the needles are dragged along while
//! the pen moves (the needle module draws the dragged slot).

use crate::error::{Error, Result};

/// Depth range of the pens in the source articles, mm (0.4–2.0).
pub const SOURCE_DEPTH_RANGE_MM: (f64, f64) = (0.4, 2.0);
/// Stamping frequencies the pens in `shared/domain.md` span, Hz; a pen outside this is
/// refused as a typo rather than simulated.
pub const FREQUENCY_RANGE_HZ: (f64, f64) = (1.0, 1000.0);

#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    /// Stamps per second, Hz. Must be in [`FREQUENCY_RANGE_HZ`].
    pub frequency_hz: f64,
    /// Cartridge rotation in the face-map frame, degrees, counter-clockwise.
    pub rotation_deg: f64,
    /// Angle between needle and skin, degrees; 90 is perpendicular. Range (0, 90].
    pub angle_deg: f64,
    /// Smallest and largest settable depth, mm.
    pub depth_range_mm: (f64, f64),
    /// Fraction of each period the needles stay in the skin, in (0, 1]; `None` =
    /// instantaneous (no drag).
    pub contact_duty: Option<f64>,
    /// Frequencies this pen can be set to, Hz (a device preset's range; by default all of
    /// [`FREQUENCY_RANGE_HZ`]). A `frequency_hz` outside it is legal but warned about.
    pub frequency_range_hz: (f64, f64),
}

impl Default for Device {
    fn default() -> Self {
        Device {
            frequency_hz: 120.0,
            rotation_deg: 0.0,
            angle_deg: 90.0,
            depth_range_mm: SOURCE_DEPTH_RANGE_MM,
            contact_duty: None,
            frequency_range_hz: FREQUENCY_RANGE_HZ,
        }
    }
}

impl Device {
    /// Time between two stamps, s.
    pub fn period_s(&self) -> f64 {
        1.0 / self.frequency_hz
    }

    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = FREQUENCY_RANGE_HZ;
        if !(self.frequency_hz.is_finite() && self.frequency_hz >= lo && self.frequency_hz <= hi) {
            return Err(Error::invalid("device.frequency_hz", self.frequency_hz, format!("{lo}–{hi} Hz")));
        }
        if !self.rotation_deg.is_finite() {
            return Err(Error::invalid("device.rotation_deg", self.rotation_deg, "a finite angle in degrees"));
        }
        if !(self.angle_deg.is_finite() && self.angle_deg > 0.0 && self.angle_deg <= 90.0) {
            return Err(Error::invalid("device.angle_deg", self.angle_deg, "0 < angle ≤ 90 degrees (90 = perpendicular)"));
        }
        if let Some(d) = self.contact_duty.filter(|d| !(d.is_finite() && *d > 0.0 && *d <= 1.0)) {
            return Err(Error::invalid("device.contact_duty", d, "0 < duty ≤ 1 (a fraction of the period)"));
        }
        let (rlo, rhi) = self.frequency_range_hz;
        if !(rlo.is_finite() && rhi.is_finite() && lo <= rlo && rlo <= rhi && rhi <= hi) {
            return Err(Error::invalid(
                "device.frequency_min_hz/frequency_max_hz",
                format!("{rlo}–{rhi}"),
                format!("{lo} ≤ min ≤ max ≤ {hi} Hz"),
            ));
        }
        let (dlo, dhi) = self.depth_range_mm;
        if !(dlo.is_finite() && dhi.is_finite() && dlo > 0.0 && dlo <= dhi && dhi <= 5.0) {
            return Err(Error::invalid("device.depth_min_mm/depth_max_mm", format!("{dlo}–{dhi}"), "0 < min ≤ max ≤ 5 mm"));
        }
        Ok(())
    }

    /// A warning when `frequency_hz` lies outside the pen's own range.
    pub fn frequency_warning(&self) -> Option<String> {
        let (lo, hi) = self.frequency_range_hz;
        (self.frequency_hz < lo || self.frequency_hz > hi)
            .then(|| format!("device.frequency_hz = {} is outside the pen's range {lo}–{hi} Hz", self.frequency_hz))
    }

    /// Check a set depth against this device's range.
    pub fn check_depth(&self, depth_mm: f64) -> Result<()> {
        self.check_depth_of("cartridge.depth_mm", depth_mm)
    }

    /// As [`Self::check_depth`], naming the set depth `key` in the error (e.g. a face
    /// treatment's `treat[2].depth_mm`).
    pub fn check_depth_of(&self, key: &str, depth_mm: f64) -> Result<()> {
        let (lo, hi) = self.depth_range_mm;
        if !(depth_mm.is_finite() && depth_mm >= lo && depth_mm <= hi) {
            return Err(Error::invalid(key, depth_mm, format!("the device range {lo}–{hi} mm")));
        }
        Ok(())
    }
}
