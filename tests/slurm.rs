//! The SLURM example on a real cluster: `examples/slurm/sweep.sbatch` submitted as a job array
//! with `sbatch --wait`, merged, and compared with the unsharded sweep byte for byte.
//!
//! Needs a SLURM cluster answering on this machine (`sinfo` showing an idle node, `sbatch`):
//! `bash .ci/slurm.sh` installs Debian's packages and starts a one-node cluster without
//! systemd. Without one the test is skipped loudly, and fails under `.ci/run`
//! (tests/common/gate.rs). The job runs the binary this checkout built (its folder is put first
//! on the submitted PATH; SLURM passes the submitter's environment to the tasks) on a sweep
//! small enough to cost a few seconds.

mod common;

use std::path::Path;
use std::process::Command;

use common::{ok, read, run_in as needlesim, write};

/// 6 points of a 4 × 4 mm patch; the random pattern makes every point depend on its seed, so
/// a task running another shard's points (or with another seed) changes the bytes.
const SCENARIO: &str = r#"
name = "slurm"
seed = 11

[cartridge]
preset = 9
depth_mm = 1.0

[device]
frequency_hz = 100
rotation_deg = 18

[patch]
width_mm = 4
height_mm = 4

[technique]
pattern = "random"
speed_mm_s = 40
directions_deg = [0, 90]

[grid]
resolution_mm = 0.02

[sweep]
parameters = [
  { key = "technique.speed_mm_s", from = 30, to = 60, steps = 3 },
  { key = "technique.passes", values = [1, 2] },
]
"#;

const SHARDS: usize = 3;

/// `Some(why)` when no SLURM cluster answers here.
fn cluster_missing() -> Option<String> {
    for tool in ["sbatch", "sinfo", "scancel"] {
        if Command::new(tool).arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    let out = match Command::new("timeout").args(["20", "sinfo", "-h", "-N", "-o", "%t"]).output() {
        Ok(o) => o,
        Err(e) => return Some(format!("sinfo cannot start ({e})")),
    };
    let states = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Some(format!("sinfo fails: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    if !states.lines().any(|s| matches!(s.trim(), "idle" | "mix" | "alloc" | "comp")) {
        return Some(format!("no node is up (sinfo node states: {:?})", states.trim()));
    }
    None
}

/// Every task's log, for a failure message.
fn task_logs(dir: &Path) -> String {
    let mut logs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("slurm-")))
        .collect();
    logs.sort();
    logs.iter().map(|p| format!("--- {}\n{}", p.display(), std::fs::read_to_string(p).unwrap_or_default())).collect()
}

#[test]
fn sbatch_array_of_the_example_merges_to_the_unsharded_bytes() {
    if let Some(why) = cluster_missing() {
        common::gate::unavailable(
            "sbatch_array_of_the_example_merges_to_the_unsharded_bytes",
            &format!("{why}; start a one-node SLURM cluster with `bash .ci/slurm.sh` (as root on Debian)"),
        );
        return;
    }
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "s.toml", SCENARIO);
    ok(&needlesim(d.path(), &["sweep", "s.toml", "--out", "whole", "--threads", "1"]));

    // The example as a README reader submits it, sized for a small node as its comments say.
    let bin = Path::new(env!("CARGO_BIN_EXE_needlesim"));
    let path = std::env::join_paths(
        std::iter::once(bin.parent().unwrap().to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let name = format!("needlesim-test-{}", std::process::id());
    let script = common::root().join("examples/slurm/sweep.sbatch");
    let submitted = Command::new("timeout")
        .args(["600", "sbatch", "--wait", "--parsable"])
        .arg(format!("--array=0-{}", SHARDS - 1))
        .args(["--cpus-per-task=1", "--mem=256M", "--time=00:10:00", "--job-name", &name, "--chdir"])
        .arg(d.path())
        .arg("--output")
        .arg(d.path().join("slurm-%A_%a.out"))
        .arg(&script)
        .args(["s.toml", "sharded"])
        .env("PATH", &path)
        .env("SHARDS", SHARDS.to_string())
        .current_dir(d.path())
        .output()
        .expect("sbatch runs");
    if !submitted.status.success() {
        // A hung or failed array must not outlive the test.
        let _ = Command::new("scancel").args(["--name", &name]).output();
    }
    assert!(
        submitted.status.success(),
        "sbatch --wait failed ({}):\n{}\n{}\n{}",
        submitted.status,
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr),
        task_logs(d.path())
    );
    let job: u64 = String::from_utf8_lossy(&submitted.stdout)
        .trim()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("sbatch --parsable printed no job id ({e}): {:?}", String::from_utf8_lossy(&submitted.stdout)));

    // SLURM ran each array task (its log exists) and each task ran its own shard only.
    for i in 0..SHARDS {
        let log = d.path().join(format!("slurm-{job}_{i}.out"));
        assert!(log.is_file(), "no log of task {i}:\n{}", task_logs(d.path()));
        let shard = d.path().join(format!("sharded/shard-{i}-of-{SHARDS}/results.csv"));
        let t = needlesim::study::sweep::results::parse(&read(&shard), &shard).unwrap();
        let col = t.column("index").unwrap();
        let idx: Vec<usize> = t.rows.iter().map(|r| r[col].parse().unwrap()).collect();
        assert_eq!(idx, (0..6).filter(|p| p % SHARDS == i).collect::<Vec<_>>(), "shard {i}");
    }

    ok(&needlesim(d.path(), &["merge", "sharded"]));
    for f in ["results.csv", "manifest.json"] {
        assert_eq!(read(d.path().join("sharded").join(f)), read(d.path().join("whole").join(f)), "{f}");
    }
}
