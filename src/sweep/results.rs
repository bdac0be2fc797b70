//! `results.csv`: one row per point, for pandas, polars or R.
//!
//! Columns: `index, seed, <swept keys…>, <metrics…>, status, error`. Rows are sorted by
//! index. Metric columns are the union over the rows, in the order the rows list them
//! (`summary.json` keys in alphabetical order, list items by position); a column a row
//! lacks (a failed point, fewer passes, no treated zone) is an empty cell. Cells are
//! quoted as RFC 4180 says (only when they hold a comma, quote or line break).
//!
//! The text is a pure function of the header and the set of records, which is what makes
//! sharded, threaded and resumed sweeps byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{Error, Result};

use super::record::Record;

/// The rendered table, with the metric columns it has.
pub fn render<'a>(keys: &[String], records: impl IntoIterator<Item = &'a Record> + Clone) -> String {
    let metrics = metric_columns(records.clone());
    let mut out = String::new();
    let header: Vec<&str> = ["index", "seed"]
        .into_iter()
        .chain(keys.iter().map(String::as_str))
        .chain(metrics.iter().map(String::as_str))
        .chain(["status", "error"])
        .collect();
    push_row(&mut out, header.iter().copied());
    let mut sorted: Vec<&Record> = records.into_iter().collect();
    sorted.sort_by_key(|r| r.index);
    for r in sorted {
        let by_name: HashMap<&str, &str> = r.metrics.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let index = r.index.to_string();
        let seed = r.seed.to_string();
        let cells = [index.as_str(), seed.as_str()]
            .into_iter()
            .chain((0..keys.len()).map(|i| r.params.get(i).map_or("", String::as_str)))
            .chain(metrics.iter().map(|m| by_name.get(m.as_str()).copied().unwrap_or("")))
            .chain([r.status.name(), r.error.as_deref().unwrap_or("")]);
        push_row(&mut out, cells);
    }
    out
}

/// The union of the records' metric columns. Taken in index order, a column first seen in a
/// later record goes right after the column before it in that record (so
/// `coverage_per_pass_3` of a 4-pass point lands after `coverage_per_pass_2`).
pub fn metric_columns<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<String> {
    let mut sorted: Vec<&Record> = records.into_iter().collect();
    sorted.sort_by_key(|r| r.index);
    let mut columns: Vec<String> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for r in sorted {
        let mut after: Option<usize> = None;
        for (name, _) in &r.metrics {
            match position.get(name) {
                Some(&p) => after = Some(p),
                None => {
                    let at = after.map_or(0, |p| p + 1);
                    columns.insert(at, name.clone());
                    position = columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
                    after = Some(at);
                }
            }
        }
    }
    columns
}

fn push_row<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push('\n');
}

/// A CSV table read back (for plots).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Parse RFC 4180 CSV (quoted cells may hold commas, quotes and line breaks).
pub fn parse(text: &str, path: &Path) -> Result<Table> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                line += usize::from(c == '\n');
                cell.push(c);
            }
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                line += 1;
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(Error::parse(path, format!("line {line}: a quoted cell is not closed")));
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    let mut rows = rows.into_iter();
    let columns = rows.next().ok_or_else(|| Error::parse(path, "empty file: expected a header row"))?;
    let rows: Vec<Vec<String>> = rows.collect();
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != columns.len()) {
        return Err(Error::parse(path, format!("row {}: {} cells, the header has {}", i + 2, r.len(), columns.len())));
    }
    Ok(Table { columns, rows })
}

/// The last record of each index among `records` (a journal is a log).
pub fn latest(records: impl IntoIterator<Item = Record>) -> BTreeMap<u64, Record> {
    records.into_iter().map(|r| (r.index, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::record::Status;

    fn rec(index: u64, metrics: &[&str], error: Option<&str>) -> Record {
        Record {
            index,
            seed: 100 + index,
            params: vec![format!("{}", index as f64 * 0.5), "a,b".into()],
            status: if error.is_some() { Status::Error } else { Status::Ok },
            metrics: metrics.iter().map(|m| (m.to_string(), format!("{index}"))).collect(),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn rows_sorted_columns_merged_in_place_cells_quoted() {
        let keys = vec!["x".to_string(), "y".to_string()];
        let recs = vec![
            rec(2, &["a", "p_0", "p_1", "p_2", "p_3", "z"], None),
            rec(0, &["a", "p_0", "p_1", "z"], None),
            rec(1, &[], Some("k = 9: allowed is \"1–2\", really")),
        ];
        let text = render(&keys, &recs);
        let want = "index,seed,x,y,a,p_0,p_1,p_2,p_3,z,status,error\n\
                    0,100,0,\"a,b\",0,0,0,,,0,ok,\n\
                    1,101,0.5,\"a,b\",,,,,,,error,\"k = 9: allowed is \"\"1–2\"\", really\"\n\
                    2,102,1,\"a,b\",2,2,2,2,2,2,ok,\n";
        assert_eq!(text, want);
        // Any order of the same records renders the same bytes.
        let mut rev = recs.clone();
        rev.reverse();
        assert_eq!(render(&keys, &rev), text);
        let t = parse(&text, Path::new("r.csv")).unwrap();
        assert_eq!(t.columns.len(), 12);
        assert_eq!(t.rows[1][11], "k = 9: allowed is \"1–2\", really");
        assert_eq!(t.rows[2][3], "a,b");
    }

    #[test]
    fn parse_reports_ragged_rows_and_open_quotes() {
        let p = Path::new("r.csv");
        assert!(parse("a,b\n1,2,3\n", p).unwrap_err().to_string().contains("row 2: 3 cells"));
        assert!(parse("a,b\n\"1,2\n", p).unwrap_err().to_string().contains("not closed"));
        assert_eq!(parse("a,b\r\n1,\"x\ny\"\r\n", p).unwrap().rows, vec![vec!["1".to_string(), "x\ny".into()]]);
    }
}
