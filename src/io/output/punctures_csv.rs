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
use crate::face::simulation::{FaceRunResult, FaceSimulation, layers_of};
use crate::geometry::Vec2;
use crate::needle::puncture::Puncture;
use crate::raster::domain::NO_LABEL;

pub const HEADER: &str = "pass,stamp,needle,x_mm,y_mm,depth_mm,t_s";
/// Columns appended when a run has tilted or dragged punctures.
pub const SHAPE_COLUMNS: &str = "tilt_deg,tilt_azimuth_deg,drag_x_mm,drag_y_mm";

/// Write punctures as CSV.
pub fn write(w: &mut impl Write, punctures: &[Puncture]) -> std::io::Result<()> {
    write_with(w, punctures, &[], |_, _| Ok(()))
}

/// Rows per batch: a batch's rows are formatted in parallel pieces of [`PIECE_ROWS`], then
/// written in order, so at most a batch's text (≈ 10 MB) is held in memory at once.
const BATCH_ROWS: usize = 1 << 17;
/// Rows formatted by one task.
const PIECE_ROWS: usize = 1 << 12;

/// Write punctures as CSV with `extra` columns after the standard (and shape) ones (the
/// contract: add columns at the end only); `cells(i, row)` appends puncture `i`'s extra
/// fields to its row, each preceded by a comma. Rows are formatted in parallel pieces and
/// written in order: the bytes do not depend on the thread count.
pub fn write_with<W: Write>(
    w: &mut W,
    punctures: &[Puncture],
    extra: &[&str],
    cells: impl Fn(usize, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let shaped = punctures.par_iter().any(|p| !p.is_disk());
    write_header(w, shaped, extra)?;
    let fill = |out: &mut Vec<u8>, first: usize, rows: &[Puncture]| -> std::io::Result<()> {
        out.clear();
        for (k, p) in rows.iter().enumerate() {
            push_row(out, p, shaped);
            cells(first + k, out)?;
            out.push(b'\n');
        }
        Ok(())
    };
    // One text buffer per piece, reused by every batch: the pages are touched once.
    let mut texts: Vec<Vec<u8>> = Vec::new();
    for (b, batch) in punctures.chunks(BATCH_ROWS).enumerate() {
        let first = b * BATCH_ROWS;
        let pieces = batch.len().div_ceil(PIECE_ROWS);
        if texts.len() < pieces {
            texts.resize_with(pieces, || Vec::with_capacity(PIECE_ROWS * if shaped { 128 } else { 96 }));
        }
        texts[..pieces]
            .par_iter_mut()
            .zip(batch.par_chunks(PIECE_ROWS))
            .enumerate()
            .try_for_each(|(k, (out, rows))| fill(out, first + k * PIECE_ROWS, rows))?;
        for text in &texts[..pieces] {
            w.write_all(text)?;
        }
    }
    Ok(())
}

/// The header line: the standard columns, the shape columns when `shaped` (some puncture is
/// not an ideal disk), then `extra`.
pub fn write_header(w: &mut impl Write, shaped: bool, extra: &[&str]) -> std::io::Result<()> {
    let mut head = String::from(HEADER);
    if shaped {
        head += ",";
        head += SHAPE_COLUMNS;
    }
    for name in extra {
        head += ",";
        head += name;
    }
    head += "\n";
    w.write_all(head.as_bytes())
}

/// Append a puncture's standard columns (and, when `shaped`, its shape columns); numbers by
/// [`push_fixed`] (the bytes of `{:.N}`, without the formatting machinery).
pub fn push_row(row: &mut Vec<u8>, p: &Puncture, shaped: bool) {
    push_uint(row, p.pass as u64);
    row.push(b',');
    push_uint(row, p.stamp as u64);
    row.push(b',');
    push_uint(row, p.needle as u64);
    for (v, prec) in [(p.x_mm, 6), (p.y_mm, 6), (p.depth_mm, 4), (p.t_s, 6)] {
        row.push(b',');
        push_fixed(row, v, prec);
    }
    if shaped {
        // f32 → f64 is exact, and `{:.N}` prints the exact value of either.
        for (v, prec) in [(p.tilt_deg, 4), (p.tilt_azimuth_deg, 4), (p.drag_x_mm, 6), (p.drag_y_mm, 6)] {
            row.push(b',');
            push_fixed(row, v as f64, prec);
        }
    }
}

/// Extra columns of a face session's `punctures.csv`.
pub const FACE_COLUMNS: [&str; 4] = ["region", "landed_in", "real_depth_mm", "layer"];

/// A face session's `punctures.csv`: the patch columns, then [`FACE_COLUMNS`]: the region
/// the treatment aimed at, the region under the needle's centre (`no_go:<zone>`,
/// `off_map`), the real depth and the deepest layer reached (empty off every region).
pub fn write_face<W: std::io::Write>(w: &mut W, sim: &FaceSimulation, r: &FaceRunResult) -> std::io::Result<()> {
    let map = &sim.map;
    let mut aimed = vec![0u16; r.run.punctures.len()];
    for (t, run) in sim.treatments.iter().zip(&r.treatments) {
        aimed[run.punctures.clone()].fill(t.region);
    }
    let layers = layers_of(map, &r.landed, &r.real_depth_mm);
    let pts = &r.run.punctures;
    write_with(w, pts, &FACE_COLUMNS, |i, row| {
        row.push(b',');
        row.extend_from_slice(map.region(aimed[i]).name.as_bytes());
        row.push(b',');
        match r.landed[i] {
            NO_LABEL => match map.no_go_at(Vec2::new(pts[i].x_mm, pts[i].y_mm)) {
                Some(k) => {
                    row.extend_from_slice(b"no_go:");
                    row.extend_from_slice(map.no_go_names()[k].as_bytes());
                }
                None => row.extend_from_slice(b"off_map"),
            },
            l => row.extend_from_slice(map.region(l).name.as_bytes()),
        }
        row.push(b',');
        push_fixed(row, r.real_depth_mm[i], 4);
        row.push(b',');
        row.extend_from_slice(layers[i].map_or("", |l| l.name()).as_bytes());
        Ok(())
    })
}

/// Append the decimal digits of `v`.
fn push_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut k = buf.len();
    loop {
        k -= 1;
        buf[k] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[k..]);
}

