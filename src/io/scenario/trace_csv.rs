//! Trace CSV: a recorded pen trajectory, `[stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg]`.
//!
//! Strict: a header naming exactly these columns (any order; `stroke`, `pass` and
//! `tilt_deg` optional), one sample per line, every value a finite number, times strictly
//! increasing through the file, every point on the map, |tilt| ≤ 80°. Errors name the file
//! and the line. A UTF-8 BOM and CRLF line ends are accepted; blank lines and lines starting
//! with `#` are skipped.
//!
//! **Strokes and passes.** Without `stroke` and `pass` columns the file is one continuous
//! recording (the pen down throughout; every trace pass replays all of it) and no gap
//! between samples may exceed `max_gap_s`. `stroke` (a whole number) cuts it into pen-down
//! strokes: consecutive rows with the same id are one stroke, the pen is lifted between
//! strokes, and an id may not reappear after another stroke. `pass` (a whole number
//! 0–[`MAX_PASSES`]` − 1`) says which pass of the scenario replays the row; a stroke stays in
//! one pass, and without a `stroke` column each run of rows with the same pass is a stroke.
//! The gap limit then applies within a stroke only. This is what `needlesim serve` exports.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::MAX_TILT_DEG;
use crate::raster::accumulate::MAX_PASSES;
use crate::technique::trajectory::{TraceStroke, Trajectory};

/// The header the writer uses for a continuous recording (with the optional tilt column).
pub const HEADER: &str = "t_s,x_mm,y_mm,tilt_deg";
/// Every column the reader knows, in the writer's order.
pub const COLUMNS: [&str; 6] = ["stroke", "pass", "t_s", "x_mm", "y_mm", "tilt_deg"];

/// What a trace must satisfy besides being well-formed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRules {
    /// Largest time between two samples of a stroke, s.
    pub max_gap_s: f64,
    /// Every point must lie in this rectangle (closed), mm.
    pub map: Rect,
}

/// True when `p` lies on `map` as a trace point must (the closed rectangle).
pub fn on_map(map: &Rect, p: Vec2) -> bool {
    p.x >= map.x0 && p.x <= map.x1 && p.y >= map.y0 && p.y <= map.y1
}

