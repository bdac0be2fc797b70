//! `needlesim run --outputs`: the selected files only, the same figures whatever is selected,
//! and an unknown name refused before anything runs.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{root, run_in};

fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// Run `scenario` (a bundled file, coarse grid) with `--outputs list` into `tmp/name`.
fn run(tmp: &Path, scenario: &str, name: &str, list: &str) -> std::path::PathBuf {
    let out = tmp.join(name);
    let path = root().join(scenario);
    let o = run_in(
        tmp,
        &["run", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "grid.resolution_mm=0.05", "--outputs", list],
    );
    assert!(o.status.success(), "{list}: {}", String::from_utf8_lossy(&o.stderr));
    out
}

fn same_summary_for_every_selection(scenario: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let all = run(tmp.path(), scenario, "all", "all");
    let all_files = files(&all);
    for must in ["summary.json", "scenario.toml", "punctures.csv", "heatmap.png", "report.html", "animation.gif"] {
        assert!(all_files.contains(must), "{scenario}: --outputs all lacks {must}: {all_files:?}");
    }
    let summary = std::fs::read(all.join("summary.json")).unwrap();
    let pictures: BTreeSet<String> =
        all_files.iter().filter(|f| f.ends_with(".png") || f.ends_with(".svg") || f.ends_with(".gif")).cloned().collect();
    assert!(pictures.len() >= 5, "{pictures:?}");
    for (name, list) in [("s", "summary"), ("p", "summary,punctures"), ("pic", "pictures"), ("r", "report")] {
        let dir = run(tmp.path(), scenario, name, list);
        let got = files(&dir);
        let mut want: BTreeSet<String> = ["summary.json", "scenario.toml"].map(String::from).into();
        if list.contains("punctures") {
            want.insert("punctures.csv".into());
        }
        if list.contains("pictures") {
            want.extend(pictures.iter().cloned());
        }
        if list.contains("report") {
            want.insert("report.html".into());
            // The report's full per-region table goes beside it (face runs).
            if all_files.contains("regions.csv") {
                want.insert("regions.csv".into());
            }
        }
        assert_eq!(got, want, "{scenario} --outputs {list}");
        assert_eq!(std::fs::read(dir.join("summary.json")).unwrap(), summary, "{scenario} --outputs {list}: summary.json differs");
        for f in got.iter().filter(|f| *f != "summary.json") {
            assert_eq!(
                std::fs::read(dir.join(f)).unwrap(),
                std::fs::read(all.join(f)).unwrap(),
                "{scenario} --outputs {list}: {f} differs"
            );
        }
    }
}

#[test]
fn a_patch_run_writes_what_is_selected_with_the_same_figures() {
    same_summary_for_every_selection("scenarios/default.toml");
}

#[test]
fn a_face_run_writes_what_is_selected_with_the_same_figures() {
    same_summary_for_every_selection("scenarios/flat-face.toml");
}

#[test]
fn an_unknown_output_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let path = root().join("scenarios/default.toml");
    let o = run_in(tmp.path(), &["run", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--outputs", "summary,heatmap"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("heatmap") && err.contains("punctures, pictures, report"), "{err}");
    assert!(!out.exists());
}
