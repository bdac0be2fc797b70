//! Courses of sessions (`needlesim course`): the course accumulation against closed forms
//! and against the sessions run alone, determinism, the calendar, and bad input.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{SMALL, assert_bad_input, needlesim, needlesim_env, read, write};
use serde_json::Value;

/// Run a course file (`course` text, beside `small.toml` = [`SMALL`] and `random.toml`)
/// into `dir/out`; return course.json.
fn course(dir: &Path, text: &str) -> Value {
    setup(dir);
    write(dir, "course.toml", text);
    let r = needlesim(&["course", "course.toml", "--out", "out"], dir);
    assert_eq!(r.code, 0, "stderr:\n{}\nstdout:\n{}", r.stderr, r.stdout);
    serde_json::from_str(&read(dir.join("out/course.json"))).unwrap()
}

/// Uniformly random single-needle stamps over 20 × 20 mm (each session ≈ 20 % punctured).
const RANDOM: &str = r#"
name = "random"
seed = 5
[cartridge]
needles_mm = [[0.0, 0.0]]
depth_mm = 1.0
[device]
frequency_hz = 400
[patch]
width_mm = 20
height_mm = 20
[technique]
pattern = "random"
speed_mm_s = 40
lane_spacing_mm = 1.0
directions_deg = [0]
[grid]
resolution_mm = 0.01
"#;

