//! User meshes through the binary in every format and region source: the same cylinder as
//! OBJ, ASCII PLY and binary PLY gives the same outputs to the byte; regions painted in UV
//! space give the brute-force painted areas and the figures of the same regions from OBJ
//! groups; bad PLY files and painted-region keys exit 2 naming the file and what is wrong,
//! with nothing written.

mod common;

use std::path::Path;

use common::{bad_input, ok, run_in};
use needlesim::io::facemap_file::legend::Rgba;
use needlesim::io::facemap_file::paint::encode_png;
use needlesim::io::mesh_file::{PlyFormat, to_obj, to_ply};
use needlesim::surface::SurfaceMesh;
use needlesim::surface::shapes::{flat_rect, half_cylinder};

const SKIN: &str = "epidermis_mm = 0.056\ndermis_mm = 1.2\nsubcutis_mm = 4.0\nrecommended_depth_mm = [0.25, 0.5]\nsource = \"test\"\n";

/// A scenario on `mesh` (mm) treating `left` and `right`; `regions` is the `[face]` tail.
fn scenario(mesh: &str, regions: &str) -> String {
    format!(
        "name = \"formats\"\nseed = 11\n[cartridge]\npreset = 12\ndepth_mm = 0.5\n[device]\nfrequency_hz = 120\nrotation_deg = 18\n\
         [technique]\npattern = \"serpentine\"\nspeed_mm_s = 58\ndirections_deg = [0, 90]\n\
         [[treat]]\nregions = [\"left\", \"right\"]\n[face]\nsurface = \"{mesh}\"\nunits = \"mm\"\n{regions}"
    )
}

/// `[[face.region]]` tables for left and right, then `no_go`.
fn group_regions() -> String {
    format!("no_go = [\"mole\"]\n[[face.region]]\nname = \"left\"\n{SKIN}[[face.region]]\nname = \"right\"\n{SKIN}")
}

