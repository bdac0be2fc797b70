//! A recorded trace on a face surface: `[face] surface = …` with `[trace] file = "trace.csv"`
//! and `[technique] pattern = "trace"` runs the trace's strokes on the surface
//! ([`crate::face::surface_trace_run`]) instead of planned `[[treat]]` lanes. This is what
//! the live 3D page exports (`POST /api/surface/sessions/{id}/export`).
//!
//! ```toml
//! [face]
//! surface = "builtin"
//! [technique]
//! pattern = "trace"
//! [trace]
//! file = "trace.csv"     # stroke,pass,t_s,u_mm,v_mm (chart mm), relative to the scenario
//! ```
//!
//! **The CSV** (strict; errors name the file and the line): a header naming `t_s`, `u_mm`,
//! `v_mm` and optionally `stroke` and `pass` (any order, nothing else), one sample per line,
//! every value a finite number, times strictly increasing through the file, every point on
//! a triangle of the surface's chart. `stroke` (a whole number ≥ 0) cuts the file into
//! pen-down strokes (an id may not come back after another stroke); `pass` (0–
//! [`MAX_PASSES`]` − 1`) is the session pass of the row and stays the same within a stroke.
//! Without `stroke`, each run of rows with the same pass is one stroke. A UTF-8 BOM and CRLF
//! are accepted; blank lines and lines starting with `#` are skipped. `trace.max_gap_s`
//! does not apply (a stroke on the surface is stamped across any pause, as live).

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::face::surface_face::SurfaceFace;
use crate::face::surface_simulation::SurfaceSimulation;
use crate::geometry::Vec2;
use crate::raster::accumulate::MAX_PASSES;
use crate::surface::PenOrientation;
use crate::surface::chart::Chart;
use crate::surface::trace::{SurfaceSample, TraceStroke};
use crate::technique::Technique;

use super::face::DEFAULT_MARGIN_EXTRA_MM;
use super::file::ScenarioFile;

/// The columns of a surface trace, in the writer's order (the live 3D page's trace.csv).
pub const SURFACE_TRACE_COLUMNS: [&str; 5] = ["stroke", "pass", "t_s", "u_mm", "v_mm"];

/// Parse a surface trace CSV (see the module doc) against `chart`; `path` names the file in
/// errors.
pub fn read_surface_trace(text: &str, path: &Path, chart: &Chart) -> Result<Vec<TraceStroke>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = |line: usize, msg: String| Error::parse(path, format!("line {line}: {msg}"));
    let mut lines =
        text.lines().enumerate().map(|(n, l)| (n + 1, l)).filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (hline, header) = lines.next().ok_or_else(|| Error::parse(path, "empty file: expected a header [stroke,][pass,]t_s,u_mm,v_mm"))?;
    let cols: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if let Some(c) = cols.iter().find(|c| !SURFACE_TRACE_COLUMNS.contains(c)) {
        return Err(err(hline, format!("unknown column {c:?}: allowed are stroke, pass, t_s, u_mm and v_mm (chart mm)")));
    }
    let find = |name: &str| cols.iter().position(|c| *c == name);
    let (Some(ti), Some(ui), Some(vi)) = (find("t_s"), find("u_mm"), find("v_mm")) else {
        return Err(err(hline, format!("header {header:?} lacks t_s, u_mm or v_mm; expected [stroke,][pass,]t_s,u_mm,v_mm")));
    };
    let (si, pi) = (find("stroke"), find("pass"));
    let b = chart.chart_bounds();
    let mut strokes: Vec<TraceStroke> = Vec::new();
    let mut last_key: Option<(Option<u64>, u16)> = None;
    let mut seen: HashSet<u64> = HashSet::new();
    let mut prev_t: Option<f64> = None;
    for (n, line) in lines {
        let vals: Vec<&str> = line.split(',').map(str::trim).collect();
        if vals.len() != cols.len() {
            return Err(err(n, format!("{} values, the header has {} columns", vals.len(), cols.len())));
        }
        let num = |i: usize, name: &str| -> Result<f64> {
            let v: f64 = vals[i].parse().map_err(|_| err(n, format!("{name} = {:?} is not a number", vals[i])))?;
            if !v.is_finite() {
                return Err(err(n, format!("{name} = {} is not finite: allowed is a finite number", vals[i])));
            }
            Ok(v)
        };
        let whole = |i: usize, name: &str, max: f64| -> Result<f64> {
            let v = num(i, name)?;
            if v.fract() != 0.0 || v < 0.0 || v > max {
                return Err(err(n, format!("{name} = {} : allowed is a whole number 0–{max}", vals[i])));
            }
            Ok(v)
        };
        let t = num(ti, "t_s")?;
        let at = Vec2::new(num(ui, "u_mm")?, num(vi, "v_mm")?);
        if let Some(p) = prev_t
            && t <= p
        {
            return Err(err(n, format!("t_s = {t} is not after the previous row's {p} s: time must move forward")));
        }
        prev_t = Some(t);
        if chart.locate(at).is_none() {
            return Err(err(
                n,
                format!(
                    "(u_mm, v_mm) = ({}, {}) is off the surface's chart: allowed is a point on a triangle (within [{:.1}, {:.1}] × [{:.1}, {:.1}] mm)",
                    at.x, at.y, b.x0, b.x1, b.y0, b.y1
                ),
            ));
        }
        let stroke = si.map(|i| whole(i, "stroke", 9.0e15)).transpose()?.map(|v| v as u64);
        let pass = pi.map(|i| whole(i, "pass", (MAX_PASSES - 1) as f64)).transpose()?.map_or(0, |v| v as u16);
        let key = (stroke, pass);
        let new_stroke = match (last_key, stroke) {
            (None, _) => true,
            (Some((Some(a), p)), Some(b)) if a == b => {
                if p != pass {
                    return Err(err(n, format!("pass = {pass} within stroke {b} drawn in pass {p}: a stroke stays in one pass")));
                }
                false
            }
            (Some(_), Some(_)) => true,
            (Some((_, p)), None) => p != pass,
        };
        if new_stroke {
            if let Some(id) = stroke
                && !seen.insert(id)
            {
                return Err(err(n, format!("stroke = {id} comes back after another stroke: a stroke's rows are consecutive")));
            }
            strokes.push(TraceStroke { pass, samples: Vec::new() });
        }
        strokes.last_mut().expect("pushed").samples.push(SurfaceSample { t_s: t, at_mm: at });
        last_key = Some(key);
    }
    if strokes.is_empty() {
        return Err(Error::parse(path, "no samples: expected at least one row after the header"));
    }
    Ok(strokes)
}

