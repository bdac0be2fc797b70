//! The live page on the 3D face: the built-in face surface ([`crate::face::surface`]) served
//! to the page's WebGL viewer, and live sessions on it ([`SurfaceLiveSession`]).
//!
//! Routes (all behind [`super::access::guard`], like every route):
//! - `GET /api/surface/mesh`: the mesh for the viewer: `positions_mm` (x, y, z per vertex),
//!   `chart_mm` (u, v per UV vertex, chart millimetres), `triangles` (3 position indices),
//!   `triangle_uvs` (3 UV indices), `group` per triangle, the `groups` (regions, then no-go
//!   zones, then `""`), `regions`, `no_go`, the live grid and its fewest cells across a hole.
//! - `POST /api/surface/sessions`: a session (the flat page's settings body).
//! - `POST /api/surface/sessions/{id}/strokes`: `{stroke, pass, samples: [[t_ms, u_mm, v_mm],
//!   …], end}`: chart points under the pointer with the pointer's times. Answers the new
//!   punctures as skin points (`[x, y, z, …]` mm), those that reached a no-go zone, the
//!   triangles whose coverage changed (`coverage: [[triangle, 0–255], …]`) and the figures.
//! - `POST /api/surface/sessions/{id}/undo`, `GET /api/surface/sessions/{id}/trace.csv` (the
//!   trace a replay stamps: `stroke,pass,t_s,u_mm,v_mm`).
//! - `POST /api/surface/sessions/{id}/export`: a folder with `scenario.toml` + `trace.csv`
//!   and the surface run's files that `needlesim run scenario.toml` there reproduces.
//!
//! The server holds no simulation logic: it checks shapes and sizes, calls the core, and
//! converts to JSON. A refused batch changes nothing.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{ApiError, AppState, SessionSettings, SettingsIn, parse};
use super::{MAX_BATCH_SAMPLES, MAX_BATCH_SPAN_S};
use crate::error::Error;
use crate::geometry::Vec2;
use crate::live::surface::{SurfaceLiveMap, SurfaceLiveMetrics, SurfaceLiveSession};
use crate::metrics::Coverage;
use crate::surface::trace::SurfaceSample;

type ApiResult = Result<Json<Value>, ApiError>;

/// A surface session and what the page was last told.
pub struct SurfaceEntry {
    pub session: SurfaceLiveSession,
    pub settings: SessionSettings,
    pub last_used: Instant,
    /// Coverage level (0–255) of each triangle as last sent.
    sent: Vec<u8>,
    /// Exports written.
    exports: u32,
}

/// Surface sessions and the live maps they share (one per needle radius).
#[derive(Default)]
pub struct SurfaceState {
    sessions: Mutex<HashMap<String, Arc<Mutex<SurfaceEntry>>>>,
    maps: Mutex<Vec<(u64, Arc<SurfaceLiveMap>)>>,
    mesh_json: OnceLock<Value>,
}

impl SurfaceState {
    /// The live map of the built-in face for needles of radius `r_mm` (built once).
    pub fn map(&self, r_mm: f64) -> Result<Arc<SurfaceLiveMap>, Error> {
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, m)) = maps.iter().find(|(k, _)| *k == r_mm.to_bits()) {
            return Ok(m.clone());
        }
        let face = crate::face::surface::builtin_surface_face(&[])?;
        let m = Arc::new(SurfaceLiveMap::new(face, r_mm)?);
        maps.push((r_mm.to_bits(), m.clone()));
        Ok(m)
    }

    fn insert(&self, state: &AppState, entry: SurfaceEntry) -> Result<String, ApiError> {
        let limits = state.config.limits;
        let now = Instant::now();
        let mut map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, e| e.try_lock().map(|e| now.duration_since(e.last_used) < limits.idle).unwrap_or(true));
        if map.len() >= limits.max_sessions {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{} surface sessions are open, the most this server keeps; close a tab or wait", limits.max_sessions),
            ));
        }
        let id = loop {
            let id = format!("{:032x}", rand::rng().random::<u128>());
            if !map.contains_key(&id) {
                break id;
            }
        };
        map.insert(id.clone(), Arc::new(Mutex::new(entry)));
        Ok(id)
    }

    fn get(&self, id: &str) -> Option<Arc<Mutex<SurfaceEntry>>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }
}

fn r2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
fn r4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// Run `f` on surface session `id` on the blocking pool.
async fn with_surface<F>(state: Arc<AppState>, id: String, f: F) -> ApiResult
where
    F: FnOnce(&AppState, &mut SurfaceEntry) -> ApiResult + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let shared = state
            .surface
            .get(&id)
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no surface session {id:?}: reload the page")))?;
        let mut guard = shared.lock().map_err(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "this session was lost after an internal error: reload the page")
        })?;
        guard.last_used = Instant::now();
        f(&state, &mut guard)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")))?
}

fn coverage_json(c: &Coverage) -> Value {
    json!({
        "coverage": r4(c.coverage),
        "mean_hits": r4(c.mean_hits),
        "sampled_area_mm2": r2(c.sampled_area_mm2),
        "over_pass_limit_fraction": r4(c.over_pass_limit_fraction),
    })
}

