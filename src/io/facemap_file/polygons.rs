//! Polygon map files (TOML or JSON): regions as closed rings of `[x_mm, y_mm]` points with
//! their skin, and no-go zones.
//!
//! ```toml
//! description = "my face"          # optional
//! [[region]]
//! name = "cheek_left"
//! polygon = [[20, 60], [60, 60], [60, 100], [20, 100], [20, 60]]   # closed: last = first
//! # polygons = [[…ring…], […ring…]]  for a region in several parts
//! epidermis_mm = 0.056
//! dermis_mm = 1.0
//! subcutis_mm = 4.0
//! recommended_depth_mm = [0.5, 2.0]
//! source = "Meng 2022"            # optional
//! [[no_go]]
//! name = "eye_left"
//! polygon = [[…], …]
//! ```
//!
//! Rings must be closed (the last point repeats the first, as in GeoJSON and WKT) so that a
//! truncated list is caught rather than silently closed. Every problem is reported with the
//! file, the entry (`region[3] "cheek_left"`), the key, the value and what is allowed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::face::{FaceMap, RegionInfo};
use crate::geometry::Vec2;
use crate::geometry::polygon::Polygon;
use crate::needle::skin::SkinLayers;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MapFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub region: Vec<RegionFile>,
    #[serde(default)]
    pub no_go: Vec<NoGoFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegionFile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polygon: Option<Vec<[f64; 2]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polygons: Option<Vec<Vec<[f64; 2]>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epidermis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dermis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcutis_mm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_depth_mm: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoGoFile {
    pub name: String,
    pub polygon: Vec<[f64; 2]>,
}

/// A parse error's text, plus "did you mean …?" for a misspelt key.
pub fn with_suggestion(msg: String) -> String {
    let msg = msg.trim_end().to_owned();
    match crate::io::scenario::suggest_key(&msg) {
        Some(k) => format!("{msg}\ndid you mean `{k}`?"),
        None => msg,
    }
}

/// A closed ring (last point = first) as a polygon; `key` names it in errors.
pub fn ring_to_polygon(ring: &[[f64; 2]], key: &str) -> Result<Polygon> {
    let (first, last) = match (ring.first(), ring.last()) {
        (Some(f), Some(l)) if ring.len() >= 2 => (f, l),
        _ => {
            return Err(Error::invalid(
                key,
                format!("{} points", ring.len()),
                "a closed ring of at least 4 points (3 corners and the first repeated)",
            ));
        }
    };
    if first != last {
        return Err(Error::invalid(
            key,
            format!("an open ring: first point [{}, {}] ≠ last point [{}, {}]", first[0], first[1], last[0], last[1]),
            "a closed ring: repeat the first point at the end",
        ));
    }
    let pts: Vec<Vec2> = ring[..ring.len() - 1].iter().map(|p| Vec2::new(p[0], p[1])).collect();
    if let Some(p) = pts.iter().find(|p| p.x.abs() > 1e4 || p.y.abs() > 1e4) {
        return Err(Error::invalid(key, format!("[{}, {}]", p.x, p.y), "points within ±10,000 mm"));
    }
    Polygon::new(pts).map_err(|e| Error::invalid(key, e.to_string(), "a simple polygon (no crossing or touching edges)"))
}

/// Skin and recommended depth of a region entry; `key` names it in errors.
pub fn region_info(name: &str, key: &str, skin: [Option<f64>; 3], depth: Option<[f64; 2]>, source: &str) -> Result<RegionInfo> {
    let need = |v: Option<f64>, field: &str, allowed: &str| {
        v.ok_or_else(|| Error::invalid(format!("{key}.{field}"), "missing", format!("{allowed}: every region needs its skin thicknesses")))
    };
    let skin = SkinLayers {
        epidermis_mm: need(skin[0], "epidermis_mm", "0 < epidermis_mm ≤ 1 mm")?,
        dermis_mm: need(skin[1], "dermis_mm", "0 < dermis_mm ≤ 6 mm")?,
        subcutis_mm: need(skin[2], "subcutis_mm", "0 ≤ subcutis_mm ≤ 60 mm")?,
    };
    let [lo, hi] =
        depth.ok_or_else(|| Error::invalid(format!("{key}.recommended_depth_mm"), "missing", "[lo, hi] in mm, e.g. [0.5, 1.0]"))?;
    Ok(RegionInfo { name: name.into(), skin, recommended_depth_mm: (lo, hi), source: source.into() })
}

