//! Columnar twins of the CSV outputs: `punctures.parquet` and `results.parquet` (feature
//! `study`; `--format parquet` on `run`, `sweep` and `merge`).
//!
//! **One rule:** the Parquet file is the CSV the command writes, column for column and row
//! for row, with typed columns: a column whose every non-empty cell is an integer is `INT64`,
//! else one whose every non-empty cell is a number is `DOUBLE` (the value the CSV text reads
//! back to), else one of `true`/`false` only is `BOOLEAN`, else UTF-8 text. An empty cell is a
//! null (every column is optional). Column names are the CSV's (`regions.chin.coverage`),
//! made unique as pandas' `read_csv` does ([`unique_names`]): a sweep's results.csv repeats
//! a swept key that is also a summary figure (`technique.speed_mm_s`), and Parquet readers
//! need one name per column, so the second is `technique.speed_mm_s.1`.
//! Types follow the file's values, so a column that is all integers in one file may be
//! `INT64` there and `DOUBLE` in another: readers should not assume one.
//!
//! Written by the pure-Rust `parquet` crate (no arrow), one row group per 1,048,576 rows,
//! Snappy-compressed (pure Rust), into memory and then staged or renamed into place like
//! the CSVs.

use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::error::{Error, Result};

/// Rows per row group.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// The type a column is written with (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Double,
    Bool,
    Text,
}

/// The type of a column from its cells.
pub fn kind_of<'a>(cells: impl Iterator<Item = &'a str> + Clone) -> Kind {
    let present = cells.filter(|c| !c.is_empty());
    let mut any = false;
    let (mut int, mut num, mut boolean) = (true, true, true);
    for c in present {
        any = true;
        int &= c.parse::<i64>().is_ok();
        num &= c.parse::<f64>().is_ok();
        boolean &= c == "true" || c == "false";
        if !(int || num || boolean) {
            break;
        }
    }
    match (any, int, num, boolean) {
        (false, ..) => Kind::Text,
        (_, true, ..) => Kind::Int,
        (_, _, true, _) => Kind::Double,
        (_, _, _, true) => Kind::Bool,
        _ => Kind::Text,
    }
}

/// Column names made unique the way pandas' `read_csv` does: the `k`-th repeat of `X` becomes
/// `X.k` (the next free `k`).
pub fn unique_names(columns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(columns.len());
    for c in columns {
        let mut name = c.clone();
        let mut k = 0;
        while out.contains(&name) || (k > 0 && columns.contains(&name)) {
            k += 1;
            name = format!("{c}.{k}");
        }
        out.push(name);
    }
    out
}

/// A CSV text (header, then rows; RFC 4180 quoting) as Parquet bytes; `path` names the CSV
/// in messages.
pub fn from_csv(text: &str, path: &Path) -> Result<Vec<u8>> {
    // The parser checks every row has the header's cell count.
    let table = crate::study::sweep::results::parse(text, path)?;
    let names = unique_names(&table.columns);
    let columns: Vec<&str> = names.iter().map(String::as_str).collect();
    let kinds: Vec<Kind> = (0..columns.len()).map(|j| kind_of(table.rows.iter().map(|r| r[j].as_str()))).collect();
    write(&columns, &kinds, &table.rows).map_err(|e| Error::parse(path, format!("writing its Parquet twin: {e}")))
}

fn write(columns: &[&str], kinds: &[Kind], rows: &[Vec<String>]) -> parquet::errors::Result<Vec<u8>> {
    let fields = columns
        .iter()
        .zip(kinds)
        .map(|(name, kind)| {
            let b = match kind {
                Kind::Int => Type::primitive_type_builder(name, Physical::INT64),
                Kind::Double => Type::primitive_type_builder(name, Physical::DOUBLE),
                Kind::Bool => Type::primitive_type_builder(name, Physical::BOOLEAN),
                Kind::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY).with_logical_type(Some(LogicalType::String)),
            };
            b.with_repetition(Repetition::OPTIONAL).build().map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build()?);
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, props)?;
    for group in rows.chunks(ROW_GROUP_ROWS) {
        let mut rg = writer.next_row_group()?;
        let mut j = 0;
        while let Some(mut col) = rg.next_column()? {
            let cells = group.iter().map(|r| r[j].as_str());
            let levels: Vec<i16> = cells.clone().map(|c| i16::from(!c.is_empty())).collect();
            let present = cells.filter(|c| !c.is_empty());
            // Every cell was checked by `kind_of`, so the parses below succeed.
            match kinds[j] {
                Kind::Int => {
                    let v: Vec<i64> = present.map(|c| c.parse().unwrap_or_default()).collect();
                    col.typed::<Int64Type>().write_batch(&v, Some(&levels), None)?;
                }
                Kind::Double => {
                    let v: Vec<f64> = present.map(|c| c.parse().unwrap_or(f64::NAN)).collect();
                    col.typed::<DoubleType>().write_batch(&v, Some(&levels), None)?;
                }
                Kind::Bool => {
                    let v: Vec<bool> = present.map(|c| c == "true").collect();
                    col.typed::<BoolType>().write_batch(&v, Some(&levels), None)?;
                }
                Kind::Text => {
                    let v: Vec<ByteArray> = present.map(|c| ByteArray::from(c.as_bytes().to_vec())).collect();
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&levels), None)?;
                }
            }
            col.close()?;
            j += 1;
        }
        rg.close()?;
    }
    writer.close()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn repeated_names_get_pandas_suffixes() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(unique_names(&v(&["a", "b", "a", "a"])), v(&["a", "b", "a.1", "a.2"]));
        assert_eq!(unique_names(&v(&["a", "a.1", "a"])), v(&["a", "a.1", "a.2"]));
    }

    #[test]
    fn kinds_follow_every_cell() {
        assert_eq!(kind_of(["1", "", "-3"].into_iter()), Kind::Int);
        assert_eq!(kind_of(["1", "2.5", ""].into_iter()), Kind::Double);
        assert_eq!(kind_of(["true", "false"].into_iter()), Kind::Bool);
        assert_eq!(kind_of(["1", "x"].into_iter()), Kind::Text);
        assert_eq!(kind_of(["", ""].into_iter()), Kind::Text);
    }

    #[test]
    fn a_csv_reads_back_cell_for_cell_with_nulls() {
        let csv = "index,x_mm,ok,region,note\n0,1.250000,true,chin,\n1,-0.5,false,off_map,\"a, b\"\n2,,true,,x\n";
        let bytes = from_csv(csv, Path::new("t.csv")).unwrap();
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &bytes).unwrap();
        let reader = SerializedFileReader::new(f).unwrap();
        let rows: Vec<Vec<(String, Field)>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().get_column_iter().map(|(n, f)| (n.clone(), f.clone())).collect())
            .collect();
        assert_eq!(rows.len(), 3);
        let names: Vec<&str> = rows[0].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["index", "x_mm", "ok", "region", "note"]);
        assert_eq!(rows[0][0].1, Field::Long(0));
        assert_eq!(rows[0][1].1, Field::Double(1.25));
        assert_eq!(rows[1][1].1, Field::Double(-0.5));
        assert_eq!(rows[1][2].1, Field::Bool(false));
        assert_eq!(rows[1][3].1, Field::Str("off_map".into()));
        assert_eq!(rows[1][4].1, Field::Str("a, b".into()));
        assert_eq!(rows[0][4].1, Field::Null);
        assert_eq!(rows[2][1].1, Field::Null);
        assert_eq!(rows[2][3].1, Field::Null);
    }
}
