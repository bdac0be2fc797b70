//! Kills that land where they claim: the binary's debug-build stall points
//! (`NEEDLESIM_TEST_STALL`, see `src/io/output/atomic.rs`) stop it inside the write phase,
//! and the test kills it there, then looks at what a reader would see.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Run `cmd` until it stops at the stall point `point`, then SIGKILL it. Panics (with the
/// child's stderr) if it exits without reaching the point. No timing is asserted: the
/// wait polls the marker file the child writes when it stops.
pub fn kill_at(mut cmd: Command, point: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("stalled");
    let err_path = scratch.path().join("stderr");
    let mut child = cmd
        .env("NEEDLESIM_TEST_STALL", point)
        .env("NEEDLESIM_TEST_STALL_MARKER", &marker)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("the binary starts");
    loop {
        if marker.exists() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("finished ({status}) without stopping at {point}:\n{}", std::fs::read_to_string(&err_path).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The entries of `dir` (names, sorted).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Complete run outputs: summary parses, the CSV has one row per puncture, the PNG is whole.
/// Returns the run's pass count.
pub fn passes_of_complete_run(dir: &Path) -> u64 {
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary.json")).expect("summary parses");
    let csv = std::fs::read_to_string(dir.join("punctures.csv")).expect("punctures.csv");
    assert_eq!(csv.lines().count() as u64, s["punctures"].as_u64().unwrap() + 1, "torn punctures.csv");
    let png = std::fs::read(dir.join("heatmap.png")).expect("heatmap.png");
    assert!(png.ends_with(&[0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]), "torn heatmap.png");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.trim_end().ends_with("</html>"), "torn report.html");
    s["passes"].as_u64().unwrap()
}
