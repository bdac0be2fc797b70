//! The JSON API: request shapes, validation, and the answers. Handlers lock one session,
//! call the core, and convert the result; heavy work runs on the blocking pool.
//!
//! Errors answer `{"error": "…"}` with: 400 malformed JSON or wrong shape (unknown field,
//! wrong type, NaN), 404 unknown session or route, 413 body, batch or session too large,
//! 422 a value out of range (the core's message: key, value, allowed range), 429 too many
//! exports from one session, 503 too many sessions, 507 the export directory full, 500 an
//! internal error. Requests refused by [`super::access`] (401, 403, 415) never get here.

use std::sync::{Arc, MutexGuard};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::export::ExportError;
use super::store::{Entry, Store};
use super::{MAP_MARGIN_MM, MAX_BATCH_SAMPLES, MAX_BATCH_SPAN_S, MAX_BODY_BYTES, ServeConfig, export};
use crate::error::Error;
use crate::geometry::{Vec2, rotate};
use crate::io::scenario::CartridgeFile;
use crate::io::scenario::ScenarioFile;
use crate::live::session::{LayerMetrics, SpeedCheck};
use crate::live::{LIVE_PASSES, LiveMetrics, LiveSession, PenSettings};
use crate::metrics::Coverage;
use crate::pen::cartridge::PRESET_NEEDLES;
use crate::technique::firing::{TimedSample, speed_for_density_mm_s};

/// Shared by every request.
pub struct AppState {
    pub config: ServeConfig,
    pub store: Store,
    /// Sessions on the 3D face ([`super::surface`]).
    pub surface: super::surface::SurfaceState,
}

impl AppState {
    pub fn new(config: ServeConfig) -> Self {
        let store = Store::new(config.limits.max_sessions, config.limits.idle);
        AppState { config, store, surface: Default::default() }
    }
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into() }
    }
    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::Invalid { .. } | Error::Parse { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Io { .. } | Error::Render { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// Parse a JSON body strictly; an empty body is `{}`.
pub(super) fn parse<T: for<'de> Deserialize<'de>>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body over {MAX_BODY_BYTES} bytes"))
        } else {
            ApiError::bad(format!("cannot read the request body: {e}"))
        }
    })?;
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &body };
    serde_json::from_slice(text).map_err(|e| ApiError::bad(format!("malformed JSON: {e}")))
}

/// Run `f` on session `id` on the blocking pool.
async fn with_session<F>(state: Arc<AppState>, id: String, f: F) -> ApiResult
where
    F: FnOnce(&AppState, &mut Entry) -> ApiResult + Send + 'static,
{
    with_entry(state, id, f).await
}

/// Run `f` on session `id` on the blocking pool, any answer.
async fn with_entry<T, F>(state: Arc<AppState>, id: String, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut Entry) -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let shared = state.store.get(&id).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, format!("no session {id:?} (it may have been idle too long): reload the page"))
        })?;
        let mut guard: MutexGuard<Entry> = match shared.lock() {
            Ok(g) => g,
            Err(_) => {
                state.store.remove(&id);
                return Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "this session was lost after an internal error: reload the page",
                ));
            }
        };
        f(&state, &mut guard)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")))?
}

// ---- Settings -------------------------------------------------------------------------

/// The page's controls. Every field is optional: missing ones keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// A device preset (`needlesim presets`): the whole pen — needles, layout, frequency and
    /// its ranges, depth range — applied first, so other fields of the same request refine it.
    pub device_preset: Option<String>,
    /// Cartridge preset, needles: 9, 12, 16 or 20.
    pub preset: Option<i64>,
    pub depth_mm: Option<f64>,
    pub frequency_hz: Option<f64>,
    /// Tilt from perpendicular, degrees.
    pub tilt_deg: Option<f64>,
    pub rotation_deg: Option<f64>,
    pub halo_mm: Option<f64>,
    pub target_density_per_cm2: Option<[f64; 2]>,
}

/// The scenario with the session's settings applied, and the tilt.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    pub file: ScenarioFile,
    pub tilt_deg: f64,
    pub target_density_per_cm2: (f64, f64),
}

