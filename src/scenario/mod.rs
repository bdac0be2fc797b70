//! Scenarios: the TOML file a user writes, read at the edge and turned into a core
//! [`Simulation`].
//!
//! Two stages, as in ripgrep's argument handling: `file` mirrors the TOML (serde, unknown
//! keys refused), then [`ScenarioFile::to_simulation`] validates every value once, naming
//! the key, the value and the allowed range, and builds the core types. `--set` overrides
//! (`overrides`) are applied to the parsed TOML before the first stage.

mod file;
mod overrides;

use std::path::Path;

pub use file::*;
pub use overrides::{Override, apply_overrides};

use crate::error::{Error, Result};

/// Read and parse a scenario file, applying `--set` overrides.
pub fn load(path: &Path, overrides: &[Override]) -> Result<ScenarioFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path, overrides)
}

/// Parse scenario text; `path` is only used in messages.
pub fn parse(text: &str, path: &Path, overrides: &[Override]) -> Result<ScenarioFile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if overrides.is_empty() {
        // Straight from the text, so errors carry line and column.
        return toml::from_str(text).map_err(|e| Error::parse(path, e.to_string().trim_end()));
    }
    let mut table: toml::Table = toml::from_str(text).map_err(|e| Error::parse(path, e.to_string().trim_end()))?;
    apply_overrides(&mut table, overrides)?;
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| Error::parse(path, format!("after --set overrides: {}", e.to_string().trim_end())))
}
