//! Batch sweeps end to end: the binary on small scenarios (4 × 4 mm patches, 0.02 mm grid).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{bad_input, ok, read, run_in as needlesim, write};
use needlesim::study::sweep::point::point_seed;

/// A small patch; `{sweep}` is replaced by the `[sweep]` table of each test.
const BASE: &str = r#"
name = "t"
seed = 7

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
pattern = "serpentine"
speed_mm_s = 40
directions_deg = [0, 90]

[grid]
resolution_mm = 0.02

{sweep}
"#;

/// 12 points; the random pattern makes every point depend on its seed.
const GRID_12: &str = r#"[sweep]
parameters = [
  { key = "technique.pattern", values = ["serpentine", "random"] },
  { key = "technique.speed_mm_s", from = 30, to = 60, steps = 3 },
  { key = "technique.passes", values = [1, 3] },
]"#;

fn scenario(dir: &Path, sweep: &str) -> String {
    write(dir, "s.toml", &BASE.replace("{sweep}", sweep));
    "s.toml".into()
}

fn rows(csv: &str) -> Vec<Vec<String>> {
    needlesim::study::sweep::results::parse(csv, Path::new("results.csv")).unwrap().rows
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let t = needlesim::study::sweep::results::parse(csv, Path::new("results.csv")).unwrap();
    let i = t.column(name).unwrap_or_else(|| panic!("no column {name} in {:?}", t.columns));
    t.rows.iter().map(|r| r[i].clone()).collect()
}

#[test]
fn one_thread_and_two_threads_write_identical_files() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "t1", "--threads", "1"]));
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "t2", "--threads", "2"]));
    let (a, b) = (read(d.path().join("t1/results.csv")), read(d.path().join("t2/results.csv")));
    assert_eq!(a, b);
    assert_eq!(read(d.path().join("t1/manifest.json")), read(d.path().join("t2/manifest.json")));
    // One row per point, in index order, all fine, each with its own seed.
    let r = rows(&a);
    assert_eq!(r.len(), 12);
    for (i, row) in r.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
        assert_eq!(row[1], point_seed(7, i as u64).to_string(), "seed of point {i}");
    }
    assert!(column(&a, "status").iter().all(|s| s == "ok"));
    // Grid order: the last key varies fastest.
    assert_eq!(column(&a, "technique.passes")[..4], ["1", "3", "1", "3"]);
    assert_eq!(column(&a, "technique.speed_mm_s")[..6], ["30", "30", "45", "45", "60", "60"]);
    // Lists are expanded to the longest one; a 1-pass point leaves the later passes empty.
    let third = column(&a, "coverage_per_pass_2");
    assert!(third[0].is_empty() && !third[1].is_empty(), "{third:?}");
}

#[test]
fn a_row_is_the_run_of_its_point() {
    // Independent truth: `needlesim run` with the point's overrides and seed.
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "sw", "--threads", "2"]));
    let csv = read(d.path().join("sw/results.csv"));
    for i in [3usize, 10] {
        let get = |c: &str| column(&csv, c)[i].clone();
        let sets = [
            format!("technique.pattern={}", get("technique.pattern")),
            format!("technique.speed_mm_s={}", get("technique.speed_mm_s")),
            format!("technique.passes={}", get("technique.passes")),
            format!("seed={}", get("seed")),
        ];
        let mut args = vec!["run", &s, "--out", "one"];
        for x in &sets {
            args.extend(["--set", x.as_str()]);
        }
        ok(&needlesim(d.path(), &args));
        let summary: serde_json::Value = serde_json::from_str(&read(d.path().join("one/summary.json"))).unwrap();
        for key in ["coverage", "punctures", "mean_hits", "density_per_cm2"] {
            // serde_json's default float parser may be one ulp off; the CSV text is exact.
            let (got, want): (f64, f64) = (get(key).parse().unwrap(), summary[key].as_f64().unwrap());
            assert!((got - want).abs() <= 1e-15 * want.abs(), "point {i}, {key}: {got} vs {want}");
        }
        let cum = summary["coverage_cumulative"].as_array().unwrap();
        let last = cum.len() - 1;
        let got: f64 = get(&format!("coverage_cumulative_{last}")).parse().unwrap();
        assert!((got - cum[last].as_f64().unwrap()).abs() <= 1e-15);
    }
}

