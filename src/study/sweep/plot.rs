//! Plots of a sweep's `results.csv`.
//!
//! - **Line plot** (`x` and optionally `by`): the metric against a parameter, one line per
//!   value of a second parameter, optional dashed reference line at `level`.
//! - **Heatmap** (`x` and `y`): the metric over a two-parameter grid, each point a cell
//!   reaching halfway to its neighbours (viridis, with a colour bar), and the `level`
//!   contour drawn by marching squares over the grid points ([`super::contour`]).
//!
//! Only `status = ok` rows are drawn. Every swept key that is not on an axis must take a
//! single value among the drawn rows (fix the others with `where`); otherwise the plot is
//! refused with the values found, rather than silently mixing points. Missing cells of a
//! heatmap are grey. Fonts are bundled, so a plot looks the same on every machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::series::DashedLineSeries;

use crate::error::{Error, Result};
use crate::io::output::write_file_atomic;
use crate::io::scenario::PlotFile;
use crate::render::{ensure_font, viridis};

use super::contour;
use super::design::value_text;
use super::results::{self, Table};

const SIZE: (u32, u32) = (900, 620);

/// Check plot specs against the swept keys before the sweep runs.
pub fn check_specs(specs: &[PlotFile], keys: &[String]) -> Result<()> {
    for (n, p) in specs.iter().enumerate() {
        let at = |f: &str| format!("sweep.plots[{n}].{f}");
        let swept = |f: &str, k: &str| -> Result<()> {
            if keys.iter().any(|s| s == k) { Ok(()) } else { Err(Error::invalid(at(f), k, format!("a swept key: {}", keys.join(", ")))) }
        };
        swept("x", &p.x)?;
        if p.y.is_some() && p.by.is_some() {
            return Err(Error::invalid(at("y/by"), "both given", "y (a heatmap) or by (one line per value), not both"));
        }
        for (f, k) in [("y", &p.y), ("by", &p.by)] {
            if let Some(k) = k {
                swept(f, k)?;
                if *k == p.x {
                    return Err(Error::invalid(at(f), k, "a key other than x"));
                }
            }
        }
        for k in p.r#where.keys() {
            swept("where", k)?;
        }
        if let Some(l) = p.level.filter(|l| !l.is_finite()) {
            return Err(Error::invalid(at("level"), l, "a finite number"));
        }
        if let Some(f) = p.file.as_ref().filter(|f| f.is_empty() || f.contains(['/', '\\']) || f.starts_with('.')) {
            return Err(Error::invalid(at("file"), format!("{f:?}"), "a plain file name such as coverage.png"));
        }
        if p.metric.trim().is_empty() {
            return Err(Error::invalid(at("metric"), "\"\"", "a metric column such as coverage_per_pass_0"));
        }
    }
    Ok(())
}

/// Draw every plot into `dir`; returns the files written and the plots that failed.
pub fn draw_all(specs: &[PlotFile], csv: &str, keys: &[String], dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let (mut written, mut failed) = (Vec::new(), Vec::new());
    if specs.is_empty() {
        return (written, failed);
    }
    let table = match results::parse(csv, &dir.join(super::RESULTS_CSV)) {
        Ok(t) => t,
        Err(e) => return (written, vec![e.to_string()]),
    };
    for (n, spec) in specs.iter().enumerate() {
        let path = dir.join(spec.file.clone().unwrap_or_else(|| format!("plot-{}.png", n + 1)));
        match draw(spec, &table, keys, &path) {
            Ok(()) => written.push(path),
            Err(e) => failed.push(format!("plot {} ({}): {e}", n + 1, spec.metric)),
        }
    }
    (written, failed)
}

/// The rows a plot draws: ok, matching `where`, other parameters single-valued.
struct Selection {
    x: Vec<f64>,
    group: Vec<String>,
    value: Vec<f64>,
    fixed: Vec<String>,
}

