//! Device presets: the pens named in `shared/domain.md` and the source articles, and generic
//! pens, as data. Every figure carries its source, or says **assumed**.
//!
//! A preset supplies a pen's stamping frequency (nominal and range), its depth range and its
//! cartridge (needle count, arrangement, pitch, needle diameter). Needle pitch and tip
//! arrangement are published for no pen (domain.md), so every layout and pitch is assumed;
//! Dermopen EDR-02, X-Cure and Raffine have no public figures at all and are assumed
//! throughout. Scenarios use a preset with `[device] preset = "NAME"`; explicit keys win
//! (precedence is documented in the scenario presets, `src/io/scenario/presets.rs`).

use crate::error::{Error, Result, did_you_mean};
use crate::pen::layout::{Family, LayoutSpec};

/// A number (or pair) and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure<T> {
    pub value: T,
    /// Citation, or a sentence starting with "assumed".
    pub source: &'static str,
}

const fn fig<T>(value: T, source: &'static str) -> Figure<T> {
    Figure { value, source }
}

/// A pen and its cartridge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DevicePreset {
    /// Name used in scenarios and on the command line, e.g. `skinpen-precision`.
    pub name: &'static str,
    /// Human name, e.g. "SkinPen Precision".
    pub label: &'static str,
    pub needles: Figure<usize>,
    /// Needle arrangement of the cartridge.
    pub layout: Figure<Family>,
    /// Nearest-neighbour needle distance, mm.
    pub pitch_mm: Figure<f64>,
    pub needle_diameter_mm: Figure<f64>,
    /// Stamping frequency used when the scenario gives none, Hz.
    pub frequency_hz: Figure<f64>,
    /// Frequencies the pen can be set to, Hz (a run outside them is warned about).
    pub frequency_range_hz: Figure<(f64, f64)>,
    /// Settable needle depth, mm (a depth outside it is refused).
    pub depth_range_mm: Figure<(f64, f64)>,
}

impl DevicePreset {
    /// The cartridge layout this pen ships with.
    pub fn layout_spec(&self) -> LayoutSpec {
        LayoutSpec { family: self.layout.value, needles: self.needles.value, pitch_mm: self.pitch_mm.value, seed: 0 }
    }
}

const PITCH: Figure<f64> = fig(1.0, "assumed: needle pitch is not published for any pen (domain.md)");
const DIAMETER: Figure<f64> = fig(0.18, "assumed: the source articles' 0.18 mm needle (no per-pen figure)");
const SQUARE: Figure<Family> = fig(Family::Square, "assumed: arrangement not published");
const SEED_DEPTH: Figure<(f64, f64)> = fig((0.4, 2.0), "assumed: the source articles' device range 0.4–2.0 mm (not per model)");
const GENERIC_RATE: Figure<(f64, f64)> = fig((50.0, 150.0), "assumed: pens stamp 50–150 times per second (domain.md)");
const GENERIC_NOMINAL: Figure<f64> = fig(120.0, "assumed: the simulator's default (Dermapen MD ≈ 110 Hz, SkinPen ≈ 117 Hz)");

/// A pen of the seed articles with no public figures.
const fn unpublished(name: &'static str, label: &'static str) -> DevicePreset {
    DevicePreset {
        name,
        label,
        needles: fig(12, "assumed: the source articles' cartridges hold 9–20 needles; no figure for this pen"),
        layout: SQUARE,
        pitch_mm: PITCH,
        needle_diameter_mm: fig(0.18, "source articles: 0.18 mm needles"),
        frequency_hz: GENERIC_NOMINAL,
        frequency_range_hz: GENERIC_RATE,
        depth_range_mm: fig((0.4, 2.0), "source articles: 0.4–2.0 mm for the pens they name"),
    }
}

const fn generic(name: &'static str, label: &'static str, needles: usize) -> DevicePreset {
    DevicePreset {
        name,
        label,
        needles: fig(needles, "generic pen (the needle count is its name)"),
        layout: fig(Family::Square, "assumed: square grid, as the cartridge presets"),
        pitch_mm: PITCH,
        needle_diameter_mm: fig(0.18, "source articles: 0.18 mm needles"),
        frequency_hz: GENERIC_NOMINAL,
        frequency_range_hz: GENERIC_RATE,
        depth_range_mm: fig((0.4, 2.0), "source articles: 0.4–2.0 mm"),
    }
}