#[test]
fn merged_shards_equal_the_unsharded_run_byte_for_byte() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(
        d.path(),
        &format!(
            "{GRID_12}\n[[sweep.plots]]\nmetric = \"coverage\"\nx = \"technique.speed_mm_s\"\ny = \"technique.passes\"\nwhere = {{ \"technique.pattern\" = \"random\" }}\nlevel = 0.2\n"
        ),
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "whole", "--threads", "2"]));
    for (i, threads) in [(0, "1"), (1, "2"), (2, "1")] {
        let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "sh", "--shard", &format!("{i}/3"), "--threads", threads]));
        assert!(out.contains("4 of 4 points recorded"), "{out}");
        // A shard holds exactly its points: index % 3 == i.
        let idx = column(&read(d.path().join(format!("sh/shard-{i}-of-3/results.csv"))), "index");
        assert_eq!(idx, (0..12).filter(|p| p % 3 == i).map(|p| p.to_string()).collect::<Vec<_>>());
    }
    ok(&needlesim(d.path(), &["merge", "sh"]));
    for f in ["results.csv", "manifest.json", "plot-1.png"] {
        assert_eq!(std::fs::read(d.path().join("sh").join(f)).unwrap(), std::fs::read(d.path().join("whole").join(f)).unwrap(), "{f}");
    }
    // Naming the shard folders one by one, in any order, into another folder.
    ok(&needlesim(d.path(), &["merge", "sh/shard-2-of-3", "sh/shard-0-of-3", "sh/shard-1-of-3", "--out", "m2"]));
    assert_eq!(read(d.path().join("m2/results.csv")), read(d.path().join("whole/results.csv")));
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    for i in 0..3 {
        ok(&needlesim(d.path(), &["sweep", &s, "--out", "sh", "--shard", &format!("{i}/3")]));
    }
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "other", "--shard", "2/3", "--set", "seed=8"]));

    let e = bad_input(&needlesim(d.path(), &["merge", "sh/shard-0-of-3", "sh/shard-1-of-3", "--out", "m"]));
    assert!(e.contains("4 of 12 points are missing (2, 5, 8, 11)") && e.contains("No folder for shard 2/3"), "{e}");
    let e = bad_input(&needlesim(
        d.path(),
        &["merge", "sh/shard-0-of-3", "sh/shard-1-of-3", "sh/shard-1-of-3", "sh/shard-2-of-3", "--out", "m"],
    ));
    assert!(e.contains("point 1 is also in"), "{e}");
    let e = bad_input(&needlesim(d.path(), &["merge", "sh/shard-0-of-3", "sh/shard-1-of-3", "other/shard-2-of-3", "--out", "m"]));
    assert!(e.contains("different scenario"), "{e}");
    assert!(!d.path().join("m").exists(), "nothing written");
    // An incomplete shard is named with the fix.
    let j = d.path().join("sh/shard-1-of-3/journal.jsonl");
    let text = read(&j);
    std::fs::write(&j, text.lines().take(2).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let e = bad_input(&needlesim(d.path(), &["merge", "sh"]));
    assert!(e.contains("has 2 of 4 points: finish it with --resume"), "{e}");
    assert!(!d.path().join("sh/results.csv").exists());
}

