//! One table of bad inputs for every reader the project has: scenario TOML, `--set`,
//! face-map files, puncture CSVs, trace CSVs, sweep designs and CLI flags. Every case must
//! exit 2 with a message naming the file, key or line and what is allowed, never panic, and
//! leave nothing behind (the folder holds exactly the input files afterwards). A few
//! "accepted" rows check that harmless quirks (BOM, CRLF) are not refused.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{SMALL, run_in};

struct Case {
    what: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
    expect: Vec<&'static str>,
}

fn case(what: &'static str, files: Vec<(&'static str, Vec<u8>)>, args: &[&str], expect: &[&'static str]) -> Case {
    Case { what, files, args: args.iter().map(|s| s.to_string()).collect(), expect: expect.to_vec() }
}

fn text(s: impl Into<String>) -> Vec<u8> {
    s.into().into_bytes()
}

fn listing(dir: &Path) -> BTreeSet<String> {
    walk(dir, dir)
}

fn walk(root: &Path, dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        if p.is_dir() {
            out.extend(walk(root, &p));
        }
    }
    out
}

const TRACE_SCENARIO: &str = r#"
name = "t"
[cartridge]
preset = 12
depth_mm = 1.0
[patch]
width_mm = 20
height_mm = 20
[technique]
pattern = "trace"
speed_mm_s = 40
passes = 1
[trace]
file = "trace.csv"
"#;

const FACE_SCENARIO: &str = r#"
name = "f"
[cartridge]
preset = 12
depth_mm = 0.5
[technique]
speed_mm_s = 58
directions_deg = [0]
[face]
map = "map.toml"
[[treat]]
regions = ["a"]
depth_mm = 0.5
"#;

const SQUARE_REGION: &str = "[[region]]\nname = \"a\"\npolygon = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]\nepidermis_mm = 0.06\ndermis_mm = 1.0\nsubcutis_mm = 2.0\nrecommended_depth_mm = [0.25, 1.0]\n";

fn sweep_scenario(extra: &str) -> String {
    format!("{SMALL}\n[sweep]\n{extra}\n")
}

