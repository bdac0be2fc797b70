//! One point of a sweep: its seed, its scenario, its run, its record.
//!
//! **Seed.** With `seeds = "per-point"` (the default), point `i` runs with
//! `point_seed(scenario seed, i)`: the `i`-th output (from 0) of SplitMix64 (Steele, Lea &
//! Flood 2014) seeded with the scenario seed, shifted right by one bit so it fits a TOML
//! integer (`needlesim run … --set seed=S` reproduces the point). It depends on nothing
//! else: not the thread, the shard, or the order points finish in. With `seeds = "same"`
//! every point runs with the scenario seed. A swept `seed` key wins over both.
//!
//! **Metrics.** Every scalar of `summary.json` ([`Summary`]) becomes a column: nested keys
//! joined by `.` (`treated_zone.coverage`, `technique.step_mm`), lists of numbers expanded
//! as `name_0, name_1, …` (`coverage_per_pass_0`), lists of text joined by `"; "`
//! (`warnings`), null left out (an empty cell). `scenario` and `needlesim_version` are in
//! the manifest and `seed` has its own column, so they are not repeated.
//!
//! **Face sessions.** A face scenario (`[face]` + `[[treat]]`) runs as `needlesim run` runs
//! it, without pictures; its columns are the face summary.json's, flattened the same way:
//! the patch's, then `face.*`, `layers.*`, `no_go.*` and one group per map region
//! (`regions.cheek_left.coverage`, …). The map is loaded once, when the sweep is built.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Error, Result};
use crate::face::FaceMap;
use crate::io::output::face_summary::FaceSummary;
use crate::io::output::summary::Summary;
use crate::io::scenario::{Override, ScenarioFile, apply_overrides};

use super::record::{Record, Status};
use super::{SeedMode, Sweep, design};

/// Summary keys not repeated as metric columns.
const NOT_METRICS: [&str; 3] = ["scenario", "needlesim_version", "seed"];

/// The seed of point `index` (see the module doc). Always < 2⁶³.
pub fn point_seed(scenario_seed: u64, index: u64) -> u64 {
    const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut z = scenario_seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

impl Sweep {
    /// The seed point `index` runs with (before a swept `seed` key, if any).
    pub fn seed_of(&self, index: usize) -> u64 {
        match self.seeds {
            SeedMode::PerPoint => point_seed(self.seed, index as u64),
            SeedMode::Same => self.seed,
        }
    }

    /// The scenario of point `index`: the base with the point's overrides.
    pub fn scenario_of(&self, index: usize) -> Result<ScenarioFile> {
        self.scenario_at(index, index)
    }

    /// The scenario of design row `row` run as point `index` (its seed): what
    /// `needlesim.evaluate(…, start_index)` runs, so row `i` of a matrix evaluated from
    /// `start_index` is point `start_index + i` of the sweep over the same matrix.
    pub fn scenario_at(&self, row: usize, index: usize) -> Result<ScenarioFile> {
        let values = self.design.point(row);
        let overrides: Vec<Override> = self
            .design
            .keys
            .iter()
            .zip(values)
            .map(|(k, value)| Override { path: k.split('.').map(str::to_owned).collect(), value })
            .collect();
        let mut table = self.base.clone();
        if !self.design.keys.iter().any(|k| k == "seed") {
            table.insert("seed".into(), toml::Value::Integer(self.seed_of(index) as i64));
        }
        apply_overrides(&mut table, &overrides)?;
        toml::Value::Table(table)
            .try_into::<ScenarioFile>()
            .map_err(|e| Error::invalid(format!("point {index}"), e.to_string().trim_end(), "values the scenario accepts"))
    }

    /// Run point `index` and record what happened; never fails, never panics.
    pub fn evaluate(&self, index: usize) -> Record {
        self.evaluate_at(index, index)
    }

    /// Run design row `row` as point `index` (see [`Self::scenario_at`]) and record it.
    pub fn evaluate_at(&self, row: usize, index: usize) -> Record {
        let params: Vec<String> = self.design.point(row).iter().map(design::value_text).collect();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.simulate(row, index)));
        let (seed, status, metrics, error) = match outcome {
            Ok(Ok((seed, summary))) => (seed, Status::Ok, flatten(&summary), None),
            Ok(Err((seed, e))) => (seed, Status::Error, Vec::new(), Some(e.to_string())),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".into());
                (self.seed_of(index), Status::Error, Vec::new(), Some(format!("internal error (panic): {what}")))
            }
        };
        let error = error.map(|e| e.replace(['\n', '\r'], " "));
        Record { index: index as u64, seed, params, status, metrics, error }
    }

    fn simulate(&self, row: usize, index: usize) -> std::result::Result<(u64, serde_json::Value), (u64, Error)> {
        let file = self.scenario_at(row, index).map_err(|e| (self.seed_of(index), e))?;
        let seed = file.seed;
        let run = || -> Result<serde_json::Value> {
            let summary = if file.is_surface() {
                // A face on a surface: loaded per point (a swept face.identity changes it).
                let face = file.load_surface_face(&self.dir.join("scenario.toml"))?;
                let mut sim = file.to_surface_simulation_in(face, &self.dir)?;
                sim.picture = false;
                let chart = sim.chart()?;
                let result = sim.run()?;
                let units = file.face.as_ref().and_then(|f| f.units.clone()).unwrap_or_default();
                Ok(crate::io::output::surface_summary::summary(&sim, &chart, &units, &result))
            } else if file.is_face() {
                let mut sim = file.to_face_simulation_in(self.face_map(&file)?, &self.dir)?;
                sim.picture = false;
                let result = sim.run()?;
                serde_json::to_value(FaceSummary::new(&sim, &result))
            } else {
                let mut sim = file.to_simulation_in(&self.dir)?;
                sim.picture = false;
                let result = sim.run()?;
                serde_json::to_value(Summary::new(&sim, &result))
            };
            Ok(summary.expect("a summary serialises to JSON"))
        };
        run().map(|s| (seed, s)).map_err(|e| (seed, e))
    }

    /// The face map of a point's face scenario: the one loaded with the sweep when the
    /// point names the same map (the usual case), else read now (a swept `face.map`).
    fn face_map(&self, file: &ScenarioFile) -> Result<FaceMap> {
        let spec = face_map_spec(file);
        match &self.face_map {
            Some((loaded, map)) if *loaded == spec => Ok(FaceMap::clone(map)),
            _ => crate::io::facemap_file::load(&spec, &self.dir),
        }
    }
}

