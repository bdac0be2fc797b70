//! Cartridges: where the needles sit in the cartridge frame.
//!
//! **Model.** A cartridge is a rigid set of needle tips, each a disk of `needle_diameter_mm`
//! centred at an offset (mm) from the cartridge axis. The cartridge frame is the face-map
//! frame before the device's `rotation_deg` is applied. All needles of a cartridge fire
//! together at each stamp and share one set depth.
//!
//! **Presets.** The source articles say only "9 or 12" / "12–20 needles, 0.18 mm, at equal
//! distances". Needle pitch and tip diameter are not published (see `shared/domain.md`), so
//! the presets are **assumed**: evenly spaced square-ish grids with a 1.0 mm pitch, centred on
//! the axis: 9 = 3×3, 12 = 4×3, 16 = 4×4, 20 = 5×4. The tip (cartridge face) diameter
//! reported for a preset is the smallest circle around the needles plus a 1 mm rim (assumed).

use crate::error::{Error, Result};
use crate::geometry::{Vec2, rotate};

/// Default needle diameter, mm (both source articles: 0.18 mm).
pub const DEFAULT_NEEDLE_DIAMETER_MM: f64 = 0.18;
/// Default needle pitch of the presets, mm (**assumed**, not published).
pub const DEFAULT_PITCH_MM: f64 = 1.0;
/// Needle counts that have a preset.
pub const PRESET_NEEDLES: [usize; 4] = [9, 12, 16, 20];

/// A needle cartridge.
#[derive(Clone, Debug, PartialEq)]
pub struct Cartridge {
    /// Needle tip centres in the cartridge frame, mm. Never empty once validated.
    pub needles_mm: Vec<Vec2>,
    /// Needle diameter, mm. Must be positive.
    pub needle_diameter_mm: f64,
    /// Set needle depth, mm (the pen's depth dial).
    pub depth_mm: f64,
}

impl Cartridge {
    /// A preset cartridge of `needles` needles (9, 12, 16 or 20) at `pitch_mm`.
    pub fn preset(needles: usize, pitch_mm: f64) -> Result<Self> {
        let (cols, rows) = match needles {
            9 => (3, 3),
            12 => (4, 3),
            16 => (4, 4),
            20 => (5, 4),
            n => {
                return Err(Error::invalid("cartridge.preset", n, "one of 9, 12, 16, 20 (or give cartridge.needles_mm)"));
            }
        };
        Ok(Cartridge { needles_mm: grid_layout(cols, rows, pitch_mm), needle_diameter_mm: DEFAULT_NEEDLE_DIAMETER_MM, depth_mm: 1.0 })
    }

    pub fn needle_count(&self) -> usize {
        self.needles_mm.len()
    }

    /// Needle tip radius, mm.
    pub fn radius_mm(&self) -> f64 {
        0.5 * self.needle_diameter_mm
    }

    /// Smallest distance between two needle centres, mm (`inf` for one needle).
    pub fn min_spacing_mm(&self) -> f64 {
        let mut best = f64::INFINITY;
        for (i, a) in self.needles_mm.iter().enumerate() {
            for b in &self.needles_mm[i + 1..] {
                best = best.min((a - b).norm());
            }
        }
        best
    }

    /// Diameter of the circle around the axis that holds every needle disk, mm.
    pub fn footprint_diameter_mm(&self) -> f64 {
        let r = self.needles_mm.iter().map(|p| p.norm()).fold(0.0, f64::max);
        2.0 * r + self.needle_diameter_mm
    }

    /// Width of the track the cartridge sweeps when moved along `direction_deg` with the
    /// cartridge turned by `rotation_deg`: the needles' extent across the motion plus one
    /// needle diameter, mm.
    pub fn track_width_mm(&self, direction_deg: f64, rotation_deg: f64) -> f64 {
        let across = rotate(Vec2::new(0.0, 1.0), direction_deg);
        let (lo, hi) = self.needles_mm.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            let s = rotate(*p, rotation_deg).dot(&across);
            (lo.min(s), hi.max(s))
        });
        hi - lo + self.needle_diameter_mm
    }

    /// Check the cartridge is physically possible: at least one needle, finite offsets, a
    /// positive diameter and no two needles closer than one diameter (they would touch).
    pub fn validate(&self) -> Result<()> {
        if self.needles_mm.is_empty() {
            return Err(Error::invalid("cartridge.needles_mm", 0, "at least 1 needle"));
        }
        if !(self.needle_diameter_mm.is_finite() && self.needle_diameter_mm > 0.0 && self.needle_diameter_mm <= 2.0) {
            return Err(Error::invalid("cartridge.needle_diameter_mm", self.needle_diameter_mm, "0 < d ≤ 2 mm"));
        }
        if let Some((i, p)) = self.needles_mm.iter().enumerate().find(|(_, p)| !(p.x.is_finite() && p.y.is_finite()) || p.norm() > 50.0) {
            return Err(Error::invalid(
                format!("cartridge.needles_mm[{i}]"),
                format!("[{}, {}]", p.x, p.y),
                "finite offsets within 50 mm of the cartridge axis",
            ));
        }
        for (i, a) in self.needles_mm.iter().enumerate() {
            for (j, b) in self.needles_mm.iter().enumerate().skip(i + 1) {
                let d = (a - b).norm();
                if d < self.needle_diameter_mm {
                    return Err(Error::invalid(
                        format!("cartridge.needles_mm[{i}] and [{j}]"),
                        format!("{d:.4} mm apart"),
                        format!("needles at least one diameter ({} mm) apart", self.needle_diameter_mm),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `cols × rows` needles at `pitch_mm`, centred on the axis, row by row from the bottom.
pub fn grid_layout(cols: usize, rows: usize, pitch_mm: f64) -> Vec<Vec2> {
    let cx = 0.5 * (cols as f64 - 1.0);
    let cy = 0.5 * (rows as f64 - 1.0);
    (0..rows).flat_map(|r| (0..cols).map(move |c| Vec2::new((c as f64 - cx) * pitch_mm, (r as f64 - cy) * pitch_mm))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_evenly_spaced_and_centred() {
        for n in PRESET_NEEDLES {
            let c = Cartridge::preset(n, 1.0).unwrap();
            assert_eq!(c.needle_count(), n);
            assert!((c.min_spacing_mm() - 1.0).abs() < 1e-12);
            let centroid = c.needles_mm.iter().sum::<Vec2>() / n as f64;
            assert!(centroid.norm() < 1e-12);
            c.validate().unwrap();
        }
    }

    #[test]
    fn needles_closer_than_a_diameter_are_rejected() {
        let mut c = Cartridge::preset(9, 1.0).unwrap();
        c.needles_mm[1] = c.needles_mm[0] + Vec2::new(0.1, 0.0);
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("cartridge.needles_mm[0] and [1]"), "{msg}");
    }

    #[test]
    fn track_width_of_a_row_turns_with_the_direction() {
        let c = Cartridge { needles_mm: grid_layout(4, 1, 1.0), needle_diameter_mm: 0.2, depth_mm: 1.0 };
        // Moving along y, the row of 4 spans 3 mm across the motion.
        assert!((c.track_width_mm(90.0, 0.0) - 3.2).abs() < 1e-9);
        // Moving along x, the row is one needle wide.
        assert!((c.track_width_mm(0.0, 0.0) - 0.2).abs() < 1e-9);
    }
}
