//! # shaded — 3D pictures of a surface run (a face on a mesh), drawn by our own rasteriser
//!
//! A small deterministic software z-buffer rasteriser (no GPU, no system library, no crate
//! beyond the picture encoders): triangles through an **orthographic** camera (so UV and
//! every attribute interpolate exactly, screen-linearly), four rotated-grid samples a pixel
//! for antialiasing, soft Lambert + ambient lighting with smooth normals, region outlines
//! drawn where the depth test shows them, no-go zones hatched. The skin's colour is a layer
//! sampled per sample from the run: holes per spot (the accumulator's chart picture), hole
//! coverage or density per region (a choropleth, the sources' 25 % and 250–300 /cm² marked on
//! the colour bar), passes per spot per region (the sources' 3–4 marked), the skin layer most
//! punctures reach per region, the treated zone per region (when the run has a halo), single
//! holes on a zoomed patch, and the session pass by pass as an animation. The three-view
//! sheets share one G-buffer per view (the geometry is drawn once, each layer only colours).
//!
//! - `raster`: camera, lighting, the G-buffer (samples: triangle, chart point, shade, depth),
//!   resolve and depth-tested edges; `scene`: groups (treated, untreated skin, no-go), layers;
//! - `sheet`: title, captions, colour bar / legend; `zoom`: the hole-scale patch;
//!   `animation`: the GIF (the encoder of [`super::animation`]);
//! - [`draw_surface_pictures`]: every file of a surface run.
//!
//! **Units.** Mesh positions and chart points in mm; image coordinates in pixels (x right,
//! y down); depth in mm along the view (larger = nearer); `px_per_mm` the scale of a view.
//! The mesh frame is the surface module's: the face looks towards +z, y up, so its left side
//! (the subject's left) is at +x; "three-quarter left" turns that side 40° towards the viewer.
//!
//! **Invariants.**
//! - Determinism: coverage tests are integer (vertices snapped to 1/256 px), triangles are
//!   drawn in index order with a strict depth test, shades and averages are integer fixed
//!   point, and nothing runs in parallel but the GIF's LZW (joined in order): the same run
//!   gives the same bytes on any thread count.
//! - A sample's colour is the layer at the sample's chart point: a flat mesh seen from the
//!   front shows a chart cell hit k times in the colour of k (tests/shaded_render.rs).
//! - Pictures are pure functions of the run: the core records nothing for them beyond the
//!   chart picture of the hits it already keeps.

pub mod animation;
pub mod raster;
pub mod scene;
pub mod sheet;
pub mod zoom;

use rayon::prelude::*;

use crate::error::Result;
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::surface::Chart;

use super::canvas::Canvas;
use super::figure::{PanelLabels, draw_labels_png, label_size, percent};
use super::labels::LabelRequest;
use crate::face::names::display_name;
use crate::geometry::{Rect, Vec2};
use raster::{Camera, GBuffer, V3};
use scene::{GroupKind, Layer, Scene};
use sheet::{Bar, Key, Mark, compose};

/// The hole picture from the front, and the two three-quarter views.
pub const FACE_FRONT_PNG: &str = "face_front.png";
pub const FACE_THREE_QUARTER_LEFT_PNG: &str = "face_three_quarter_left.png";
pub const FACE_THREE_QUARTER_RIGHT_PNG: &str = "face_three_quarter_right.png";
/// Hole coverage per region, three views.
pub const FACE_COVERAGE_PNG: &str = "face_coverage_regions.png";
/// Punctures per cm² of skin per region, three views.
pub const FACE_DENSITY_PNG: &str = "face_density_regions.png";
/// Mean distinct passes per punctured spot, per region, three views.
pub const FACE_PASSES_PNG: &str = "face_passes_regions.png";
/// The skin layer most punctures reach, per region, three views.
pub const FACE_LAYERS_PNG: &str = "face_layers_regions.png";
/// Treated-zone coverage per region (only when the run has a halo).
pub const FACE_ZONE_PNG: &str = "face_zone_regions.png";
/// Single holes on a small patch.
pub const FACE_ZOOM_PNG: &str = "face_zoom.png";
/// The session pass by pass on the 3D face.
pub const FACE_ANIMATION_GIF: &str = "face_animation.gif";

