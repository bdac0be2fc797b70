//! `needlesim serve`: the JSON API end to end over loopback (the built binary on a free
//! port). Bad input gets a 4xx with a message and stores nothing; sessions stay apart; undo
//! restores the figures exactly; the export is the report `run` writes.

mod common;

use common::http::{Server, line_samples};
use serde_json::{Value, json};

fn metrics(s: &Server, id: &str) -> Value {
    // An empty end-of-stroke batch answers the current figures without changing them.
    let r = s.call(
        "POST",
        &format!("/api/sessions/{id}/strokes"),
        Some(&json!({"stroke": 1_000_000_000u64, "pass": 0, "samples": [], "end": true})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["metrics"].clone()
}

fn stroke(s: &Server, id: &str, body: Value) -> common::http::Response {
    s.call("POST", &format!("/api/sessions/{id}/strokes"), Some(&body))
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let s = Server::start(&["scenarios/default.toml"]);
    let page = s.call("GET", "/", None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<canvas id=\"map\"") && page.body.contains("/app.js"));
    assert!(!page.body.contains("http://") && !page.body.contains("https://"), "no CDN or remote asset");
    for path in ["/app.js", "/app.css", "/favicon.svg"] {
        let r = s.call("GET", path, None);
        assert_eq!(r.status, 200, "{path}");
        assert!(!r.body.contains("https://"), "{path} loads nothing remote");
    }
    let c = s.call("GET", "/api/config", None).json();
    assert_eq!(c["map"]["bounds_mm"], json!([0.0, 0.0, 40.0, 30.0]));
    assert_eq!(c["presets"], json!([9, 12, 16, 20]));
    let nf = s.call("GET", "/nope", None);
    assert_eq!(nf.status, 404);
    assert!(nf.json()["error"].is_string());
}

#[test]
fn bad_input_gets_a_4xx_with_a_message_and_stores_nothing() {
    let s = Server::start(&["scenarios/default.toml"]);
    let id = s.session();
    let good = line_samples(1000.0, (5.0, 5.0), (30.0, 8.0), 40.0, 16.0);
    assert_eq!(stroke(&s, &id, json!({"stroke": 1, "pass": 0, "samples": good})).status, 200);
    let before = metrics(&s, &id);
    assert!(before["punctures"].as_u64().unwrap() > 0);
    let path = format!("/api/sessions/{id}/strokes");
    let raw = |body: &str| s.request("POST", &path, Some(body.as_bytes())).unwrap();

    let cases: Vec<(common::http::Response, u16, &str)> = vec![
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1, 2]"), 400, "malformed JSON"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, NaN, 2]]}"), 400, "malformed JSON"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1, 2]], \"colour\": 1}"), 400, "unknown field `colour`"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1e300, 2]]}"), 422, "samples[0] = (1e300, 2) mm"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1, 2], [2999, 1, 3]]}"), 422, "time must move forward"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[10, 1, 2]]}"), 422, "previous stroke"),
        (raw("{\"stroke\": 2, \"pass\": 9, \"samples\": [[3000, 1, 2]]}"), 422, "pass = 9"),
        (raw("{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1, 2], [30000, 1, 3]]}"), 422, "lift the pen"),
        (raw(&json!({"stroke": 2, "pass": 0, "samples": vec![[3000.0, 1.0, 2.0]; 201]}).to_string()), 413, "at most 200"),
        (raw(&format!("{{\"stroke\": 2, \"pass\": 0, \"samples\": [], \"pad\": \"{}\"}}", "x".repeat(70_000))), 413, "over 65536 bytes"),
        (
            s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"preset\": 7}")).unwrap(),
            422,
            "cartridge.preset = 7: allowed is one of 9, 12, 16, 20",
        ),
        (s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"preset\": \"big\"}")).unwrap(), 400, "malformed JSON"),
        (
            s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"depth_mm\": 3}")).unwrap(),
            422,
            "cartridge.depth_mm = 3: allowed is the device range 0.4–2 mm",
        ),
        (
            s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"frequency_hz\": 5000}")).unwrap(),
            422,
            "device.frequency_hz = 5000",
        ),
        (s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"tilt_deg\": 95}")).unwrap(), 422, "tilt_deg = 95"),
        (s.request("POST", &format!("/api/sessions/{id}/settings"), Some(b"{\"halo_mm\": -1}")).unwrap(), 422, "coverage.halo_mm = -1"),
        (
            s.request("POST", "/api/sessions/0123/strokes", Some(b"{\"stroke\": 2, \"pass\": 0, \"samples\": [[3000, 1, 2]]}")).unwrap(),
            404,
            "no session",
        ),
    ];
    for (k, (r, status, needle)) in cases.iter().enumerate() {
        assert_eq!(r.status, *status, "case {k}: {}", r.body);
        let msg = r.json()["error"].as_str().unwrap_or_else(|| panic!("case {k}: no error message: {}", r.body)).to_owned();
        assert!(msg.contains(needle), "case {k}: {msg:?} lacks {needle:?}");
    }
    // Nothing was stored, and the server still serves.
    assert_eq!(metrics(&s, &id), before);
    let more = line_samples(5000.0, (5.0, 20.0), (30.0, 20.0), 40.0, 16.0);
    assert_eq!(stroke(&s, &id, json!({"stroke": 3, "pass": 0, "samples": more})).status, 200);
    assert!(metrics(&s, &id)["punctures"].as_u64() > before["punctures"].as_u64());
}

