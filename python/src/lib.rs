//! `needlesim._needlesim`: the Rust side of the `needlesim` Python package.
//!
//! Thin glue over the library's front door ([`needlesim::Scenario`], [`needlesim::Run`]) and
//! its sweeps ([`needlesim::study::sweep`]); the Python API, its documentation and types live
//! in `python/needlesim/__init__.py`. Rules kept here:
//!
//! - **Bad input is a `ScenarioError`** (a `ValueError`) carrying the library's message, the
//!   one the command line prints; no input crashes the interpreter (a panic inside a point is
//!   recorded by the sweep machinery as that point's error).
//! - **The GIL is released** while simulating (`Python::detach`), and batches run on rayon's
//!   pool, one thread per core.
//! - **Same numbers as the files**: `evaluate` is the `design = "file"` sweep of the same
//!   matrix (same seeds, same metric text parsed back), and punctures are read from the bytes
//!   of punctures.csv itself.

use std::path::PathBuf;

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString, PyTuple};
use rayon::prelude::*;

use needlesim::io::scenario::Override;
use needlesim::study::sweep::record::{Record, Status};
use needlesim::study::sweep::run::{self as sweep_run, Options, Quiet};
use needlesim::study::sweep::shard::Shard;
use needlesim::study::sweep::{Sweep, merge};

create_exception!(
    _needlesim,
    ScenarioError,
    PyValueError,
    "Bad input: a scenario, key, value, design matrix or folder needlesim refuses. The message is the command line's: what, the value, what is allowed."
);

fn scenario_error(e: impl std::fmt::Display) -> PyErr {
    ScenarioError::new_err(e.to_string())
}

/// A scenario argument: TOML text (relative files read from the current folder) or a path.
fn source(scenario: &str, is_text: bool) -> PyResult<(String, PathBuf)> {
    if is_text {
        Ok((scenario.to_owned(), PathBuf::from("scenario.toml")))
    } else {
        let path = PathBuf::from(scenario);
        let text = std::fs::read_to_string(&path).map_err(|e| scenario_error(needlesim::Error::io(&path, e)))?;
        Ok((text, path))
    }
}

/// `{"technique.speed_mm_s": 40}` → `technique.speed_mm_s=40`, the `--set` text, so the
/// keys are checked exactly as the command line checks them.
fn override_texts(overrides: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<String>> {
    let Some(d) = overrides else { return Ok(Vec::new()) };
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| scenario_error(format!("overrides: key {k}: allowed is a dotted key string such as \"technique.speed_mm_s\"")))?;
        let value = toml_value(&v).map_err(|why| scenario_error(format!("overrides[{key:?}] = {v}: allowed is {why}")))?;
        out.push(format!("{key}={value}"));
    }
    Ok(out)
}

fn parse_overrides(texts: &[String]) -> PyResult<Vec<Override>> {
    texts.iter().map(|s| s.parse::<Override>().map_err(scenario_error)).collect()
}

const VALUE_KINDS: &str = "a bool, a number, a string, or a list or dict of those";

/// A Python value as a TOML value (bool before int: `True` is an `int` in Python).
fn toml_value(v: &Bound<'_, PyAny>) -> Result<toml::Value, String> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract::<bool>().map_err(|e| e.to_string())?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract::<f64>().map_err(|e| e.to_string())?));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_string()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut t = toml::Table::new();
        for (k, x) in d.iter() {
            t.insert(k.extract::<String>().map_err(|_| "string keys in a dict".to_owned())?, toml_value(&x)?);
        }
        return Ok(toml::Value::Table(t));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = v.try_iter().map_err(|e| e.to_string())?.collect::<PyResult<_>>().map_err(|e| e.to_string())?;
        return items.iter().map(toml_value).collect::<Result<Vec<_>, _>>().map(toml::Value::Array);
    }
    // Integers, and numpy's scalars (int64 through __index__, float32 through __float__).
    if let Ok(i) = v.extract::<i64>() {
        return Ok(toml::Value::Integer(i));
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok(toml::Value::Float(x));
    }
    Err(VALUE_KINDS.to_owned())
}

