//! Scenarios: the TOML file a user writes, read at the edge and turned into a core
//! [`crate::sim::Simulation`].
//!
//! Two stages, as in ripgrep's argument handling: `file` mirrors the TOML (serde, unknown
//! keys refused), then [`ScenarioFile::to_simulation`] validates every value once, naming
//! the key, the value and the allowed range, and builds the core types. `--set` overrides
//! (`overrides`) are applied to the parsed TOML before the first stage.

pub mod cartridge_spec;
mod face;
mod file;
pub mod layout_file;
mod overrides;
pub mod presets;
mod surface;
pub mod surface_trace;
mod sweep_file;
pub mod technique_file;
pub mod trace_csv;

use std::path::Path;

pub use face::{DEFAULT_MARGIN_EXTRA_MM, FaceFile, SurfaceRegionFile, TreatFile};
pub use file::*;
pub use overrides::{Override, apply_overrides, parse_value};
pub use surface::BUILTIN as BUILTIN_SURFACE;
pub use sweep_file::{ParameterFile, PlotFile, SweepFile};

pub use crate::error::edit_distance;
use crate::error::{Error, Result};

/// Read and parse a scenario file, applying `--set` overrides and a device preset, and read
/// a `cartridge.layout_file` (relative to the scenario's folder) into `cartridge.needles_mm`.
pub fn load(path: &Path, overrides: &[Override]) -> Result<ScenarioFile> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::parse(path, "not UTF-8 text: a scenario is a TOML file"),
        _ => Error::io(path, e),
    })?;
    let mut file = parse(&text, path, overrides)?;
    resolve_files(&mut file, path)?;
    Ok(file)
}

/// Parse scenario text; `path` is only used in messages. Reads no other file.
pub fn parse(text: &str, path: &Path, overrides: &[Override]) -> Result<ScenarioFile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if overrides.is_empty() {
        // Straight from the text, so errors carry line and column.
        let file: ScenarioFile = toml::from_str(text).map_err(|e| Error::parse(path, explain(&e)))?;
        if file.device.preset.is_none() {
            return Ok(file);
        }
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| Error::parse(path, explain(&e)))?;
    from_table(table, path, overrides)
}

/// Read a scenario file as a bare TOML table (for commands that edit it before parsing).
pub fn read_table(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::parse(path, "not UTF-8 text: a scenario is a TOML file"),
        _ => Error::io(path, e),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    toml::from_str(text).map_err(|e| Error::parse(path, explain(&e)))
}

/// Apply overrides and the device preset to a scenario table and read it; `path` is used in
/// messages. Reads no other file.
pub fn from_table(mut table: toml::Table, path: &Path, overrides: &[Override]) -> Result<ScenarioFile> {
    apply_overrides(&mut table, overrides)?;
    presets::apply_device_preset(&mut table)?;
    let stage = if overrides.is_empty() { "after the device preset" } else { "after --set overrides" };
    toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| Error::parse(path, format!("{stage}: {}", explain(&e))))
}

/// Build a validated simulation from a scenario table (as read by [`read_table`]) plus
/// `overrides`, reading a layout file and a `[trace]` relative to `path`'s folder. Returns
/// the resolved file too.
pub fn simulation_from_table(table: &toml::Table, path: &Path, overrides: &[Override]) -> Result<(ScenarioFile, crate::sim::Simulation)> {
    let mut file = from_table(table.clone(), path, overrides)?;
    resolve_files(&mut file, path)?;
    let sim = file.to_simulation_in(path.parent().unwrap_or(Path::new(".")))?;
    Ok((file, sim))
}

/// Read `cartridge.layout_file` (relative to `scenario_path`'s folder) into
/// `cartridge.needles_mm`, so the resolved scenario carries the needles inline.
pub fn resolve_files(file: &mut ScenarioFile, scenario_path: &Path) -> Result<()> {
    let c = &mut file.cartridge;
    if let Some(rel) = c.layout_file.clone() {
        if c.preset.is_some() || c.needles_mm.is_some() || c.layout.is_some() {
            return Err(Error::invalid(
                "cartridge.layout_file",
                format!("{rel:?}"),
                "alone: not with cartridge.preset, needles_mm or layout",
            ));
        }
        let base = scenario_path.parent().unwrap_or(Path::new(""));
        let p = base.join(&rel);
        c.needles_mm = Some(layout_file::read(&p, c.needle_diameter_mm)?);
        c.layout_file = None;
    }
    Ok(())
}

/// The TOML error's text, plus "did you mean …?" for an unknown key close to a known one.
fn explain(e: &toml::de::Error) -> String {
    let msg = e.to_string().trim_end().to_owned();
    match suggest_key(&msg) {
        Some(s) => format!("{msg}\ndid you mean `{s}`?"),
        None => msg,
    }
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`"), the
/// known field `x` most likely meant ([`crate::error::did_you_mean`]: one rule for every
/// suggestion the crate makes).
pub fn suggest_key(msg: &str) -> Option<String> {
    let rest = &msg[msg.find("unknown field `")? + 15..];
    let unknown = &rest[..rest.find('`')?];
    let expected = &rest[rest.find("expected")?..];
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    crate::error::did_you_mean(unknown, &known).map(str::to_owned)
}

/// Load the face map a face scenario names: `"default"`, or a map file path relative to the
/// directory of `scenario_path`.
pub fn load_face_map(file: &ScenarioFile, scenario_path: &Path) -> Result<crate::face::FaceMap> {
    let spec = file.face.as_ref().map_or("default", |f| f.map.as_str());
    let base = scenario_path.parent().unwrap_or(Path::new("."));
    crate::io::facemap_file::load(spec, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_closest_known_key() {
        let msg = "unknown field `depht_mm`, expected one of `preset`, `needles_mm`, `pitch_mm`, `depth_mm`";
        assert_eq!(suggest_key(msg).as_deref(), Some("depth_mm"));
        assert_eq!(suggest_key("unknown field `zzzzzzzz`, expected one of `preset`, `depth_mm`"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
