//! Designs: the list of points a sweep runs, each a value per swept key.
//!
//! - **grid**: the full factorial of every parameter's values (a list, or `steps` evenly
//!   spaced values from `from` to `to`, both ends included). Points are numbered like nested
//!   loops in the order the parameters are listed: the *last* parameter varies fastest.
//!   A range whose ends are TOML integers and whose values all land on integers gives
//!   integers (so `technique.passes` can be swept by range).
//! - **random**: `points` independent uniform points in the box `[from, to)` of every
//!   parameter.
//! - **lhs** (Latin hypercube): `points` = n points; every parameter's range is cut into n
//!   equal strata and each stratum holds exactly one point. Per parameter, in listed order:
//!   a Fisher–Yates permutation of the strata, then one uniform offset inside each stratum.
//! - **file**: rows of a whitespace-separated numeric matrix, one column per parameter in
//!   listed order (what SALib's `sample` writes with `numpy.savetxt`; `#` lines and blank
//!   lines are skipped). The design is then analysed back in SALib from `results.csv`.
//!
//! Random draws use only `next_u64` of ChaCha8 seeded with the design seed (default: the
//! scenario seed) and the formulas here, so a design is a function of (seed, points, bounds)
//! and does not change with the `rand` version or the thread count.
//!
//! `integer = true` rounds a parameter's values to the nearest integer (half away from
//! zero); for LHS it keeps the point in its stratum only when the strata are ≥ 1 wide.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::io::scenario::{ParameterFile, SweepFile};

/// Most points one sweep may hold (a guard against a typo multiplying a grid). A million
/// points of a few milliseconds each is already hours of CPU; split larger studies.
pub const MAX_POINTS: usize = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Grid,
    Random,
    Lhs,
    File,
}

impl Kind {
    pub const NAMES: [&'static str; 4] = ["grid", "random", "lhs", "file"];

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "grid" => Some(Kind::Grid),
            "random" => Some(Kind::Random),
            "lhs" => Some(Kind::Lhs),
            "file" => Some(Kind::File),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        Kind::NAMES[self as usize]
    }
}

/// A validated design: the swept keys and a value for each at every point.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    pub kind: Kind,
    /// Dotted scenario keys, in column order.
    pub keys: Vec<String>,
    points: Points,
}

#[derive(Clone, Debug, PartialEq)]
enum Points {
    /// Values of each parameter; point i is the mixed-radix digits of i (last fastest).
    Grid(Vec<Vec<toml::Value>>),
    /// One row of `integer.len()` numbers per point, flat; `integer` marks rounded columns.
    Rows { values: Vec<f64>, integer: Vec<bool> },
}

