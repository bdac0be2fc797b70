//! Determinism beyond two threads: the same scenario and seed give byte-identical outputs at
//! 1, 2, 3 and 8 threads (`RAYON_NUM_THREADS`; `--threads` for sweeps), for `run` (patch and
//! face), `compare`, `compare-hand`, `sweep` (its journal compared as a set of lines: a log in
//! finishing order) and the live page's export. 3 threads split the
//! work unevenly and 8 oversubscribe this machine: an oversubscribed cluster node must give
//! the same bytes. Small scenarios keep this quick.

mod common;

use std::path::{Path, PathBuf};

use common::http::{Server, line_samples};
use common::{needlesim_env, write};
use serde_json::json;

const THREADS: [&str; 4] = ["1", "2", "3", "8"];

/// Every file under `dir` (relative path → bytes), sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A sweep's `journal.jsonl` is a log in the order points finish, which depends on the
/// threads by design; its set of lines must not. Sorted here, so the check stays exact.
fn sorted_journal(mut t: Vec<(PathBuf, Vec<u8>)>) -> Vec<(PathBuf, Vec<u8>)> {
    for (p, bytes) in &mut t {
        if p.file_name().is_some_and(|n| n == "journal.jsonl") {
            let mut lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
            lines.sort();
            *bytes = lines.concat();
        }
    }
    t
}

/// The folders hold the same files with the same bytes (named on failure).
fn assert_same(what: &str, dirs: &[PathBuf]) {
    let tree = |d: &Path| sorted_journal(tree(d));
    let first = tree(&dirs[0]);
    assert!(first.len() > 1, "{what}: {} holds {} files", dirs[0].display(), first.len());
    for (d, t) in dirs.iter().zip(&THREADS).skip(1) {
        let other = tree(d);
        let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&first), names(&other), "{what}: files at 1 and {t} threads");
        for ((p, a), (_, b)) in first.iter().zip(&other) {
            assert!(a == b, "{what}: {} differs between 1 and {t} threads", p.display());
        }
    }
}

/// Run `args` (with `{out}` replaced) once per thread count; return the output folders.
fn each_thread_count(dir: &Path, tag: &str, args: &[&str]) -> Vec<PathBuf> {
    THREADS
        .iter()
        .map(|t| {
            let out = format!("{tag}-{t}");
            let args: Vec<String> = args.iter().map(|a| a.replace("{out}", &out).replace("{threads}", t)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = needlesim_env(&args, dir, &[("RAYON_NUM_THREADS", t)]);
            assert!(r.code == 0, "{tag} at {t} threads: exit {}\n{}", r.code, r.stderr);
            dir.join(out)
        })
        .collect()
}

const PATCH: &str = r#"
name = "threads"
seed = 11

[cartridge]
preset = 12
depth_mm = 1.0

[device]
frequency_hz = 120
rotation_deg = 18

[patch]
width_mm = 14
height_mm = 9

[technique]
pattern = "random"
speed_mm_s = 40
passes = 2

[grid]
resolution_mm = 0.02
"#;

const SWEEP: &str = r#"
[sweep]
parameters = [
  { key = "technique.speed_mm_s", values = [30, 50, 70] },
  { key = "technique.passes", values = [1, 2] },
]
"#;

const HAND: &str = r#"
[hand]
speed_sd_fraction = 0.15
speed_time_constant_s = 0.5
tremor_amplitude_mm = 0.25
tremor_time_constant_s = 0.2
tilt_mean_deg = 3
tilt_sd_deg = 2
"#;

const FACE: &str = r#"
name = "threads-face"
seed = 5
[cartridge]
preset = 12
depth_mm = 0.5
[device]
frequency_hz = 120
rotation_deg = 18
[technique]
speed_mm_s = 58
directions_deg = [0, 90]
[grid]
resolution_mm = 0.05
[face]
map = "default"
[[treat]]
region = "nose"
pattern = "random"
"#;

#[test]
fn patch_and_face_runs_are_byte_identical_at_1_2_3_and_8_threads() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "patch.toml", PATCH);
    write(d.path(), "hand.toml", &format!("{PATCH}{HAND}"));
    write(d.path(), "face.toml", FACE);
    assert_same("run", &each_thread_count(d.path(), "run", &["run", "patch.toml", "--out", "{out}"]));
    assert_same("run with a real hand", &each_thread_count(d.path(), "hand", &["run", "hand.toml", "--out", "{out}"]));
    assert_same("face run", &each_thread_count(d.path(), "face", &["run", "face.toml", "--out", "{out}"]));
}

#[test]
fn compare_compare_hand_and_sweep_are_byte_identical_at_1_2_3_and_8_threads() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "patch.toml", PATCH);
    write(d.path(), "hand.toml", &format!("{PATCH}{HAND}"));
    assert_same("compare", &each_thread_count(d.path(), "compare", &["compare", "patch.toml", "--cartridges", "9,12", "--out", "{out}"]));
    assert_same("compare-hand", &each_thread_count(d.path(), "compare-hand", &["compare-hand", "hand.toml", "--out", "{out}"]));
    write(d.path(), "sweep.toml", &format!("{PATCH}{SWEEP}"));
    assert_same("sweep", &each_thread_count(d.path(), "sweep", &["sweep", "sweep.toml", "--out", "{out}", "--threads", "{threads}"]));
}

#[test]
fn live_exports_are_byte_identical_at_1_2_3_and_8_threads() {
    let mut dirs = Vec::new();
    let mut servers = Vec::new();
    for t in THREADS {
        let s = Server::start_with(&["scenarios/default.toml"], &[("RAYON_NUM_THREADS", t)]);
        let id = s.session();
        for (k, (a, b)) in [((2.0, 15.0), (38.0, 15.0)), ((20.0, 2.0), (20.0, 28.0)), ((3.0, 3.0), (37.0, 27.0))].into_iter().enumerate() {
            let samples = line_samples(10_000.0 * k as f64, a, b, 35.0, 16.0);
            let r = s.call(
                "POST",
                &format!("/api/sessions/{id}/strokes"),
                Some(&json!({"stroke": k + 1, "pass": k % 2, "samples": samples, "end": true})),
            );
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let r = s.call("POST", &format!("/api/sessions/{id}/export"), None);
        assert_eq!(r.status, 200, "{}", r.body);
        dirs.push(PathBuf::from(r.json()["dir"].as_str().unwrap()));
        servers.push(s); // the export directory lives as long as its server
    }
    assert_same("live export", &dirs);
}
