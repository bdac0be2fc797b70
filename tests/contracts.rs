//! Contracts as data: the keys of summary.json and the columns of punctures.csv are only
//! ever added, never renamed or removed. Each bundled scenario below has a golden list in
//! `tests/golden/`; the test fails when a listed key or column is missing, and when a new one
//! is not yet listed. After adding keys on purpose, record them with
//! `NEEDLESIM_UPDATE_GOLDEN=1 cargo test --test contracts` (it refuses to drop a key).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use needlesim::Scenario;
use serde_json::Value;

const SCENARIOS: &[&str] = &["default", "real-hand", "technique-mix", "recorded-trace", "painted-face"];

/// Every key path in a JSON value: objects by `.key`, arrays by `[]` (all elements merged).
fn key_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                out.insert(p.clone());
                key_paths(x, &p, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                key_paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// Compare `now` with the golden list `name`: nothing listed may be missing; anything new
/// must be recorded (with the update switch, which only ever adds).
fn check(name: &str, now: &BTreeSet<String>) {
    let path = golden_path(name);
    let listed: BTreeSet<String> =
        std::fs::read_to_string(&path).unwrap_or_default().lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let missing: Vec<&String> = listed.difference(now).collect();
    assert!(missing.is_empty(), "{name}: keys/columns removed or renamed (contracts only grow): {missing:?}");
    let added: Vec<&String> = now.difference(&listed).collect();
    if added.is_empty() {
        return;
    }
    if std::env::var_os("NEEDLESIM_UPDATE_GOLDEN").is_some() {
        let text: String = now.iter().map(|k| format!("{k}\n")).collect();
        std::fs::write(&path, text).unwrap();
    } else {
        panic!("{name}: new keys/columns not in {}: {added:?}\nrecord them with NEEDLESIM_UPDATE_GOLDEN=1", path.display());
    }
}

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    Scenario::load(path).unwrap()
}

#[test]
fn summary_json_keys_only_grow() {
    for name in SCENARIOS {
        let run = scenario(name).run().unwrap();
        let mut keys = BTreeSet::new();
        key_paths(&run.summary(), "", &mut keys);
        assert!(keys.contains("coverage") && keys.contains("punctures"), "{name}: {keys:?}");
        check(&format!("summary-keys-{name}.txt"), &keys);
    }
}

#[test]
fn punctures_csv_columns_only_grow() {
    for name in ["default", "painted-face"] {
        let dir = tempfile::tempdir().unwrap();
        let run = scenario(name).with_overrides(["pictures.frames=0"]).unwrap().run().unwrap();
        let out = run.write(dir.path().join("out")).unwrap();
        let csv = std::fs::read_to_string(out.join("punctures.csv")).unwrap();
        let header = csv.lines().next().unwrap();
        let columns: BTreeSet<String> = header.split(',').map(str::to_owned).collect();
        assert_eq!(columns.len(), header.split(',').count(), "{name}: repeated column in {header}");
        check(&format!("punctures-columns-{name}.txt"), &columns);
        // The library's summary is summary.json byte for byte.
        assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), run.summary_json(), "{name}");
    }
}

#[test]
fn golden_lists_are_not_empty() {
    // A deleted golden file must not turn the check into "everything is new".
    for name in SCENARIOS {
        let text = std::fs::read_to_string(golden_path(&format!("summary-keys-{name}.txt"))).unwrap();
        assert!(text.lines().count() > 30, "{name}: golden list too short");
    }
}
