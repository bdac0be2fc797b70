//! Wavefront OBJ: `v x y z`, `vt u v`, `f a/ta b/tb c/tc …` (polygons fan-split into
//! triangles, negative indices relative to the end, `v/vt/vn` accepted, normals ignored),
//! `g name` (the group of the faces that follow: the region or no-go zone; faces before any
//! `g` are in the group `""`, unassigned). Other statements (`vn`, `o`, `s`, `usemtl`,
//! `mtllib`, comments) are skipped. Errors name the file and line.

use std::path::Path;

use crate::error::{Error, Result};
use crate::surface::{SurfaceMesh, Triangle};

use super::{Labels, MAX_ELEMENTS, MeshData};

/// Parse OBJ text; `path` names the file in errors (`path: line N: …`).
pub fn parse_obj(text: &str, path: &Path) -> Result<MeshData> {
    let mut m = MeshData::default();
    let mut groups: Vec<String> = Vec::new();
    let mut group: Option<u32> = None;
    for (ln, line) in text.lines().enumerate() {
        let at = |what: String| Error::parse(path, format!("line {}: {what}", ln + 1));
        let line = line.split('#').next().unwrap_or("").trim();
        let mut it = line.split_whitespace();
        let Some(tag) = it.next() else { continue };
        let nums = |it: std::str::SplitWhitespace, n: usize, what: &str| -> Result<Vec<f64>> {
            let v: Vec<&str> = it.collect();
            if v.len() < n {
                return Err(at(format!("{what} has {} numbers, needs {n}", v.len())));
            }
            v.iter()
                .take(n)
                .map(|s| s.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| at(format!("{what}: {s:?} is not a finite number"))))
                .collect()
        };
        match tag {
            "v" => {
                let v = nums(it, 3, "vertex")?;
                m.positions.push([v[0], v[1], v[2]]);
            }
            "vt" => {
                let v = nums(it, 2, "texture coordinate")?;
                m.uvs.push([v[0], v[1]]);
            }
            "g" => {
                let name = it.next().unwrap_or("").to_string();
                group = Some(match groups.iter().position(|g| *g == name) {
                    Some(k) => k as u32,
                    None => {
                        groups.push(name);
                        (groups.len() - 1) as u32
                    }
                });
            }
            "f" => {
                let g = match group {
                    Some(g) => g,
                    None => {
                        let k = groups.iter().position(|g| g.is_empty()).unwrap_or_else(|| {
                            groups.push(String::new());
                            groups.len() - 1
                        });
                        group = Some(k as u32);
                        k as u32
                    }
                };
                let mut corners = Vec::new();
                for (k, c) in it.enumerate() {
                    let mut parts = c.split('/');
                    let index = |s: Option<&str>, count: usize, what: &str| -> Result<u32> {
                        let s = s.filter(|s| !s.is_empty()).ok_or_else(|| {
                            at(format!(
                                "face corner {} {c:?} has no {what} index (every corner needs v/vt: the mesh needs a UV chart)",
                                k + 1
                            ))
                        })?;
                        let i: i64 = s.parse().map_err(|_| at(format!("face corner {} {c:?}: {s:?} is not an index", k + 1)))?;
                        let resolved = if i < 0 { count as i64 + i } else { i - 1 };
                        if i == 0 || resolved < 0 || resolved >= count as i64 {
                            return Err(at(format!(
                                "face corner {} {c:?}: {what} index {i} is out of range (1..={count} so far, or -1..=-{count})",
                                k + 1
                            )));
                        }
                        Ok(resolved as u32)
                    };
                    let v = index(parts.next(), m.positions.len(), "vertex")?;
                    let t = index(parts.next(), m.uvs.len(), "texture")?;
                    corners.push((v, t));
                }
                if corners.len() < 3 {
                    return Err(at(format!("a face with {} corners; at least 3 are needed", corners.len())));
                }
                for k in 1..corners.len() - 1 {
                    let (a, b, c) = (corners[0], corners[k], corners[k + 1]);
                    m.triangles.push(Triangle { v: [a.0, b.0, c.0], uv: [a.1, b.1, c.1], group: g });
                }
            }
            _ => {}
        }
        if m.positions.len() > MAX_ELEMENTS || m.uvs.len() > MAX_ELEMENTS || m.triangles.len() > MAX_ELEMENTS {
            return Err(at(format!("more than {MAX_ELEMENTS} vertices, texture coordinates or triangles")));
        }
    }
    m.labels = Labels::Names(groups);
    Ok(m)
}

