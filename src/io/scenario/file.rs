//! The scenario file's shape (serde), and its conversion into core types.
//!
//! ```toml
//! name = "default-patch"
//! seed = 42
//! [cartridge]   # preset = 12 | needles_mm = [[x, y], …] | layout = "hex" + needles (+ layout_seed)
//!               # | layout_file = "needles.csv"; pitch_mm; needle_diameter_mm; depth_mm
//! [device]      # preset = "skinpen-precision"; frequency_hz; frequency_min_hz;
//!               # frequency_max_hz; rotation_deg; angle_deg; depth_min_mm; depth_max_mm
//! [patch]       # x0_mm; y0_mm; width_mm; height_mm   (or [face] + [[treat]]: see `face.rs`)
//! [technique]   # pattern; speed_mm_s; lane_spacing_mm; directions_deg; passes; lane_offset_mm
//! [coverage]    # halo_mm
//! [grid]        # resolution_mm
//! [limits]      # max_memory_mb; max_cells
//! [hand] [session] [trace]   # see technique_file.rs
//! [sweep]       # batch sweeps only: see `sweep_file`
//! [pictures]    # px_per_mm; frames; inset_mm; inset_center_mm = [x, y]
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, did_you_mean};
use crate::geometry::{Rect, Vec2};
use crate::pen::cartridge::{Cartridge, DEFAULT_NEEDLE_DIAMETER_MM, DEFAULT_PITCH_MM};
use crate::pen::device::{Device, SOURCE_DEPTH_RANGE_MM};
use crate::pen::layout::{Family, LayoutSpec, MAX_NEEDLES};
use crate::raster::frames::{DEFAULT_FRAMES, MAX_FRAMES};
use crate::raster::grid::GridSpec;
use crate::render::settings::Pictures;
use crate::sim::{Limits, Simulation};
use crate::technique::Technique;
use crate::technique::lanes::{PassPlan, Pattern};
use crate::technique::trajectory::Trajectory;

use super::technique_file::{HandFile, SessionFile, TraceFile};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Scenario name; also the default output folder name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seed of every random stream of the run.
    #[serde(default)]
    pub seed: u64,
    pub cartridge: CartridgeFile,
    #[serde(default)]
    pub device: DeviceFile,
    /// The flat patch; absent in face mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<PatchFile>,
    pub technique: TechniqueFile,
    #[serde(default)]
    pub coverage: CoverageFile,
    #[serde(default)]
    pub grid: GridFile,
    #[serde(default)]
    pub limits: LimitsFile,
    /// The hand's variability; absent = the ideal hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<HandFile>,
    /// Session time and dose settings; absent = the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionFile>,
    /// A recorded trajectory for the `trace` pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceFile>,
    /// Batch sweep over scenario keys (`needlesim sweep`); `needlesim run` ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<super::SweepFile>,
    /// How the pictures look; left out of the resolved scenario while at the defaults.
    #[serde(default, skip_serializing_if = "PicturesFile::is_default")]
    pub pictures: PicturesFile,
    /// Face mode: the map and its settings (see `face.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face: Option<super::face::FaceFile>,
    /// Face mode: the treatment plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub treat: Vec<super::face::TreatFile>,
}

/// How the pictures look (see `render::settings`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PicturesFile {
    /// Heatmap scale, pixels per mm; default: the longest side fits 760 px.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub px_per_mm: Option<f64>,
    /// Animation frames for the whole session (0 = no animation.gif).
    #[serde(default = "default_frames")]
    pub frames: i64,
    /// Side of the zoomed inset that shows single holes, mm.
    #[serde(default = "default_inset_mm")]
    pub inset_mm: f64,
    /// Centre of the inset, mm; default: the centre of the map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inset_center_mm: Option<[f64; 2]>,
}

impl Default for PicturesFile {
    fn default() -> Self {
        PicturesFile { px_per_mm: None, frames: default_frames(), inset_mm: default_inset_mm(), inset_center_mm: None }
    }
}