/// Write `files` into a fresh folder, run `s.toml` writing summary and punctures; the folder
/// and the run's output.
fn run_files(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let out = run_in(dir.path(), &["run", "s.toml", "--out", "out", "--outputs", "punctures"]);
    (dir, out)
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join("out").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn centroid(m: &SurfaceMesh, t: usize, k: usize) -> f64 {
    m.triangles[t].v.iter().map(|&v| m.positions_mm[v as usize][k]).sum::<f64>() / 3.0
}

/// The half cylinder in three groups: left (x < 0), right, and a no-go "mole" near the top.
fn grouped_cylinder() -> SurfaceMesh {
    let mut m = half_cylinder(20.0, 24.0, 24, 6, 1.0);
    m.groups = vec!["left".into(), "right".into(), "mole".into()];
    for t in 0..m.triangles.len() {
        let (x, y) = (centroid(&m, t, 0), centroid(&m, t, 1));
        m.triangles[t].group = if x.abs() < 3.0 && y > 18.0 {
            2
        } else if x < 0.0 {
            0
        } else {
            1
        };
    }
    m
}

#[test]
fn the_same_cylinder_as_obj_ascii_and_binary_ply_gives_the_same_bytes() {
    let mesh = grouped_cylinder();
    let forms: Vec<(&str, Vec<u8>)> = vec![
        ("cylinder.obj", to_obj(&mesh).into_bytes()),
        ("cylinder.ply", to_ply(&mesh, PlyFormat::Ascii)),
        ("cylinder.ply", to_ply(&mesh, PlyFormat::BinaryLittleEndian)),
        ("cylinder.ply", to_ply(&mesh, PlyFormat::BinaryBigEndian)),
    ];
    let mut outs = Vec::new();
    for (name, bytes) in forms {
        let (dir, out) = run_files(&[(name, bytes), ("s.toml", scenario(name, &group_regions()).into_bytes())]);
        ok(&out);
        outs.push((read(dir.path(), "summary.json"), read(dir.path(), "punctures.csv")));
    }
    let s: serde_json::Value = serde_json::from_slice(&outs[0].0).unwrap();
    let area = |g: u32| mesh.triangles.iter().filter(|t| t.group == g).map(|t| mesh.area_mm2(t)).sum::<f64>();
    assert!((s["regions"]["left"]["skin_area_mm2"].as_f64().unwrap() - area(0)).abs() < 1e-9, "{}", s["regions"]["left"]);
    assert!((s["regions"]["right"]["skin_area_mm2"].as_f64().unwrap() - area(1)).abs() < 1e-9);
    assert!(s["regions"]["left"]["punctures_inside"].as_u64().unwrap() > 100);
    for (k, o) in outs.iter().enumerate().skip(1) {
        assert!(o.0 == outs[0].0, "summary.json of form {k} differs from the OBJ's");
        assert!(o.1 == outs[0].1, "punctures.csv of form {k} differs from the OBJ's");
    }
}

/// A 40 mm square, 6 × 6 quads, UV = xy / 40; the picture is 4 × 4 pixels: column 0 left,
/// columns 1–3 right, the top-right pixel a no-go mole. Colours: red, blue, black. The
/// pixel borders u = 1/4, 3/4 cut quads, and no triangle's UV centroid lies on a border.
fn painted_square() -> (SurfaceMesh, Vec<u8>) {
    let mut m = flat_rect(40.0, 40.0, 6, 6, "x");
    for uv in &mut m.uvs {
        *uv = [uv[0] / 40.0, uv[1] / 40.0];
    }
    let (l, r, z) = ([230, 25, 75, 255], [0, 130, 200, 255], [0, 0, 0, 255]);
    let pixels = vec![l, r, r, z, l, r, r, r, l, r, r, r, l, r, r, r];
    let png = encode_png(&Rgba { width: 4, height: 4, pixels }, Path::new("p.png")).unwrap();
    (m, png)
}

/// The painted legend: left, right, mole.
fn colours() -> String {
    format!(
        "regions_png = \"regions.png\"\n[[face.color]]\nrgb = \"#e6194b\"\nregion = \"left\"\n{SKIN}[[face.color]]\nrgb = \"#0082c8\"\nregion = \"right\"\n{SKIN}[[face.color]]\nrgb = \"#000000\"\nno_go = \"mole\"\n"
    )
}

/// `bytes` with `from` replaced by `to` in the PLY header only (the body may be binary).
fn in_header(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let end = bytes.windows(11).position(|w| w == b"end_header\n").unwrap();
    let mut out = std::str::from_utf8(&bytes[..end]).unwrap().replacen(from, to, 1).into_bytes();
    out.extend_from_slice(&bytes[end..]);
    out
}

#[test]
fn painted_halves_give_the_brute_force_areas_and_the_figures_of_obj_groups() {
    let (mut mesh, png) = painted_square();
    // Brute force: each triangle's UV centroid against the picture's pixel borders.
    let group = |m: &SurfaceMesh, t: usize| {
        let (u, v) = (centroid(m, t, 0) / 40.0, centroid(m, t, 1) / 40.0);
        if u < 0.25 {
            0
        } else if u >= 0.75 && v >= 0.75 {
            2
        } else {
            1
        }
    };
    let groups: Vec<u32> = (0..mesh.triangles.len()).map(|t| group(&mesh, t)).collect();
    let area = |g: u32| mesh.triangles.iter().zip(&groups).filter(|(_, k)| **k == g).map(|(t, _)| mesh.area_mm2(t)).sum::<f64>();
    let (left, right, mole) = (area(0), area(1), area(2));
    assert!((left + right + mole - 1600.0).abs() < 1e-9);
    assert!(left > 300.0 && left < 500.0 && mole > 0.0, "left {left}, mole {mole}");

    // The files list triangles group by group: every form below has the same triangle order.
    mesh.groups = vec!["left".into(), "right".into(), "mole".into()];
    for (t, g) in mesh.triangles.iter_mut().zip(&groups) {
        t.group = *g;
    }
    // The painted run reads groups that name nothing: the picture alone makes the regions.
    let mut unnamed = mesh.clone();
    unnamed.groups = vec!["g0".into(), "g1".into(), "g2".into()];
    let painted = {
        let (dir, out) = run_files(&[
            ("square.obj", to_obj(&unnamed).into_bytes()),
            ("regions.png", png.clone()),
            ("s.toml", scenario("square.obj", &colours()).into_bytes()),
        ]);
        ok(&out);
        (read(dir.path(), "summary.json"), read(dir.path(), "punctures.csv"))
    };
    let s: serde_json::Value = serde_json::from_slice(&painted.0).unwrap();
    for (name, want) in [("left", left), ("right", right)] {
        let got = s["regions"][name]["skin_area_mm2"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{name}: {got} mm², painted split {want} mm²");
    }
    assert_eq!(s["no_go"]["mole"]["punctures"], 0);

    // The same regions as OBJ groups and PLY region numbers, and painted from a PLY.
    let forms: Vec<(&str, Vec<u8>, String)> = vec![
        ("square.obj", to_obj(&mesh).into_bytes(), group_regions()),
        ("square.ply", to_ply(&mesh, PlyFormat::BinaryLittleEndian), group_regions()),
        ("square.ply", to_ply(&mesh, PlyFormat::Ascii), colours()),
    ];
    for (name, bytes, regions) in forms {
        let (dir, out) = run_files(&[(name, bytes), ("regions.png", png.clone()), ("s.toml", scenario(name, &regions).into_bytes())]);
        ok(&out);
        // Painted regions add the load warning on triangles straddling painted borders; groups
        // and region numbers follow the triangles exactly and have none.
        let (summary, want) = if regions == colours() {
            (read(dir.path(), "summary.json"), painted.0.clone())
        } else {
            (read(dir.path(), "summary.json"), without_straddle_warning(&painted.0))
        };
        assert!(summary == want, "{name}: summary differs from the painted one: {}", first_difference(&summary, &want));
        assert!(read(dir.path(), "punctures.csv") == painted.1, "{name} punctures differ from the painted ones");
    }
}

/// A summary.json without the painted-border warning line (it is not the last warning).
fn without_straddle_warning(summary: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(summary).unwrap();
    let kept: Vec<&str> = text.split_inclusive('\n').filter(|l| !l.contains("have corners painted in different colours")).collect();
    assert_eq!(kept.len() + 1, text.split_inclusive('\n').count(), "exactly one painted-border warning");
    kept.concat().into_bytes()
}

/// The first line where two texts differ, both versions.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    a.lines().zip(b.lines()).find(|(x, y)| x != y).map_or_else(|| "lengths differ".into(), |(x, y)| format!("{x:?} vs {y:?}"))
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn bad_ply_files_and_paint_keys_exit_2_naming_the_file_and_write_nothing() {
    let mesh = grouped_cylinder();
    let bin = to_ply(&mesh, PlyFormat::BinaryLittleEndian);
    let ascii = String::from_utf8(to_ply(&mesh, PlyFormat::Ascii)).unwrap();
    let nv = mesh.positions_mm.len();
    let first_vertex = ascii.lines().position(|l| l == "end_header").unwrap() + 1;
    let lines: Vec<String> = ascii.lines().map(String::from).collect();
    let nan = {
        let mut l = lines.clone();
        let mut w: Vec<&str> = l[first_vertex + 1].split(' ').collect();
        w[1] = "NaN";
        l[first_vertex + 1] = w.join(" ");
        l.join("\n") + "\n"
    };
    let bad_index = {
        let mut l = lines.clone();
        l[first_vertex + nv] = format!("3 0 1 {} 0", nv + 7);
        l.join("\n") + "\n"
    };
    let no_uv = ascii.replace("property double u\nproperty double v\n", "");
    let cases: Vec<(&str, Vec<u8>, String, Vec<String>)> = vec![
        ("truncated binary", bin[..bin.len() - 10].to_vec(), group_regions(), vec!["cylinder.ply".into(), "truncated".into()]),
        (
            "wrong counts",
            in_header(&bin, &format!("element vertex {nv}"), &format!("element vertex {}", nv + 1)),
            group_regions(),
            vec!["cylinder.ply".into(), "byte".into(), "the header's counts or types".into()],
        ),
        (
            "NaN",
            nan.into_bytes(),
            group_regions(),
            vec!["cylinder.ply".into(), format!("line {}", first_vertex + 2), "vertex 1: y = NaN".into()],
        ),
        ("missing UVs", no_uv.into_bytes(), group_regions(), vec!["cylinder.ply".into(), "no texture coordinates".into(), "`u v`".into()]),
        (
            "bad index",
            bad_index.into_bytes(),
            group_regions(),
            vec!["cylinder.ply".into(), "face 0".into(), format!("vertex index {} is out of range", nv + 7)],
        ),
        (
            "huge counts",
            ascii.replacen("element face", "element face 4999999\ncomment was: element face", 1).into_bytes(),
            group_regions(),
            vec!["cylinder.ply".into(), "4999999 face".into(), "truncated, or wrong counts".into()],
        ),
        (
            "unknown format",
            ascii.replace("format ascii 1.0", "format binary_middle_endian 1.0").into_bytes(),
            group_regions(),
            vec!["cylinder.ply".into(), "header line 2".into(), "binary_little_endian".into()],
        ),
        (
            "region number missing",
            ascii.replace(" 1\n", " 0\n").into_bytes(),
            group_regions(),
            vec!["cylinder.ply".into(), "no face has region = 1".into(), "\"right\"".into()],
        ),
        ("paint file missing", ascii.clone().into_bytes(), colours(), vec!["regions.png".into()]),
        (
            "paint with regions",
            ascii.clone().into_bytes(),
            colours() + "[[face.region]]\nname = \"left\"\n",
            vec!["face.region".into(), "face.regions_png".into()],
        ),
        (
            "colours without paint",
            ascii.clone().into_bytes(),
            group_regions().replacen("[[face.region]]", "[[face.color]]\nrgb = \"#000000\"\nno_go = \"x\"\n[[face.region]]", 1),
            vec!["face.color".into(), "face.regions_png".into()],
        ),
        (
            "UVs outside the painted square",
            ascii.clone().into_bytes(),
            colours(),
            vec!["cylinder.ply".into(), "triangle 0".into(), "outside the painted square".into()],
        ),
    ];
    let (_, png) = painted_square();
    for (what, bytes, regions, expect) in cases {
        let mut inputs = vec![("cylinder.ply", bytes), ("s.toml", scenario("cylinder.ply", &regions).into_bytes())];
        if what != "paint file missing" {
            inputs.push(("regions.png", png.clone()));
        }
        let (dir, out) = run_files(&inputs);
        let err = bad_input(&out);
        for e in &expect {
            assert!(err.contains(e.as_str()), "{what}: {err:?} lacks {e:?}");
        }
        let mut want: Vec<String> = inputs.iter().map(|(n, _)| n.to_string()).collect();
        want.sort();
        assert_eq!(files(dir.path()), want, "{what}: something was written");
    }
}

/// The bundled example with painted regions runs: both painted regions treated, the mole
/// untouched, and the painted regions' skin within the mesh's.
#[test]
fn the_bundled_painted_scenario_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sc = common::root().join("scenarios/surface-painted.toml");
    ok(&run_in(dir.path(), &["run", sc.to_str().unwrap(), "--out", "out", "--outputs", "summary"]));
    let s: serde_json::Value = serde_json::from_slice(&read(dir.path(), "summary.json")).unwrap();
    let skin = |r: &str| s["regions"][r]["skin_area_mm2"].as_f64().unwrap();
    let mesh = s["mesh"]["skin_area_mm2"].as_f64().unwrap();
    assert!(skin("left") > 0.4 * mesh && skin("right") > 0.4 * mesh, "{}", s["regions"]);
    assert!(skin("left") + skin("right") < 0.95 * mesh, "the white top band and the mole are not in the regions");
    assert_eq!(s["no_go"]["mole"]["punctures"], 0);
    assert!(s["regions"]["left"]["punctures_inside"].as_u64().unwrap() > 0);
    // The painted borders cross the cylinder's quads: the load warning reaches the run's.
    let warnings: Vec<&str> = s["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert!(warnings.iter().any(|w| w.contains("have corners painted in different colours")), "{warnings:?}");
}

/// Triangles whose corners lie on different painted colours are counted, with their skin
/// area, in the face's load warning: the brute-force count from the picture's borders
/// (u = 1/4, u = 3/4 for v ≥ 3/4, v = 3/4 for u ≥ 3/4; no corner lies on a border).
#[test]
fn straddling_triangles_are_counted_in_a_load_warning() {
    use needlesim::io::facemap_file::legend::ColorFile;
    use needlesim::io::mesh_file::uv_paint::load_painted_surface_face;
    let (mesh, png) = painted_square();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("square.obj"), to_obj(&mesh)).unwrap();
    std::fs::write(dir.path().join("regions.png"), &png).unwrap();
    let file: toml::Table = toml::from_str(&colours()).unwrap();
    let colors: Vec<ColorFile> = file["face"]["color"].clone().try_into().unwrap();
    let face = load_painted_surface_face(&dir.path().join("square.obj"), Some("mm"), &dir.path().join("regions.png"), &colors, 0).unwrap();
    let colour = |x: f64, y: f64| {
        let (u, v) = (x / 40.0, y / 40.0);
        if u < 0.25 {
            0
        } else if u >= 0.75 && v >= 0.75 {
            2
        } else {
            1
        }
    };
    let mixed: Vec<usize> = (0..mesh.triangles.len())
        .filter(|&t| {
            let c: Vec<i32> =
                mesh.triangles[t].v.iter().map(|&v| colour(mesh.positions_mm[v as usize][0], mesh.positions_mm[v as usize][1])).collect();
            c[0] != c[1] || c[1] != c[2]
        })
        .collect();
    let area: f64 = mixed.iter().map(|&t| mesh.area_mm2(&mesh.triangles[t])).sum();
    assert!(!mixed.is_empty());
    assert_eq!(face.warnings.len(), 1, "{:?}", face.warnings);
    let w = &face.warnings[0];
    assert!(
        w.starts_with(&format!("{} triangles of square ({area:.1} mm²", mixed.len())),
        "{w} (brute force: {} triangles, {area} mm²)",
        mixed.len()
    );
}

/// The mesh fuzz seeds reach both outcomes: the well-formed ones read into a valid mesh (so
/// the fuzzer starts deep in the reader), the broken ones are refused.
#[test]
fn mesh_fuzz_seeds_reach_both_outcomes() {
    use needlesim::io::mesh_file::parse_mesh;
    let good = [
        "obj-quad-group-a.obj",
        "obj-strip-groups-a-z-b.obj",
        "obj-pentagon-fan.obj",
        "ply-ascii-quad-region-0.ply",
        "ply-ascii-st-uchar-region.ply",
        "ply-ascii-texture-u-v-group.ply",
        "ply-ascii-face-texcoord.ply",
        "ply-ascii-extra-element-edge.ply",
        "ply-binary-le-quad.ply",
        "ply-binary-be-quad.ply",
        "ply-binary-le-float-uint-list.ply",
    ];
    let bad = [
        "obj-nan-vertex.obj",
        "obj-no-uv-index.obj",
        "ply-ascii-nan.ply",
        "ply-ascii-no-uv.ply",
        "ply-ascii-bad-index.ply",
        "ply-ascii-huge-vertex-count.ply",
        "ply-ascii-trailing-data.ply",
        "ply-binary-le-truncated.ply",
        "ply-binary-le-huge-count.ply",
        "ply-binary-le-uint-list-huge.ply",
        "ply-unknown-format.ply",
        "ply-not-ply.ply",
    ];
    for (names, want_ok) in [(&good[..], true), (&bad[..], false)] {
        for name in names {
            let bytes = std::fs::read(common::root().join("fuzz/seeds/mesh").join(name)).unwrap();
            let path = Path::new(name);
            let read =
                parse_mesh(&bytes[1..], bytes[0] % 2 == 1, path).and_then(|m| m.to_mesh(1.0, &[], path)).and_then(|m| m.validate(name));
            assert_eq!(read.is_ok(), want_ok, "{name}: {read:?}");
        }
    }
}
