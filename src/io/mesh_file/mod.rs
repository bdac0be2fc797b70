//! Mesh files: Wavefront OBJ and PLY with texture coordinates, read at the edge into a core
//! [`SurfaceMesh`] in mm, and turned into a [`SurfaceFace`] with the scenario's regions.
//!
//! - [`obj`]: `v`, `vt`, `f a/ta b/tb …` (polygons fan-split), `g name` groups.
//! - [`ply`]: ASCII, `binary_little_endian` and `binary_big_endian`; per-vertex `x y z` and
//!   UVs (`u v`, `s t` or `texture_u texture_v`; or a face list `texcoord`), faces as `vertex_indices` lists (triangles,
//!   quads and larger polygons, all fan-split like OBJ), an optional per-face integer
//!   `region` (or `group`) property.
//! - [`uv_paint`]: regions painted in UV space (a PNG covering UV [0, 1]², u right, v up)
//!   with the painted map's legend rules, for either format.
//!
//! **Regions.** OBJ groups are matched by name to `[[face.region]]` then `face.no_go`; a PLY
//! face's `region = k` is the k-th name of that same list (0-based); OBJ groups not listed and
//! PLY values outside `0..len` (e.g. −1) are unassigned skin (measured, never treated). With
//! `[face] regions_png` the painted colours replace groups and `region` values.
//!
//! Units are declared by the scenario (`mm`, `cm` or `m`), never guessed. Hand-written
//! readers rather than crates: errors name the file and line (OBJ, ASCII PLY) or byte offset
//! (binary PLY) and element index, vertices stay shared between groups (the manifold check
//! needs them), and they are small enough to fuzz (`io::fuzzing::mesh_bytes`). Counts
//! declared by a PLY header are bounded by the file's size before anything is allocated.

pub mod obj;
pub mod ply;
pub mod uv_paint;

use std::path::Path;

use crate::error::{Error, Result};
use crate::face::RegionInfo;
use crate::face::surface_face::SurfaceFace;
use crate::surface::{SurfaceMesh, Triangle};

pub use obj::{parse_obj, to_obj};
pub use ply::{PlyFormat, parse_ply, to_ply};

/// Length units a mesh file may be in, with mm per unit.
pub const UNITS: [(&str, f64); 3] = [("mm", 1.0), ("cm", 10.0), ("m", 1000.0)];

/// mm per unit of `units`; `key` names the setting in errors.
pub fn mm_per_unit(key: &str, units: Option<&str>) -> Result<f64> {
    let allowed = "the mesh file's length unit: \"mm\", \"cm\" or \"m\" (never guessed)";
    let u = units.ok_or_else(|| Error::invalid(key, "missing", allowed))?;
    UNITS.iter().find(|(n, _)| *n == u).map(|(_, f)| *f).ok_or_else(|| Error::invalid(key, format!("{u:?}"), allowed))
}

/// Most vertices / texture coordinates / faces a mesh file may hold.
pub const MAX_ELEMENTS: usize = 5_000_000;

/// What labels a mesh file's triangles carry (the index in [`Triangle::group`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    /// OBJ group names in order of first use (`""` for faces before any `g`).
    Names(Vec<String>),
    /// PLY `region` values in order of first use.
    Numbers(Vec<i64>),
    /// No labels (a PLY file without a `region` property): every triangle has label 0.
    None,
}

/// A mesh file as read: positions in the file's units, UVs, triangles whose `group` indexes
/// the file's [`Labels`].
#[derive(Clone, Debug)]
pub struct MeshData {
    pub positions: Vec<[f64; 3]>,
    pub uvs: Vec<[f64; 2]>,
    pub triangles: Vec<Triangle>,
    pub labels: Labels,
}

impl Default for MeshData {
    fn default() -> Self {
        MeshData { positions: Vec::new(), uvs: Vec::new(), triangles: Vec::new(), labels: Labels::Names(Vec::new()) }
    }
}

/// Mesh formats by file extension.
const FORMATS: &str = "an OBJ (.obj) or PLY (.ply) mesh file with texture coordinates";

