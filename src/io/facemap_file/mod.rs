//! Face-map files, read at the edge and turned into a core [`FaceMap`].
//!
//! - `polygons`: TOML or JSON files of polygon regions and no-go zones (`.toml`, `.json`).
//! - `legend`: a painted PNG plus a TOML legend (a `.toml` file with an `image` key).
//!
//! `"default"` names the built-in face ([`crate::face::default_face`]).

pub mod legend;
pub mod paint;
pub mod polygons;

use std::path::Path;

use crate::error::{Error, Result};
use crate::face::FaceMap;

pub use legend::LegendFile;
pub use polygons::MapFile;

/// Load `spec`: `"default"`, or a map file path (relative paths from `base_dir`).
pub fn load(spec: &str, base_dir: &Path) -> Result<FaceMap> {
    if spec == "default" {
        return crate::face::default_face();
    }
    let path = base_dir.join(spec);
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let name = path.file_stem().map_or_else(|| spec.to_string(), |s| s.to_string_lossy().into_owned());
    match ext.as_deref() {
        Some("json") => {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            MapFile::parse(&text, &path, true)?.to_map(&name, &path)
        }
        Some("toml") => {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let table: toml::Table = toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text))
                .map_err(|e| Error::parse(&path, e.to_string().trim_end()))?;
            if table.contains_key("image") {
                LegendFile::parse(&text, &path)?.load_map(&name, &path)
            } else {
                MapFile::parse(&text, &path, false)?.to_map(&name, &path)
            }
        }
        _ => Err(Error::invalid(
            "face.map",
            format!("{spec:?}"),
            "\"default\", a polygon map (.toml or .json), or the .toml legend of a painted PNG (not the PNG itself)",
        )),
    }
}
