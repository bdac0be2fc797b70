//! Batch sweeps: run one scenario at many points of a design, in parallel, reproducibly,
//! split across cluster tasks, and resumable after a crash.
//!
//! ```text
//! scenario + [sweep] ──► Sweep (base scenario, Design, hashes)        mod.rs, design.rs
//!   point index ──► overrides + seed ──► Simulation ──► Record        point.rs
//!   Records ──► journal.jsonl (append, fsync) ──► results.csv         record.rs, results.rs
//!   rayon over the pending points of one shard, resume, estimate      run.rs, estimate.rs
//!   shard folders ──► one results.csv                                 shard.rs, merge.rs
//!   results.csv ──► line plots and heatmaps with a contour            plot.rs, contour.rs
//! ```
//!
//! A point is the base scenario with one dotted-key override per swept parameter, run with
//! no picture and no punctures file. A point that fails (invalid value, too large, even a
//! panic) is recorded with `status = error` and its message; it never stops the sweep.
//!
//! **Invariant.** `results.csv` is a pure function of the set of point records: rows sorted
//! by index, columns in a fixed order, numbers in their shortest round-trip text. So the
//! file is byte-identical for any thread count, any sharding (after `merge`), and after a
//! `kill -9` and `--resume`.
//!
//! This module is an edge (it reads and writes files) on top of the IO-free core.

pub mod contour;
pub mod design;
pub mod estimate;
pub mod export;
pub mod manifest;
pub mod merge;
pub mod plot;
pub mod point;
pub mod record;
pub mod results;
pub mod run;
pub mod shard;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::io::scenario::{self, Override, ParameterFile, ScenarioFile, SweepFile};
use design::{Design, DesignText};

/// File names inside a sweep folder.
pub const RESULTS_CSV: &str = "results.csv";
pub const MANIFEST_JSON: &str = "manifest.json";
pub const JOURNAL_JSONL: &str = "journal.jsonl";
/// results.csv's columnar twin (`sweep`/`merge --format parquet`).
pub const RESULTS_PARQUET: &str = "results.parquet";

/// Write `dir`/results.parquet from `dir`/results.csv (the same table, typed columns:
/// `io::output::columnar`), atomically; returns its path.
pub fn write_results_parquet(dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let csv_path = dir.join(RESULTS_CSV);
    let text = std::fs::read_to_string(&csv_path).map_err(|e| Error::io(&csv_path, e))?;
    let bytes = crate::io::output::columnar::from_csv(&text, &csv_path)?;
    let path = dir.join(RESULTS_PARQUET);
    crate::io::output::write_file_atomic(&path, &bytes)?;
    Ok(path)
}

/// How each point's random seed is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedMode {
    /// [`point::point_seed`] of (scenario seed, point index).
    PerPoint,
    /// The scenario seed at every point (common random numbers).
    Same,
}

/// A validated sweep: the base scenario and the design, with their fingerprints.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Scenario name.
    pub name: String,
    /// The resolved scenario (defaults filled, `--set` applied) as TOML, without `[sweep]`.
    pub base: toml::Table,
    /// The scenario seed.
    pub seed: u64,
    pub design: Design,
    pub seeds: SeedMode,
    /// The `[sweep]` table as written (plots included).
    pub table: SweepFile,
    /// SHA-256 of the resolved scenario (canonical TOML, `[sweep]` included).
    pub scenario_sha256: String,
    /// SHA-256 of the expanded design (every point's values).
    pub design_sha256: String,
    /// The scenario file's folder: files a point names (a `[trace]`) are read from here.
    pub dir: PathBuf,
    /// A face scenario's map (its `face.map` and the map), loaded once up front so a
    /// missing or broken map is refused before any point runs; `None` for a patch.
    pub face_map: Option<(String, std::sync::Arc<crate::face::FaceMap>)>,
}