/// The figures for the page.
pub fn metrics_json(m: &SurfaceLiveMetrics, no_go_names: &[String]) -> Value {
    json!({
        "punctures": m.punctures,
        "stamps": m.stamps,
        "strokes": m.strokes,
        "treated": coverage_json(&m.treated),
        "regions": m.regions.iter().map(|r| json!({
            "name": r.name,
            "skin_area_mm2": r2(r.skin_area_mm2),
            "punctures": r.punctures,
            "density_per_cm2": r2(r.density_per_cm2),
            "coverage": coverage_json(&r.coverage),
        })).collect::<Vec<_>>(),
        "no_go": no_go_names.iter().zip(&m.no_go).map(|(n, &c)| json!({ "zone": n, "punctures": c })).collect::<Vec<_>>(),
        "off_regions": m.off_regions,
        "pen_on_s": r4(m.pen_on_s),
        "warnings": m.warnings,
    })
}

/// Coverage levels (0–255) of every triangle.
fn levels(s: &SurfaceLiveSession) -> Vec<u8> {
    s.triangle_coverage().iter().map(|&c| (c * 255.0).round().clamp(0.0, 255.0) as u8).collect()
}

/// Triangles whose level changed since last sent, `[[t, level], …]`; `sent` is updated.
fn changed_levels(e: &mut SurfaceEntry) -> Vec<[u32; 2]> {
    let now = levels(&e.session);
    let out = now.iter().zip(&e.sent).enumerate().filter(|(_, (a, b))| a != b).map(|(t, (&a, _))| [t as u32, a as u32]).collect();
    e.sent = now;
    out
}

fn skin_mm(map: &SurfaceLiveMap, at: Vec2, tri: u32) -> [f64; 3] {
    let t = if tri == crate::surface::place::NO_TRIANGLE { map.chart.locate(at).unwrap_or(0) } else { tri };
    let p = map.chart.tris[t as usize].to_skin(at);
    [r2(p.x), r2(p.y), r2(p.z)]
}

/// `GET /api/surface/mesh`.
pub async fn mesh(State(state): State<Arc<AppState>>) -> ApiResult {
    tokio::task::spawn_blocking(move || {
        if let Some(v) = state.surface.mesh_json.get() {
            return Ok(Json(v.clone()));
        }
        let r = crate::pen::cartridge::Cartridge::preset(12, 1.0)?.radius_mm();
        let map = state.surface.map(r)?;
        let m = &map.face.mesh;
        let s = map.chart.scale_mm;
        let v = json!({
            "name": map.face.name,
            "scale_mm": s,
            "positions_mm": m.positions_mm.iter().flat_map(|p| [r2(p[0]), r2(p[1]), r2(p[2])]).collect::<Vec<_>>(),
            "chart_mm": m.uvs.iter().flat_map(|uv| [r4(uv[0] * s), r4(uv[1] * s)]).collect::<Vec<_>>(),
            "triangles": m.triangles.iter().flat_map(|t| t.v).collect::<Vec<_>>(),
            "triangle_uvs": m.triangles.iter().flat_map(|t| t.uv).collect::<Vec<_>>(),
            "group": m.triangles.iter().map(|t| t.group).collect::<Vec<_>>(),
            "groups": m.groups,
            "regions": map.face.regions.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
            "no_go": map.face.no_go,
            "live_resolution_mm": map.grid.resolution_mm,
            "min_cells_across_radius": r2(map.min_cells_across_radius),
        });
        let _ = state.surface.mesh_json.set(v.clone());
        Ok(Json(v))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")))?
}

/// `POST /api/surface/sessions`.
pub async fn create(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let input: SettingsIn = parse(body)?;
    tokio::task::spawn_blocking(move || {
        let base = SessionSettings {
            file: state.config.scenario.clone(),
            tilt_deg: 0.0,
            target_density_per_cm2: crate::live::session::TARGET_DENSITY_PER_CM2,
        };
        let (settings, pen, _halo) = base.apply(&input)?;
        let map = state.surface.map(pen.cartridge.radius_mm())?;
        let session = SurfaceLiveSession::new(map.clone(), pen, state.config.limits.session)?;
        let sent = levels(&session);
        let metrics = metrics_json(&session.metrics(), &map.face.no_go);
        let pen = session.pen();
        let body = json!({
            "settings": {
                "needles": pen.cartridge.needle_count(),
                "depth_mm": pen.cartridge.depth_mm,
                "frequency_hz": pen.device.frequency_hz,
                "rotation_deg": pen.device.rotation_deg,
            },
            "metrics": metrics,
        });
        let id = state.surface.insert(&state, SurfaceEntry { session, settings, last_used: Instant::now(), sent, exports: 0 })?;
        let mut body = body;
        body["session"] = json!(id);
        Ok(Json(body))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")))?
}

/// A batch of samples on the surface: `[t_ms, u_mm, v_mm]` each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceStrokeIn {
    pub stroke: u64,
    pub pass: u16,
    pub samples: Vec<[f64; 3]>,
    #[serde(default)]
    pub end: bool,
}

/// `POST /api/surface/sessions/{id}/strokes`.
pub async fn strokes(State(state): State<Arc<AppState>>, Path(id): Path<String>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let input: SurfaceStrokeIn = parse(body)?;
    if input.samples.len() > MAX_BATCH_SAMPLES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("samples: {} in one batch, allowed is at most {MAX_BATCH_SAMPLES}: send smaller batches", input.samples.len()),
        ));
    }
    let mut samples = Vec::with_capacity(input.samples.len());
    for (i, &[t_ms, u, v]) in input.samples.iter().enumerate() {
        if !(t_ms.is_finite() && (0.0..=1.0e12).contains(&t_ms)) {
            return Err(Error::invalid(format!("samples[{i}].t_ms"), t_ms, "a finite time 0 ≤ t ≤ 1e12 ms").into());
        }
        samples.push(SurfaceSample { t_s: t_ms / 1000.0, at_mm: Vec2::new(u, v) });
    }
    with_surface(state, id, move |_, e| {
        if samples.is_empty() {
            if !input.end {
                return Err(Error::invalid("samples", "[]", "at least one sample (or \"end\": true to lift the pen)").into());
            }
            e.session.end_stroke();
            let m = metrics_json(&e.session.metrics(), &e.session.map().face.no_go);
            return Ok(Json(json!({ "stroke": input.stroke, "punctures": [], "no_go": [], "coverage": [], "ended": true, "metrics": m })));
        }
        let span = samples.last().expect("non-empty").t_s - samples[0].t_s;
        if span > MAX_BATCH_SPAN_S {
            return Err(Error::invalid(
                "samples",
                format!("a batch spanning {span:.3} s"),
                format!("at most {MAX_BATCH_SPAN_S} s per batch"),
            )
            .into());
        }
        let out = e.session.add_samples(input.stroke, input.pass, &samples)?;
        if input.end {
            e.session.end_stroke();
        }
        let map = e.session.map().clone();
        let points: Vec<f64> = out.punctures.iter().flat_map(|&(at, tri)| skin_mm(&map, at, tri)).collect();
        let no_go: Vec<Value> = out
            .no_go
            .iter()
            .map(|&(z, at)| json!({ "zone": map.face.no_go[z], "at_mm": skin_mm(&map, at, map.chart.locate(at).unwrap_or(0)) }))
            .collect();
        let coverage = changed_levels(e);
        Ok(Json(json!({
            "stroke": input.stroke,
            "pass": input.pass,
            "stamps": out.stamps,
            "punctures": points,
            "no_go": no_go,
            "coverage": coverage,
            "ended": input.end,
            "metrics": metrics_json(&e.session.metrics(), &map.face.no_go),
        })))
    })
    .await
}

