//! Surface mode of a face scenario: `[face] surface = "mesh.obj"` runs the session on a
//! curved mesh ([`SurfaceSimulation`]).
//!
//! ```toml
//! [face]
//! surface = "meshes/cylinder.obj"   # OBJ (or PLY) with UVs, relative to the scenario; groups (g) = regions
//! units = "mm"                      # required: "mm", "cm" or "m"
//! pen_orientation = "normal"        # or "frontal" (pen square to the face front, along −z)
//! no_go = ["eye_left"]              # OBJ groups that are no-go zones
//! [[face.region]]                   # every treated OBJ group, with its skin (as in map files)
//! name = "cheek_left"
//! epidermis_mm = 0.056
//! dermis_mm = 1.2
//! subcutis_mm = 4.0
//! recommended_depth_mm = [0.5, 1.5]
//! ```
//!
//! OBJ groups not listed are unassigned skin (measured, never treated). A PLY mesh
//! (`surface = "face.ply"`) names its regions by a per-face integer `region` property: value
//! `k` is the k-th of the `[[face.region]]` names then the `no_go` names (from 0); other
//! values are unassigned. Or paint the regions in UV space, for either format:
//!
//! ```toml
//! [face]
//! surface = "face.ply"
//! units = "mm"
//! regions_png = "face-regions.png"  # covers UV [0, 1]², u right, v up; a triangle takes
//! [[face.color]]                    # the colour at its UV centroid
//! rgb = "#e6194b"                   # the painted map's legend entries: region + skin keys,
//! region = "cheek_left"             # no_go = "name", or background = true
//! epidermis_mm = 0.056
//! dermis_mm = 1.2
//! subcutis_mm = 4.0
//! recommended_depth_mm = [0.5, 1.5]
//! ```
//!
//! `surface = "builtin"` is the built-in face surface (the ICT face, regions and skin as the
//! flat default map), morphed by `identity = [w0, w1, …]` (standard deviations of its modes).

use std::path::Path;

use crate::error::{Error, Result};
use crate::face::surface_face::SurfaceFace;
use crate::face::surface_simulation::SurfaceSimulation;
use crate::geometry::Rect;
use crate::io::facemap_file::polygons::region_info;
use crate::surface::PenOrientation;

use super::face::SessionParts;
use super::file::ScenarioFile;

/// The name of the built-in face surface in `[face] surface`.
pub const BUILTIN: &str = "builtin";

impl ScenarioFile {
    /// True when the scenario runs on a surface mesh (`[face] surface = …`).
    pub fn is_surface(&self) -> bool {
        self.face.as_ref().is_some_and(|f| f.surface.is_some())
    }

