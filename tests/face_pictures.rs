//! Face sessions get the full picture set: region outlines lie on the map's borders, the
//! report carries one row per region and refers to no URL, and the outputs are byte-identical
//! on 1 and 2 threads.

mod common;

use common::{bin, root};
use needlesim::face::default::default_face;
use needlesim::geometry::Vec2;
use needlesim::io::output::face_pictures::face_overlays;
use needlesim::raster::domain::Domain;
use needlesim::render::overlay::MARK_RGB;
use needlesim::render::report::external_references;

const PICTURES: [&str; 13] = [
    "region_coverage.png",
    "region_coverage.svg",
    "region_density.png",
    "region_density.svg",
    "heatmap.png",
    "heatmap.svg",
    "passes.png",
    "passes.svg",
    "density.png",
    "density.svg",
    "depth.png",
    "depth.svg",
    "animation.gif",
];

/// Every point along every outline edge separates two different labels (another region,
/// a no-go zone or off the map), or runs under a no-go zone: the outlines are the region
/// borders, not a box. Every region is named.
fn check_outlines_on_borders(map: &needlesim::face::FaceMap) {
    let o = face_overlays(map);
    assert!(o.outlines.len() >= map.regions().len());
    assert!(o.hatched.len() >= map.no_go_names().len());
    let labelled: Vec<String> = o.labels().into_iter().map(|(_, l)| l.to_string()).collect();
    for r in map.regions().iter().map(|r| &r.name).chain(map.no_go_names()) {
        let name = needlesim::face::names::display_name(r).into_owned();
        assert!(labelled.contains(&name), "{r} has no label {name:?}");
    }
    let eps = 0.05;
    let mut checked = 0;
    for s in &o.outlines {
        let p = &s.polygon_mm;
        for k in 0..p.len() {
            let (a, b) = (p[k], p[(k + 1) % p.len()]);
            let len = (b - a).norm();
            if len < 4.0 * eps {
                continue;
            }
            let n = Vec2::new(-(b - a).y, (b - a).x) / len;
            for t in [0.25, 0.5, 0.75] {
                let m = a + (b - a) * t;
                let (l, r) = (map.label_at(m + n * eps), map.label_at(m - n * eps));
                // A region polygon may run under a no-go zone (the zone is cut out of the
                // region), where the hatching covers it.
                assert!(l != r || map.no_go_at(m).is_some(), "outline point {m:?} is not on a border");
                checked += 1;
            }
        }
    }
    assert!(checked > 100);
}

#[test]
fn outlines_lie_on_region_borders() {
    check_outlines_on_borders(&default_face().unwrap());
}

#[test]
fn a_painted_maps_outlines_are_its_pixel_borders() {
    let file = needlesim::io::scenario::load(&root().join("scenarios/painted-face.toml"), &[]).unwrap();
    let map = needlesim::io::scenario::load_face_map(&file, &root().join("scenarios/painted-face.toml")).unwrap();
    assert!(map.raster().is_some());
    check_outlines_on_borders(&map);
}

/// A treatment with no margin puts needles into the eye: the heatmap marks them in red (the
/// map itself leaves the zone's cells blank), where their centres are.
#[test]
fn punctures_in_a_no_go_zone_are_marked_on_the_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("eye.toml");
    std::fs::write(
        &scenario,
        "name = \"eye\"\nseed = 3\n[cartridge]\npreset = 12\ndepth_mm = 0.5\n[technique]\npattern = \"serpentine\"\nspeed_mm_s = 60\n\
         [face]\nmargin_mm = 0\n[[treat]]\nregion = \"periorbital_upper_left\"\ndepth_mm = 0.5\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()], "2");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let hits = summary["no_go"]["eye_left"]["punctures"].as_u64().unwrap();
    assert!(hits > 0, "margin 0 reaches the eye: {}", summary["no_go"]);
    let png = needlesim::render::canvas::decode_png(&std::fs::read(out.join("heatmap.png")).unwrap()).unwrap();
    let marked = (0..png.height as i32)
        .flat_map(|y| (0..png.width as i32).map(move |x| (x, y)))
        .filter(|&(x, y)| png.get(x, y) == Some(MARK_RGB))
        .count();
    assert!(marked > 0, "red marks on the heatmap");
    let svg = std::fs::read_to_string(out.join("heatmap.svg")).unwrap();
    assert!(svg.contains(&format!("fill=\"{}\"", needlesim::render::svg::hex(MARK_RGB))));
}

