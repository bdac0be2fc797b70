//! Cartridge specs on the command line (`compare --cartridges A,B,C`), turned into scenario
//! keys. Syntax, tried in this order:
//!
//! | spec | meaning | scenario keys set |
//! |---|---|---|
//! | `12`, `preset:12` | cartridge preset (9, 12, 16, 20) | `cartridge.preset` |
//! | `hex:19:0.8`, `poisson:12:0.7:3` | generated layout `FAMILY:N:PITCH[:SEED]` | `layout`, `needles`, `pitch_mm`, `layout_seed` |
//! | `skinpen-precision` | a device preset's cartridge (needles, layout, pitch, Ø) | as above + `needle_diameter_mm` |
//! | `file:PATH`, or a path ending `.csv` / `.toml` | custom layout file | `layout_file` (absolute) |
//!
//! Applying a spec first removes every layout key of the scenario's `[cartridge]`, so the
//! new needles replace the old ones; depth and (unless the spec sets them) pitch and
//! diameter stay.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, did_you_mean};
use crate::pen::layout::LayoutSpec;
use crate::pen::preset::{self, DevicePreset};

/// A parsed cartridge spec.
#[derive(Clone, Debug, PartialEq)]
pub enum CartridgeSpec {
    Preset(i64),
    Layout(LayoutSpec),
    Device(&'static DevicePreset),
    File(PathBuf),
}

impl CartridgeSpec {
    /// Parse one spec; `cwd` makes a relative file path absolute.
    pub fn parse(s: &str, cwd: &Path) -> Result<Self> {
        let s = s.trim();
        let syntax =
            "N (preset 9, 12, 16, 20), FAMILY:N:PITCH[:SEED] (e.g. hex:19:0.8), a device preset name, or file:PATH / a .csv or .toml file";
        if let Ok(n) = s.strip_prefix("preset:").unwrap_or(s).parse::<i64>() {
            return Ok(CartridgeSpec::Preset(n));
        }
        if let Some(path) = s.strip_prefix("file:") {
            return Ok(CartridgeSpec::File(cwd.join(path)));
        }
        let lower = s.to_ascii_lowercase();
        if lower.ends_with(".csv") || lower.ends_with(".toml") {
            return Ok(CartridgeSpec::File(cwd.join(s)));
        }
        if s.contains(':') {
            return LayoutSpec::parse(s).map(CartridgeSpec::Layout);
        }
        if let Some(p) = preset::PRESETS.iter().find(|p| p.name == s) {
            return Ok(CartridgeSpec::Device(p));
        }
        let names = preset::names();
        let hint = did_you_mean(s, &names).map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default();
        Err(Error::invalid("--cartridges", format!("{s:?}"), format!("{syntax}; device presets: {}{hint}", names.join(", "))))
    }

    /// Parse a comma-separated list (paths with commas are not supported).
    pub fn parse_list(s: &str, cwd: &Path) -> Result<Vec<(String, Self)>> {
        let specs: Vec<(String, Self)> = s
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(|t| Ok((t.trim().to_owned(), Self::parse(t, cwd)?)))
            .collect::<Result<_>>()?;
        if specs.is_empty() {
            return Err(Error::invalid("--cartridges", format!("{s:?}"), "at least one cartridge spec"));
        }
        Ok(specs)
    }

    /// Replace the needles of the scenario table's `[cartridge]` with this spec's.
    pub fn apply(&self, table: &mut toml::Table) -> Result<()> {
        let cartridge = table
            .entry("cartridge")
            .or_insert_with(|| toml::Value::Table(Default::default()))
            .as_table_mut()
            .ok_or_else(|| Error::invalid("cartridge", "not a table", "a [cartridge] table"))?;
        for k in super::presets::LAYOUT_KEYS.iter().chain(&["needles", "layout_seed"]) {
            cartridge.remove(*k);
        }
        let mut set = |k: &str, v: toml::Value| {
            cartridge.insert(k.to_owned(), v);
        };
        let layout = |set: &mut dyn FnMut(&str, toml::Value), l: &LayoutSpec| {
            set("layout", toml::Value::String(l.family.name().into()));
            set("needles", toml::Value::Integer(l.needles as i64));
            set("pitch_mm", toml::Value::Float(l.pitch_mm));
            if l.family.is_seeded() {
                set("layout_seed", toml::Value::Integer(l.seed as i64));
            }
        };
        match self {
            CartridgeSpec::Preset(n) => set("preset", toml::Value::Integer(*n)),
            CartridgeSpec::Layout(l) => layout(&mut set, l),
            CartridgeSpec::Device(p) => {
                layout(&mut set, &p.layout_spec());
                set("needle_diameter_mm", toml::Value::Float(p.needle_diameter_mm.value));
            }
            CartridgeSpec::File(path) => set("layout_file", toml::Value::String(path.to_string_lossy().into_owned())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pen::layout::Family;

    #[test]
    fn every_form_parses() {
        let cwd = Path::new("/w");
        assert_eq!(CartridgeSpec::parse("12", cwd).unwrap(), CartridgeSpec::Preset(12));
        assert_eq!(CartridgeSpec::parse("preset:9", cwd).unwrap(), CartridgeSpec::Preset(9));
        assert!(
            matches!(CartridgeSpec::parse("hex:19:0.8", cwd).unwrap(), CartridgeSpec::Layout(l) if l.family == Family::Hex && l.needles == 19)
        );
        assert!(matches!(CartridgeSpec::parse("exceed", cwd).unwrap(), CartridgeSpec::Device(p) if p.name == "exceed"));
        assert_eq!(CartridgeSpec::parse("n/a.csv", cwd).unwrap(), CartridgeSpec::File(PathBuf::from("/w/n/a.csv")));
        assert_eq!(CartridgeSpec::parse("file:x", cwd).unwrap(), CartridgeSpec::File(PathBuf::from("/w/x")));
        let msg = CartridgeSpec::parse("rejuvapen", cwd).unwrap_err().to_string();
        assert!(msg.contains("--cartridges") && msg.contains("did you mean \"rejuvapen-nxt\""), "{msg}");
        assert!(CartridgeSpec::parse_list(" , ", cwd).is_err());
    }

    #[test]
    fn apply_replaces_the_needles_and_keeps_the_depth() {
        let mut t: toml::Table = toml::from_str("[cartridge]\npreset = 12\ndepth_mm = 1.5\n").unwrap();
        CartridgeSpec::parse("hex:7:0.9", Path::new(".")).unwrap().apply(&mut t).unwrap();
        let c = t["cartridge"].as_table().unwrap();
        assert!(c.get("preset").is_none());
        assert_eq!((c["layout"].as_str(), c["needles"].as_integer(), c["pitch_mm"].as_float()), (Some("hex"), Some(7), Some(0.9)));
        assert_eq!(c["depth_mm"].as_float(), Some(1.5));
    }
}
