//! `run` writes every picture and a self-contained report.html; bad picture settings and
//! unwritable output directories are refused cleanly, leaving nothing half-written.

mod common;

use common::{SMALL, check, run_in};
use needlesim::render::figure::percent_number;
use needlesim::render::report::external_references;

const PICTURES: [&str; 9] =
    ["heatmap.png", "heatmap.svg", "passes.png", "passes.svg", "density.png", "density.svg", "depth.png", "depth.svg", "animation.gif"];

#[test]
fn run_writes_pictures_and_a_self_contained_report() {
    let (dir, out, summary) = check(SMALL, &["--set", "technique.passes=5"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = summary.unwrap();
    let out_dir = dir.path().join("out");
    for f in PICTURES.iter().chain(&["report.html", "summary.json", "punctures.csv", "scenario.toml"]) {
        let bytes = std::fs::read(out_dir.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(bytes.len() > 100, "{f} is nearly empty");
    }
    assert_eq!(&std::fs::read(out_dir.join("animation.gif")).unwrap()[..6], b"GIF89a");
    let svg = std::fs::read_to_string(out_dir.join("heatmap.svg")).unwrap();
    assert!(svg.contains("<image") && svg.contains("data:image/png;base64,"), "the SVG embeds its raster");
    assert!(svg.matches("<rect").count() < 100, "the SVG must not draw the map cell by cell");

    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(external_references(&html).is_empty(), "external references: {:?}", external_references(&html));
    assert_eq!(html.matches("<img ").count(), 5, "heatmap, passes, density, depth, animation");
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
    assert_eq!(html.matches("src=\"data:image/gif;base64,").count(), 1);
    // The summary and per-pass tables carry the run's own figures, percentages by the one
    // rule (one decimal; the unit in the header).
    let cov = percent_number(summary["coverage"].as_f64().unwrap());
    assert_eq!(cov, format!("{:.1}", 100.0 * summary["coverage"].as_f64().unwrap()));
    assert!(html.contains(&format!("<tr><td>Hole coverage, needle footprint (%)</td><td>{cov}</td>")), "coverage {cov} not in the report");
    for (k, c) in summary["coverage_cumulative"].as_array().unwrap().iter().enumerate() {
        let row = format!("<tr><td>{}</td>", k + 1);
        assert!(html.contains(&row), "pass {} row missing", k + 1);
        assert!(html.contains(&format!("<td>{}</td></tr>", percent_number(c.as_f64().unwrap()))));
    }
    assert!(html.contains("<th>Coverage so far (%)</th>") && html.contains("<td>Area (cm²)</td>"), "human headers with units");
    // The pictures come before the engineer's tables; a patch has no region table or CSV.
    assert!(html.find("<img ").unwrap() < html.find("<table").unwrap(), "pictures first");
    assert!(!html.contains("regions.csv") && !out_dir.join("regions.csv").exists());
    // Five passes warn; the warning is highlighted.
    let warning = summary["warnings"][0].as_str().unwrap();
    assert!(html.contains("class=\"warnings\""));
    assert!(html.contains(&needlesim::render::escape_xml(warning)));
    assert!(html.contains("<table") && html.contains("Passes"));
}

/// User text (the scenario name and description) reaches the report escaped.
#[test]
fn user_text_is_escaped_in_the_report() {
    let evil = SMALL.replace("name = \"small\"", "name = \"<script>alert(1)<b> & 'co'\"\ndescription = \"<img src=x onerror=alert(2)>\"");
    let (dir, out, _) = check(&evil, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(!html.contains("<script>alert"), "raw script tag from the scenario name");
    assert!(!html.contains("<img src=x"), "raw markup from the scenario file");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;b&gt; &amp; &#39;co&#39;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"), "the scenario text is shown, escaped");
    assert!(external_references(&html).is_empty());
}

/// A map too large to draw at the requested scale, and bad picture settings: exit 2, the key
/// named, nothing written.
#[test]
fn bad_picture_settings_are_refused_before_anything_is_written() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("too large", &["--set", "pictures.px_per_mm=1000"], &["pictures.px_per_mm", "8000 px", "at most 800.000"]),
        ("zero scale", &["--set", "pictures.px_per_mm=0"], &["pictures.px_per_mm", "positive"]),
        ("negative frames", &["--set", "pictures.frames=-1"], &["pictures.frames", "0–500"]),
        ("too many frames", &["--set", "pictures.frames=100000"], &["pictures.frames", "0–500"]),
        ("inset too small", &["--set", "pictures.inset_mm=0"], &["pictures.inset_mm", "0.2–10 mm"]),
        ("inset centre NaN", &["--set", "pictures.inset_center_mm=[nan, 1]"], &["pictures.inset_center_mm"]),
    ];
    for (what, extra, needles) in cases {
        let (dir, out, _) = check(SMALL, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: message lacks {n:?}: {err}");
        }
        assert!(!dir.path().join("out").exists(), "{what}: output left behind");
    }
}

/// An output directory that cannot be written: a clear error naming it, nothing written, and
/// a previous complete directory elsewhere is untouched.
#[test]
fn unwritable_output_directory_is_refused_cleanly() {
    let (dir, out, _) = check(SMALL, &["--set", "pictures.frames=0"]);
    assert!(out.status.success());
    assert!(!dir.path().join("out/animation.gif").exists(), "frames = 0 draws no animation");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let target = blocker.join("run");
    let scenario = dir.path().join("scenario.toml");
    let o = run_in(dir.path(), &["run", scenario.to_str().unwrap(), "--out", target.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("a-file"), "the message names the path: {err}");
    assert!(!err.contains("panicked"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a directory");
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(entries.iter().all(|e| !e.starts_with('.')), "stray staging files: {entries:?}");
}

/// A failing rerun leaves the previous complete output in place.
#[test]
fn a_failed_rerun_keeps_the_previous_pictures() {
    let (dir, out, _) = check(SMALL, &[]);
    assert!(out.status.success());
    let before = std::fs::read(dir.path().join("out/report.html")).unwrap();
    let scenario = dir.path().join("scenario.toml");
    let o = run_in(dir.path(), &["run", scenario.to_str().unwrap(), "--out", "out", "--set", "pictures.px_per_mm=1e6"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.path().join("out/report.html")).unwrap(), before);
    for f in PICTURES {
        assert!(dir.path().join("out").join(f).exists(), "{f} lost");
    }
}

/// A face session's header gives the set depths of its regions, not the cartridge's default.
#[test]
fn a_face_report_header_gives_the_regions_depth_range() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sc = common::root().join("scenarios/flat-face.toml");
    let o = common::run_in(
        tmp.path(),
        &["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap(), "--set", "grid.resolution_mm=0.05", "--outputs", "report"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // flat-face.toml treats at 0.4, 0.5, 0.75 and 1.0 mm.
    assert!(html.contains("at set depths of 0.4–1 mm by region"), "{}", &html[..html.len().min(2000)]);
    assert!(!html.contains("at a set depth of"));
}