fn cases() -> Vec<Case> {
    let s = |t: &str| text(t.to_string());
    let big_line = "x".repeat(4 << 20);
    vec![
        // Scenario TOML.
        case("syntax error", vec![("s.toml", s("name = \"x\"\n[cartridge\n"))], &["run", "s.toml"], &["s.toml", "line 2"]),
        case(
            "unknown key with suggestion",
            vec![("s.toml", text(SMALL.replace("depth_mm = 1.0", "depht_mm = 1.0")))],
            &["run", "s.toml"],
            &["depht_mm", "did you mean `depth_mm`"],
        ),
        case(
            "wrong type",
            vec![("s.toml", text(SMALL.replace("speed_mm_s = 40", "speed_mm_s = [40]")))],
            &["run", "s.toml"],
            &["speed_mm_s"],
        ),
        case(
            "NaN",
            vec![("s.toml", text(SMALL.replace("speed_mm_s = 40", "speed_mm_s = nan")))],
            &["run", "s.toml"],
            &["technique.speed_mm_s", "NaN"],
        ),
        case(
            "infinity",
            vec![("s.toml", text(SMALL.replace("frequency_hz = 120", "frequency_hz = inf")))],
            &["run", "s.toml"],
            &["device.frequency_hz", "inf"],
        ),
        case(
            "negative",
            vec![("s.toml", text(SMALL.replace("width_mm = 10", "width_mm = -10")))],
            &["run", "s.toml"],
            &["patch.width_mm", "-10"],
        ),
        case(
            "huge",
            vec![("s.toml", text(SMALL.replace("width_mm = 10", "width_mm = 1e300")))],
            &["run", "s.toml"],
            &["patch.width_mm", "1000"],
        ),
        case("empty file", vec![("s.toml", Vec::new())], &["run", "s.toml"], &["s.toml", "missing field"]),
        case("multi-megabyte line", vec![("s.toml", text(format!("{big_line}\n")))], &["run", "s.toml"], &["s.toml"]),
        case(
            "duplicate key",
            vec![("s.toml", text(SMALL.replace("depth_mm = 1.0", "depth_mm = 1.0\ndepth_mm = 1.5")))],
            &["run", "s.toml"],
            &["s.toml", "duplicate"],
        ),
        case("not UTF-8", vec![("s.toml", vec![0xff, 0xfe, 0x00, 0x41])], &["run", "s.toml"], &["s.toml"]),
        // --set.
        case("--set without =", vec![("s.toml", s(SMALL))], &["run", "s.toml", "--set", "seed"], &["--set", "KEY=VALUE"]),
        case("--set empty segment", vec![("s.toml", s(SMALL))], &["run", "s.toml", "--set", "a..b=1"], &["--set", "dotted key"]),
        case(
            "--set unknown key",
            vec![("s.toml", s(SMALL))],
            &["run", "s.toml", "--set", "device.frequncy_hz=90"],
            &["frequncy_hz", "did you mean `frequency_hz`"],
        ),
        case(
            "--set out of range",
            vec![("s.toml", s(SMALL))],
            &["run", "s.toml", "--set", "cartridge.depth_mm=9"],
            &["cartridge.depth_mm", "9"],
        ),
        // Puncture CSV (`coverage`).
        case(
            "CSV bad number",
            vec![("p.csv", s("x_mm,y_mm\n1,2\n3,abc\n"))],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv", "line 3", "abc"],
        ),
        case(
            "CSV empty",
            vec![("p.csv", Vec::new())],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv", "empty"],
        ),
        case(
            "CSV missing column",
            vec![("p.csv", s("x,y\n1,2\n"))],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv", "x_mm"],
        ),
        case(
            "CSV NaN",
            vec![("p.csv", s("x_mm,y_mm\nNaN,2\n"))],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv", "line 2"],
        ),
        case(
            "CSV multi-megabyte line",
            vec![("p.csv", text(format!("x_mm,y_mm\n{big_line},1\n")))],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv", "line 2"],
        ),
        case(
            "CSV not UTF-8 (regression: was exit 3)",
            vec![("p.csv", vec![b'x', 0xff, b'\n'])],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"],
            &["p.csv"],
        ),
        // Trace CSV.
        case(
            "trace time backwards",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("t_s,x_mm,y_mm\n0,0,0\n0.01,0.4,0\n0.005,0.8,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 4"],
        ),
        case(
            "trace NaN",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("t_s,x_mm,y_mm\n0,0,0\n0.01,nan,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 3"],
        ),
        case("trace missing", vec![("s.toml", s(TRACE_SCENARIO))], &["run", "s.toml"], &["trace.csv"]),
        case(
            "trace stroke id not a whole number",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("stroke,t_s,x_mm,y_mm\n1,0,0,0\n1.5,0.01,0.4,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 3", "stroke = \"1.5\"", "whole number"],
        ),
        case(
            "trace stroke reappears",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("stroke,t_s,x_mm,y_mm\n1,0,0,0\n2,1,1,1\n1,2,2,2\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 4", "stroke 1 reappears", "consecutive"],
        ),
        case(
            "trace stroke changes pass",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("stroke,pass,t_s,x_mm,y_mm\n1,0,0,0,0\n1,1,0.01,0.4,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 3", "one pass"],
        ),
        case(
            "trace pass out of range",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("pass,t_s,x_mm,y_mm\n40,0,0,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 2", "pass = \"40\"", "0–31"],
        ),
        case(
            "trace gap within a stroke",
            vec![("s.toml", s(TRACE_SCENARIO)), ("trace.csv", s("stroke,t_s,x_mm,y_mm\n1,0,0,0\n1,0.5,0.4,0\n"))],
            &["run", "s.toml"],
            &["trace.csv", "line 3", "within a stroke"],
        ),
        case(
            "trace has no rows for a pass",
            vec![
                ("s.toml", text(TRACE_SCENARIO.replace("passes = 1", "passes = 2"))),
                ("trace.csv", s("pass,t_s,x_mm,y_mm\n0,0,0,0\n0,0.01,0.4,0\n")),
            ],
            &["run", "s.toml"],
            &["trace.csv", "pass 1 of the scenario", "rows for pass 0 only"],
        ),
        // Face-map files.
        case(
            "face map self-intersecting polygon",
            vec![
                ("s.toml", s(FACE_SCENARIO)),
                ("map.toml", text(SQUARE_REGION.replace("[10.0, 0.0], [10.0, 10.0]", "[10.0, 10.0], [10.0, 0.0]"))),
            ],
            &["run", "s.toml"],
            &["map.toml", "a"],
        ),
        case(
            "face plan names unknown region",
            vec![("s.toml", text(FACE_SCENARIO.replace("regions = [\"a\"]", "regions = [\"b\"]"))), ("map.toml", s(SQUARE_REGION))],
            &["run", "s.toml"],
            &["b"],
        ),
        case(
            "face map region without thickness",
            vec![("s.toml", s(FACE_SCENARIO)), ("map.toml", text(SQUARE_REGION.replace("dermis_mm = 1.0\n", "")))],
            &["run", "s.toml"],
            &["map.toml", "dermis_mm"],
        ),
        // Sweep designs.
        case(
            "sweep from > to",
            vec![("s.toml", text(sweep_scenario("parameters = [{ key = \"technique.speed_mm_s\", from = 50.0, to = 10.0, steps = 3 }]")))],
            &["sweep", "s.toml", "--out", "sw"],
            &["technique.speed_mm_s", "50"],
        ),
        case(
            "sweep unknown key",
            vec![("s.toml", text(sweep_scenario("parameters = [{ key = \"technique.sped_mm_s\", values = [1.0] }]")))],
            &["sweep", "s.toml", "--out", "sw"],
            &["sped_mm_s"],
        ),
        case(
            "sweep design file wrong columns",
            vec![
                (
                    "s.toml",
                    text(sweep_scenario(
                        "design = \"file\"\nfile = \"d.txt\"\nparameters = [{ key = \"technique.speed_mm_s\" }, { key = \"device.frequency_hz\" }]",
                    )),
                ),
                ("d.txt", s("30 100\n40\n")),
            ],
            &["sweep", "s.toml", "--out", "sw"],
            &["d.txt", "line 2"],
        ),
        // CLI flags.
        case(
            "--rect with three numbers",
            vec![("p.csv", s("x_mm,y_mm\n1,2\n"))],
            &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5"],
            &["--rect", "X0,Y0,X1,Y1"],
        ),
        case(
            "--diameter-mm negative",
            vec![("p.csv", s("x_mm,y_mm\n1,2\n"))],
            &["coverage", "p.csv", "--diameter-mm=-1", "--rect", "0,0,5,5"],
            &["--diameter-mm", "-1"],
        ),
        case(
            "--shard 3/3",
            vec![("s.toml", text(sweep_scenario("parameters = [{ key = \"technique.speed_mm_s\", values = [30.0, 40.0] }]")))],
            &["sweep", "s.toml", "--out", "sw", "--shard", "3/3"],
            &["--shard", "3/3"],
        ),
        case("unknown device preset", vec![], &["presets", "dermapenn"], &["dermapenn"]),
        case("unknown subcommand flag", vec![], &["run", "--frobnicate"], &["--frobnicate"]),
    ]
}

