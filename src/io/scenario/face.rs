//! Face mode of a scenario: `[face]` names the map and its settings, `[[treat]]` entries the
//! treatment plan.
//!
//! ```toml
//! [face]
//! map = "default"            # or a map file: polygons (.toml/.json) or a painted-PNG legend (.toml
//!                            # with `image = …`), relative to the scenario file
//! margin_mm = 2.5            # least distance from the cartridge centre to a no-go zone;
//!                            # default: the cartridge's footprint radius + 0.5 mm (assumed)
//! penetration_ratio = 0.5    # real / set depth (see skin.rs); default 0.5 \[est\]
//!
//! [[treat]]
//! region = "cheek_left"      # or regions = ["cheek_left", "cheek_right"] (one treatment each)
//! depth_mm = 1.0             # default: cartridge.depth_mm
//! speed_mm_s = 40            # any [technique] key overrides the session's technique here
//! directions_deg = [0, 90, 45]
//! ```
//!
//! The session-wide tables are converted by the patch's own per-table functions, and each
//! treatment's technique by the same [`TechniqueFile::to_passes`] with the key prefix
//! `treat[i].`, so face and patch accept exactly the same technique keys and ranges and
//! name the treatment's keys in errors.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::face::FaceMap;
use crate::face::plan::Treatment;
use crate::face::simulation::FaceSimulation;
use crate::io::facemap_file::legend::ColorFile;
use crate::needle::skin::DEFAULT_PENETRATION_RATIO;

use crate::sim::check_halo;
use crate::technique::Technique;

use super::file::{ScenarioFile, TECHNIQUE, TechniqueFile, check_name};

/// Default safety distance added to the cartridge's footprint radius for the no-go margin,
/// mm (**assumed**).
pub const DEFAULT_MARGIN_EXTRA_MM: f64 = 0.5;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaceFile {
    /// `"default"` or a map file path relative to the scenario file.
    #[serde(default = "default_map")]
    pub map: String,
    /// Least distance from the cartridge centre to any no-go zone, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_mm: Option<f64>,
    /// Real / set depth ratio.
    #[serde(default = "default_ratio")]
    pub penetration_ratio: f64,
    /// A surface mesh (OBJ or PLY, relative to the scenario file): the session runs on the curved
    /// skin ([`crate::face::surface_simulation`]) instead of the flat map. `"builtin"` is
    /// the built-in face surface ([`crate::face::surface::builtin_surface_face`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    /// The mesh file's length unit: `"mm"`, `"cm"` or `"m"` (required with a mesh file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// `"normal"` (default: the pen at 90° to the local skin) or `"frontal"` (square to the
    /// face front, along −z).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pen_orientation: Option<String>,
    /// Surface regions painted in UV space: a PNG covering UV [0, 1]² (u right, v up),
    /// relative to the scenario file, read with the `[[face.color]]` legend entries
    /// (`io::mesh_file::uv_paint`); replaces `[[face.region]]` and `no_go`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions_png: Option<String>,
    /// The painted legend's `tolerance` for `regions_png`: snap colours within this
    /// per-channel difference (0–64, default 0: exact colours only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub regions_tolerance: u8,
    /// The legend of `regions_png`: the painted map's `[[color]]` entries (rgb, then region +
    /// skin keys, no_go, or background = true).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub color: Vec<ColorFile>,
    /// Surface regions: OBJ groups (or PLY `region` numbers, in this order) with their skin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region: Vec<SurfaceRegionFile>,
    /// Surface no-go zones: OBJ group names (or PLY `region` numbers after the regions').
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_go: Vec<String>,
    /// Face shape of the built-in surface (`surface = "builtin"`): weights of its identity
    /// modes in standard deviations, at most 20, each within ±5 (empty = the neutral face).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<f64>,
}

/// One `[[face.region]]` of a surface session: an OBJ group and its skin (the keys of a
/// polygon map file's region, without the polygon).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SurfaceRegionFile {
    pub name: String,
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

impl Default for FaceFile {
    fn default() -> Self {
        FaceFile {
            map: default_map(),
            margin_mm: None,
            penetration_ratio: default_ratio(),
            surface: None,
            units: None,
            pen_orientation: None,
            region: Vec::new(),
            no_go: Vec::new(),
            identity: Vec::new(),
            regions_png: None,
            regions_tolerance: 0,
            color: Vec::new(),
        }
    }
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

fn default_map() -> String {
    "default".into()
}
fn default_ratio() -> f64 {
    DEFAULT_PENETRATION_RATIO
}

/// One `[[treat]]` entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TreatFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Set depth, mm; default `cartridge.depth_mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth_mm: Option<f64>,
    /// Any `[technique]` keys, overriding the session's technique for this entry.
    #[serde(flatten)]
    pub technique: toml::Table,
}

impl ScenarioFile {
    /// True when the scenario is a face session (`[face]` or `[[treat]]` present).
    pub fn is_face(&self) -> bool {
        self.face.is_some() || !self.treat.is_empty()
    }

    /// Validate a face scenario against its loaded `map` and build the session (reads no
    /// file).
    pub fn to_face_simulation(&self, map: FaceMap) -> Result<FaceSimulation> {
        self.build_face(map, None)
    }

    /// As [`Self::to_face_simulation`], with the scenario's folder for relative files.
    pub fn to_face_simulation_in(&self, map: FaceMap, base_dir: &std::path::Path) -> Result<FaceSimulation> {
        self.build_face(map, Some(base_dir))
    }

