//! Face maps: anatomical regions with their skin, and no-go zones, on the frontal face plane.
//!
//! **Model.** A [`FaceMap`] is a set of named regions (label = region index, the `Domain`
//! label) and named no-go zones (eyes, lip vermilion, nostrils: never needled). Each region
//! carries its layer thicknesses ([`SkinLayers`]), the recommended needle depth range and the
//! source of those numbers. The skin inside a no-go zone belongs to no region: it is not
//! measured, and region areas exclude it. Coordinates: mm, x right, y up, frontal projection
//! (areas are projected areas; skin that faces sideways, e.g. temples and the jaw, has more
//! real area than its projection).
//!
//! Two shapes of map, one API:
//! - **polygons** ([`polygons::PolygonShape`]): the built-in default face ([`default_face`])
//!   and TOML/JSON map files; exact areas, exact lane clipping.
//! - **raster** ([`raster::LabelRaster`]): a painted PNG, one flat colour per region; areas
//!   are pixel counts, lanes are clipped pixel by pixel.
//!
//! **Invariants** (checked by the constructors): names unique and non-empty; regions do not
//! overlap each other (shared edges are fine), nor do no-go zones; every region has valid
//! thicknesses, a valid recommended depth range and a positive area outside the no-go zones.
//!
//! For pictures (`render`), the map exposes each region's polygons, centroid and label
//! anchor (a point well inside, away from edges and no-go zones), and the no-go polygons.

pub mod default;
pub mod levels;
pub mod names;
pub mod no_go;
pub mod outline;
pub mod plan;
pub mod polygons;
pub mod raster;
pub mod report;
pub mod simulation;
pub mod stamping;
pub mod surface;
pub mod surface_face;
pub mod surface_simulation;
pub mod surface_trace_run;

pub use default::default_face;

use crate::error::{Error, Result};
use crate::geometry::polygon::Polygon;
use crate::geometry::{Rect, Vec2};
use crate::needle::skin::SkinLayers;
use crate::raster::domain::{Domain, TileClass};
use crate::raster::grid::GridSpec;
use polygons::PolygonShape;
use raster::LabelRaster;

/// Most regions a map may have (labels are `u16`; one value is reserved).
pub const MAX_REGIONS: usize = 4096;
/// Largest allowed recommended depth, mm (beyond every pen in `shared/domain.md`).
pub const MAX_RECOMMENDED_DEPTH_MM: f64 = 5.0;

/// What is known about one region besides its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionInfo {
    /// Unique name, e.g. `cheek_left` (left/right are the person's own sides).
    pub name: String,
    pub skin: SkinLayers,
    /// Recommended set depth range `(lo, hi)`, mm, thin to thick skin.
    pub recommended_depth_mm: (f64, f64),
    /// Where the numbers come from (free text).
    pub source: String,
}

impl RegionInfo {
    /// The warning for a set depth outside this region's recommended range, if it is.
    pub fn depth_warning(&self, depth_mm: f64) -> Option<String> {
        let (lo, hi) = self.recommended_depth_mm;
        (depth_mm < lo || depth_mm > hi)
            .then(|| format!("{}: set depth {depth_mm} mm is outside the recommended {lo}–{hi} mm ({})", self.name, self.source))
    }

    /// Validate treatment `i` of this region through its patch `view` (the treatment's pen and
    /// passes as a patch simulation): the view's warnings, prefixed with the treatment, then
    /// a set depth outside the recommended range.
    pub fn treatment_warnings(&self, i: usize, depth_mm: f64, view: &crate::sim::Simulation) -> Result<Vec<String>> {
        let name = &self.name;
        let mut out: Vec<String> = view
            .validate()
            .map_err(|e| Error::invalid(format!("treat[{i}] ({name})"), e.to_string(), "a valid treatment"))?
            .into_iter()
            .map(|w| format!("treat[{i}] {name}: {w}"))
            .collect();
        out.extend(self.depth_warning(depth_mm));
        Ok(out)
    }

    fn validate(&self) -> Result<()> {
        let key = format!("region {:?}", self.name);
        self.skin.validate(&key)?;
        let (lo, hi) = self.recommended_depth_mm;
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi && hi <= MAX_RECOMMENDED_DEPTH_MM) {
            return Err(Error::invalid(
                format!("{key}.recommended_depth_mm"),
                format!("[{lo}, {hi}]"),
                format!("[lo, hi] with 0 < lo ≤ hi ≤ {MAX_RECOMMENDED_DEPTH_MM} mm"),
            ));
        }
        Ok(())
    }
}

/// The geometry of a map.
#[derive(Clone, Debug)]
pub enum Shape {
    Polygons(PolygonShape),
    Raster(LabelRaster),
}