/// One run's results (wrapped by `needlesim.Run`).
#[pyclass(frozen, module = "needlesim._needlesim")]
struct RunResult {
    run: needlesim::Run,
}

#[pymethods]
impl RunResult {
    /// summary.json's text.
    fn summary_json(&self) -> String {
        self.run.summary_json()
    }

    fn is_face(&self) -> bool {
        self.run.is_face()
    }

    fn warnings(&self) -> Vec<String> {
        self.run.warnings().to_vec()
    }

    fn resolved_scenario(&self) -> String {
        self.run.resolved_scenario().to_owned()
    }

    /// punctures.csv as columns: name → 1-D array (int64 for whole-number columns, float64
    /// for numbers, object arrays of str for text), in the file's column order.
    fn punctures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let csv = self.run.punctures_csv();
        let columns = py.detach(|| parse_columns(&csv));
        let out = PyDict::new(py);
        for (name, column) in columns {
            match column {
                Column::Int(v) => out.set_item(name, PyArray1::from_vec(py, v))?,
                Column::Float(v) => out.set_item(name, PyArray1::from_vec(py, v))?,
                Column::Text(v) => {
                    let objects: Vec<Py<PyAny>> = v.iter().map(|s| PyString::new(py, s).into_any().unbind()).collect();
                    out.set_item(name, PyArray1::from_vec(py, objects))?
                }
            }
        }
        Ok(out)
    }

    /// The hits raster: (values as a (height, width) float32 array, row 0 at the bottom,
    /// (x0_mm, y0_mm) of pixel (0, 0)'s lower-left corner, pixel side mm), or None.
    #[allow(clippy::type_complexity)]
    fn hits<'py>(&self, py: Python<'py>) -> PyResult<Option<(Bound<'py, PyArray2<f32>>, (f64, f64), f64)>> {
        let Some(r) = self.run.hits() else { return Ok(None) };
        let values = PyArray1::from_slice(py, &r.values).reshape([r.height, r.width])?;
        Ok(Some((values, (r.origin_mm.x, r.origin_mm.y), r.pixel_mm)))
    }

    /// Write every file `needlesim run` writes into `dir` (atomically); returns the folder.
    fn write(&self, py: Python<'_>, dir: PathBuf) -> PyResult<String> {
        let written = py.detach(|| self.run.write(&dir)).map_err(scenario_error)?;
        Ok(written.display().to_string())
    }
}

enum Column {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<String>),
}

/// Columns of a CSV with a header and no quoting (what punctures.csv is): a column is
/// integer when every cell reads as one, numeric when every cell reads as a number, text
/// otherwise.
fn parse_columns(csv: &[u8]) -> Vec<(String, Column)> {
    let text = String::from_utf8_lossy(csv);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let mut cells: Vec<Vec<&str>> = vec![Vec::new(); header.len()];
    for line in lines.filter(|l| !l.is_empty()) {
        for (c, cell) in cells.iter_mut().zip(line.split(',')) {
            c.push(cell);
        }
    }
    header
        .into_iter()
        .zip(cells)
        .map(|(name, c)| {
            let column = if let Ok(v) = c.iter().map(|s| s.parse::<i64>()).collect::<Result<Vec<_>, _>>() {
                Column::Int(v)
            } else if let Ok(v) = c.iter().map(|s| s.parse::<f64>()).collect::<Result<Vec<_>, _>>() {
                Column::Float(v)
            } else {
                Column::Text(c.iter().map(|s| s.to_string()).collect())
            };
            (name.to_owned(), column)
        })
        .collect()
}