impl SessionSettings {
    /// Apply `input` and validate as `run` validates a scenario (same keys, same
    /// messages); returns the new settings and the pen, or the first error.
    pub(super) fn apply(&self, input: &SettingsIn) -> Result<(SessionSettings, PenSettings, f64), Error> {
        let mut next = self.clone();
        if let Some(name) = &input.device_preset {
            next.file = crate::io::scenario::presets::switch_device(&next.file, "device_preset", name)?;
        }
        let f = &mut next.file;
        if let Some(n) = input.preset {
            // A preset grid replaces whatever layout the pen had (one layout key only).
            f.cartridge = CartridgeFile {
                preset: Some(n),
                needles_mm: None,
                layout: None,
                needles: None,
                layout_seed: None,
                layout_file: None,
                ..f.cartridge.clone()
            };
        }
        if let Some(v) = input.depth_mm {
            f.cartridge.depth_mm = v;
        }
        if let Some(v) = input.frequency_hz {
            f.device.frequency_hz = v;
        }
        if let Some(v) = input.rotation_deg {
            f.device.rotation_deg = v;
        }
        if let Some(v) = input.halo_mm {
            f.coverage.halo_mm = v;
        }
        if let Some(v) = input.tilt_deg {
            next.tilt_deg = v;
        }
        if let Some([lo, hi]) = input.target_density_per_cm2 {
            next.target_density_per_cm2 = (lo, hi);
        }
        let sim = next.file.to_simulation()?;
        let pen = PenSettings { cartridge: sim.cartridge, device: sim.device, tilt_deg: next.tilt_deg };
        pen.validate()?;
        Ok((next, pen, sim.halo_mm))
    }

    fn to_json(&self, session: &LiveSession) -> Value {
        let pen = session.pen();
        let offsets: Vec<[f64; 2]> =
            pen.cartridge.needles_mm.iter().map(|p| rotate(*p, pen.device.rotation_deg)).map(|p| [round3(p.x), round3(p.y)]).collect();
        json!({
            "device_preset": self.file.device.preset,
            "preset": self.file.cartridge.preset,
            "needles": pen.cartridge.needle_count(),
            "needle_diameter_mm": pen.cartridge.needle_diameter_mm,
            "depth_mm": pen.cartridge.depth_mm,
            "vertical_depth_mm": pen.vertical_depth_mm(),
            "depth_range_mm": [pen.device.depth_range_mm.0, pen.device.depth_range_mm.1],
            "frequency_hz": pen.device.frequency_hz,
            "rotation_deg": pen.device.rotation_deg,
            "tilt_deg": pen.tilt_deg,
            "halo_mm": session.halo_mm(),
            "zone_resolution_mm": session.zone_resolution_mm(),
            "target_density_per_cm2": [self.target_density_per_cm2.0, self.target_density_per_cm2.1],
            "target_speed_mm_s": target_speeds(pen, self.target_density_per_cm2),
            "needles_mm": offsets,
        })
    }
}

/// The hand speeds that give the target density band with `pen`, fast end first, mm/s:
/// `{"horizontal": [fast, slow], "vertical": [fast, slow]}` (strokes along x and along y).
fn target_speeds(pen: &PenSettings, (lo, hi): (f64, f64)) -> Value {
    let (f, n) = (pen.device.frequency_hz, pen.cartridge.needle_count());
    let band = |dir_deg: f64| {
        let w = pen.cartridge.track_width_mm(dir_deg, pen.device.rotation_deg);
        [speed_for_density_mm_s(f, n, lo, w), speed_for_density_mm_s(f, n, hi, w)]
    };
    json!({ "horizontal": band(0.0), "vertical": band(90.0) })
}

/// A number for messages: scientific notation when huge.
fn short(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e6 { format!("{v:e}") } else { v.to_string() }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

// ---- Routes ---------------------------------------------------------------------------

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such route")
}

