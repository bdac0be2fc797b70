//! `needlesim serve`: the 3D face's routes end to end over loopback (issue 16 item 5). The
//! mesh the viewer draws, a session, a stroke across the left cheek given as chart points
//! (punctures = stamps × needles, returned as skin points on the mesh, cheek coverage up, no
//! no-go zone), a stroke off the chart refused with its sample index and nothing stored,
//! the trace CSV, undo back to the empty figures, and the access rules (token, JSON only).

mod common;

use common::http::{Server, request_with};
use serde_json::{Value, json};

/// Area-weighted chart centroid of the triangles of group `name`, from the mesh JSON.
fn chart_centroid(mesh: &Value, name: &str) -> (f64, f64) {
    let g = mesh["groups"].as_array().unwrap().iter().position(|n| n == name).unwrap() as u64;
    let c = mesh["chart_mm"].as_array().unwrap();
    let uv = mesh["triangle_uvs"].as_array().unwrap();
    let at = |i: &Value| {
        let i = i.as_u64().unwrap() as usize;
        (c[2 * i].as_f64().unwrap(), c[2 * i + 1].as_f64().unwrap())
    };
    let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
    for (t, grp) in mesh["group"].as_array().unwrap().iter().enumerate() {
        if grp.as_u64() != Some(g) {
            continue;
        }
        let (a, b, d) = (at(&uv[3 * t]), at(&uv[3 * t + 1]), at(&uv[3 * t + 2]));
        let w = 0.5 * ((b.0 - a.0) * (d.1 - a.1) - (d.0 - a.0) * (b.1 - a.1)).abs();
        sx += w * (a.0 + b.0 + d.0) / 3.0;
        sy += w * (a.1 + b.1 + d.1) / 3.0;
        sw += w;
    }
    (sx / sw, sy / sw)
}

