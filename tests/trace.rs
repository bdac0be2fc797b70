//! Recorded trajectories end to end: a trace of an ideal lane replays the lane's punctures;
//! the shipped example trace is what its generator writes; bad traces are refused with the
//! file and line (exit 2, nothing written).

mod common;

#[path = "../examples/make_trace.rs"]
mod make_trace;

use std::path::Path;
use std::process::Output;

use common::{SMALL, root, run_in};

/// Write `files` into a temp dir and `needlesim run scenario.toml --out out` there.
fn run_with(files: &[(&str, &str)], extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut args = vec!["run", "scenario.toml", "--out", "out"];
    args.extend_from_slice(extra);
    let out = run_in(dir.path(), &args);
    (dir, out)
}

fn rows(path: &Path) -> Vec<Vec<f64>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect()
}

/// One lane along y = 1.5 mm, 10 mm long, at 40 mm/s: strokes, one pass.
fn lane_scenario(pattern: &str) -> String {
    SMALL
        .replace("width_mm = 10\nheight_mm = 8", "width_mm = 10\nheight_mm = 3")
        .replace("pattern = \"serpentine\"", &format!("pattern = \"{pattern}\"\nlane_spacing_mm = 4"))
        .replace("directions_deg = [0, 90, 45]", "directions_deg = [0]")
}

/// The lane sampled every 0.05 s as a tracker would record it.
fn lane_trace() -> String {
    let mut s = String::from("t_s,x_mm,y_mm\n");
    for k in 0..=5 {
        let t = k as f64 * 0.05;
        s.push_str(&format!("{t},{},1.5\n", 40.0 * t));
    }
    s
}

#[test]
fn a_trace_of_an_ideal_lane_replays_its_punctures() {
    let (a, oa) = run_with(&[("scenario.toml", &lane_scenario("strokes"))], &[]);
    assert!(oa.status.success(), "{}", String::from_utf8_lossy(&oa.stderr));
    let traced = format!("{}\n[trace]\nfile = \"lane.csv\"\n", lane_scenario("trace"));
    let (b, ob) = run_with(&[("scenario.toml", &traced), ("lane.csv", &lane_trace())], &[]);
    assert!(ob.status.success(), "{}", String::from_utf8_lossy(&ob.stderr));
    let (ra, rb) = (rows(&a.path().join("out/punctures.csv")), rows(&b.path().join("out/punctures.csv")));
    // 31 stamps (x = 0, 1/3, …, 10) of 12 needles.
    assert_eq!(ra.len(), 31 * 12);
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x.len(), y.len());
        for (u, v) in x.iter().zip(y) {
            assert!((u - v).abs() <= 2e-6, "{x:?} vs {y:?}");
        }
    }
    // The output folder holds the trace it replayed and re-runs on its own.
    let out = b.path().join("out");
    assert!(std::fs::read_to_string(out.join("scenario.toml")).unwrap().contains("file = \"trace.csv\""));
    let o = run_in(&out, &["run", "scenario.toml", "--out", "again"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(out.join("punctures.csv")).unwrap(), std::fs::read(out.join("again/punctures.csv")).unwrap());
}

/// The committed example trace is what `cargo run --example make_trace` writes.
#[test]
fn the_example_trace_is_its_generators_output() {
    let committed = std::fs::read_to_string(root().join("scenarios/traces/example-hand.csv")).unwrap();
    let generated = make_trace::trace_csv();
    let (c, g): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), generated.lines().collect());
    assert_eq!(c.len(), g.len());
    for (x, y) in c.iter().zip(&g) {
        if x.starts_with('#') || x.starts_with('t') {
            assert_eq!(x, y);
            continue;
        }
        // Printed to 0.1 µm: allow one unit of the last digit for another platform's libm.
        for (u, v) in x.split(',').zip(y.split(',')) {
            let (u, v): (f64, f64) = (u.parse().unwrap(), v.parse().unwrap());
            assert!((u - v).abs() <= 1.5e-4, "{x} vs {y}");
        }
    }
}

