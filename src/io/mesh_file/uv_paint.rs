//! Regions painted in UV space: `[face] regions_png = "regions.png"` with `[[face.color]]`
//! legend entries (the painted map's legend keys: `rgb`, then `region` + skin keys,
//! `no_go`, or `background = true`) and `[face] regions_tolerance` (the legend's
//! `tolerance`), for an OBJ or PLY mesh.
//!
//! **Convention.** The PNG covers the UV square [0, 1]²: u runs left to right across its
//! columns, v from its bottom row up to its top row (the usual texture convention, as
//! Blender and most painters show a UV map). The pixel of `(u, v)` is column
//! `⌊u·W⌋`, row `⌊v·H⌋` from the bottom (u = 1 or v = 1 falls in the last column / top row).
//!
//! **Assignment.** Each triangle takes the colour painted at its UV centroid (the mean of its
//! three corner UVs); a centroid outside [0, 1]² is an error naming the triangle. Colours
//! follow the legend's rules exactly ([`Palette`]: every opaque colour must be in the legend,
//! or within `tolerance`; transparent and background pixels are unassigned skin). A painted
//! border therefore follows the mesh's triangles: the triangles whose three corners fall in
//! different colours are counted, with their skin area, in a warning on the face
//! ([`SurfaceFace::warnings`]); a finer mesh or borders painted along its edges shrink it.

use std::path::Path;

use crate::error::{Error, Result};
use crate::face::raster::Pixel;
use crate::face::surface_face::SurfaceFace;
use crate::io::facemap_file::legend::{ColorFile, Palette, Rgba, read_png};
use crate::surface::SurfaceMesh;

/// What painting did beyond assigning groups.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PaintStats {
    /// Triangles whose corners lie on different colours.
    pub mixed_triangles: usize,
    /// Their skin area, mm².
    pub mixed_area_mm2: f64,
}

/// The painted picture: labels per pixel, rows from the top.
pub struct UvPicture<'a> {
    pub labels: &'a [Pixel],
    pub width: usize,
    pub height: usize,
}

impl UvPicture<'_> {
    /// The label at `(u, v)`, `None` outside [0, 1]².
    pub fn at(&self, uv: [f64; 2]) -> Option<Pixel> {
        if !(0.0..=1.0).contains(&uv[0]) || !(0.0..=1.0).contains(&uv[1]) {
            return None;
        }
        let col = ((uv[0] * self.width as f64) as usize).min(self.width - 1);
        let row = ((uv[1] * self.height as f64) as usize).min(self.height - 1);
        self.labels.get((self.height - 1 - row) * self.width + col).copied()
    }
}

/// Regroup `mesh` by the picture: group `i` = region `i`, `regions + k` = no-go zone `k`,
/// then `""` for unassigned triangles if any (the [`SurfaceFace`] convention); `path` names
/// the mesh file in errors.
pub fn paint_groups(mesh: &mut SurfaceMesh, picture: &UvPicture, regions: &[String], no_go: &[String], path: &Path) -> Result<PaintStats> {
    let r = regions.len() as u32;
    let unassigned = r + no_go.len() as u32;
    let group = |p: Pixel| match p {
        Pixel::Region(i) => i as u32,
        Pixel::NoGo(k) => r + k as u32,
        Pixel::Empty => unassigned,
    };
    let mut stats = PaintStats::default();
    let mut groups = Vec::with_capacity(mesh.triangles.len());
    for (i, t) in mesh.triangles.iter().enumerate() {
        let c = mesh.corners_uv(t);
        let centroid = [(c[0][0] + c[1][0] + c[2][0]) / 3.0, (c[0][1] + c[1][1] + c[2][1]) / 3.0];
        let label = picture.at(centroid).ok_or_else(|| {
            Error::parse(
                path,
                format!(
                    "triangle {i}: its UV centroid ({}, {}) lies outside the painted square: face.regions_png covers UV [0, 1]² (u right, v up)",
                    centroid[0], centroid[1]
                ),
            )
        })?;
        let clamp = |p: [f64; 2]| [p[0].clamp(0.0, 1.0), p[1].clamp(0.0, 1.0)];
        let corners = c.map(|p| picture.at(clamp(p)));
        if corners.iter().any(|&p| p != Some(label)) {
            stats.mixed_triangles += 1;
            stats.mixed_area_mm2 += mesh.area_mm2(t);
        }
        groups.push(group(label));
    }
    for (t, g) in mesh.triangles.iter_mut().zip(groups) {
        t.group = g;
    }
    mesh.groups = regions.iter().chain(no_go).cloned().collect();
    if mesh.triangles.iter().any(|t| t.group == unassigned) {
        mesh.groups.push(String::new());
    }
    Ok(stats)
}

