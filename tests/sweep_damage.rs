//! Sweep folders under damage: a missing or corrupt `manifest.json`, journal lines that are
//! valid JSON of the wrong shape, kills while `results.csv` is rebuilt and while `merge`
//! writes. Each is refused with a message naming the file, or recovered; never wrong
//! results, never a panic.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::crash::{kill_at, names};
use common::{Run, bin, needlesim, read, write};

const SCENARIO: &str = r#"
name = "damage"
seed = 3

[cartridge]
preset = 9
depth_mm = 1.0

[device]
frequency_hz = 100

[patch]
width_mm = 3
height_mm = 3

[technique]
pattern = "random"
speed_mm_s = 40

[grid]
resolution_mm = 0.05

[sweep]
parameters = [
  { key = "technique.speed_mm_s", values = [30, 50] },
  { key = "technique.passes", values = [1, 2] },
]
"#;

/// A refusal: exit 1 or 2 (not a panic's 101), the message names every needle.
fn refused(r: &Run, needles: &[&str]) {
    assert!(r.code == 1 || r.code == 2, "exit {}: {}\n{}", r.code, r.stderr, r.stdout);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    for n in needles {
        assert!(r.stderr.contains(n), "message lacks {n:?}:\n{}", r.stderr);
    }
}

fn ok(r: &Run) -> &str {
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, r.stdout);
    &r.stdout
}