/// The `face.map` a face scenario names (`"default"` when it names none).
pub fn face_map_spec(file: &ScenarioFile) -> String {
    file.face.as_ref().map_or_else(|| "default".to_owned(), |f| f.map.clone())
}

/// Every scalar of a summary (patch or face, as JSON) as `(column, text)`, in a fixed order
/// (see the module doc).
pub fn flatten(value: &serde_json::Value) -> Vec<(String, String)> {
    let value = value.clone();
    let mut out = Vec::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map.into_iter().filter(|(k, _)| !NOT_METRICS.contains(&k.as_str())) {
            walk(k, &v, &mut out);
        }
    }
    out
}

fn walk(name: String, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value as J;
    match v {
        J::Null => {}
        J::Bool(b) => out.push((name, b.to_string())),
        J::Number(n) => out.push((name, number_text(n))),
        J::String(s) => out.push((name, s.clone())),
        J::Array(items) if items.iter().all(J::is_string) => {
            let texts: Vec<&str> = items.iter().filter_map(J::as_str).collect();
            out.push((name, texts.join("; ")));
        }
        J::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                walk(format!("{name}_{i}"), x, out);
            }
        }
        J::Object(map) => {
            for (k, x) in map {
                walk(format!("{name}.{k}"), x, out);
            }
        }
    }
}

/// Integers as integers; floats in the shortest text that reads back to the same number.
fn number_text(n: &serde_json::Number) -> String {
    if let Some(u) = n.as_u64() {
        u.to_string()
    } else if let Some(i) = n.as_i64() {
        i.to_string()
    } else {
        n.as_f64().map(|f| f.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64 written as the generator (state += γ, then mix), the reference form.
    fn splitmix_outputs(seed: u64, n: usize) -> Vec<u64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect()
    }

    #[test]
    fn point_seed_is_the_splitmix_stream() {
        // Published first output of SplitMix64 seeded with 0 (e.g. the xoshiro reference
        // seeding code): 0xE220A8397B1DCDAF.
        assert_eq!(splitmix_outputs(0, 1)[0], 0xE220_A839_7B1D_CDAF);
        for seed in [0u64, 42, u64::MAX] {
            let want = splitmix_outputs(seed, 1000);
            for (i, w) in want.iter().enumerate() {
                assert_eq!(point_seed(seed, i as u64), w >> 1);
            }
            let distinct: std::collections::HashSet<_> = (0..1000).map(|i| point_seed(seed, i)).collect();
            assert_eq!(distinct.len(), 1000);
        }
        assert!((0..1000).all(|i| point_seed(7, i) < 1 << 63));
    }
}
