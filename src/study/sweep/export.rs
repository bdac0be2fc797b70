//! `--export-y`: a sweep's outputs as the plain matrix SALib's command line reads.
//!
//! `salib analyze sobol -p problem.txt -X design.txt -Y y.txt -c 0` reads `-Y` with
//! `numpy.loadtxt`: whitespace-separated numbers, one row per design row, in design order,
//! one column per output (`-c` picks one). [`y_matrix`] writes exactly that from
//! `results.csv`: rows by point index (= design row), one column per metric in the order
//! asked, numbers as results.csv has them (shortest round-trip text), `nan` for a point
//! that failed or has no value, so SALib sees every row and the file lines up with the
//! design. A `#` header line names the columns (`loadtxt` skips it).

use std::path::Path;

use crate::error::{Error, Result};

use super::results;

/// File name of the matrix inside the sweep folder.
pub const Y_TXT: &str = "y.txt";

/// The Y matrix of `metrics` from results.csv's text (`path` for messages). Every point
/// index `0 .. points` must have its row.
pub fn y_matrix(csv: &str, path: &Path, metrics: &[String], points: usize) -> Result<String> {
    let table = results::parse(csv, path)?;
    let index = table.column("index").ok_or_else(|| Error::parse(path, "no index column: not a sweep's results.csv"))?;
    let status = table.column("status");
    let mut columns = Vec::with_capacity(metrics.len());
    for m in metrics {
        let c = table.column(m).ok_or_else(|| {
            let names: Vec<&str> = table.columns.iter().map(String::as_str).collect();
            let hint = crate::error::did_you_mean(m, &names).map_or(String::new(), |k| format!("; did you mean `{k}`?"));
            Error::invalid("--export-y", m, format!("a metric column of {}{hint}", path.display()))
        })?;
        columns.push(c);
    }
    let mut rows: Vec<Option<&Vec<String>>> = vec![None; points];
    for r in &table.rows {
        let i: usize = r[index].parse().map_err(|_| Error::parse(path, format!("index {:?} is not a point index", r[index])))?;
        if let Some(slot) = rows.get_mut(i) {
            *slot = Some(r);
        }
    }
    if let Some(missing) = rows.iter().position(Option::is_none) {
        return Err(Error::invalid(
            "--export-y",
            format!("point {missing} missing"),
            "a complete sweep (every point recorded; merge shards first)",
        ));
    }
    let mut out = format!("# {}\n", metrics.join(" "));
    for r in rows.into_iter().flatten() {
        let failed = status.is_some_and(|s| r[s] != "ok");
        let cells: Vec<String> = columns
            .iter()
            .zip(metrics)
            .map(|(&c, m)| {
                let cell = r[c].as_str();
                if failed || cell.is_empty() {
                    return Ok("nan".to_owned());
                }
                match cell {
                    "true" => Ok("1".to_owned()),
                    "false" => Ok("0".to_owned()),
                    t if t.parse::<f64>().is_ok() => Ok(t.to_owned()),
                    t => Err(Error::invalid("--export-y", m, format!("a numeric column (point {} holds {t:?})", r[index]))),
                }
            })
            .collect::<Result<_>>()?;
        out.push_str(&cells.join(" "));
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "index,seed,k,status,error,coverage,warnings,density\n\
                       1,5,2,error,\"boom, bad\",,,\n\
                       0,4,1,ok,,0.25,\"a; b\",100\n\
                       2,6,3,ok,,0.125,,300.5\n";

    #[test]
    fn rows_follow_the_point_index_and_failures_are_nan() {
        let y = y_matrix(CSV, Path::new("r.csv"), &["coverage".into(), "density".into()], 3).unwrap();
        assert_eq!(y, "# coverage density\n0.25 100\nnan nan\n0.125 300.5\n");
        // What numpy.loadtxt sees: 3 rows × 2 columns.
        let rows: Vec<Vec<f64>> =
            y.lines().filter(|l| !l.starts_with('#')).map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect()).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[1][0].is_nan() && rows[2][1] == 300.5);
    }

    #[test]
    fn unknown_text_and_incomplete_are_refused() {
        let e = y_matrix(CSV, Path::new("r.csv"), &["coverag".into()], 3).unwrap_err().to_string();
        assert!(e.contains("--export-y = coverag") && e.contains("did you mean `coverage`"), "{e}");
        let e = y_matrix(CSV, Path::new("r.csv"), &["warnings".into()], 3).unwrap_err().to_string();
        assert!(e.contains("numeric"), "{e}");
        let e = y_matrix(CSV, Path::new("r.csv"), &["coverage".into()], 4).unwrap_err().to_string();
        assert!(e.contains("point 3 missing"), "{e}");
    }
}