/// Where a `file` design's matrix comes from: its path (for messages) and text.
pub struct DesignText<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Design {
    /// Validate the `[sweep]` table and build the design. `matrix` is the design file's
    /// text (design = "file" only).
    pub fn build(sweep: &SweepFile, scenario_seed: u64, matrix: Option<DesignText>) -> Result<Design> {
        let kind = Kind::parse(&sweep.design)
            .ok_or_else(|| Error::invalid("sweep.design", format!("{:?}", sweep.design), Kind::NAMES.join(", ")))?;
        if sweep.parameters.is_empty() {
            return Err(Error::invalid("sweep.parameters", "[]", "at least one { key = \"section.name\", … }"));
        }
        let keys: Vec<String> = sweep.parameters.iter().map(|p| p.key.trim().to_owned()).collect();
        for (i, k) in keys.iter().enumerate() {
            if k.is_empty() || k.split('.').any(str::is_empty) {
                return Err(Error::invalid(
                    format!("sweep.parameters[{i}].key"),
                    format!("{k:?}"),
                    "a dotted scenario key such as technique.speed_mm_s",
                ));
            }
            if k == "sweep" || k.starts_with("sweep.") || k == "name" {
                return Err(Error::invalid(format!("sweep.parameters[{i}].key"), k, "a simulation key (not sweep.* or name)"));
            }
            if let Some(j) = keys[..i].iter().position(|o| o == k) {
                return Err(Error::invalid(
                    format!("sweep.parameters[{i}].key"),
                    k,
                    format!("a key not already swept (it is parameters[{j}])"),
                ));
            }
        }
        let needs_points = matches!(kind, Kind::Random | Kind::Lhs);
        if sweep.points.is_some() && !needs_points {
            return Err(Error::invalid(
                "sweep.points",
                sweep.points.unwrap_or(0),
                format!("only with design = \"random\" or \"lhs\" (this is \"{}\")", kind.name()),
            ));
        }
        if sweep.file.is_some() != (kind == Kind::File) {
            return Err(Error::invalid(
                "sweep.file",
                format!("{:?}", sweep.file.as_deref().unwrap_or("")),
                "a design file exactly when design = \"file\"",
            ));
        }
        let seed = sweep.design_seed.unwrap_or(scenario_seed);
        let points = match kind {
            Kind::Grid => {
                let values = sweep.parameters.iter().enumerate().map(|(i, p)| grid_values(i, p)).collect::<Result<Vec<_>>>()?;
                let count = values.iter().try_fold(1usize, |acc, v| acc.checked_mul(v.len())).unwrap_or(usize::MAX);
                check_count(count)?;
                Points::Grid(values)
            }
            Kind::Random | Kind::Lhs => {
                let n = sweep.points.ok_or_else(|| {
                    Error::invalid("sweep.points", "missing", format!("the number of points of the {} design", kind.name()))
                })?;
                if !(1..=MAX_POINTS as i64).contains(&n) {
                    return Err(Error::invalid("sweep.points", n, format!("1–{MAX_POINTS}")));
                }
                let bounds = sweep.parameters.iter().enumerate().map(|(i, p)| bounds(i, p)).collect::<Result<Vec<_>>>()?;
                let rows = if kind == Kind::Random { random_rows(&bounds, n as usize, seed) } else { lhs_rows(&bounds, n as usize, seed) };
                rows_of(rows, &sweep.parameters)
            }
            Kind::File => {
                for (i, p) in sweep.parameters.iter().enumerate() {
                    if p.values.is_some() || p.from.is_some() || p.to.is_some() || p.steps.is_some() {
                        return Err(Error::invalid(
                            format!("sweep.parameters[{i}]"),
                            &p.key,
                            "only `key` (and `integer`) with design = \"file\": the values come from the file",
                        ));
                    }
                }
                let m = matrix.ok_or_else(|| Error::invalid("sweep.file", "missing", "a design matrix file"))?;
                let rows = parse_matrix(m.path, m.text, &keys)?;
                check_count(rows.len())?;
                rows_of(rows, &sweep.parameters)
            }
        };
        Ok(Design { kind, keys, points })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match &self.points {
            Points::Grid(v) => v.iter().map(Vec::len).product(),
            Points::Rows { values, integer } => values.len() / integer.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `index` (< `len()`), one per key.
    pub fn point(&self, index: usize) -> Vec<toml::Value> {
        match &self.points {
            Points::Grid(values) => {
                let mut rest = index;
                let mut out = vec![toml::Value::Boolean(false); values.len()];
                for (slot, v) in out.iter_mut().zip(values).rev() {
                    *slot = v[rest % v.len()].clone();
                    rest /= v.len();
                }
                out
            }
            Points::Rows { values, integer } => {
                let w = integer.len();
                values[index * w..(index + 1) * w]
                    .iter()
                    .zip(integer)
                    .map(|(&x, &int)| if int { toml::Value::Integer(x.round() as i64) } else { toml::Value::Float(x) })
                    .collect()
            }
        }
    }

    /// Values of each parameter of a grid (None for other designs).
    pub fn grid_values(&self) -> Option<&[Vec<toml::Value>]> {
        match &self.points {
            Points::Grid(v) => Some(v),
            Points::Rows { .. } => None,
        }
    }
}

fn check_count(count: usize) -> Result<()> {
    if count == 0 || count > MAX_POINTS {
        return Err(Error::invalid("sweep", format!("{count} points"), format!("1–{MAX_POINTS} points")));
    }
    Ok(())
}

fn number(key: &str, v: &toml::Value) -> Result<f64> {
    let x = match v {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        other => return Err(Error::invalid(key, other, "a number")),
    };
    if !x.is_finite() {
        return Err(Error::invalid(key, x, "a finite number"));
    }
    Ok(x)
}

/// `from < to` of parameter `i`, both required.
fn bounds(i: usize, p: &ParameterFile) -> Result<(f64, f64)> {
    let at = |field: &str| format!("sweep.parameters[{i}].{field} ({})", p.key);
    if p.values.is_some() || p.steps.is_some() {
        return Err(Error::invalid(at("values/steps"), "given", "only from/to bounds in a random or lhs design"));
    }
    let from = number(&at("from"), p.from.as_ref().ok_or_else(|| Error::invalid(at("from"), "missing", "the lower bound"))?)?;
    let to = number(&at("to"), p.to.as_ref().ok_or_else(|| Error::invalid(at("to"), "missing", "the upper bound"))?)?;
    if from >= to {
        return Err(Error::invalid(at("from/to"), format!("{from} / {to}"), "from < to"));
    }
    Ok((from, to))
}

/// The values of a grid parameter: its list, or its range.
fn grid_values(i: usize, p: &ParameterFile) -> Result<Vec<toml::Value>> {
    let at = |field: &str| format!("sweep.parameters[{i}].{field} ({})", p.key);
    if let Some(values) = &p.values {
        if p.from.is_some() || p.to.is_some() || p.steps.is_some() {
            return Err(Error::invalid(at("values"), "given with from/to/steps", "either values or from/to/steps"));
        }
        if values.is_empty() {
            return Err(Error::invalid(at("values"), "[]", "at least one value"));
        }
        return Ok(values.iter().map(|v| if p.integer { round_value(v) } else { v.clone() }).collect());
    }
    let (from, to) = match (&p.from, &p.to) {
        (Some(_), Some(_)) => {
            let steps = p.steps.ok_or_else(|| Error::invalid(at("steps"), "missing", "the number of values from `from` to `to` (≥ 2)"))?;
            if steps < 2 {
                return Err(Error::invalid(at("steps"), steps, "≥ 2 values from `from` to `to` (use values = [x] for one value)"));
            }
            let (a, b) = (p.from.as_ref().unwrap(), p.to.as_ref().unwrap());
            let (from, to) = (number(&at("from"), a)?, number(&at("to"), b)?);
            if from >= to {
                return Err(Error::invalid(at("from/to"), format!("{from} / {to}"), "from < to"));
            }
            if steps as u128 > MAX_POINTS as u128 {
                return Err(Error::invalid(at("steps"), steps, format!("2–{MAX_POINTS}")));
            }
            let xs = linspace(from, to, steps as usize);
            let ints = matches!((a, b), (toml::Value::Integer(_), toml::Value::Integer(_))) && xs.iter().all(|x| x.fract() == 0.0);
            return Ok(xs
                .into_iter()
                .map(|x| if ints || p.integer { toml::Value::Integer(x.round() as i64) } else { toml::Value::Float(x) })
                .collect());
        }
        (from, to) => (from, to),
    };
    Err(Error::invalid(
        at(match (from.is_some(), to.is_some()) {
            (false, false) => "values",
            (false, true) => "from",
            _ => "to",
        }),
        "missing",
        "values = [..], or from, to and steps, in a grid design",
    ))
}

/// `n ≥ 2` evenly spaced values from `from` to `to`, both ends exact.
pub fn linspace(from: f64, to: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| if i + 1 == n { to } else { from + (to - from) * (i as f64 / (n - 1) as f64) }).collect()
}

fn round_value(v: &toml::Value) -> toml::Value {
    match v {
        toml::Value::Float(f) if f.is_finite() => toml::Value::Integer(f.round() as i64),
        other => other.clone(),
    }
}

fn rows_of(rows: Vec<Vec<f64>>, params: &[ParameterFile]) -> Points {
    Points::Rows { values: rows.into_iter().flatten().collect(), integer: params.iter().map(|p| p.integer).collect() }
}

/// Uniform in [0, 1) from the top 53 bits of one draw.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform integer in 0..n (n ≥ 1), by rejection (no modulo bias).
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// `n` uniform points in the box, row by row.
pub fn random_rows(bounds: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| bounds.iter().map(|&(lo, hi)| lo + (hi - lo) * unit(&mut rng)).collect()).collect()
}