/// Append `x` with `prec` decimals, byte for byte what `format!("{x:.prec$}")` gives: the
/// exact binary value rounded half to even on its decimal expansion, a `-` for every
/// negative sign bit (−0.0 and negatives that round to zero included).
///
/// Exact integer arithmetic: `|x| = m · 2^e` with a 53-bit `m`, so `|x| · 10^prec` is
/// `m · 10^prec` (< 2^83 for `prec` ≤ 9) shifted by `e`, and the shifted-out bits decide
/// the rounding. Values too large for that (|x| ≥ 2^53, or a result beyond `u64`), NaN,
/// infinities and `prec` > 9 go through `format!` itself.
pub fn push_fixed(out: &mut Vec<u8>, x: f64, prec: usize) {
    const POW10: [u64; 10] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
    let bits = x.to_bits();
    let exp_field = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if prec >= POW10.len() || exp_field == 0x7ff || x.abs() >= 9_007_199_254_740_992.0 {
        use std::io::Write as _;
        let _ = write!(out, "{x:.prec$}");
        return;
    }
    // |x| = m · 2^e.
    let (m, e) = if exp_field == 0 { (frac, -1074) } else { (frac | 1u64 << 52, exp_field - 1075) };
    let num = m as u128 * POW10[prec] as u128;
    let q: u128 = if e >= 0 {
        num << e
    } else {
        let s = (-e) as u32;
        if s >= 128 {
            0 // num < 2^83: less than half of 2^s.
        } else {
            let q = num >> s;
            let rem = num & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            if rem > half || (rem == half && q & 1 == 1) { q + 1 } else { q }
        }
    };
    let Ok(q) = u64::try_from(q) else {
        use std::io::Write as _;
        let _ = write!(out, "{x:.prec$}");
        return;
    };
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let mut buf = [b'0'; 32];
    let mut k = buf.len();
    let mut v = q;
    while v != 0 {
        k -= 1;
        buf[k] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    // At least one integer digit and `prec` decimals.
    k = k.min(buf.len() - prec - 1);
    let point = buf.len() - prec;
    out.extend_from_slice(&buf[k..point]);
    if prec > 0 {
        out.push(b'.');
        out.extend_from_slice(&buf[point..]);
    }
}

/// Read puncture centres `(x_mm, y_mm)` from CSV text; `path` is used in messages.
pub fn read_xy(text: &str, path: &Path) -> Result<Vec<(f64, f64)>> {
    read_each(text, path, |_, x, y| (x, y))
}

/// As [`read_xy`], each point with its 1-based line number in the file.
pub fn read_xy_lines(text: &str, path: &Path) -> Result<Vec<(usize, f64, f64)>> {
    read_each(text, path, |n, x, y| (n, x, y))
}

/// Bytes of data lines per parallel piece: below this a file is read in one piece.
const PIECE_BYTES: usize = 1 << 18;

/// `f(line, x, y)` for each data line, in file order; no allocation per line. Large files
/// are cut into pieces at line ends and the pieces read in parallel; the first error in
/// file order is the one reported, as a serial read would.
fn read_each<T: Send>(text: &str, path: &Path, f: impl Fn(usize, f64, f64) -> T + Sync) -> Result<Vec<T>> {
    use rayon::prelude::*;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The header is the first non-blank line; data starts after it.
    let mut skipped = 0;
    let mut rest = text;
    let header = loop {
        // As `str::lines`: `\r\n` or `\n` ends a line; a last line may have neither.
        let (line, tail) = match rest.split_once('\n') {
            Some((l, t)) => (l.strip_suffix('\r').unwrap_or(l), t),
            None => (rest, ""),
        };
        if line.trim().is_empty() {
            if tail.is_empty() {
                return Err(Error::parse(path, "empty file: expected a header with x_mm,y_mm"));
            }
            (skipped, rest) = (skipped + 1, tail);
            continue;
        }
        rest = tail;
        break line;
    };
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let find = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .ok_or_else(|| Error::parse(path, format!("line 1: header {header:?} has no column {name}; needed: x_mm,y_mm")))
    };
    let (xi, yi) = (find("x_mm")?, find("y_mm")?);
    // Pieces of about PIECE_BYTES, each ending at a line end, with their first line index.
    let mut pieces = Vec::new();
    let (mut line0, mut left) = (skipped + 1, rest);
    while !left.is_empty() {
        let cut = match left.len() <= PIECE_BYTES {
            true => left.len(),
            false => left.as_bytes()[PIECE_BYTES..].iter().position(|&c| c == b'\n').map_or(left.len(), |k| PIECE_BYTES + k + 1),
        };
        let (piece, tail) = left.split_at(cut);
        pieces.push((line0, piece));
        line0 += piece.bytes().filter(|&c| c == b'\n').count();
        left = tail;
    }
    let read = |&(first, piece): &(usize, &str)| -> Result<Vec<T>> {
        let mut out = Vec::with_capacity(piece.len() / 24);
        for (k, line) in piece.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (x, y) = read_line(line, first + k + 1, xi, yi, path)?;
            out.push(f(first + k + 1, x, y));
        }
        Ok(out)
    };
    let parts: Vec<Result<Vec<T>>> =
        if pieces.len() > 1 { pieces.par_iter().map(read).collect() } else { pieces.iter().map(read).collect() };
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.as_ref().map_or(0, Vec::len)).sum());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// The `x_mm` (column `xi`) and `y_mm` (column `yi`) of data line number `n` (1-based),
/// found in one byte scan that stops after the later of the two.
fn read_line(line: &str, n: usize, xi: usize, yi: usize, path: &Path) -> Result<(f64, f64)> {
    let last = xi.max(yi);
    let (mut x_raw, mut y_raw) = (None, None);
    let (mut start, mut k) = (0, 0);
    for (i, &c) in line.as_bytes().iter().enumerate().chain(std::iter::once((line.len(), &b','))) {
        if c != b',' {
            continue;
        }
        if k == xi {
            x_raw = Some(line[start..i].trim());
        }
        if k == yi {
            y_raw = Some(line[start..i].trim());
        }
        if k == last {
            break;
        }
        (start, k) = (i + 1, k + 1);
    }
    let get = |raw: Option<&str>, i: usize, name: &str| -> Result<f64> {
        let raw = raw.ok_or_else(|| {
            let fields = line.split(',').count();
            Error::parse(path, format!("line {n}: {fields} fields, expected at least {}", i + 1))
        })?;
        let v = parse_f64(raw).ok_or_else(|| Error::parse(path, format!("line {n}: {name} = {raw:?} is not a number")))?;
        if !v.is_finite() || v.abs() > 1.0e6 {
            return Err(Error::parse(path, format!("line {n}: {name} = {raw}: allowed is a finite value within ±1e6 mm")));
        }
        Ok(v)
    };
    Ok((get(x_raw, xi, "x_mm")?, get(y_raw, yi, "y_mm")?))
}

