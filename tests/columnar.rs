//! `--format parquet`: punctures.parquet (`run`) and results.parquet (`sweep`, `merge`) hold
//! the CSV's table cell for cell, typed. The independent truth is the CSV the same command
//! writes with the default format, read back by the parquet crate's own reader.

mod common;

use std::path::Path;

use common::{SMALL, bad_input, ok, read, run_in as needlesim, write};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// The Parquet file as (column names, rows of fields).
fn parquet_table(path: &Path) -> (Vec<String>, Vec<Vec<Field>>) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let names: Vec<String> = reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    let rows = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().get_column_iter().map(|(_, f)| f.clone()).collect()).collect();
    (names, rows)
}

/// Assert the Parquet file equals the CSV text: same header, same rows, each cell the value
/// its text reads back to, nulls for empty cells. Returns how many columns were numeric.
fn assert_same_table(parquet: &Path, csv: &str) -> usize {
    let t = needlesim::study::sweep::results::parse(csv, Path::new("csv")).unwrap();
    let (names, rows) = parquet_table(parquet);
    // Repeated CSV names get pandas' suffixes (`technique.speed_mm_s.1`); the rest are as is.
    assert_eq!(names.len(), t.columns.len());
    for (j, (n, c)) in names.iter().zip(&t.columns).enumerate() {
        let repeat = t.columns[..j].contains(c);
        assert!(if repeat { n.starts_with(&format!("{c}.")) } else { n == c }, "column {j}: {n} for {c}");
    }
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "one name per column: {names:?}");
    assert_eq!(rows.len(), t.rows.len());
    let mut numeric = std::collections::BTreeSet::new();
    for (i, (prow, crow)) in rows.iter().zip(&t.rows).enumerate() {
        for (j, (f, c)) in prow.iter().zip(crow).enumerate() {
            let same = match f {
                Field::Null => c.is_empty(),
                Field::Long(v) => {
                    numeric.insert(j);
                    c.parse::<i64>() == Ok(*v)
                }
                Field::Double(v) => {
                    numeric.insert(j);
                    c.parse::<f64>().is_ok_and(|x| x.to_bits() == v.to_bits())
                }
                Field::Bool(v) => c == if *v { "true" } else { "false" },
                Field::Str(s) => s == c && !c.is_empty(),
                other => panic!("unexpected field {other:?}"),
            };
            assert!(same, "row {i}, column {}: parquet {f:?} vs csv {c:?}", t.columns[j]);
        }
    }
    numeric.len()
}

#[test]
fn run_parquet_punctures_equal_the_csv_and_nothing_else_changes() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "s.toml", SMALL);
    ok(&needlesim(d.path(), &["run", "s.toml", "--out", "csv", "--outputs", "punctures"]));
    ok(&needlesim(d.path(), &["run", "s.toml", "--out", "pq", "--outputs", "punctures", "--format", "parquet"]));
    assert!(!d.path().join("pq/punctures.csv").exists(), "parquet replaces the CSV");
    assert_eq!(read(d.path().join("pq/summary.json")), read(d.path().join("csv/summary.json")));
    let csv = read(d.path().join("csv/punctures.csv"));
    let numeric = assert_same_table(&d.path().join("pq/punctures.parquet"), &csv);
    assert_eq!(numeric, csv.lines().next().unwrap().split(',').count(), "every puncture column is numeric");
    let names: Vec<String> =
        std::fs::read_dir(d.path().join("pq")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(!names.iter().any(|n| n.starts_with('.')), "no temporary left: {names:?}");
}

#[test]
fn face_run_parquet_has_typed_region_columns() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "f.toml",
        "name = \"f\"\nseed = 3\n[cartridge]\npreset = 12\ndepth_mm = 0.5\n[device]\nfrequency_hz = 120\nrotation_deg = 18\n[technique]\nspeed_mm_s = 58\ndirections_deg = [0, 90]\n[grid]\nresolution_mm = 0.05\n[face]\nmap = \"default\"\n[[treat]]\nregions = [\"chin\"]\ndepth_mm = 0.5\n",
    );
    ok(&needlesim(d.path(), &["run", "f.toml", "--out", "csv", "--outputs", "punctures"]));
    ok(&needlesim(d.path(), &["run", "f.toml", "--out", "pq", "--outputs", "punctures", "--format", "parquet"]));
    let csv = read(d.path().join("csv/punctures.csv"));
    assert_same_table(&d.path().join("pq/punctures.parquet"), &csv);
    let (names, rows) = parquet_table(&d.path().join("pq/punctures.parquet"));
    let region = names.iter().position(|n| n == "region").expect("a region column");
    assert!(rows.iter().any(|r| r[region] == Field::Str("chin".into())), "region names are text");
}

#[test]
fn sweep_and_merge_write_results_parquet_equal_to_results_csv() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "s.toml",
        &format!(
            "{SMALL}\n[sweep]\nparameters = [{{ key = \"technique.pattern\", values = [\"serpentine\", \"random\"] }}, {{ key = \"technique.speed_mm_s\", values = [30, 1e9] }}]\n"
        ),
    );
    ok(&needlesim(d.path(), &["sweep", "s.toml", "--out", "w", "--format", "parquet"]));
    let csv = read(d.path().join("w/results.csv"));
    assert!(csv.contains(",error,"), "a failed point gives empty metric cells (nulls): {csv}");
    assert!(assert_same_table(&d.path().join("w/results.parquet"), &csv) > 5);
    for i in 0..2 {
        ok(&needlesim(d.path(), &["sweep", "s.toml", "--out", "sh", "--shard", &format!("{i}/2")]));
    }
    ok(&needlesim(d.path(), &["merge", "sh", "--format", "parquet"]));
    assert_eq!(read(d.path().join("sh/results.csv")), csv);
    assert_eq!(std::fs::read(d.path().join("sh/results.parquet")).unwrap(), std::fs::read(d.path().join("w/results.parquet")).unwrap());
}

#[test]
fn parquet_of_a_surface_run_is_refused_before_anything_is_written() {
    let d = tempfile::tempdir().unwrap();
    let s = common::root().join("scenarios/full-face.toml");
    let err = bad_input(&needlesim(d.path(), &["run", s.to_str().unwrap(), "--out", "o", "--format", "parquet"]));
    assert!(err.contains("--format") && err.contains("surface"), "{err}");
    assert!(!d.path().join("o").exists());
}