/// A face map (see the module doc).
#[derive(Clone, Debug)]
pub struct FaceMap {
    name: String,
    regions: Vec<RegionInfo>,
    no_go: Vec<String>,
    shape: Shape,
    areas_mm2: Vec<f64>,
    centroids: Vec<Vec2>,
    anchors: Vec<Vec2>,
    region_bounds: Vec<Rect>,
    bounds: Rect,
}

pub(crate) fn check_names(regions: &[RegionInfo], no_go: &[String]) -> Result<()> {
    if regions.is_empty() {
        return Err(Error::invalid("regions", 0, "at least one region"));
    }
    if regions.len() > MAX_REGIONS {
        return Err(Error::invalid("regions", regions.len(), format!("at most {MAX_REGIONS} regions")));
    }
    let mut seen = std::collections::HashSet::new();
    let names = regions.iter().map(|r| ("region", &r.name)).chain(no_go.iter().map(|n| ("no_go", n)));
    for (kind, name) in names {
        if name.trim().is_empty() || name.chars().any(|c| c.is_control()) {
            return Err(Error::invalid(format!("{kind} name"), format!("{name:?}"), "a non-empty name without control characters"));
        }
        if !seen.insert(name.as_str()) {
            return Err(Error::invalid(format!("{kind} name"), format!("{name:?}"), "names unique across regions and no-go zones"));
        }
    }
    for r in regions {
        r.validate()?;
    }
    Ok(())
}

impl FaceMap {
    /// A map of polygon regions (each one or more non-overlapping parts) and no-go zones.
    pub fn from_polygons(name: &str, regions: Vec<(RegionInfo, Vec<Polygon>)>, no_go: Vec<(String, Polygon)>) -> Result<Self> {
        let (infos, parts): (Vec<RegionInfo>, Vec<Vec<Polygon>>) = regions.into_iter().unzip();
        let (no_go_names, zones): (Vec<String>, Vec<Polygon>) = no_go.into_iter().unzip();
        check_names(&infos, &no_go_names)?;
        if let Some((i, _)) = parts.iter().enumerate().find(|(_, p)| p.is_empty()) {
            return Err(Error::invalid(format!("region {:?}.polygon", infos[i].name), "none", "at least one polygon"));
        }
        let shape = PolygonShape::new(parts, zones, &infos, &no_go_names)?;
        let n = infos.len();
        let areas_mm2: Vec<f64> = (0..n).map(|i| shape.region_area(i)).collect();
        if let Some(i) = (0..n).find(|&i| areas_mm2[i] <= 1e-6) {
            return Err(Error::invalid(
                format!("region {:?}", infos[i].name),
                format!("{:.3e} mm² outside the no-go zones", areas_mm2[i]),
                "a region with area outside the no-go zones",
            ));
        }
        let centroids = (0..n).map(|i| shape.region_centroid(i)).collect();
        let region_bounds: Vec<Rect> = (0..n).map(|i| shape.region_bounds(i)).collect();
        let bounds = shape.bounds();
        let anchors = (0..n).map(|i| shape.region_anchor(i, region_bounds[i])).collect();
        Ok(FaceMap {
            name: name.into(),
            regions: infos,
            no_go: no_go_names,
            shape: Shape::Polygons(shape),
            areas_mm2,
            centroids,
            anchors,
            region_bounds,
            bounds,
        })
    }

    /// A map painted as a label raster (see [`raster::LabelRaster`]).
    pub fn from_raster(name: &str, regions: Vec<RegionInfo>, no_go: Vec<String>, raster: LabelRaster) -> Result<Self> {
        check_names(&regions, &no_go)?;
        let n = regions.len();
        let stats = raster.region_stats(n);
        if let Some(i) = (0..n).find(|&i| stats[i].pixels == 0) {
            return Err(Error::invalid(format!("region {:?}", regions[i].name), "0 pixels", "at least one pixel of the region's colour"));
        }
        let areas_mm2 = stats.iter().map(|s| s.pixels as f64 * raster.pixel_area_mm2()).collect();
        let centroids = stats.iter().map(|s| s.centroid).collect();
        let anchors = stats.iter().map(|s| s.anchor).collect();
        let region_bounds = stats.iter().map(|s| s.bounds).collect();
        let bounds = raster.bounds();
        Ok(FaceMap {
            name: name.into(),
            regions,
            no_go,
            shape: Shape::Raster(raster),
            areas_mm2,
            centroids,
            anchors,
            region_bounds,
            bounds,
        })
    }

