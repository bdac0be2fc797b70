//! Scenarios: the TOML file a user writes, read at the edge and turned into a core
//! [`Simulation`].
//!
//! Two stages, as in ripgrep's argument handling: `file` mirrors the TOML (serde, unknown
//! keys refused), then [`ScenarioFile::to_simulation`] validates every value once, naming
//! the key, the value and the allowed range, and builds the core types. `--set` overrides
//! (`overrides`) are applied to the parsed TOML before the first stage.

mod file;
mod overrides;
pub mod technique_file;
pub mod trace_csv;
mod sweep_file;

use std::path::Path;

pub use file::*;
pub use overrides::{Override, apply_overrides, parse_value};
pub use sweep_file::{ParameterFile, PlotFile, SweepFile};

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
        return toml::from_str(text).map_err(|e| Error::parse(path, explain(&e)));
    }
    let mut table: toml::Table = toml::from_str(text).map_err(|e| Error::parse(path, explain(&e)))?;
    apply_overrides(&mut table, overrides)?;
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| Error::parse(path, format!("after --set overrides: {}", explain(&e))))
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
/// known field closest to `x` by edit distance, if it is close enough to be a typo.
pub fn suggest_key(msg: &str) -> Option<String> {
    let rest = &msg[msg.find("unknown field `")? + 15..];
    let unknown = &rest[..rest.find('`')?];
    let expected = &rest[rest.find("expected")?..];
    let known = expected.split('`').skip(1).step_by(2);
    known
        .map(|k| (edit_distance(unknown, k), k))
        .filter(|(d, k)| *d <= (k.len().max(unknown.len()) / 3).max(2))
        .min()
        .map(|(_, k)| k.to_owned())
}

/// Levenshtein distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
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
