//! Face-map files and face plans: bad input exits 2 naming the file, entry, key, value or
//! colour, and writes nothing.

mod common;

use std::path::Path;

use common::{Run, assert_bad_input, needlesim, write};

const SCENARIO: &str = r#"name = "t"
seed = 1
[cartridge]
preset = 12
depth_mm = 0.5
[device]
frequency_hz = 120
[technique]
speed_mm_s = 58
directions_deg = [0]
[grid]
resolution_mm = 0.05
"#;

fn region(name: &str, ring: &str) -> String {
    format!(
        "[[region]]\nname = \"{name}\"\npolygon = {ring}\nepidermis_mm = 0.05\ndermis_mm = 1.0\nsubcutis_mm = 2.0\nrecommended_depth_mm = [0.4, 1.0]\n"
    )
}

const SQUARE: &str = "[[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]]";

/// Run a scenario using `map_file` (written as `map_name`) that treats `treat_region`.
fn run_with_map(map_name: &str, map_text: &str, treat: &str) -> (tempfile::TempDir, Run) {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), map_name, map_text);
    let s = write(tmp.path(), "s.toml", &format!("{SCENARIO}[face]\nmap = \"{map_name}\"\n{treat}"));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    (tmp, r)
}

fn out(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    tmp.path().join("out")
}

#[test]
fn a_good_polygon_map_runs() {
    let (tmp, r) = run_with_map("m.toml", &region("a", SQUARE), "[[treat]]\nregion = \"a\"\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out(&tmp).join("summary.json").exists());
}

#[test]
fn an_open_ring_is_refused() {
    let (tmp, r) = run_with_map("m.toml", &region("a", "[[0, 0], [20, 0], [20, 20], [0, 20]]"), "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["m.toml", "region[0] \"a\".polygon", "open ring", "[0, 20]", "repeat the first point"], Some(&out(&tmp)));
}

#[test]
fn a_self_intersecting_ring_is_refused() {
    let (tmp, r) = run_with_map("m.toml", &region("bow", "[[0, 0], [20, 20], [20, 0], [0, 10], [0, 0]]"), "[[treat]]\nregion = \"bow\"\n");
    assert_bad_input(&r, &["m.toml", "region[0] \"bow\".polygon", "self-intersecting"], Some(&out(&tmp)));
}

#[test]
fn overlapping_regions_are_refused_by_name() {
    let map = region("a", SQUARE) + &region("b", "[[10, 10], [30, 10], [30, 30], [10, 30], [10, 10]]");
    let (tmp, r) = run_with_map("m.toml", &map, "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["m.toml", "region \"a\" and region \"b\"", "overlap of 100.000 mm²", "(15.00, 15.00)"], Some(&out(&tmp)));
    // Sharing an edge is fine.
    let map = region("a", SQUARE) + &region("b", "[[20, 0], [40, 0], [40, 20], [20, 20], [20, 0]]");
    let (_, r) = run_with_map("m.toml", &map, "[[treat]]\nregion = \"a\"\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_region_without_thicknesses_is_refused() {
    let map = region("a", SQUARE).replace("dermis_mm = 1.0\n", "");
    let (tmp, r) = run_with_map("m.toml", &map, "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["m.toml", "region[0] \"a\".dermis_mm = missing", "every region needs its skin thicknesses"], Some(&out(&tmp)));
    let map = region("a", SQUARE).replace("epidermis_mm = 0.05", "epidermis_mm = -1");
    let (_, r) = run_with_map("m.toml", &map, "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["region \"a\".epidermis_mm = -1", "0 < epidermis_mm ≤ 1 mm"], None);
}