pub async fn config(State(state): State<Arc<AppState>>) -> Json<Value> {
    let map = &state.config.map;
    let b = map.bounds();
    let no_go = map.no_go.as_ref().map(|n| n.zone_names()).unwrap_or_default();
    let limits = state.config.limits;
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "map": {
            "name": map.name,
            "bounds_mm": [b.x0, b.y0, b.x1, b.y1],
            "regions": map.label_names,
            "outlines_mm": outlines(map),
            "labels_mm": labels(map),
            "no_go": no_go,
        },
        "presets": PRESET_NEEDLES,
        "device_presets": crate::pen::preset::PRESETS.iter().map(|p| json!({ "name": p.name, "label": p.label, "needles": p.needles.value })).collect::<Vec<_>>(),
        "passes": LIVE_PASSES,
        "live_resolution_mm": map.grid.resolution_mm,
        "limits": {
            "max_batch_samples": MAX_BATCH_SAMPLES,
            "max_batch_span_s": MAX_BATCH_SPAN_S,
            "max_body_bytes": MAX_BODY_BYTES,
            "map_margin_mm": MAP_MARGIN_MM,
            "max_sessions": limits.max_sessions,
            "idle_s": limits.idle.as_secs(),
            "max_punctures": limits.session.max_punctures,
            "max_strokes": limits.session.max_strokes,
            "max_exports_per_session": limits.max_exports_per_session,
        },
    }))
}

/// Region outlines for the page: `{name, ring: [[x, y], …], no_go}` per ring (regions first,
/// then the no-go zones). The flat patch is its rectangle; a face map sends its region parts
/// and no-go polygons; a painted (raster) face map sends the outlines of its pixels
/// ([`crate::face::outline`]).
fn outlines(map: &crate::live::LiveMap) -> Value {
    let ring = |v: &[crate::geometry::Vec2]| v.iter().map(|p| [round3(p.x), round3(p.y)]).collect::<Vec<_>>();
    let Some(face) = &map.face else {
        let b = map.bounds();
        return json!([{ "name": map.label_names.first(), "ring": [[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]], "no_go": false }]);
    };
    let mut out = Vec::new();
    if let Some(raster) = face.raster() {
        use crate::face::raster::Pixel;
        let named = map.label_names.iter().enumerate().map(|(l, name)| (name, Pixel::Region(l as u16), false));
        let zones = face.no_go_names().iter().enumerate().map(|(k, name)| (name, Pixel::NoGo(k as u16), true));
        for (name, pixel, no_go) in named.chain(zones) {
            for r in raster.rings_mm(pixel) {
                out.push(json!({ "name": name, "ring": ring(&r), "no_go": no_go }));
            }
        }
        return Value::Array(out);
    }
    for (l, name) in map.label_names.iter().enumerate() {
        for part in face.region_polygons(l as u16).unwrap_or_default() {
            out.push(json!({ "name": name, "ring": ring(part.vertices()), "no_go": false }));
        }
    }
    for (name, zone) in face.no_go_names().iter().zip(face.no_go_polygons().unwrap_or_default()) {
        out.push(json!({ "name": name, "ring": ring(zone.vertices()), "no_go": true }));
    }
    Value::Array(out)
}

/// Where the page writes each region's name: `{name, at_mm: [x, y]}` (a face map's label
/// anchors, well inside each region; the patch's centre).
fn labels(map: &crate::live::LiveMap) -> Value {
    match &map.face {
        Some(face) => map
            .label_names
            .iter()
            .enumerate()
            .map(|(l, name)| {
                let a = face.label_anchor(l as u16);
                json!({ "name": name, "at_mm": [round3(a.x), round3(a.y)] })
            })
            .collect(),
        None => {
            let c = map.bounds().center();
            json!([{ "name": map.label_names.first(), "at_mm": [c.x, c.y] }])
        }
    }
}