/// The OBJ text of a mesh (positions in mm, one `g` per group): for example meshes and tests.
pub fn to_obj(mesh: &SurfaceMesh) -> String {
    use std::fmt::Write;
    let mut s = String::from("# written by needlesim (units: mm)\n");
    for p in &mesh.positions_mm {
        let _ = writeln!(s, "v {} {} {}", p[0], p[1], p[2]);
    }
    for t in &mesh.uvs {
        let _ = writeln!(s, "vt {} {}", t[0], t[1]);
    }
    for (g, name) in mesh.groups.iter().enumerate() {
        let _ = writeln!(s, "g {name}");
        for t in mesh.triangles.iter().filter(|t| t.group as usize == g) {
            let _ = writeln!(s, "f {}/{} {}/{} {}/{}", t.v[0] + 1, t.uv[0] + 1, t.v[1] + 1, t.uv[1] + 1, t.v[2] + 1, t.uv[2] + 1);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::mesh_file::mm_per_unit;

    const QUAD: &str = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\ng cheek\nf 1/1 2/2 3/3 4/4\n";

    #[test]
    fn a_quad_in_cm_is_two_triangles_in_mm() {
        let obj = parse_obj(QUAD, Path::new("q.obj")).unwrap();
        assert_eq!(obj.triangles.len(), 2);
        let m = obj.to_mesh(mm_per_unit("face.units", Some("cm")).unwrap(), &["cheek".into()], Path::new("q.obj")).unwrap();
        assert_eq!(m.groups, vec!["cheek".to_string()]);
        assert!((m.total_area_mm2() - 100.0).abs() < 1e-12);
        m.validate("q.obj").unwrap();
        let back = parse_obj(&to_obj(&m), Path::new("r.obj")).unwrap();
        assert_eq!(back.triangles, m.triangles);
    }

    #[test]
    fn bad_files_name_the_line_and_what_is_allowed() {
        let e = |t: &str| parse_obj(t, Path::new("x.obj")).unwrap_err().to_string();
        assert!(e("v 0 0\n").contains("x.obj: line 1: vertex has 2 numbers, needs 3"));
        assert!(e("v 0 0 nan\n").contains("line 1") && e("v 0 0 nan\n").contains("finite"));
        assert!(e("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n").contains("no texture index"));
        assert!(e("v 0 0 0\nvt 0 0\nf 1/1 2/1 3/1\n").contains("vertex index 2 is out of range"));
        assert!(e("v 0 0 0\nvt 0 0\nf 1/1 1/1\n").contains("line 3: a face with 2 corners"));
        assert!(mm_per_unit("face.units", None).unwrap_err().to_string().contains("face.units = missing"));
        assert!(mm_per_unit("face.units", Some("inch")).unwrap_err().to_string().contains("\"mm\", \"cm\" or \"m\""));
        let obj = parse_obj(QUAD, Path::new("q.obj")).unwrap();
        let e = obj.to_mesh(1.0, &["nose".into()], Path::new("q.obj")).unwrap_err().to_string();
        assert!(e.contains("no group (g) named \"nose\"") && e.contains("cheek"), "{e}");
    }

    /// A small fuzz: mutated OBJ text (bytes dropped, duplicated, replaced by OBJ-ish
    /// tokens) never panics the reader, the mesh check or the chart.
    #[test]
    fn mutated_files_never_panic() {
        let base = format!("{QUAD}v 0 0 1\nvt 0.5 0.5\nf 1/1 2/2 5/5\ng z\nf -1/-1 -2/-2 -3/-3\n");
        let tokens = [" ", "\n", "/", "-", "0", "1e308", "nan", "f ", "g ", "vt ", "v ", "//", "9", "-7"];
        let mut s = 0x2545f4914f6cdd1du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..3000 {
            let mut t: Vec<char> = base.chars().collect();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % (t.len() + 1);
                match next() % 3 {
                    0 if at < t.len() => {
                        t.remove(at);
                    }
                    1 => t.splice(at..at, tokens[(next() as usize) % tokens.len()].chars()).for_each(drop),
                    _ => {
                        let c = t.get(at).copied().unwrap_or('1');
                        t.insert(at, c);
                    }
                }
            }
            let text: String = t.into_iter().collect();
            if let Ok(obj) = parse_obj(&text, Path::new("f.obj")) {
                for order in [vec!["cheek".to_string()], vec![]] {
                    if let Ok(m) = obj.to_mesh(10.0, &order, Path::new("f.obj")) {
                        let _ = crate::surface::Chart::new(&m, "f.obj");
                    }
                }
            }
        }
    }
}