/// A Latin hypercube of `n` points: in every dimension, exactly one point per stratum
/// `[lo + (hi−lo)·k/n, lo + (hi−lo)·(k+1)/n)`.
pub fn lhs_rows(bounds: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut rows = vec![Vec::with_capacity(bounds.len()); n];
    for &(lo, hi) in bounds {
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        for (row, &k) in rows.iter_mut().zip(&perm) {
            let mut x = lo + (hi - lo) * ((k as f64 + unit(&mut rng)) / n as f64);
            // Rounding can push a point onto the next stratum's lower edge; the stratum's
            // midpoint is always safely inside.
            if stratum(x, lo, hi, n) != k {
                x = lo + (hi - lo) * ((k as f64 + 0.5) / n as f64);
            }
            row.push(x);
        }
    }
    rows
}

/// The stratum of `x` in `[lo, hi)` cut into `n` equal parts.
pub fn stratum(x: f64, lo: f64, hi: f64, n: usize) -> usize {
    (((x - lo) / (hi - lo)) * n as f64).floor() as usize
}

/// Parse a whitespace-separated numeric matrix with one column per key.
pub fn parse_matrix(path: &Path, text: &str, keys: &[String]) -> Result<Vec<Vec<f64>>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != keys.len() {
            return Err(Error::parse(
                path,
                format!("line {}: {} columns, expected {} (one per parameter: {})", n + 1, fields.len(), keys.len(), keys.join(" ")),
            ));
        }
        let row = fields
            .iter()
            .zip(keys)
            .map(|(f, k)| match f.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(Error::parse(path, format!("line {}: {k} = {f:?} is not a finite number", n + 1))),
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::parse(path, format!("no rows: expected one row per point with {} columns ({})", keys.len(), keys.join(" "))));
    }
    Ok(rows)
}

