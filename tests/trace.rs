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

/// Two lanes, one per pass, as the live page exports them: `stroke,pass,t_s,x_mm,y_mm`.
/// Pass 0: 0.24 s along y = 1 (29 firings at 120 Hz); pass 1, after a 2 s lift: 0.12 s
/// along y = 2 (15 firings).
fn two_pass_trace(pass_of_second: u16) -> String {
    let mut s = String::from("stroke,pass,t_s,x_mm,y_mm\n");
    for k in 0..=4 {
        let t = k as f64 * 0.06;
        s.push_str(&format!("1,0,{t},{},1\n", 40.0 * t));
    }
    for k in 0..=2 {
        let t = k as f64 * 0.06;
        s.push_str(&format!("2,{pass_of_second},{},{},2\n", 2.24 + t, 9.0 - 40.0 * t));
    }
    s
}

/// Trace pass k replays the rows of pass k only; a pass beyond the file's is refused naming
/// the file and the pass; rows the scenario does not replay, and trace passes without rows,
/// are warnings; the output folder's copy keeps the columns and re-runs the same.
#[test]
fn the_pass_column_chooses_what_each_pass_replays() {
    let scenario = format!("{}\n[trace]\nfile = \"t.csv\"\n", lane_scenario("trace"));
    let summary = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap()
    };
    let (d, o) = run_with(&[("scenario.toml", &scenario), ("t.csv", &two_pass_trace(1))], &["--set", "technique.passes=2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(d.path());
    assert_eq!(s["stamps_per_pass"], serde_json::json!([29, 15]));
    assert_eq!(s["warnings"].as_array().unwrap().iter().filter(|w| w.as_str().unwrap().contains("trace")).count(), 0, "{}", s["warnings"]);
    // Each pass's punctures lie around its own lane (the 12-needle grid spans ±1.6 mm).
    for r in rows(&d.path().join("out/punctures.csv")) {
        let lane_y = if r[0] == 0.0 { 1.0 } else { 2.0 };
        assert!((r[4] - lane_y).abs() < 1.7, "{r:?}");
    }
    let out = d.path().join("out");
    assert!(std::fs::read_to_string(out.join("trace.csv")).unwrap().starts_with("stroke,pass,t_s,x_mm,y_mm\n1,0,0,0,1\n"));
    let again = run_in(&out, &["run", "scenario.toml", "--out", "again"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(std::fs::read(out.join("punctures.csv")).unwrap(), std::fs::read(out.join("again/punctures.csv")).unwrap());

    // Three passes of a file with rows for passes 0–1: refused, naming the file and pass.
    let (d, o) = run_with(&[("scenario.toml", &scenario), ("t.csv", &two_pass_trace(1))], &["--set", "technique.passes=3"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for n in ["t.csv", "pass 2 of the scenario", "technique.passes = 3", "passes 0–1 only"] {
        assert!(err.contains(n), "{err} lacks {n:?}");
    }
    assert!(!d.path().join("out").exists());

    // One pass: pass 1's rows are not replayed, a warning says so.
    let (d, o) = run_with(&[("scenario.toml", &scenario), ("t.csv", &two_pass_trace(1))], &["--set", "technique.passes=1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(d.path());
    assert_eq!(s["stamps_per_pass"], serde_json::json!([29]));
    assert!(
        s["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("rows for pass 1 that this scenario does not replay")),
        "{}",
        s["warnings"]
    );

    // Rows for passes 0 and 2 over three passes: pass 1 has none (a warning, no stamps).
    let (d, o) = run_with(&[("scenario.toml", &scenario), ("t.csv", &two_pass_trace(2))], &["--set", "technique.passes=3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(d.path());
    assert_eq!(s["stamps_per_pass"], serde_json::json!([29, 0, 15]));
    assert!(
        s["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("trace pass 1 has no rows")),
        "{}",
        s["warnings"]
    );
}

/// The file-free `to_simulation` refuses a `[trace]` (it cannot know the scenario's folder);
/// `to_simulation_in` reads it.
#[test]
fn only_to_simulation_in_reads_a_trace() {
    use needlesim::io::scenario;
    let path = root().join("scenarios/recorded-trace.toml");
    let file = scenario::load(&path, &[]).unwrap();
    let e = file.to_simulation().unwrap_err().to_string();
    assert!(e.contains("trace.file") && e.contains("to_simulation_in"), "{e}");
    let sim = file.to_simulation_in(path.parent().unwrap()).unwrap();
    assert_eq!(sim.technique.trace.unwrap().len(), 297);
}

mod reader_fuzz {
    use needlesim::geometry::Rect;
    use needlesim::io::scenario::trace_csv::{TraceRules, read};
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

        /// Rows with random stroke ids and passes: the reader accepts exactly when an
        /// independent check passes (≥ 1 sample, times increasing through the file, gaps ≤
        /// the limit within a stroke only, each id on consecutive rows only, one pass per
        /// stroke), and then cuts the strokes where the id changes.
        #[test]
        fn the_reader_accepts_exactly_the_valid_strokes(
            rows in prop::collection::vec((0u64..4, 0u16..2, 0.0f64..0.3), 0..12),
        ) {
            let rules = TraceRules { max_gap_s: 0.15, map: Rect::new(0.0, 0.0, 10.0, 10.0) };
            let mut t = -0.01;
            let mut text = String::from("stroke,pass,t_s,x_mm,y_mm\n");
            let mut samples = Vec::new();
            for &(id, pass, dt) in &rows {
                t = ((t + dt - 0.01) * 1e3f64).round() / 1e3; // sometimes backwards or repeated
                text.push_str(&format!("{id},{pass},{t},5,5\n"));
                samples.push((id, pass, t));
            }
            let mut runs: Vec<(u64, u16, f64, f64)> = Vec::new(); // id, pass, first t, last t
            let mut valid = !samples.is_empty() && samples.windows(2).all(|w| w[1].2 > w[0].2);
            for &(id, pass, t) in &samples {
                match runs.last_mut() {
                    Some(r) if r.0 == id => {
                        valid &= r.1 == pass && t - r.3 <= 0.15;
                        r.3 = t;
                    }
                    _ => {
                        valid &= !runs.iter().any(|r| r.0 == id);
                        runs.push((id, pass, t, t));
                    }
                }
            }
            let got = read(&text, Path::new("fuzz.csv"), &rules);
            prop_assert_eq!(got.is_ok(), valid, "{}", text);
            if let Ok(tr) = got {
                let strokes: Vec<(u64, u16)> = tr.strokes().iter().map(|s| (s.id.unwrap(), s.pass.unwrap())).collect();
                prop_assert_eq!(strokes, runs.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>());
            }
        }
    }
}

/// A recording cut into strokes and passes replays each stroke exactly as the live page
/// stamps it (`stroke::stamp_stroke`), through the CSV writer and reader.
mod strokes {
    use needlesim::geometry::{Rect, Vec2};
    use needlesim::io::scenario::trace_csv::{TraceRules, read, write};
    use needlesim::pen::device::Device;
    use needlesim::technique::firing::{TimedSample, stamp_stroke};
    use needlesim::technique::hand::Hand;
    use needlesim::technique::lanes::{PassPlan, Pattern};
    use needlesim::technique::trajectory::{TraceStroke, Trajectory};
    use needlesim::technique::walk::walk_pass;
    use proptest::prelude::*;
    use std::path::Path;

    type Steps = Vec<(f64, f64, f64)>;

    /// The edge case the two clocks differ on: a stroke of 0.35 s at 100 Hz. The pen's
    /// clock puts firing 35 at 35 × (1/100) s, which rounds to just past 0.35 s: the live
    /// page does not fire it, nor does the replay of a stroke. A continuous recording (no
    /// stroke column) keeps its old clock, which allows 1e-9 s and fires it.
    #[test]
    fn a_stroke_ending_on_a_firing_is_stamped_as_the_live_page_does() {
        assert!(35.0 * (1.0 / std::hint::black_box(100.0f64)) > 0.35, "the rounding this test is about");
        let samples = [TimedSample { t_s: 0.0, at_mm: Vec2::new(1.0, 1.0) }, TimedSample { t_s: 0.35, at_mm: Vec2::new(15.0, 1.0) }];
        let live = stamp_stroke(&samples, 100.0).unwrap();
        assert_eq!(live.len(), 35);
        let device = Device { frequency_hz: 100.0, ..Device::default() };
        let plan = PassPlan { direction_deg: 0.0, pattern: Pattern::Trace, speed_mm_s: 40.0, lane_spacing_mm: 1.0, lane_offset_mm: 0.0 };
        let area = Rect::new(0.0, 0.0, 40.0, 40.0);
        let (t, xy): (Vec<f64>, Vec<Vec2>) = samples.iter().map(|s| (s.t_s, s.at_mm)).unzip();
        let stroke = TraceStroke { id: Some(1), pass: None, samples: 0..2 };
        let with_strokes = Trajectory::with_strokes(t.clone(), xy.clone(), None, vec![stroke]).unwrap();
        let w = walk_pass(&area, &plan, &device, &Hand::ideal(), Some(&with_strokes), 5, 0);
        assert_eq!(
            w.stamps.iter().map(|s| (s.center_mm, s.t_s)).collect::<Vec<_>>(),
            live.iter().map(|s| (s.center_mm, s.t_s)).collect::<Vec<_>>()
        );
        let continuous = Trajectory::new(t, xy, None).unwrap();
        assert_eq!(walk_pass(&area, &plan, &device, &Hand::ideal(), Some(&continuous), 5, 0).stamps.len(), 36);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random strokes (taps included) in random passes, random lifts, any frequency: the
        /// file reads back as written, and trace pass k's stamps are, to the bit, those
        /// `stroke.rs` gives each stroke of pass k (times from the pass's first sample).
        #[test]
        fn replayed_strokes_fire_as_the_live_page_does(
            t_start in 0.0f64..5000.0,
            strokes in prop::collection::vec((0u16..3, 0.001f64..3.0, (0.0f64..40.0, 0.0f64..40.0), prop::collection::vec((0.0005f64..0.05, -2.0f64..2.0, -2.0f64..2.0), 0..25)), 1..7),
            f in 10.0f64..300.0,
        ) {
            let mut samples: Vec<Vec<TimedSample>> = Vec::new();
            let mut t = t_start;
            for (_, lift, (x, y), steps) in &strokes {
                t += lift;
                let mut s = vec![TimedSample { t_s: t, at_mm: Vec2::new(*x, *y) }];
                for &(dt, dx, dy) in steps as &Steps {
                    let l = *s.last().unwrap();
                    s.push(TimedSample { t_s: l.t_s + dt, at_mm: Vec2::new((l.at_mm.x + dx).clamp(0.0, 40.0), (l.at_mm.y + dy).clamp(0.0, 40.0)) });
                }
                t = s.last().unwrap().t_s;
                samples.push(s);
            }
            let mut ranges = Vec::new();
            let mut n = 0;
            for (k, s) in samples.iter().enumerate() {
                ranges.push(TraceStroke { id: Some(100 - k as u64), pass: Some(strokes[k].0), samples: n..n + s.len() });
                n += s.len();
            }
            let all: Vec<&TimedSample> = samples.iter().flatten().collect();
            let built = Trajectory::with_strokes(all.iter().map(|s| s.t_s).collect(), all.iter().map(|s| s.at_mm).collect(), None, ranges).unwrap();
            let rules = TraceRules { max_gap_s: 0.05, map: Rect::new(0.0, 0.0, 40.0, 40.0) };
            let trace = read(&write(&built), Path::new("strokes.csv"), &rules).unwrap();
            prop_assert_eq!(&trace, &built);

            let device = Device { frequency_hz: f, ..Device::default() };
            let plan = PassPlan { direction_deg: 0.0, pattern: Pattern::Trace, speed_mm_s: 40.0, lane_spacing_mm: 1.0, lane_offset_mm: 0.0 };
            let area = Rect::new(0.0, 0.0, 40.0, 40.0);
            for pass in 0..3u16 {
                let mine: Vec<&Vec<TimedSample>> = samples.iter().zip(&strokes).filter(|(_, s)| s.0 == pass).map(|(x, _)| x).collect();
                let w = walk_pass(&area, &plan, &device, &Hand::ideal(), Some(&trace), 5, pass as usize);
                let Some(first) = mine.first() else {
                    prop_assert!(w.stamps.is_empty());
                    continue;
                };
                let t0 = first[0].t_s;
                let expected: Vec<(Vec2, f64)> = mine.iter().flat_map(|s| stamp_stroke(s, f).unwrap()).map(|s| (s.center_mm, s.t_s - t0)).collect();
                let got: Vec<(Vec2, f64)> = w.stamps.iter().map(|s| (s.center_mm, s.t_s)).collect();
                prop_assert_eq!(got, expected);
                prop_assert_eq!(w.time_s, mine.last().unwrap().last().unwrap().t_s - t0);
            }
        }
    }
}
