//! Kills that land inside the write phase on purpose (the debug-build stall points of
//! `src/io/output/atomic.rs`), and the atomic writer's two-rename fallback for file systems
//! without `RENAME_EXCHANGE`: a reader sees the previous complete run or the new complete
//! run, never a torn one, and the next run cleans up what a kill left.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::crash::{kill_at, names, passes_of_complete_run};
use common::{SMALL, bin};

/// `needlesim run` of the small scenario into `out` with `passes`, optionally forcing the
/// two-rename fallback.
fn run(dir: &Path, passes: u32, no_exchange: bool) -> Command {
    let mut c = bin();
    c.current_dir(dir)
        .args(["run", "small.toml", "--out", "out", "--set", &format!("technique.passes={passes}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if no_exchange {
        c.env("NEEDLESIM_TEST_NO_EXCHANGE", "1");
    }
    c
}

fn complete(dir: &Path, passes: u32, no_exchange: bool) {
    assert!(run(dir, passes, no_exchange).status().unwrap().success());
    assert_eq!(passes_of_complete_run(&dir.join("out")), passes as u64);
}

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("small.toml"), SMALL).unwrap();
    d
}

#[test]
fn kills_inside_the_write_phase_leave_the_previous_run_whole() {
    // (stall point, files already in the staging folder when the kill lands)
    let cases: [(&str, &[&str]); 3] = [
        ("staged-file:punctures.csv", &["scenario.toml", "summary.json"]),
        ("staged-file:report.html", &["heatmap.png", "punctures.csv", "summary.json"]),
        ("staged-commit", &["heatmap.png", "punctures.csv", "report.html", "summary.json"]),
    ];
    for (point, staged) in cases {
        let d = setup();
        complete(d.path(), 1, false);
        kill_at(run(d.path(), 2, false), point);
        // The kill landed while the new run's files were being written…
        let staging = d.path().join(".out.staging");
        let have = names(&staging);
        for f in staged {
            assert!(have.iter().any(|h| h == f), "{point}: {f} not yet staged: {have:?}");
        }
        assert!(!have.iter().any(|h| h == "report.html") || point == "staged-commit", "{point}: {have:?}");
        // …and a reader still sees the previous complete run.
        assert_eq!(passes_of_complete_run(&d.path().join("out")), 1, "{point}");
        // The next run replaces it and removes the stale staging folder.
        complete(d.path(), 2, false);
        assert_eq!(names(d.path()), ["out", "small.toml"], "{point}");
    }
}

#[test]
fn the_two_rename_fallback_replaces_whole_runs_and_a_kill_between_the_renames_is_repaired() {
    let d = setup();
    let out = d.path().join("out");
    complete(d.path(), 1, true);
    complete(d.path(), 2, true);
    assert_eq!(names(d.path()), ["out", "small.toml"], "the fallback leaves no .out.old");

    // A kill between "old aside" and "new in": the previous run is whole at .out.old.
    kill_at(run(d.path(), 1, true), "staged-fallback");
    assert!(!out.exists(), "the fallback's window: the target is absent, not torn");
    assert_eq!(passes_of_complete_run(&d.path().join(".out.old")), 2);

    // The next writer puts it back before it writes anything: killed while staging, the
    // folder still holds the last complete run.
    kill_at(run(d.path(), 1, true), "staged-file:summary.json");
    assert_eq!(passes_of_complete_run(&out), 2, "previous run restored from .out.old");
    assert!(!d.path().join(".out.old").exists());

    complete(d.path(), 1, true);
    assert_eq!(names(d.path()), ["out", "small.toml"]);
}

#[test]
fn a_kill_before_an_atomic_file_is_renamed_leaves_the_old_file() {
    // `face-map --export` writes one file atomically (write_file_atomic).
    let d = setup();
    let map = d.path().join("map.toml");
    let export = |c: &mut Command| {
        c.current_dir(d.path()).args(["face-map", "default", "--export", "map.toml"]).stdout(Stdio::null()).stderr(Stdio::null());
    };
    let mut c = bin();
    export(&mut c);
    assert!(c.status().unwrap().success(), "needlesim face-map default --export map.toml");
    let before = std::fs::read(&map).unwrap();
    std::fs::write(&map, b"previous = true\n").unwrap();
    let mut c = bin();
    export(&mut c);
    kill_at(c, "file:map.toml");
    assert_eq!(std::fs::read(&map).unwrap(), b"previous = true\n", "the old file is untouched");
    let tmp: Vec<String> = names(d.path()).into_iter().filter(|n| n.starts_with(".map.toml.tmp-")).collect();
    assert_eq!(tmp.len(), 1, "the kill landed with the temporary written: {:?}", names(d.path()));
    let mut c = bin();
    export(&mut c);
    assert!(c.status().unwrap().success());
    assert_eq!(std::fs::read(&map).unwrap(), before);
}