#[test]
fn every_reader_refuses_bad_input_clearly_and_leaves_nothing() {
    let mut failures = Vec::new();
    for c in cases() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &c.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let before = listing(dir.path());
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let out = run_in(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(2) {
            failures.push(format!("{}: exit {:?}: {err}", c.what, out.status.code()));
            continue;
        }
        if err.contains("panicked") {
            failures.push(format!("{}: panicked: {err}", c.what));
        }
        for e in &c.expect {
            if !err.contains(e) {
                failures.push(format!("{}: message lacks {e:?}: {}", c.what, err.chars().take(600).collect::<String>()));
            }
        }
        let after = listing(dir.path());
        if after != before {
            failures.push(format!("{}: left behind {:?}", c.what, after.difference(&before).collect::<Vec<_>>()));
        }
    }
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

/// Harmless quirks are accepted: a UTF-8 BOM and CRLF line ends, in a scenario and in a CSV.
#[test]
fn bom_and_crlf_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!("\u{feff}{}", SMALL.replace('\n', "\r\n"));
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = run_in(dir.path(), &["run", "s.toml", "--out", "o", "--set", "pictures.frames=0"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(dir.path().join("p.csv"), "\u{feff}x_mm,y_mm\r\n1,2\r\n").unwrap();
    let out = run_in(dir.path(), &["coverage", "p.csv", "--diameter-mm", "0.18", "--rect", "0,0,5,5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Regression (found by the `png` fuzz target): a PNG whose header claims gigapixels made the
/// painted-map reader allocate hundreds of GB. It must be refused from the header alone.
#[test]
fn png_with_a_huge_header_is_refused_before_allocating() {
    let bytes = include_bytes!("regressions/fuzz/png/huge-header-727gb-allocation.png");
    let err = match needlesim::io::facemap_file::legend::read_png(bytes, Path::new("huge.png")) {
        Err(e) => e.to_string(),
        Ok(img) => panic!("decoded a {} × {} image", img.width, img.height),
    };
    assert!(err.contains("huge.png"), "{err}");
}