/// Spawn a sweep, kill it with SIGKILL once some points are on disk, resume it.
#[test]
fn killed_and_resumed_equals_uninterrupted() {
    let d = tempfile::tempdir().unwrap();
    // 240 points on one thread: long enough to be killed in the middle.
    let s = scenario(
        d.path(),
        r#"[sweep]
parameters = [
  { key = "technique.speed_mm_s", from = 20, to = 80, steps = 40 },
  { key = "device.frequency_hz", values = [60, 80, 100, 120, 140, 160] },
]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "full", "--threads", "2"]));
    let journal = d.path().join("killed/journal.jsonl");
    let mut killed_at = None;
    for attempt in 0..3 {
        let _ = std::fs::remove_dir_all(d.path().join("killed"));
        let mut child = common::bin().current_dir(d.path()).args(["sweep", &s, "--out", "killed", "--threads", "1"]).spawn().unwrap();
        let start = Instant::now();
        let lines = || std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
        while lines() < 10 * (attempt + 1) && start.elapsed() < Duration::from_secs(60) && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let n = lines();
        if n > 0 && n < 240 {
            killed_at = Some(n);
            break;
        }
    }
    let n = killed_at.expect("the sweep was killed with some but not all points on disk");
    eprintln!("killed after {n} of 240 points");
    assert!(!d.path().join("killed/results.csv").exists() || read(d.path().join("killed/results.csv")).lines().count() < 241);
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "killed"]));
    assert!(e.contains("--resume"), "{e}");
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "killed", "--resume", "--threads", "2"]));
    assert!(out.contains(&format!("{} run now", 240 - n)), "killed after {n} points:\n{out}");
    let (a, b) = (read(d.path().join("full/results.csv")), read(d.path().join("killed/results.csv")));
    assert_eq!(a, b, "killed after {n} points");
    // Nothing lost, nothing twice: every point has exactly one row and one journal line.
    assert_eq!(read(&journal).lines().count(), 240);
}

#[test]
fn a_torn_journal_line_is_cut_and_its_point_rerun() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "full"]));
    // Reconstruct what a kill in the middle of writing line 6 leaves behind.
    std::fs::create_dir(d.path().join("torn")).unwrap();
    std::fs::copy(d.path().join("full/manifest.json"), d.path().join("torn/manifest.json")).unwrap();
    let text = read(d.path().join("full/journal.jsonl"));
    let lines: Vec<&str> = text.lines().collect();
    let mut torn: String = lines[..5].iter().map(|l| format!("{l}\n")).collect();
    torn.push_str(&lines[5][..lines[5].len() / 2]);
    write(&d.path().join("torn"), "journal.jsonl", &torn);
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "torn", "--resume"]));
    assert!(out.contains("7 run now"), "{out}");
    assert_eq!(read(d.path().join("torn/results.csv")), read(d.path().join("full/results.csv")));
    // Every journal line is a whole record again.
    for l in read(d.path().join("torn/journal.jsonl")).lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
}

#[test]
fn a_failing_point_is_recorded_and_the_sweep_goes_on() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(
        d.path(),
        r#"[sweep]
parameters = [{ key = "technique.speed_mm_s", values = [40, 5000, 60, -1] }]"#,
    );
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "f"]));
    assert!(out.contains("2 failed"), "{out}");
    let csv = read(d.path().join("f/results.csv"));
    assert_eq!(column(&csv, "status"), ["ok", "error", "ok", "error"]);
    let err = column(&csv, "error");
    assert!(err[1].contains("technique.speed_mm_s = 5000") && err[1].contains("≤ 1000"), "{}", err[1]);
    assert!(err[3].contains("technique.speed_mm_s = -1"), "{}", err[3]);
    assert!(column(&csv, "coverage")[1].is_empty() && !column(&csv, "coverage")[2].is_empty());
    // --retry-failed reruns exactly the failures (they fail again: same scenario).
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "f", "--retry-failed"]));
    assert!(out.contains("2 run now, 2 failed"), "{out}");
    assert_eq!(read(d.path().join("f/results.csv")), csv);
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "f", "--resume"]));
    assert!(out.contains("0 run now"), "{out}");
}