/// Run one scenario (path or TOML text) with `--set`-style overrides.
#[pyfunction]
#[pyo3(signature = (scenario, is_text, overrides=None))]
fn run(py: Python<'_>, scenario: &str, is_text: bool, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<RunResult> {
    let sets = override_texts(overrides)?;
    let scenario = if is_text {
        needlesim::Scenario::from_str_in(scenario, ".")
    } else {
        needlesim::Scenario::load(scenario)
    }
    .and_then(|s| s.with_overrides(&sets))
    .map_err(scenario_error)?;
    let run = py.detach(|| scenario.run()).map_err(scenario_error)?;
    Ok(RunResult { run })
}

/// A metric of a record: its number, NaN when the point has no such value (failed, or a
/// null in its summary), or why it cannot be one.
fn metric_value(r: &Record, name: &str) -> Result<f64, String> {
    let Some((_, text)) = r.metrics.iter().find(|(k, _)| k == name) else { return Ok(f64::NAN) };
    match text.as_str() {
        "true" => Ok(1.0),
        "false" => Ok(0.0),
        t => t.parse::<f64>().map_err(|_| format!("metric {name} is text ({t:?}), not a number: choose a numeric results.csv column")),
    }
}

/// Refuse metrics the (successful) record does not have, naming the closest column.
fn check_metrics(r: &Record, metrics: &[String]) -> PyResult<()> {
    let columns: Vec<&str> = r.metrics.iter().map(|(k, _)| k.as_str()).collect();
    for m in metrics {
        if !columns.contains(&m.as_str()) {
            let hint = needlesim::error::did_you_mean(m, &columns).map_or(String::new(), |k| format!("; did you mean `{k}`?"));
            let some: Vec<&str> = columns.iter().copied().filter(|c| !c.contains('.') || c.starts_with("treated_zone")).take(24).collect();
            return Err(scenario_error(format!(
                "metrics: {m:?}: allowed is a results.csv metric column of this scenario{hint} (e.g. {}, …)",
                some.join(", ")
            )));
        }
        metric_value(r, m).map_err(scenario_error)?;
    }
    Ok(())
}

/// Evaluate design rows `x` (one column per key) as points `start_index + i` of a sweep.
/// Returns (values (N, m) with NaN for failed points, [(row, error)], seeds).
#[pyfunction]
#[pyo3(signature = (scenario, is_text, overrides, keys, x, metrics, start_index, integer))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn evaluate<'py>(
    py: Python<'py>,
    scenario: &str,
    is_text: bool,
    overrides: Option<&Bound<'py, PyDict>>,
    keys: Vec<String>,
    x: PyReadonlyArray2<'py, f64>,
    metrics: Vec<String>,
    start_index: usize,
    integer: Vec<String>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<(usize, String)>, Vec<u64>)> {
    let overrides = parse_overrides(&override_texts(overrides)?)?;
    let (text, path) = source(scenario, is_text)?;
    let [n, width] = [x.shape()[0], x.shape()[1]];
    if keys.is_empty() {
        return Err(scenario_error("keys = []: allowed is one or more scenario keys such as \"technique.speed_mm_s\""));
    }
    if width != keys.len() {
        return Err(scenario_error(format!(
            "X has {width} column{}: allowed is one column per key ({}: {})",
            if width == 1 { "" } else { "s" },
            keys.len(),
            keys.join(", ")
        )));
    }
    if n == 0 {
        return Err(scenario_error("X has no rows: allowed is one row per point"));
    }
    if metrics.is_empty() {
        return Err(scenario_error("metrics = []: allowed is one or more results.csv columns such as \"coverage\""));
    }
    for name in &integer {
        if !keys.contains(name) {
            return Err(scenario_error(format!("integer: {name:?}: allowed is one of the keys ({})", keys.join(", "))));
        }
    }
    let view = x.as_array();
    let rows: Vec<Vec<f64>> = view.outer_iter().map(|r| r.to_vec()).collect();
    for (i, row) in rows.iter().enumerate() {
        if let Some((j, v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(scenario_error(format!("X[{i}, {j}] ({}) = {v}: allowed is a finite number", keys[j])));
        }
    }
    let flags: Vec<bool> = keys.iter().map(|k| integer.contains(k)).collect();
    let sweep = Sweep::from_matrix(&text, &path, &overrides, &keys, &flags, &rows).map_err(scenario_error)?;
    let last = start_index.checked_add(n).filter(|&e| e <= u64::MAX as usize);
    if last.is_none() {
        return Err(scenario_error(format!("start_index = {start_index}: allowed is a point index such that start_index + N fits")));
    }

    // Point 0 first: a metric name the scenario does not have is refused before the rest runs.
    let first = py.detach(|| sweep.evaluate_at(0, start_index));
    if first.status == Status::Ok {
        check_metrics(&first, &metrics)?;
    }
    let rest: Vec<Record> = py.detach(|| (1..n).into_par_iter().map(|i| sweep.evaluate_at(i, start_index + i)).collect());
    let records: Vec<Record> = std::iter::once(first).chain(rest).collect();
    if let Some(ok) = records.iter().find(|r| r.status == Status::Ok) {
        check_metrics(ok, &metrics)?;
    }
    let mut values = Vec::with_capacity(n * metrics.len());
    let mut errors = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if r.status == Status::Error {
            errors.push((i, r.error.clone().unwrap_or_default()));
        }
        for m in &metrics {
            values.push(metric_value(r, m).unwrap_or(f64::NAN));
        }
    }
    let seeds = records.iter().map(|r| r.seed).collect();
    let array = PyArray1::from_vec(py, values).reshape([n, metrics.len()])?;
    Ok((array, errors, seeds))
}

