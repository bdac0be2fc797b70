//! `punctures.csv`: one row per puncture, and a reader for any puncture CSV.
//!
//! Columns written: `pass,stamp,needle,x_mm,y_mm,depth_mm,t_s` (mm to 1 nm, s to 1 µs), then,
//! only when some puncture is tilted or dragged (a real hand or a contact duty),
//! `tilt_deg,tilt_azimuth_deg,drag_x_mm,drag_y_mm`: an ideal run's file is unchanged.
//! The reader needs only `x_mm` and `y_mm` columns, in any order; other columns are ignored.
//! It accepts a UTF-8 BOM and CRLF line ends; blank lines are skipped.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::needle::puncture::Puncture;

pub const HEADER: &str = "pass,stamp,needle,x_mm,y_mm,depth_mm,t_s";
/// Columns appended when a run has tilted or dragged punctures.
pub const SHAPE_COLUMNS: &str = "tilt_deg,tilt_azimuth_deg,drag_x_mm,drag_y_mm";

/// Write punctures as CSV.
pub fn write(w: &mut impl Write, punctures: &[Puncture]) -> std::io::Result<()> {
    write_with(w, punctures, &[], |_, _| Ok(()))
}

/// Write punctures as CSV with `extra` columns after the standard (and shape) ones (the
/// contract: add columns at the end only); `cells(i, w)` writes puncture `i`'s extra fields,
/// each preceded by a comma.
pub fn write_with<W: Write>(
    w: &mut W,
    punctures: &[Puncture],
    extra: &[&str],
    mut cells: impl FnMut(usize, &mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let shaped = punctures.iter().any(|p| !p.is_disk());
    write!(w, "{HEADER}")?;
    if shaped {
        write!(w, ",{SHAPE_COLUMNS}")?;
    }
    for name in extra {
        write!(w, ",{name}")?;
    }
    writeln!(w)?;
    for (i, p) in punctures.iter().enumerate() {
        write!(w, "{},{},{},{:.6},{:.6},{:.4},{:.6}", p.pass, p.stamp, p.needle, p.x_mm, p.y_mm, p.depth_mm, p.t_s)?;
        if shaped {
            write!(w, ",{:.4},{:.4},{:.6},{:.6}", p.tilt_deg, p.tilt_azimuth_deg, p.drag_x_mm, p.drag_y_mm)?;
        }
        cells(i, w)?;
        writeln!(w)?;
    }
    Ok(())
}

/// Read puncture centres `(x_mm, y_mm)` from CSV text; `path` is used in messages.
pub fn read_xy(text: &str, path: &Path) -> Result<Vec<(f64, f64)>> {
    Ok(read_xy_lines(text, path)?.into_iter().map(|(_, x, y)| (x, y)).collect())
}

/// As [`read_xy`], each point with its 1-based line number in the file.
pub fn read_xy_lines(text: &str, path: &Path) -> Result<Vec<(usize, f64, f64)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::parse(path, "empty file: expected a header with x_mm,y_mm"))?;
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let find = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .ok_or_else(|| Error::parse(path, format!("line 1: header {header:?} has no column {name}; needed: x_mm,y_mm")))
    };
    let (xi, yi) = (find("x_mm")?, find("y_mm")?);
    let mut out = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |i: usize, name: &str| -> Result<f64> {
            let raw = fields
                .get(i)
                .ok_or_else(|| Error::parse(path, format!("line {}: {} fields, expected at least {}", n + 1, fields.len(), i + 1)))?;
            let v: f64 = raw.parse().map_err(|_| Error::parse(path, format!("line {}: {name} = {raw:?} is not a number", n + 1)))?;
            if !v.is_finite() || v.abs() > 1.0e6 {
                return Err(Error::parse(path, format!("line {}: {name} = {raw}: allowed is a finite value within ±1e6 mm", n + 1)));
            }
            Ok(v)
        };
        out.push((n + 1, get(xi, "x_mm")?, get(yi, "y_mm")?));
    }
    Ok(out)
}