/// A temp folder with the scenario and a complete sweep in `full/`.
fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "s.toml", SCENARIO);
    ok(&needlesim(&["sweep", "s.toml", "--out", "full", "--threads", "1"], d.path()));
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Every file of `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect()
}

#[test]
fn a_missing_or_damaged_manifest_is_refused_with_the_file_named_and_nothing_changes() {
    let d = setup();
    let good = read(d.path().join("full/manifest.json"));
    let mut m: serde_json::Value = serde_json::from_str(&good).unwrap();
    m["point_count"] = serde_json::json!(1_000_000_000_000_000u64);
    let huge = serde_json::to_string_pretty(&m).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&good).unwrap();
    m["shard"] = serde_json::json!({"index": 0, "count": 0, "rule": "index % 0 == 0", "points": 4});
    let zero_shards = serde_json::to_string_pretty(&m).unwrap();
    // (manifest text or None for a missing one, needles of the resume refusal, of the merge refusal)
    let cases: Vec<(Option<&str>, Vec<&str>, Vec<&str>)> = vec![
        (None, vec!["no manifest.json"], vec!["no manifest.json"]),
        (Some(""), vec!["manifest.json", "not a needlesim sweep manifest"], vec!["manifest.json", "not a needlesim sweep manifest"]),
        (Some(&good[..good.len() / 2]), vec!["manifest.json", "not a needlesim sweep manifest"], vec!["manifest.json"]),
        (Some("[1, 2, 3]"), vec!["manifest.json", "not a needlesim sweep manifest"], vec!["manifest.json"]),
        (Some("{\"scenario\": \"damage\"}"), vec!["manifest.json", "missing field"], vec!["manifest.json", "missing field"]),
        // Valid manifests whose numbers are damaged.
        (Some(&huge), vec!["different design"], vec!["1000000000000000 points are missing"]),
        (Some(&zero_shards), vec!["manifest.json", "0 ≤ index < count"], vec!["manifest.json", "0 ≤ index < count"]),
    ];
    for (k, (text, resume_needles, merge_needles)) in cases.into_iter().enumerate() {
        let f = d.path().join(format!("case{k}"));
        copy_dir(&d.path().join("full"), &f);
        match text {
            None => std::fs::remove_file(f.join("manifest.json")).unwrap(),
            Some(t) => std::fs::write(f.join("manifest.json"), t).unwrap(),
        }
        let before = snapshot(&f);
        let case = format!("case{k}");
        refused(&needlesim(&["sweep", "s.toml", "--out", &case, "--resume"], d.path()), &resume_needles);
        refused(&needlesim(&["merge", &case, "--out", "merged"], d.path()), &merge_needles);
        assert_eq!(snapshot(&f), before, "case {k}: the folder was changed");
        assert!(!d.path().join("merged/results.csv").exists(), "case {k}: merge wrote results");
    }
}

#[test]
fn journal_lines_of_the_wrong_shape_are_skipped_or_refused_never_written_as_rows() {
    let d = setup();
    let full_results = read(d.path().join("full/results.csv"));
    let journal = read(d.path().join("full/journal.jsonl"));
    let first: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();

    // Valid JSON that is not a record: skipped with its line number; the points rerun and
    // the results equal the undamaged sweep's.
    let not_records = [
        "[]",
        "3",
        "null",
        "\"ok\"",
        "{}",
        "{\"index\": 1}",
        "{\"index\": -1, \"seed\": 1, \"params\": [], \"status\": \"ok\", \"metrics\": []}",
    ];
    let f = d.path().join("skipped");
    copy_dir(&d.path().join("full"), &f);
    let mut text = String::new();
    for (i, l) in journal.lines().enumerate() {
        if i == 1 || i == 2 {
            continue; // points that will rerun
        }
        text.push_str(l);
        text.push('\n');
    }
    for l in not_records {
        text.push_str(l);
        text.push('\n');
    }
    // A record of a point the sweep does not have: ignored.
    let mut beyond = first.clone();
    beyond["index"] = serde_json::json!(99);
    text.push_str(&format!("{beyond}\n"));
    std::fs::write(f.join("journal.jsonl"), &text).unwrap();
    std::fs::remove_file(f.join("results.csv")).unwrap();
    let r = needlesim(&["sweep", "s.toml", "--out", "skipped", "--resume", "--threads", "1"], d.path());
    ok(&r);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("line 3: not a point record"), "the skipped lines are named:\n{all}");
    assert_eq!(read(f.join("results.csv")), full_results, "recovered results equal the undamaged sweep's");

    // Records of the right JSON shape that cannot be this sweep's: refused, naming the
    // journal; the results are not rewritten with cells under the wrong columns.
    let mut short = first.clone();
    short["params"] = serde_json::json!(["30"]);
    let mut both = first.clone();
    both["error"] = serde_json::json!("x = 2: allowed is 1");
    for (k, (bad, needle)) in
        [(short, "1 parameter values, this sweep has 2"), (both, "is ok but carries an error")].into_iter().enumerate()
    {
        let name = format!("bad{k}");
        let f = d.path().join(&name);
        copy_dir(&d.path().join("full"), &f);
        let mut text = journal.clone();
        text.push_str(&format!("{bad}\n")); // the last record of its point wins
        std::fs::write(f.join("journal.jsonl"), &text).unwrap();
        refused(&needlesim(&["sweep", "s.toml", "--out", &name, "--resume"], d.path()), &["journal.jsonl", needle]);
        assert_eq!(read(f.join("results.csv")), full_results, "{name}: results.csv kept");
        refused(&needlesim(&["merge", &name, "--out", "merged"], d.path()), &["journal.jsonl", needle]);
        assert!(!d.path().join("merged").exists(), "{name}: merge wrote something");
    }
}

fn sweep_cmd(dir: &Path, out: &str, extra: &[&str]) -> Command {
    let mut c = bin();
    c.current_dir(dir).args(["sweep", "s.toml", "--out", out, "--threads", "1"]).args(extra).stdout(Stdio::null());
    c
}

#[test]
fn a_kill_while_results_csv_is_rebuilt_leaves_the_old_table_and_resume_recovers() {
    let d = setup();
    let full_results = read(d.path().join("full/results.csv"));

    // A fresh sweep killed with every point journalled, the table half written: no
    // results.csv at all (not a partial one), and --resume finishes it.
    kill_at(sweep_cmd(d.path(), "fresh", &[]), "file:results.csv");
    let f = d.path().join("fresh");
    assert!(!f.join("results.csv").exists());
    assert!(names(&f).iter().any(|n| n.starts_with(".results.csv.tmp-")), "the kill landed while the table was written: {:?}", names(&f));
    ok(&needlesim(&["sweep", "s.toml", "--out", "fresh", "--resume"], d.path()));
    assert_eq!(read(f.join("results.csv")), full_results);
    assert_eq!(names(&f), ["journal.jsonl", "manifest.json", "results.csv"], "the temporary is gone");

    // A resume killed while it rewrites the table: the previous table is still there, whole.
    let mut journal = read(f.join("journal.jsonl"));
    let last = journal.trim_end().rsplit('\n').next().unwrap().to_owned();
    journal.push_str(&format!("{last}\n")); // a duplicate: the table is rebuilt the same
    std::fs::write(f.join("journal.jsonl"), &journal).unwrap();
    kill_at(sweep_cmd(d.path(), "fresh", &["--resume"]), "file:results.csv");
    assert_eq!(read(f.join("results.csv")), full_results);
    ok(&needlesim(&["sweep", "s.toml", "--out", "fresh", "--resume"], d.path()));
    assert_eq!(read(f.join("results.csv")), full_results);
}

#[test]
fn a_sweep_killed_while_it_writes_its_manifest_starts_again_in_the_same_folder() {
    let d = setup();
    kill_at(sweep_cmd(d.path(), "early", &[]), "file:manifest.json");
    let f = d.path().join("early");
    let have = names(&f);
    assert!(have.len() == 1 && have[0].starts_with(".manifest.json.tmp-"), "the kill landed mid-write: {have:?}");
    // Not refused as "not a sweep folder": the dead writer's temporary goes.
    ok(&needlesim(&["sweep", "s.toml", "--out", "early"], d.path()));
    assert_eq!(read(f.join("results.csv")), read(d.path().join("full/results.csv")));
    assert_eq!(names(&f), ["journal.jsonl", "manifest.json", "results.csv"]);
}

#[test]
fn a_kill_during_merge_leaves_no_wrong_table_and_the_next_merge_cleans_up() {
    let d = setup();
    let full_results = read(d.path().join("full/results.csv"));
    for i in 0..2 {
        ok(&needlesim(&["sweep", "s.toml", "--out", "shards", "--shard", &format!("{i}/2"), "--threads", "1"], d.path()));
    }
    let merge = || {
        let mut c = bin();
        c.current_dir(d.path()).args(["merge", "shards"]).stdout(Stdio::null());
        c
    };
    let shards = d.path().join("shards");
    for point in ["file:manifest.json", "file:results.csv"] {
        kill_at(merge(), point);
        let have = names(&shards);
        assert!(!have.iter().any(|n| n == "results.csv"), "{point}: {have:?}");
        assert!(have.iter().any(|n| n.starts_with(".") && n.contains(".tmp-")), "{point}: the kill landed mid-write: {have:?}");
        ok(&needlesim(&["merge", "shards"], d.path()));
        assert_eq!(read(shards.join("results.csv")), full_results, "{point}");
        assert_eq!(read(shards.join("manifest.json")), read(d.path().join("full/manifest.json")));
        let left: Vec<String> = names(&shards).into_iter().filter(|n| n.starts_with('.')).collect();
        assert!(left.is_empty(), "{point}: temporaries left {left:?}");
        std::fs::remove_file(shards.join("results.csv")).unwrap();
        std::fs::remove_file(shards.join("manifest.json")).unwrap();
    }
    // Killed while replacing an earlier merge's table: the earlier table stays whole.
    ok(&needlesim(&["merge", "shards"], d.path()));
    kill_at(merge(), "file:results.csv");
    assert_eq!(read(shards.join("results.csv")), full_results);
}