    /// The face session: the session-wide tables converted by the patch's own per-table
    /// functions (keys as in the file), each `[[treat]]` entry's technique by
    /// [`TechniqueFile::to_passes`] with its own key prefix (`treat[2].speed_mm_s`), then the
    /// whole checked by [`FaceSimulation::validate`].
    fn build_face(&self, map: FaceMap, base_dir: Option<&std::path::Path>) -> Result<FaceSimulation> {
        let face = self.face.clone().unwrap_or_default();
        let bounds = crate::raster::domain::Domain::bounds(&map);
        let names: Vec<&str> = map.regions().iter().map(|r| r.name.as_str()).collect();
        let SessionParts { cartridge, device, grid, limits, frames, technique, treatments, margin_mm } =
            self.session_parts(base_dir, bounds, &names, "map")?;
        let sim = FaceSimulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device,
            grid,
            halo_mm: self.coverage.halo_mm,
            picture: true,
            frames,
            limits,
            technique,
            map,
            treatments,
            margin_mm,
            penetration_ratio: face.penetration_ratio,
        };
        sim.validate()?;
        Ok(sim)
    }

    /// The session-wide settings and the treatments over the regions `names` (`what` = "map"
    /// or "surface" in errors), checked as for any face session; `bounds` for the trace and
    /// the pictures.
    pub(super) fn session_parts(
        &self,
        base_dir: Option<&std::path::Path>,
        bounds: crate::geometry::Rect,
        names: &[&str],
        what: &str,
    ) -> Result<SessionParts> {
        let face = self.face.clone().unwrap_or_default();
        if self.patch.is_some() {
            return Err(Error::invalid("patch", "given with [face]", "either a [patch] or a [face] session, not both"));
        }
        if self.treat.is_empty() {
            return Err(Error::invalid("treat", "none", "at least one [[treat]] entry naming a region"));
        }
        // The session's own settings, in the patch's order and with its checks.
        check_name(&self.name)?;
        let cartridge = self.cartridge.to_cartridge()?;
        let device = self.device.to_device();
        let session_passes = self.technique.to_passes(TECHNIQUE, &cartridge, &device)?;
        let grid = self.grid.to_grid(cartridge.needle_diameter_mm)?;
        let limits = self.limits.to_limits()?;
        let (pictures, frames) = self.pictures.to_settings()?;
        let hand = self.hand.clone().unwrap_or_default().to_hand()?;
        let trace = self.trace_in(base_dir, bounds, &session_passes)?;
        let technique = Technique { hand, trace, session: self.session.clone().unwrap_or_default().to_plan()? };
        cartridge.validate()?;
        device.validate()?;
        device.check_depth(cartridge.depth_mm)?;
        check_halo(self.coverage.halo_mm)?;
        technique.validate(&session_passes)?;

        let technique_table =
            toml::Table::try_from(&self.technique).map_err(|e| Error::invalid("technique", e, "a valid [technique] table"))?;
        let list = || names.join(", ");
        let mut treatments = Vec::new();
        for (i, t) in self.treat.iter().enumerate() {
            let key = format!("treat[{i}]");
            let regions: Vec<(String, &String)> = match (&t.region, &t.regions) {
                (Some(r), None) => vec![(format!("{key}.region"), r)],
                (None, Some(list)) if !list.is_empty() => {
                    list.iter().enumerate().map(|(k, r)| (format!("{key}.regions[{k}]"), r)).collect()
                }
                (None, Some(_)) => return Err(Error::invalid(format!("{key}.regions"), "[]", "at least one region name")),
                (Some(_), Some(_)) => return Err(Error::invalid(format!("{key}.region / regions"), "both given", "one of the two")),
                (None, None) => {
                    return Err(Error::invalid(format!("{key}.region"), "missing", format!("a region of the {what}: {}", list())));
                }
            };
            let mut merged = technique_table.clone();
            merged.extend(t.technique.clone());
            let table: TechniqueFile = toml::Value::Table(merged).try_into().map_err(|e: toml::de::Error| {
                let msg = e.message().trim_end();
                let hint = super::suggest_key(msg).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
                Error::invalid(key.clone(), format!("{msg}{hint}"), "the [technique] keys (pattern, speed_mm_s, lane_spacing_mm, directions_deg, passes, lane_offset_mm, …), region(s) and depth_mm")
            })?;
            let depth_mm = t.depth_mm.unwrap_or(cartridge.depth_mm);
            let passes = table.to_passes(&format!("{key}."), &cartridge, &device)?;
            device.check_depth_of(&format!("{key}.depth_mm"), depth_mm)?;
            for (rkey, name) in regions {
                let region = names
                    .iter()
                    .position(|n| n == name)
                    .map(|i| i as u16)
                    .ok_or_else(|| Error::invalid(rkey, format!("{name:?}"), format!("a region of the {what}: {}", list())))?;
                treatments.push(Treatment { region, depth_mm, passes: passes.clone(), first_pass: None });
            }
        }
        let margin_mm = face.margin_mm.unwrap_or(0.5 * cartridge.footprint_diameter_mm() + DEFAULT_MARGIN_EXTRA_MM);
        pictures.check(&bounds)?;
        Ok(SessionParts { cartridge, device, grid, limits, frames, technique, treatments, margin_mm })
    }
}

/// What [`ScenarioFile::session_parts`] gives a face or surface session.
pub(super) struct SessionParts {
    pub cartridge: crate::pen::cartridge::Cartridge,
    pub device: crate::pen::device::Device,
    pub grid: crate::raster::grid::GridSpec,
    pub limits: crate::sim::Limits,
    pub frames: usize,
    pub technique: Technique,
    pub treatments: Vec<Treatment>,
    pub margin_mm: f64,
}