#[test]
fn bad_sweeps_exit_2_with_the_key_and_write_nothing() {
    let d = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"[sweep]
parameters = [{ key = "technique.sped_mm_s", values = [1] }]"#,
            "unknown field `sped_mm_s`",
        ),
        (
            r#"[sweep]
parameter = [{ key = "technique.speed_mm_s", values = [1] }]"#,
            "unknown field `parameter`",
        ),
        (
            r#"[sweep]
parameters = [{ key = "technique.speed_mm_s", values = [] }]"#,
            "at least one value",
        ),
        (
            r#"[sweep]
parameters = [{ key = "technique.speed_mm_s", from = 10, to = 20, steps = 0 }]"#,
            "steps (technique.speed_mm_s) = 0",
        ),
        (
            r#"[sweep]
parameters = [{ key = "technique.speed_mm_s", from = 80, to = 20, steps = 4 }]"#,
            "from < to",
        ),
        (
            r#"[sweep]
design = "lhs"
points = 10
parameters = [{ key = "technique.speed_mm_s", from = 80, to = 20 }]"#,
            "from < to",
        ),
        (
            r#"[sweep]
design = "file"
file = "design.txt"
parameters = [{ key = "technique.speed_mm_s" }, { key = "device.frequency_hz" }]"#,
            "design.txt: line 3: 3 columns, expected 2",
        ),
        (
            r#"[sweep]
parameters = [{ key = "technique.speed_mm_s", values = [40] }]
[[sweep.plots]]
metric = "coverage"
x = "device.frequency_hz""#,
            "sweep.plots[0].x",
        ),
    ];
    write(d.path(), "design.txt", "# speed frequency\n40 100\n50 120 7\n");
    for (sweep, want) in cases {
        let s = scenario(d.path(), sweep);
        let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "x"]));
        assert!(e.contains(want), "{sweep}\n→ {e}");
        assert!(!d.path().join("x").exists(), "{sweep}: nothing may be written");
    }
    let s = scenario(d.path(), GRID_12);
    for shard in ["3/3", "0/0", "1/x", "2"] {
        let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "x", "--shard", shard]));
        assert!(e.contains("--shard") && e.contains("0 ≤ I < N"), "{shard}: {e}");
    }
    let e = bad_input(
        &common::bin()
            .current_dir(d.path())
            .args(["sweep", &s, "--shard", "auto/4"])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap(),
    );
    assert!(e.contains("SLURM_ARRAY_TASK_ID"), "{e}");
    // A scenario without [sweep].
    write(d.path(), "plain.toml", &BASE.replace("{sweep}", ""));
    assert!(bad_input(&needlesim(d.path(), &["sweep", "plain.toml", "--out", "x"])).contains("no [sweep] table"));
    assert!(!d.path().join("x").exists());
}

#[test]
fn a_folder_of_another_sweep_or_of_anything_else_is_left_untouched() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "sw"]));
    let before = read(d.path().join("sw/results.csv"));
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sw", "--resume", "--set", "cartridge.depth_mm=1.5"]));
    assert!(e.contains("different scenario"), "{e}");
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sw", "--resume", "--set", "sweep.parameters.2.values=[1,2]"]));
    assert!(e.contains("different"), "{e}");
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sw"]));
    assert!(e.contains("already holds this sweep"), "{e}");
    assert_eq!(read(d.path().join("sw/results.csv")), before);
    std::fs::create_dir(d.path().join("busy")).unwrap();
    write(&d.path().join("busy"), "notes.txt", "mine");
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "busy"]));
    assert!(e.contains("not a sweep folder"), "{e}");
    assert_eq!(std::fs::read_dir(d.path().join("busy")).unwrap().count(), 1);
    // A shard folder resumed as another shard.
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "sh", "--shard", "0/2"]));
    std::fs::rename(d.path().join("sh/shard-0-of-2"), d.path().join("sh/shard-1-of-2")).unwrap();
    let e = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sh", "--shard", "1/2", "--resume"]));
    assert!(e.contains("holds shard 0/2, not shard 1/2"), "{e}");
}