pub async fn create_session(State(state): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let input: SettingsIn = parse(body)?;
    tokio::task::spawn_blocking(move || {
        let base = SessionSettings {
            file: state.config.scenario.clone(),
            tilt_deg: 0.0,
            target_density_per_cm2: crate::live::session::TARGET_DENSITY_PER_CM2,
        };
        let (settings, pen, halo) = base.apply(&input)?;
        let mut session = LiveSession::new(state.config.map.clone(), pen, halo, state.config.limits.session)?;
        session.set_target_density(settings.target_density_per_cm2)?;
        let body = json!({
            "settings": settings.to_json(&session),
            "metrics": metrics_json(&session.metrics(), &state.config.map.label_names, &session),
        });
        let id = state.store.insert_with(session, settings).map_err(|full| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "{} sessions are open, the most this server keeps; close a tab or wait until one has been idle {} min",
                    full.max_sessions,
                    full.idle.as_secs() / 60
                ),
            )
        })?;
        let mut body = body;
        body["session"] = json!(id);
        Ok(Json(body))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}")))?
}

/// How many sessions are open, and the most kept (ids are not listed: they keep tabs apart).
pub async fn session_count(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "open": state.store.len(), "max_sessions": state.config.limits.max_sessions }))
}

/// The whole session, for a page that reloads: settings, figures, and every stroke's
/// punctures (`[x, y, …]`), stamp times and no-go touches, as the strokes route answered them.
pub async fn session_state(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let sid = id.clone();
    with_session(state, id, move |state, e| {
        let session = &e.session;
        let all = session.punctures();
        let strokes: Vec<Value> = session
            .strokes()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let end = session.strokes().get(i + 1).map_or(all.len(), |q| q.first_puncture);
                let mine = &all[s.first_puncture..end];
                let needles = s.pen.cartridge.needle_count().max(1);
                let mut flat = Vec::with_capacity(2 * mine.len());
                for p in mine {
                    flat.push(round3(p.x_mm));
                    flat.push(round3(p.y_mm));
                }
                json!({
                    "stroke": s.id,
                    "pass": s.pass,
                    "needles": needles,
                    "punctures": flat,
                    "stamp_t_s": mine.iter().step_by(needles).map(|p| (p.t_s * 1e4).round() / 1e4).collect::<Vec<_>>(),
                    "no_go": s.no_go.iter().map(|(_, at)| [round3(at.x), round3(at.y)]).collect::<Vec<_>>(),
                    "verdict": session.speed_check(s).map(|c| speed_json(session, &c)),
                })
            })
            .collect();
        let mut body = json!({
            "session": sid,
            "settings": e.settings.to_json(session),
            "metrics": metrics_json(&session.metrics(), &state.config.map.label_names, session),
            "strokes": strokes,
            "exports": e.exports,
        });
        // The page's clock goes on from here (absent before the first stroke).
        if let Some(t) = session.last_sample_s() {
            body["last_sample_t_ms"] = json!(t * 1000.0);
        }
        Ok(Json(body))
    })
    .await
}

pub async fn delete_session(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    if state.store.remove(&id) {
        Ok(Json(json!({ "deleted": id })))
    } else {
        Err(ApiError::new(StatusCode::NOT_FOUND, format!("no session {id:?}")))
    }
}

pub async fn settings(State(state): State<Arc<AppState>>, Path(id): Path<String>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let input: SettingsIn = parse(body)?;
    with_session(state, id, move |state, e| {
        let (next, pen, halo) = e.settings.apply(&input)?;
        // Validate everything before changing anything.
        crate::sim::check_halo(halo)?;
        let (lo, hi) = next.target_density_per_cm2;
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi && hi <= 100_000.0) {
            return Err(
                Error::invalid("target_density_per_cm2", format!("[{lo}, {hi}]"), "[lo, hi] with 0 < lo ≤ hi ≤ 100000 per cm²").into()
            );
        }
        e.session.set_pen(pen)?;
        e.session.set_target_density(next.target_density_per_cm2)?;
        e.session.set_halo(halo)?;
        e.settings = next;
        Ok(Json(json!({
            "settings": e.settings.to_json(&e.session),
            "metrics": metrics_json(&e.session.metrics(), &state.config.map.label_names, &e.session),
        })))
    })
    .await
}

/// A batch of pointer samples: `[t_ms, x_mm, y_mm]` each, `t_ms` on the page's clock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrokeIn {
    pub stroke: u64,
    pub pass: u16,
    pub samples: Vec<[f64; 3]>,
    /// The pen is lifted after these samples.
    #[serde(default)]
    pub end: bool,
}