#[test]
fn the_shipped_trace_scenario_runs() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/recorded-trace.toml");
    let out = dir.path().join("out");
    let o = run_in(dir.path(), &["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    // ≈ 2.96 s of recording at 120 Hz, per pass; both passes replay the same path.
    let per: Vec<u64> = s["stamps_per_pass"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(per[0], per[1]);
    assert_eq!(per[0], (2.96f64 * 120.0).floor() as u64 + 1);
    assert!(s["coverage"].as_f64().unwrap() > 0.1);
    // The recorded tilt (2–6°) is in the punctures.
    let t = s["hand"]["mean_tilt_deg"].as_f64().unwrap();
    assert!(t > 2.0 && t < 6.0, "{t}");
}

/// Each bad trace: exit 2, the message names the file and line and what is allowed, and no
/// output directory is left.
#[test]
fn bad_traces_are_refused_with_the_line() {
    let scenario = format!("{}\n[trace]\nfile = \"t.csv\"\n", lane_scenario("trace"));
    let cases: &[(&str, &str, &[&str])] = &[
        ("time backwards", "t_s,x_mm,y_mm\n0,1,1\n0.05,2,1\n0.04,3,1\n", &["t.csv", "line 4", "increase strictly"]),
        ("repeated time", "t_s,x_mm,y_mm\n0,1,1\n0,2,1\n", &["t.csv", "line 3", "increase strictly"]),
        ("NaN", "t_s,x_mm,y_mm\n0,1,1\n0.05,nan,1\n", &["t.csv", "line 3", "x_mm", "finite"]),
        ("gap", "t_s,x_mm,y_mm\n0,1,1\n0.05,2,1\n0.5,3,1\n", &["t.csv", "line 4", "gap", "max_gap_s = 0.1"]),
        ("off the map", "t_s,x_mm,y_mm\n0,1,1\n0.05,2,4.5\n", &["t.csv", "line 3", "off the map", "y 0–3"]),
        ("tilt", "t_s,x_mm,y_mm,tilt_deg\n0,1,1,0\n0.05,2,1,-85\n", &["t.csv", "line 3", "tilt_deg = -85"]),
        ("one sample", "t_s,x_mm,y_mm\n0,1,1\n", &["t.csv", "at least 2"]),
        ("bad header", "time,x,y\n0,1,1\n", &["t.csv", "line 1", "unknown column"]),
    ];
    for (what, trace, needles) in cases {
        let (dir, out) = run_with(&[("scenario.toml", &scenario), ("t.csv", trace)], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}: {err}");
        }
        assert!(!dir.path().join("out").exists(), "{what}: output left behind");
    }
    // A BOM, CRLF and comment lines are fine.
    let crlf = format!("\u{feff}# tracker export\r\n{}", lane_trace().replace('\n', "\r\n"));
    let (_d, out) = run_with(&[("scenario.toml", &scenario), ("t.csv", &crlf)], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A missing trace file, a trace pattern without a trace, a bad gap limit.
    let (_d, out) = run_with(&[("scenario.toml", &scenario)], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("t.csv"));
    let (_d, out) = run_with(&[("scenario.toml", &lane_scenario("trace"))], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pattern") && err.contains("[trace] file"), "{err}");
    let (_d, out) = run_with(&[("scenario.toml", &scenario), ("t.csv", &lane_trace())], &["--set", "trace.max_gap_s=0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("trace.max_gap_s") && err.contains("0 < gap"), "{err}");
}

/// The file-free `to_simulation` refuses a `[trace]` (it cannot know the scenario's folder);
/// `to_simulation_in` reads it.
#[test]
fn only_to_simulation_in_reads_a_trace() {
    use needlesim::scenario;
    let path = root().join("scenarios/recorded-trace.toml");
    let file = scenario::load(&path, &[]).unwrap();
    let e = file.to_simulation().unwrap_err().to_string();
    assert!(e.contains("trace.file") && e.contains("to_simulation_in"), "{e}");
    let sim = file.to_simulation_in(path.parent().unwrap()).unwrap();
    assert_eq!(sim.technique.trace.unwrap().len(), 297);
}

mod reader_fuzz {
    use needlesim::geometry::Rect;
    use needlesim::scenario::trace_csv::{TraceRules, read};
    use proptest::prelude::*;
    use std::path::Path;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            (0.0f64..12.0).prop_map(|v| format!("{v}")),
            (-1.0f64..1.0).prop_map(|v| format!("{v:.3}")),
            Just("NaN".to_string()),
            Just("inf".to_string()),
            Just("".to_string()),
            Just("x".to_string()),
            Just(",".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("#".to_string()),
            Just("\u{feff}".to_string()),
            Just("t_s,x_mm,y_mm\n".to_string()),
            Just("tilt_deg".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Any text: the reader returns (never panics), and what it accepts obeys the rules.
        #[test]
        fn arbitrary_text_is_read_or_refused(head in prop::bool::ANY, tokens in prop::collection::vec(token(), 0..60)) {
            let mut text = if head { "t_s,x_mm,y_mm,tilt_deg\n".to_string() } else { String::new() };
            for t in &tokens {
                text.push_str(t);
                text.push(if t.ends_with('\n') { ' ' } else { ',' });
            }
            let rules = TraceRules { max_gap_s: 5.0, map: Rect::new(0.0, 0.0, 10.0, 10.0) };
            if let Ok(t) = read(&text, Path::new("fuzz.csv"), &rules) {
                prop_assert!(t.len() >= 2);
                prop_assert!(t.times_s().windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 5.0));
                prop_assert!(t.points_mm().iter().all(|p| p.x >= 0.0 && p.x <= 10.0 && p.y >= 0.0 && p.y <= 10.0));
            }
        }

        /// Well-formed rows of random values: the reader accepts exactly when an independent
        /// check of the rules passes (≥ 2 samples, increasing times, gaps ≤ the limit, points
        /// on the map, |tilt| ≤ 80°), and then returns the values.
        #[test]
        fn the_reader_accepts_exactly_the_valid_traces(
            rows in prop::collection::vec((0.0f64..0.2, -0.5f64..10.5, -0.5f64..10.5, -85.0f64..85.0), 0..12),
        ) {
            let rules = TraceRules { max_gap_s: 0.15, map: Rect::new(0.0, 0.0, 10.0, 10.0) };
            let mut t = -0.01;
            let mut text = String::from("t_s,x_mm,y_mm,tilt_deg\n");
            let mut samples = Vec::new();
            for (dt, x, y, a) in &rows {
                t += dt - 0.01; // sometimes backwards or repeated
                let (t, x, y, a) = ((t * 1e3f64).round() / 1e3, (x * 1e2f64).round() / 1e2, (y * 1e2f64).round() / 1e2, a.round());
                text.push_str(&format!("{t},{x},{y},{a}\n"));
                samples.push((t, x, y, a));
            }
            let valid = samples.len() >= 2
                && samples.windows(2).all(|w| w[1].0 > w[0].0 && w[1].0 - w[0].0 <= 0.15)
                && samples.iter().all(|&(_, x, y, a)| (0.0..=10.0).contains(&x) && (0.0..=10.0).contains(&y) && a.abs() <= 80.0);
            let got = read(&text, Path::new("fuzz.csv"), &rules);
            prop_assert_eq!(got.is_ok(), valid, "{}", text);
            if let Ok(tr) = got {
                prop_assert_eq!(tr.times_s().to_vec(), samples.iter().map(|s| s.0).collect::<Vec<_>>());
                prop_assert_eq!(tr.tilt_at_sample(1), Some(samples[1].3));
            }
        }
    }
}
