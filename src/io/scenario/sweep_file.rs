//! The `[sweep]` table of a scenario: the file shape of a batch sweep (serde only).
//!
//! ```toml
//! [sweep]
//! design = "grid"            # grid (default) | random | lhs | file
//! parameters = [
//!   { key = "technique.speed_mm_s", from = 20, to = 80, steps = 7 },   # a range (grid)
//!   { key = "device.frequency_hz", values = [60, 90, 120, 150] },      # a list (grid)
//! ]
//! # points = 200             # random / lhs: number of points; parameters give from/to bounds
//! # design_seed = 7          # random / lhs: seed of the design (default: the scenario seed)
//! # file = "design.txt"      # file: SALib-style whitespace matrix, one column per parameter
//! # seeds = "per-point"      # or "same": every point runs with the scenario seed
//! [[sweep.plots]]
//! metric = "coverage_per_pass_0"
//! x = "technique.speed_mm_s"
//! y = "device.frequency_hz"  # a heatmap; `by = KEY` instead draws one line per value
//! level = 0.25               # contour (heatmap) or reference line (line plot)
//! ```
//!
//! Parameters are a list (not a table) so their order is the file's order whatever the
//! TOML library does with keys: it fixes the column order of `results.csv` and the nesting
//! of the grid. `needlesim run` ignores this table. Validation lives in `crate::study::sweep`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// "grid", "random", "lhs" or "file".
    #[serde(default = "default_design")]
    pub design: String,
    /// Swept scenario keys, in column order.
    #[serde(default)]
    pub parameters: Vec<ParameterFile>,
    /// Number of points of a random or Latin hypercube design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// Seed of a random or Latin hypercube design; default: the scenario seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_seed: Option<u64>,
    /// Design matrix (design = "file"), relative to the scenario file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// "per-point" (each point its own seed, derived from the scenario seed and the point
    /// index) or "same" (every point runs with the scenario seed: common random numbers).
    #[serde(default = "default_seeds")]
    pub seeds: String,
    /// Plots drawn when the sweep is complete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<PlotFile>,
}

/// One swept key. Grid: `values`, or `from`/`to`/`steps`. Random and LHS: `from`/`to`
/// bounds. File: the key only (its column of the matrix).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParameterFile {
    /// Dotted scenario key, as for `--set` (e.g. `technique.speed_mm_s`).
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<toml::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,
    /// Round every value to the nearest integer (for integer keys such as
    /// `technique.passes` in random, LHS and file designs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
}

/// A picture drawn from `results.csv` when the sweep is complete.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlotFile {
    /// A metric column of `results.csv`, e.g. `coverage_per_pass_0`.
    pub metric: String,
    /// Parameter on the x axis.
    pub x: String,
    /// Parameter on the y axis: draws a heatmap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Parameter with one line per value: draws a line plot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Contour level of a heatmap, or a dashed reference line of a line plot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// Fix the other parameters: `{ "technique.passes" = 2 }`.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub r#where: toml::Table,
    /// PNG file name inside the sweep folder; default `plot-N.png`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

fn default_design() -> String {
    "grid".into()
}
fn default_seeds() -> String {
    "per-point".into()
}