/// Parse trace CSV text; `path` is used in messages.
pub fn read(text: &str, path: &Path, rules: &TraceRules) -> Result<Trajectory> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line: usize, msg: String| Error::parse(path, format!("line {line}: {msg}"));
    let mut lines =
        text.lines().enumerate().map(|(n, l)| (n + 1, l)).filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (hline, header) =
        lines.next().ok_or_else(|| Error::parse(path, "empty file: expected a header [stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg]"))?;
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if let Some(c) = cols.iter().find(|c| !COLUMNS.contains(c)) {
        return Err(err(hline, format!("unknown column {c:?}: allowed are stroke, pass, t_s, x_mm, y_mm and tilt_deg")));
    }
    let find = |name: &str| cols.iter().position(|c| *c == name);
    let (Some(ti), Some(xi), Some(yi)) = (find("t_s"), find("x_mm"), find("y_mm")) else {
        return Err(err(hline, format!("header {header:?} lacks t_s, x_mm or y_mm; expected [stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg]")));
    };
    if cols.iter().enumerate().any(|(i, c)| cols[..i].contains(c)) {
        return Err(err(hline, format!("header {header:?} repeats a column")));
    }
    let (tilt_i, stroke_i, pass_i) = (find("tilt_deg"), find("stroke"), find("pass"));
    let continuous = stroke_i.is_none() && pass_i.is_none();
    let (mut t, mut xy, mut tilt) = (Vec::new(), Vec::new(), Vec::new());
    let mut strokes: Vec<TraceStroke> = Vec::new();
    // Line of each stroke's last row, by id (to name where an id that reappears ended).
    let mut ended: HashMap<u64, usize> = HashMap::new();
    // (line, time) of the previous row, and the line of the current stroke's first row.
    let mut prev: Option<(usize, f64)> = None;
    let mut stroke_line = 0;
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
        let id = match stroke_i {
            Some(i) => Some(
                fields[i]
                    .parse::<u64>()
                    .map_err(|_| err(n, format!("stroke = {:?}: allowed is a whole number ≥ 0 (a stroke id)", fields[i])))?,
            ),
            None => None,
        };
        let pass = match pass_i {
            Some(i) => Some(
                fields[i]
                    .parse::<u16>()
                    .ok()
                    .filter(|&p| (p as usize) < MAX_PASSES)
                    .ok_or_else(|| err(n, format!("pass = {:?}: allowed is a whole number 0–{}", fields[i], MAX_PASSES - 1)))?,
            ),
            None => None,
        };
        let (ts, x, y) = (get(ti)?, get(xi)?, get(yi)?);
        // Does this row start a new stroke? (The first row always does.)
        let new_stroke = match strokes.last() {
            None => true,
            Some(cur) if id.is_some() => id != cur.id,
            Some(cur) => pass != cur.pass,
        };
        if let (Some(cur), Some(i)) = (strokes.last(), id) {
            if new_stroke && let Some(&last) = ended.get(&i) {
                let c = cur.id.expect("a stroke column: every stroke has an id");
                return Err(err(
                    n,
                    format!(
                        "stroke {i} reappears after stroke {c} (line {stroke_line}): its rows ended at line {last}; a stroke's rows must be consecutive"
                    ),
                ));
            }
            if let (false, Some(p), Some(q)) = (new_stroke, pass, cur.pass)
                && p != q
            {
                return Err(err(n, format!("pass = {p} but stroke {i} is in pass {q} (line {stroke_line}): a stroke stays in one pass")));
            }
        }
        if let Some((pl, pt)) = prev {
            if ts <= pt {
                return Err(err(n, format!("t_s = {ts} does not come after {pt} (line {pl}): times must increase strictly")));
            }
            if !new_stroke && ts - pt > rules.max_gap_s {
                let within = if continuous { "" } else { " within a stroke" };
                return Err(err(
                    n,
                    format!(
                        "a gap of {:.4} s after line {pl}: allowed is at most trace.max_gap_s = {} s{within}",
                        ts - pt,
                        rules.max_gap_s
                    ),
                ));
            }
        }
        let m = rules.map;
        if !on_map(&m, Vec2::new(x, y)) {
            return Err(err(n, format!("point ({x}, {y}) is off the map: allowed is x {}–{} mm, y {}–{} mm", m.x0, m.x1, m.y0, m.y1)));
        }
        if let Some(i) = tilt_i {
            let a = get(i)?;
            if a.abs() > MAX_TILT_DEG {
                return Err(err(n, format!("tilt_deg = {a}: allowed is |tilt| ≤ {MAX_TILT_DEG} degrees from perpendicular")));
            }
            tilt.push(a);
        }
        if new_stroke {
            if let Some(i) = strokes.last().and_then(|cur| cur.id) {
                ended.insert(i, prev.map_or(0, |(pl, _)| pl));
            }
            strokes.push(TraceStroke { id, pass, samples: t.len()..t.len() });
            stroke_line = n;
        }
        strokes.last_mut().expect("pushed above").samples.end += 1;
        prev = Some((n, ts));
        t.push(ts);
        xy.push(Vec2::new(x, y));
    }
    let tilt = tilt_i.map(|_| tilt);
    if continuous {
        if t.len() < 2 {
            return Err(Error::parse(path, format!("{} samples: a trace needs at least 2", t.len())));
        }
        Trajectory::new(t, xy, tilt)
    } else {
        if t.is_empty() {
            return Err(Error::parse(path, "0 samples: a trace needs at least 1"));
        }
        Trajectory::with_strokes(t, xy, tilt, strokes)
    }
    .map_err(|e| Error::parse(path, e.to_string()))
}

