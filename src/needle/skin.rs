//! Layered skin: how deep a needle really goes, and which layer its tip reaches.
//!
//! **Model.** Skin is three flat layers under a point of the face: epidermis on top, dermis,
//! then subcutis (fat), each with a thickness in mm. The pen's set depth is the needle's
//! protrusion; the skin dimples under the cartridge, so the tip goes less deep:
//!
//! ```text
//! real depth = set depth × penetration ratio × cos(tilt)
//! ```
//!
//! - **Penetration ratio** (skin deformation): measured 0.77 in vivo in humans for 600 µm
//!   needles (Donnelly et al. 2010, OCT), under 0.5 for insertions under 1 mm (Lam et al.
//!   2008, silicone and pig skin), 0.20 for a DermaRoller in rat skin (Kalluri et al. 2011).
//!   `shared/domain.md` sums it up as "about 0.2–0.8 **\[est\]**, lower for short needles".
//!   Default [`DEFAULT_PENETRATION_RATIO`] = 0.5 **\[est\]**: the middle of that span. Allowed
//!   range (0, 1] (a needle cannot go deeper than it sticks out); outside 0.2–0.8 the run
//!   warns.
//! - **Tilt**: the angle between the needle and the skin normal (0 = perpendicular, as the
//!   sources prescribe). A needle of length L tilted by θ reaches L·cos θ below the surface
//!   **\[est\]** (`shared/domain.md`; the same factor as `footprint::tilt_depth_factor`). Each
//!   puncture carries its own tilt (`Puncture::tilt_deg`: the device's `90° − angle_deg`
//!   plus the hand's), and its real depth is [`real_depth_mm`] of it.
//!
//! **Layer reached.** A tip *reaches* a depth z when `real depth ≥ z`. A puncture is classed
//! by the deepest layer whose top it reaches: `Epidermis` (real < epidermis), `Dermis`
//! (epidermis ≤ real < epidermis + dermis) or `Beyond` (real ≥ epidermis + dermis: at or
//! past the dermis–subcutis junction). A tip exactly at a junction counts as reaching the
//! layer below it.
//!
//! **Depth levels** for coverage below the surface: the dermal–epidermal junction (DEJ) at
//! `epidermis_mm` and mid-dermis at `epidermis_mm + dermis_mm / 2`. The needle's channel is
//! taken as wide at those depths as at the surface (**assumed**: real needles taper to a tip,
//! so this is an upper bound on the covered area at depth).

use crate::error::{Error, Result};

/// Default real/set depth ratio **\[est\]**: the middle of `shared/domain.md`'s 0.2–0.8.
pub const DEFAULT_PENETRATION_RATIO: f64 = 0.5;
/// The span the sources report (Kalluri 2011: 0.20 … Donnelly 2010: 0.77); outside it the
/// run warns.
pub const SOURCE_PENETRATION_RATIO: (f64, f64) = (0.2, 0.8);

/// Layer thicknesses under one point of the skin, mm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SkinLayers {
    /// Epidermis (histological), mm. 0 < epidermis ≤ 1.
    pub epidermis_mm: f64,
    /// Dermis, mm. 0 < dermis ≤ 6.
    pub dermis_mm: f64,
    /// Subcutaneous fat below the dermis, mm. 0 ≤ subcutis ≤ 60.
    pub subcutis_mm: f64,
}

/// The deepest layer a puncture's tip reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Epidermis,
    Dermis,
    Beyond,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Epidermis, Layer::Dermis, Layer::Beyond];

    /// Name used in files: `epidermis`, `dermis`, `beyond`.
    pub fn name(&self) -> &'static str {
        match self {
            Layer::Epidermis => "epidermis",
            Layer::Dermis => "dermis",
            Layer::Beyond => "beyond",
        }
    }
}

/// Depth levels below the surface where coverage is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Dermal–epidermal junction: `epidermis_mm` deep.
    Dej,
    /// Middle of the dermis: `epidermis_mm + dermis_mm / 2` deep.
    MidDermis,
}

impl SkinLayers {
    /// Depth of the dermal–epidermal junction, mm.
    pub fn dej_mm(&self) -> f64 {
        self.epidermis_mm
    }
    /// Depth of the middle of the dermis, mm.
    pub fn mid_dermis_mm(&self) -> f64 {
        self.epidermis_mm + 0.5 * self.dermis_mm
    }
    /// Depth of the dermis–subcutis junction, mm.
    pub fn dermis_bottom_mm(&self) -> f64 {
        self.epidermis_mm + self.dermis_mm
    }
    /// Depth of a level, mm.
    pub fn level_mm(&self, level: Level) -> f64 {
        match level {
            Level::Dej => self.dej_mm(),
            Level::MidDermis => self.mid_dermis_mm(),
        }
    }

    /// The deepest layer a tip at `real_depth_mm` reaches (see the module doc).
    pub fn layer_reached(&self, real_depth_mm: f64) -> Layer {
        if real_depth_mm >= self.dermis_bottom_mm() {
            Layer::Beyond
        } else if real_depth_mm >= self.epidermis_mm {
            Layer::Dermis
        } else {
            Layer::Epidermis
        }
    }

