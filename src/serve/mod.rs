//! `needlesim serve`: a local web server for live training, a thin front end over
//! [`crate::live`].
//!
//! One embedded page (plain HTML/JS/CSS, no CDN, works offline) and a small JSON API:
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `/app.js`, `/app.css`, `/favicon.svg` | the page |
//! | `GET /api/config` | the map, presets, defaults, limits |
//! | `GET /api/sessions` | how many sessions are open (a count: ids stay secret) |
//! | `POST /api/sessions` | a new session (one per browser tab), body: settings |
//! | `POST /api/sessions/{id}/settings` | change the pen, halo, target density |
//! | `POST /api/sessions/{id}/strokes` | a batch of pointer samples → new punctures + figures |
//! | `POST /api/sessions/{id}/undo`, `/clear` | undo the last stroke, clear all |
//! | `GET /api/sessions/{id}/trace.csv` | the session's samples (`stroke,pass,t_s,x_mm,y_mm`: what `run` reads) |
//! | `GET /api/sessions/{id}/strokes.csv` | the pen of each stroke (as in an export) |
//! | `POST /api/sessions/{id}/export` | write the session's report under the export directory |
//! | `GET /api/sessions/{id}` | the whole session (settings, figures, every stroke's punctures): a reloaded page resumes it |
//! | `GET /api/sessions/{id}/exports/{n}/{file}` | a file of an export (the report and its pictures, for the page's link) |
//! | `DELETE /api/sessions/{id}` | end a session |
//!
//! **Access.** Only the page the trainer opened gets in ([`access`]): every request must
//! carry the server's token (a cookie set by opening the printed `/?token=…` URL, or
//! `Authorization: Bearer`), name this server in `Host` (against DNS rebinding), and, when
//! it changes anything, come from this server's own `Origin` with a JSON body. A refused
//! request (401, 403, 415) reaches no handler and stores nothing.
//!
//! **Safety.** Requests are validated strictly ([`api`]): bodies over [`MAX_BODY_BYTES`],
//! malformed JSON, unknown fields, non-finite or far-off coordinates, time going backwards,
//! batches over [`MAX_BATCH_SAMPLES`] samples or [`MAX_BATCH_SPAN_S`] seconds, unknown
//! presets and out-of-range settings get a 4xx answer with a JSON `{"error": …}` message
//! (the same messages as the CLI where the settings overlap) and store nothing. Sessions
//! are kept apart by random ids, bounded in size ([`crate::live::SessionLimits`]) and
//! number ([`ServeLimits`]), and dropped when idle. Requests never name a file: the only
//! file-system write is an export into a fresh directory under the configured export
//! directory, capped per session and in total bytes ([`ServeLimits`]; 429 and 507 past them).
//!
//! **Invariant.** The server holds no simulation logic: stamping, placement, accumulation
//! and warnings are the core's; this module validates, stores and converts to JSON.

pub mod access;
pub mod api;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod net;
pub mod page;
pub mod store;
pub mod surface;
pub mod surface_export;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use access::{Access, Token};

use crate::error::{Error, Result};
use crate::face::FaceMap;
use crate::face::simulation::FaceSimulation;
use crate::io::scenario::{PatchFile, ScenarioFile};
use crate::live::{LiveMap, SessionLimits};
use crate::raster::domain::Domain;

/// Largest request body, bytes (a full batch of 200 samples is about 10 kB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most pointer samples in one batch.
pub const MAX_BATCH_SAMPLES: usize = 200;
/// Longest time one batch may span (from the previous sample of the stroke), s. It bounds
/// the stamps one request can make.
pub const MAX_BATCH_SPAN_S: f64 = 10.0;
/// How far outside the map a sample may be, mm (the cartridge overhangs the edge).
pub const MAP_MARGIN_MM: f64 = 50.0;

/// Caps of the whole server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServeLimits {
    /// Most sessions at once (one per browser tab).
    pub max_sessions: usize,
    /// A session unused this long is dropped.
    pub idle: Duration,
    pub session: SessionLimits,
    /// Most exports one session may write.
    pub max_exports_per_session: u32,
    /// Most bytes the export directory may hold: an export that would go past it is refused
    /// (and nothing of it is left).
    pub max_export_bytes: u64,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            max_sessions: 16,
            idle: Duration::from_secs(30 * 60),
            session: SessionLimits::default(),
            max_exports_per_session: 20,
            max_export_bytes: 1_000_000_000,
        }
    }
}

