//! The converter from the shared ICT-FaceKit Light files to the shipped binary asset
//! (`src/face/surface/data/ict_face.bin`). Test-only: it reads files, the library never does.
//! The format is documented in `needlesim::face::surface::asset`; this writes exactly that.
//!
//! **What is kept** (the part of the model that is treated): every quad of the `face` group,
//! and the quads of `head_neck` whose centroid lies below the menton (landmark vertex 966) by
//! less than the neck length (`NECK_LENGTH_MM`, the flat map's 85 mm), within the neck's
//! half-width (`NECK_HALF_WIDTH_MM`: wider, the mesh flares into the shoulders) and in front of the coronal plane through the rearmost point of the `face` group (the back of the
//! ears): the sides of the neck. The scalp, the back of the head and the nape are dropped.
//! Vertices and UVs used by the kept quads are kept in source order.

use std::path::Path;

use needlesim::face::surface::asset::{MAGIC, MODE_UNIT_MM, POSITION_UNIT_MM, UV_UNIT};
use needlesim::face::surface::regions::{MENTON, NECK_HALF_WIDTH_MM, NECK_LENGTH_MM};

/// The source files parsed: positions (cm), UVs, quads (0-based vertex and UV indices, group
/// name), modes (cm, `modes[m][v]`).
pub struct Source {
    pub positions_cm: Vec<[f64; 3]>,
    pub uvs: Vec<[f64; 2]>,
    pub quads: Vec<([usize; 4], [usize; 4], String)>,
    pub modes_cm: Vec<Vec<[f64; 3]>>,
}

pub fn read_source(dir: &Path) -> Source {
    let obj = std::fs::read_to_string(dir.join("face_neck_neutral.obj")).expect("face_neck_neutral.obj");
    let (mut positions_cm, mut uvs, mut quads) = (Vec::new(), Vec::new(), Vec::new());
    let mut group = String::new();
    for (n, line) in obj.lines().enumerate() {
        let mut it = line.split_whitespace();
        let nums = |it: std::str::SplitWhitespace| -> Vec<f64> {
            it.map(|s| s.parse::<f64>().unwrap_or_else(|e| panic!("OBJ line {}: {s:?}: {e}", n + 1))).collect()
        };
        match it.next() {
            Some("v") => {
                let p = nums(it);
                positions_cm.push([p[0], p[1], p[2]]);
            }
            Some("vt") => {
                let p = nums(it);
                uvs.push([p[0], p[1]]);
            }
            Some("g") => group = it.next().unwrap_or("").to_string(),
            Some("f") => {
                let c: Vec<(usize, usize)> = it
                    .map(|s| {
                        let (v, t) = s.split_once('/').unwrap_or_else(|| panic!("OBJ line {}: {s:?} is not v/vt", n + 1));
                        (v.parse::<usize>().unwrap() - 1, t.parse::<usize>().unwrap() - 1)
                    })
                    .collect();
                assert_eq!(c.len(), 4, "OBJ line {}: a quad", n + 1);
                quads.push(([c[0].0, c[1].0, c[2].0, c[3].0], [c[0].1, c[1].1, c[2].1, c[3].1], group.clone()));
            }
            _ => {}
        }
    }
    let csv = std::fs::read_to_string(dir.join("identity_modes.csv")).expect("identity_modes.csv");
    let mut modes_cm: Vec<Vec<[f64; 3]>> = Vec::new();
    for (n, line) in csv.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("mode") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let (m, v): (usize, usize) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let d: Vec<f64> = f[2..5].iter().map(|s| s.parse().unwrap_or_else(|e| panic!("CSV line {}: {s:?}: {e}", n + 1))).collect();
        if modes_cm.len() <= m {
            modes_cm.resize(m + 1, vec![[f64::NAN; 3]; positions_cm.len()]);
        }
        modes_cm[m][v] = [d[0], d[1], d[2]];
    }
    Source { positions_cm, uvs, quads, modes_cm }
}

/// Is source quad `q` part of the treated mesh? (See the module doc.)
pub fn kept(src: &Source, q: &([usize; 4], [usize; 4], String)) -> bool {
    if q.2 == "face" {
        return true;
    }
    let back_of_ears_cm =
        src.quads.iter().filter(|q| q.2 == "face").flat_map(|q| q.0).map(|v| src.positions_cm[v][2]).fold(f64::INFINITY, f64::min);
    let c = |k: usize| q.0.iter().map(|&v| src.positions_cm[v][k]).sum::<f64>() / 4.0;
    let menton_y_cm = src.positions_cm[MENTON as usize][1];
    q.2 == "head_neck"
        && c(1) < menton_y_cm
        && c(1) > menton_y_cm - NECK_LENGTH_MM / 10.0
        && c(0).abs() < NECK_HALF_WIDTH_MM / 10.0
        && c(2) > back_of_ears_cm
}

fn quantise(x: f64, unit: f64, what: &str) -> i64 {
    let q = (x / unit).round();
    assert!(q.is_finite(), "{what}: {x} is not finite");
    q as i64
}

/// The asset bytes (see `needlesim::face::surface::asset` for the layout).
pub fn convert(src: &Source) -> Vec<u8> {
    let quads: Vec<&([usize; 4], [usize; 4], String)> = src.quads.iter().filter(|q| kept(src, q)).collect();
    let mut used_v = vec![false; src.positions_cm.len()];
    let mut used_t = vec![false; src.uvs.len()];
    for q in &quads {
        q.0.iter().for_each(|&v| used_v[v] = true);
        q.1.iter().for_each(|&t| used_t[t] = true);
    }
    let renumber = |used: &[bool]| -> (Vec<usize>, Vec<u32>) {
        let kept: Vec<usize> = (0..used.len()).filter(|&i| used[i]).collect();
        let mut new = vec![u32::MAX; used.len()];
        kept.iter().enumerate().for_each(|(n, &i)| new[i] = n as u32);
        (kept, new)
    };
    let (verts, new_v) = renumber(&used_v);
    let (uvs, new_t) = renumber(&used_t);
    assert!(verts.len() <= u16::MAX as usize && uvs.len() <= u16::MAX as usize);

    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    for n in [verts.len(), uvs.len(), quads.len(), src.modes_cm.len()] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    for &v in &verts {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    for &v in &verts {
        for k in 0..3 {
            let q = quantise(src.positions_cm[v][k] * 10.0, POSITION_UNIT_MM, "position");
            out.extend_from_slice(&i32::try_from(q).expect("position fits i32").to_le_bytes());
        }
    }
    for &t in &uvs {
        for k in 0..2 {
            let q = quantise(src.uvs[t][k], UV_UNIT, "uv");
            out.extend_from_slice(&u32::try_from(q).expect("uv fits u32").to_le_bytes());
        }
    }
    for q in &quads {
        for &v in &q.0 {
            out.extend_from_slice(&(new_v[v] as u16).to_le_bytes());
        }
        for &t in &q.1 {
            out.extend_from_slice(&(new_t[t] as u16).to_le_bytes());
        }
    }
    for mode in &src.modes_cm {
        for &v in &verts {
            for d_cm in mode[v] {
                let q = quantise(d_cm * 10.0, MODE_UNIT_MM, "mode");
                out.extend_from_slice(&i16::try_from(q).expect("mode displacement fits i16").to_le_bytes());
            }
        }
    }
    out
}