    /// Check the thicknesses; `key` names them in errors (e.g. `region "nose"`).
    pub fn validate(&self, key: &str) -> Result<()> {
        let checks = [
            ("epidermis_mm", self.epidermis_mm, 0.0, 1.0, "0 < epidermis_mm ≤ 1 mm"),
            ("dermis_mm", self.dermis_mm, 0.0, 6.0, "0 < dermis_mm ≤ 6 mm"),
        ];
        for (name, v, lo, hi, allowed) in checks {
            if !(v.is_finite() && v > lo && v <= hi) {
                return Err(Error::invalid(format!("{key}.{name}"), v, allowed));
            }
        }
        if !(self.subcutis_mm.is_finite() && self.subcutis_mm >= 0.0 && self.subcutis_mm <= 60.0) {
            return Err(Error::invalid(format!("{key}.subcutis_mm"), self.subcutis_mm, "0 ≤ subcutis_mm ≤ 60 mm"));
        }
        Ok(())
    }
}

/// Real depth of a needle tip below the surface, mm: `set_mm × ratio × cos(tilt_deg)`.
/// `tilt_deg` is measured from the skin normal (0 = perpendicular).
#[inline]
pub fn real_depth_mm(set_mm: f64, ratio: f64, tilt_deg: f64) -> f64 {
    set_mm * ratio * crate::needle::footprint::tilt_depth_factor(tilt_deg)
}

/// Tilt from the skin normal of a pen held at `angle_deg` to the skin surface (90 =
/// perpendicular), degrees.
#[inline]
pub fn tilt_from_angle_deg(angle_deg: f64) -> f64 {
    90.0 - angle_deg
}

/// Check a penetration ratio; returns a warning when it is legal but outside the sources'
/// span.
pub fn check_penetration_ratio(key: &str, ratio: f64) -> Result<Option<String>> {
    if !(ratio.is_finite() && ratio > 0.0 && ratio <= 1.0) {
        return Err(Error::invalid(key, ratio, "0 < ratio ≤ 1 (real depth never exceeds the set depth)"));
    }
    let (lo, hi) = SOURCE_PENETRATION_RATIO;
    Ok((ratio < lo || ratio > hi)
        .then(|| format!("{key} = {ratio} is outside the {lo}–{hi} the sources report (Kalluri 2011 … Donnelly 2010)")))
}

/// Punctures per layer reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerCounts {
    pub epidermis: u64,
    pub dermis: u64,
    pub beyond: u64,
}

impl LayerCounts {
    pub fn add(&mut self, l: Layer) {
        match l {
            Layer::Epidermis => self.epidermis += 1,
            Layer::Dermis => self.dermis += 1,
            Layer::Beyond => self.beyond += 1,
        }
    }
    pub fn total(&self) -> u64 {
        self.epidermis + self.dermis + self.beyond
    }
    /// Fractions (epidermis only, dermis, beyond); zeros when empty.
    pub fn fractions(&self) -> [f64; 3] {
        let n = self.total().max(1) as f64;
        [self.epidermis as f64 / n, self.dermis as f64 / n, self.beyond as f64 / n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKIN: SkinLayers = SkinLayers { epidermis_mm: 0.0625, dermis_mm: 1.0, subcutis_mm: 2.0 };

    #[test]
    fn layer_at_the_boundaries_by_hand() {
        // Set 0.25 mm × 0.25 = 0.0625 mm: exactly at the DEJ → reaches the dermis.
        assert_eq!(SKIN.layer_reached(real_depth_mm(0.25, 0.25, 0.0)), Layer::Dermis);
        // Just short of it: epidermis only.
        assert_eq!(SKIN.layer_reached(real_depth_mm(0.25, 0.24, 0.0)), Layer::Epidermis);
        // 2.125 × 0.5 = 1.0625 = epidermis + dermis: at the junction → beyond.
        assert_eq!(SKIN.layer_reached(real_depth_mm(2.125, 0.5, 0.0)), Layer::Beyond);
        assert_eq!(SKIN.layer_reached(real_depth_mm(2.0, 0.5, 0.0)), Layer::Dermis);
        assert_eq!(SKIN.mid_dermis_mm(), 0.5625);
    }

    #[test]
    fn tilt_shortens_by_the_cosine() {
        let r = real_depth_mm(1.5, 0.6, 30.0) / real_depth_mm(1.5, 0.6, 0.0);
        assert!((r - 30f64.to_radians().cos()).abs() < 1e-15);
        assert_eq!(tilt_from_angle_deg(90.0), 0.0);
        assert_eq!(tilt_from_angle_deg(60.0), 30.0);
    }

    #[test]
    fn ratio_checks() {
        assert!(check_penetration_ratio("face.penetration_ratio", 0.5).unwrap().is_none());
        assert!(check_penetration_ratio("face.penetration_ratio", 0.9).unwrap().is_some());
        let e = check_penetration_ratio("face.penetration_ratio", 1.2).unwrap_err().to_string();
        assert!(e.contains("face.penetration_ratio = 1.2"), "{e}");
    }
}
