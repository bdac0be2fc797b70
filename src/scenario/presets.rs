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

use crate::device_preset;
use crate::error::{Error, Result};

/// Cartridge keys that say where the needles are; any one of them means "explicit layout".
pub const LAYOUT_KEYS: [&str; 4] = ["preset", "needles_mm", "layout", "layout_file"];

/// Fill missing keys of `table` from its `device.preset`, if it names one.
pub fn apply_device_preset(table: &mut toml::Table) -> Result<()> {
    let Some(device) = table.get_mut("device").and_then(|d| d.as_table_mut()) else { return Ok(()) };
    let name = match device.get("preset") {
        None => return Ok(()),
        Some(toml::Value::String(s)) => s.clone(),
        Some(other) => return Err(Error::invalid("device.preset", other, format!("a preset name: {}", device_preset::names().join(", ")))),
    };
    let p = device_preset::find("device.preset", &name)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