#[test]
fn sessions_are_kept_apart_and_undo_restores_the_figures_exactly() {
    let s = Server::start(&["scenarios/default.toml"]);
    let (a, b) = (s.session(), s.session());
    assert_ne!(a, b);
    let empty = metrics(&s, &b);
    let first = line_samples(0.0, (2.0, 2.0), (38.0, 28.0), 50.0, 10.0);
    let r = stroke(&s, &a, json!({"stroke": 1, "pass": 0, "samples": first, "end": true}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    // Conservation: 12 needles per stamp; flat x, y pairs.
    assert_eq!(r["punctures"].as_array().unwrap().len(), 2 * 12 * r["stamps"].as_u64().unwrap() as usize);
    assert_eq!(metrics(&s, &b), empty, "session b untouched by a");
    let after_one = metrics(&s, &a);
    let second = line_samples(5000.0, (2.0, 28.0), (38.0, 2.0), 50.0, 10.0);
    // Sent in batches of 25 samples, second pass.
    for (k, chunk) in second.chunks(25).enumerate() {
        let end = (k + 1) * 25 >= second.len();
        assert_eq!(stroke(&s, &a, json!({"stroke": 2, "pass": 1, "samples": chunk, "end": end})).status, 200);
    }
    let after_two = metrics(&s, &a);
    assert_eq!(after_two["passes_used"], 2);
    assert!(after_two["hole"]["coverage"].as_f64() > after_one["hole"]["coverage"].as_f64());
    let u = s.call("POST", &format!("/api/sessions/{a}/undo"), None).json();
    assert_eq!(u["undone"], true);
    assert_eq!(u["metrics"], after_one, "undo restores the previous figures exactly");
    let c = s.call("POST", &format!("/api/sessions/{a}/clear"), None).json();
    assert_eq!(c["metrics"], empty);
    assert_eq!(s.call("DELETE", &format!("/api/sessions/{a}"), None).status, 200);
    assert_eq!(s.call("POST", &format!("/api/sessions/{a}/undo"), None).status, 404);
}

#[test]
fn the_number_of_sessions_is_capped() {
    let s = Server::start(&["scenarios/default.toml", "--max-sessions", "2"]);
    s.session();
    s.session();
    let r = s.call("POST", "/api/sessions", None);
    assert_eq!(r.status, 503);
    assert!(r.json()["error"].as_str().unwrap().contains("2 sessions are open"));
}

#[test]
fn export_writes_the_run_report_and_the_trace_with_exact_figures() {
    let s = Server::start(&["scenarios/default.toml"]);
    let id = s.session();
    let samples = line_samples(0.0, (2.0, 15.0), (38.0, 15.0), 30.0, 16.0);
    assert_eq!(stroke(&s, &id, json!({"stroke": 1, "pass": 0, "samples": samples, "end": true})).status, 200);
    let live = metrics(&s, &id);
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let e = r.json();
    let dir = std::path::PathBuf::from(e["dir"].as_str().unwrap());
    assert!(dir.starts_with(s.export_dir.path()), "{dir:?} is under the export directory");
    for f in ["summary.json", "punctures.csv", "heatmap.png", "scenario.toml", "trace.csv", "strokes.csv", "report.html"] {
        assert!(dir.join(f).is_file(), "{f}");
        assert!(e["files"].as_array().unwrap().iter().any(|x| x == f), "{f} listed in {}", e["files"]);
    }
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("<html") && report.contains("coverage"), "report.html is the run report");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["punctures"], live["punctures"]);
    assert_eq!(summary["technique"]["pattern"], "strokes");
    assert!((summary["technique"]["speed_mm_s"].as_f64().unwrap() - 30.0).abs() < 0.01);
    // Exact (0.01 mm) and live (0.02 mm) coverage agree within the grid's sampling error.
    let (exact, live_cov) = (summary["coverage"].as_f64().unwrap(), live["hole"]["coverage"].as_f64().unwrap());
    assert!((exact - live_cov).abs() / exact < 0.03, "exact {exact} vs live {live_cov}");
    // The exported punctures measured by `needlesim coverage` give the summary's coverage.
    let out = common::run_in(&dir, &["coverage", "punctures.csv", "--diameter-mm", "0.18", "--rect", "0,0,40,30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cov: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((cov["coverage"].as_f64().unwrap() - exact).abs() < 1e-9, "{cov} vs {exact}");
    // The trace: one row per sample, times from 0, in full precision; the pen per stroke.
    let trace = std::fs::read_to_string(dir.join("trace.csv")).unwrap();
    let rows: Vec<&str> = trace.lines().collect();
    assert_eq!(rows[0], "stroke,pass,t_s,x_mm,y_mm,tilt_deg");
    assert_eq!(rows.len() - 1, samples.len());
    assert_eq!(rows[1], "1,0,0,2,15,0");
    let last: Vec<f64> = rows.last().unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    let s_last = samples.last().unwrap();
    assert_eq!(last[2], s_last[0] / 1000.0 - samples[0][0] / 1000.0);
    assert_eq!((last[3], last[4]), (s_last[1], s_last[2]));
    let strokes = std::fs::read_to_string(dir.join("strokes.csv")).unwrap();
    let srows: Vec<&str> = strokes.lines().collect();
    assert_eq!(srows[0], "stroke,pass,needles,depth_mm,frequency_hz,rotation_deg,tilt_deg,stamps,length_mm,duration_s");
    assert_eq!(srows.len(), 2);
    assert!(srows[1].starts_with(&format!("1,0,12,1,120,18,0,{},", summary["stamps"])), "{}", srows[1]);
    let csv = s.call("GET", &format!("/api/sessions/{id}/trace.csv"), None);
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body, trace);
    let pens = s.call("GET", &format!("/api/sessions/{id}/strokes.csv"), None);
    assert_eq!(pens.status, 200);
    assert_eq!(pens.body, strokes, "the page's download is the export's strokes.csv");
}

/// Rows of a punctures CSV as numbers.
fn puncture_rows(path: &std::path::Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect()
}

/// A live patch session of several strokes in two passes (batched, a tap, a pause within a
/// stroke, times on the page's millisecond clock), exported: `needlesim run scenario.toml`
/// in the export replays trace.csv and gives the session's punctures (pass, stamp, needle
/// exactly; x, y within 1e-6 mm as printed; times shifted by the pass's start), the same
/// counts and the same coverage.
#[test]
fn the_exported_scenario_replays_the_session() {
    replay_round_trip(0.0);
}

/// The same with a tilted pen: the trace carries the tilt, so the replayed holes are the
/// same ellipses (tilt exact; the lean follows the recorded motion where the page follows
/// the chord between stamps: equal on straight strokes, not at a tap or a rest), and the
/// coverage agrees within 1e-4 of itself.
#[test]
fn the_exported_scenario_replays_a_tilted_session() {
    replay_round_trip(30.0);
}

fn replay_round_trip(tilt_deg: f64) {
    let s = Server::start(&["scenarios/default.toml"]);
    let id = s.session();
    if tilt_deg > 0.0 {
        assert_eq!(s.call("POST", &format!("/api/sessions/{id}/settings"), Some(&json!({"tilt_deg": tilt_deg}))).status, 200);
    }
    let send = |body: Value| {
        let r = stroke(&s, &id, body);
        assert_eq!(r.status, 200, "{}", r.body);
    };
    let t0 = 81_234.567;
    let a = line_samples(t0, (2.0, 3.0), (37.3, 5.1), 41.0, 16.7);
    for (k, chunk) in a.chunks(40).enumerate() {
        send(json!({"stroke": 1, "pass": 0, "samples": chunk, "end": (k + 1) * 40 >= a.len()}));
    }
    send(json!({"stroke": 2, "pass": 1, "samples": line_samples(t0 + 2_345.6, (35.0, 25.2), (4.4, 9.9), 57.0, 15.3), "end": true}));
    // A stroke that rests 0.3 s (more than the default gap limit) before going on.
    let rest = line_samples(t0 + 5_003.3, (3.3, 20.0), (21.7, 20.4), 33.0, 16.1);
    let on = line_samples(rest.last().unwrap()[0] + 301.9, (21.7, 20.4), (30.1, 27.5), 38.0, 16.1);
    send(json!({"stroke": 3, "pass": 0, "samples": rest}));
    send(json!({"stroke": 3, "pass": 0, "samples": on, "end": true}));
    // A tap, and a last stroke in pass 1.
    send(json!({"stroke": 4, "pass": 1, "samples": [[t0 + 7_777.7, 12.3, 14.5]], "end": true}));
    send(json!({"stroke": 7, "pass": 1, "samples": line_samples(t0 + 8_123.4, (6.0, 28.0), (6.5, 1.5), 49.0, 16.4), "end": true}));

    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let dir = std::path::PathBuf::from(r.json()["dir"].as_str().unwrap());
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert!(scenario.contains("pattern = \"trace\"") && scenario.contains("file = \"trace.csv\""), "{scenario}");
    assert!(!scenario.contains("The pen changed"), "{scenario}");
    assert_eq!(scenario.contains("tilt_deg is each stroke's tilt"), tilt_deg > 0.0, "{scenario}");
    // The gap limit is raised to the 0.3 s rest of stroke 3 (and no further).
    let gap: f64 = scenario.lines().find_map(|l| l.strip_prefix("max_gap_s = ")).unwrap().parse().unwrap();
    assert_eq!(gap, 0.302, "the 0.3019 s rest rounded up to the millisecond");
    let out = common::run_in(&dir, &["run", "scenario.toml", "--out", "replay"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let session = puncture_rows(&dir.join("punctures.csv"));
    let replay = puncture_rows(&dir.join("replay/punctures.csv"));
    assert_eq!(session.len(), replay.len());
    assert!(session.len() > 1000);
    // The session lists punctures stroke by stroke; the run pass by pass.
    let mut lean_elsewhere = 0;
    for pass in [0.0, 1.0] {
        let (a, b): (Vec<&Vec<f64>>, Vec<&Vec<f64>>) =
            (session.iter().filter(|r| r[0] == pass).collect(), replay.iter().filter(|r| r[0] == pass).collect());
        assert_eq!(a.len(), b.len(), "pass {pass}");
        let shift = b[0][6] - a[0][6];
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x[..3], y[..3], "pass, stamp, needle");
            assert!((x[3] - y[3]).abs() <= 1.000001e-6 && (x[4] - y[4]).abs() <= 1.000001e-6, "{x:?} vs {y:?}");
            assert_eq!(x[5], y[5], "depth");
            assert!((y[6] - x[6] - shift).abs() <= 2.000001e-6, "{x:?} vs {y:?}");
            assert_eq!(x.len(), y.len(), "the same columns");
            if tilt_deg > 0.0 {
                assert_eq!((x[7], y[7]), (tilt_deg, tilt_deg));
            }
        }
        // The lean: the same, except where the pen rests (its stamp lands where the one
        // before or after it did) and at the tap (one stamp of 12 needles).
        if tilt_deg > 0.0 {
            let still = |i: usize| {
                [i.checked_sub(12), Some(i + 12)]
                    .into_iter()
                    .flatten()
                    .any(|j| b.get(j).is_some_and(|q| q[3] == b[i][3] && q[4] == b[i][4]))
            };
            let other = (0..a.len()).filter(|&i| (a[i][8] - b[i][8]).abs() >= 0.01 && !still(i)).count();
            lean_elsewhere += other;
        }
    }
    assert!(lean_elsewhere <= 12, "{lean_elsewhere} punctures lean otherwise away from a rest");
    let summary = |p: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(dir.join(p)).unwrap()).unwrap() };
    let (e, r) = (summary("summary.json"), summary("replay/summary.json"));
    for key in ["stamps", "punctures", "stamps_per_pass"] {
        assert_eq!(e[key], r[key], "{key}");
    }
    for (x, y) in e["coverage_per_pass"].as_array().unwrap().iter().zip(r["coverage_per_pass"].as_array().unwrap()) {
        let tol = if tilt_deg > 0.0 { 1e-4 * x.as_f64().unwrap() } else { 1e-6 };
        assert!((x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < tol, "{} vs {}", e["coverage_per_pass"], r["coverage_per_pass"]);
    }
}

