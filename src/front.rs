//! The front door: load a scenario, change keys, run it, read the results.
//!
//! Everything a library user needs for one run, patch, face map or face surface, in three types:
//! [`Scenario`] (a validated scenario file plus `--set`-style overrides), [`Run`] (what the
//! run produced: the summary.json figures, every puncture, the hits raster) and
//! [`crate::Error`]. The command line's `needlesim run` does the same steps, so a
//! [`Run::summary_json`] is byte for byte the summary.json that `needlesim run` writes.
//!
//! ```
//! use needlesim::Scenario;
//!
//! let text = r#"
//!     name = "doc"
//!     seed = 1
//!     [cartridge]
//!     preset = 12
//!     depth_mm = 1.0
//!     [device]
//!     frequency_hz = 120
//!     [patch]
//!     width_mm = 10
//!     height_mm = 8
//!     [technique]
//!     pattern = "serpentine"
//!     speed_mm_s = 40
//!     directions_deg = [0, 90]
//! "#;
//! let scenario: Scenario = text.parse()?;
//! let run = scenario.with_overrides(["technique.speed_mm_s=80"])?.run()?;
//! // Conservation: every needle of every stamp is a puncture.
//! assert_eq!(run.punctures().len(), 12 * run.stamps());
//! let coverage = run.summary()["coverage"].as_f64().unwrap();
//! assert!(coverage > 0.0 && coverage < 1.0);
//! # Ok::<(), needlesim::Error>(())
//! ```
//!
//! # Runtime
//! A run costs what the simulation costs (see PERFORMANCE.md): about 0.1 s for the default
//! 40 × 30 mm patch, a second or two for a whole face at 0.01 mm. Loading and overriding
//! parse the TOML text again (microseconds).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::face::simulation::{FaceRunResult, FaceSimulation};
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::io::output::face_summary::FaceSummary;
use crate::io::output::summary::Summary;
use crate::io::scenario::{self, Override, ScenarioFile};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::Raster;
use crate::sim::{RunResult, Simulation};
use crate::surface::Chart;

/// A scenario file, parsed and checked, with any overrides applied.
#[derive(Clone, Debug)]
pub struct Scenario {
    text: String,
    /// Where the text came from (messages, and the folder relative files are read from).
    path: PathBuf,
    overrides: Vec<Override>,
    file: ScenarioFile,
}

impl Scenario {
    /// Read a scenario file. Relative paths inside it (layout files, traces, face maps) are
    /// read from the file's folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::parse(path, "not UTF-8 text: a scenario is a TOML file"),
            _ => Error::io(path, e),
        })?;
        Scenario::from_text(text, path.to_path_buf(), Vec::new())
    }

    /// A scenario from TOML text whose relative paths are read from `dir`.
    pub fn from_str_in(text: &str, dir: impl AsRef<Path>) -> Result<Scenario> {
        Scenario::from_text(text.to_owned(), dir.as_ref().join("scenario.toml"), Vec::new())
    }

    fn from_text(text: String, path: PathBuf, overrides: Vec<Override>) -> Result<Scenario> {
        let mut file = scenario::parse(&text, &path, &overrides)?;
        scenario::resolve_files(&mut file, &path)?;
        Ok(Scenario { text, path, overrides, file })
    }

    /// The same scenario with more `KEY=VALUE` overrides (the command line's `--set`), e.g.
    /// `"technique.speed_mm_s=40"` or `"cartridge.depth_mm=1.5"`. Later overrides win.
    pub fn with_overrides<I, S>(self, sets: I) -> Result<Scenario>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut overrides = self.overrides;
        for s in sets {
            overrides.push(s.as_ref().parse()?);
        }
        Scenario::from_text(self.text, self.path, overrides)
    }

    /// The scenario's name (`name` key).
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// True for a face session (`[face]` + `[[treat]]`), false for a patch.
    pub fn is_face(&self) -> bool {
        self.file.is_face()
    }

    /// The parsed file, overrides applied (internal shape: may change between versions).
    #[doc(hidden)]
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// The scenario file's path (for TOML text: `scenario.toml` in the folder given); its
    /// folder is where relative files are read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Validate every value and run the simulation. No file is written.
    ///
    /// The one place that picks the kind of session: a face scenario (`[face]` +
    /// `[[treat]]`) runs on its face map, anything else on its patch.
    pub fn run(&self) -> Result<Run> {
        let resolved_toml = toml::to_string_pretty(&crate::io::output::resolved_scenario(&self.file))
            .map_err(|e| Error::parse(&self.path, format!("cannot write the resolved scenario back: {e}")))?;
        let outcome = if self.file.is_surface() {
            self.run_surface()?
        } else if self.file.is_face() {
            self.run_face()?
        } else {
            self.run_patch()?
        };
        Ok(Run { outcome, resolved_toml, pictures: self.file.pictures()? })
    }

    fn run_patch(&self) -> Result<Outcome> {
        let sim = self.file.to_simulation_in(self.dir())?;
        let result = sim.run()?;
        Ok(Outcome::Patch { sim: Box::new(sim), result: Box::new(result) })
    }

    fn run_surface(&self) -> Result<Outcome> {
        let face = self.file.load_surface_face(&self.path)?;
        let sim = self.file.to_surface_simulation_in(face, self.dir())?;
        let chart = sim.chart()?;
        let result = sim.run()?;
        let units = self.file.face.as_ref().and_then(|f| f.units.clone()).unwrap_or_default();
        Ok(Outcome::Surface { sim: Box::new(sim), result: Box::new(result), chart: Box::new(chart), units })
    }

    fn run_face(&self) -> Result<Outcome> {
        let map = scenario::load_face_map(&self.file, &self.path)?;
        let sim = self.file.to_face_simulation_in(map, self.dir())?;
        let result = sim.run()?;
        Ok(Outcome::Face { sim: Box::new(sim), result: Box::new(result) })
    }
}