/// Read a surface face whose regions are painted in UV space: the mesh (OBJ or PLY, its
/// groups or `region` values ignored) in `units`, the PNG at `png_path`, the legend entries
/// `color` and `tolerance` (keys `face.color[i]…` and `face.regions_tolerance` in errors);
/// the mesh is validated with the file named in errors.
pub fn load_painted_surface_face(
    path: &Path,
    units: Option<&str>,
    png_path: &Path,
    color: &[ColorFile],
    tolerance: u8,
) -> Result<SurfaceFace> {
    let scale = super::mm_per_unit("face.units", units)?;
    let palette = Palette::new(color, tolerance, "face.", "face.regions_tolerance")?;
    if palette.regions.is_empty() {
        return Err(Error::invalid("face.color", "no region colour", "at least one [[face.color]] with region = \"name\" and its skin"));
    }
    let data = super::read_mesh(path)?;
    let bytes = std::fs::read(png_path).map_err(|e| Error::io(png_path, e))?;
    let image: Rgba = read_png(&bytes, png_path)?;
    let (w, h) = (image.width, image.height);
    if w == 0 || h == 0 {
        return Err(Error::parse(png_path, "an empty image (0 pixels)"));
    }
    let where_uv = |col: usize, top_row: usize| {
        format!("UV ({:.4}, {:.4})", (col as f64 + 0.5) / w as f64, (h - top_row) as f64 / h as f64 - 0.5 / h as f64)
    };
    let labels = palette.label_image(&image, &where_uv, "[[face.color]]", png_path)?;
    let mut mesh = data.to_mesh(scale, &[], path)?;
    let names: Vec<String> = palette.regions.iter().map(|r| r.name.clone()).collect();
    let stats = paint_groups(&mut mesh, &UvPicture { labels: &labels, width: w, height: h }, &names, &palette.no_go, path)?;
    mesh.validate(&path.display().to_string())?;
    let name = super::face_name(path);
    let mut face =
        SurfaceFace::new(&name, mesh, palette.regions, palette.no_go, Vec::new()).map_err(|e| Error::parse(path, e.to_string()))?;
    if stats.mixed_triangles > 0 {
        let total = face.mesh.total_area_mm2();
        face.warnings.push(format!(
            "{} triangles of {} ({:.1} mm², {:.2} % of the skin) have corners painted in different colours in {}: each takes the colour at its UV centroid, so region borders follow the mesh's triangles there",
            stats.mixed_triangles,
            name,
            stats.mixed_area_mm2,
            100.0 * stats.mixed_area_mm2 / total,
            png_path.display()
        ));
    }
    Ok(face)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::shapes::flat_rect;

    /// A 4 × 2 picture: left half region 0, right half no-go 0, top-right pixel empty.
    fn picture() -> Vec<Pixel> {
        let (a, z, e) = (Pixel::Region(0), Pixel::NoGo(0), Pixel::Empty);
        vec![a, a, z, e, a, a, z, z]
    }

    #[test]
    fn uv_lookup_follows_u_right_v_up() {
        let labels = picture();
        let p = UvPicture { labels: &labels, width: 4, height: 2 };
        assert_eq!(p.at([0.1, 0.1]), Some(Pixel::Region(0)));
        assert_eq!(p.at([0.6, 0.2]), Some(Pixel::NoGo(0)));
        assert_eq!(p.at([0.9, 0.9]), Some(Pixel::Empty), "top-right pixel is the first row's last");
        assert_eq!(p.at([0.9, 0.4]), Some(Pixel::NoGo(0)), "bottom-right");
        assert_eq!(p.at([1.0, 1.0]), Some(Pixel::Empty), "u = v = 1 is the top-right pixel");
        assert_eq!(p.at([1.01, 0.5]), None);
        assert_eq!(p.at([0.5, -0.01]), None);
    }

    /// A 4 × 4 quad square (UV = xy / 40): each triangle gets the colour at its centroid
    /// (brute force over the triangles), mixed triangles are exactly those straddling
    /// u = 0.5 or the empty corner.
    #[test]
    fn triangles_take_the_centroid_colour() {
        let mut mesh = flat_rect(40.0, 40.0, 4, 4, "x");
        for uv in &mut mesh.uvs {
            *uv = [uv[0] / 40.0, uv[1] / 40.0];
        }
        let labels = picture();
        let p = UvPicture { labels: &labels, width: 4, height: 2 };
        let orig = mesh.clone();
        let stats = paint_groups(&mut mesh, &p, &["a".into()], &["z".into()], Path::new("m.obj")).unwrap();
        assert_eq!(mesh.groups, ["a", "z", ""]);
        for (t, o) in mesh.triangles.iter().zip(&orig.triangles) {
            let c = orig.corners_uv(o);
            let (u, v) = ((c[0][0] + c[1][0] + c[2][0]) / 3.0, (c[0][1] + c[1][1] + c[2][1]) / 3.0);
            let want = if u < 0.5 {
                0
            } else if u >= 0.75 && v >= 0.5 {
                2
            } else {
                1
            };
            assert_eq!(t.group, want, "centroid ({u}, {v})");
        }
        // Grid lines at u = 0.25, 0.5, 0.75 and v = 0.25, 0.5, 0.75 coincide with pixel borders:
        // no triangle straddles a colour inside, but a corner on a border reads the pixel on its
        // right / top, so the brute-force count is of corners whose pixel differs.
        let brute = orig
            .triangles
            .iter()
            .zip(&mesh.triangles)
            .filter(|(o, t)| {
                orig.corners_uv(o).iter().any(|&c| {
                    p.at(c)
                        != Some(match t.group {
                            0 => Pixel::Region(0),
                            1 => Pixel::NoGo(0),
                            _ => Pixel::Empty,
                        })
                })
            })
            .count();
        assert_eq!(stats.mixed_triangles, brute);
        assert!(stats.mixed_triangles > 0);
        let mut outside = orig.clone();
        outside.uvs[0] = [-2.0, -2.0];
        let e = paint_groups(&mut outside, &p, &["a".into()], &["z".into()], Path::new("m.obj")).unwrap_err().to_string();
        assert!(e.contains("m.obj: triangle 0: its UV centroid") && e.contains("[0, 1]²"), "{e}");
    }
}
