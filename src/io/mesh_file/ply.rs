//! PLY (Stanford polygon files): `format ascii 1.0`, `binary_little_endian 1.0` or
//! `binary_big_endian 1.0`.
//!
//! - `element vertex N` with scalar properties `x y z` and texture coordinates as one of the
//!   pairs `u v`, `s t` or `texture_u texture_v` (any numeric type; the chart's UVs), or,
//!   when the vertices have none, a face list `texcoord` of two values per corner (MeshLab's
//!   per-wedge UVs).
//! - `element face M` with a list `vertex_indices` (or `vertex_index`) of integer indices
//!   from 0: triangles, quads and larger polygons, all fan-split from their first corner as in
//!   OBJ (a concave polygon gives flipped triangles, which the mesh check refuses); an
//!   optional integer `region` (or `group`) property, the face's region number.
//! - Any other element, property or `comment` / `obj_info` line is read and skipped.
//!
//! Safety: the header's counts are bounded by the file's size before anything is read (each
//! element needs at least its fixed bytes in binary, one character and a separator per value
//! in ASCII) and by [`MAX_ELEMENTS`]; a binary list's length is checked against the bytes
//! left; data after the last element is refused. Errors name the file, the header line, or
//! the line (ASCII) / byte offset (binary) with the element and its index.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::surface::{SurfaceMesh, Triangle};

use super::{Labels, MAX_ELEMENTS, MeshData};

/// The three PLY encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlyFormat {
    Ascii,
    BinaryLittleEndian,
    BinaryBigEndian,
}

impl PlyFormat {
    fn name(self) -> &'static str {
        match self {
            PlyFormat::Ascii => "ascii",
            PlyFormat::BinaryLittleEndian => "binary_little_endian",
            PlyFormat::BinaryBigEndian => "binary_big_endian",
        }
    }
}

/// A scalar type of the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

const TYPES: &str = "char, uchar, short, ushort, int, uint, float, double (or int8 … float64)";

impl Scalar {
    fn parse(s: &str) -> Option<Scalar> {
        Some(match s {
            "char" | "int8" => Scalar::I8,
            "uchar" | "uint8" => Scalar::U8,
            "short" | "int16" => Scalar::I16,
            "ushort" | "uint16" => Scalar::U16,
            "int" | "int32" => Scalar::I32,
            "uint" | "uint32" => Scalar::U32,
            "float" | "float32" => Scalar::F32,
            "double" | "float64" => Scalar::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::F64 => 8,
        }
    }

    fn is_int(self) -> bool {
        !matches!(self, Scalar::F32 | Scalar::F64)
    }

    /// The integer range of an integer type.
    fn range(self) -> (i64, i64) {
        match self {
            Scalar::I8 => (i8::MIN as i64, i8::MAX as i64),
            Scalar::U8 => (0, u8::MAX as i64),
            Scalar::I16 => (i16::MIN as i64, i16::MAX as i64),
            Scalar::U16 => (0, u16::MAX as i64),
            Scalar::I32 => (i32::MIN as i64, i32::MAX as i64),
            _ => (0, u32::MAX as i64),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scalar(Scalar),
    List { count: Scalar, item: Scalar },
}

#[derive(Clone, Debug)]
struct Property {
    name: String,
    kind: Kind,
}

#[derive(Clone, Debug)]
struct Element {
    name: String,
    count: usize,
    props: Vec<Property>,
}

impl Element {
    fn prop(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.props.iter().position(|p| p.name == *n))
    }
}

/// Where the body reader is, for errors.
trait Body {
    /// Read one value of type `t`; integers are exact in f64 (at most 32 bits).
    fn read(&mut self, t: Scalar) -> std::result::Result<f64, String>;
    /// `"line N"` or `"byte N"`.
    fn place(&self) -> String;
    /// Bytes (binary) or characters (ASCII) left.
    fn left(&self) -> usize;
    /// Refuse anything after the last element.
    fn finish(&mut self) -> std::result::Result<(), String>;
}

struct Binary<'a> {
    data: &'a [u8],
    pos: usize,
    /// File offset of `data[0]`.
    base: usize,
    big: bool,
}

impl Body for Binary<'_> {
    fn read(&mut self, t: Scalar) -> std::result::Result<f64, String> {
        let n = t.size();
        let Some(b) = self.data.get(self.pos..self.pos + n) else {
            return Err(format!("the file ends here ({} bytes): truncated, or the header's counts are wrong", self.base + self.data.len()));
        };
        self.pos += n;
        let mut a = [0u8; 8];
        a[..n].copy_from_slice(b);
        if self.big {
            a[..n].reverse();
        }
        Ok(match t {
            Scalar::I8 => a[0] as i8 as f64,
            Scalar::U8 => a[0] as f64,
            Scalar::I16 => i16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::U16 => u16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::I32 => i32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::U32 => u32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F32 => f32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F64 => f64::from_le_bytes(a),
        })
    }