/// What each picture file shows, for the report (one line a file; unknown names get "").
pub fn caption(file: &str) -> &'static str {
    match file {
        FACE_FRONT_PNG => "The face from the front: holes per spot on the skin, regions named",
        FACE_THREE_QUARTER_LEFT_PNG => "Three-quarter view from the person's left: holes per spot on the skin",
        FACE_THREE_QUARTER_RIGHT_PNG => "Three-quarter view from the person's right: holes per spot on the skin",
        FACE_COVERAGE_PNG => "Hole coverage per region (% of its skin), the sources' ≈ 25 % marked on the colour bar",
        FACE_DENSITY_PNG => "Punctures per cm² of skin per region, the sources' 250–300 /cm² marked",
        FACE_PASSES_PNG => "Passes per punctured spot per region, the sources' 3–4 at most marked",
        FACE_LAYERS_PNG => "The skin layer most punctures reach, per region",
        FACE_ZONE_PNG => "Treated-zone coverage per region (holes grown by the halo)",
        FACE_ZOOM_PNG => "A small patch at hole scale: single 0.18 mm holes and their overlaps",
        FACE_ANIMATION_GIF => "The session pass by pass on the 3D face",
        _ => "",
    }
}

/// Yaw of the three-quarter views, degrees.
pub const THREE_QUARTER_DEG: f64 = 40.0;
/// Longest side of a single view, and of each view of a three-view sheet, px.
pub const SINGLE_VIEW_PX: f64 = 820.0;
pub const SHEET_VIEW_PX: f64 = 430.0;
/// The sources' share of the skin treated in a session (seeds: "approximately 25 %").
pub const SOURCES_COVERAGE: f64 = 0.25;
/// The sources' target density, punctures per cm² (PRIME 2015).
pub const SOURCES_DENSITY_PER_CM2: (f64, f64) = (250.0, 300.0);

/// The standard views: (file-friendly name, caption, yaw in degrees).
pub const VIEWS: [(&str, &str, f64); 3] = [
    ("front", "front", 0.0),
    ("three_quarter_left", "three-quarter left", THREE_QUARTER_DEG),
    ("three_quarter_right", "three-quarter right", -THREE_QUARTER_DEG),
];

/// Where a region would take a label in a view: its visible samples' mean pixel and count.
/// (For a label placer: a region with no visible sample gets no label.)
#[derive(Clone, Debug, PartialEq)]
pub struct RegionAnchor {
    pub group: u32,
    pub x_px: f64,
    pub y_px: f64,
    pub visible_samples: u64,
}

/// Visible regions of a view: per mesh group, the mean position of its samples.
pub fn region_anchors(g: &raster::GBuffer, scene: &Scene) -> Vec<RegionAnchor> {
    let n = scene.mesh.groups.len();
    let mut acc = vec![(0.0f64, 0.0f64, 0u64); n];
    for (i, &t) in g.tri.iter().enumerate() {
        if t == raster::EMPTY {
            continue;
        }
        let px = i / g.spp;
        let (x, y) = ((px % g.width as usize) as f64 + 0.5, (px / g.width as usize) as f64 + 0.5);
        let a = &mut acc[scene.mesh.triangles[t as usize].group as usize];
        a.0 += x;
        a.1 += y;
        a.2 += 1;
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| a.2 > 0)
        .map(|(k, a)| RegionAnchor { group: k as u32, x_px: a.0 / a.2 as f64, y_px: a.1 / a.2 as f64, visible_samples: a.2 })
        .collect()
}

/// Fewest visible samples a region needs in a view to get a label there (≈ 500 px at four
/// samples a pixel): slivers at the silhouette are left unlabelled.
pub const MIN_LABEL_SAMPLES: u64 = 2_000;

