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

/// Apply overrides in order. Missing tables are created; an index into an array must exist,
/// except for `face.identity.K` (the built-in face's shape mode K, 0–19, in standard
/// deviations): the list is created and filled with 0 (the neutral shape) up to K, so a
/// sweep can vary each mode on its own.
pub fn apply_overrides(table: &mut toml::Table, overrides: &[Override]) -> Result<()> {
    for o in overrides {
        set(table, &o.path, o.value.clone())?;
    }
    Ok(())
}

fn set(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<()> {
    let dotted = path.join(".");
    if let [face, identity, k] = path
        && face == "face"
        && identity == "identity"
    {
        return set_identity_mode(table, &dotted, k, value);
    }
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

/// `face.identity.K = value`: mode K of the identity list, zeros before it.
fn set_identity_mode(table: &mut toml::Table, dotted: &str, k: &str, value: toml::Value) -> Result<()> {
    use crate::face::surface::{MAX_IDENTITY_MODES, MAX_IDENTITY_SD};
    let modes = || format!("a shape mode index 0–{} (face.identity.K = weight within ±{MAX_IDENTITY_SD} sd)", MAX_IDENTITY_MODES - 1);
    let i: usize = k.parse().map_err(|_| Error::invalid(format!("--set {dotted}"), k, modes()))?;
    if i >= MAX_IDENTITY_MODES {
        return Err(Error::invalid(format!("--set {dotted}"), i, modes()));
    }
    let face = table.entry("face").or_insert_with(|| toml::Value::Table(Default::default()));
    let toml::Value::Table(face) = face else {
        return Err(Error::invalid(format!("--set {dotted}"), "face", "a table to index into"));
    };
    let list = face.entry("identity").or_insert_with(|| toml::Value::Array(Vec::new()));
    let toml::Value::Array(list) = list else {
        return Err(Error::invalid(format!("--set {dotted}"), "face.identity", "a list of weights to index into"));
    };
    if list.len() <= i {
        list.resize(i + 1, toml::Value::Float(0.0));
    }
    list[i] = value;
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

    #[test]
    fn identity_modes_are_set_one_by_one_with_zeros_before() {
        let mut t: toml::Table = toml::from_str("[face]\nsurface = \"builtin\"").unwrap();
        let ov: Vec<Override> = ["face.identity.2=1.5", "face.identity.0=-1"].iter().map(|s| s.parse().unwrap()).collect();
        apply_overrides(&mut t, &ov).unwrap();
        let got: Vec<f64> = t["face"]["identity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap())
            .collect();
        assert_eq!(got, vec![-1.0, 0.0, 1.5]);
        // A shorter list given in the file is extended; the other entries stay.
        let mut t: toml::Table = toml::from_str("[face]\nidentity = [0.5]").unwrap();
        apply_overrides(&mut t, &["face.identity.1=2".parse().unwrap()]).unwrap();
        assert_eq!(t["face"]["identity"].as_array().unwrap().len(), 2);
        assert_eq!(t["face"]["identity"][0].as_float(), Some(0.5));
        for bad in ["face.identity.20=1", "face.identity.x=1"] {
            let e = apply_overrides(&mut t, &[bad.parse().unwrap()]).unwrap_err().to_string();
            assert!(e.contains("face.identity") && e.contains("0–19") && e.contains("±5"), "{e}");
        }
    }
}
