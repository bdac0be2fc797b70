//! Custom needle layouts from a file, read at the edge.
//!
//! - **CSV** (`.csv`): a header naming `x_mm` and `y_mm` (any order, other columns ignored),
//!   then one needle per line, mm in the cartridge frame. UTF-8 BOM, CRLF and blank lines
//!   are accepted.
//! - **TOML** (any other extension): `needles_mm = [[x, y], …]`, nothing else.
//!
//! Strict: a number that does not parse, a missing column, no needles, or two needles closer
//! than one needle diameter (they would touch) is refused, naming the file and line(s).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::io::output::punctures_csv;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutToml {
    needles_mm: Vec<toml::Spanned<[f64; 2]>>,
}

/// Read needle centres `[x_mm, y_mm]` from `path`; `needle_diameter_mm` is the needle size
/// used for the overlap check.
pub fn read(path: &Path, needle_diameter_mm: f64) -> Result<Vec<[f64; 2]>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path, needle_diameter_mm)
}

/// Parse layout text; the extension of `path` picks the format.
pub fn parse(text: &str, path: &Path, needle_diameter_mm: f64) -> Result<Vec<[f64; 2]>> {
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows: Vec<(usize, f64, f64)> = if is_csv {
        punctures_csv::read_xy_lines(text, path)?
    } else {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: LayoutToml = toml::from_str(text).map_err(|e| Error::parse(path, e.to_string().trim_end()))?;
        file.needles_mm
            .iter()
            .map(|s| {
                let line = text[..s.span().start].matches('\n').count() + 1;
                let [x, y] = *s.get_ref();
                (line, x, y)
            })
            .collect()
    };
    if rows.is_empty() {
        return Err(Error::parse(path, "no needles: expected at least one x_mm,y_mm row"));
    }
    for &(line, x, y) in &rows {
        if !(x.is_finite() && y.is_finite() && x.hypot(y) <= 50.0) {
            return Err(Error::parse(
                path,
                format!("line {line}: needle at ({x}, {y}): allowed is a finite offset within 50 mm of the axis"),
            ));
        }
    }
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let d = (a.1 - b.1).hypot(a.2 - b.2);
            if d < needle_diameter_mm {
                return Err(Error::parse(
                    path,
                    format!(
                        "lines {} and {}: needles {d:.4} mm apart overlap; allowed: at least one needle diameter ({needle_diameter_mm} mm) apart",
                        a.0, b.0
                    ),
                ));
            }
        }
    }
    Ok(rows.into_iter().map(|(_, x, y)| [x, y]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_toml_give_the_same_needles() {
        let csv = parse("\u{feff}needle,x_mm,y_mm\r\n0,0,0\r\n\r\n1,0.5,0\r\n2,0,0.5\r\n", Path::new("a.csv"), 0.18).unwrap();
        let toml = parse("needles_mm = [\n  [0, 0],\n  [0.5, 0],\n  [0, 0.5],\n]\n", Path::new("a.toml"), 0.18).unwrap();
        assert_eq!(csv, vec![[0.0, 0.0], [0.5, 0.0], [0.0, 0.5]]);
        assert_eq!(csv, toml);
    }

    #[test]
    fn overlapping_needles_name_both_lines() {
        let msg = parse("x_mm,y_mm\n0,0\n1,0\n1.1,0\n", Path::new("l.csv"), 0.18).unwrap_err().to_string();
        assert!(msg.contains("l.csv") && msg.contains("lines 3 and 4") && msg.contains("0.18 mm"), "{msg}");
        let msg = parse("needles_mm = [\n [0, 0],\n [0.05, 0],\n]\n", Path::new("l.toml"), 0.18).unwrap_err().to_string();
        assert!(msg.contains("lines 2 and 3"), "{msg}");
    }

    #[test]
    fn bad_numbers_empty_files_and_unknown_keys_are_refused() {
        let msg = parse("x_mm,y_mm\n0,0\n1,zz\n", Path::new("l.csv"), 0.18).unwrap_err().to_string();
        assert!(msg.contains("line 3") && msg.contains("zz"), "{msg}");
        assert!(parse("x_mm,y_mm\n", Path::new("l.csv"), 0.18).unwrap_err().to_string().contains("no needles"));
        assert!(parse("needles = []\n", Path::new("l.toml"), 0.18).is_err());
        assert!(parse("x_mm,y_mm\n0,nan\n", Path::new("l.csv"), 0.18).is_err());
        assert!(parse("x_mm,y_mm\n0,80\n", Path::new("l.csv"), 0.18).unwrap_err().to_string().contains("within 50 mm"));
    }
}