/// Check a batch's shape and ranges against the map; the core checks time order.
pub fn check_batch(input: &StrokeIn, bounds: crate::geometry::Rect) -> Result<Vec<TimedSample>, ApiError> {
    if input.samples.len() > MAX_BATCH_SAMPLES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("samples: {} in one batch, allowed is at most {MAX_BATCH_SAMPLES}: send smaller batches", input.samples.len()),
        ));
    }
    let (x0, y0, x1, y1) = (bounds.x0 - MAP_MARGIN_MM, bounds.y0 - MAP_MARGIN_MM, bounds.x1 + MAP_MARGIN_MM, bounds.y1 + MAP_MARGIN_MM);
    let mut out = Vec::with_capacity(input.samples.len());
    for (i, &[t_ms, x, y]) in input.samples.iter().enumerate() {
        if !(t_ms.is_finite() && (0.0..=1.0e12).contains(&t_ms)) {
            return Err(Error::invalid(format!("samples[{i}].t_ms"), t_ms, "a finite time 0 ≤ t ≤ 1e12 ms").into());
        }
        if !(x.is_finite() && y.is_finite() && x >= x0 && x <= x1 && y >= y0 && y <= y1) {
            return Err(Error::invalid(
                format!("samples[{i}]"),
                format!("({}, {}) mm", short(x), short(y)),
                format!("a point on the map or within {MAP_MARGIN_MM} mm of it: x {x0}…{x1}, y {y0}…{y1} mm"),
            )
            .into());
        }
        out.push(TimedSample { t_s: t_ms / 1000.0, at_mm: Vec2::new(x, y) });
    }
    Ok(out)
}

pub async fn strokes(State(state): State<Arc<AppState>>, Path(id): Path<String>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let input: StrokeIn = parse(body)?;
    let samples = check_batch(&input, state.config.map.bounds())?;
    with_session(state, id, move |state, e| {
        if samples.is_empty() {
            if !input.end {
                return Err(Error::invalid("samples", "[]", "at least one sample (or \"end\": true to lift the pen)").into());
            }
            e.session.end_stroke();
            return Ok(Json(json!({ "stroke": input.stroke, "pass": input.pass, "punctures": [], "no_go": [], "ended": true,
                "metrics": metrics_json(&e.session.metrics(), &state.config.map.label_names, &e.session) })));
        }
        let from = e.session.open_stroke_last_s(input.stroke).unwrap_or(samples[0].t_s);
        let span = samples.last().expect("non-empty").t_s - from;
        if span > MAX_BATCH_SPAN_S {
            return Err(Error::invalid(
                "samples",
                format!("a batch spanning {span:.3} s"),
                format!("at most {MAX_BATCH_SPAN_S} s per batch (from the stroke's previous sample): lift the pen and start a new stroke"),
            )
            .into());
        }
        let out = e.session.add_samples(input.stroke, input.pass, &samples)?;
        if input.end {
            e.session.end_stroke();
        }
        let mut flat = Vec::with_capacity(2 * out.punctures.len());
        for p in &out.punctures {
            flat.push(round3(p.x_mm));
            flat.push(round3(p.y_mm));
        }
        let no_go: Vec<[f64; 2]> = out.no_go.iter().map(|(_, at)| [round3(at.x), round3(at.y)]).collect();
        Ok(Json(json!({
            "stroke": input.stroke,
            "pass": input.pass,
            "stamps": out.stamps.len(),
            "stamp_t_s": out.stamps.iter().map(|s| (s.t_s * 1e4).round() / 1e4).collect::<Vec<_>>(),
            "punctures": flat,
            "no_go": no_go,
            "tiles": out.tiles,
            "ended": input.end,
            "metrics": metrics_json(&e.session.metrics(), &state.config.map.label_names, &e.session),
        })))
    })
    .await
}

pub async fn undo(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    with_session(state, id, |state, e| {
        let undone = e.session.undo();
        Ok(Json(json!({ "undone": undone, "metrics": metrics_json(&e.session.metrics(), &state.config.map.label_names, &e.session) })))
    })
    .await
}