/// Labels of a view's regions ([`super::labels::place_labels`], drawn as on the flat maps):
/// group `g` gets `texts[g]` (none for `None`) when it shows at least [`MIN_LABEL_SAMPLES`]
/// samples, anchored at its visible sample nearest to its mean visible pixel (a point on the
/// region even when it is curved), kept off the visible no-go zones' boxes and inside the view.
pub fn view_labels(g: &GBuffer, scene: &Scene, texts: &[Option<String>]) -> PanelLabels {
    let n = scene.mesh.groups.len();
    let mut mean = vec![None; n];
    for a in region_anchors(g, scene) {
        mean[a.group as usize] = Some((a.x_px, a.y_px, a.visible_samples));
    }
    // Per group: the visible sample nearest its mean (distance², x, y), and its visible box.
    let mut nearest = vec![(f64::INFINITY, 0.0, 0.0); n];
    let mut boxes = vec![(f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY); n];
    for (i, &t) in g.tri.iter().enumerate() {
        if t == raster::EMPTY {
            continue;
        }
        let grp = scene.mesh.triangles[t as usize].group as usize;
        let px = i / g.spp;
        let (x, y) = ((px % g.width as usize) as f64 + 0.5, (px / g.width as usize) as f64 + 0.5);
        if let Some((mx, my, _)) = mean[grp] {
            let d = (x - mx).powi(2) + (y - my).powi(2);
            if d < nearest[grp].0 {
                nearest[grp] = (d, x, y);
            }
        }
        let b = &mut boxes[grp];
        *b = (b.0.min(x - 0.5), b.1.min(y - 0.5), b.2.max(x + 0.5), b.3.max(y + 0.5));
    }
    let bounds = Rect::new(0.0, 0.0, g.width as f64, g.height as f64);
    let obstacles: Vec<Rect> = (0..n)
        .filter(|&k| scene.kinds[k] == GroupKind::NoGo && mean[k].is_some())
        .map(|k| Rect::new(boxes[k].0 - 1.0, boxes[k].1 - 1.0, boxes[k].2 + 1.0, boxes[k].3 + 1.0))
        .collect();
    let requests: Vec<LabelRequest> = (0..n)
        .filter_map(|k| {
            let text = texts.get(k)?.as_ref()?;
            let (_, _, count) = mean[k]?;
            (count >= MIN_LABEL_SAMPLES).then(|| LabelRequest {
                text: text.clone(),
                anchor: Vec2::new(nearest[k].1, nearest[k].2),
                size: label_size(text),
                home: None,
            })
        })
        .collect();
    PanelLabels::place(requests, obstacles, bounds)
}

/// Each group's label text: its display name, and `value(g)` on a second line when given.
pub fn region_texts(scene: &Scene, value: &dyn Fn(usize) -> Option<String>) -> Vec<Option<String>> {
    scene
        .mesh
        .groups
        .iter()
        .enumerate()
        .map(|(k, name)| match scene.kinds[k] {
            GroupKind::NoGo => None,
            _ if name.is_empty() => None,
            _ => Some(match value(k) {
                Some(v) => format!("{}\n{v}", display_name(name)),
                None => display_name(name).into_owned(),
            }),
        })
        .collect()
}

/// A view painted with `layer`, with its region labels.
fn labelled_view(scene: &Scene, g: &GBuffer, camera: &Camera, layer: &Layer, texts: &[Option<String>], what: &str) -> Result<Canvas> {
    let mut c = scene.paint(g, camera, layer);
    draw_labels_png(&mut c, &[view_labels(g, scene, texts)], what)?;
    Ok(c)
}

/// Cameras for the yaws `yaws`, sharing one scale: the largest view fits `side_px`.
pub fn cameras(scene: &Scene, yaws: &[f64], side_px: f64) -> Vec<Camera> {
    let boxes: Vec<(V3, f64, f64)> = yaws
        .iter()
        .map(|&yaw| {
            let c = Camera::orbit(yaw, 0.0, V3::zeros(), 1.0, 0, 0);
            let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
            for p in &scene.mesh.positions_mm {
                let q = c.rot * V3::from(*p);
                for k in 0..2 {
                    lo[k] = lo[k].min(q[k]);
                    hi[k] = hi[k].max(q[k]);
                }
            }
            let centre = c.rot.transpose() * V3::new(0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.0);
            (centre, hi[0] - lo[0], hi[1] - lo[1])
        })
        .collect();
    let span = boxes.iter().map(|b| b.1.max(b.2)).fold(1e-9, f64::max);
    let s = side_px / span;
    yaws.iter()
        .zip(&boxes)
        .map(|(&yaw, b)| Camera::orbit(yaw, 0.0, b.0, s, (b.1 * s).ceil() as u32 + 8, (b.2 * s).ceil() as u32 + 8))
        .collect()
}

/// How each mesh group of a surface session is drawn.
pub fn group_kinds(sim: &SurfaceSimulation, r: &SurfaceRunResult) -> Vec<GroupKind> {
    let (nr, nz) = (sim.face.regions.len(), sim.face.no_go.len());
    (0..sim.face.mesh.groups.len())
        .map(|g| {
            if g < nr && r.regions[g].figures.treated {
                GroupKind::Treated
            } else if g >= nr && g < nr + nz {
                GroupKind::NoGo
            } else {
                GroupKind::Skin
            }
        })
        .collect()
}