#[test]
fn the_3d_face_serves_its_mesh_and_stamps_strokes_on_the_skin() {
    let s = Server::start(&[]);
    let mesh = s.call("GET", "/api/surface/mesh", None);
    assert_eq!(mesh.status, 200, "{}", mesh.body);
    let mesh = mesh.json();
    let (pos, tris, uvs, groups) = (
        mesh["positions_mm"].as_array().unwrap().len(),
        mesh["triangles"].as_array().unwrap().len(),
        mesh["triangle_uvs"].as_array().unwrap().len(),
        mesh["group"].as_array().unwrap().len(),
    );
    assert_eq!(pos % 3, 0);
    assert_eq!(tris, uvs);
    assert_eq!(tris, 3 * groups);
    let vertices = pos / 3;
    assert!(mesh["triangles"].as_array().unwrap().iter().all(|v| (v.as_u64().unwrap() as usize) < vertices));
    assert!(mesh["regions"].as_array().unwrap().iter().any(|r| r == "cheek_left"));
    assert!(mesh["no_go"].as_array().unwrap().iter().any(|r| r == "eye_left"));
    // The page's script is served from the binary and loads nothing remote.
    let js = s.call("GET", "/viewer3d.js", None);
    assert_eq!(js.status, 200);
    assert!(js.body.contains("getContext(\"webgl\"") && !js.body.contains("https://"));

    let r = s.call("POST", "/api/surface/sessions", Some(&json!({})));
    assert_eq!(r.status, 200, "{}", r.body);
    let created = r.json();
    let id = created["session"].as_str().unwrap().to_owned();
    let needles = created["settings"]["needles"].as_u64().unwrap();
    let empty = created["metrics"].clone();
    assert_eq!(empty["punctures"], 0);

    // 1 s across the cheek at 30 mm/s, a sample every 16 ms (chart mm).
    let (cu, cv) = chart_centroid(&mesh, "cheek_left");
    let samples: Vec<[f64; 3]> = (0..=62).map(|k| [5000.0 + 16.0 * k as f64, cu - 15.0 + 0.48 * k as f64, cv]).collect();
    let path = format!("/api/surface/sessions/{id}/strokes");
    let r = s.call("POST", &path, Some(&json!({"stroke": 1, "pass": 0, "samples": samples, "end": true})));
    assert_eq!(r.status, 200, "{}", r.body);
    let out = r.json();
    let stamps = out["stamps"].as_u64().unwrap();
    // The pen fires at touch-down and every 1/f over the stroke's 0.992 s.
    let f = created["settings"]["frequency_hz"].as_f64().unwrap();
    assert_eq!(stamps, (0.992 * f + 1e-9).floor() as u64 + 1);
    let points = out["punctures"].as_array().unwrap();
    assert_eq!(points.len() as u64, 3 * stamps * needles, "x, y, z per puncture");
    let m = &out["metrics"];
    assert_eq!(m["punctures"].as_u64().unwrap(), stamps * needles);
    let cheek = m["regions"].as_array().unwrap().iter().find(|r| r["name"] == "cheek_left").unwrap();
    assert!(cheek["coverage"]["coverage"].as_f64().unwrap() > 0.0, "{cheek}");
    assert!(cheek["punctures"].as_u64().unwrap() > 0);
    assert!(m["no_go"].as_array().unwrap().iter().all(|z| z["punctures"] == 0), "{m}");
    assert!(!out["coverage"].as_array().unwrap().is_empty(), "changed triangles are sent");
    // Punctures are skin points on the mesh: within the mesh's box.
    let p = mesh["positions_mm"].as_array().unwrap();
    let axis = |k: usize| {
        let v: Vec<f64> = p.iter().skip(k).step_by(3).map(|x| x.as_f64().unwrap()).collect();
        (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    for k in 0..3 {
        let (lo, hi) = axis(k);
        assert!(points.iter().skip(k).step_by(3).all(|x| (lo - 0.5..=hi + 0.5).contains(&x.as_f64().unwrap())));
    }

    // A sample off the chart: 422 naming it, nothing stored.
    let r = s.call("POST", &path, Some(&json!({"stroke": 2, "pass": 0, "samples": [[9000.0, cu, cv], [9016.0, 1.0e6, cv]]})));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("samples[1]"), "{}", r.body);
    let again = s.call("POST", &path, Some(&json!({"stroke": 3, "pass": 0, "samples": [], "end": true}))).json();
    assert_eq!(again["metrics"], *m, "a refused batch changes nothing");

    let csv = s.call("GET", &format!("/api/surface/sessions/{id}/trace.csv"), None);
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().next(), Some("stroke,pass,t_s,u_mm,v_mm"));
    assert_eq!(csv.body.lines().count(), 1 + samples.len());

    let undo = s.call("POST", &format!("/api/surface/sessions/{id}/undo"), Some(&json!({})));
    assert_eq!(undo.status, 200);
    assert_eq!(undo.json()["metrics"], empty, "undo restores the empty figures exactly");
}

#[test]
fn the_3d_routes_keep_the_access_rules() {
    let s = Server::start(&[]);
    // No token: refused before any handler.
    let r = request_with(&s.addr, "GET", "/api/surface/mesh", &[], None).unwrap();
    assert_eq!(r.status, 401, "{}", r.body);
    let r = request_with(&s.addr, "POST", "/api/surface/sessions", &[("Content-Type", "application/json")], Some(b"{}")).unwrap();
    assert_eq!(r.status, 401, "{}", r.body);
    // With the token but not JSON: refused.
    let auth = s.auth();
    let fields: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).chain([("Content-Type", "text/plain")]).collect();
    let r = request_with(&s.addr, "POST", "/api/surface/sessions", &fields, Some(b"{}")).unwrap();
    assert_eq!(r.status, 415, "{}", r.body);
    // An unknown session.
    let r = s.call("POST", "/api/surface/sessions/nope/strokes", Some(&json!({"stroke": 1, "pass": 0, "samples": [[0.0, 1.0, 1.0]]})));
    assert_eq!(r.status, 404, "{}", r.body);
}