pub async fn clear(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    with_session(state, id, |state, e| {
        e.session.clear();
        Ok(Json(json!({ "metrics": metrics_json(&e.session.metrics(), &state.config.map.label_names, &e.session) })))
    })
    .await
}

pub async fn trace_csv(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    csv_download(state, id, "trace.csv", export::trace_csv).await
}

/// The pen of every stroke (`strokes.csv`, as in an export).
pub async fn strokes_csv(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    csv_download(state, id, "strokes.csv", |s| Ok(export::strokes_csv(s))).await
}

/// A CSV of session `id` made by `make`, as a download named `name`.
async fn csv_download(state: Arc<AppState>, id: String, name: &'static str, make: fn(&LiveSession) -> Result<String, Error>) -> Response {
    let r = with_session(state, id, move |_, e| Ok(Json(Value::String(make(&e.session)?)))).await;
    match r {
        Ok(Json(Value::String(csv))) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            csv,
        )
            .into_response(),
        Ok(_) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        Err(e) => e.into_response(),
    }
}

/// Write the session's report under the export directory: 429 past the session's export
/// cap, 507 past the directory's byte cap (nothing written either way).
pub async fn export(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let sid = id.clone();
    with_session(state, id, move |state, e| {
        let max = state.config.limits.max_exports_per_session;
        if e.exports >= max {
            return Err(ExportError::PerSession { made: e.exports, max }.into());
        }
        e.exports += 1;
        let out = export::write(&state.config, &sid, e.exports, &e.session, &e.settings.file);
        match out {
            Ok(mut v) => {
                // Where the page opens the report (served by `export_file`).
                v["report_url"] = json!(format!("/api/sessions/{sid}/exports/{}/{}", e.exports, crate::io::output::REPORT_HTML));
                v["export"] = json!(e.exports);
                Ok(Json(v))
            }
            Err(err) => {
                e.exports -= 1;
                Err(err.into())
            }
        }
    })
    .await
}

/// A file of export `n` of session `id` (the report and its pictures, for the page's link):
/// only a name listed in that export's directory, only for the session that wrote it.
pub async fn export_file(State(state): State<Arc<AppState>>, Path((id, n, name)): Path<(String, u32, String)>) -> Response {
    let sid = id.clone();
    let r = with_entry(state, id, move |state, e| {
        if n == 0 || n > e.exports {
            return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no export {n} of this session (it has written {})", e.exports)));
        }
        let path = export::export_dir(&state.config.export_dir, &sid, n);
        let listed = std::fs::read_dir(&path)
            .map_err(|err| ApiError::new(StatusCode::NOT_FOUND, format!("export {n} is no longer on disk: {err}")))?
            .filter_map(|d| d.ok())
            .any(|d| d.file_type().is_ok_and(|t| t.is_file()) && d.file_name().to_str() == Some(name.as_str()));
        if !listed {
            return Err(ApiError::new(StatusCode::NOT_FOUND, format!("no file {name:?} in export {n}")));
        }
        let bytes = std::fs::read(path.join(&name)).map_err(|err| ApiError::from(Error::io(path.join(&name), err)))?;
        Ok((name, bytes))
    })
    .await;
    match r {
        Ok((name, bytes)) => {
            let kind = match name.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("png") => "image/png",
                Some("gif") => "image/gif",
                Some("svg") => "image/svg+xml",
                Some("json") => "application/json",
                Some("csv") => "text/csv; charset=utf-8",
                _ => "text/plain; charset=utf-8",
            };
            ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-store")], bytes).into_response()
        }
        Err(e) => e.into_response(),
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Core(e) => e.into(),
            ExportError::PerSession { .. } => ApiError::new(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
            ExportError::DirFull { .. } => ApiError::new(StatusCode::INSUFFICIENT_STORAGE, e.to_string()),
        }
    }
}

// ---- Figures --------------------------------------------------------------------------