/// Read and parse a mesh file by its extension (`.obj` or `.ply`, any case).
pub fn read_mesh(path: &Path) -> Result<MeshData> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("obj") | Some("ply") => {}
        _ => return Err(Error::invalid("face.surface", format!("{:?}", path.display().to_string()), FORMATS)),
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_mesh(&bytes, ext.as_deref() == Some("ply"), path)
}

/// Parse mesh bytes as PLY (`ply`) or OBJ text; `path` names the file in errors.
pub fn parse_mesh(bytes: &[u8], ply: bool, path: &Path) -> Result<MeshData> {
    if ply {
        return parse_ply(bytes, path);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Error::parse(path, format!("not UTF-8 text ({e})")))?;
    parse_obj(text, path)
}

impl MeshData {
    /// The core mesh: positions × `mm_per_unit`, labels mapped to `order` (regions then no-go
    /// zones): an OBJ group listed there, or a PLY `region` value `k < order.len()`, becomes
    /// that group; every other triangle is in a last `""` group, unassigned skin. A name in
    /// `order` that no triangle carries is refused, naming what the file has.
    pub fn to_mesh(&self, mm_per_unit: f64, order: &[String], path: &Path) -> Result<SurfaceMesh> {
        let unassigned = order.len() as u32;
        let map: Vec<u32> = match &self.labels {
            Labels::Names(names) => {
                for name in order {
                    if !names.contains(name) {
                        return Err(Error::parse(
                            path,
                            format!(
                                "no group (g) named {name:?} in the mesh; its groups are {:?}",
                                names.iter().filter(|g| !g.is_empty()).collect::<Vec<_>>()
                            ),
                        ));
                    }
                }
                names.iter().map(|g| order.iter().position(|o| o == g).map_or(unassigned, |k| k as u32)).collect()
            }
            Labels::Numbers(values) => {
                if let Some(k) = (0..order.len()).find(|&k| !values.contains(&(k as i64))) {
                    let mut seen = values.clone();
                    seen.sort_unstable();
                    return Err(Error::parse(
                        path,
                        format!(
                            "no face has region = {k}, which names {:?} ([[face.region]] then face.no_go, counted from 0); the faces' region values are {seen:?}",
                            order[k]
                        ),
                    ));
                }
                values.iter().map(|&v| if (0..order.len() as i64).contains(&v) { v as u32 } else { unassigned }).collect()
            }
            Labels::None => {
                if let Some(name) = order.first() {
                    return Err(Error::parse(
                        path,
                        format!(
                            "the faces carry no region (no `property int region` or `group` on the face element), so no face is {name:?}; add the property, or paint the regions in UV space with face.regions_png"
                        ),
                    ));
                }
                vec![unassigned]
            }
        };
        let mut groups = order.to_vec();
        if self.triangles.iter().any(|t| map.get(t.group as usize).is_none_or(|&g| g == unassigned)) {
            groups.push(String::new());
        }
        Ok(SurfaceMesh {
            positions_mm: self.positions.iter().map(|p| p.map(|c| c * mm_per_unit)).collect(),
            uvs: self.uvs.clone(),
            triangles: self
                .triangles
                .iter()
                .map(|t| Triangle { group: map.get(t.group as usize).copied().unwrap_or(unassigned), ..*t })
                .collect(),
            groups,
        })
    }
}

/// The face's name: the mesh file's stem.
fn face_name(path: &Path) -> String {
    path.file_stem().map_or_else(|| "surface".to_string(), |s| s.to_string_lossy().into_owned())
}

/// Read a surface face (OBJ or PLY): the mesh in `units`, `regions` (with their skin, in
/// order) and `no_go` zones from its groups or `region` values; the mesh is validated
/// ([`SurfaceMesh::validate`]) with the file named in errors.
pub fn load_surface_face(path: &Path, units: Option<&str>, regions: Vec<RegionInfo>, no_go: Vec<String>) -> Result<SurfaceFace> {
    let scale = mm_per_unit("face.units", units)?;
    let data = read_mesh(path)?;
    let order: Vec<String> = regions.iter().map(|r| r.name.clone()).chain(no_go.iter().cloned()).collect();
    let mesh = data.to_mesh(scale, &order, path)?;
    mesh.validate(&path.display().to_string())?;
    SurfaceFace::new(&face_name(path), mesh, regions, no_go, Vec::new()).map_err(|e| Error::parse(path, e.to_string()))
}
