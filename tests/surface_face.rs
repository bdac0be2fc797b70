//! The built-in face surface: the shipped asset pinned to the shared ICT source, regions,
//! no-go zones, identity morphs.

#[path = "surface_face/convert.rs"]
mod convert;

use std::path::PathBuf;

use needlesim::face::surface::asset::{self, IctAsset};
use needlesim::face::surface::builtin_surface_face;
use needlesim::raster::domain::Domain;
use needlesim::surface::{SurfaceMesh, Triangle};

/// The shared source, outside the repository (CI's clone may not have it).
fn source_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/meshes/ict-face");
    if dir.join("face_neck_neutral.obj").exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED (source absent): {} not found; the asset is checked only against its recorded SHA-256", dir.display());
        None
    }
}

#[test]
fn the_asset_regenerates_byte_for_byte_from_the_shared_source() {
    let Some(dir) = source_dir() else { return };
    let src = convert::read_source(&dir);
    let bytes = convert::convert(&src);
    if std::env::var_os("NEEDLESIM_UPDATE_ASSET").is_some() {
        std::fs::write(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/face/surface/data/ict_face.bin"), &bytes).unwrap();
        eprintln!("wrote the asset ({} bytes)", bytes.len());
        return;
    }
    assert!(bytes == asset::BYTES, "the shipped asset differs from the converter's output; regenerate with NEEDLESIM_UPDATE_ASSET=1");
    let a = IctAsset::decode(asset::BYTES).unwrap();
    eprintln!("{} vertices, {} uvs, {} quads, {} modes", a.positions_mm.len(), a.uvs.len(), a.quads.len(), a.modes_mm.len());
}

/// A debug picture of the UV chart coloured by group, with the landmarks: `output/`.
#[test]
fn debug_picture_of_the_regions() {
    let face = needlesim::face::surface::builtin_surface_face(&[]).unwrap();
    let (w, h, s) = (1800usize, 900usize, 900.0);
    let mut img = vec![255u8; w * h * 3];
    let palette: Vec<[u8; 3]> = (0..face.mesh.groups.len())
        .map(|g| {
            let name = &face.mesh.groups[g];
            if name.is_empty() {
                [200, 200, 200]
            } else if g >= face.regions.len() {
                [20, 20, 20]
            } else {
                let x = (g as u32).wrapping_mul(2654435761);
                [60 + (x >> 8) as u8 % 190, 60 + (x >> 16) as u8 % 190, 60 + (x >> 24) as u8 % 190]
            }
        })
        .collect();
    let fill = |img: &mut Vec<u8>, w: usize, h: usize, c: [[f64; 2]; 3], colour: [u8; 3]| {
        let (x0, x1) = (c.iter().map(|p| p[0]).fold(f64::MAX, f64::min), c.iter().map(|p| p[0]).fold(f64::MIN, f64::max));
        let (y0, y1) = (c.iter().map(|p| p[1]).fold(f64::MAX, f64::min), c.iter().map(|p| p[1]).fold(f64::MIN, f64::max));
        for y in (y0.max(0.0).floor() as usize)..=(y1.ceil().max(0.0) as usize).min(h - 1) {
            for x in (x0.max(0.0).floor() as usize)..=(x1.ceil().max(0.0) as usize).min(w - 1) {
                let p = [x as f64 + 0.5, y as f64 + 0.5];
                let e = |a: [f64; 2], b: [f64; 2]| (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
                let (d0, d1, d2) = (e(c[0], c[1]), e(c[1], c[2]), e(c[2], c[0]));
                if (d0 >= 0.0 && d1 >= 0.0 && d2 >= 0.0) || (d0 <= 0.0 && d1 <= 0.0 && d2 <= 0.0) {
                    img[(y * w + x) * 3..][..3].copy_from_slice(&colour);
                }
            }
        }
    };
    for t in &face.mesh.triangles {
        fill(&mut img, w, h, face.mesh.corners_uv(t).map(|p| [p[0] * s, (1.0 - p[1]) * s]), palette[t.group as usize]);
    }
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("output");
    std::fs::create_dir_all(&out).unwrap();
    let save = |name: &str, img: &[u8], w: usize, h: usize| {
        let file = std::fs::File::create(out.join(name)).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.write_header().unwrap().write_image_data(img).unwrap();
    };
    save("surface-face-regions.png", &img, w, h);
    // A frontal view (x to the picture's right is the person's left, as on the flat map),
    // far triangles first, shaded by the normal's z.
    let (fw, fh, px_mm, x_mid, y_top) = (1000usize, 1400usize, 4.0, 500.0, 140.0);
    let mut front = vec![255u8; fw * fh * 3];
    let mut order: Vec<&Triangle> = face.mesh.triangles.iter().collect();
    order.sort_by(|a, b| {
        let z = |t: &Triangle| face.mesh.corners_mm(t).iter().map(|p| p[2]).sum::<f64>();
        z(a).total_cmp(&z(b))
    });
    for t in order {
        let c = face.mesh.corners_mm(t);
        let (u, v) = ([0, 1, 2].map(|k| c[1][k] - c[0][k]), [0, 1, 2].map(|k| c[2][k] - c[0][k]));
        let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        let shade = 0.4 + 0.6 * (n[2] / (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt()).abs();
        let colour = palette[t.group as usize].map(|c| (c as f64 * shade) as u8);
        fill(&mut front, fw, fh, c.map(|p| [x_mid + p[0] * px_mm, (y_top - p[1]) * px_mm]), colour);
    }
    save("surface-face-front.png", &front, fw, fh);
    let areas = face.group_areas_mm2();
    for (g, a) in face.mesh.groups.iter().zip(&areas) {
        eprintln!("{g:>24} {:8.1} cm²", a / 100.0);
    }
}

/// FNV-1a, 64 bit: enough to notice an accidental edit of the asset.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The recorded fingerprint of `src/face/surface/data/ict_face.bin` (update with the asset).
const ASSET_FNV1A64: u64 = 13813111025249021999;

#[test]
fn the_asset_bytes_match_their_recorded_fingerprint() {
    assert_eq!(fnv1a64(asset::BYTES), ASSET_FNV1A64, "ict_face.bin changed: regenerate it from the source and record the new fingerprint");
}

#[test]
fn the_decoded_asset_matches_the_source_within_its_quantum() {
    let Some(dir) = source_dir() else { return };
    let src = convert::read_source(&dir);
    let a = IctAsset::decode(asset::BYTES).unwrap();
    let mut worst = [0.0f64; 3];
    for (i, &s) in a.source_index.iter().enumerate() {
        let s = s as usize;
        for k in 0..3 {
            worst[0] = worst[0].max((a.positions_mm[i][k] - src.positions_cm[s][k] * 10.0).abs());
            for (m, mode) in src.modes_cm.iter().enumerate() {
                worst[1] = worst[1].max((a.modes_mm[m][i][k] - mode[s][k] * 10.0).abs());
            }
        }
    }
    let mut used = std::collections::HashMap::new();
    let kept: Vec<_> = src.quads.iter().filter(|q| convert::kept(&src, q)).collect();
    assert_eq!(kept.len(), a.quads.len());
    for (q, aq) in kept.iter().zip(&a.quads) {
        for c in 0..4 {
            assert_eq!(a.source_index[aq.v[c] as usize] as usize, q.0[c], "quad corner vertex");
            used.insert(aq.uv[c], q.1[c]);
        }
    }
    for (t, s) in used {
        for k in 0..2 {
            worst[2] = worst[2].max((a.uvs[t as usize][k] - src.uvs[s][k]).abs());
        }
    }
    eprintln!("worst decode error: position {:.2e} mm, mode {:.2e} mm, uv {:.2e}", worst[0], worst[1], worst[2]);
    assert!(worst[0] <= 0.5 * asset::POSITION_UNIT_MM + 1e-9, "positions {}", worst[0]);
    assert!(worst[1] <= 0.5 * asset::MODE_UNIT_MM + 1e-9, "modes {}", worst[1]);
    assert!(worst[2] <= 0.5 * asset::UV_UNIT + 1e-12, "uvs {}", worst[2]);
}

/// Frontal projected area of a triangle (onto the xy plane), mm².
fn projected_mm2(m: &SurfaceMesh, t: &Triangle) -> f64 {
    let [a, b, c] = m.corners_mm(t);
    0.5 * ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs()
}

#[test]
fn the_readme_narrow_face_areas_are_reproduced() {
    let Some(dir) = source_dir() else { return };
    let src = convert::read_source(&dir);
    // Polygons 1–6,560 of the source, split on the same diagonal as the built-in face.
    let mut mesh = SurfaceMesh {
        positions_mm: src.positions_cm.iter().map(|p| p.map(|x| x * 10.0)).collect(),
        uvs: src.uvs.clone(),
        triangles: Vec::new(),
        groups: vec![String::new()],
    };
    for (v, t, _) in &src.quads[..6560] {
        let (v, t) = (v.map(|i| i as u32), t.map(|i| i as u32));
        mesh.triangles.push(Triangle { v: [v[0], v[1], v[2]], uv: [t[0], t[1], t[2]], group: 0 });
        mesh.triangles.push(Triangle { v: [v[0], v[2], v[3]], uv: [t[0], t[2], t[3]], group: 0 });
    }
    let skin_cm2 = mesh.total_area_mm2() / 100.0;
    let projected_cm2 = mesh.triangles.iter().map(|t| projected_mm2(&mesh, t)).sum::<f64>() / 100.0;
    eprintln!("narrow face: {skin_cm2:.1} cm² of skin, {projected_cm2:.1} cm² projected");
    assert!((skin_cm2 / 463.0 - 1.0).abs() < 0.005, "{skin_cm2}");
    assert!((projected_cm2 / 244.0 - 1.0).abs() < 0.005, "{projected_cm2}");
}

#[test]
fn region_no_go_and_unassigned_areas_add_up_to_the_mesh_area() {
    let face = builtin_surface_face(&[]).unwrap();
    let sum: f64 = face.group_areas_mm2().iter().sum();
    let total = face.mesh.total_area_mm2();
    assert!((sum / total - 1.0).abs() < 1e-6, "{sum} vs {total}");
    assert_eq!(face.mesh.groups.len(), face.regions.len() + face.no_go.len() + 1);
    // What the surface machinery requires: finite positions, every triangle with positive 3D
    // area and counter-clockwise (positive) UV area.
    assert!(face.mesh.positions_mm.iter().flatten().all(|x| x.is_finite()));
    let (min_area, min_uv) =
        face.mesh.triangles.iter().fold((f64::MAX, f64::MAX), |(a, u), t| (a.min(face.mesh.area_mm2(t)), u.min(face.mesh.uv_area(t))));
    eprintln!("{} triangles; smallest area {min_area:.3e} mm², smallest UV area {min_uv:.3e}", face.mesh.triangles.len());
    assert!(min_area > 0.0 && min_uv > 0.0);
}

#[test]
fn every_region_has_plausible_skin_and_matches_the_flat_map() {
    let face = builtin_surface_face(&[]).unwrap();
    let flat = needlesim::face::default_face().unwrap();
    let mut projected = vec![0.0; face.mesh.groups.len()];
    for t in &face.mesh.triangles {
        projected[t.group as usize] += projected_mm2(&face.mesh, t);
    }
    let skin = face.group_areas_mm2();
    eprintln!("{:>24} {:>10} {:>10} {:>7}", "group", "skin cm²", "proj. cm²", "ratio");
    for (g, name) in face.mesh.groups.iter().enumerate() {
        eprintln!(
            "{:>24} {:10.1} {:10.1} {:7.2}",
            if name.is_empty() { "(unassigned)" } else { name },
            skin[g] / 100.0,
            projected[g] / 100.0,
            skin[g] / projected[g]
        );
    }
    let n = face.regions.len();
    let treated: f64 = skin[..n].iter().sum();
    eprintln!("{:>24} {:10.1} {:10.1}", "regions", treated / 100.0, projected[..n].iter().sum::<f64>() / 100.0);
    for (i, r) in face.regions.iter().enumerate() {
        // Every region is on the flat map with the same skin and depth (one copy of the numbers).
        let f = flat.region(flat.region_index(&r.name).unwrap_or_else(|| panic!("{} on the flat map", r.name)));
        assert_eq!(f, r);
        // Plausible: from a few cm² (an eyelid) to a few hundred (the neck).
        assert!((200.0..40_000.0).contains(&skin[i]), "{}: {} mm²", r.name, skin[i]);
        // Skin is never less than its frontal projection.
        assert!(skin[i] >= projected[i], "{}", r.name);
    }
    for z in 0..face.no_go.len() {
        assert!((50.0..3_000.0).contains(&skin[n + z]), "{}: {} mm²", face.no_go[z], skin[n + z]);
    }
    // The treated face and neck: more skin than the flat map's projection of the same regions.
    let flat_cm2: f64 = face.regions.iter().map(|r| flat.area_mm2(flat.region_index(&r.name).unwrap())).sum::<f64>() / 100.0;
    eprintln!("flat map, same regions: {flat_cm2:.1} cm² projected");
    assert!(treated / 100.0 > 1.3 * flat_cm2);
}

#[test]
fn left_and_right_regions_mirror_each_other() {
    let face = builtin_surface_face(&[]).unwrap();
    let areas = face.group_areas_mm2();
    let index = |name: &str| face.mesh.groups.iter().position(|g| g == name).unwrap();
    let mut pairs = 0;
    for name in &face.mesh.groups {
        if let Some(stem) = name.strip_suffix("_left") {
            let (l, r) = (areas[index(name)], areas[index(&format!("{stem}_right"))]);
            assert!((l / r - 1.0).abs() < 0.03, "{stem}: {l} vs {r}");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 8);
    // Left is the person's left: x > 0.
    let cheek = index("cheek_left") as u32;
    assert!(face.mesh.triangles.iter().filter(|t| t.group == cheek).all(|t| face.mesh.corners_mm(t).iter().all(|p| p[0] > 0.0)));
}

/// Boundary loops of a mesh (edges used by one triangle), as vertex lists.
fn boundary_loops(m: &SurfaceMesh) -> Vec<Vec<u32>> {
    let mut count = std::collections::BTreeMap::new();
    for t in &m.triangles {
        for k in 0..3 {
            let (a, b) = (t.v[k], t.v[(k + 1) % 3]);
            *count.entry((a.min(b), a.max(b))).or_insert(0) += 1;
        }
    }
    let mut adj: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (&(a, b), &n) in &count {
        if n == 1 {
            adj.entry(a).or_default().push(b);
            adj.entry(b).or_default().push(a);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut loops = Vec::new();
    for &s in adj.keys() {
        let mut comp = Vec::new();
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            if seen.insert(x) {
                comp.push(x);
                stack.extend(&adj[&x]);
            }
        }
        if !comp.is_empty() {
            loops.push(comp);
        }
    }
    loops
}

#[test]
fn no_go_rings_surround_the_eye_and_mouth_holes() {
    let face = builtin_surface_face(&[]).unwrap();
    let m = &face.mesh;
    let a = IctAsset::decode(asset::BYTES).unwrap();
    let group = |name: &str| m.groups.iter().position(|g| g == name).unwrap() as u32;
    // Vertices of a zone's triangles.
    let zone_vertices =
        |g: u32| -> std::collections::BTreeSet<u32> { m.triangles.iter().filter(|t| t.group == g).flat_map(|t| t.v).collect() };
    // (landmark on the hole's edge, zone): eye landmarks 3756 (left) and 1542 (right), inner lip 5533.
    for (landmark, zone) in [(3756u32, "eye_left"), (1542, "eye_right"), (5533, "lip_vermilion")] {
        let p = m.positions_mm[a.vertex(landmark).unwrap()];
        let holes: Vec<_> = boundary_loops(m)
            .into_iter()
            .filter(|l| {
                l.iter().all(|&v| {
                    let q = m.positions_mm[v as usize];
                    ((q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2) + (q[2] - p[2]).powi(2)).sqrt() < 35.0
                })
            })
            .collect();
        assert_eq!(holes.len(), 1, "{zone}: one hole near its landmark");
        let inside = zone_vertices(group(zone));
        let missing: Vec<_> = holes[0].iter().filter(|v| !inside.contains(v)).collect();
        assert!(missing.is_empty(), "{zone}: hole vertices outside the zone: {missing:?}");
        eprintln!("{zone}: hole of {} rim vertices, all inside the zone", holes[0].len());
    }
}

#[test]
fn identity_zero_is_the_neutral_mesh_and_regions_stay_under_morphs() {
    let a = IctAsset::decode(asset::BYTES).unwrap();
    let neutral = builtin_surface_face(&[]).unwrap();
    let zeros = builtin_surface_face(&[0.0; 20]).unwrap();
    assert_eq!(neutral.mesh, zeros.mesh);
    assert_eq!(neutral.mesh.positions_mm, a.positions_mm);
    let w = [2.0, -1.0, 0.5];
    let morphed = builtin_surface_face(&w).unwrap();
    assert_eq!(morphed.identity, w);
    assert_eq!(morphed.mesh.triangles, neutral.mesh.triangles);
    // Displacement = Σ w·mode exactly (up to rounding), checked at one vertex by hand.
    let v = a.vertex(966).unwrap();
    for k in 0..3 {
        let expect = a.positions_mm[v][k] + w.iter().enumerate().map(|(m, w)| w * a.modes_mm[m][v][k]).sum::<f64>();
        assert!((morphed.mesh.positions_mm[v][k] - expect).abs() < 1e-9);
    }
    // A face 2 sd along mode 0 differs in area by a plausible amount (people differ by a few %
    // to ~20 % in face area), and each side remains a mirror of the other.
    let (a0, a1) = (neutral.mesh.total_area_mm2(), morphed.mesh.total_area_mm2());
    eprintln!("area: neutral {:.1} cm², identity {w:?} {:.1} cm² ({:+.1} %)", a0 / 100.0, a1 / 100.0, 100.0 * (a1 / a0 - 1.0));
    assert!((0.005..0.4).contains(&(a1 / a0 - 1.0).abs()));
    for m in 0..20 {
        let mut one = [0.0; 20];
        one[m] = 3.0;
        let f = builtin_surface_face(&one).unwrap();
        let r = f.mesh.total_area_mm2() / a0 - 1.0;
        eprintln!("mode {m:2} at +3 sd: area {:+.1} %", 100.0 * r);
        assert!(r.abs() < 0.5, "mode {m}: {r}");
    }
}

#[test]
fn bad_identity_weights_are_refused_with_the_index_and_range() {
    for (w, needle) in [
        (vec![0.0, 5.5], "face.identity[1]"),
        (vec![f64::NAN], "face.identity[0]"),
        (vec![0.0, 0.0, -f64::INFINITY], "face.identity[2]"),
        (vec![-5.01], "±5"),
        (vec![0.0; 21], "at most 20"),
    ] {
        let e = builtin_surface_face(&w).unwrap_err().to_string();
        assert!(e.contains(needle), "{w:?}: {e}");
    }
    assert!(builtin_surface_face(&[5.0, -5.0]).is_ok());
}