fn setup(dir: &Path) {
    write(dir, "small.toml", SMALL);
    write(dir, "random.toml", RANDOM);
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn independent_random_sessions_follow_the_product_rule() {
    let dir = tempfile::tempdir().unwrap();
    let j = course(dir.path(), "scenario = \"random.toml\"\n[course]\ndays = [0, 7, 14, 21]\nstart_date = \"2025-03-03\"\n");
    let sessions = j["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 4);
    let seeds: Vec<u64> = sessions.iter().map(|s| s["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds[0], 5, "session 0 runs with the scenario's seed");
    assert!(seeds.windows(2).all(|w| w[0] != w[1]), "derived seeds differ: {seeds:?}");
    let mut untouched = 1.0;
    for s in sessions {
        let c = f(&s["coverage"]);
        assert!(c > 0.1 && c < 0.4, "session coverage {c}");
        untouched *= 1.0 - c;
        let ever = f(&s["ever_treated"]);
        assert!((ever - (1.0 - untouched)).abs() < 0.005, "ever {ever} vs 1 − Π(1 − c) = {}", 1.0 - untouched);
    }
    let h: Vec<f64> = j["totals"]["sessions_per_spot_histogram"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(h.len(), 5);
    assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!((1.0 - h[0] - f(&j["totals"]["ever_treated"])).abs() < 1e-12);
}

#[test]
fn identical_ideal_sessions_repuncture_the_same_lattice() {
    let dir = tempfile::tempdir().unwrap();
    let j = course(dir.path(), "scenario = \"small.toml\"\n[course]\nschedule = \"weekly-7-10\"\nsessions = 3\nseeds = \"same\"\n");
    let s = j["sessions"].as_array().unwrap();
    let one = f(&s[0]["coverage"]);
    for x in s {
        assert_eq!(f(&x["coverage"]), one);
        assert_eq!(f(&x["ever_treated"]), one, "ever treated stays one session's coverage");
    }
    assert_eq!(f(&s[1]["new_coverage"]), 0.0);
    let h: Vec<f64> = j["totals"]["sessions_per_spot_histogram"].as_array().unwrap().iter().map(f).collect();
    assert_eq!((h[1], h[2]), (0.0, 0.0), "every punctured spot is punctured by all three sessions: {h:?}");
    assert_eq!(h[3], one);
    // No start date: the calendar uses the placeholder, and the report says so.
    assert!(read(dir.path().join("out/course.ics")).contains("DTSTART;VALUE=DATE:20250106\r\n"));
    assert!(read(dir.path().join("out/report.html")).contains("placeholder"));
}

#[test]
fn session_totals_equal_the_sessions_run_alone() {
    let dir = tempfile::tempdir().unwrap();
    let j = course(
        dir.path(),
        "scenario = \"small.toml\"\n[course]\nschedule = \"weekly-7-10\"\nsessions = 3\ninterval_days = 8\nstart_date = \"2025-03-03\"\nrotate_deg_per_session = 37\nlane_offset_mm_per_session = 0.37\n",
    );
    let mut sums = (0u64, 0.0f64, 0.0f64);
    for s in j["sessions"].as_array().unwrap() {
        let dirs: Vec<String> = s["directions_deg"].as_array().unwrap().iter().map(|d| f(d).to_string()).collect();
        let offset = f(&s["lane_offsets_mm"][0]);
        let sets = [
            format!("seed={}", s["seed"]),
            format!("technique.directions_deg=[{}]", dirs.join(",")),
            format!("technique.lane_offset_mm={offset:?}"),
            format!("device.rotation_deg={:?}", f(&s["rotation_deg"])),
        ];
        let alone = needlesim::Scenario::from_str_in(SMALL, dir.path()).unwrap().with_overrides(&sets).unwrap().run().unwrap();
        let sum = alone.summary();
        assert_eq!(s["punctures"], sum["punctures"], "session {}", s["session"]);
        assert_eq!(s["stamps"], sum["stamps"]);
        assert_eq!(f(&s["dose_ul"]), f(&sum["dose"]["total_ul"]));
        assert_eq!(f(&s["procedure_time_s"]), f(&sum["session"]["procedure_time_s"]));
        assert_eq!(f(&s["run_coverage"]), f(&sum["coverage"]));
        // On a patch the course area is the run's area: the same cells, the same count.
        assert_eq!(f(&s["coverage"]), f(&sum["coverage"]));
        sums.0 += s["punctures"].as_u64().unwrap();
        sums.1 += f(&s["dose_ul"]);
        sums.2 += f(&s["procedure_time_s"]);
    }
    let t = &j["totals"];
    assert_eq!(t["punctures"].as_u64().unwrap(), sums.0);
    assert!((f(&t["dose_ul"]) - sums.1).abs() < 1e-9 && (f(&t["procedure_time_s"]) - sums.2).abs() < 1e-9);
    // Rotated and shifted sessions spread the punctures: more skin than one session.
    assert!(f(&t["ever_treated"]) > 1.5 * f(&j["sessions"][0]["coverage"]), "{t}");
}

fn folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn one_and_two_threads_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    write(
        dir.path(),
        "course.toml",
        "scenario = \"small.toml\"\n[course]\ndays = [0, 2, 9]\nstart_date = \"2025-03-03\"\nrotate_deg_per_session = 20\nlast_peel_days_before = 5\n",
    );
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("out-{threads}");
        let r = needlesim_env(&["course", "course.toml", "--out", &out], dir.path(), &[("RAYON_NUM_THREADS", threads)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        outs.push(folder(&dir.path().join(out)));
    }
    let names: Vec<&String> = outs[0].keys().collect();
    for want in
        ["course.json", "course.csv", "course.ics", "timeline.png", "report.html", "course-hits.png", "session-00.png", "session-02.png"]
    {
        assert!(outs[0].contains_key(want), "{want} missing from {names:?}");
    }
    assert_eq!(outs[0].keys().collect::<Vec<_>>(), outs[1].keys().collect::<Vec<_>>());
    for (name, bytes) in &outs[0] {
        assert!(bytes == &outs[1][name], "{name} differs between 1 and 2 threads");
    }
    let j: Value = serde_json::from_slice(&outs[0]["course.json"]).unwrap();
    let w: Vec<&str> = j["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(w.iter().any(|w| w.contains("sessions 0 and 1 are 2 days apart")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("session 0 is 5 days after a peel")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("session 1 is 7 days after a peel")), "{w:?}");
    assert!(!w.iter().any(|w| w.contains("session 2 is")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("punctured again within 3 days")), "{w:?}");
    let t = &j["totals"];
    assert!(f(&t["repunctured_before_healing"]) > 0.0 && t["repunctured_before_healing_exact"] == true, "{t}");
    let html = String::from_utf8(outs[0]["report.html"].clone()).unwrap();
    assert!(needlesim::render::report::external_references(&html).is_empty());
}

/// A strict reader of the calendar: CRLF only, lines ≤ 75 octets, unfolded content lines
/// `NAME[;PARAMS]:VALUE`, balanced BEGIN/END, required properties. Returns the events'
/// properties.
fn parse_ics(text: &str) -> Vec<BTreeMap<String, String>> {
    assert!(text.ends_with("\r\n"));
    let body = &text[..text.len() - 2];
    for raw in body.split("\r\n") {
        assert!(!raw.contains('\n') && !raw.contains('\r'), "bare line break in {raw:?}");
        assert!(raw.len() <= 75, "line longer than 75 octets: {raw:?}");
        assert!(!raw.is_empty(), "empty line");
    }
    let mut lines: Vec<String> = Vec::new();
    for raw in body.split("\r\n") {
        if let Some(cont) = raw.strip_prefix(' ') {
            lines.last_mut().expect("a folded line continues a line").push_str(cont);
        } else {
            lines.push(raw.to_string());
        }
    }
    let mut stack: Vec<String> = Vec::new();
    let mut events = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for l in &lines {
        let (name, value) = l.split_once(':').unwrap_or_else(|| panic!("no colon in {l:?}"));
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-;=".contains(c)), "bad name {name:?}");
        match name {
            "BEGIN" => {
                if value == "VEVENT" {
                    assert_eq!(stack.last().map(String::as_str), Some("VCALENDAR"));
                    current = Some(BTreeMap::new());
                }
                stack.push(value.to_string());
            }
            "END" => {
                assert_eq!(stack.pop().as_deref(), Some(value), "unbalanced END:{value}");
                if value == "VEVENT" {
                    events.push(current.take().unwrap());
                }
            }
            _ => {
                if let Some(ev) = current.as_mut() {
                    assert!(ev.insert(name.to_string(), value.to_string()).is_none(), "repeated {name}");
                } else {
                    assert_eq!(stack, ["VCALENDAR"]);
                }
            }
        }
    }
    assert!(stack.is_empty());
    assert!(lines[0] == "BEGIN:VCALENDAR" && lines.contains(&"VERSION:2.0".to_string()) && lines.iter().any(|l| l.starts_with("PRODID:")));
    for ev in &events {
        for key in ["UID", "DTSTAMP", "DTSTART;VALUE=DATE", "DTEND;VALUE=DATE", "SUMMARY"] {
            assert!(ev.contains_key(key), "event lacks {key}: {ev:?}");
        }
        let stamp = &ev["DTSTAMP"];
        assert!(stamp.len() == 16 && stamp.ends_with('Z') && &stamp[8..9] == "T", "{stamp}");
    }
    let uids: std::collections::BTreeSet<&String> = events.iter().map(|e| &e["UID"]).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    events
}

#[test]
fn the_calendar_has_one_event_per_session_on_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let j = course(
        dir.path(),
        "name = \"Cheeks, spring; 2025\"\nscenario = \"small.toml\"\n[course]\ndates = [\"2025-02-24\", \"2025-03-04\", \"2025-03-13\"]\n",
    );
    let events = parse_ics(&read(dir.path().join("out/course.ics")));
    assert_eq!(events.len(), 3);
    let want = ["20250224", "20250304", "20250313"];
    for (k, ev) in events.iter().enumerate() {
        assert_eq!(ev["DTSTART;VALUE=DATE"], want[k]);
        assert_eq!(j["sessions"][k]["date"].as_str().unwrap().replace('-', ""), want[k]);
        assert!(ev["SUMMARY"].contains(&format!("session {} of 3", k + 1)), "{ev:?}");
    }
    assert_eq!(events[1]["DTEND;VALUE=DATE"], "20250305");
    assert_eq!(j["sessions"][2]["day"], 17);
    assert_eq!(j["sessions"][1]["interval_days"], 8);
    // Sessions 7–10 days apart (seed 000): no interval warning.
    assert!(!j["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("days apart")));
}

#[test]
fn bad_courses_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let many: Vec<String> = (0..33).map(|k| (7 * k).to_string()).collect();
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("[course]\ndates = [\"2025-03-10\", \"2025-03-03\"]\n".into(), vec!["course.dates[1]", "2025-03-03", "later than"]),
        ("[course]\ndays = [0, 7, 7]\nstart_date = \"2025-03-03\"\n".into(), vec!["course.days[2]", "interval > 0"]),
        ("[course]\nschedule = \"weekly-7-10\"\ninterval_days = 0\n".into(), vec!["course.interval_days", "1–"]),
        ("[course]\nschedule = \"weekley-7-10\"\n".into(), vec!["course.schedule", "did you mean \"weekly-7-10\""]),
        ("[course]\nschedule = \"monthly-4\"\nsessions = 33\n".into(), vec!["course.sessions", "33", "1–32"]),
        (format!("[course]\ndays = [{}]\n", many.join(", ")), vec!["course.days", "1–32"]),
        ("[course]\nschedule = \"monthly-4\"\nstart_date = \"2025-02-30\"\n".into(), vec!["course.start_date", "2025-02-30"]),
        ("[course]\nschedule = \"monthly-4\"\nrotate_deg = 5\n".into(), vec!["rotate_deg", "did you mean `rotate_deg_per_session`"]),
    ];
    for (text, needles) in &cases {
        write(dir.path(), "bad.toml", &format!("scenario = \"small.toml\"\n{text}"));
        let r = needlesim(&["course", "bad.toml", "--out", "out"], dir.path());
        let mut n = needles.clone();
        n.push("bad.toml");
        assert_bad_input(&r, &n, Some(&dir.path().join("out")));
    }
    // A session scenario treating other skin.
    write(dir.path(), "wide.toml", &SMALL.replace("width_mm = 10", "width_mm = 12"));
    write(dir.path(), "bad.toml", "scenarios = [\"small.toml\", \"wide.toml\"]\n[course]\ndays = [0, 7]\n");
    let r = needlesim(&["course", "bad.toml", "--out", "out"], dir.path());
    assert_bad_input(&r, &["scenarios[1]", "same skin"], Some(&dir.path().join("out")));
}
