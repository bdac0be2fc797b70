//! Load on `needlesim serve`, loopback only, bounded in time: N clients, each with its own
//! session, send stroke batches back to back (10 pointer samples at 60 Hz each, a zigzag
//! over the patch; the session is cleared past 200,000 punctures). Reports p50/p99
//! latency, throughput and errors; checks 0 errors and that every session's puncture count
//! is exactly what its own batches made (sessions stay apart).
//!
//! The short run (3 clients × 2 s) is part of the normal suite; the full one (20 clients ×
//! 20 s) is `cargo test --release --test serve_load -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

use common::http::Server;
use serde_json::json;

struct Report {
    requests: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    per_s: f64,
}

fn load(clients: usize, secs: u64) -> Report {
    let server = Server::start(&["scenarios/default.toml", "--max-sessions", &clients.to_string()]);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let results: Vec<(Vec<f64>, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let server = &server;
                scope.spawn(move || {
                    let id = server.session();
                    let path = format!("/api/sessions/{id}/strokes");
                    let (mut lat, mut errors) = (Vec::new(), 0usize);
                    let (mut t_ms, mut s_mm, mut stroke, mut expected) = (0.0f64, 0.0f64, 1u64, 0u64);
                    let mut k = 0u64;
                    while Instant::now() < deadline {
                        let samples: Vec<[f64; 3]> = (0..10)
                            .map(|_| {
                                t_ms += 1000.0 / 60.0;
                                s_mm += 40.0 / 60.0;
                                let lane = (s_mm / 36.0).floor();
                                let along = s_mm - lane * 36.0;
                                let x = if lane as i64 % 2 == 0 { 2.0 + along } else { 38.0 - along };
                                [t_ms, x, 2.0 + (lane * 2.2 + c as f64 * 0.37) % 26.0]
                            })
                            .collect();
                        k += 1;
                        let end = k.is_multiple_of(20);
                        let body = json!({"stroke": stroke, "pass": (stroke % 3) as u16, "samples": samples, "end": end});
                        let t0 = Instant::now();
                        let r = server.call("POST", &path, Some(&body));
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        if r.status != 200 {
                            errors += 1;
                            continue;
                        }
                        let v = r.json();
                        expected += 12 * v["stamps"].as_u64().unwrap();
                        assert_eq!(
                            v["metrics"]["punctures"].as_u64().unwrap(),
                            expected,
                            "client {c}: its session holds only its own punctures"
                        );
                        if end {
                            stroke += 1;
                            t_ms += 300.0;
                        }
                        if expected > 200_000 {
                            assert_eq!(server.call("POST", &format!("/api/sessions/{id}/clear"), None).status, 200);
                            expected = 0;
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let mut all: Vec<f64> = results.iter().flat_map(|(l, _)| l.iter().copied()).collect();
    all.sort_by(f64::total_cmp);
    let q = |f: f64| all[((all.len() as f64 - 1.0) * f).round() as usize];
    Report {
        requests: all.len(),
        errors: results.iter().map(|(_, e)| e).sum(),
        p50_ms: q(0.5),
        p99_ms: q(0.99),
        max_ms: *all.last().unwrap(),
        per_s: all.len() as f64 / elapsed,
    }
}

fn print(r: &Report, clients: usize, secs: u64) {
    println!(
        "serve load: {clients} clients × {secs} s: {} requests ({:.0}/s), {} errors, latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.requests, r.per_s, r.errors, r.p50_ms, r.p99_ms, r.max_ms
    );
}

#[test]
fn short_load_has_no_errors_and_keeps_sessions_apart() {
    let r = load(3, 2);
    print(&r, 3, 2);
    assert_eq!(r.errors, 0);
    assert!(r.requests >= 3, "every client got answers");
}

#[test]
#[ignore = "20 clients × 20 s: run by hand (see PERFORMANCE.md)"]
fn full_load_20_clients_20_seconds() {
    let r = load(20, 20);
    print(&r, 20, 20);
    assert_eq!(r.errors, 0);
}
