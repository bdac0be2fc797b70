//! Trace CSV: a recorded pen trajectory, `t_s,x_mm,y_mm[,tilt_deg]`.
//!
//! Strict: a header naming exactly these columns (any order, `tilt_deg` optional), one
//! sample per line, every value a finite number, times strictly increasing, no gap between
//! samples longer than `max_gap_s`, every point on the map, |tilt| ≤ 80°. Errors name the
//! file and the line. A UTF-8 BOM and CRLF line ends are accepted; blank lines and lines
//! starting with `#` are skipped.

use std::path::Path;

use crate::error::{Error, Result};
use crate::footprint::MAX_TILT_DEG;
use crate::geometry::{Rect, Vec2};
use crate::trajectory::Trajectory;

/// The header the writer uses (with the optional tilt column).
pub const HEADER: &str = "t_s,x_mm,y_mm,tilt_deg";

/// What a trace must satisfy besides being well-formed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRules {
    /// Largest time between two samples, s.
    pub max_gap_s: f64,
    /// Every point must lie in this rectangle (closed), mm.
    pub map: Rect,
}

/// Parse trace CSV text; `path` is used in messages.
pub fn read(text: &str, path: &Path, rules: &TraceRules) -> Result<Trajectory> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line: usize, msg: String| Error::parse(path, format!("line {line}: {msg}"));
    let mut lines = text.lines().enumerate().map(|(n, l)| (n + 1, l)).filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (hline, header) = lines.next().ok_or_else(|| Error::parse(path, "empty file: expected a header t_s,x_mm,y_mm[,tilt_deg]"))?;
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if let Some(c) = cols.iter().find(|c| !["t_s", "x_mm", "y_mm", "tilt_deg"].contains(c)) {
        return Err(err(hline, format!("unknown column {c:?}: allowed are t_s, x_mm, y_mm and tilt_deg")));
    }
    let find = |name: &str| cols.iter().position(|c| *c == name);
    let (Some(ti), Some(xi), Some(yi)) = (find("t_s"), find("x_mm"), find("y_mm")) else {
        return Err(err(hline, format!("header {header:?} lacks t_s, x_mm or y_mm; expected t_s,x_mm,y_mm[,tilt_deg]")));
    };
    if cols.iter().enumerate().any(|(i, c)| cols[..i].contains(c)) {
        return Err(err(hline, format!("header {header:?} repeats a column")));
    }
    let tilt_i = find("tilt_deg");
    let (mut t, mut xy, mut tilt) = (Vec::new(), Vec::new(), Vec::new());
    let mut prev: Option<(usize, f64)> = None;
    for (n, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != cols.len() {
            return Err(err(n, format!("{} fields, expected {} ({header})", fields.len(), cols.len())));
        }
        let get = |i: usize| -> Result<f64> {
            let v: f64 = fields[i].parse().map_err(|_| err(n, format!("{} = {:?} is not a number", cols[i], fields[i])))?;
            if !v.is_finite() {
                return Err(err(n, format!("{} = {}: allowed is a finite number", cols[i], fields[i])));
            }
            Ok(v)
        };
        let (ts, x, y) = (get(ti)?, get(xi)?, get(yi)?);
        if let Some((pl, pt)) = prev {
            if ts <= pt {
                return Err(err(n, format!("t_s = {ts} does not come after {pt} (line {pl}): times must increase strictly")));
            }
            if ts - pt > rules.max_gap_s {
                return Err(err(n, format!("a gap of {:.4} s after line {pl}: allowed is at most trace.max_gap_s = {} s", ts - pt, rules.max_gap_s)));
            }
        }
        let m = rules.map;
        if !(x >= m.x0 && x <= m.x1 && y >= m.y0 && y <= m.y1) {
            return Err(err(n, format!("point ({x}, {y}) is off the map: allowed is x {}–{} mm, y {}–{} mm", m.x0, m.x1, m.y0, m.y1)));
        }
        if let Some(i) = tilt_i {
            let a = get(i)?;
            if a.abs() > MAX_TILT_DEG {
                return Err(err(n, format!("tilt_deg = {a}: allowed is |tilt| ≤ {MAX_TILT_DEG} degrees from perpendicular")));
            }
            tilt.push(a);
        }
        prev = Some((n, ts));
        t.push(ts);
        xy.push(Vec2::new(x, y));
    }
    if t.len() < 2 {
        return Err(Error::parse(path, format!("{} samples: a trace needs at least 2", t.len())));
    }
    Trajectory::new(t, xy, tilt_i.map(|_| tilt)).map_err(|e| Error::parse(path, e.to_string()))
}

