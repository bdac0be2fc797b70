//! Replays the committed fuzz inputs through the same entry points the cargo-fuzz targets call
//! (`fuzz/fuzz_targets/*.rs` → `needlesim::io::fuzzing`), so they run under plain `cargo test`:
//!
//! - `fuzz/seeds/<target>/`: the small, named seed inputs of each target (must not be empty);
//! - `tests/regressions/fuzz/<target>/`: every input a fuzzer ever crashed on, by name.
//!
//! An entry point returns (an error is fine) for any bytes; a panic fails the test and names
//! the file. The target list here must match `fuzz/Cargo.toml`, so a new or renamed target
//! (or a renamed seeds folder) fails rather than being skipped. See `fuzz/README.md`.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use needlesim::io::fuzzing;

/// What each cargo-fuzz target does with its bytes (kept identical to `fuzz/fuzz_targets/`).
/// A fuzz target: its name and the entry point it feeds.
type Target = (&'static str, fn(&[u8]));

const TARGETS: &[Target] = &[
    ("api_body", needlesim::serve::fuzzing::api_body_bytes),
    ("design_matrix", |data| fuzzing::design_matrix_bytes(data, Path::new("fuzz.txt"))),
    ("face_map", |data| fuzzing::face_map_bytes(data, Path::new("fuzz-map.toml"))),
    ("layout_file", layout_file_target),
    ("mesh", fuzzing::mesh_bytes),
    ("overrides", fuzzing::override_bytes),
    ("png", fuzzing::png_bytes),
    ("punctures_csv", |data| fuzzing::punctures_csv_bytes(data, Path::new("fuzz.csv"))),
    ("scenario", |data| fuzzing::scenario_bytes(data, Path::new("fuzz.toml"))),
    ("trace_csv", |data| fuzzing::trace_csv_bytes(data, Path::new("fuzz.csv"))),
];

/// `fuzz/fuzz_targets/layout_file.rs`: the first byte picks the form (even: CSV, odd: TOML).
fn layout_file_target(data: &[u8]) {
    let (first, rest) = data.split_first().unwrap_or((&0, &[]));
    let path = if first % 2 == 0 { "fuzz.csv" } else { "fuzz.toml" };
    fuzzing::layout_file_bytes(rest, Path::new(path));
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The regular files of `dir`, sorted; an unreadable folder is an empty list.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.expect("read folder entry").path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Feed every file to the target's entry point; the files that panicked, with the message.
fn replay(target: &str, files: &[PathBuf]) -> Vec<String> {
    let run = TARGETS.iter().find(|(name, _)| *name == target).expect("known target").1;
    let mut failures = Vec::new();
    for file in files {
        let bytes = fs::read(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| run(&bytes))) {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string panic)");
            failures.push(format!("{}: panicked: {msg}", file.display()));
        }
    }
    failures
}

/// Replays the seeds (which must exist) and the crash regressions (if any) of one target.
fn check(target: &str) {
    let seeds = files_in(&root().join("fuzz/seeds").join(target));
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ is missing or empty: every fuzz target needs seed inputs");
    let regressions = files_in(&root().join("tests/regressions/fuzz").join(target));
    let mut failures = replay(target, &seeds);
    failures.extend(replay(target, &regressions));
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs panicked:\n{}",
        failures.len(),
        seeds.len() + regressions.len(),
        failures.join("\n")
    );
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
    };
}

replay_tests!(api_body, design_matrix, face_map, layout_file, mesh, overrides, png, punctures_csv, scenario, trace_csv);

/// Names the cargo-fuzz targets declared in `fuzz/Cargo.toml` (`[[bin]] name = "…"`).
fn declared_targets() -> BTreeSet<String> {
    let manifest = fs::read_to_string(root().join("fuzz/Cargo.toml")).expect("read fuzz/Cargo.toml");
    let mut names = BTreeSet::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(value) = line.strip_prefix("name").map(str::trim_start).and_then(|l| l.strip_prefix('=')) {
            names.insert(value.trim().trim_matches('"').to_owned());
        }
    }
    names
}

/// The targets replayed here are exactly those of `fuzz/Cargo.toml`; every seeds and
/// regression folder names one of them (a misspelt folder would otherwise be skipped).
#[test]
fn every_fuzz_target_and_folder_is_replayed() {
    let known: BTreeSet<String> = TARGETS.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(declared_targets(), known, "fuzz/Cargo.toml targets vs. TARGETS in tests/fuzz_regressions.rs");
    for folder in ["fuzz/seeds", "tests/regressions/fuzz"] {
        for entry in fs::read_dir(root().join(folder)).unwrap_or_else(|e| panic!("read {folder}: {e}")) {
            let path = entry.expect("read folder entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(path.is_dir() && known.contains(&name), "{}: not a folder named after a fuzz target", path.display());
        }
    }
}
