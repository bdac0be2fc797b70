//! The import rule of ARCHITECTURE.md, checked on the source text.
//!
//! Core folders, lowest first: geometry → pen → needle → technique → raster → metrics → sim
//! → surface → face. A core file may name `crate::error` and core folders up to its own rank, never a
//! higher one, and never an edge (`io`, `render`, `study`, `live`, `serve`, `front`) — not
//! even in a doc comment ("no core file names `render::`"). Unit tests inside a file (after
//! its `#[cfg(test)]`) may reach further. The lean library (`--no-default-features`) is
//! checked by building it (`.ci/run`), not here.

use std::path::{Path, PathBuf};

const CORE: &[&str] = &["geometry", "pen", "needle", "technique", "raster", "metrics", "sim", "surface", "face"];
const EDGES: &[&str] = &["io", "render", "study", "live", "serve", "front", "cli"];
const EDGE_CRATES: &[&str] = &["plotters", "axum", "tokio", "clap", "indicatif", "anyhow", "gif", "serde_json", "sha2", "toml"];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file before its unit tests.
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

/// The first path segment after every `crate::` in `code`.
fn crate_refs(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let tail = &rest[i + 7..];
            if let Some(group) = tail.strip_prefix('{') {
                // `crate::{a, b::c}`: the first segment of each item (on this line).
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let seg: String = item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !seg.is_empty() {
                        out.push((n + 1, seg));
                    }
                }
            } else {
                let seg: String = tail.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.push((n + 1, seg));
            }
            rest = tail;
        }
    }
    out
}

/// Every violation of the rule in the core folders under `src`.
fn violations(src: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for (rank, folder) in CORE.iter().enumerate() {
        let mut files = Vec::new();
        rs_files(&src.join(folder), &mut files);
        assert!(!files.is_empty(), "core folder src/{folder} is missing");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = non_test_code(&text);
            for (line, seg) in crate_refs(code) {
                let ok = seg == "error" || CORE.iter().position(|c| *c == seg).is_some_and(|r| r <= rank);
                if !ok {
                    let why = if EDGES.contains(&seg.as_str()) { "an edge" } else { "a higher layer" };
                    bad.push(format!("{}:{line}: names crate::{seg} ({why})", f.display()));
                }
            }
            for (n, l) in code.lines().enumerate() {
                let l = l.trim_start();
                if l.starts_with("//") {
                    continue;
                }
                for c in EDGE_CRATES {
                    if l.contains(&format!("{c}::")) && !l.contains(&format!("_{c}::")) {
                        bad.push(format!("{}:{}: uses the edge crate {c}", f.display(), n + 1));
                    }
                }
            }
        }
    }
    bad
}

#[test]
fn core_folders_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "the import rule (ARCHITECTURE.md) is broken:\n{}", bad.join("\n"));
}

#[test]
fn the_check_catches_a_forbidden_import() {
    // The checker itself: a core file naming an edge or a higher layer is reported.
    let dir = tempfile::tempdir().unwrap();
    for c in CORE {
        std::fs::create_dir_all(dir.path().join(c)).unwrap();
        std::fs::write(dir.path().join(c).join("mod.rs"), "use crate::geometry::Vec2;\n").unwrap();
    }
    std::fs::write(dir.path().join("pen/bad.rs"), "use crate::render::settings::Pictures;\n").unwrap();
    std::fs::write(dir.path().join("needle/up.rs"), "/// [`crate::sim::Simulation`]\nfn f() {}\n").unwrap();
    std::fs::write(dir.path().join("raster/ok.rs"), "fn f() {}\n#[cfg(test)]\nmod tests { use crate::sim::X; }\n").unwrap();
    std::fs::write(dir.path().join("metrics/json.rs"), "fn f() -> String { serde_json::to_string(&1).unwrap() }\n").unwrap();
    std::fs::write(dir.path().join("geometry/group.rs"), "use crate::{error, study};\n").unwrap();
    let bad = violations(dir.path());
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(bad.iter().any(|b| b.contains("group.rs:1: names crate::study (an edge)")));
    assert!(bad[0].contains("crate::render (an edge)") || bad.iter().any(|b| b.contains("crate::render (an edge)")));
    assert!(bad.iter().any(|b| b.contains("crate::sim (a higher layer)")));
    assert!(bad.iter().any(|b| b.contains("edge crate serde_json")));
}

#[test]
fn src_has_only_a_handful_of_top_level_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut top: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert!(top.len() <= 5, "src/ should hold lib.rs, main.rs, error.rs and the front door only: {top:?}");
}