/// Write a trajectory as trace CSV (values in Rust's shortest round-trip form, so reading
/// it back gives the same numbers).
pub fn write(traj: &Trajectory) -> String {
    let mut out = String::from(if traj.has_tilt() { HEADER } else { "t_s,x_mm,y_mm" });
    out.push('\n');
    for (i, (t, p)) in traj.times_s().iter().zip(traj.points_mm()).enumerate() {
        out.push_str(&format!("{t},{},{}", p.x, p.y));
        if let Some(a) = traj.tilt_at_sample(i) {
            out.push_str(&format!(",{a}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TraceRules {
        TraceRules { max_gap_s: 0.1, map: Rect::new(0.0, 0.0, 10.0, 10.0) }
    }
    fn read_str(s: &str) -> Result<Trajectory> {
        read(s, Path::new("trace.csv"), &rules())
    }

    #[test]
    fn accepts_bom_crlf_comments_and_any_column_order() {
        let t = read_str("\u{feff}# made by hand\r\ny_mm,t_s,x_mm\r\n1,0,2\r\n\r\n1,0.05,3\r\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.points_mm()[1], Vec2::new(3.0, 1.0));
        assert!(!t.has_tilt());
    }

    /// Each bad trace names the file, the line and what is allowed.
    #[test]
    fn refuses_bad_traces_with_the_line() {
        for (text, needles) in [
            ("t_s,x_mm,y_mm\n0,1,1\n0.05,2,2\n0.04,3,3\n", &["line 4", "0.04", "line 3", "increase strictly"][..]),
            ("t_s,x_mm,y_mm\n0,1,1\n0.05,NaN,2\n", &["line 3", "x_mm", "NaN", "finite"]),
            ("t_s,x_mm,y_mm\n0,1,1\n0.5,2,2\n", &["line 3", "gap", "trace.max_gap_s = 0.1"]),
            ("t_s,x_mm,y_mm\n0,1,1\n0.05,12,2\n", &["line 3", "off the map", "x 0–10"]),
            ("t_s,x_mm,y_mm,tilt_deg\n0,1,1,0\n0.05,2,2,95\n", &["line 3", "tilt_deg = 95", "80"]),
            ("t_s,x_mm,y_mm\n0,1,1\n0.05,2\n", &["line 3", "2 fields, expected 3"]),
            ("t_s,x_mm,y_mm\n0,1,1\n0.05,2,oops\n", &["line 3", "y_mm", "oops"]),
            ("t_s,x_mm,y,tilt\n", &["line 1", "unknown column \"y\""]),
            ("t_s,x_mm\n", &["line 1", "lacks"]),
            ("t_s,x_mm,y_mm\n0,1,1\n", &["1 samples", "at least 2"]),
            ("", &["empty file"]),
        ] {
            let e = read_str(text).unwrap_err().to_string();
            assert!(e.contains("trace.csv"), "{e}");
            for n in needles {
                assert!(e.contains(n), "{text:?}: {e} lacks {n:?}");
            }
        }
    }

    #[test]
    fn write_then_read_round_trips() {
        let t = read_str("t_s,x_mm,y_mm,tilt_deg\n0.1,1.25,3,5\n0.15,1.0000000000000002,3.5,-2.5\n").unwrap();
        assert_eq!(read_str(&write(&t)).unwrap(), t);
    }
}