    fn place(&self) -> String {
        format!("byte {}", self.base + self.pos)
    }

    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn finish(&mut self) -> std::result::Result<(), String> {
        match self.left() {
            0 => Ok(()),
            n => Err(format!("{n} bytes after the last element (the header's counts or types are wrong)")),
        }
    }
}

struct Ascii<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Ascii<'_> {
    fn token(&mut self) -> Option<&str> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            if bytes[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < bytes.len() && !bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }
}

impl Body for Ascii<'_> {
    fn read(&mut self, t: Scalar) -> std::result::Result<f64, String> {
        let Some(s) = self.token() else {
            return Err("the file ends here: truncated, or the header's counts are wrong".into());
        };
        if t.is_int() {
            let (lo, hi) = t.range();
            match s.parse::<i64>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(v as f64),
                _ => Err(format!("{s:?} is not an integer within {lo}..={hi} (the property's type)")),
            }
        } else {
            s.parse::<f64>().map_err(|_| format!("{s:?} is not a number"))
        }
    }

    fn place(&self) -> String {
        format!("line {}", self.line)
    }

    fn left(&self) -> usize {
        self.text.len() - self.pos
    }

    fn finish(&mut self) -> std::result::Result<(), String> {
        match self.token() {
            None => Ok(()),
            Some(s) => Err(format!("{s:?} after the last element (the header's counts are wrong)")),
        }
    }
}

/// The parsed header and where the body starts.
struct Header {
    format: PlyFormat,
    elements: Vec<Element>,
    body_start: usize,
}