#[test]
fn latin_hypercube_and_design_file_sweeps() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(
        d.path(),
        r#"[sweep]
design = "lhs"
points = 10
parameters = [
  { key = "technique.speed_mm_s", from = 20, to = 70 },
  { key = "device.frequency_hz", from = 60, to = 160 },
]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "lhs"]));
    let csv = read(d.path().join("lhs/results.csv"));
    for (key, lo, hi) in [("technique.speed_mm_s", 20.0, 70.0), ("device.frequency_hz", 60.0, 160.0)] {
        let mut strata: Vec<usize> =
            column(&csv, key).iter().map(|v| ((v.parse::<f64>().unwrap() - lo) / (hi - lo) * 10.0).floor() as usize).collect();
        strata.sort();
        assert_eq!(strata, (0..10).collect::<Vec<_>>(), "{key}");
    }
    // The same matrix through a SALib-style design file gives the same rows.
    let speeds = column(&csv, "technique.speed_mm_s");
    let freqs = column(&csv, "device.frequency_hz");
    let matrix: String = speeds
        .iter()
        .zip(&freqs)
        .map(|(a, b)| format!("{:.18e} {:.18e}\n", a.parse::<f64>().unwrap(), b.parse::<f64>().unwrap()))
        .collect();
    write(d.path(), "design.txt", &matrix);
    let s = scenario(
        d.path(),
        r#"[sweep]
design = "file"
file = "design.txt"
parameters = [{ key = "technique.speed_mm_s" }, { key = "device.frequency_hz" }]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "file"]));
    let from_file = read(d.path().join("file/results.csv"));
    assert_eq!(column(&from_file, "technique.speed_mm_s"), speeds);
    assert_eq!(column(&from_file, "coverage"), column(&csv, "coverage"));
}

#[test]
fn same_seeds_mode_and_run_ignores_the_sweep_table() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(
        d.path(),
        r#"[sweep]
seeds = "same"
parameters = [{ key = "technique.pattern", values = ["random", "random"] }]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "same"]));
    let csv = read(d.path().join("same/results.csv"));
    assert_eq!(column(&csv, "seed"), ["7", "7"]);
    assert_eq!(column(&csv, "coverage")[0], column(&csv, "coverage")[1], "same seed, same random pattern");
    // Replicates by sweeping the seed itself: it is the seed column, not a second one.
    let s2 = scenario(
        d.path(),
        r#"[sweep]
parameters = [{ key = "technique.pattern", values = ["random"] }, { key = "seed", values = [3, 5, 3] }]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s2, "--out", "seeds"]));
    let csv = read(d.path().join("seeds/results.csv"));
    assert_eq!(csv.lines().next().unwrap().split(',').filter(|c| *c == "seed").count(), 1);
    assert_eq!(column(&csv, "seed"), ["3", "5", "3"]);
    let cov = column(&csv, "coverage");
    assert!(cov[0] != cov[1] && cov[0] == cov[2], "{cov:?}");
    let s = scenario(
        d.path(),
        r#"[sweep]
seeds = "same"
parameters = [{ key = "technique.pattern", values = ["random", "random"] }]"#,
    );
    let out = ok(&needlesim(d.path(), &["run", &s, "--out", "single"]));
    assert!(out.contains("punctures"), "{out}");
    assert!(d.path().join("single/summary.json").exists());
}