impl Sweep {
    /// Read a scenario with a `[sweep]` table, apply `--set` overrides, build the design.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Sweep> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Sweep::parse(&text, path, overrides)
    }

    /// As [`Self::load`] for scenario text said to come from `path` (messages, and the
    /// folder its files are read from).
    pub fn parse(text: &str, path: &Path, overrides: &[Override]) -> Result<Sweep> {
        let file = scenario::parse(text, path, overrides)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Sweep::new(file, path, |name| {
            let p = if Path::new(name).is_absolute() { PathBuf::from(name) } else { dir.join(name) };
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
            Ok((p, text))
        })
    }

    /// The sweep over a design matrix given as numbers (`rows`, one value per key): the
    /// `design = "file"` sweep `needlesim sweep` runs on the same matrix written to a file,
    /// point for point and seed for seed (the scenario's own `[sweep]` keeps only its
    /// `seeds` mode). `integer[k]` rounds column `k` (a sweep's `integer = true`).
    pub fn from_matrix(
        text: &str,
        path: &Path,
        overrides: &[Override],
        keys: &[String],
        integer: &[bool],
        rows: &[Vec<f64>],
    ) -> Result<Sweep> {
        let mut file = scenario::parse(text, path, overrides)?;
        let seeds = file.sweep.as_ref().map_or_else(|| "per-point".to_owned(), |s| s.seeds.clone());
        let parameters = keys
            .iter()
            .zip(integer)
            .map(|(k, &integer)| ParameterFile { key: k.clone(), values: None, from: None, to: None, steps: None, integer })
            .collect();
        const MATRIX: &str = "X";
        file.sweep = Some(SweepFile {
            design: "file".into(),
            parameters,
            points: None,
            design_seed: None,
            file: Some(MATRIX.into()),
            seeds,
            plots: Vec::new(),
        });
        // Rust's shortest round-trip text: the matrix parses back to the very same numbers.
        let matrix: String = rows.iter().map(|r| r.iter().map(f64::to_string).collect::<Vec<_>>().join(" ") + "\n").collect();
        Sweep::new(file, path, |_| Ok((PathBuf::from(MATRIX), matrix.clone())))
    }

    /// Build from a parsed scenario; `read` fetches a design file by its name in the table.
    pub fn new(file: ScenarioFile, path: &Path, read: impl Fn(&str) -> Result<(PathBuf, String)>) -> Result<Sweep> {
        let table = file.sweep.clone().ok_or_else(|| {
            Error::parse(path, "no [sweep] table: add one with parameters = [{ key = \"technique.speed_mm_s\", values = [20, 40] }] (see README, Batch sweeps)")
        })?;
        let matrix = match &table.file {
            Some(name) => Some(read(name)?),
            None => None,
        };
        let design = Design::build(&table, file.seed, matrix.as_ref().map(|(p, t)| DesignText { path: p, text: t }))?;
        let seeds = match table.seeds.as_str() {
            "per-point" => SeedMode::PerPoint,
            "same" => SeedMode::Same,
            other => return Err(Error::invalid("sweep.seeds", format!("{other:?}"), "\"per-point\" or \"same\"")),
        };
        let canonical = toml::to_string(&file).map_err(|e| Error::parse(path, format!("cannot re-serialise the scenario: {e}")))?;
        let mut base = match toml::Value::try_from(&file) {
            Ok(toml::Value::Table(t)) => t,
            _ => return Err(Error::parse(path, "cannot re-serialise the scenario as a table")),
        };
        base.remove("sweep");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let face_map = if file.is_face() && !file.is_surface() {
            let spec = point::face_map_spec(&file);
            let map = crate::io::facemap_file::load(&spec, &dir)?;
            Some((spec, std::sync::Arc::new(map)))
        } else {
            None
        };
        let sweep = Sweep {
            dir,
            face_map,
            name: file.name.clone(),
            base,
            seed: file.seed,
            scenario_sha256: sha256_hex(canonical.as_bytes()),
            design_sha256: design_sha256(&design),
            design,
            seeds,
            table,
        };
        sweep.check_keys(path)?;
        plot::check_specs(&sweep.table.plots, &sweep.design.keys)?;
        Ok(sweep)
    }

    /// Every swept key must be a scenario key that takes the design's first value: a typo
    /// is bad input for the whole sweep, not one failed point per row.
    fn check_keys(&self, path: &Path) -> Result<()> {
        let first = self.design.point(0);
        for (i, (key, value)) in self.design.keys.iter().zip(&first).enumerate() {
            let o = Override { path: key.split('.').map(str::to_owned).collect(), value: value.clone() };
            let mut t = self.base.clone();
            let check = match scenario::apply_overrides(&mut t, std::slice::from_ref(&o)) {
                Ok(()) => toml::Value::Table(t).try_into::<ScenarioFile>().map(drop).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = check {
                let mut e = e.trim_end().replace('\n', " ");
                if let Some(k) = scenario::suggest_key(&e) {
                    e.push_str(&format!("; did you mean `{k}`?"));
                }
                return Err(Error::parse(
                    path,
                    format!("sweep.parameters[{i}]: key {key} = {} does not fit the scenario: {e}", design::value_text(value)),
                ));
            }
        }
        Ok(())
    }

    /// Number of points of the whole sweep.
    pub fn len(&self) -> usize {
        self.design.len()
    }

    pub fn is_empty(&self) -> bool {
        self.design.is_empty()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Fingerprint of the expanded design: keys, then every point's values, one line each.
fn design_sha256(d: &Design) -> String {
    let mut h = Sha256::new();
    h.update(d.kind.name().as_bytes());
    h.update(b"\n");
    h.update(d.keys.join("\t").as_bytes());
    h.update(b"\n");
    for i in 0..d.len() {
        // Inline TOML, so the string "1" and the integer 1 differ.
        let line: Vec<String> = d.point(i).iter().map(toml::Value::to_string).collect();
        h.update(line.join("\t").as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