fn parse_header(bytes: &[u8], path: &Path) -> Result<Header> {
    let mut pos = 0;
    let mut format = None;
    let mut elements: Vec<Element> = Vec::new();
    for ln in 1.. {
        let Some(len) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            return Err(Error::parse(path, format!("header line {ln}: the file ends before `end_header` (not a PLY file, or truncated)")));
        };
        let raw = &bytes[pos..pos + len];
        pos += len + 1;
        let at = |what: String| Error::parse(path, format!("header line {ln}: {what}"));
        let line = std::str::from_utf8(raw).map_err(|_| at("not text (a PLY header is ASCII)".into()))?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let words: Vec<&str> = line.split_whitespace().collect();
        if ln == 1 {
            if line.trim() != "ply" {
                return Err(at(format!("{:?}: a PLY file starts with the line `ply`", truncate(line))));
            }
            continue;
        }
        match words.as_slice() {
            [] => {}
            ["comment", ..] | ["obj_info", ..] => {}
            ["format", f, version] => {
                let fmt = match *f {
                    "ascii" => PlyFormat::Ascii,
                    "binary_little_endian" => PlyFormat::BinaryLittleEndian,
                    "binary_big_endian" => PlyFormat::BinaryBigEndian,
                    _ => return Err(at(format!("format {f:?}: allowed are ascii, binary_little_endian, binary_big_endian"))),
                };
                if *version != "1.0" {
                    return Err(at(format!("format version {version:?}: allowed is 1.0")));
                }
                if format.replace(fmt).is_some() {
                    return Err(at("a second `format` line".into()));
                }
            }
            ["element", name, count] => {
                let count: usize = count
                    .parse()
                    .ok()
                    .filter(|&c| c <= MAX_ELEMENTS)
                    .ok_or_else(|| at(format!("element {name}: count {count:?} is not a whole number within 0..={MAX_ELEMENTS}")))?;
                if elements.iter().any(|e| e.name == *name) {
                    return Err(at(format!("element {name} declared twice")));
                }
                elements.push(Element { name: name.to_string(), count, props: Vec::new() });
            }
            ["property", rest @ ..] => {
                let Some(e) = elements.last_mut() else {
                    return Err(at("a property before any element".into()));
                };
                let ty = |s: &str| Scalar::parse(s).ok_or_else(|| at(format!("type {s:?}: allowed are {TYPES}")));
                let (kind, name) = match rest {
                    ["list", count, item, name] => {
                        let count = ty(count)?;
                        if !count.is_int() {
                            return Err(at(format!("list {name}: its length type must be an integer type, not {count:?}")));
                        }
                        (Kind::List { count, item: ty(item)? }, name)
                    }
                    [t, name] => (Kind::Scalar(ty(t)?), name),
                    _ => return Err(at(format!("{line:?}: allowed is `property TYPE NAME` or `property list TYPE TYPE NAME`"))),
                };
                if e.props.iter().any(|p| p.name == *name) {
                    return Err(at(format!("element {}: property {name} declared twice", e.name)));
                }
                e.props.push(Property { name: name.to_string(), kind });
            }
            ["end_header"] => break,
            _ => {
                return Err(at(format!(
                    "{:?}: allowed header lines are format, element, property, comment, obj_info and end_header",
                    truncate(line)
                )));
            }
        }
    }
    let format = format
        .ok_or_else(|| Error::parse(path, "the header has no `format` line (ascii, binary_little_endian or binary_big_endian 1.0)"))?;
    Ok(Header { format, elements, body_start: pos })
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Parse PLY bytes (see the module doc); `path` names the file in errors.
pub fn parse_ply(bytes: &[u8], path: &Path) -> Result<MeshData> {
    let header = parse_header(bytes, path)?;
    let body = &bytes[header.body_start..];
    let find = |name: &str| header.elements.iter().find(|e| e.name == name);
    let vertex = find("vertex").ok_or_else(|| Error::parse(path, "the header declares no `element vertex`"))?;
    let face = find("face").ok_or_else(|| Error::parse(path, "the header declares no `element face`"))?;

    // Roles of the vertex and face properties.
    let scalar = |e: &Element, names: &[&str], what: &str, int: bool| -> Result<Option<usize>> {
        let Some(k) = e.prop(names) else { return Ok(None) };
        match e.props[k].kind {
            Kind::Scalar(t) if !int || t.is_int() => Ok(Some(k)),
            _ => Err(Error::parse(path, format!("element {} property {}: {what}", e.name, e.props[k].name))),
        }
    };
    let mut xyz = [0usize; 3];
    for (k, n) in ["x", "y", "z"].iter().enumerate() {
        xyz[k] = scalar(vertex, &[n], "a position must be a scalar, not a list", false)?
            .ok_or_else(|| Error::parse(path, format!("element vertex has no property {n} (needs x, y and z)")))?;
    }
    let mut uv = None;
    for pair in [["u", "v"], ["s", "t"], ["texture_u", "texture_v"]] {
        if let (Some(a), Some(b)) = (
            scalar(vertex, &[pair[0]], "a texture coordinate must be a scalar, not a list", false)?,
            scalar(vertex, &[pair[1]], "a texture coordinate must be a scalar, not a list", false)?,
        ) {
            uv = Some([a, b]);
            break;
        }
    }
    // Per-corner UVs (`property list uchar float texcoord` on faces, as MeshLab writes
    // "wedge" texture coordinates), read when the vertices carry none.
    let texcoord = match (uv, face.prop(&["texcoord"])) {
        (None, Some(k)) => match face.props[k].kind {
            Kind::List { .. } => Some(k),
            Kind::Scalar(_) => {
                return Err(Error::parse(path, "element face property texcoord: must be a list (u0 v0 u1 v1 …, two per corner)"));
            }
        },
        _ => None,
    };
    if uv.is_none() && texcoord.is_none() {
        return Err(Error::parse(
            path,
            "element vertex has no texture coordinates: the mesh needs a UV chart, as vertex properties `u v`, `s t` or `texture_u texture_v`, or a face list `texcoord` (two values per corner)",
        ));
    }
    let indices = face
        .prop(&["vertex_indices", "vertex_index"])
        .ok_or_else(|| Error::parse(path, "element face has no list `vertex_indices` (or `vertex_index`) of its corners"))?;
    match face.props[indices].kind {
        Kind::List { item, .. } if item.is_int() => {}
        _ => {
            return Err(Error::parse(
                path,
                format!(
                    "element face property {}: must be a list of integers (`property list uchar int vertex_indices`)",
                    face.props[indices].name
                ),
            ));
        }
    }
    let region = scalar(face, &["region", "group"], "a region number must be an integer scalar (char … uint)", true)?;

    // Bound the declared counts by the bytes there are, before allocating anything.
    let binary = header.format != PlyFormat::Ascii;
    let mut need: u128 = 0;
    for e in &header.elements {
        let per: u128 = if binary {
            e.props
                .iter()
                .map(|p| match p.kind {
                    Kind::Scalar(t) => t.size() as u128,
                    Kind::List { count, .. } => count.size() as u128,
                })
                .sum()
        } else {
            2 * e.props.len() as u128
        };
        need += per * e.count as u128;
    }
    let have = body.len() as u128 + if binary { 0 } else { 1 };
    if need > have {
        let counts: Vec<String> = header.elements.iter().map(|e| format!("{} {}", e.count, e.name)).collect();
        return Err(Error::parse(
            path,
            format!(
                "the header declares {} ({} format), which needs at least {need} bytes, but only {} follow the header: truncated, or wrong counts",
                counts.join(", "),
                header.format.name(),
                body.len()
            ),
        ));
    }

    let mut mesh = MeshData {
        positions: Vec::with_capacity(vertex.count),
        uvs: Vec::with_capacity(vertex.count),
        triangles: Vec::new(),
        labels: if region.is_some() { Labels::Numbers(Vec::new()) } else { Labels::None },
    };
    let mut label_of: HashMap<i64, u32> = HashMap::new();
    let mut values: Vec<i64> = Vec::new();
    let text;
    let mut reader: Box<dyn Body> = match header.format {
        PlyFormat::Ascii => {
            text = std::str::from_utf8(body).map_err(|e| Error::parse(path, format!("ASCII PLY data is not text ({e})")))?;
            let line = 1 + bytes[..header.body_start].iter().filter(|&&b| b == b'\n').count();
            Box::new(Ascii { text, pos: 0, line })
        }
        f => Box::new(Binary { data: body, pos: 0, base: header.body_start, big: f == PlyFormat::BinaryBigEndian }),
    };
    let mut row = vec![0.0f64; 0];
    let mut corners: Vec<u32> = Vec::new();
    let mut tc: Vec<f64> = Vec::new();
    for e in &header.elements {
        let is_vertex = e.name == "vertex";
        let is_face = e.name == "face";
        for i in 0..e.count {
            // In binary data a wrong count or type upstream shifts every value after it.
            let hint = if binary { " (in binary data, this often means the header's counts or types are wrong)" } else { "" };
            let at = |r: &dyn Body, what: String| Error::parse(path, format!("{}: {} {i}: {what}{hint}", r.place(), e.name));
            row.clear();
            corners.clear();
            tc.clear();
            for (k, p) in e.props.iter().enumerate() {
                match p.kind {
                    Kind::Scalar(t) => {
                        let v = reader.read(t).map_err(|m| at(&*reader, format!("{}: {m}", p.name)))?;
                        row.push(v);
                    }
                    Kind::List { count, item } => {
                        let n = reader.read(count).map_err(|m| at(&*reader, format!("{} (list length): {m}", p.name)))?;
                        if n < 0.0 {
                            return Err(at(&*reader, format!("{}: list length {n} is negative", p.name)));
                        }
                        let n = n as usize;
                        let least = if binary { item.size() } else { 2 };
                        if n.saturating_mul(least) > reader.left() + 1 {
                            return Err(at(
                                &*reader,
                                format!(
                                    "{}: a list of {n} items, more than the {} bytes left: truncated or corrupt",
                                    p.name,
                                    reader.left()
                                ),
                            ));
                        }
                        for _ in 0..n {
                            let v = reader.read(item).map_err(|m| at(&*reader, format!("{}: {m}", p.name)))?;
                            if is_face && Some(k) == texcoord {
                                tc.push(v);
                            }
                            if is_face && k == indices {
                                if !(v >= 0.0 && v < vertex.count as f64) {
                                    return Err(at(
                                        &*reader,
                                        format!(
                                            "vertex index {v} is out of range (0..={}: the header declares {} vertices)",
                                            vertex.count as i64 - 1,
                                            vertex.count
                                        ),
                                    ));
                                }
                                corners.push(v as u32);
                            }
                        }
                        row.push(f64::NAN);
                    }
                }
            }
            if is_vertex {
                let finite = |k: usize| -> Result<f64> {
                    let v = row[k];
                    if v.is_finite() { Ok(v) } else { Err(at(&*reader, format!("{} = {v} is not a finite number", e.props[k].name))) }
                };
                mesh.positions.push([finite(xyz[0])?, finite(xyz[1])?, finite(xyz[2])?]);
                if let Some(uv) = uv {
                    mesh.uvs.push([finite(uv[0])?, finite(uv[1])?]);
                }
            } else if is_face {
                if corners.len() < 3 {
                    return Err(at(&*reader, format!("a face with {} corners; at least 3 are needed", corners.len())));
                }
                let group = match region {
                    None => 0,
                    Some(k) => {
                        let v = row[k] as i64;
                        *label_of.entry(v).or_insert_with(|| {
                            values.push(v);
                            (values.len() - 1) as u32
                        })
                    }
                };
                // UV indices: the vertex's own, or this face's texcoord pairs.
                let first_uv = mesh.uvs.len() as u32;
                if texcoord.is_some() {
                    if tc.len() != 2 * corners.len() {
                        return Err(at(
                            &*reader,
                            format!("texcoord has {} values; {} corners need {}", tc.len(), corners.len(), 2 * corners.len()),
                        ));
                    }
                    if let Some(bad) = tc.iter().find(|c| !c.is_finite()) {
                        return Err(at(&*reader, format!("texcoord value {bad} is not a finite number")));
                    }
                    mesh.uvs.extend(tc.chunks(2).map(|c| [c[0], c[1]]));
                }
                let uv_of = |j: usize| if texcoord.is_some() { first_uv + j as u32 } else { corners[j] };
                for k in 1..corners.len() - 1 {
                    let v = [corners[0], corners[k], corners[k + 1]];
                    mesh.triangles.push(Triangle { v, uv: [uv_of(0), uv_of(k), uv_of(k + 1)], group });
                }
                if mesh.triangles.len() > MAX_ELEMENTS {
                    return Err(at(&*reader, format!("more than {MAX_ELEMENTS} triangles")));
                }
            }
        }
    }
    reader.finish().map_err(|m| Error::parse(path, format!("{}: {m}", reader.place())))?;
    if region.is_some() {
        mesh.labels = Labels::Numbers(values);
    }
    Ok(mesh)
}