impl ScenarioFile {
    /// True when a surface scenario replays a recorded trace (`[trace]`).
    pub fn is_surface_trace(&self) -> bool {
        self.is_surface() && self.trace.is_some()
    }

    /// [`Self::to_surface_trace_in`] without reading the trace: the session its strokes run
    /// in (checked as there).
    pub fn to_surface_trace_session(&self, surface: SurfaceFace) -> Result<SurfaceSimulation> {
        let face = self.face.clone().unwrap_or_default();
        if self.trace.is_none() {
            return Err(Error::invalid("trace", "missing", "a [trace] file on a surface"));
        }
        if !self.treat.is_empty() {
            return Err(Error::invalid(
                "treat",
                format!("{} entries", self.treat.len()),
                "no [[treat]] with a [trace] on a surface (the trace's strokes are the session)",
            ));
        }
        if self.patch.is_some() {
            return Err(Error::invalid("patch", "given with [face]", "either a [patch] or a [face] session, not both"));
        }
        if self.hand.is_some() {
            return Err(Error::invalid("hand", "given with [trace]", "no [hand] with a recorded trace (the recording is the hand)"));
        }
        if self.technique.pattern != "trace" {
            return Err(Error::invalid(
                "technique.pattern",
                format!("{:?}", self.technique.pattern),
                "\"trace\" with a [trace] on a surface",
            ));
        }
        if let Some(s) = face.pen_orientation.as_deref().filter(|s| *s != "normal") {
            return Err(Error::invalid(
                "face.pen_orientation",
                format!("{s:?}"),
                "\"normal\" with a recorded trace (the live pen is at 90° to the skin)",
            ));
        }
        super::file::check_name(&self.name)?;
        let cartridge = self.cartridge.to_cartridge()?;
        let device = self.device.to_device();
        let grid = self.grid.to_grid(cartridge.needle_diameter_mm)?;
        let limits = self.limits.to_limits()?;
        cartridge.validate()?;
        device.validate()?;
        device.check_depth(cartridge.depth_mm)?;
        crate::sim::check_halo(self.coverage.halo_mm)?;
        let margin_mm = face.margin_mm.unwrap_or(0.5 * cartridge.footprint_diameter_mm() + DEFAULT_MARGIN_EXTRA_MM);
        Ok(SurfaceSimulation {
            name: self.name.clone(),
            seed: self.seed,
            cartridge,
            device,
            resolution_mm: self.grid.resolution_mm.map_or(crate::surface::measure::DEFAULT_MAX_RESOLUTION_MM, |_| grid.resolution_mm),
            halo_mm: self.coverage.halo_mm,
            picture: true,
            limits,
            technique: Technique::default(),
            face: surface,
            treatments: Vec::new(),
            margin_mm,
            penetration_ratio: face.penetration_ratio,
            orientation: PenOrientation::Normal,
        })
    }

    /// The session of a surface scenario with a `[trace]` (on the loaded `surface`; the
    /// trace is read relative to `base_dir`) and the trace's strokes, for
    /// [`crate::face::surface_trace_run::run_surface_trace`]. Refused: `[[treat]]`, `[hand]`,
    /// a `[patch]`, a pattern other than `trace`, a pen not normal to the skin.
    pub fn to_surface_trace_in(&self, surface: SurfaceFace, base_dir: &Path) -> Result<(SurfaceSimulation, Vec<TraceStroke>)> {
        let sim = self.to_surface_trace_session(surface)?;
        let tr = self.trace.as_ref().expect("checked");
        let chart = sim.chart()?;
        let path = base_dir.join(&tr.file);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let strokes = read_surface_trace(&text, &path, &chart)?;
        Ok((sim, strokes))
    }
}

impl ScenarioFile {
    /// The scenario a live 3D session exports: this one's pen, grid, coverage, limits and
    /// pictures on the built-in face surface, replaying `trace_file` (a surface trace CSV
    /// beside it); no patch, treatments, hand or sweep.
    pub fn to_surface_trace_export(&self, trace_file: &str) -> ScenarioFile {
        let mut f = self.clone();
        f.patch = None;
        f.treat = Vec::new();
        f.hand = None;
        f.sweep = None;
        let old = self.face.clone().unwrap_or_default();
        f.face = Some(super::face::FaceFile {
            surface: Some(super::surface::BUILTIN.into()),
            penetration_ratio: old.penetration_ratio,
            ..Default::default()
        });
        let t = &mut f.technique;
        t.pattern = "trace".into();
        t.patterns = None;
        t.pass_order = None;
        f.trace = Some(super::technique_file::TraceFile { file: trace_file.into(), max_gap_s: super::technique_file::DEFAULT_MAX_GAP_S });
        f
    }
}