/// A value rounded up to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ (a colour bar's top).
pub fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0].iter().map(|m| m * p).find(|x| *x >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

const FOOTNOTE: &str = "Orthographic views, soft light. White lines: region borders; red hatching: no-go zones; beige: skin not treated.";

/// A three-view sheet of a per-region layer (`views`: the G-buffers and their cameras).
fn region_sheet(
    scene: &Scene,
    views: &[(GBuffer, Camera)],
    title: &str,
    layer: &Layer,
    texts: &[Option<String>],
    key: Key,
) -> Result<Vec<u8>> {
    let views = VIEWS
        .iter()
        .zip(views)
        .map(|(v, (g, c))| Ok((v.1.to_string(), labelled_view(scene, g, c, layer, texts, title)?)))
        .collect::<Result<Vec<(String, Canvas)>>>()?;
    compose(title, title, &views, &key, FOOTNOTE)?.to_png()
}

/// Colours of the skin layer classes (epidermis only, dermis, beyond the dermis).
pub const LAYER_RGB: [[u8; 3]; 3] = [[253, 231, 37], [33, 145, 140], [68, 1, 84]];

/// Every 3D picture of a surface run, as (file name, bytes), in a fixed order.
pub fn draw_surface_pictures(sim: &SurfaceSimulation, chart: &Chart, r: &SurfaceRunResult) -> Result<Vec<(String, Vec<u8>)>> {
    let mesh = &sim.face.mesh;
    let scene = Scene::new(mesh, chart, group_kinds(sim, r));
    let yaws: Vec<f64> = VIEWS.iter().map(|v| v.2).collect();
    let names = region_texts(&scene, &|_| None);
    let untreated = |g: usize| g >= r.regions.len() || !r.regions[g].figures.treated;
    // Each picture is a job; the jobs run in parallel and their files keep this order.
    type Job<'j> = Box<dyn Fn() -> Result<Option<(String, Vec<u8>)>> + Sync + Send + 'j>;
    let sheet: Vec<(GBuffer, Camera)> = cameras(&scene, &yaws, SHEET_VIEW_PX).into_par_iter().map(|c| (scene.gbuffer(&c), c)).collect();
    let mut jobs: Vec<Job> = Vec::new();
    if let Some(raster) = &r.run.hole.raster {
        let max = (raster.max() as f64).max(1e-9);
        for ((name, caption, _), cam) in VIEWS.iter().zip(cameras(&scene, &yaws, SINGLE_VIEW_PX)) {
            let (scene, names) = (&scene, &names);
            jobs.push(Box::new(move || {
                let layer = Layer::Spot { raster, max };
                let bar = Bar { title: "holes per spot (mean)".into(), max, tick_factor: 1.0, marks: Vec::new() };
                let title = format!("{}: holes per spot on the skin, {caption} ({:.2} mm spots)", sim.name, raster.pixel_mm);
                let file = format!("face_{name}.png");
                let view = labelled_view(scene, &scene.gbuffer(&cam), &cam, &layer, names, &file)?;
                Ok(Some((file.clone(), compose(&file, &title, &[(caption.to_string(), view)], &Key::Bar(bar), FOOTNOTE)?.to_png()?)))
            }));
        }
    }
    let n = mesh.groups.len();
    let per_group = |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..n).map(|g| if g < r.regions.len() { f(g) } else { 0.0 }).collect() };
    // A region sheet of per-group `values` (0..max) with a colour bar.
    let group_sheet =
        |file: &'static str, title: String, values: Vec<f64>, max: f64, bar: Bar, text: Box<dyn Fn(f64) -> String + Sync + Send>| -> Job {
            let (scene, sheet) = (&scene, &sheet);
            Box::new(move || {
                let layer = Layer::Group { values: &values, max };
                let texts = region_texts(scene, &|g| Some(if untreated(g) { "untreated".into() } else { text(values[g]) }));
                Ok(Some((file.into(), region_sheet(scene, sheet, &title, &layer, &texts, Key::Bar(bar.clone()))?)))
            })
        };
    let coverage = per_group(&|g| r.regions[g].figures.coverage.coverage);
    let cmax = nice_ceil(coverage.iter().copied().fold(SOURCES_COVERAGE * 1.2, f64::max));
    let mark = Mark { lo: SOURCES_COVERAGE, hi: SOURCES_COVERAGE, label: "25 % (sources)".into() };
    let title = format!("{}: hole coverage per region (% of its skin)", sim.name);
    let bar = Bar { title: "hole coverage (%)".into(), max: cmax, tick_factor: 100.0, marks: vec![mark.clone()] };
    jobs.push(group_sheet(FACE_COVERAGE_PNG, title, coverage, cmax, bar, Box::new(percent)));
    let density = per_group(&|g| r.regions[g].figures.density.density_per_cm2);
    let (lo, hi) = SOURCES_DENSITY_PER_CM2;
    let dmax = nice_ceil(density.iter().copied().fold(hi * 1.2, f64::max));
    let title = format!("{}: punctures per cm² of skin per region", sim.name);
    let bar = Bar {
        title: "density (/cm² of skin)".into(),
        max: dmax,
        tick_factor: 1.0,
        marks: vec![Mark { lo, hi, label: "250–300 (PRIME 2015)".into() }],
    };
    jobs.push(group_sheet(FACE_DENSITY_PNG, title, density, dmax, bar, Box::new(|v| format!("{v:.0} /cm²"))));
    // Passes per spot: the mean number of distinct passes over the region's punctured skin.
    let passes = per_group(&|g| {
        let t = &r.hole_groups[g];
        let covered: u64 = t.distinct_passes.iter().skip(1).sum();
        let sum: u64 = t.distinct_passes.iter().enumerate().map(|(k, n)| k as u64 * n).sum();
        if covered > 0 { sum as f64 / covered as f64 } else { 0.0 }
    });
    let pmax = nice_ceil(passes.iter().copied().fold(4.0, f64::max));
    let title = format!("{}: passes per spot per region (mean distinct passes over its punctured skin)", sim.name);
    let marks = vec![Mark { lo: 3.0, hi: 4.0, label: "3–4 at most (sources)".into() }];
    let bar = Bar { title: "passes per spot".into(), max: pmax, tick_factor: 1.0, marks };
    jobs.push(group_sheet(FACE_PASSES_PNG, title, passes, pmax, bar, Box::new(|v| format!("{v:.2} passes"))));
    // Skin layer reached: the layer most of the region's punctures end in.
    let classes: Vec<usize> = (0..n)
        .map(|g| {
            let f = if g < r.regions.len() { r.regions[g].figures.layers.fractions() } else { [0.0; 3] };
            (0..3).fold(0, |best, k| if f[k] > f[best] { k } else { best })
        })
        .collect();
    {
        let (scene, sheet, names) = (&scene, &sheet, &names);
        jobs.push(Box::new(move || {
            let legend: Vec<(String, [u8; 3])> =
                ["epidermis only", "dermis", "beyond the dermis"].iter().zip(LAYER_RGB).map(|(s, c)| (s.to_string(), c)).collect();
            let title = format!("{}: skin layer most punctures reach, per region", sim.name);
            let layer = Layer::Classes { classes: &classes, colours: &LAYER_RGB };
            let png = region_sheet(scene, sheet, &title, &layer, names, Key::Legend("layer reached".into(), legend))?;
            Ok(Some((FACE_LAYERS_PNG.into(), png)))
        }));
    }
    if let Some(zone) = &r.zone_groups {
        let zc = per_group(&|g| {
            let t = &zone[g];
            if t.cells > 0 { t.covered() as f64 / t.cells as f64 } else { 0.0 }
        });
        let zmax = nice_ceil(zc.iter().copied().fold(SOURCES_COVERAGE * 1.2, f64::max));
        let title = format!("{}: treated-zone coverage per region (holes grown by {} mm)", sim.name, sim.halo_mm);
        let bar = Bar { title: "treated zone (%)".into(), max: zmax, tick_factor: 100.0, marks: vec![mark] };
        jobs.push(group_sheet(FACE_ZONE_PNG, title, zc, zmax, bar, Box::new(percent)));
    }
    let scene_ref = &scene;
    jobs.push(Box::new(move || Ok(zoom::draw(sim, scene_ref, r)?.map(|z| (FACE_ZOOM_PNG.to_string(), z)))));
    jobs.push(Box::new(move || Ok(Some((FACE_ANIMATION_GIF.to_string(), animation::draw(sim, scene_ref, r)?)))));
    let drawn: Vec<Option<(String, Vec<u8>)>> = jobs.par_iter().map(|job| job()).collect::<Result<_>>()?;
    Ok(drawn.into_iter().flatten().collect())
}