#[test]
fn a_misspelt_map_key_gets_a_suggestion() {
    let (_, r) = run_with_map("m.toml", &region("a", SQUARE).replace("dermis_mm = 1.0", "dermiss_mm = 1.0"), "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["m.toml", "unknown field `dermiss_mm`", "did you mean `dermis_mm`?"], None);
}

#[test]
fn a_json_map_with_a_syntax_error_names_the_line() {
    let (_, r) = run_with_map("m.json", "{\"region\": [\n{\"name\": \"a\",,}]}", "[[treat]]\nregion = \"a\"\n");
    assert_bad_input(&r, &["m.json", "line 2"], None);
}

#[test]
fn a_plan_naming_an_unknown_region_is_refused() {
    let (tmp, r) = run_with_map("m.toml", &region("a", SQUARE), "[[treat]]\nregions = [\"a\", \"cheeck\"]\n");
    assert_bad_input(&r, &["treat[0].regions[1] = \"cheeck\"", "a region of the map: a"], Some(&out(&tmp)));
}

#[test]
fn plan_keys_are_checked_like_the_technique() {
    let bad = [
        ("[[treat]]\nregion = \"a\"\nspeed_mm_s = -3\n", vec!["treat[0].speed_mm_s = -3", "0 < speed ≤ 1000 mm/s"]),
        ("[[treat]]\nregion = \"a\"\ndepth_mm = 3.0\n", vec!["treat[0].depth_mm = 3", "the device range 0.4–2 mm"]),
        ("[[treat]]\nregion = \"a\"\nspeeed_mm_s = 4\n", vec!["treat[0]", "unknown field `speeed_mm_s`", "did you mean `speed_mm_s`?"]),
        ("[[treat]]\nregion = \"a\"\nregions = [\"a\"]\n", vec!["treat[0].region / regions", "one of the two"]),
        ("[[treat]]\ndepth_mm = 0.5\n", vec!["treat[0].region = missing"]),
        ("[[treat]]\nregion = \"a\"\npattern = \"zigzag\"\n", vec!["treat[0].pattern", "serpentine, strokes, random"]),
    ];
    for (treat, needles) in bad {
        let (tmp, r) = run_with_map("m.toml", &region("a", SQUARE), treat);
        assert_bad_input(&r, &needles, Some(&out(&tmp)));
    }
    let (_, r) = run_with_map("m.toml", &region("a", SQUARE), "[[treat]]\nregion = \"a\"\n[face]\n");
    assert_bad_input(&r, &["duplicate key"], None);
}

#[test]
fn face_settings_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    for (face, needles) in [
        ("[face]\npenetration_ratio = 1.5\n", vec!["face.penetration_ratio = 1.5", "0 < ratio ≤ 1"]),
        ("[face]\nmargin_mm = -1\n", vec!["face.margin_mm = -1", "0 ≤ margin ≤ 50 mm"]),
        ("[face]\nmap = \"nowhere.toml\"\n", vec!["nowhere.toml"]),
        ("[face]\nmap = \"face.png\"\n", vec!["face.map = \"face.png\"", "not the PNG itself"]),
        ("[patch]\nwidth_mm = 10\nheight_mm = 10\n[face]\n", vec!["patch", "either a [patch] or a [face] session"]),
    ] {
        let s = write(tmp.path(), "s.toml", &format!("{SCENARIO}{face}[[treat]]\nregion = \"nose\"\n"));
        let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
        assert_bad_input(&r, &needles, Some(&tmp.path().join("out")));
    }
}

/// Write a PNG of `w × h` RGB pixels (rows from the top).
fn png(path: &Path, w: u32, h: u32, rgb: &[[u8; 3]]) {
    let f = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(f), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header().unwrap();
    wr.write_image_data(&rgb.iter().flatten().copied().collect::<Vec<u8>>()).unwrap();
}

const LEGEND: &str = r##"image = "p.png"
mm_per_px = 2.0
origin_mm = [0, 0]
[[color]]
rgb = "#ff0000"
region = "a"
epidermis_mm = 0.05
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.4, 1.0]
[[color]]
rgb = "#ffffff"
background = true
"##;

