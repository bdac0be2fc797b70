//! `[device] preset = "NAME"`: fill a scenario's missing keys from a device preset.
//!
//! **Precedence** (highest first): a key written in the scenario or given with `--set`; the
//! device preset's value; the built-in default. The preset fills, when absent:
//!
//! - `device.frequency_hz` (the pen's nominal rate), `device.frequency_min_hz` /
//!   `device.frequency_max_hz` (its range), `device.depth_min_mm` / `device.depth_max_mm`;
//! - `cartridge.needle_diameter_mm` and `cartridge.pitch_mm`;
//! - the cartridge layout (`cartridge.layout` + `cartridge.needles`) only when the scenario
//!   gives no needles at all (none of `preset`, `needles_mm`, `layout`, `layout_file`).
//!
//! Expansion works on the TOML table before it is read into [`super::ScenarioFile`], so the
//! resolved scenario written next to a run's outputs holds the filled-in values.

use crate::error::{Error, Result};
use crate::pen::preset;

/// Cartridge keys that say where the needles are; any one of them means "explicit layout".
pub const LAYOUT_KEYS: [&str; 4] = ["preset", "needles_mm", "layout", "layout_file"];

/// Fill missing keys of `table` from its `device.preset`, if it names one.
pub fn apply_device_preset(table: &mut toml::Table) -> Result<()> {
    let Some(device) = table.get_mut("device").and_then(|d| d.as_table_mut()) else { return Ok(()) };
    let name = match device.get("preset") {
        None => return Ok(()),
        Some(toml::Value::String(s)) => s.clone(),
        Some(other) => return Err(Error::invalid("device.preset", other, format!("a preset name: {}", preset::names().join(", ")))),
    };
    let p = preset::find("device.preset", &name)?;
    let (flo, fhi) = p.frequency_range_hz.value;
    let (dlo, dhi) = p.depth_range_mm.value;
    for (key, v) in [
        ("frequency_hz", p.frequency_hz.value),
        ("frequency_min_hz", flo),
        ("frequency_max_hz", fhi),
        ("depth_min_mm", dlo),
        ("depth_max_mm", dhi),
    ] {
        device.entry(key).or_insert(toml::Value::Float(v));
    }
    let cartridge = table
        .entry("cartridge")
        .or_insert_with(|| toml::Value::Table(Default::default()))
        .as_table_mut()
        .ok_or_else(|| Error::invalid("cartridge", "not a table", "a [cartridge] table"))?;
    cartridge.entry("needle_diameter_mm").or_insert(toml::Value::Float(p.needle_diameter_mm.value));
    cartridge.entry("pitch_mm").or_insert(toml::Value::Float(p.pitch_mm.value));
    if !LAYOUT_KEYS.iter().any(|k| cartridge.contains_key(*k)) {
        cartridge.insert("layout".into(), toml::Value::String(p.layout.value.name().into()));
        cartridge.insert("needles".into(), toml::Value::Integer(p.needles.value as i64));
    }
    Ok(())
}

/// `file` with its pen replaced by device preset `name` (the live page's pen control): the
/// preset's needles (layout, pitch, Ø), nominal frequency and frequency and depth ranges;
/// every other key kept. `key` names the setting in errors.
pub fn switch_device(file: &super::ScenarioFile, key: &str, name: &str) -> Result<super::ScenarioFile> {
    let p = preset::find(key, name)?;
    let table_err = |e: String| Error::invalid(key, name, format!("a preset that fits the scenario ({e})"));
    let mut table = toml::Table::try_from(file).map_err(|e| table_err(e.to_string()))?;
    super::cartridge_spec::CartridgeSpec::Device(p).apply(&mut table)?;
    if let Some(device) = table.get_mut("device").and_then(|d| d.as_table_mut()) {
        for k in ["frequency_hz", "frequency_min_hz", "frequency_max_hz", "depth_min_mm", "depth_max_mm"] {
            device.remove(k);
        }
        device.insert("preset".into(), toml::Value::String(p.name.into()));
    }
    apply_device_preset(&mut table)?;
    table.try_into().map_err(|e: toml::de::Error| table_err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_the_device_replaces_the_whole_pen_and_keeps_the_rest() {
        let file =
            crate::io::scenario::parse(include_str!("../../../scenarios/default.toml"), std::path::Path::new("default.toml"), &[]).unwrap();
        let exceed = switch_device(&file, "device_preset", "exceed").unwrap();
        let p = preset::find("k", "exceed").unwrap();
        let sim = exceed.to_simulation().unwrap();
        assert_eq!(sim.cartridge.needle_count(), p.needles.value);
        assert_eq!(sim.device.frequency_hz, p.frequency_hz.value);
        assert_eq!(sim.device.depth_range_mm, p.depth_range_mm.value);
        assert_eq!(exceed.device.preset.as_deref(), Some("exceed"));
        assert_eq!(exceed.device.rotation_deg, file.device.rotation_deg, "other pen keys kept");
        assert_eq!(exceed.patch, file.patch);
        let msg = switch_device(&file, "device_preset", "dermapenn").unwrap_err().to_string();
        assert!(msg.contains("device_preset") && msg.contains("dermapen"), "{msg}");
    }

    fn table(s: &str) -> toml::Table {
        toml::from_str(s).unwrap()
    }

    #[test]
    fn preset_fills_only_what_is_missing() {
        let mut t = table("[device]\npreset = \"exceed\"\nfrequency_hz = 120\n[cartridge]\ndepth_mm = 1.0\n");
        apply_device_preset(&mut t).unwrap();
        assert_eq!(t["device"]["frequency_hz"].as_integer(), Some(120), "explicit key wins");
        assert_eq!(t["device"]["frequency_min_hz"].as_float(), Some(100.0));
        assert_eq!(t["device"]["depth_max_mm"].as_float(), Some(1.9));
        assert_eq!(t["cartridge"]["layout"].as_str(), Some("ring"));
        assert_eq!(t["cartridge"]["needles"].as_integer(), Some(6));
    }

    #[test]
    fn an_explicit_cartridge_keeps_its_needles() {
        let mut t = table("[device]\npreset = \"exceed\"\n[cartridge]\npreset = 12\ndepth_mm = 1.0\n");
        apply_device_preset(&mut t).unwrap();
        assert!(t["cartridge"].get("layout").is_none());
        assert_eq!(t["cartridge"]["preset"].as_integer(), Some(12));
    }

    #[test]
    fn unknown_or_mistyped_presets_are_refused() {
        let mut t = table("[device]\npreset = \"skinpen\"\n");
        let msg = apply_device_preset(&mut t).unwrap_err().to_string();
        assert!(msg.contains("device.preset") && msg.contains("skinpen-precision"), "{msg}");
        let mut t = table("[device]\npreset = 12\n");
        assert!(apply_device_preset(&mut t).unwrap_err().to_string().contains("a preset name"));
    }
}