/// Run a scenario's `[sweep]` into `out` (as `needlesim sweep`); returns what it did.
#[pyfunction]
#[pyo3(signature = (scenario, is_text, overrides, out, threads=None, shard=None, resume=false, retry_failed=false))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    scenario: &str,
    is_text: bool,
    overrides: Option<&Bound<'py, PyDict>>,
    out: Option<PathBuf>,
    threads: Option<usize>,
    shard: Option<String>,
    resume: bool,
    retry_failed: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let overrides = parse_overrides(&override_texts(overrides)?)?;
    let (text, path) = source(scenario, is_text)?;
    let shard = shard.as_deref().map(|s| Shard::parse(s, |k| std::env::var(k).ok())).transpose().map_err(scenario_error)?;
    if threads == Some(0) {
        return Err(scenario_error("threads = 0: allowed is 1 or more (None: all cores)"));
    }
    let sweep = Sweep::parse(&text, &path, &overrides).map_err(scenario_error)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-sweep", sweep.name)));
    let opts = Options { out, threads, shard, resume, retry_failed };
    let o = py.detach(|| sweep_run::run(&sweep, &opts, &Quiet)).map_err(scenario_error)?;
    let d = PyDict::new(py);
    d.set_item("dir", o.dir.display().to_string())?;
    d.set_item("points", sweep.len())?;
    d.set_item("scope", o.scope)?;
    d.set_item("ran", o.ran)?;
    d.set_item("recorded", o.recorded)?;
    d.set_item("failed", o.failed)?;
    d.set_item("plots", o.plots.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())?;
    d.set_item("plot_errors", o.plot_errors)?;
    Ok(d)
}

/// Merge finished shard folders into `out` (as `needlesim merge`); returns results.csv's path.
#[pyfunction]
#[pyo3(signature = (folders, out=None))]
fn merge_shards(py: Python<'_>, folders: Vec<PathBuf>, out: Option<PathBuf>) -> PyResult<String> {
    let m = py.detach(|| merge::merge(&folders, out.as_deref())).map_err(scenario_error)?;
    Ok(m.out.join(needlesim::study::sweep::RESULTS_CSV).display().to_string())
}

#[pymodule]
fn _needlesim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<RunResult>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(merge_shards, m)?)?;
    Ok(())
}
