//! The fuzz entry point for the live server's JSON request bodies (`fuzz/fuzz_targets/api_body.rs`,
//! replayed by `tests/fuzz_regressions.rs`; hidden from the docs).
//!
//! The bytes are cut at `0x00` into up to four request bodies; the first byte of each picks
//! the route (settings, strokes or a new session) and the rest is the body, sent through the
//! server's own handlers on one fresh session. Every answer must be a success or a 4xx
//! with a message: a 5xx or a panic is a finding.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::response::IntoResponse;

use super::ServeConfig;
use super::api::{self, AppState};

struct Harness {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let file = crate::io::scenario::parse(crate::io::fuzzing::DEFAULT_SCENARIO, Path::new("default.toml"), &[])
            .expect("the bundled scenario parses");
        // Exports are not a JSON route; nothing is written under this directory.
        let config =
            ServeConfig::from_scenario(file, std::env::temp_dir().join("needlesim-fuzz-exports")).expect("the bundled scenario serves");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
        Harness { runtime, state: Arc::new(AppState::new(config)) }
    })
}

/// The status of an answer, and its message when it is an error.
fn check(what: &str, response: axum::response::Response, body: &[u8]) {
    let status = response.status();
    assert!(status.is_success() || status.is_client_error(), "{what} answered {status} to the body {:?}", String::from_utf8_lossy(body));
    if status.is_client_error() {
        // The JSON {"error": …} body of ApiError.
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("application/json"), "{what} answered {status} without a JSON message");
    }
}

/// Feed `data` to the server's JSON routes (see the module doc).
pub fn api_body_bytes(data: &[u8]) {
    let h = harness();
    let state = h.state.clone();
    h.runtime.block_on(async move {
        let made = api::create_session(State(state.clone()), Ok(Bytes::from_static(b"{}"))).await.expect("a session with default settings");
        let id = made.0["session"].as_str().expect("a session id").to_owned();
        for part in data.split(|&b| b == 0).take(4) {
            let Some((&route, body)) = part.split_first() else { continue };
            let bytes = Bytes::copy_from_slice(body);
            match route % 3 {
                0 => {
                    let r = api::settings(State(state.clone()), UrlPath(id.clone()), Ok(bytes)).await;
                    check("settings", r.into_response(), body);
                }
                1 => {
                    let r = api::strokes(State(state.clone()), UrlPath(id.clone()), Ok(bytes)).await;
                    check("strokes", r.into_response(), body);
                }
                _ => {
                    let r = api::create_session(State(state.clone()), Ok(bytes)).await;
                    if let Ok(made) = &r {
                        let other = made.0["session"].as_str().expect("a session id").to_owned();
                        let _ = api::delete_session(State(state.clone()), UrlPath(other)).await;
                    }
                    check("create_session", r.into_response(), body);
                }
            }
        }
        let deleted = api::delete_session(State(state.clone()), UrlPath(id)).await;
        assert!(deleted.is_ok(), "the session vanished while it was in use");
    });
}