/// The PLY bytes of a mesh in `format`: one vertex per (position, UV) pair (`x y z u v` as
/// doubles, mm), faces grouped as [`super::to_obj`] writes them, `region` = the group's index
/// (−1 for the unassigned group `""`). For example meshes and tests.
pub fn to_ply(mesh: &SurfaceMesh, format: PlyFormat) -> Vec<u8> {
    use std::fmt::Write;
    // Vertices: the mesh's own when every corner's UV index is its vertex index.
    let shared = mesh.positions_mm.len() == mesh.uvs.len() && mesh.triangles.iter().all(|t| t.v == t.uv);
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut index: HashMap<(u32, u32), u32> = HashMap::new();
    let order: Vec<&Triangle> = (0..mesh.groups.len()).flat_map(|g| mesh.triangles.iter().filter(move |t| t.group as usize == g)).collect();
    let faces: Vec<([u32; 3], i32)> = order
        .iter()
        .map(|t| {
            let mut corner = |k: usize| {
                if shared {
                    return t.v[k];
                }
                *index.entry((t.v[k], t.uv[k])).or_insert_with(|| {
                    pairs.push((t.v[k], t.uv[k]));
                    (pairs.len() - 1) as u32
                })
            };
            let region = if mesh.groups[t.group as usize].is_empty() { -1 } else { t.group as i32 };
            ([corner(0), corner(1), corner(2)], region)
        })
        .collect();
    if shared {
        pairs = (0..mesh.positions_mm.len() as u32).map(|i| (i, i)).collect();
    }
    let mut s = String::from("ply\n");
    let _ = writeln!(s, "format {} 1.0", format.name());
    s.push_str("comment written by needlesim (units: mm)\n");
    let _ = writeln!(s, "element vertex {}", pairs.len());
    for p in ["x", "y", "z", "u", "v"] {
        let _ = writeln!(s, "property double {p}");
    }
    let _ = writeln!(s, "element face {}", faces.len());
    s.push_str("property list uchar int vertex_indices\nproperty int region\nend_header\n");
    let vertex = |&(v, t): &(u32, u32)| {
        let (p, uv) = (mesh.positions_mm[v as usize], mesh.uvs[t as usize]);
        [p[0], p[1], p[2], uv[0], uv[1]]
    };
    let mut out = s.into_bytes();
    match format {
        PlyFormat::Ascii => {
            let mut s = String::new();
            for p in &pairs {
                let c = vertex(p);
                let _ = writeln!(s, "{} {} {} {} {}", c[0], c[1], c[2], c[3], c[4]);
            }
            for (f, r) in &faces {
                let _ = writeln!(s, "3 {} {} {} {r}", f[0], f[1], f[2]);
            }
            out.extend_from_slice(s.as_bytes());
        }
        f => {
            let big = f == PlyFormat::BinaryBigEndian;
            let put = |b: &[u8], out: &mut Vec<u8>| {
                if big {
                    out.extend(b.iter().rev());
                } else {
                    out.extend_from_slice(b);
                }
            };
            for p in &pairs {
                for c in vertex(p) {
                    put(&c.to_le_bytes(), &mut out);
                }
            }
            for (f, r) in &faces {
                out.push(3);
                for i in f {
                    put(&(*i as i32).to_le_bytes(), &mut out);
                }
                put(&r.to_le_bytes(), &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::mesh_file::{mm_per_unit, parse_obj, to_obj};
    use crate::surface::shapes::{flat_rect, half_cylinder};

    const QUAD: &str = "ply\nformat ascii 1.0\ncomment a 1 cm quad\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nproperty float s\nproperty float t\nelement face 1\nproperty list uchar int vertex_indices\nproperty uchar region\nend_header\n0 0 0 0 0\n1 0 0 1 0\n1 1 0 1 1\n0 1 0 0 1\n4 0 1 2 3 0\n";

    fn err(bytes: &[u8]) -> String {
        parse_ply(bytes, Path::new("x.ply")).unwrap_err().to_string()
    }

    #[test]
    fn an_ascii_quad_in_cm_is_two_triangles_in_mm() {
        let ply = parse_ply(QUAD.as_bytes(), Path::new("q.ply")).unwrap();
        assert_eq!(ply.triangles.len(), 2);
        assert_eq!(ply.labels, Labels::Numbers(vec![0]));
        let m = ply.to_mesh(mm_per_unit("face.units", Some("cm")).unwrap(), &["cheek".into()], Path::new("q.ply")).unwrap();
        assert_eq!(m.groups, vec!["cheek".to_string()]);
        assert!((m.total_area_mm2() - 100.0).abs() < 1e-12);
        m.validate("q.ply").unwrap();
        // The same quad from OBJ gives the same core mesh.
        let obj = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\ng cheek\nf 1/1 2/2 3/3 4/4\n";
        let o = parse_obj(obj, Path::new("q.obj")).unwrap().to_mesh(10.0, &["cheek".into()], Path::new("q.obj")).unwrap();
        assert_eq!(o, m);
    }

    /// Every format round-trips a mesh exactly (doubles), groups and all, and equals the OBJ
    /// round trip; a mesh whose UV indices differ from its vertex indices is split per pair.
    #[test]
    fn all_formats_round_trip_like_obj() {
        let mut cyl = half_cylinder(30.0, 40.0, 12, 3, 1.0);
        cyl.groups = vec!["a".into(), "b".into(), String::new()];
        for (i, t) in cyl.triangles.iter_mut().enumerate() {
            t.group = (i % 3) as u32;
        }
        let order = ["a".to_string(), "b".to_string()];
        let obj = parse_obj(&to_obj(&cyl), Path::new("c.obj")).unwrap().to_mesh(1.0, &order, Path::new("c.obj")).unwrap();
        for f in [PlyFormat::Ascii, PlyFormat::BinaryLittleEndian, PlyFormat::BinaryBigEndian] {
            let ply = parse_ply(&to_ply(&cyl, f), Path::new("c.ply")).unwrap().to_mesh(1.0, &order, Path::new("c.ply")).unwrap();
            assert_eq!(ply, obj, "{f:?}");
        }
        let mut split = flat_rect(10.0, 10.0, 2, 2, "a");
        split.uvs.push([10.0, 10.0]);
        split.triangles[0].uv[0] = 9; // corner 0 of the first triangle: position 0, UV 9
        split.uvs[9] = split.uvs[0];
        let back = parse_ply(&to_ply(&split, PlyFormat::Ascii), Path::new("s.ply")).unwrap();
        assert_eq!(back.positions.len(), 10, "one vertex per (position, UV) pair");
        let m = back.to_mesh(1.0, &["a".into()], Path::new("s.ply")).unwrap();
        assert_eq!(m.total_area_mm2(), split.total_area_mm2());
    }

    /// Per-face `texcoord` lists (MeshLab's wedge UVs) give the same mesh as vertex UVs.
    #[test]
    fn face_texcoord_lists_are_read_when_vertices_have_no_uvs() {
        let wedge = QUAD
            .replace("property float s\nproperty float t\n", "")
            .replace("property uchar region", "property list uchar float texcoord\nproperty uchar region")
            .replace("0 0 0 0 0\n1 0 0 1 0\n1 1 0 1 1\n0 1 0 0 1\n", "0 0 0\n1 0 0\n1 1 0\n0 1 0\n")
            .replace("4 0 1 2 3 0\n", "4 0 1 2 3 8 0 0 1 0 1 1 0 1 0\n");
        let a = parse_ply(wedge.as_bytes(), Path::new("w.ply")).unwrap();
        assert_eq!(a.uvs, vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
        let b = parse_ply(QUAD.as_bytes(), Path::new("q.ply")).unwrap();
        let order = ["cheek".to_string()];
        let (ma, mb) = (a.to_mesh(1.0, &order, Path::new("w")).unwrap(), b.to_mesh(1.0, &order, Path::new("q")).unwrap());
        assert_eq!((ma.total_area_mm2(), ma.uv_area(&ma.triangles[1])), (mb.total_area_mm2(), mb.uv_area(&mb.triangles[1])));
        ma.validate("w.ply").unwrap();
        let e = err(wedge.replace("4 0 1 2 3 8 0 0 1 0 1 1 0 1 0\n", "4 0 1 2 3 6 0 0 1 0 1 1 0\n").as_bytes());
        assert!(e.contains("texcoord has 6 values; 4 corners need 8"), "{e}");
    }

    #[test]
    fn bad_files_name_the_place_and_what_is_allowed() {
        let cyl = half_cylinder(30.0, 40.0, 4, 2, 1.0);
        let bin = to_ply(&cyl, PlyFormat::BinaryLittleEndian);
        let e = err(&bin[..bin.len() - 3]);
        assert!(e.contains("x.ply") && e.contains("truncated"), "{e}");
        let e = err(QUAD.replace("element vertex 4", "element vertex 5").as_bytes());
        assert!(e.contains("5 vertex, 1 face") && e.contains("truncated"), "{e}");
        let e = err(QUAD.replace("element vertex 4", "element vertex 3").replace("0 1 0 0 1\n", "").as_bytes());
        assert!(e.contains("face 0: vertex index 3 is out of range (0..=2"), "{e}");
        let e = err(QUAD.replace("1 0 0 1 0\n", "1 nan 0 1 0\n").as_bytes());
        assert!(e.contains("line 15: vertex 1: y = NaN is not a finite number"), "{e}");
        let e = err(QUAD
            .replace("property float s\nproperty float t\n", "")
            .replace(" 0 0\n", "\n")
            .replace(" 1 0\n", "\n")
            .replace(" 1 1\n", "\n")
            .replace(" 0 1\n", "\n")
            .as_bytes());
        assert!(e.contains("no texture coordinates") && e.contains("u v"), "{e}");
        let e = err(QUAD.replace("4 0 1 2 3 0", "4 0 1 2 9 0").as_bytes());
        assert!(e.contains("line 18: face 0: vertex index 9 is out of range"), "{e}");
        let e = err(QUAD.replace("element vertex 4", "element vertex 4000000").as_bytes());
        assert!(e.contains("4000000 vertex") && e.contains("only") && e.contains("truncated, or wrong counts"), "{e}");
        let e = err(QUAD.replace("element face 1", "element face 99999999999").as_bytes());
        assert!(e.contains("header line 10") && e.contains("0..=5000000"), "{e}");
        let e = err(QUAD.replace("format ascii 1.0", "format utf16 1.0").as_bytes());
        assert!(e.contains("header line 2: format \"utf16\"") && e.contains("binary_big_endian"), "{e}");
        let e = err(QUAD.replace("4 0 1 2 3 0", "2 0 1 0").as_bytes());
        assert!(e.contains("face 0: a face with 2 corners"), "{e}");
        let e = err(QUAD.replace("property uchar region", "property float region").as_bytes());
        assert!(e.contains("region") && e.contains("integer"), "{e}");
        let e = err(format!("{QUAD}7\n").as_bytes());
        assert!(e.contains("\"7\" after the last element"), "{e}");
        let e = err(b"solid stl\n");
        assert!(e.contains("header line 1") && e.contains("starts with the line `ply`"), "{e}");
        let e = err(QUAD.split("end_header").next().unwrap().as_bytes());
        assert!(e.contains("before `end_header`"), "{e}");
        // A huge binary list length is refused before reading it.
        let mut b = bin.clone();
        let face_start = b.len() - cyl.triangles.len() * 17; // faces of 17 bytes: 1 + 3 × 4 + 4
        b[face_start] = 255;
        let e = err(&b);
        assert!(e.contains("face 0") && (e.contains("list of 255 items") || e.contains("truncated")), "{e}");
        // Region numbers name the scenario's list; a listed one that no face has is refused.
        let ply = parse_ply(QUAD.as_bytes(), Path::new("q.ply")).unwrap();
        let e = ply.to_mesh(1.0, &["cheek".into(), "nose".into()], Path::new("q.ply")).unwrap_err().to_string();
        assert!(e.contains("no face has region = 1") && e.contains("\"nose\"") && e.contains("[0]"), "{e}");
        let none = parse_ply(QUAD.replace("property uchar region\n", "").replace("3 0\n", "3\n").as_bytes(), Path::new("n.ply")).unwrap();
        assert_eq!(none.labels, Labels::None);
        let e = none.to_mesh(1.0, &["cheek".into()], Path::new("n.ply")).unwrap_err().to_string();
        assert!(e.contains("no region") && e.contains("regions_png"), "{e}");
        assert_eq!(none.to_mesh(1.0, &[], Path::new("n.ply")).unwrap().groups, vec![String::new()]);
    }

    /// Mutated PLY bytes (ASCII and binary: bytes dropped, duplicated, flipped, header tokens
    /// inserted) never panic the reader, the mesh check or the chart.
    #[test]
    fn mutated_files_never_panic() {
        let cyl = half_cylinder(30.0, 40.0, 4, 2, 1.0);
        let bases = [QUAD.as_bytes().to_vec(), to_ply(&cyl, PlyFormat::BinaryLittleEndian), to_ply(&cyl, PlyFormat::BinaryBigEndian)];
        let tokens: [&[u8]; 10] =
            [b" ", b"\n", b"9", b"-1", b"nan", b"1e308", b"element face 7\n", b"property list int int vertex_indices\n", b"\xff", b"\x00"];
        let mut s = 0x2545f4914f6cdd1du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for round in 0..3000 {
            let mut t = bases[round % 3].clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % (t.len() + 1);
                match next() % 4 {
                    0 if at < t.len() => {
                        t.remove(at);
                    }
                    1 => t.splice(at..at, tokens[(next() as usize) % tokens.len()].iter().copied()).for_each(drop),
                    2 if at < t.len() => t[at] = next() as u8,
                    _ => {
                        let c = t.get(at).copied().unwrap_or(b'1');
                        t.insert(at, c);
                    }
                }
            }
            if let Ok(ply) = parse_ply(&t, Path::new("f.ply")) {
                for order in [vec!["a".to_string()], vec![]] {
                    if let Ok(m) = ply.to_mesh(10.0, &order, Path::new("f.ply")) {
                        let _ = crate::surface::Chart::new(&m, "f.ply");
                    }
                }
            }
        }
    }
}
