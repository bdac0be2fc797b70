//! A run killed (SIGKILL) at any moment leaves the output directory either as the previous
//! complete run or as the new complete run: never torn. (Kills placed inside the write phase
//! on purpose, and the two-rename fallback, are in `tests/crash_window.rs`.)

mod common;

use std::time::Instant;

use common::crash::passes_of_complete_run;
use common::{bin, root};

#[test]
fn killed_runs_leave_old_or_new_outputs_never_torn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = root().join("scenarios/default.toml");
    let args = |passes: &str| {
        let mut c = bin();
        c.args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(["--set", "patch.width_mm=120", "--set", &format!("technique.passes={passes}")])
            .stdout(std::process::Stdio::null());
        c
    };
    // The previous complete run: one pass.
    assert!(args("1").status().unwrap().success());
    assert_eq!(passes_of_complete_run(&out), 1);
    // How long a full three-pass run takes here.
    let t0 = Instant::now();
    assert!(args("3").status().unwrap().success());
    let full = t0.elapsed();
    assert!(args("1").status().unwrap().success());

    for k in 0..10u32 {
        // Kill moments spread over the run; the last run is left to finish, so the new
        // outputs are seen at least once whatever the machine's load.
        let delay = full.mul_f64(0.1 * k as f64);
        let mut child = args("3").spawn().unwrap();
        if k < 9 {
            std::thread::sleep(delay);
            let _ = child.kill();
        }
        let _ = child.wait();
        let passes = passes_of_complete_run(&out);
        assert!(passes == 1 || passes == 3, "kill at {delay:?}: unexpected {passes}");
        if k == 9 {
            assert_eq!(passes, 3, "an unkilled run must leave its own outputs");
        }
        if passes == 3 {
            assert!(args("1").status().unwrap().success());
        }
        let strays: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out" && !n.ends_with(".staging"))
            .collect();
        assert!(strays.is_empty(), "stray entries {strays:?}");
    }
}