fn select(spec: &PlotFile, t: &Table, keys: &[String]) -> Result<Selection> {
    let col = |name: &str| {
        t.column(name).ok_or_else(|| Error::invalid("plot", name, format!("a column of results.csv ({})", t.columns.join(", "))))
    };
    let (ix, im, is) = (col(&spec.x)?, col(&spec.metric)?, col("status")?);
    let second = spec.y.as_deref().or(spec.by.as_deref());
    let ig = second.map(col).transpose()?;
    let filters: Vec<(usize, String)> = spec.r#where.iter().map(|(k, v)| Ok((col(k)?, value_text(v)))).collect::<Result<_>>()?;
    let same = |cell: &str, want: &str| cell == want || matches!((cell.parse::<f64>(), want.parse::<f64>()), (Ok(a), Ok(b)) if a == b);
    let rows: Vec<&Vec<String>> = t.rows.iter().filter(|r| r[is] == "ok" && filters.iter().all(|(i, v)| same(&r[*i], v))).collect();
    if rows.is_empty() {
        return Err(Error::invalid("plot", "no rows", "at least one ok point matching `where`"));
    }
    let mut fixed = Vec::new();
    for name in keys {
        let i = col(name)?;
        if i == ix || Some(i) == ig {
            continue;
        }
        let mut distinct: Vec<&str> = rows.iter().map(|r| r[i].as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() > 1 {
            return Err(Error::invalid(
                "plot",
                format!(
                    "{name} takes {} values ({}{})",
                    distinct.len(),
                    distinct.iter().take(5).copied().collect::<Vec<_>>().join(", "),
                    if distinct.len() > 5 { ", …" } else { "" }
                ),
                format!("one value per plot: fix it with where = {{ \"{name}\" = {} }} (or --where {name}={})", distinct[0], distinct[0]),
            ));
        }
        if !spec.r#where.contains_key(name) {
            fixed.push(format!("{name} = {}", distinct[0]));
        }
    }
    let num = |s: &str, what: &str| -> Result<f64> {
        s.parse::<f64>().map_err(|_| Error::invalid("plot", format!("{what} = {s:?}"), "numbers on the axes"))
    };
    let mut sel = Selection { x: Vec::new(), group: Vec::new(), value: Vec::new(), fixed };
    for r in rows {
        sel.x.push(num(&r[ix], &spec.x)?);
        sel.group.push(ig.map_or(String::new(), |g| r[g].clone()));
        sel.value.push(if r[im].is_empty() { f64::NAN } else { num(&r[im], &spec.metric)? });
    }
    Ok(sel)
}

/// Draw one plot to `path` (PNG, written atomically).
/// `keys` are the swept keys (the manifest's `parameters`).
pub fn draw(spec: &PlotFile, table: &Table, keys: &[String], path: &Path) -> Result<()> {
    let sel = select(spec, table, keys)?;
    let rgb = if let Some(y) = &spec.y { heatmap(spec, y, &sel, path)? } else { lines(spec, &sel, path)? };
    write_file_atomic(path, &encode_png(&rgb, path)?)
}

fn render_err(path: &Path) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Render { path: path.to_path_buf(), message }
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        let p = 0.05 * (hi - lo);
        (lo - p, hi + p)
    } else {
        let p = 0.5f64.max(0.05 * lo.abs());
        (lo - p, hi + p)
    }
}

fn min_max(v: impl Iterator<Item = f64>) -> (f64, f64) {
    v.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)))
}

fn subtitle(sel: &Selection) -> String {
    if sel.fixed.is_empty() { String::new() } else { format!(" ({})", sel.fixed.join(", ")) }
}

/// Sort key of a group label: numbers by value, then text.
fn group_order(labels: impl Iterator<Item = String>) -> Vec<String> {
    let mut g: Vec<String> = labels.collect();
    g.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    });
    g.dedup();
    g
}