impl MapFile {
    /// Parse TOML (or JSON when `json`); `path` names the file in errors.
    pub fn parse(text: &str, path: &Path, json: bool) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if json {
            serde_json::from_str(text).map_err(|e| Error::parse(path, with_suggestion(e.to_string())))
        } else {
            toml::from_str(text).map_err(|e: toml::de::Error| Error::parse(path, with_suggestion(e.to_string())))
        }
    }

    /// Build the face map; problems are reported against `path`.
    pub fn to_map(&self, name: &str, path: &Path) -> Result<FaceMap> {
        let at = |e: Error| Error::parse(path, e.to_string());
        let mut regions = Vec::new();
        for (i, r) in self.region.iter().enumerate() {
            let key = format!("region[{i}] {:?}", r.name);
            let rings: Vec<(String, &Vec<[f64; 2]>)> = match (&r.polygon, &r.polygons) {
                (Some(p), None) => vec![(format!("{key}.polygon"), p)],
                (None, Some(ps)) if !ps.is_empty() => ps.iter().enumerate().map(|(k, p)| (format!("{key}.polygons[{k}]"), p)).collect(),
                (Some(_), Some(_)) => return Err(at(Error::invalid(format!("{key}.polygon / polygons"), "both given", "one of the two"))),
                _ => {
                    return Err(at(Error::invalid(
                        format!("{key}.polygon"),
                        "missing",
                        "a closed ring of [x_mm, y_mm] points (or polygons = [ring, …])",
                    )));
                }
            };
            let parts = rings.iter().map(|(k, ring)| ring_to_polygon(ring, k)).collect::<Result<Vec<_>>>().map_err(at)?;
            let info =
                region_info(&r.name, &key, [r.epidermis_mm, r.dermis_mm, r.subcutis_mm], r.recommended_depth_mm, &r.source).map_err(at)?;
            regions.push((info, parts));
        }
        let no_go = self
            .no_go
            .iter()
            .enumerate()
            .map(|(i, z)| Ok((z.name.clone(), ring_to_polygon(&z.polygon, &format!("no_go[{i}] {:?}.polygon", z.name))?)))
            .collect::<Result<Vec<_>>>()
            .map_err(at)?;
        FaceMap::from_polygons(name, regions, no_go).map_err(at)
    }

    /// The file form of a polygon map (`None` for a painted map).
    pub fn from_map(map: &FaceMap) -> Option<Self> {
        let closed = |p: &Polygon| {
            let mut v: Vec<[f64; 2]> = p.vertices().iter().map(|q| [q.x, q.y]).collect();
            v.push(v[0]);
            v
        };
        let region = map
            .regions()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let parts = map.region_polygons(i as u16)?;
                let (polygon, polygons) =
                    if parts.len() == 1 { (Some(closed(&parts[0])), None) } else { (None, Some(parts.iter().map(closed).collect())) };
                Some(RegionFile {
                    name: r.name.clone(),
                    polygon,
                    polygons,
                    epidermis_mm: Some(r.skin.epidermis_mm),
                    dermis_mm: Some(r.skin.dermis_mm),
                    subcutis_mm: Some(r.skin.subcutis_mm),
                    recommended_depth_mm: Some([r.recommended_depth_mm.0, r.recommended_depth_mm.1]),
                    source: r.source.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let no_go =
            map.no_go_names().iter().zip(map.no_go_polygons()?).map(|(n, p)| NoGoFile { name: n.clone(), polygon: closed(p) }).collect();
        Some(MapFile { description: Some(format!("face map {:?} exported by needlesim (mm, x right, y up)", map.name())), region, no_go })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a map file serialises")
    }
}