/// A pen changed mid-session: the exported scenario still replays, and says it uses the
/// current pen. A stroke off the patch: the scenario cannot replay and says why.
#[test]
fn the_exported_scenario_says_when_it_cannot_replay_exactly() {
    let s = Server::start(&["scenarios/default.toml"]);
    let id = s.session();
    assert_eq!(
        stroke(&s, &id, json!({"stroke": 1, "pass": 0, "samples": line_samples(1000.0, (2.0, 3.0), (30.0, 3.0), 40.0, 16.0), "end": true}))
            .status,
        200
    );
    assert_eq!(s.call("POST", &format!("/api/sessions/{id}/settings"), Some(&json!({"frequency_hz": 100}))).status, 200);
    assert_eq!(
        stroke(&s, &id, json!({"stroke": 2, "pass": 0, "samples": line_samples(3000.0, (2.0, 9.0), (30.0, 9.0), 40.0, 16.0), "end": true}))
            .status,
        200
    );
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None).json();
    let dir = std::path::PathBuf::from(r["dir"].as_str().unwrap());
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert!(scenario.contains("The pen changed during the session") && scenario.contains("pattern = \"trace\""), "{scenario}");
    let strokes = std::fs::read_to_string(dir.join("strokes.csv")).unwrap();
    assert!(
        strokes.lines().nth(1).unwrap().starts_with("1,0,12,1,120,") && strokes.lines().nth(2).unwrap().starts_with("2,0,12,1,100,"),
        "{strokes}"
    );
    let out = common::run_in(&dir, &["run", "scenario.toml", "--out", "replay"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    assert_eq!(
        stroke(
            &s,
            &id,
            json!({"stroke": 3, "pass": 0, "samples": line_samples(5000.0, (2.0, 15.0), (-5.0, 15.0), 40.0, 16.0), "end": true})
        )
        .status,
        200
    );
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None).json();
    let dir = std::path::PathBuf::from(r["dir"].as_str().unwrap());
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert!(scenario.contains("cannot replay it (stroke 3 leaves the patch at (-") && !scenario.contains("[trace]"), "{scenario}");
    let out = common::run_in(&dir, &["run", "scenario.toml", "--out", "replay"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Centre of a ring (vertex mean; inside for the convex-ish eyes, lips and nostrils).
fn ring_mean(ring: &Value) -> (f64, f64) {
    let pts = ring.as_array().unwrap();
    let n = pts.len() as f64;
    (pts.iter().map(|p| p[0].as_f64().unwrap()).sum::<f64>() / n, pts.iter().map(|p| p[1].as_f64().unwrap()).sum::<f64>() / n)
}

#[test]
fn the_default_face_is_served_with_regions_no_go_zones_and_the_no_go_warning() {
    let s = Server::start(&[]);
    let c = s.call("GET", "/api/config", None).json();
    let map = &c["map"];
    let regions: Vec<&str> = map["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(regions.contains(&"forehead") && regions.contains(&"cheek_left"), "{regions:?}");
    let no_go: Vec<&str> = map["no_go"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    let outlines = map["outlines_mm"].as_array().unwrap();
    // Every region and every no-go zone has at least one ring; the no-go ones are flagged.
    for name in regions.iter().chain(&no_go) {
        assert!(outlines.iter().any(|o| o["name"] == *name), "no outline for {name}");
    }
    assert_eq!(outlines.iter().filter(|o| o["no_go"] == true).count(), no_go.len());
    let labels = map["labels_mm"].as_array().unwrap();
    assert_eq!(labels.len(), regions.len());
    let anchor = |name: &str| {
        let l = labels.iter().find(|l| l["name"] == name).unwrap();
        (l["at_mm"][0].as_f64().unwrap(), l["at_mm"][1].as_f64().unwrap())
    };

    let id = s.session();
    // Across the forehead (±8 mm about its label anchor): punctures, forehead coverage, no warning.
    let (fx, fy) = anchor("forehead");
    let r = stroke(
        &s,
        &id,
        json!({"stroke": 1, "pass": 0, "samples": line_samples(0.0, (fx - 8.0, fy), (fx + 8.0, fy), 40.0, 10.0), "end": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["no_go"].as_array().unwrap().is_empty());
    let m = metrics(&s, &id);
    let row = |m: &Value, name: &str| m["regions"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap().clone();
    assert!(row(&m, "forehead")["coverage"].as_f64().unwrap() > 0.0, "{m}");
    assert_eq!(row(&m, "chin")["coverage"].as_f64().unwrap(), 0.0);
    assert!(m["no_go"].as_array().unwrap().is_empty());

    // Across an eye (through the mean of its ring): the no-go warning names the eye at once.
    let eye = outlines.iter().find(|o| o["no_go"] == true && o["name"].as_str().unwrap().contains("eye")).expect("an eye zone");
    let (ex, ey) = ring_mean(&eye["ring"]);
    let r = stroke(
        &s,
        &id,
        json!({"stroke": 2, "pass": 0, "samples": line_samples(1000.0, (ex - 6.0, ey), (ex + 6.0, ey), 40.0, 10.0), "end": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.json()["no_go"].as_array().unwrap().is_empty(), "the batch reports where it touched");
    let m = metrics(&s, &id);
    let touches = m["no_go"].as_array().unwrap();
    assert_eq!(touches.len(), 1, "{touches:?}");
    assert_eq!(touches[0]["zone"], eye["name"]);
    assert!(touches[0]["punctures"].as_u64().unwrap() > 0);
    assert!(m["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().starts_with("no-go")), "{}", m["warnings"]);
}

#[test]
fn a_face_session_exports_the_face_report_per_region_with_exact_figures() {
    let s = Server::start(&[]);
    let c = s.call("GET", "/api/config", None).json();
    let map = &c["map"];
    let anchor = |name: &str| {
        let l = map["labels_mm"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap().clone();
        (l["at_mm"][0].as_f64().unwrap(), l["at_mm"][1].as_f64().unwrap())
    };
    let id = s.session();
    // Nothing drawn yet: nothing to export, nothing written.
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("stroke"), "{}", r.body);
    assert_eq!(std::fs::read_dir(s.export_dir.path()).unwrap().count(), 0, "nothing written");

    // Forehead twice (passes 0 and 1), the left cheek once, then across an eye.
    let (fx, fy) = anchor("forehead");
    let (cx, cy) = anchor("cheek_left");
    let eye = map["outlines_mm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["no_go"] == true && o["name"].as_str().unwrap().contains("eye"))
        .unwrap()
        .clone();
    let (ex, ey) = ring_mean(&eye["ring"]);
    let strokes = [
        (0, line_samples(0.0, (fx - 10.0, fy), (fx + 10.0, fy), 40.0, 10.0)),
        (1, line_samples(2000.0, (fx + 10.0, fy + 1.0), (fx - 10.0, fy + 1.0), 40.0, 10.0)),
        (0, line_samples(4000.0, (cx, cy - 6.0), (cx, cy + 6.0), 40.0, 10.0)),
        (0, line_samples(6000.0, (ex - 6.0, ey), (ex + 6.0, ey), 40.0, 10.0)),
    ];
    for (k, (pass, samples)) in strokes.iter().enumerate() {
        let r = stroke(&s, &id, json!({"stroke": k + 1, "pass": pass, "samples": samples, "end": true}));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let live = metrics(&s, &id);
    let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let e = r.json();
    let dir = std::path::PathBuf::from(e["dir"].as_str().unwrap());
    for f in ["summary.json", "punctures.csv", "heatmap.png", "passes.png", "depth.png", "scenario.toml", "trace.csv", "report.html"] {
        assert!(dir.join(f).is_file(), "{f} in {}", e["files"]);
    }
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["punctures"], live["punctures"]);
    let regions = &summary["regions"];
    assert_eq!(regions["forehead"]["passes"], 2, "two passes drawn over the forehead");
    assert_eq!(regions["cheek_left"]["passes"], 1);
    assert_eq!(regions["chin"]["treated"], false);
    assert_eq!(regions["chin"]["coverage"].as_f64(), Some(0.0));
    // Each region's exact coverage (scenario grid) agrees with the live one (coarser live
    // grid, unbiased) within the sampling error of a few hundred holes.
    let live_row =
        |name: &str| live["regions"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["coverage"].as_f64().unwrap();
    for name in ["forehead", "cheek_left"] {
        let (exact, l) = (regions[name]["coverage"].as_f64().unwrap(), live_row(name));
        assert!(exact > 0.0 && (exact - l).abs() / exact < 0.05, "{name}: exact {exact} vs live {l}");
    }
    // The no-go touches are the live ones, counted by the core, and warned.
    let touched = live["no_go"][0]["punctures"].as_u64().unwrap();
    let zone = eye["name"].as_str().unwrap();
    assert_eq!(summary["no_go"][zone]["punctures"].as_u64(), Some(touched), "{}", summary["no_go"]);
    assert!(
        summary["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().starts_with(&format!("no-go zone {zone}"))),
        "{}",
        summary["warnings"]
    );
    // One treatment per run of strokes over one region in one pass, in drawing order.
    let treatments: Vec<(String, u64)> = summary["face"]["treatments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["region"].as_str().unwrap().to_owned(), t["first_pass"].as_u64().unwrap()))
        .collect();
    assert_eq!(&treatments[..3], &[("forehead".into(), 0), ("forehead".into(), 1), ("cheek_left".into(), 0)], "{treatments:?}");
    // punctures.csv: the face columns; the eye stroke's needles that landed in the eye say so.
    let csv = std::fs::read_to_string(dir.join("punctures.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with("region,landed_in,real_depth_mm,layer"));
    assert_eq!(csv.lines().count() as u64 - 1, live["punctures"].as_u64().unwrap());
    assert!(csv.contains(&format!(",no_go:{zone},")), "some needle landed in {zone}");
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("forehead") && report.contains("cheek_left"), "the per-region table");
    let scenario = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    assert!(scenario.contains("[face]"), "the served face scenario:\n{scenario}");
}

/// Shoelace area of a ring of `[x, y]` points, mm² (positive counter-clockwise).
fn ring_area(ring: &Value) -> f64 {
    let p: Vec<(f64, f64)> = ring.as_array().unwrap().iter().map(|q| (q[0].as_f64().unwrap(), q[1].as_f64().unwrap())).collect();
    0.5 * (0..p.len()).map(|i| p[i].0 * p[(i + 1) % p.len()].1 - p[(i + 1) % p.len()].0 * p[i].1).sum::<f64>()
}

#[test]
fn a_painted_face_map_is_served_with_outlines_traced_from_its_pixels() {
    let s = Server::start(&["scenarios/painted-face.toml"]);
    let c = s.call("GET", "/api/config", None).json();
    let map = &c["map"];
    let outlines = map["outlines_mm"].as_array().unwrap();
    let id = s.session();
    let m = metrics(&s, &id);
    // Each region's rings enclose exactly its pixels (area = pixel count × pixel area).
    for row in m["regions"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let area: f64 = outlines.iter().filter(|o| o["name"] == name && o["no_go"] == false).map(|o| ring_area(&o["ring"])).sum();
        let want = row["area_mm2"].as_f64().unwrap();
        assert!(want > 0.0 && (area - want).abs() < 1e-6 * want, "{name}: rings {area} mm² vs pixels {want} mm²");
    }
    // Every no-go zone is outlined and flagged, and a stroke across one raises the warning.
    let zones: Vec<&str> = map["no_go"].as_array().unwrap().iter().map(|z| z.as_str().unwrap()).collect();
    assert!(!zones.is_empty());
    for z in &zones {
        assert!(outlines.iter().any(|o| o["name"] == *z && o["no_go"] == true), "no outline for {z}");
    }
    let eye = outlines.iter().find(|o| o["no_go"] == true && o["name"].as_str().unwrap().contains("eye")).unwrap();
    let (ex, ey) = ring_mean(&eye["ring"]);
    let r = stroke(
        &s,
        &id,
        json!({"stroke": 1, "pass": 0, "samples": line_samples(0.0, (ex - 6.0, ey), (ex + 6.0, ey), 40.0, 10.0), "end": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(metrics(&s, &id)["no_go"][0]["zone"], eye["name"]);
}

#[test]
fn a_device_preset_sets_the_whole_pen_and_bad_names_are_refused() {
    let s = Server::start(&["scenarios/default.toml"]);
    let c = s.call("GET", "/api/config", None).json();
    let exceed = c["device_presets"].as_array().unwrap().iter().find(|p| p["name"] == "exceed").expect("exceed listed").clone();
    let id = s.session();
    let set = |body: Value| s.call("POST", &format!("/api/sessions/{id}/settings"), Some(&body));
    let r = set(json!({"device_preset": "exceed"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let st = r.json()["settings"].clone();
    assert_eq!(st["device_preset"], "exceed");
    assert_eq!(st["needles"], exceed["needles"]);
    let p = needlesim::pen::preset::find("k", "exceed").unwrap();
    assert_eq!(st["frequency_hz"].as_f64(), Some(p.frequency_hz.value));
    assert_eq!(st["depth_range_mm"], json!([p.depth_range_mm.value.0, p.depth_range_mm.value.1]));
    // Strokes use it: punctures come in multiples of its needle count.
    let r =
        stroke(&s, &id, json!({"stroke": 1, "pass": 0, "samples": line_samples(0.0, (5.0, 5.0), (30.0, 8.0), 40.0, 16.0), "end": true}));
    assert_eq!(r.status, 200, "{}", r.body);
    let n = r.json()["punctures"].as_array().unwrap().len() / 2;
    assert!(n > 0 && n.is_multiple_of(p.needles.value), "{n} punctures");
    // A grid cartridge on the same pen replaces its layout.
    let r = set(json!({"preset": 16}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["settings"]["needles"], 16);
    // Unknown names and depths outside the pen's range: 422 naming the key, nothing changed.
    let before = set(json!({})).json()["settings"].clone();
    let r = set(json!({"device_preset": "exeed"}));
    assert_eq!(r.status, 422);
    let msg = r.json()["error"].as_str().unwrap().to_owned();
    assert!(msg.contains("device_preset") && msg.contains("did you mean \"exceed\""), "{msg}");
    let r = set(json!({"device_preset": "exceed", "depth_mm": 1.95}));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("cartridge.depth_mm = 1.95"), "{}", r.body);
    assert_eq!(set(json!({})).json()["settings"], before);
    // The treated zone has its own grid: 0.06 mm for a 0.2 mm halo (4.5 cells across 0.29 mm).
    assert_eq!(before["zone_resolution_mm"], Value::Null);
    assert_eq!(set(json!({"halo_mm": 0.2})).json()["settings"]["zone_resolution_mm"], json!(0.06));
}

/// Keys whose value may be `null`: objects that do not exist yet (no halo: `zone`; no stroke:
/// `speed`, a stroke's `verdict`), a region's treated-zone figure and the treated zone's grid
/// without a halo, and the presets of a pen set another way. Every other value the page reads
/// must be there: a number that cannot be shown ("≈ inf /cm²") is never sent as `null`.
const MAY_BE_NULL: &[&str] = &["zone", "speed", "verdict", "zone_coverage", "zone_resolution_mm", "device_preset", "preset"];

/// Paths of the `null`s in `v` outside [`MAY_BE_NULL`] (and any null inside an array).
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if x.is_null() && !MAY_BE_NULL.contains(&k.as_str()) {
                    out.push(format!("{path}.{k}"));
                }
                nulls(x, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if x.is_null() {
                    out.push(format!("{path}[{i}]"));
                }
                nulls(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn assert_no_null(what: &str, v: &Value) {
    let mut out = Vec::new();
    nulls(v, "", &mut out);
    assert!(out.is_empty(), "{what}: null at {out:?}\n{v}");
}

/// Issue 20.1: a pen held still gave `density_per_pass_per_cm2: null` ("≈ inf /cm²"). Over
/// every answer that carries figures — a session made, a held pen, a tap, slow, normal and
/// fast strokes, in two passes, with and without a halo, undo, clear, the session's state —
/// on the face and on the patch, no number is ever `null`, and the held pen's verdict is the
/// stamps on its spot.
#[test]
fn no_figure_the_page_shows_is_ever_null() {
    let patch = common::root().join("scenarios/default.toml");
    for args in [vec![], vec![patch.to_str().unwrap()]] {
        let s = Server::start(&args);
        let c = s.call("GET", "/api/config", None).json();
        assert_no_null("config", &c);
        let b = &c["map"]["bounds_mm"];
        let (x0, y0, x1) = (b[0].as_f64().unwrap(), b[1].as_f64().unwrap(), b[2].as_f64().unwrap());
        let centre = c["map"]["labels_mm"][0]["at_mm"].clone();
        let (cx, cy) = (centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap());
        for halo in [0.0, 0.2] {
            let r = s.call("POST", "/api/sessions", Some(&json!({ "halo_mm": halo })));
            assert_eq!(r.status, 200, "{}", r.body);
            assert_no_null("new session", &r.json());
            let id = r.json()["session"].as_str().unwrap().to_owned();
            let held: Vec<[f64; 3]> = (0..=60).map(|i| [1000.0 + i as f64 * 30.0, cx, cy]).collect();
            let mut t = 4000.0;
            let mut next = |dur_ms: f64| {
                let t0 = t;
                t += dur_ms + 500.0;
                t0
            };
            let w = (x1 - x0).min(30.0);
            let bodies = [
                json!({"stroke": 1, "pass": 0, "samples": held, "end": true}),
                json!({"stroke": 2, "pass": 0, "samples": [[next(0.0), cx + 1.0, cy]], "end": true}),
                json!({"stroke": 3, "pass": 0, "samples": line_samples(next(3000.0), (cx - w / 2.0, cy), (cx + w / 2.0, cy), 10.0, 16.0), "end": true}),
                json!({"stroke": 4, "pass": 1, "samples": line_samples(next(600.0), (cx, cy - 10.0), (cx, cy + 10.0), 58.0, 16.0), "end": true}),
                json!({"stroke": 5, "pass": 1, "samples": line_samples(next(200.0), (cx - w / 2.0, cy + 2.0), (cx + w / 2.0, cy + 2.0), 400.0, 16.0), "end": true}),
                // Off the map (within its margin): punctures that land in no region.
                json!({"stroke": 6, "pass": 2, "samples": line_samples(next(200.0), (x0 - 20.0, y0 - 10.0), (x0 - 5.0, y0 - 10.0), 60.0, 16.0), "end": true}),
            ];
            for (k, body) in bodies.iter().enumerate() {
                let r = stroke(&s, &id, body.clone());
                assert_eq!(r.status, 200, "stroke {}: {}", k + 1, r.body);
                let v = r.json();
                assert_no_null(&format!("stroke {} (halo {halo})", k + 1), &v);
                let sp = &v["metrics"]["speed"];
                assert_eq!(sp["stroke"], k as u64 + 1, "every stroke gets a verdict: {sp}");
                if k == 0 {
                    assert_eq!(sp["held"], true, "{sp}");
                    assert!(sp["stamps_per_spot"].as_f64().unwrap() >= 100.0, "{sp}");
                    assert!(sp["message"].as_str().unwrap().contains("held in place"), "{sp}");
                }
            }
            let state = s.call("GET", &format!("/api/sessions/{id}"), None);
            assert_eq!(state.status, 200, "{}", state.body);
            assert_no_null("session state", &state.json());
            assert_eq!(state.json()["strokes"].as_array().unwrap().len(), bodies.len());
            let m = state.json()["metrics"].clone();
            assert!(m["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("off the map")), "{m}");
            let set = s.call("POST", &format!("/api/sessions/{id}/settings"), Some(&json!({"frequency_hz": 100})));
            assert_no_null("settings", &set.json());
            for route in ["undo", "clear"] {
                let r = s.call("POST", &format!("/api/sessions/{id}/{route}"), None);
                assert_eq!(r.status, 200, "{}", r.body);
                assert_no_null(route, &r.json());
            }
            assert_no_null("state after clear", &s.call("GET", &format!("/api/sessions/{id}"), None).json());
        }
    }
}

/// Issue 20.7: a reloaded page resumes its session: `GET /api/sessions/{id}` answers every
/// stroke's punctures as the strokes route sent them, and the figures as they were.
#[test]
fn a_sessions_state_is_what_its_strokes_made() {
    let s = Server::start(&[]);
    let c = s.call("GET", "/api/config", None).json();
    let at = c["map"]["labels_mm"].as_array().unwrap().iter().find(|l| l["name"] == "forehead").unwrap()["at_mm"].clone();
    let (fx, fy) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    let id = s.session();
    let mut sent = Vec::new();
    for k in 0..2u64 {
        let samples = line_samples(1000.0 + 2000.0 * k as f64, (fx - 10.0, fy + k as f64), (fx + 10.0, fy + k as f64), 40.0, 16.0);
        let r = stroke(&s, &id, json!({"stroke": k + 1, "pass": k, "samples": samples, "end": true}));
        assert_eq!(r.status, 200, "{}", r.body);
        sent.push(r.json());
    }
    let state = s.call("GET", &format!("/api/sessions/{id}"), None).json();
    assert_eq!(state["session"], json!(id));
    assert_eq!(state["metrics"], sent[1]["metrics"]);
    for (k, st) in state["strokes"].as_array().unwrap().iter().enumerate() {
        assert_eq!(st["stroke"], sent[k]["stroke"]);
        assert_eq!(st["pass"], sent[k]["pass"]);
        assert_eq!(st["punctures"], sent[k]["punctures"]);
        assert_eq!(st["stamp_t_s"], sent[k]["stamp_t_s"]);
    }
    let last = state["last_sample_t_ms"].as_f64().unwrap();
    assert!((last - (1000.0 + 2000.0 + 20.0 / 40.0 * 1000.0)).abs() < 1e-6, "{last}");
    assert_eq!(s.call("GET", "/api/sessions/nope", None).status, 404);
}