#[test]
fn plot_command_draws_and_refuses_mixed_points() {
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "sw"]));
    let out = ok(&needlesim(
        d.path(),
        &[
            "plot",
            "sw",
            "--metric",
            "coverage",
            "--x",
            "technique.speed_mm_s",
            "--by",
            "technique.passes",
            "--where",
            "technique.pattern=serpentine",
            "--level",
            "0.3",
        ],
    ));
    let png = d.path().join("sw/coverage-technique.speed_mm_s-technique.passes.png");
    assert!(out.contains("wrote") && std::fs::read(&png).unwrap().starts_with(b"\x89PNG"), "{out}");
    let e =
        bad_input(&needlesim(d.path(), &["plot", "sw", "--metric", "coverage", "--x", "technique.speed_mm_s", "--by", "technique.passes"]));
    assert!(e.contains("technique.pattern takes 2 values") && e.contains("where"), "{e}");
    let e = bad_input(&needlesim(
        d.path(),
        &[
            "plot",
            "sw",
            "--metric",
            "nope",
            "--x",
            "technique.speed_mm_s",
            "--y",
            "technique.passes",
            "--where",
            "technique.pattern=random",
        ],
    ));
    assert!(e.contains("nope") && e.contains("column"), "{e}");
    ok(&needlesim(
        d.path(),
        &[
            "plot",
            "sw",
            "--metric",
            "coverage",
            "--x",
            "technique.speed_mm_s",
            "--y",
            "technique.passes",
            "--where",
            "technique.pattern=random",
            "--level",
            "0.2",
            "--out",
            "h.png",
        ],
    ));
    assert!(std::fs::read(d.path().join("h.png")).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn coverage_depends_on_speed_and_frequency_only_through_the_step() {
    // Serpentine stamps fall every speed / frequency mm along the same path, so points with
    // the same step put every needle in the same place; only the time differs.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "design.txt", "20 60\n40 120\n50 150\n40 60\n");
    let s = scenario(
        d.path(),
        r#"[sweep]
design = "file"
file = "design.txt"
parameters = [{ key = "technique.speed_mm_s" }, { key = "device.frequency_hz" }]"#,
    );
    ok(&needlesim(d.path(), &["sweep", &s, "--out", "sw"]));
    let csv = read(d.path().join("sw/results.csv"));
    for key in ["coverage", "coverage_per_pass_0", "coverage_per_pass_1", "stamps", "hits_histogram_2", "uniformity_cv"] {
        let v = column(&csv, key);
        assert!(v[0] == v[1] && v[1] == v[2], "{key}: {v:?}");
        assert_ne!(v[0], v[3], "{key}: a different step must differ");
    }
    let t = column(&csv, "path_time_s");
    let t: Vec<f64> = t.iter().map(|x| x.parse().unwrap()).collect();
    assert!((t[0] / t[1] - 2.0).abs() < 1e-12 && (t[1] / t[2] - 1.25).abs() < 1e-12, "{t:?}");
}

#[test]
fn points_read_files_relative_to_the_scenario() {
    // A [trace] scenario swept from another folder: every point finds traces/… next to it.
    let d = tempfile::tempdir().unwrap();
    let s = common::root().join("scenarios/recorded-trace.toml");
    let out = ok(&needlesim(
        d.path(),
        &[
            "sweep",
            s.to_str().unwrap(),
            "--out",
            "tr",
            "--set",
            "sweep.parameters=[{key=\"device.frequency_hz\", values=[100, 120]}]",
            "--set",
            "grid.resolution_mm=0.02",
        ],
    ));
    assert!(out.contains("2 of 2 points recorded") && out.contains("0 failed"), "{out}");
    let csv = read(d.path().join("tr/results.csv"));
    assert_eq!(column(&csv, "status"), ["ok", "ok"]);
    let cov: Vec<f64> = column(&csv, "coverage").iter().map(|c| c.parse().unwrap()).collect();
    assert!(cov[1] > cov[0], "more stamps along the same trace cover more: {cov:?}");
}

/// A face session on the built-in map, two small regions, coarse grid.
const FACE: &str = r#"
name = "f"
seed = 3

[cartridge]
preset = 12
depth_mm = 0.5

[device]
frequency_hz = 120
rotation_deg = 18

[technique]
pattern = "serpentine"
speed_mm_s = 58
directions_deg = [0, 90]

[grid]
resolution_mm = 0.02

[face]
map = "default"

[[treat]]
regions = ["chin", "nose"]
depth_mm = 0.5

[sweep]
parameters = [{ key = "technique.speed_mm_s", values = [40, 80] }]
"#;

#[test]
fn a_face_sweep_has_region_columns_and_each_row_is_its_run() {
    // Independent truth: `needlesim run` on the face scenario with the point's speed and seed.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    ok(&needlesim(d.path(), &["sweep", "f.toml", "--out", "sw"]));
    let csv = read(d.path().join("sw/results.csv"));
    assert!(column(&csv, "status").iter().all(|s| s == "ok"), "{csv}");
    let chin = column(&csv, "regions.chin.coverage");
    assert_ne!(chin[0], chin[1], "speed changes the chin's coverage");
    for i in 0..2 {
        let (speed, seed) = (column(&csv, "technique.speed_mm_s")[i].clone(), column(&csv, "seed")[i].clone());
        let (s1, s2) = (format!("technique.speed_mm_s={speed}"), format!("seed={seed}"));
        ok(&needlesim(d.path(), &["run", "f.toml", "--out", "one", "--set", &s1, "--set", &s2]));
        let summary: serde_json::Value = serde_json::from_str(&read(d.path().join("one/summary.json"))).unwrap();
        for (column_name, json) in [
            ("regions.chin.coverage", &summary["regions"]["chin"]["coverage"]),
            ("regions.nose.punctures", &summary["regions"]["nose"]["punctures"]),
            ("coverage", &summary["coverage"]),
            ("coverage_dej", &summary["coverage_dej"]),
        ] {
            let got: f64 = column(&csv, column_name)[i].parse().unwrap();
            let want = json.as_f64().unwrap_or_else(|| panic!("{column_name} in summary.json"));
            assert!((got - want).abs() <= 1e-15 * want.abs(), "point {i}, {column_name}: {got} vs {want}");
        }
    }
}

#[test]
fn a_face_sweep_with_a_missing_map_is_refused_before_any_point() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", &FACE.replace("map = \"default\"", "map = \"no-such-map.json\""));
    let out = needlesim(d.path(), &["sweep", "f.toml", "--out", "sw"]);
    let err = bad_input(&out);
    assert!(err.contains("no-such-map.json"), "{err}");
    assert!(!d.path().join("sw").exists(), "nothing is written");
}