/// A 10 × 10 px image: red square with `edge` colour pixels on its left edge column.
fn painted(dir: &Path, edge: [u8; 3]) {
    let mut px = vec![[255u8, 255, 255]; 100];
    for r in 2..8 {
        for c in 2..8 {
            px[r * 10 + c] = [255, 0, 0];
        }
        px[r * 10 + 1] = edge;
    }
    png(&dir.join("p.png"), 10, 10, &px);
}

#[test]
fn a_png_colour_missing_from_the_legend_is_named_with_count_and_place() {
    let tmp = tempfile::tempdir().unwrap();
    painted(tmp.path(), [250, 6, 4]); // a slightly-off red, as a soft brush or JPEG round trip leaves
    write(tmp.path(), "p.legend.toml", LEGEND);
    let s = write(tmp.path(), "s.toml", &format!("{SCENARIO}[face]\nmap = \"p.legend.toml\"\n[[treat]]\nregion = \"a\"\n"));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    assert_bad_input(
        &r,
        &["p.png", "6 pixels", "#fa0604 × 6 px", "column 1, row 2", "(3.0, 15.0) mm", "tolerance"],
        Some(&tmp.path().join("out")),
    );
    // tolerance = 8 snaps the edge to red: the region grows by those 6 pixels (6 × 4 mm²).
    write(tmp.path(), "p.legend.toml", &LEGEND.replace("origin_mm = [0, 0]\n", "origin_mm = [0, 0]\ntolerance = 8\n"));
    let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(j["regions"]["a"]["area_mm2"].as_f64().unwrap(), (36.0 + 6.0) * 4.0);
}

#[test]
fn legend_mistakes_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    painted(tmp.path(), [255, 0, 0]);
    let s = write(tmp.path(), "s.toml", &format!("{SCENARIO}[face]\nmap = \"p.legend.toml\"\n[[treat]]\nregion = \"a\"\n"));
    for (legend, needles) in [
        (LEGEND.replace("dermis_mm = 1.0\n", ""), vec!["p.legend.toml", "color[0] (#ff0000 region \"a\").dermis_mm = missing"]),
        (LEGEND.replace("\"#ff0000\"", "\"#ff00\""), vec!["color[0].rgb = \"#ff00\"", "#rrggbb"]),
        (LEGEND.replace("background = true", "background = true\nregion = \"b\""), vec!["color[1]", "exactly one of region"]),
        (LEGEND.replace("mm_per_px = 2.0", "mm_per_px = 0"), vec!["mm_per_px = 0", "0 < mm_per_px ≤ 10"]),
        (LEGEND.replace("image = \"p.png\"", "image = \"missing.png\""), vec!["missing.png"]),
        (LEGEND.replace("origin_mm = [0, 0]\n", "origin_mm = [0, 0]\ntolerance = 100\n"), vec!["tolerance = 100", "0–64"]),
    ] {
        write(tmp.path(), "p.legend.toml", &legend);
        let r = needlesim(&["run", s.to_str().unwrap(), "--out", "out"], tmp.path());
        assert_bad_input(&r, &needles, Some(&tmp.path().join("out")));
    }
}

#[test]
fn face_map_command_exports_and_paints() {
    let tmp = tempfile::tempdir().unwrap();
    let r = needlesim(&["face-map", "default", "--export", "f.toml", "--paint", "f.png", "--mm-per-px", "2"], tmp.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("cheek_left") && r.stdout.contains("Meng 2022"));
    // Both exports read back as maps with the same regions.
    for m in ["f.toml", "f.legend.toml"] {
        let r = needlesim(&["face-map", m], tmp.path());
        assert_eq!(r.code, 0, "{m}: {}", r.stderr);
        assert!(r.stdout.contains("19 regions"), "{m}: {}", r.stdout);
    }
    let r = needlesim(&["face-map", "f.legend.toml", "--export", "g.toml"], tmp.path());
    assert_bad_input(&r, &["--export", "a polygon map"], Some(&tmp.path().join("g.toml")));
}