    /// The map's name (`default`, or the file it came from).
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn regions(&self) -> &[RegionInfo] {
        &self.regions
    }
    pub fn region(&self, label: u16) -> &RegionInfo {
        &self.regions[label as usize]
    }
    /// Label of the region called `name`.
    pub fn region_index(&self, name: &str) -> Option<u16> {
        self.regions.iter().position(|r| r.name == name).map(|i| i as u16)
    }
    /// Names of the no-go zones, in order (no-go index = position).
    pub fn no_go_names(&self) -> &[String] {
        &self.no_go
    }
    pub fn shape(&self) -> &Shape {
        &self.shape
    }
    /// The polygons (parts) of a region, mm; `None` for a raster map.
    pub fn region_polygons(&self, label: u16) -> Option<&[Polygon]> {
        match &self.shape {
            Shape::Polygons(s) => Some(s.region_parts(label as usize)),
            Shape::Raster(_) => None,
        }
    }
    /// The no-go polygons, in the order of [`FaceMap::no_go_names`]; `None` for a raster map.
    pub fn no_go_polygons(&self) -> Option<&[Polygon]> {
        match &self.shape {
            Shape::Polygons(s) => Some(s.no_go()),
            Shape::Raster(_) => None,
        }
    }
    /// The label raster of a painted map; `None` for a polygon map.
    pub fn raster(&self) -> Option<&LabelRaster> {
        match &self.shape {
            Shape::Raster(r) => Some(r),
            Shape::Polygons(_) => None,
        }
    }
    /// Area centroid of a region (net of no-go zones), mm. May lie outside a non-convex region.
    pub fn centroid(&self, label: u16) -> Vec2 {
        self.centroids[label as usize]
    }
    /// A point well inside the region, away from its edges and the no-go zones: where to put
    /// its label in a picture, mm.
    pub fn label_anchor(&self, label: u16) -> Vec2 {
        self.anchors[label as usize]
    }
    /// Bounding box of a region, mm.
    pub fn region_bounds(&self, label: u16) -> Rect {
        self.region_bounds[label as usize]
    }
    /// Sum of the region areas, mm² (no-go zones excluded).
    pub fn total_area_mm2(&self) -> f64 {
        self.areas_mm2.iter().sum()
    }
    /// The no-go zone holding `p`, if any.
    pub fn no_go_at(&self, p: Vec2) -> Option<usize> {
        match &self.shape {
            Shape::Polygons(s) => s.no_go_at(p),
            Shape::Raster(r) => r.no_go_at(p),
        }
    }
    /// The first no-go zone the closed disk of radius `r_mm` at `p` meets, if any (a needle
    /// of that radius there would pierce the zone).
    pub fn no_go_meeting_disk(&self, p: Vec2, r_mm: f64) -> Option<usize> {
        match &self.shape {
            Shape::Polygons(s) => s.no_go_meeting_disk(p, r_mm),
            Shape::Raster(r) => r.no_go_meeting_disk(p, r_mm),
        }
    }
}

impl Domain for FaceMap {
    fn bounds(&self) -> Rect {
        self.bounds
    }
    fn label_count(&self) -> usize {
        self.regions.len()
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        match &self.shape {
            Shape::Polygons(s) => s.label_at(p),
            Shape::Raster(r) => r.label_at(p),
        }
    }
    fn area_mm2(&self, label: u16) -> f64 {
        self.areas_mm2[label as usize]
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        match &self.shape {
            Shape::Polygons(s) => s.classify(tile),
            Shape::Raster(r) => r.classify(tile),
        }
    }
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        match &self.shape {
            Shape::Polygons(s) => s.label_row(grid, j, i0, out),
            Shape::Raster(r) => r.label_row(grid, j, i0, out),
        }
    }
}

/// A view of a map as one label: the union of the `chosen` regions (label 0), everything
/// else unmeasured. Used for whole-session figures over the treated regions.
pub struct Union<'a> {
    pub map: &'a FaceMap,
    /// `chosen[label]`: is this region part of the union?
    pub chosen: Vec<bool>,
}

impl Domain for Union<'_> {
    fn bounds(&self) -> Rect {
        self.map.bounds
    }
    fn label_count(&self) -> usize {
        1
    }
    fn label_at(&self, p: Vec2) -> Option<u16> {
        self.map.label_at(p).filter(|&l| self.chosen[l as usize]).map(|_| 0)
    }
    fn area_mm2(&self, _label: u16) -> f64 {
        (0..self.map.regions.len()).filter(|&i| self.chosen[i]).map(|i| self.map.areas_mm2[i]).sum()
    }
    fn classify(&self, tile: &Rect) -> TileClass {
        match self.map.classify(tile) {
            TileClass::Inside(l) if self.chosen[l as usize] => TileClass::Inside(0),
            TileClass::Inside(_) | TileClass::Outside => TileClass::Outside,
            TileClass::Mixed => TileClass::Mixed,
        }
    }
    fn label_row(&self, grid: &GridSpec, j: i64, i0: i64, out: &mut [u16]) {
        self.map.label_row(grid, j, i0, out);
        for l in out.iter_mut() {
            if *l != crate::raster::domain::NO_LABEL {
                *l = if self.chosen[*l as usize] { 0 } else { crate::raster::domain::NO_LABEL };
            }
        }
    }
}