fn run(args: &[&str], threads: &str) -> std::process::Output {
    bin().current_dir(root()).env("RAYON_NUM_THREADS", threads).args(args).output().expect("binary runs")
}

#[test]
fn full_face_report_has_region_rows_and_no_external_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(
        &[
            "run",
            "scenarios/flat-face.toml",
            "--out",
            out.to_str().unwrap(),
            "--set",
            "grid.resolution_mm=0.05",
            "--set",
            "pictures.frames=20",
            "--set",
            "technique.speed_mm_s=150",
        ],
        "2",
    );
    assert!(o.status.success() || o.status.code() == Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    for f in PICTURES.iter().chain(&["report.html", "summary.json"]) {
        assert!(std::fs::metadata(out.join(f)).map(|m| m.len() > 100).unwrap_or(false), "{f} missing or empty");
    }
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(external_references(&html).is_empty(), "{:?}", external_references(&html));
    let regions = summary["regions"].as_object().unwrap();
    assert!(regions.len() > 10);
    // One row per region: its key behind its display name, its coverage by the one percent rule.
    for (name, r) in regions {
        let row = format!(
            "<tr data-key=\"{}\"><td>{}</td>",
            needlesim::render::escape_xml(name),
            needlesim::render::escape_xml(&needlesim::face::names::display_name(name))
        );
        let at = html.find(&row).unwrap_or_else(|| panic!("no row for region {name}"));
        let row_html = &html[at..at + html[at..].find("</tr>").unwrap()];
        let cov = format!("<td>{}</td>", needlesim::render::figure::percent_number(r["coverage"].as_f64().unwrap()));
        assert!(row_html.contains(&cov), "coverage {cov} of {name} not in its row {row_html}");
    }
    assert!(html.contains("<th>Coverage (%)</th>") && html.contains("<th>Area (cm²)</th>"));
    for raw in ["area_mm2", "over_pass_limit_fraction", "periorbital_upper_left</td>"] {
        assert!(!html.contains(raw), "raw key {raw} shown to people");
    }
    // Pictures first (the per-region pictures, then the heatmap), the tables after.
    let img = |caption: &str| html.find(&format!("<img alt=\"{caption}")).unwrap_or_else(|| panic!("no image {caption}"));
    assert!(img("Hole coverage of each region") < img("Puncture density of each region"));
    assert!(img("Puncture density of each region") < img("Hits per spot"));
    assert!(img("Hits per spot") < html.find("<table").unwrap());
    assert_eq!(html.matches("src=\"data:image/gif;base64,").count(), 1);
    // The full table beside the report, and the same bytes embedded as a download.
    let csv = std::fs::read_to_string(out.join("regions.csv")).unwrap();
    assert_eq!(csv.lines().count(), regions.len() + 1);
    assert!(csv.starts_with("region,name,area_mm2,coverage,"));
    let embedded = needlesim::render::datauri::data_uri("text/csv", csv.as_bytes());
    assert!(html.contains(&format!("download=\"regions.csv\" href=\"{embedded}\"")), "the CSV is embedded as a download");
}

const SMALL_FACE: &str = r#"
name = "small-face"
seed = 7
[cartridge]
preset = 12
depth_mm = 0.5
[device]
frequency_hz = 120
rotation_deg = 18
[technique]
pattern = "serpentine"
speed_mm_s = 80
directions_deg = [0, 90]
[grid]
resolution_mm = 0.05
[pictures]
frames = 12
[face]
map = "default"
[[treat]]
regions = ["chin", "perioral"]
depth_mm = 0.75
"#;

#[test]
fn face_outputs_are_byte_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SMALL_FACE).unwrap();
    let outs: Vec<_> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = dir.path().join(format!("out{t}"));
            let o = run(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()], t);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            out
        })
        .collect();
    for f in PICTURES.iter().chain(&["report.html", "summary.json", "punctures.csv", "regions.csv"]) {
        let (a, b) = (std::fs::read(outs[0].join(f)).unwrap(), std::fs::read(outs[1].join(f)).unwrap());
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}
