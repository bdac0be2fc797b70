//! `results.csv`: one row per point, for pandas, polars or R.
//!
//! Columns: `index, seed, <swept keys…>, <metrics…>, status, error` (a swept `seed` key is
//! the `seed` column). Rows are sorted by
//! index. Metric columns are the union over the rows, in the order the rows list them
//! (`summary.json` keys in alphabetical order, list items by position); a column a row
//! lacks (a failed point, fewer passes, no treated zone) is an empty cell. Cells are
//! quoted as RFC 4180 says (only when they hold a comma, quote or line break).
//!
//! The text is a pure function of the header and the set of records, which is what makes
//! sharded, threaded and resumed sweeps byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use crate::io::output::write_file_atomic_with;

use super::record::{Entry, Lines, Record};

/// Calls its argument on every record in index order (twice per table: columns, rows).
pub type Visit<'a> = dyn FnMut(&mut dyn FnMut(&Record) -> Result<()>) -> Result<()> + 'a;

/// Stream the table of the records `visit` yields (in index order) into `w`; `path` names
/// the file in messages.
pub fn write_csv(keys: &[String], visit: &mut Visit, w: &mut dyn Write, path: &Path) -> Result<()> {
    let mut columns = Columns::default();
    visit(&mut |r| {
        columns.add(r);
        Ok(())
    })?;
    let metrics = columns.names;
    // A swept `seed` is already the `seed` column.
    let shown: Vec<usize> = (0..keys.len()).filter(|&i| keys[i] != "seed").collect();
    let mut line = String::new();
    let header = ["index", "seed"]
        .into_iter()
        .chain(shown.iter().map(|&i| keys[i].as_str()))
        .chain(metrics.iter().map(String::as_str))
        .chain(["status", "error"]);
    push_row(&mut line, header);
    w.write_all(line.as_bytes()).map_err(|e| Error::io(path, e))?;
    visit(&mut |r| {
        let by_name: HashMap<&str, &str> = r.metrics.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (index, seed) = (r.index.to_string(), r.seed.to_string());
        let cells = [index.as_str(), seed.as_str()]
            .into_iter()
            .chain(shown.iter().map(|&i| r.params.get(i).map_or("", String::as_str)))
            .chain(metrics.iter().map(|m| by_name.get(m.as_str()).copied().unwrap_or("")))
            .chain([r.status.name(), r.error.as_deref().unwrap_or("")]);
        line.clear();
        push_row(&mut line, cells);
        w.write_all(line.as_bytes()).map_err(|e| Error::io(path, e))
    })
}

/// Write the table of the records at `entries` (of `journals`) to `path`, atomically.
pub fn write_from_journals(keys: &[String], entries: &BTreeMap<u64, Entry>, journals: &[PathBuf], path: &Path) -> Result<()> {
    let mut lines = Lines::open(journals)?;
    write_file_atomic_with(path, |w| {
        let mut visit = |f: &mut dyn FnMut(&Record) -> Result<()>| {
            entries.iter().try_for_each(|(&index, e)| {
                let r = lines.get(e)?;
                check_shape(&r, index, keys)
                    .map_err(|why| Error::parse(&journals[e.journal], format!("the record at byte {}: {why}", e.offset)))?;
                f(&r)
            })
        };
        write_csv(keys, &mut visit, w, path)
    })
}

/// Check every record at `entries` as [`write_from_journals`] does, writing nothing (a merge
/// checks before it creates its folder).
pub fn check_journals(keys: &[String], entries: &BTreeMap<u64, Entry>, journals: &[PathBuf]) -> Result<()> {
    let mut lines = Lines::open(journals)?;
    entries.iter().try_for_each(|(&index, e)| {
        let r = lines.get(e)?;
        check_shape(&r, index, keys).map_err(|why| Error::parse(&journals[e.journal], format!("the record at byte {}: {why}", e.offset)))
    })
}

/// A journal line can be valid JSON of the record's shape and still not be a record of this
/// sweep (a hand edit, a line pasted from another sweep): refuse it rather than write a row
/// whose cells sit under the wrong columns.
fn check_shape(r: &Record, index: u64, keys: &[String]) -> std::result::Result<(), String> {
    if r.index != index {
        return Err(format!("index {} where point {index} was expected", r.index));
    }
    if r.params.len() != keys.len() {
        return Err(format!(
            "point {index} has {} parameter values, this sweep has {} ({}); remove the line and --resume to run the point again",
            r.params.len(),
            keys.len(),
            keys.join(", ")
        ));
    }
    if r.status == super::record::Status::Ok && r.error.is_some() {
        return Err(format!("point {index} is ok but carries an error; remove the line and --resume to run the point again"));
    }
    Ok(())
}

/// The table of records held in memory (any order).
pub fn render<'a>(keys: &[String], records: impl IntoIterator<Item = &'a Record>) -> String {
    let mut sorted: Vec<&Record> = records.into_iter().collect();
    sorted.sort_by_key(|r| r.index);
    let mut out = Vec::new();
    let mut visit = |f: &mut dyn FnMut(&Record) -> Result<()>| sorted.iter().try_for_each(|r| f(r));
    write_csv(keys, &mut visit, &mut out, Path::new(super::RESULTS_CSV)).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("cells are UTF-8")
}

/// The union of the records' metric columns. Fed in index order, a column first seen in a
/// later record goes right after the column before it in that record (so
/// `coverage_per_pass_3` of a 4-pass point lands after `coverage_per_pass_2`).
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    position: HashMap<String, usize>,
}

impl Columns {
    fn add(&mut self, r: &Record) {
        let mut after: Option<usize> = None;
        for (name, _) in &r.metrics {
            match self.position.get(name) {
                Some(&p) => after = Some(p),
                None => {
                    let at = after.map_or(0, |p| p + 1);
                    self.names.insert(at, name.clone());
                    self.position = self.names.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
                    after = Some(at);
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::sweep::record::Status;

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

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panic(text in "[a-z0-9,\"\n\r ]{0,200}") {
            if let Ok(t) = parse(&text, Path::new("r.csv")) {
                proptest::prop_assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
            }
        }

        #[test]
        fn any_cells_read_back_unchanged(cells in proptest::collection::vec("[a-z ,\"\n\r;=–]{0,12}", 1..6), index in 0u64..1000) {
            // Cells as a record would hold them (no carriage returns: errors are one line).
            let cells: Vec<String> = cells.into_iter().map(|c| c.replace('\r', "")).collect();
            let r = Record {
                index,
                seed: 1,
                params: cells.clone(),
                status: Status::Error,
                metrics: Vec::new(),
                error: Some(cells.join("|")),
            };
            let keys: Vec<String> = (0..cells.len()).map(|i| format!("k{i}")).collect();
            let t = parse(&render(&keys, [&r]), Path::new("r.csv")).unwrap();
            proptest::prop_assert_eq!(t.rows.len(), 1);
            proptest::prop_assert_eq!(&t.rows[0][2..2 + cells.len()], &cells[..]);
            proptest::prop_assert_eq!(&t.rows[0][t.columns.len() - 1], &cells.join("|"));
        }
    }

    #[test]
    fn parse_reports_ragged_rows_and_open_quotes() {
        let p = Path::new("r.csv");
        assert!(parse("a,b\n1,2,3\n", p).unwrap_err().to_string().contains("row 2: 3 cells"));
        assert!(parse("a,b\n\"1,2\n", p).unwrap_err().to_string().contains("not closed"));
        assert_eq!(parse("a,b\r\n1,\"x\ny\"\r\n", p).unwrap().rows, vec![vec!["1".to_string(), "x\ny".into()]]);
    }
}