/// Write a trajectory as trace CSV (values in Rust's shortest round-trip form, so reading
/// it back gives the same numbers): `stroke` and `pass` columns when its strokes carry ids
/// and passes, `tilt_deg` when it has a tilt.
pub fn write(traj: &Trajectory) -> String {
    let ids = traj.has_stroke_ids();
    let passes = traj.pass_count().is_some();
    let present = [ids, passes, true, true, true, traj.has_tilt()];
    let header: Vec<&str> = COLUMNS.iter().zip(present).filter(|(_, p)| *p).map(|(c, _)| *c).collect();
    let mut out = header.join(",");
    out.push('\n');
    let (times, points) = (traj.times_s(), traj.points_mm());
    for s in traj.strokes() {
        for i in s.samples.clone() {
            if let Some(id) = s.id {
                out.push_str(&format!("{id},"));
            }
            if let Some(p) = s.pass {
                out.push_str(&format!("{p},"));
            }
            out.push_str(&format!("{},{},{}", times[i], points[i].x, points[i].y));
            if let Some(a) = traj.tilt_at_sample(i) {
                out.push_str(&format!(",{a}"));
            }
            out.push('\n');
        }
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
            assert_refused(text, needles);
        }
    }

    /// `text` is refused with an error naming the file and containing every needle.
    fn assert_refused(text: &str, needles: &[&str]) {
        let e = read_str(text).unwrap_err().to_string();
        assert!(e.contains("trace.csv"), "{e}");
        for n in needles {
            assert!(e.contains(n), "{text:?}: {e} lacks {n:?}");
        }
    }

    /// Each bad trace with strokes or passes names the file, the line and what is allowed.
    #[test]
    fn refuses_bad_strokes_and_passes_with_the_line() {
        for (text, needles) in [
            ("stroke,t_s,x_mm,y_mm\n1,0,1,1\n1.5,0.05,2,2\n", &["line 3", "stroke = \"1.5\"", "whole number"][..]),
            ("stroke,t_s,x_mm,y_mm\n-1,0,1,1\n", &["line 2", "stroke = \"-1\"", "whole number ≥ 0"]),
            ("stroke,t_s,x_mm,y_mm\n,0,1,1\n", &["line 2", "stroke = \"\""]),
            ("pass,t_s,x_mm,y_mm\n0,0,1,1\nsecond,0.05,2,2\n", &["line 3", "pass = \"second\"", "0–31"]),
            ("pass,t_s,x_mm,y_mm\n32,0,1,1\n", &["line 2", "pass = \"32\"", "0–31"]),
            ("pass,t_s,x_mm,y_mm\n1.0,0,1,1\n", &["line 2", "pass = \"1.0\""]),
            // Stroke 1 reappears after stroke 2: named at its line, with where it ended.
            (
                "stroke,t_s,x_mm,y_mm\n1,0,1,1\n1,0.05,2,2\n2,1,3,3\n1,2,4,4\n",
                &["line 5", "stroke 1 reappears after stroke 2 (line 4)", "ended at line 3", "consecutive"],
            ),
            (
                "stroke,pass,t_s,x_mm,y_mm\n1,0,0,1,1\n1,1,0.05,2,2\n",
                &["line 3", "pass = 1 but stroke 1 is in pass 0 (line 2)", "one pass"],
            ),
            // Time must increase through the whole file, across strokes too.
            ("stroke,t_s,x_mm,y_mm\n1,0,1,1\n1,0.05,2,2\n2,0.04,3,3\n", &["line 4", "t_s = 0.04", "(line 3)", "increase strictly"]),
            ("stroke,t_s,x_mm,y_mm\n1,0,1,1\n2,0,3,3\n", &["line 3", "increase strictly"]),
            // The gap limit holds within a stroke.
            (
                "stroke,t_s,x_mm,y_mm\n1,0,1,1\n2,5,3,3\n2,5.5,3,4\n",
                &["line 4", "gap of 0.5000 s", "trace.max_gap_s = 0.1", "within a stroke"],
            ),
            ("pass,t_s,x_mm,y_mm\n0,0,1,1\n0,0.3,3,3\n", &["line 3", "gap", "within a stroke"]),
            ("stroke,t_s,x_mm,y_mm\n1,0,1,1\n2,0.05,20,3\n", &["line 3", "off the map"]),
            ("stroke,t_s,x_mm,y_mm,tilt_deg\n1,0,1,1,0\n1,0.05,2,2\n", &["line 3", "4 fields, expected 5"]),
            ("stroke,stroke,t_s,x_mm,y_mm\n", &["line 1", "repeats a column"]),
            ("stroke,pass,t_s,x_mm,y_mm,needles\n", &["line 1", "unknown column \"needles\"", "stroke, pass, t_s"]),
            ("stroke,pass,t_s,x_mm,y_mm\n# nothing\n", &["0 samples", "at least 1"]),
        ] {
            assert_refused(text, needles);
        }
    }

    #[test]
    fn strokes_are_runs_of_one_id_and_the_pen_lifts_between_them() {
        // Stroke ids need not increase; a long pause between strokes is a lift, not a gap;
        // a stroke of one sample is a tap.
        let t = read_str("stroke,pass,t_s,x_mm,y_mm\n7,1,0,1,1\n7,1,0.05,2,1\n3,0,4,5,5\n9,1,9,6,6\n9,1,9.1,6,7\n").unwrap();
        assert!(!t.is_continuous() && t.has_stroke_ids());
        let got: Vec<(Option<u64>, Option<u16>, std::ops::Range<usize>)> =
            t.strokes().iter().map(|s| (s.id, s.pass, s.samples.clone())).collect();
        assert_eq!(got, vec![(Some(7), Some(1), 0..2), (Some(3), Some(0), 2..3), (Some(9), Some(1), 3..5)]);
        assert_eq!(t.pass_count(), Some(2));
        assert_eq!(t.strokes_in_pass(1).map(|s| s.id.unwrap()).collect::<Vec<_>>(), vec![7, 9]);
        assert_eq!(t.strokes_in_pass(0).count(), 1);
        // A pass column alone: each run of one pass is a stroke (the pen lifts when the pass
        // changes), and a pass may come back.
        let t = read_str("pass,t_s,x_mm,y_mm\n0,0,1,1\n0,0.05,2,1\n1,3,1,2\n0,6,1,3\n").unwrap();
        let got: Vec<(Option<u64>, Option<u16>, std::ops::Range<usize>)> =
            t.strokes().iter().map(|s| (s.id, s.pass, s.samples.clone())).collect();
        assert_eq!(got, vec![(None, Some(0), 0..2), (None, Some(1), 2..3), (None, Some(0), 3..4)]);
        // A stroke column alone: every trace pass replays every stroke.
        let t = read_str("stroke,t_s,x_mm,y_mm\n1,0,1,1\n").unwrap();
        assert_eq!((t.len(), t.pass_count(), t.strokes_in_pass(5).count()), (1, None, 1));
        // Without either column: one continuous recording, as before.
        let t = read_str("t_s,x_mm,y_mm\n0,1,1\n0.05,2,1\n").unwrap();
        assert!(t.is_continuous());
    }

    #[test]
    fn strokes_and_passes_round_trip() {
        let text = "stroke,pass,t_s,x_mm,y_mm,tilt_deg\n4,0,0.1,1.25,3,5\n4,0,0.15,1.0000000000000002,3.5,-2.5\n5,2,7.3,9,9,0\n";
        let t = read_str(text).unwrap();
        assert_eq!(write(&t), text);
        assert_eq!(read_str(&write(&t)).unwrap(), t);
        let t = read_str("pass,t_s,x_mm,y_mm\n1,0,1,1\n").unwrap();
        assert_eq!(write(&t), "pass,t_s,x_mm,y_mm\n1,0,1,1\n");
    }

    #[test]
    fn write_then_read_round_trips() {
        let t = read_str("t_s,x_mm,y_mm,tilt_deg\n0.1,1.25,3,5\n0.15,1.0000000000000002,3.5,-2.5\n").unwrap();
        assert_eq!(read_str(&write(&t)).unwrap(), t);
    }
}
