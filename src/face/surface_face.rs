//! A face as a curved surface: a [`SurfaceMesh`] whose triangle groups are the regions (with
//! their skin, as on a flat [`FaceMap`](super::FaceMap)) and the no-go zones.
//!
//! **Group convention** (checked by [`SurfaceFace::new`]): mesh group `i < regions.len()` is
//! region `i`; group `regions.len() + k` is no-go zone `k`; one optional last group named `""`
//! is unassigned skin (measured in the mesh area, belongs to no region, never treated).
//! Positions in mm.

use crate::error::{Error, Result};
use crate::surface::SurfaceMesh;

use super::RegionInfo;

/// A face surface: mesh, regions and no-go zones (see the module doc).
#[derive(Clone, Debug)]
pub struct SurfaceFace {
    pub name: String,
    pub mesh: SurfaceMesh,
    pub regions: Vec<RegionInfo>,
    pub no_go: Vec<String>,
    /// Identity weights (standard deviations of the shape modes) the mesh was morphed with;
    /// empty for a user mesh.
    pub identity: Vec<f64>,
    /// Legal but risky findings of loading the surface (e.g. triangles straddling painted
    /// region borders), to report with the run's warnings; empty from [`SurfaceFace::new`].
    pub warnings: Vec<String>,
}

impl SurfaceFace {
    /// Check names (unique, non-empty), skin, and the group convention.
    pub fn new(name: &str, mesh: SurfaceMesh, regions: Vec<RegionInfo>, no_go: Vec<String>, identity: Vec<f64>) -> Result<Self> {
        super::check_names(&regions, &no_go)?;
        let named = regions.len() + no_go.len();
        let expected: Vec<&str> = regions.iter().map(|r| r.name.as_str()).chain(no_go.iter().map(String::as_str)).collect();
        let groups_ok = mesh.groups.len() >= named
            && mesh.groups.len() <= named + 1
            && mesh.groups.iter().zip(&expected).all(|(g, e)| g == e)
            && mesh.groups.get(named).is_none_or(|g| g.is_empty());
        if !groups_ok {
            return Err(Error::invalid(
                format!("surface face {name:?} groups"),
                format!("{:?}", mesh.groups),
                format!("the regions then the no-go zones in order ({expected:?}), then optionally \"\" for unassigned skin"),
            ));
        }
        if let Some(t) = mesh.triangles.iter().position(|t| t.group as usize >= mesh.groups.len()) {
            return Err(Error::invalid(
                format!("surface face {name:?} triangle {t}"),
                mesh.triangles[t].group,
                format!("a group index below {}", mesh.groups.len()),
            ));
        }
        Ok(SurfaceFace { name: name.to_string(), mesh, regions, no_go, identity, warnings: Vec::new() })
    }

    /// True skin area of each mesh group, mm² (regions, then no-go zones, then unassigned).
    pub fn group_areas_mm2(&self) -> Vec<f64> {
        let mut areas = vec![0.0; self.mesh.groups.len()];
        for t in &self.mesh.triangles {
            areas[t.group as usize] += self.mesh.area_mm2(t);
        }
        areas
    }
}
