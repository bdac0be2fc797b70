//! Helpers shared by the integration tests: seeded generators and a scenario-driven `check`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use needlesim::needle::puncture::Puncture;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` punctures with centres uniform in `[x0, x1) × [y0, y1)`, one pass, seeded.
pub fn uniform_punctures(n: usize, (x0, y0, x1, y1): (f64, f64, f64, f64), seed: u64) -> Vec<Puncture> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| Puncture {
            pass: 0,
            stamp: i as u32,
            needle: 0,
            x_mm: rng.random_range(x0..x1),
            y_mm: rng.random_range(y0..y1),
            depth_mm: 1.0,
            t_s: 0.0,
            ..Puncture::default()
        })
        .collect()
}

/// The built binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_needlesim"))
}

/// Repository root (scenarios live there).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary with `args` in `cwd`; return the output.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin().current_dir(cwd).args(args).output().expect("binary runs")
}

/// Write `scenario` (TOML text) into a temp dir, `needlesim run` it with `extra` args, and
/// return (temp dir, output, parsed summary.json if the run succeeded).
pub fn check(scenario: &str, extra: &[&str]) -> (tempfile::TempDir, Output, Option<serde_json::Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    let out_dir = dir.path().join("out");
    let mut args = vec!["run", path.to_str().unwrap(), "--out", out_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run_in(dir.path(), &args);
    let summary = std::fs::read_to_string(out_dir.join("summary.json")).ok().map(|s| serde_json::from_str(&s).unwrap());
    (dir, out, summary)
}

/// A small valid scenario (12-needle preset on a 10 × 8 mm patch, coarse grid) for tests to
/// edit with `--set`.
pub const SMALL: &str = r#"
name = "small"
seed = 7

[cartridge]
preset = 12
depth_mm = 1.0

[device]
frequency_hz = 120
rotation_deg = 18

[patch]
width_mm = 10
height_mm = 8

[technique]
pattern = "serpentine"
speed_mm_s = 40
directions_deg = [0, 90, 45]

[grid]
resolution_mm = 0.01
"#;

/// Exit code, stdout and stderr of a finished run, for messages.
pub fn describe(o: &Output) -> String {
    format!("exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Assert success and return stdout.
pub fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", describe(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Assert exit code 2 (bad input) and return stderr.
pub fn bad_input(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(2), "{}", describe(o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `needlesim` with `args` in `cwd`.
pub fn needlesim(args: &[&str], cwd: &Path) -> Run {
    needlesim_env(args, cwd, &[])
}

/// Run `needlesim` with `args` in `cwd` and extra environment variables.
pub fn needlesim_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    let out = bin().args(args).envs(env.iter().copied()).current_dir(cwd).output().expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// Write `text` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}

/// Read a file as text.
pub fn read(path: impl AsRef<Path>) -> String {
    let p = path.as_ref();
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

pub mod crash;
pub mod gate;
pub mod http;
pub mod surface;

/// Assert a run failed as bad input (exit 2) with every `needle` in its message, and that
/// `out_dir` (if given) was not created.
pub fn assert_bad_input(r: &Run, needles: &[&str], out_dir: Option<&Path>) {
    assert_eq!(r.code, 2, "exit code; stderr:\n{}\nstdout:\n{}", r.stderr, r.stdout);
    for n in needles {
        assert!(r.stderr.contains(n), "message lacks {n:?}:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "panic:\n{}", r.stderr);
    if let Some(d) = out_dir {
        assert!(!d.exists(), "{} was written", d.display());
    }
}

/// Run `SUBCOMMAND small.toml --out OUT` and each case's extra arguments in `dir`: every case
/// exits 2 with a message containing all its needles and leaves no `OUT` behind.
pub fn assert_refusals(dir: &Path, subcommand: &str, out: &str, cases: &[(&[&str], &[&str])]) {
    for (extra, needles) in cases {
        let mut args = vec![subcommand, "small.toml", "--out", out];
        args.extend_from_slice(extra);
        let o = run_in(dir, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{extra:?}: message lacks {n:?}: {err}");
        }
        assert!(!dir.join(out).exists(), "{extra:?}: output left behind");
    }
}