#[test]
fn compare_hand_refuses_a_face_up_front_naming_the_command() {
    // compare and optimize take flat faces (tests/face_study.rs); compare-hand does not.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "f.toml", FACE);
    let err = bad_input(&needlesim(d.path(), &["compare-hand", "f.toml", "--out", "o"]));
    assert!(err.contains("needlesim compare-hand f.toml") && err.contains("face scenario"), "{err}");
    assert!(err.contains("needlesim sweep") && !err.contains("ScenarioFile"), "{err}");
    assert!(!d.path().join("o").exists(), "compare-hand wrote nothing");
}

#[test]
fn export_y_writes_the_salib_matrix_in_design_order() {
    // Independent truth: results.csv's own cells, row for row by index.
    let d = tempfile::tempdir().unwrap();
    let s = scenario(d.path(), GRID_12);
    let out = ok(&needlesim(d.path(), &["sweep", &s, "--out", "sw", "--export-y", "coverage", "--export-y", "punctures"]));
    assert!(out.contains("y.txt"), "{out}");
    let csv = read(d.path().join("sw/results.csv"));
    let y = read(d.path().join("sw/y.txt"));
    let lines: Vec<&str> = y.lines().filter(|l| !l.starts_with('#')).collect();
    let (index, coverage, punctures) = (column(&csv, "index"), column(&csv, "coverage"), column(&csv, "punctures"));
    assert_eq!(lines.len(), 12);
    for (i, line) in lines.iter().enumerate() {
        let row = index.iter().position(|x| *x == i.to_string()).unwrap();
        assert_eq!(*line, format!("{} {}", coverage[row], punctures[row]));
    }
    // A typo is bad input naming the closest column; a shard cannot export.
    let err = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sw", "--resume", "--export-y", "coverag"]));
    assert!(err.contains("did you mean `coverage`"), "{err}");
    let err = bad_input(&needlesim(d.path(), &["sweep", &s, "--out", "sh", "--shard", "0/2", "--export-y", "coverage"]));
    assert!(err.contains("--export-y") && err.contains("shard"), "{err}");
}