fn coverage_json(c: &Coverage, passes: usize) -> Value {
    json!({
        "coverage": c.coverage,
        "coverage_per_pass": &c.coverage_per_pass[..passes],
        "coverage_cumulative": &c.coverage_cumulative[..passes],
        "hits_histogram": c.hits_histogram,
        "mean_hits": c.mean_hits,
        "max_hits": c.max_hits,
        "over_pass_limit_fraction": c.over_pass_limit_fraction,
    })
}

fn layer_json(l: &LayerMetrics, passes: usize) -> Value {
    coverage_json(&l.whole, passes)
}

/// A stroke's verdict as the page shows it: its figures, the target's speed band, the
/// verdict (`"too fast"`, `"too slow"`, `"ok"`) and the sentence the warnings use.
fn speed_json(session: &LiveSession, s: &SpeedCheck) -> Value {
    json!({
        "stroke": s.stroke,
        "speed_mm_s": s.speed_mm_s,
        "density_per_pass_per_cm2": s.density_per_pass_per_cm2,
        "stamps_per_spot": s.stamps_per_spot,
        "held": s.held,
        "target_speed_mm_s": [s.target_speed_mm_s.0, s.target_speed_mm_s.1],
        "verdict": match s.verdict { 1 => "too fast", -1 => "too slow", _ => "ok" },
        "message": session.speed_message(s),
    })
}

/// The live figures as the page reads them. Spots over the pass limit are capped at 500
/// rectangles (the count is complete).
///
/// **One definition per figure.** `treated` holds the figures over the treated regions
/// (those some stroke belongs to, as an export groups them): the ones `run` and an export
/// report, and the page's headline figures. `hole`, `zone` and `density_per_cm2` are over
/// the whole map (the page labels them so). Every number is finite (a held pen included):
/// nothing the page shows is ever `null`; `zone` and `speed` are `null` when there is no
/// halo or no stroke yet.
pub fn metrics_json(m: &LiveMetrics, labels: &[String], session: &LiveSession) -> Value {
    let passes = m.passes_used;
    let regions: Vec<Value> = labels
        .iter()
        .enumerate()
        .map(|(l, name)| {
            json!({
                "name": name,
                "treated": m.treated[l],
                "area_mm2": m.area_mm2[l],
                "coverage": m.hole.per_label[l].coverage,
                "zone_coverage": m.zone.as_ref().map(|z| z.per_label[l].coverage),
                "density_per_cm2": m.density_per_cm2[l],
                "over_pass_limit_fraction": m.hole.per_label[l].over_pass_limit_fraction,
            })
        })
        .collect();
    let spots: Vec<[f64; 4]> = m.over_pass_limit_spots.iter().take(500).map(|r| [r.x0, r.y0, r.x1, r.y1]).collect();
    let treated_names: Vec<&String> = labels.iter().zip(&m.treated).filter(|(_, t)| **t).map(|(n, _)| n).collect();
    let mut treated = coverage_json(&m.hole_treated, passes);
    treated["regions"] = json!(treated_names);
    treated["area_mm2"] = json!(m.treated_area_mm2);
    treated["density_per_cm2"] = json!(m.density_treated_per_cm2);
    treated["zone_coverage"] = json!(m.zone_treated.as_ref().map(|z| z.coverage));
    json!({
        "punctures": m.punctures,
        "stamps": m.stamps,
        "strokes": m.strokes,
        "passes_used": passes,
        "treated": treated,
        "hole": layer_json(&m.hole, passes),
        "zone": m.zone.as_ref().map(|z| {
            let mut v = layer_json(z, passes);
            v["halo_mm"] = json!(m.halo_mm);
            v
        }),
        "density_per_cm2": m.density_whole_per_cm2,
        "regions": regions,
        "pen_on_s": m.pen_on_s,
        "elapsed_s": m.elapsed_s,
        "over_pass_limit_spots": m.over_pass_limit_spots.len(),
        "over_pass_limit_rects_mm": spots,
        "no_go": m.no_go.iter().map(|t| json!({ "zone": t.zone, "punctures": t.punctures, "first_at_mm": [t.first_at_mm.x, t.first_at_mm.y] })).collect::<Vec<_>>(),
        "speed": m.speed.as_ref().map(|s| speed_json(session, s)),
        "warnings": m.warnings,
    })
}