/// `s.parse::<f64>().ok()`, with a fast path for plain decimals (`-12.345678`): at most 15
/// digits and 22 decimals make the value `m / 10^k` with both exactly representable, and
/// one IEEE division rounds it correctly, as `parse` does (Clinger's fast path). Anything
/// else goes to `parse`.
pub fn parse_f64(s: &str) -> Option<f64> {
    const POW10: [f64; 23] =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let (mut m, mut count, mut frac, mut point) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + (c - b'0') as u64;
                count += 1;
                frac += point as usize;
                if count > 15 {
                    return s.parse().ok();
                }
            }
            b'.' if !point => point = true,
            _ => return s.parse().ok(),
        }
    }
    // Digits on both sides of the point (`5.` and `.5` are left to `parse`).
    if count == 0 || frac > 22 || (point && (frac == 0 || frac == count)) {
        return s.parse().ok();
    }
    let v = m as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain serial reading: `str::lines`, the first non-blank line the header, fields
    /// by `split(',')`, numbers by `str::parse`.
    fn read_plainly(text: &str) -> Vec<(usize, f64, f64)> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().unwrap();
        let cols: Vec<&str> = header.split(',').map(str::trim).collect();
        let (xi, yi) = (cols.iter().position(|c| *c == "x_mm").unwrap(), cols.iter().position(|c| *c == "y_mm").unwrap());
        lines
            .map(|(n, l)| {
                let f: Vec<&str> = l.split(',').map(str::trim).collect();
                (n + 1, f[xi].parse().unwrap(), f[yi].parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn pieces_read_in_parallel_give_the_serial_points_and_line_numbers() {
        // Over four pieces: CRLF and LF endings, blank lines (also before the header), a
        // column order other than x, y, and no newline at the end.
        let mut text = String::from("\n \r\nid,y_mm,x_mm\r\n");
        let mut k = 0u64;
        while text.len() < 4 * PIECE_BYTES + 1000 {
            k += 1;
            let x = (k * 7919 % 100_000) as f64 / 1000.0 - 50.0;
            let y = (k * 104_729 % 100_000) as f64 / 997.0;
            text += &format!("{k},{y},{x:.4}{}", if k.is_multiple_of(3) { "\r\n" } else { "\n" });
            if k.is_multiple_of(1000) {
                text += "\n  \n";
            }
        }
        text += "0,1.5,-2.25";
        let expected = read_plainly(&text);
        assert!(expected.len() > 10_000 && text.len() > 4 * PIECE_BYTES);
        assert_eq!(read_xy_lines(&text, Path::new("p.csv")).unwrap(), expected);
        let xy: Vec<(f64, f64)> = expected.iter().map(|&(_, x, y)| (x, y)).collect();
        assert_eq!(read_xy(&text, Path::new("p.csv")).unwrap(), xy);
        // Two bad lines in different pieces: the first in file order is reported, with its
        // line number in the file.
        let lines: Vec<&str> = text.split('\n').collect();
        let (early, late) = (lines.len() / 2, lines.len() - 3);
        let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        bad[early] = "1,2,oops".into();
        bad[late] = "1,nan,3".into();
        let err = read_xy(&bad.join("\n"), Path::new("p.csv")).unwrap_err().to_string();
        assert!(err.contains(&format!("line {}: x_mm = \"oops\" is not a number", early + 1)), "{err}");
        // A header with no data, and no file at all.
        assert_eq!(read_xy("x_mm,y_mm\r\n", Path::new("p.csv")).unwrap(), vec![]);
        assert!(read_xy(" \n\n", Path::new("p.csv")).unwrap_err().to_string().contains("empty file"));
    }

    fn fixed(x: f64, prec: usize) -> String {
        let mut v = Vec::new();
        push_fixed(&mut v, x, prec);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn fixed_matches_format_on_edge_cases() {
        let mut cases =
            vec![0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e-7, -1e-7, 5e-7, -5e-7, 4.5e-6, 0.0000005, 0.00000050000000000001];
        cases.extend([1e-320, -1e-320, f64::MIN_POSITIVE, 9007199254740991.0, 9007199254740992.0, -9007199254740993.0, 1e300, -1e300]);
        cases.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN, 18_446_744_073_709.5, 123_456_789.125, 0.1 + 0.2]);
        cases.extend([0.9999995, 0.99999949999, 9.99995, 99.5, 0.05, 0.15, 0.25, 0.35, 2.675, 1.005]);
        for &x in &cases {
            for prec in 0..12 {
                assert_eq!(fixed(x, prec), format!("{x:.prec$}"), "{x:e} .{prec}");
            }
        }
        // Exact halves at every precision: k / 2^s around the rounding digit.
        for prec in 0..10usize {
            for k in -2000i64..2000 {
                for s in 1..12 {
                    let x = k as f64 / (1u64 << s) as f64 / 10f64.powi(prec as i32);
                    assert_eq!(fixed(x, prec), format!("{x:.prec$}"), "{x:e} .{prec}");
                    let y = (k as f64 + 0.5) / 10f64.powi(prec as i32);
                    assert_eq!(fixed(y, prec), format!("{y:.prec$}"), "{y:e} .{prec}");
                }
            }
        }
    }

    #[test]
    fn parse_f64_matches_parse() {
        for t in [
            "0",
            "-0",
            "+0",
            "-0.000",
            "1",
            "1.5",
            "-1.5",
            ".5",
            "5.",
            "-.5",
            "+.",
            ".",
            "",
            "-",
            "1e3",
            "1E-3",
            "inf",
            "NaN",
            "0x1",
            "123456789012345",
            "1234567890123456",
            "0.000000000000000000001",
            "0.0000000000000000000001",
            "1.7976931348623157e308",
            "12.345678",
            "-249.999999",
            "9007199254740993",
            "1..2",
            "1.2.3",
            " 1",
            "1 ",
            "--1",
            "+-1",
            "00001.50000",
        ] {
            assert_eq!(parse_f64(t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{t:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn parse_f64_matches_parse_on_decimals(int in -10_000_000i64..10_000_000, frac in 0u64..100_000_000_000, digits in 0usize..12, neg in any::<bool>()) {
            let f = format!("{frac:011}");
            let t = format!("{}{}.{}", if neg { "-" } else { "" }, int.abs(), &f[..digits]);
            prop_assert_eq!(parse_f64(&t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{}", t);
        }

        #[test]
        fn parse_f64_matches_parse_on_any_text(t in "[-+]?[0-9]{0,18}[.]?[0-9]{0,24}") {
            prop_assert_eq!(parse_f64(&t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{}", t);
        }

        #[test]
        fn parse_f64_matches_parse_on_printed_floats(bits in any::<u64>(), prec in 0usize..17) {
            let x = f64::from_bits(bits);
            for t in [format!("{x}"), format!("{x:.prec$}"), format!("{x:e}")] {
                prop_assert_eq!(parse_f64(&t).map(f64::to_bits), t.parse::<f64>().ok().map(f64::to_bits), "{}", t);
            }
        }

        #[test]
        fn fixed_matches_format_on_any_bits(bits in any::<u64>(), prec in 0usize..11) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(fixed(x, prec), format!("{x:.prec$}"));
        }

        #[test]
        fn fixed_matches_format_on_plausible_values(v in -1.0e7f64..1.0e7, scale in -12i32..12, prec in 0usize..11) {
            let x = v * 10f64.powi(scale);
            prop_assert_eq!(fixed(x, prec), format!("{x:.prec$}"));
        }

        #[test]
        fn fixed_matches_format_on_f32(bits in any::<u32>(), prec in 0usize..11) {
            let x = f32::from_bits(bits);
            prop_assert_eq!(fixed(x as f64, prec), format!("{x:.prec$}"));
        }

        #[test]
        fn fixed_matches_format_on_ties(k in -10_000_000i64..10_000_000, s in 1u32..60, prec in 0usize..10) {
            let x = k as f64 / (1u64 << s) as f64;
            prop_assert_eq!(fixed(x, prec), format!("{x:.prec$}"));
        }
    }

    #[test]
    fn rows_in_parallel_batches_are_the_serial_rows_in_order() {
        // Over two whole batches and a part (many pieces each), shaped and plain: each row
        // as one serial loop writes it, with the index its extra cell is given.
        use crate::needle::puncture::Puncture;
        let n = 2 * BATCH_ROWS + PIECE_ROWS / 3 + 7;
        let plain: Vec<Puncture> = (0..n)
            .map(|i| Puncture {
                pass: (i % 5) as u16,
                stamp: (i / 12) as u32,
                needle: (i % 12) as u16,
                x_mm: i as f64 * 0.001_25 - 100.0,
                y_mm: (i % 977) as f64 / 7.0,
                depth_mm: 0.5,
                t_s: i as f64 / 1440.0,
                ..Puncture::default()
            })
            .collect();
        let mut shaped = plain.clone();
        shaped[n - 1].tilt_deg = 3.5;
        for set in [&plain, &shaped] {
            let is_shaped = set.iter().any(|p| !p.is_disk());
            let mut fast = Vec::new();
            write_with(&mut fast, set, &["i", "twice"], |i, row| write!(row, ",{i},{}", 2 * i)).unwrap();
            let mut serial = HEADER.as_bytes().to_vec();
            if is_shaped {
                serial.extend_from_slice(format!(",{SHAPE_COLUMNS}").as_bytes());
            }
            serial.extend_from_slice(b",i,twice\n");
            for (i, p) in set.iter().enumerate() {
                push_row(&mut serial, p, is_shaped);
                serial.extend_from_slice(format!(",{i},{}\n", 2 * i).as_bytes());
            }
            assert_eq!(fast.iter().filter(|&&c| c == b'\n').count(), n + 1);
            assert!(fast == serial, "parallel rows differ from the serial rows (shaped: {is_shaped})");
        }
    }

    #[test]
    fn rows_match_the_format_macro_rows() {
        use crate::needle::puncture::Puncture;
        let mut ps = Vec::new();
        let mut s = 0x2545f4914f6cdd1du64;
        for i in 0..5000u32 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let r = |k: u32| ((s >> k) & 0xffff) as f64 / 65536.0;
            ps.push(Puncture {
                pass: (i % 7) as u16,
                stamp: i * 31,
                needle: (i % 12) as u16,
                x_mm: 250.0 * r(0) - 20.0,
                y_mm: -200.0 * r(16),
                depth_mm: 2.0 * r(32),
                t_s: 600.0 * r(48) * r(8),
                tilt_deg: if i % 3 == 0 { (r(4) * 20.0 - 10.0) as f32 } else { 0.0 },
                tilt_azimuth_deg: (r(12) * 360.0) as f32,
                drag_x_mm: (r(20) * 0.1 - 0.05) as f32,
                drag_y_mm: (r(28) * 0.1 - 0.05) as f32,
            });
        }
        for set in [&ps[..], &ps.iter().map(|p| Puncture { tilt_deg: 0.0, drag_x_mm: 0.0, drag_y_mm: 0.0, ..*p }).collect::<Vec<_>>()[..]] {
            let mut fast = Vec::new();
            write_with(&mut fast, set, &["extra"], |i, w| write!(w, ",{i}")).unwrap();
            let mut slow = String::from(HEADER);
            let shaped = set.iter().any(|p| !p.is_disk());
            if shaped {
                slow += ",";
                slow += SHAPE_COLUMNS;
            }
            slow += ",extra\n";
            for (i, p) in set.iter().enumerate() {
                slow += &format!("{},{},{},{:.6},{:.6},{:.4},{:.6}", p.pass, p.stamp, p.needle, p.x_mm, p.y_mm, p.depth_mm, p.t_s);
                if shaped {
                    slow += &format!(",{:.4},{:.4},{:.6},{:.6}", p.tilt_deg, p.tilt_azimuth_deg, p.drag_x_mm, p.drag_y_mm);
                }
                slow += &format!(",{i}\n");
            }
            assert_eq!(String::from_utf8(fast).unwrap(), slow);
        }
    }
}