impl PicturesFile {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn default_frames() -> i64 {
    DEFAULT_FRAMES as i64
}
fn default_inset_mm() -> f64 {
    crate::render::settings::DEFAULT_INSET_MM
}

impl PicturesFile {
    /// How the pictures look, and the animation frames the simulation records (checked:
    /// 0–[`MAX_FRAMES`]). The size check against the drawn map is
    /// [`Pictures::check`], once the map is known.
    pub fn to_settings(&self) -> Result<(Pictures, usize)> {
        let frames = usize::try_from(self.frames)
            .ok()
            .filter(|&f| f <= MAX_FRAMES)
            .ok_or_else(|| Error::invalid("pictures.frames", self.frames, format!("0–{MAX_FRAMES} (0 = no animation)")))?;
        let pictures = Pictures {
            px_per_mm: self.px_per_mm,
            inset_mm: self.inset_mm,
            inset_center_mm: self.inset_center_mm.map(|[x, y]| Vec2::new(x, y)),
        };
        Ok((pictures, frames))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CartridgeFile {
    /// Needle count of a preset layout: 9, 12, 16 or 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<i64>,
    /// Custom layout: needle centres `[x_mm, y_mm]` in the cartridge frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needles_mm: Option<Vec<[f64; 2]>>,
    /// Generated layout family (`square`, `hex`, `rings`, `ring`, `jitter`, `poisson`; see
    /// `layout`), with `needles` and `pitch_mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// Needle count of a generated `layout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needles: Option<i64>,
    /// Seed of a random layout family (`jitter`, `poisson`); default 0. The layout is
    /// hardware, so it does not follow the scenario seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout_seed: Option<u64>,
    /// Custom layout file (CSV `x_mm,y_mm` or TOML `needles_mm`), relative to the scenario
    /// file. `scenario::load` reads it into `needles_mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout_file: Option<String>,
    /// Pitch of a preset or generated layout, mm (assumed 1.0).
    #[serde(default = "default_pitch")]
    pub pitch_mm: f64,
    #[serde(default = "default_diameter")]
    pub needle_diameter_mm: f64,
    /// Set depth, mm.
    pub depth_mm: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeviceFile {
    /// Device preset name (`needlesim presets`); fills the keys not given here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default = "default_frequency")]
    pub frequency_hz: f64,
    /// Frequencies the pen can be set to, Hz; a `frequency_hz` outside is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_min_hz: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_max_hz: Option<f64>,
    #[serde(default)]
    pub rotation_deg: f64,
    #[serde(default = "default_angle")]
    pub angle_deg: f64,
    #[serde(default = "default_depth_min")]
    pub depth_min_mm: f64,
    #[serde(default = "default_depth_max")]
    pub depth_max_mm: f64,
    /// Fraction of each period the needles stay in the skin, (0, 1]; absent = instantaneous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_duty: Option<f64>,
}

impl Default for DeviceFile {
    fn default() -> Self {
        DeviceFile {
            preset: None,
            frequency_hz: default_frequency(),
            frequency_min_hz: None,
            frequency_max_hz: None,
            rotation_deg: 0.0,
            angle_deg: default_angle(),
            depth_min_mm: default_depth_min(),
            depth_max_mm: default_depth_max(),
            contact_duty: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatchFile {
    #[serde(default)]
    pub x0_mm: f64,
    #[serde(default)]
    pub y0_mm: f64,
    pub width_mm: f64,
    pub height_mm: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TechniqueFile {
    /// "serpentine", "strokes" or "random".
    #[serde(default = "default_pattern")]
    pub pattern: String,
    pub speed_mm_s: f64,
    /// Lane spacing, mm; default: the cartridge's track width across each pass's direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane_spacing_mm: Option<f64>,
    /// Direction of each pass, degrees; cycled when `passes` is larger.
    #[serde(default = "default_directions")]
    pub directions_deg: Vec<f64>,
    /// Number of passes; default: one per direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes: Option<i64>,
    /// Shift of the lanes across the motion, mm.
    #[serde(default)]
    pub lane_offset_mm: f64,
    /// Pattern of each pass, cycled over the passes like `directions_deg`; overrides
    /// `pattern` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patterns: Option<Vec<String>>,
    /// Order the planned passes are performed in: a permutation of 0..passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_order: Option<Vec<i64>>,
    /// Circles: radius of the small circles, mm (default 1.5, assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle_radius_mm: Option<f64>,
    /// Circles: advance of the circles' centre per turn, mm (default 1.5, assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle_advance_mm: Option<f64>,
    /// Stamping: distance between spots, mm (default: the cartridge's extent along the
    /// motion plus its needle pitch, so a lattice cartridge tiles the lane).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp_step_mm: Option<f64>,
    /// Stamping: firings per spot (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps_per_spot: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CoverageFile {
    /// Treated-zone halo around each hole, mm.
    #[serde(default)]
    pub halo_mm: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GridFile {
    /// Cell side, mm; default: needle diameter / 18, at most 0.01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_mm: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    #[serde(default = "default_max_memory_mb")]
    pub max_memory_mb: f64,
    #[serde(default = "default_max_cells")]
    pub max_cells: f64,
}

impl Default for LimitsFile {
    fn default() -> Self {
        LimitsFile { max_memory_mb: default_max_memory_mb(), max_cells: default_max_cells() }
    }
}

fn default_pitch() -> f64 {
    DEFAULT_PITCH_MM
}
fn default_diameter() -> f64 {
    DEFAULT_NEEDLE_DIAMETER_MM
}
fn default_frequency() -> f64 {
    Device::default().frequency_hz
}
fn default_angle() -> f64 {
    90.0
}
fn default_depth_min() -> f64 {
    SOURCE_DEPTH_RANGE_MM.0
}
fn default_depth_max() -> f64 {
    SOURCE_DEPTH_RANGE_MM.1
}
fn default_pattern() -> String {
    "serpentine".into()
}
fn default_directions() -> Vec<f64> {
    vec![0.0, 90.0, 45.0]
}
fn default_max_memory_mb() -> f64 {
    Limits::default().max_memory_mb
}
fn default_max_cells() -> f64 {
    Limits::default().max_cells
}

impl CartridgeFile {
    /// The cartridge's needles from whichever layout key is given (exactly one of `preset`,
    /// `needles_mm`, `layout`, `layout_file`).
    pub fn to_cartridge(&self) -> Result<Cartridge> {
        let c = self;
        let given: Vec<&str> = [
            ("cartridge.preset", c.preset.is_some()),
            ("cartridge.needles_mm", c.needles_mm.is_some()),
            ("cartridge.layout", c.layout.is_some()),
            ("cartridge.layout_file", c.layout_file.is_some()),
        ]
        .iter()
        .filter_map(|(k, on)| on.then_some(*k))
        .collect();
        let needles_mm = match given.as_slice() {
            [] => {
                return Err(Error::invalid(
                    "cartridge",
                    "no needles",
                    "one of cartridge.preset, cartridge.needles_mm, cartridge.layout (with needles) or cartridge.layout_file (or a device.preset)",
                ));
            }
            [_] => {
                if let (Some(n), None) = (c.needles, &c.layout) {
                    return Err(Error::invalid("cartridge.needles", n, "only with cartridge.layout (a generated family)"));
                }
                if let Some(n) = c.preset {
                    if !(c.pitch_mm.is_finite() && c.pitch_mm > 0.0 && c.pitch_mm <= 10.0) {
                        return Err(Error::invalid("cartridge.pitch_mm", c.pitch_mm, "0 < pitch ≤ 10 mm"));
                    }
                    let n = usize::try_from(n).map_err(|_| Error::invalid("cartridge.preset", n, "one of 9, 12, 16, 20"))?;
                    Cartridge::preset(n, c.pitch_mm)?.needles_mm
                } else if let Some(list) = &c.needles_mm {
                    list.iter().map(|p| Vec2::new(p[0], p[1])).collect()
                } else if let Some(family) = &c.layout {
                    let names = Family::NAMES;
                    let family = Family::parse(family).ok_or_else(|| {
                        let hint = did_you_mean(family, &names).map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default();
                        Error::invalid("cartridge.layout", format!("{family:?}"), format!("one of {}{hint}", names.join(", ")))
                    })?;
                    let n =
                        c.needles.ok_or_else(|| Error::invalid("cartridge.needles", "missing", "a needle count with cartridge.layout"))?;
                    let needles = usize::try_from(n).map_err(|_| Error::invalid("cartridge.needles", n, format!("1–{MAX_NEEDLES}")))?;
                    let spec = LayoutSpec { family, needles, pitch_mm: c.pitch_mm, seed: c.layout_seed.unwrap_or(0) };
                    spec.validate("cartridge")?;
                    spec.generate()?
                } else {
                    return Err(Error::invalid(
                        "cartridge.layout_file",
                        format!("{:?}", c.layout_file.as_deref().unwrap_or_default()),
                        "a file read by scenario::load (load the scenario from a file)",
                    ));
                }
            }
            many => return Err(Error::invalid(many.join(" / "), "all given", "exactly one of them")),
        };
        Ok(Cartridge { needles_mm, needle_diameter_mm: c.needle_diameter_mm, depth_mm: c.depth_mm })
    }
}

impl ScenarioFile {
    /// How the pictures of a run of this scenario look (`[pictures]`), for the writers. The
    /// simulation built from it has been checked against them
    /// ([`Self::to_simulation`], [`Self::to_face_simulation`]).
    pub fn pictures(&self) -> Result<Pictures> {
        Ok(self.pictures.to_settings()?.0)
    }

    /// Validate every value and build the core simulation. Reads no file: a scenario with a
    /// `[trace]` is refused here (its file is relative to the scenario's folder, which only
    /// [`Self::to_simulation_in`] knows).
    pub fn to_simulation(&self) -> Result<Simulation> {
        self.build(None)
    }

    /// As [`Self::to_simulation`], reading a `[trace]` file relative to `base_dir` (the
    /// scenario file's folder).
    pub fn to_simulation_in(&self, base_dir: &Path) -> Result<Simulation> {
        self.build(Some(base_dir))
    }

    /// The patch run: each table converted by its own function, in file order, then the
    /// whole checked by [`Simulation::validate`].
    fn build(&self, base_dir: Option<&Path>) -> Result<Simulation> {
        check_name(&self.name)?;
        let cartridge = self.cartridge.to_cartridge()?;
        let device = self.device.to_device();
        if self.is_face() {
            return Err(Error::invalid(
                "patch / face",
                "[face] or [[treat]] given",
                "a patch scenario here (a face scenario runs with `needlesim run`, `sweep` or the Python package)",
            ));
        }
        let area = self
            .patch
            .as_ref()
            .ok_or_else(|| {
                Error::invalid(
                    "patch",
                    "missing",
                    "a [patch] table (x0_mm, y0_mm, width_mm, height_mm), or a [face] table with [[treat]] entries",
                )
            })?
            .to_area()?;
        let plans = self.technique.to_passes(TECHNIQUE, &cartridge, &device)?;
        let grid = self.grid.to_grid(cartridge.needle_diameter_mm)?;
        let limits = self.limits.to_limits()?;
        let (pictures, frames) = self.pictures.to_settings()?;
        pictures.check(&area)?;
        let hand = self.hand.clone().unwrap_or_default().to_hand()?;
        let trace = self.trace_in(base_dir, area, &plans)?;
        let sim = Simulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device,
            area,
            passes: plans,
            grid,
            halo_mm: self.coverage.halo_mm,
            picture: true,
            frames,
            limits,
            technique: Technique { hand, trace, session: self.session.clone().unwrap_or_default().to_plan()? },
        };
        sim.validate()?;
        Ok(sim)
    }

    /// The `[trace]`, read relative to `base_dir` and checked against the map `area` and the
    /// passes; `None` without a `[trace]`.
    pub(super) fn trace_in(&self, base_dir: Option<&Path>, area: Rect, plans: &[PassPlan]) -> Result<Option<Trajectory>> {
        match (&self.trace, base_dir) {
            (None, _) => Ok(None),
            (Some(tr), Some(dir)) => Ok(Some(tr.load(dir, area, plans)?)),
            (Some(tr), None) => Err(Error::invalid(
                "trace.file",
                &tr.file,
                "a trace read relative to the scenario's folder (ScenarioFile::to_simulation_in)",
            )),
        }
    }
}

/// Key prefix of the scenario's own `[technique]` table; a face treatment's is `treat[i].`.
pub(super) const TECHNIQUE: &str = "technique.";

/// `name`: non-empty, no path separators, not hidden (it names the output folder).
pub(super) fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(Error::invalid("name", format!("{name:?}"), "a non-empty name without '/' or '\\', not starting with '.'"));
    }
    Ok(())
}

impl DeviceFile {
    /// The device; its ranges are checked by [`Device::validate`] with the rest of the run.
    pub fn to_device(&self) -> Device {
        let (flo, fhi) = crate::pen::device::FREQUENCY_RANGE_HZ;
        Device {
            frequency_hz: self.frequency_hz,
            frequency_range_hz: (self.frequency_min_hz.unwrap_or(flo), self.frequency_max_hz.unwrap_or(fhi)),
            rotation_deg: self.rotation_deg,
            angle_deg: self.angle_deg,
            depth_range_mm: (self.depth_min_mm, self.depth_max_mm),
            contact_duty: self.contact_duty,
        }
    }
}

impl PatchFile {
    /// The treated patch, mm: sizes 0 < size ≤ 1000 mm, corner within ±1000 mm.
    pub fn to_area(&self) -> Result<Rect> {
        for (key, v) in [("patch.width_mm", self.width_mm), ("patch.height_mm", self.height_mm)] {
            if !(v.is_finite() && v > 0.0 && v <= 1000.0) {
                return Err(Error::invalid(key, v, "0 < size ≤ 1000 mm"));
            }
        }
        for (key, v) in [("patch.x0_mm", self.x0_mm), ("patch.y0_mm", self.y0_mm)] {
            if !(v.is_finite() && v.abs() <= 1000.0) {
                return Err(Error::invalid(key, v, "a finite coordinate within ±1000 mm"));
            }
        }
        Ok(Rect::new(self.x0_mm, self.y0_mm, self.x0_mm + self.width_mm, self.y0_mm + self.height_mm))
    }
}

impl TechniqueFile {
    /// The passes this technique table plans for `cartridge` on `device`. Error keys are
    /// `prefix` + the table's key: `technique.speed_mm_s`, or `treat[2].speed_mm_s` for a
    /// face treatment's table.
    pub fn to_passes(&self, prefix: &str, cartridge: &Cartridge, device: &Device) -> Result<Vec<PassPlan>> {
        let t = self;
        let key = |k: &str| format!("{prefix}{k}");
        Pattern::parse(&t.pattern).ok_or_else(|| Error::invalid(key("pattern"), format!("{:?}", t.pattern), Pattern::NAMES.join(", ")))?;
        let patterns = match &t.patterns {
            None => vec![t.pattern.as_str()],
            Some(list) if list.is_empty() => return Err(Error::invalid(key("patterns"), "[]", "at least one pattern")),
            Some(list) => list.iter().map(String::as_str).collect(),
        };
        for (i, name) in patterns.iter().enumerate() {
            if Pattern::parse(name).is_none() {
                return Err(Error::invalid(key(&format!("patterns[{i}]")), format!("{name:?}"), Pattern::NAMES.join(", ")));
            }
        }
        if !(t.speed_mm_s.is_finite() && t.speed_mm_s > 0.0 && t.speed_mm_s <= 1000.0) {
            return Err(Error::invalid(key("speed_mm_s"), t.speed_mm_s, "0 < speed ≤ 1000 mm/s"));
        }
        if t.directions_deg.is_empty() {
            return Err(Error::invalid(key("directions_deg"), "[]", "at least one direction"));
        }
        if let Some((i, v)) = t.directions_deg.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::invalid(key(&format!("directions_deg[{i}]")), v, "a finite angle in degrees"));
        }
        let passes = t.passes.unwrap_or(t.directions_deg.len() as i64);
        let max = crate::raster::accumulate::MAX_PASSES as i64;
        if !(1..=max).contains(&passes) {
            return Err(Error::invalid(key("passes"), passes, format!("1–{max}")));
        }
        if let Some(w) = t.lane_spacing_mm
            && !(w.is_finite() && (crate::sim::MIN_LANE_SPACING_MM..=100.0).contains(&w))
        {
            return Err(Error::invalid(key("lane_spacing_mm"), w, format!("{}–100 mm", crate::sim::MIN_LANE_SPACING_MM)));
        }
        if !(t.lane_offset_mm.is_finite() && t.lane_offset_mm.abs() <= 100.0) {
            return Err(Error::invalid(key("lane_offset_mm"), t.lane_offset_mm, "|offset| ≤ 100 mm"));
        }
        let plans: Vec<PassPlan> = (0..passes as usize)
            .map(|i| {
                let direction_deg = t.directions_deg[i % t.directions_deg.len()];
                let pattern = self.pattern_of(prefix, patterns[i % patterns.len()], cartridge, device, direction_deg)?;
                let band = match pattern {
                    Pattern::Circles { radius_mm, .. } => 2.0 * radius_mm,
                    _ => 0.0,
                };
                Ok(PassPlan {
                    direction_deg,
                    pattern,
                    speed_mm_s: t.speed_mm_s,
                    lane_spacing_mm: t
                        .lane_spacing_mm
                        .unwrap_or_else(|| cartridge.track_width_mm(direction_deg, device.rotation_deg) + band),
                    lane_offset_mm: t.lane_offset_mm,
                })
            })
            .collect::<Result<_>>()?;
        match &t.pass_order {
            None => Ok(plans),
            Some(order) => {
                let mut seen = vec![false; plans.len()];
                let ok = order.len() == plans.len()
                    && order.iter().all(|&k| {
                        usize::try_from(k).ok().filter(|&k| k < plans.len()).is_some_and(|k| !std::mem::replace(&mut seen[k], true))
                    });
                if !ok {
                    return Err(Error::invalid(
                        key("pass_order"),
                        format!("{order:?}"),
                        format!("a permutation of 0–{} (each planned pass once)", plans.len() - 1),
                    ));
                }
                Ok(order.iter().map(|&k| plans[k as usize].clone()).collect())
            }
        }
    }

    /// The pattern named `name` with this table's parameters for it (keys `prefix` + key).
    fn pattern_of(&self, prefix: &str, name: &str, cartridge: &Cartridge, device: &Device, direction_deg: f64) -> Result<Pattern> {
        let t = self;
        let p = Pattern::parse(name)
            .ok_or_else(|| Error::invalid(format!("{prefix}pattern"), format!("{name:?}"), Pattern::NAMES.join(", ")))?;
        Ok(match p {
            Pattern::Circles { radius_mm, advance_mm } => Pattern::Circles {
                radius_mm: t.circle_radius_mm.unwrap_or(radius_mm),
                advance_mm: t.circle_advance_mm.unwrap_or(advance_mm),
            },
            Pattern::Stamping { .. } => {
                let per = t.stamps_per_spot.unwrap_or(1);
                let stamps_per_spot = u32::try_from(per).map_err(|_| Error::invalid(format!("{prefix}stamps_per_spot"), per, "1–1000"))?;
                // Extent along the motion + one pitch: a lattice cartridge tiles the lane.
                let along = cartridge.track_width_mm(direction_deg + 90.0, device.rotation_deg) - cartridge.needle_diameter_mm;
                let pitch = if cartridge.needle_count() > 1 { cartridge.min_spacing_mm() } else { cartridge.needle_diameter_mm };
                Pattern::Stamping { step_mm: t.stamp_step_mm.unwrap_or(along + pitch), stamps_per_spot }
            }
            other => other,
        })
    }
}

impl GridFile {
    /// The accumulation grid: the set resolution (0 < resolution ≤ 0.05 mm), or the default
    /// for needles of `needle_diameter_mm`.
    pub fn to_grid(&self, needle_diameter_mm: f64) -> Result<GridSpec> {
        match self.resolution_mm {
            None => GridSpec::for_needle(needle_diameter_mm),
            Some(h) if h.is_finite() && h > 0.0 && h <= 0.05 => GridSpec::new(h),
            Some(h) => Err(Error::invalid("grid.resolution_mm", h, "0 < resolution ≤ 0.05 mm")),
        }
    }
}

impl LimitsFile {
    /// The resource limits (each a positive number).
    pub fn to_limits(&self) -> Result<Limits> {
        for (key, v) in [("limits.max_memory_mb", self.max_memory_mb), ("limits.max_cells", self.max_cells)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(key, v, "a positive number"));
            }
        }
        Ok(Limits { max_memory_mb: self.max_memory_mb, max_cells: self.max_cells })
    }
}