/// Every preset, in the order `needlesim presets` lists them.
pub const PRESETS: &[DevicePreset] = &[
    DevicePreset {
        name: "dermapen-2012",
        label: "Dermapen (2012)",
        needles: fig(11, "Sasaki, The Aesthetic Guide 2012"),
        layout: fig(Family::Hex, "assumed: arrangement not published"),
        pitch_mm: PITCH,
        needle_diameter_mm: DIAMETER,
        frequency_hz: fig(90.0, "Sasaki 2012: up to 90 Hz (≈ 1,000 punctures/s)"),
        frequency_range_hz: fig((50.0, 90.0), "top: Sasaki 2012 (90 Hz); bottom assumed 50 Hz (domain.md)"),
        depth_range_mm: fig((0.25, 2.5), "Sasaki 2012"),
    },
    DevicePreset {
        name: "dermapen-md",
        label: "Dermapen MD",
        needles: fig(12, "clinic page"),
        layout: SQUARE,
        pitch_mm: PITCH,
        needle_diameter_mm: DIAMETER,
        frequency_hz: fig(110.0, "clinic page: ≈ 110 Hz"),
        frequency_range_hz: fig((110.0, 110.0), "clinic page: one rate (≈ 110 Hz), no range published"),
        depth_range_mm: SEED_DEPTH,
    },
    DevicePreset {
        name: "skinpen-precision",
        label: "SkinPen Precision",
        needles: fig(12, "FDA DEN160029"),
        layout: SQUARE,
        pitch_mm: PITCH,
        needle_diameter_mm: DIAMETER,
        frequency_hz: fig(117.0, "FDA DEN160029: 7,000 rpm ≈ 117 Hz [est]"),
        frequency_range_hz: fig((117.0, 117.0), "FDA DEN160029: one motor speed (7,000 rpm ≈ 117 Hz [est])"),
        depth_range_mm: fig((0.25, 2.5), "FDA DEN160029: 0–2.5 mm in 0.25 steps (0 = retracted, so 0.25 is the shallowest puncture)"),
    },
    DevicePreset {
        name: "exceed",
        label: "Exceed",
        needles: fig(6, "FDA K182407"),
        layout: fig(Family::Ring, "assumed: arrangement not published"),
        pitch_mm: PITCH,
        needle_diameter_mm: DIAMETER,
        frequency_hz: fig(150.0, "assumed: the top of the FDA K182407 range"),
        frequency_range_hz: fig((100.0, 150.0), "FDA K182407"),
        depth_range_mm: fig((0.1, 1.9), "FDA K182407: 0–1.9 mm (0 = retracted; shallowest puncture 0.1 assumed)"),
    },
    DevicePreset {
        name: "rejuvapen-nxt",
        label: "Rejuvapen NXT",
        needles: fig(12, "FDA K192138: 12 needles, circular"),
        layout: fig(Family::Ring, "FDA K192138: circular arrangement (spacing assumed)"),
        pitch_mm: PITCH,
        needle_diameter_mm: DIAMETER,
        frequency_hz: fig(200.0, "maker: up to 12,000 rpm ≈ 200 Hz [est, one stamp per turn]"),
        frequency_range_hz: fig((50.0, 200.0), "top: maker, 12,000 rpm [est]; bottom assumed 50 Hz (domain.md)"),
        depth_range_mm: fig((0.25, 2.5), "FDA K192138: up to 2.5 mm (shallowest 0.25 assumed)"),
    },
    unpublished("dermopen-edr02", "Dermopen EDR-02"),
    unpublished("x-cure", "X-Cure"),
    unpublished("raffine", "Raffine"),
    generic("generic-9", "Generic 9-needle pen", 9),
    generic("generic-12", "Generic 12-needle pen", 12),
    generic("generic-16", "Generic 16-needle pen", 16),
    generic("generic-20", "Generic 20-needle pen", 20),
    generic("generic-36", "Generic 36-needle pen", 36),
];

/// Names of every preset.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The preset called `name`; an unknown name is refused with the known ones and the closest.
pub fn find(key: &str, name: &str) -> Result<&'static DevicePreset> {
    PRESETS.iter().find(|p| p.name == name).ok_or_else(|| {
        let names = names();
        let hint = did_you_mean(name, &names).map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default();
        Error::invalid(key, format!("{name:?}"), format!("one of {}{hint}", names.join(", ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pen::device::{Device, FREQUENCY_RANGE_HZ};

    #[test]
    fn every_preset_is_a_valid_pen_with_a_valid_cartridge() {
        for p in PRESETS {
            let spec = p.layout_spec();
            let needles = spec.generate().unwrap();
            assert_eq!(needles.len(), p.needles.value, "{}", p.name);
            let c = crate::pen::cartridge::Cartridge { needles_mm: needles, needle_diameter_mm: p.needle_diameter_mm.value, depth_mm: 1.0 };
            c.validate().unwrap();
            let (lo, hi) = p.frequency_range_hz.value;
            assert!(lo <= p.frequency_hz.value && p.frequency_hz.value <= hi, "{}", p.name);
            assert!(FREQUENCY_RANGE_HZ.0 <= lo && hi <= FREQUENCY_RANGE_HZ.1);
            let d = Device { frequency_hz: p.frequency_hz.value, depth_range_mm: p.depth_range_mm.value, ..Device::default() };
            d.validate().unwrap();
            for s in [
                p.needles.source,
                p.layout.source,
                p.pitch_mm.source,
                p.needle_diameter_mm.source,
                p.frequency_hz.source,
                p.depth_range_mm.source,
            ] {
                assert!(!s.is_empty(), "{}", p.name);
            }
        }
    }

    #[test]
    fn names_are_unique_and_the_domain_figures_are_kept() {
        let mut n = names();
        n.sort();
        n.dedup();
        assert_eq!(n.len(), PRESETS.len());
        let sk = find("device.preset", "skinpen-precision").unwrap();
        assert_eq!((sk.needles.value, sk.depth_range_mm.value.1), (12, 2.5));
        assert_eq!(find("device.preset", "exceed").unwrap().frequency_range_hz.value, (100.0, 150.0));
        assert_eq!(find("device.preset", "dermapen-2012").unwrap().needles.value, 11);
        for p in ["dermopen-edr02", "x-cure", "raffine"] {
            assert!(find("device.preset", p).unwrap().needles.source.starts_with("assumed"), "{p}");
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones_and_suggest_the_closest() {
        let msg = find("device.preset", "skinpen-precison").unwrap_err().to_string();
        assert!(msg.contains("device.preset") && msg.contains("generic-36") && msg.contains("did you mean \"skinpen-precision\""), "{msg}");
        let msg = find("device.preset", "zzzzzzzzzzzzzzzzzzzz").unwrap_err().to_string();
        assert!(!msg.contains("did you mean"), "{msg}");
    }
}