/// `POST /api/surface/sessions/{id}/undo`.
pub async fn undo(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    with_surface(state, id, |_, e| {
        let undone = e.session.undo();
        let coverage = changed_levels(e);
        Ok(Json(
            json!({ "undone": undone, "coverage": coverage, "metrics": metrics_json(&e.session.metrics(), &e.session.map().face.no_go) }),
        ))
    })
    .await
}

/// The recorded trace: `stroke,pass,t_s,u_mm,v_mm` (times since the session's first
/// sample, as the session stores them; every value in full precision, so `needlesim run`
/// on it stamps the same floats: [`crate::io::scenario::surface_trace`]).
pub fn trace_csv(s: &SurfaceLiveSession) -> String {
    let mut out = format!("{}\n", crate::io::scenario::surface_trace::SURFACE_TRACE_COLUMNS.join(","));
    for r in s.strokes() {
        for x in &r.samples {
            let _ = writeln!(out, "{},{},{},{},{}", r.id, r.pass, x.t_s, x.at_mm.x, x.at_mm.y);
        }
    }
    out
}

/// `POST /api/surface/sessions/{id}/export`: the session as a folder `needlesim run`
/// reproduces ([`super::surface_export`]): 429 past the session's export cap, 507 past the
/// directory's byte cap (nothing written either way).
pub async fn export(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let sid = id.clone();
    with_surface(state, id, move |state, e| {
        let max = state.config.limits.max_exports_per_session;
        if e.exports >= max {
            return Err(super::export::ExportError::PerSession { made: e.exports, max }.into());
        }
        let out = super::surface_export::write(&state.config, &sid, e.exports + 1, &e.session, &e.settings.file)?;
        e.exports += 1;
        let mut v = out;
        v["export"] = json!(e.exports);
        Ok(Json(v))
    })
    .await
}

/// `GET /api/surface/sessions/{id}/trace.csv`.
pub async fn trace(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match with_surface(state, id, |_, e| Ok(Json(Value::String(trace_csv(&e.session))))).await {
        Ok(Json(Value::String(csv))) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"surface-trace.csv\"".to_string()),
            ],
            csv,
        )
            .into_response(),
        Ok(_) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        Err(e) => e.into_response(),
    }
}