fn lines(spec: &PlotFile, sel: &Selection, path: &Path) -> Result<Vec<u8>> {
    ensure_font();
    let err = render_err(path);
    let mut series: BTreeMap<usize, Vec<(f64, f64)>> = BTreeMap::new();
    let groups = group_order(sel.group.iter().cloned());
    for ((x, g), v) in sel.x.iter().zip(&sel.group).zip(&sel.value) {
        if v.is_finite() {
            let k = groups.iter().position(|h| h == g).unwrap_or(0);
            series.entry(k).or_default().push((*x, *v));
        }
    }
    if series.is_empty() {
        return Err(Error::invalid("plot", &spec.metric, "a metric with at least one value"));
    }
    let (x0, x1) = padded(min_max(sel.x.iter().copied()).0, min_max(sel.x.iter().copied()).1);
    let (v0, v1) = min_max(sel.value.iter().copied().chain(spec.level));
    let (y0, y1) = padded(v0, v1);
    let mut rgb = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        let title = format!("{} vs {}{}", spec.metric, spec.x, subtitle(sel));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(14)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc(spec.x.as_str())
            .y_desc(spec.metric.as_str())
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let n = groups.len().max(2) as f64 - 1.0;
        for (k, pts) in &mut series {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let c = viridis(0.85 * *k as f64 / n);
            let colour = RGBColor(c[0], c[1], c[2]);
            let drawn = chart.draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2))).map_err(|e| err(e.to_string()))?;
            if let Some(by) = &spec.by {
                drawn
                    .label(format!("{by} = {}", groups[*k]))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
            }
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, colour.filled()))).map_err(|e| err(e.to_string()))?;
        }
        if let Some(level) = spec.level {
            chart
                .draw_series(DashedLineSeries::new([(x0, level), (x1, level)], 8, 5, BLACK.stroke_width(1)))
                .map_err(|e| err(e.to_string()))?
                .label(format!("level {level}"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
        }
        if spec.by.is_some() || spec.level.is_some() {
            // The legend goes in the right-hand corner the lines leave free.
            let right_ends: Vec<f64> = series.values().filter_map(|p| p.last().map(|q| q.1)).collect();
            let high = right_ends.iter().sum::<f64>() / right_ends.len().max(1) as f64 > (y0 + y1) / 2.0;
            chart
                .configure_series_labels()
                .position(if high { SeriesLabelPosition::LowerRight } else { SeriesLabelPosition::UpperRight })
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .label_font(("sans-serif", 13))
                .draw()
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(rgb)
}

/// Cell edges of sorted values: halfway between neighbours, half a gap beyond the ends.
fn edges(v: &[f64]) -> Vec<f64> {
    if v.len() == 1 {
        let p = 0.5f64.max(0.05 * v[0].abs());
        return vec![v[0] - p, v[0] + p];
    }
    let n = v.len();
    let mut e = vec![v[0] - (v[1] - v[0]) / 2.0];
    e.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    e.push(v[n - 1] + (v[n - 1] - v[n - 2]) / 2.0);
    e
}

fn heatmap(spec: &PlotFile, y_key: &str, sel: &Selection, path: &Path) -> Result<Vec<u8>> {
    ensure_font();
    let err = render_err(path);
    let ys_of: Vec<f64> = sel
        .group
        .iter()
        .map(|s| s.parse::<f64>().map_err(|_| Error::invalid("plot", format!("{y_key} = {s:?}"), "numbers on the axes")))
        .collect::<Result<_>>()?;
    let uniq = |v: &[f64]| {
        let mut u = v.to_vec();
        u.sort_by(f64::total_cmp);
        u.dedup();
        u
    };
    let (xs, ys) = (uniq(&sel.x), uniq(&ys_of));
    let mut z = vec![vec![f64::NAN; ys.len()]; xs.len()];
    let mut seen = vec![vec![false; ys.len()]; xs.len()];
    for ((x, y), v) in sel.x.iter().zip(&ys_of).zip(&sel.value) {
        let (i, j) = (xs.partition_point(|a| a < x), ys.partition_point(|a| a < y));
        if seen[i][j] {
            return Err(Error::invalid(
                "plot",
                format!("two rows at {} = {x}, {y_key} = {y}", spec.x),
                "one row per (x, y) pair: a grid over the two keys",
            ));
        }
        seen[i][j] = true;
        z[i][j] = *v;
    }
    let (zmin, zmax) = min_max(z.iter().flatten().copied());
    if !zmin.is_finite() {
        return Err(Error::invalid("plot", &spec.metric, "a metric with at least one value"));
    }
    let span = if zmax > zmin { zmax - zmin } else { 1.0 };
    let (ex, ey) = (edges(&xs), edges(&ys));
    let mut rgb = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        let (main, bar) = root.split_horizontally(SIZE.0 - 140);
        let level_text = spec.level.map_or(String::new(), |l| format!(", contour at {l}"));
        let title = format!("{}{}{}", spec.metric, level_text, subtitle(sel));
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", 17))
            .margin(14)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(ex[0]..ex[ex.len() - 1], ey[0]..ey[ey.len() - 1])
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(spec.x.as_str())
            .y_desc(y_key)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let cells = (0..xs.len()).flat_map(|i| (0..ys.len()).map(move |j| (i, j)));
        chart
            .draw_series(cells.map(|(i, j)| {
                let c = if z[i][j].is_finite() { viridis((z[i][j] - zmin) / span) } else { [190, 190, 190] };
                Rectangle::new([(ex[i], ey[j]), (ex[i + 1], ey[j + 1])], RGBColor(c[0], c[1], c[2]).filled())
            }))
            .map_err(|e| err(e.to_string()))?;
        if let Some(level) = spec.level {
            let segs = contour::marching_squares(&xs, &ys, &z, level);
            for (width, colour) in [(4, BLACK), (2, WHITE)] {
                chart
                    .draw_series(segs.iter().map(|s| PathElement::new(s.to_vec(), colour.stroke_width(width))))
                    .map_err(|e| err(e.to_string()))?;
            }
        }
        let mut bar_chart = ChartBuilder::on(&bar)
            .margin_top(40)
            .margin_bottom(59)
            .margin_right(70)
            .right_y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, zmin..zmin + span)
            .map_err(|e| err(e.to_string()))?;
        bar_chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        let steps = 100;
        bar_chart
            .draw_series((0..steps).map(|k| {
                let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
                let c = viridis(a);
                Rectangle::new([(0.0, zmin + a * span), (1.0, zmin + b * span)], RGBColor(c[0], c[1], c[2]).filled())
            }))
            .map_err(|e| err(e.to_string()))?;
        if let Some(level) = spec.level.filter(|l| (zmin..=zmin + span).contains(l)) {
            bar_chart
                .draw_series([PathElement::new(vec![(0.0, level), (1.0, level)], WHITE.stroke_width(2))])
                .map_err(|e| err(e.to_string()))?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(rgb)
}

fn encode_png(rgb: &[u8], path: &Path) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let e = |m: png::EncodingError| Error::Render { path: path.to_path_buf(), message: m.to_string() };
    let mut enc = png::Encoder::new(&mut out, SIZE.0, SIZE.1);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(e)?;
    w.write_image_data(rgb).map_err(e)?;
    w.finish().map_err(e)?;
    Ok(out)
}