impl std::str::FromStr for Scenario {
    type Err = Error;

    /// A scenario from TOML text; relative paths inside it are read from the current folder.
    fn from_str(text: &str) -> Result<Scenario> {
        Scenario::from_str_in(text, ".")
    }
}

enum Outcome {
    Patch {
        sim: Box<Simulation>,
        result: Box<RunResult>,
    },
    Face {
        sim: Box<FaceSimulation>,
        result: Box<FaceRunResult>,
    },
    /// A face session on a surface (`[face] surface = …`): its chart and the mesh's units.
    Surface {
        sim: Box<SurfaceSimulation>,
        result: Box<SurfaceRunResult>,
        chart: Box<Chart>,
        units: String,
    },
}

/// What one run produced.
pub struct Run {
    outcome: Outcome,
    resolved_toml: String,
    /// How the pictures look (`[pictures]`), checked against the map before the run.
    #[cfg_attr(not(feature = "render"), allow(dead_code))]
    pictures: crate::render::settings::Pictures,
}

impl Run {
    fn result(&self) -> &RunResult {
        match &self.outcome {
            Outcome::Patch { result, .. } => result,
            Outcome::Face { result, .. } => &result.run,
            Outcome::Surface { result, .. } => &result.run,
        }
    }

    /// summary.json's text, byte for byte what `needlesim run` writes.
    pub fn summary_json(&self) -> String {
        match &self.outcome {
            Outcome::Patch { sim, result } => Summary::new(sim, result).to_json(),
            Outcome::Face { sim, result } => FaceSummary::new(sim, result).to_json(),
            Outcome::Surface { sim, result, chart, units } => {
                let v = crate::io::output::surface_summary::summary(sim, chart, units, result);
                serde_json::to_string_pretty(&v).expect("summary serialises") + "\n"
            }
        }
    }

    /// summary.json as a JSON value (`run.summary()["coverage"]`, `["regions"]["chin"]` …).
    pub fn summary(&self) -> serde_json::Value {
        serde_json::from_str(&self.summary_json()).expect("summary.json is valid JSON")
    }

    /// True when the run was a face session, on the flat map or a surface (its summary has
    /// `face`, `regions`, …).
    pub fn is_face(&self) -> bool {
        matches!(self.outcome, Outcome::Face { .. } | Outcome::Surface { .. })
    }

    /// punctures.csv's bytes, exactly what `needlesim run` writes (a face session adds
    /// `region,landed_in,real_depth_mm,layer`).
    pub fn punctures_csv(&self) -> Vec<u8> {
        if let Outcome::Surface { sim, result, chart, .. } = &self.outcome {
            return crate::io::output::surface_punctures::punctures_bytes(sim, chart, result).expect("writing to memory cannot fail");
        }
        let mut out = Vec::with_capacity(64 * self.punctures().len() + 128);
        let written = match &self.outcome {
            Outcome::Patch { result, .. } => crate::io::output::punctures_csv::write(&mut out, &result.punctures),
            Outcome::Face { sim, result } => crate::io::output::punctures_csv::write_face(&mut out, sim, result),
            Outcome::Surface { .. } => unreachable!("returned above"),
        };
        written.expect("writing to memory cannot fail");
        out
    }

    /// Every puncture, in the order of punctures.csv (pass, stamp, needle).
    pub fn punctures(&self) -> &[Puncture] {
        &self.result().punctures
    }

    /// Stamps over all passes (punctures = needles × stamps).
    pub fn stamps(&self) -> usize {
        self.result().stamps_per_pass.iter().sum()
    }

    /// The hits-per-spot raster the pictures are drawn from (origin and pixel size in mm),
    /// or `None` when the run drew no pictures.
    pub fn hits(&self) -> Option<&Raster> {
        self.result().hole.raster.as_ref()
    }

    /// Risky but legal settings the run noticed (also under `warnings` in summary.json).
    pub fn warnings(&self) -> &[String] {
        &self.result().warnings
    }

    /// The resolved scenario (overrides and presets applied) as TOML text.
    pub fn resolved_scenario(&self) -> &str {
        &self.resolved_toml
    }

    /// Write every file `needlesim run` writes into `dir`, atomically (a folder is swapped
    /// in whole or not at all). Returns the folder written.
    #[cfg(feature = "render")]
    pub fn write(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let (dir, toml) = (dir.as_ref(), &self.resolved_toml);
        match &self.outcome {
            Outcome::Patch { sim, result } => crate::io::output::write_run(dir, sim, &self.pictures, result, toml),
            Outcome::Face { sim, result } => crate::io::output::write_face_run(dir, sim, &self.pictures, result, toml),
            Outcome::Surface { sim, result, units, .. } => crate::io::output::surface_run::write_surface_run(dir, sim, units, result, toml),
        }
    }
}