    /// Load the scenario's surface face (`scenario_path` locates relative files).
    pub fn load_surface_face(&self, scenario_path: &Path) -> Result<SurfaceFace> {
        let face = self.face.clone().unwrap_or_default();
        let spec =
            face.surface.as_deref().ok_or_else(|| Error::invalid("face.surface", "missing", "a mesh file (OBJ or PLY) or \"builtin\""))?;
        if spec == BUILTIN {
            // The built-in face carries its own regions, skin, no-go zones and units (mm).
            let refuse = |key: &str, value: String| {
                Err(Error::invalid(
                    key,
                    value,
                    "not set with surface = \"builtin\" (the built-in face carries its regions, skin, no-go zones and units)",
                ))
            };
            if !face.region.is_empty() {
                return refuse("face.region", format!("{} regions", face.region.len()));
            }
            if !face.no_go.is_empty() {
                return refuse("face.no_go", format!("{:?}", face.no_go));
            }
            if let Some(u) = face.units.as_deref().filter(|u| *u != "mm") {
                return refuse("face.units", format!("{u:?}"));
            }
            if face.map != "default" {
                return refuse("face.map", format!("{:?}", face.map));
            }
            if let Some(png) = &face.regions_png {
                return refuse("face.regions_png", format!("{png:?}"));
            }
            if !face.color.is_empty() {
                return refuse("face.color", format!("{} colours", face.color.len()));
            }
            return crate::face::surface::builtin_surface_face(&face.identity);
        }
        if !face.identity.is_empty() {
            return Err(Error::invalid(
                "face.identity",
                format!("{:?}", face.identity),
                "identity weights only with surface = \"builtin\" (a mesh file has no shape modes)",
            ));
        }
        if face.map != "default" {
            return Err(Error::invalid(
                "face.map",
                format!("{:?}", face.map),
                "no map with face.surface (the mesh's groups are the regions)",
            ));
        }
        let base = scenario_path.parent().unwrap_or(Path::new("."));
        if let Some(png) = &face.regions_png {
            let refuse = |key: &str, value: String| {
                Err(Error::invalid(
                    key,
                    value,
                    "not set with face.regions_png (its [[face.color]] legend names the regions, with their skin, and the no-go zones)",
                ))
            };
            if !face.region.is_empty() {
                return refuse("face.region", format!("{} regions", face.region.len()));
            }
            if !face.no_go.is_empty() {
                return refuse("face.no_go", format!("{:?}", face.no_go));
            }
            return crate::io::mesh_file::uv_paint::load_painted_surface_face(
                &base.join(spec),
                face.units.as_deref(),
                &base.join(png),
                &face.color,
                face.regions_tolerance,
            );
        }
        if !face.color.is_empty() || face.regions_tolerance != 0 {
            return Err(Error::invalid(
                "face.color / face.regions_tolerance",
                "given without face.regions_png",
                "the legend of a PNG painted in UV space, only with face.regions_png = \"file.png\"",
            ));
        }
        if face.region.is_empty() {
            return Err(Error::invalid(
                "face.region",
                "none",
                "at least one [[face.region]] naming an OBJ group (or PLY region number) with its skin, or face.regions_png",
            ));
        }
        let regions = face
            .region
            .iter()
            .enumerate()
            .map(|(i, r)| {
                region_info(
                    &r.name,
                    &format!("face.region[{i}] {:?}", r.name),
                    [r.epidermis_mm, r.dermis_mm, r.subcutis_mm],
                    r.recommended_depth_mm,
                    &r.source,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        crate::io::mesh_file::load_surface_face(&base.join(spec), face.units.as_deref(), regions, face.no_go.clone())
    }

    /// Validate a surface scenario against its loaded `surface` and build the session.
    pub fn to_surface_simulation_in(&self, surface: SurfaceFace, base_dir: &Path) -> Result<SurfaceSimulation> {
        let face = self.face.clone().unwrap_or_default();
        let orientation = match face.pen_orientation.as_deref() {
            None => PenOrientation::default(),
            Some(s) => PenOrientation::parse(s)
                .ok_or_else(|| Error::invalid("face.pen_orientation", format!("{s:?}"), "\"normal\" or \"frontal\""))?,
        };
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in &surface.mesh.positions_mm {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let bounds = Rect::new(lo[0], lo[1], hi[0].max(lo[0] + 1.0), hi[1].max(lo[1] + 1.0));
        let names: Vec<&str> = surface.regions.iter().map(|r| r.name.as_str()).collect();
        let SessionParts { cartridge, device, grid, limits, frames: _, technique, treatments, margin_mm } =
            self.session_parts(Some(base_dir), bounds, &names, "surface")?;
        let sim = SurfaceSimulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device,
            resolution_mm: self.grid.resolution_mm.map_or(crate::surface::measure::DEFAULT_MAX_RESOLUTION_MM, |_| grid.resolution_mm),
            halo_mm: self.coverage.halo_mm,
            picture: true,
            limits,
            technique,
            face: surface,
            treatments,
            margin_mm,
            penetration_ratio: face.penetration_ratio,
            orientation,
        };
        let chart = sim.chart()?;
        sim.validate(&chart)?;
        Ok(sim)
    }
}
