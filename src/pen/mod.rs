//! The pen: the cartridge (needle offsets in the cartridge frame, mm), its layout files'
//! core shapes, the device (stamping `frequency_hz`, `rotation_deg`, needle `angle_deg`,
//! allowed `depth_mm` range) and the device presets with the source of every figure.
//!
//! **Invariants:** a validated cartridge has no two needles closer than one needle diameter;
//! a device's depth range lies within the sources' 0.2–3.0 mm hardware span; every preset
//! figure carries its source or says **assumed**. Imports only `geometry` and `needle`'s
//! footprint shapes.

pub mod cartridge;
pub mod device;
pub mod layout;
pub mod preset;