/// What the server serves.
pub struct ServeConfig {
    /// The scenario whose pen, halo and area are the defaults (`needlesim serve SCENARIO`).
    pub scenario: ScenarioFile,
    pub map: Arc<LiveMap>,
    /// Exports go into fresh directories under this one.
    pub export_dir: PathBuf,
    pub limits: ServeLimits,
    /// The face scenario served, if any: exports are measured as its session.
    pub face: Option<FaceBase>,
    /// Who may use the server (a fresh random token by default).
    pub access: Access,
}

/// A served face scenario: its file (written with each export) and its session (map, grid,
/// skin, technique and pictures measure the export; the strokes replace its plan).
pub struct FaceBase {
    pub file: ScenarioFile,
    pub sim: FaceSimulation,
}

impl ServeConfig {
    /// Defaults from a scenario: its patch is the map. Validates the scenario as `run` does.
    pub fn from_scenario(scenario: ScenarioFile, export_dir: PathBuf) -> Result<Self> {
        let sim = scenario.to_simulation()?;
        let map = Arc::new(LiveMap::patch(sim.area));
        Ok(ServeConfig { scenario, map, export_dir, limits: ServeLimits::default(), face: None, access: Access::random()? })
    }

    /// Defaults from a face scenario over its loaded `face` map: the map is served with its
    /// regions and no-go zones; the scenario's pen (cartridge, device, technique speed, halo)
    /// is the page's default. The face session is validated as `run` does.
    pub fn from_face_scenario(scenario: ScenarioFile, face: FaceMap, export_dir: PathBuf) -> Result<Self> {
        let sim = scenario.to_face_simulation(face.clone())?;
        let b = face.bounds();
        // The pen settings are checked and applied by the patch path; a stand-in patch over
        // the map's bounds carries them (the page never treats it as the area).
        let mut pen = scenario.clone();
        pen.face = None;
        pen.treat.clear();
        pen.patch = Some(PatchFile { x0_mm: b.x0, y0_mm: b.y0, width_mm: b.width(), height_mm: b.height() });
        let map = Arc::new(LiveMap::face(Arc::new(face)));
        let face = Some(FaceBase { file: scenario, sim });
        Ok(ServeConfig { scenario: pen, map, export_dir, limits: ServeLimits::default(), face, access: Access::random()? })
    }
}

/// The routes, over shared state, behind the access rules ([`access::guard`]) of a server
/// bound to `bound`.
pub fn router(config: ServeConfig, bound: SocketAddr) -> Router {
    let guard = Arc::new(access::Guard::new(&config.access, bound));
    let state = Arc::new(api::AppState::new(config));
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/favicon.svg", get(page::favicon))
        .route("/viewer3d.js", get(page::viewer3d))
        .route("/api/surface/mesh", get(surface::mesh))
        .route("/api/surface/sessions", post(surface::create))
        .route("/api/surface/sessions/{id}/strokes", post(surface::strokes))
        .route("/api/surface/sessions/{id}/undo", post(surface::undo))
        .route("/api/surface/sessions/{id}/trace.csv", get(surface::trace))
        .route("/api/surface/sessions/{id}/export", post(surface::export))
        .route("/api/config", get(api::config))
        .route("/api/sessions", get(api::session_count).post(api::create_session))
        .route("/api/sessions/{id}", get(api::session_state).delete(api::delete_session))
        .route("/api/sessions/{id}/exports/{n}/{file}", get(api::export_file))
        .route("/api/sessions/{id}/settings", post(api::settings))
        .route("/api/sessions/{id}/strokes", post(api::strokes))
        .route("/api/sessions/{id}/undo", post(api::undo))
        .route("/api/sessions/{id}/clear", post(api::clear))
        .route("/api/sessions/{id}/trace.csv", get(api::trace_csv))
        .route("/api/sessions/{id}/strokes.csv", get(api::strokes_csv))
        .route("/api/sessions/{id}/export", post(api::export))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(guard, access::guard))
        .with_state(state)
}

/// Bind `addr`, call `ready` with the bound address (port 0 picks a free port), and serve
/// until the process ends. Idle sessions are swept every minute. Refuses `--no-token` on an
/// address other than loopback ([`Access::check_bind`]).
pub fn run(config: ServeConfig, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    config.access.check_bind(addr.ip())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| Error::io(format!("bind {addr}"), e))?;
        let local = listener.local_addr().map_err(|e| Error::io(format!("bind {addr}"), e))?;
        ready(local);
        axum::serve(listener, router(config, local)).await.map_err(|e| Error::io("serving", e))
    })
}
