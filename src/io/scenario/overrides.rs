//! `--set key=value` overrides by dotted path (`cartridge.depth_mm=1.5`,
//! `technique.directions_deg.1=30`). The value is read as a TOML value (`1.5`, `true`,
//! `[0, 90]`, `"text"`); anything that does not parse as one is taken as a string.

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: toml::Value,
}

impl std::str::FromStr for Override {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (key, value) = s.split_once('=').ok_or_else(|| Error::invalid("--set", s, "KEY=VALUE, e.g. cartridge.depth_mm=1.5"))?;
        let key = key.trim();
        let path: Vec<String> = key.split('.').map(str::to_owned).collect();
        if path.iter().any(|p| p.is_empty()) {
            return Err(Error::invalid("--set", s, "a dotted key such as cartridge.depth_mm"));
        }
        let value = parse_value(value.trim());
        Ok(Override { path, value })
    }
}

/// A TOML value, or the text itself as a string.
pub fn parse_value(text: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(text.to_owned())),
        Err(_) => toml::Value::String(text.to_owned()),
    }
}

/// Apply overrides in order. Missing tables are created; an index into an array must exist.
pub fn apply_overrides(table: &mut toml::Table, overrides: &[Override]) -> Result<()> {
    for o in overrides {
        set(table, &o.path, o.value.clone())?;
    }
    Ok(())
}

fn set(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<()> {
    let dotted = path.join(".");
    let mut node: &mut toml::Value =
        table.entry(path[0].clone()).or_insert_with(|| if path.len() > 1 { toml::Value::Table(Default::default()) } else { value.clone() });
    for (depth, seg) in path.iter().enumerate().skip(1) {
        let last = depth + 1 == path.len();
        node = match node {
            toml::Value::Table(t) => {
                t.entry(seg.clone()).or_insert_with(|| if last { value.clone() } else { toml::Value::Table(Default::default()) })
            }
            toml::Value::Array(a) => {
                let len = a.len();
                let i: usize = seg.parse().map_err(|_| Error::invalid(format!("--set {dotted}"), seg, "an array index"))?;
                a.get_mut(i).ok_or_else(|| Error::invalid(format!("--set {dotted}"), i, format!("an index below {len}")))?
            }
            _ => {
                return Err(Error::invalid(format!("--set {dotted}"), path[..depth].join("."), "a table or array to index into"));
            }
        };
    }
    *node = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_indexed_overrides() {
        let mut t: toml::Table = toml::from_str("[a]\nb = 1\nlist = [1, 2]").unwrap();
        let ov: Vec<Override> = ["a.b=2.5", "a.list.1=7", "c.d=\"x\"", "e=word"].iter().map(|s| s.parse().unwrap()).collect();
        apply_overrides(&mut t, &ov).unwrap();
        assert_eq!(t["a"]["b"].as_float(), Some(2.5));
        assert_eq!(t["a"]["list"][1].as_integer(), Some(7));
        assert_eq!(t["c"]["d"].as_str(), Some("x"));
        assert_eq!(t["e"].as_str(), Some("word"));
        let bad: Override = "a.list.5=1".parse().unwrap();
        assert!(apply_overrides(&mut t, &[bad]).unwrap_err().to_string().contains("index below 2"));
    }
}