/// A value as one `results.csv` cell: numbers in the shortest text that reads back to the
/// same number, strings as they are, anything else as inline TOML.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> SweepFile {
        toml::from_str(text).unwrap()
    }

    fn build(text: &str) -> Result<Design> {
        Design::build(&sweep(text), 42, None)
    }

    #[test]
    fn grid_is_the_product_with_the_last_parameter_fastest() {
        let d = build(
            r#"parameters = [
                { key = "a", values = [1, 2, 3] },
                { key = "b", from = 10.0, to = 20.0, steps = 5 },
                { key = "c", values = ["x", "y"] },
            ]"#,
        )
        .unwrap();
        assert_eq!(d.len(), 3 * 5 * 2);
        let mut seen = std::collections::HashSet::new();
        for i in 0..d.len() {
            let p = d.point(i);
            // Brute force: the nested-loop order.
            let (a, b, c) = (i / 10, (i / 2) % 5, i % 2);
            assert_eq!(p[0], toml::Value::Integer(a as i64 + 1));
            assert_eq!(p[1], toml::Value::Float(10.0 + 2.5 * b as f64));
            assert_eq!(p[2].as_str(), Some(["x", "y"][c]));
            assert!(seen.insert(format!("{p:?}")), "point {i} repeats");
        }
    }

    #[test]
    fn integer_ranges_stay_integers() {
        let d = build(r#"parameters = [{ key = "technique.passes", from = 1, to = 4, steps = 4 }]"#).unwrap();
        let v: Vec<_> = (0..4).map(|i| d.point(i)[0].clone()).collect();
        assert_eq!(v, (1..=4).map(toml::Value::Integer).collect::<Vec<_>>());
        let d = build(r#"parameters = [{ key = "x", from = 1, to = 2, steps = 3 }]"#).unwrap();
        assert_eq!(d.point(1)[0], toml::Value::Float(1.5));
    }

    #[test]
    fn linspace_hits_both_ends_and_is_even() {
        let v = linspace(0.1, 0.7, 7);
        assert_eq!((v[0], v[6]), (0.1, 0.7));
        for w in v.windows(2) {
            assert!((w[1] - w[0] - 0.1).abs() < 1e-12);
        }
    }

    #[test]
    fn lhs_has_one_point_per_stratum_in_every_dimension() {
        let bounds = [(20.0, 80.0), (60.0, 150.0), (-1.0, 1.0), (0.0, 1e-3)];
        for (seed, n) in [(1u64, 1usize), (2, 7), (3, 100), (4, 1000)] {
            let rows = lhs_rows(&bounds, n, seed);
            assert_eq!(rows.len(), n);
            for (j, &(lo, hi)) in bounds.iter().enumerate() {
                let mut count = vec![0; n];
                for r in &rows {
                    assert!(r[j] >= lo && r[j] < hi, "seed {seed}: {} outside [{lo}, {hi})", r[j]);
                    count[stratum(r[j], lo, hi, n)] += 1;
                }
                assert!(count.iter().all(|&c| c == 1), "seed {seed}, dim {j}: strata counts {count:?}");
            }
        }
    }

    #[test]
    fn lhs_and_random_are_reproducible_and_seed_dependent() {
        let b = [(0.0, 1.0), (5.0, 6.0)];
        assert_eq!(lhs_rows(&b, 50, 9), lhs_rows(&b, 50, 9));
        assert_ne!(lhs_rows(&b, 50, 9), lhs_rows(&b, 50, 10));
        assert_eq!(random_rows(&b, 50, 9), random_rows(&b, 50, 9));
        assert_ne!(random_rows(&b, 50, 9), random_rows(&b, 50, 10));
        for r in random_rows(&b, 2000, 3) {
            assert!((0.0..1.0).contains(&r[0]) && (5.0..6.0).contains(&r[1]));
        }
        // The design seed defaults to the scenario seed and can be set apart from it.
        let text = r#"design = "lhs"
            points = 8
            parameters = [{ key = "a", from = 0, to = 1 }]"#;
        let a = Design::build(&sweep(text), 1, None).unwrap();
        let b = Design::build(&sweep(&format!("design_seed = 1\n{text}")), 99, None).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn random_design_is_uniform_in_each_quarter() {
        // 4000 points: each quarter of each range holds 1000 ± 5σ (σ ≈ 27).
        let rows = random_rows(&[(0.0, 4.0), (-2.0, 2.0)], 4000, 11);
        for j in 0..2 {
            let mut q = [0; 4];
            for r in &rows {
                q[stratum(r[j], [0.0, -2.0][j], [4.0, 2.0][j], 4)] += 1;
            }
            assert!(q.iter().all(|&c| (865..=1135).contains(&c)), "{q:?}");
        }
    }

    #[test]
    fn bad_designs_name_the_key_and_the_rule() {
        let cases = [
            (r#"parameters = []"#, "at least one"),
            (r#"parameters = [{ key = "a", values = [] }]"#, "at least one value"),
            (r#"parameters = [{ key = "a", from = 2, to = 1, steps = 3 }]"#, "from < to"),
            (r#"parameters = [{ key = "a", from = 1, to = 2, steps = 0 }]"#, "≥ 2"),
            (r#"parameters = [{ key = "a", from = 1, to = 2 }]"#, "steps"),
            (r#"parameters = [{ key = "a", from = 1, to = 2, steps = 3, values = [1] }]"#, "either values"),
            (r#"parameters = [{ key = "a", values = [1] }, { key = "a", values = [2] }]"#, "already swept"),
            (r#"parameters = [{ key = "sweep.points", values = [1] }]"#, "not sweep"),
            (
                r#"design = "sobol"
               parameters = [{ key = "a", values = [1] }]"#,
                "grid, random, lhs, file",
            ),
            (
                r#"design = "lhs"
               parameters = [{ key = "a", from = 0, to = 1 }]"#,
                "number of points",
            ),
            (
                r#"design = "lhs"
               points = 0
               parameters = [{ key = "a", from = 0, to = 1 }]"#,
                "1–",
            ),
            (
                r#"design = "random"
               points = 5
               parameters = [{ key = "a", from = 1, to = 1 }]"#,
                "from < to",
            ),
            (r#"parameters = [{ key = "a", from = "x", to = 2, steps = 3 }]"#, "a number"),
            (
                r#"parameters = [{ key = "a", values = [1,2,3,4,5,6,7,8,9,10] }, { key = "b", from = 0, to = 1, steps = 1000000 }]"#,
                "points",
            ),
        ];
        for (text, want) in cases {
            let e = build(text).expect_err(text).to_string();
            assert!(e.contains(want), "{text}\n→ {e}\n(wanted {want:?})");
            assert!(e.contains("sweep"), "{e}");
        }
    }

    #[test]
    fn matrix_rows_and_errors_name_the_line() {
        let keys = vec!["a".to_string(), "b".to_string()];
        let p = Path::new("design.txt");
        let rows = parse_matrix(p, "# header\n1.0e+00 2.5\n\n  3\t-4.5e-01  \n", &keys).unwrap();
        assert_eq!(rows, vec![vec![1.0, 2.5], vec![3.0, -0.45]]);
        let e = parse_matrix(p, "1 2\n1 2 3\n", &keys).unwrap_err().to_string();
        assert!(e.contains("design.txt") && e.contains("line 2") && e.contains("3 columns, expected 2"), "{e}");
        let e = parse_matrix(p, "1 x\n", &keys).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("b = \"x\""), "{e}");
        assert!(parse_matrix(p, "# nothing\n", &keys).unwrap_err().to_string().contains("no rows"));
    }

    #[test]
    fn file_design_takes_rows_in_order_and_rounds_integer_columns() {
        let s = sweep(
            r#"design = "file"
            file = "d.txt"
            parameters = [{ key = "a" }, { key = "technique.passes", integer = true }]"#,
        );
        let d = Design::build(&s, 0, Some(DesignText { path: Path::new("d.txt"), text: "0.5 1.6\n0.25 3.0\n" })).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d.point(0), vec![toml::Value::Float(0.5), toml::Value::Integer(2)]);
        assert_eq!(d.point(1), vec![toml::Value::Float(0.25), toml::Value::Integer(3)]);
    }

    proptest::proptest! {
        #[test]
        fn lhs_strata_hold_for_any_size_bounds_and_seed(
            n in 1usize..300,
            seed in proptest::prelude::any::<u64>(),
            dims in proptest::collection::vec((-1e6f64..1e6, 1e-6f64..1e6), 1..5),
        ) {
            let bounds: Vec<(f64, f64)> = dims.iter().map(|&(lo, w)| (lo, lo + w)).collect();
            let rows = lhs_rows(&bounds, n, seed);
            for (j, &(lo, hi)) in bounds.iter().enumerate() {
                let mut count = vec![0u32; n];
                for r in &rows {
                    proptest::prop_assert!(r[j] >= lo && r[j] < hi);
                    count[stratum(r[j], lo, hi, n)] += 1;
                }
                proptest::prop_assert!(count.iter().all(|&c| c == 1));
            }
        }

        #[test]
        fn any_matrix_text_parses_to_full_finite_rows_or_errs(text in "[0-9eE+\\-. \t\n#xnaifNAIFty]{0,200}") {
            let keys = vec!["a".to_string(), "b".to_string()];
            if let Ok(rows) = parse_matrix(Path::new("d.txt"), &text, &keys) {
                proptest::prop_assert!(!rows.is_empty());
                proptest::prop_assert!(rows.iter().all(|r| r.len() == 2 && r.iter().all(|x| x.is_finite())));
            }
        }

        /// Cells spelled as a person or a tool might write them, the edge ones included:
        /// a non-finite cell (nan, inf, infinity, 1e400 overflowing to inf) is refused with
        /// its line; -0 and an underflowing 1e-400 are zero.
        #[test]
        fn edge_cells_are_refused_by_line_or_read_as_their_number(
            cells in proptest::collection::vec(proptest::sample::select(vec![
                "1", "-0", "-0.0", "0.5", "1e-400", "1e308", "-1e308", "nan", "NaN", "inf", "-inf", "+inf",
                "infinity", "-Infinity", "1e400", "-1e400",
            ]), 1..8),
        ) {
            let keys = vec!["a".to_string(), "b".to_string()];
            let lines: Vec<String> = cells.iter().map(|c| format!("{c} 2")).collect();
            let text = lines.join("\n");
            let first_bad = cells.iter().position(|c| !c.parse::<f64>().unwrap().is_finite());
            match (parse_matrix(Path::new("d.txt"), &text, &keys), first_bad) {
                (Ok(rows), None) => {
                    for (r, c) in rows.iter().zip(&cells) {
                        proptest::prop_assert_eq!(r[0], c.parse::<f64>().unwrap());
                    }
                }
                (Err(e), Some(i)) => {
                    let e = e.to_string();
                    let line = format!("line {}: a = {:?} is not a finite number", i + 1, cells[i]);
                    proptest::prop_assert!(e.contains(&line), "{}", e);
                }
                (r, bad) => proptest::prop_assert!(false, "{:?} for {:?} (first non-finite: {:?})", r, cells, bad),
            }
        }

        #[test]
        fn grid_points_are_the_whole_product_once(sizes in proptest::collection::vec(1usize..6, 1..5)) {
            let params: Vec<String> = sizes
                .iter()
                .enumerate()
                .map(|(k, &n)| format!("{{ key = \"k{k}\", values = [{}] }}", (0..n).map(|v| v.to_string()).collect::<Vec<_>>().join(", ")))
                .collect();
            let d = build(&format!("parameters = [{}]", params.join(", "))).unwrap();
            proptest::prop_assert_eq!(d.len(), sizes.iter().product::<usize>());
            let all: std::collections::HashSet<String> = (0..d.len()).map(|i| format!("{:?}", d.point(i))).collect();
            proptest::prop_assert_eq!(all.len(), d.len());
        }
    }

    #[test]
    fn value_text_round_trips_floats() {
        for x in [0.1 + 0.2, 1.0 / 3.0, 40.0, 1e-9, 123456.789] {
            let t = value_text(&toml::Value::Float(x));
            assert_eq!(t.parse::<f64>().unwrap(), x, "{t}");
        }
        assert_eq!(value_text(&toml::Value::Float(40.0)), "40");
        assert_eq!(value_text(&"serpentine".into()), "serpentine");
    }
}
