//! The zoom at hole scale: an 8 mm patch of a treated region (the left cheek when treated,
//! else the region with the most punctures), seen straight along the skin normal, magnified so
//! that single 0.18 mm holes are a dozen pixels wide.
//!
//! **Model.** The patch's centre is the puncture nearest the mean skin point of the region's
//! punctures. Every sample counts the footprints holding its chart point (the exact chart
//! ellipse of each needle, [`Footprint::contains`], over the punctures whose footprint box
//! meets the view, bucketed): the picture is exact geometry, not the accumulation grid.

use crate::error::Result;
use crate::face::surface_simulation::{SurfaceRunResult, SurfaceSimulation};
use crate::geometry::{Rect, Vec2};
use crate::needle::footprint::Footprint;
use crate::surface::place::NO_TRIANGLE;

use super::super::canvas::Canvas;
use super::raster::{Camera, EMPTY, V3};
use super::scene::{BACKGROUND_RGB, GroupKind, Scene, hatch};
use super::sheet::{Key, compose};

/// Side of the patch shown, mm, and of the image, px.
pub const FIELD_MM: f64 = 8.0;
pub const SIDE_PX: u32 = 640;
/// Skin between holes, and holes by count (1, 2, 3+).
pub const SKIN_RGB: [u8; 3] = [236, 196, 172];
pub const HOLE_RGB: [[u8; 3]; 3] = [[176, 40, 52], [112, 16, 56], [48, 6, 48]];

fn hole_colour(k: u32) -> [u8; 3] {
    if k == 0 { SKIN_RGB } else { HOLE_RGB[(k as usize - 1).min(2)] }
}

/// The zoom picture (PNG), or `None` when no treated region has a puncture.
pub fn draw(sim: &SurfaceSimulation, scene: &Scene, r: &SurfaceRunResult) -> Result<Option<Vec<u8>>> {
    let chart = scene.chart;
    let group_of = |i: usize| {
        let t = r.landing.tri[i];
        (t != NO_TRIANGLE).then(|| chart.tris[t as usize].group as usize)
    };
    let treated: Vec<usize> =
        (0..r.regions.len()).filter(|&g| r.regions[g].figures.treated && r.regions[g].figures.density.punctures_inside > 0).collect();
    let Some(&region) = treated
        .iter()
        .find(|&&g| r.regions[g].name == "cheek_left")
        .or_else(|| treated.iter().max_by_key(|&&g| (r.regions[g].figures.density.punctures_inside, std::cmp::Reverse(g))))
    else {
        return Ok(None);
    };
    let skin_of = |i: usize| chart.tris[r.landing.tri[i] as usize].to_skin(Vec2::new(r.run.punctures[i].x_mm, r.run.punctures[i].y_mm));
    let mine: Vec<usize> = (0..r.run.punctures.len()).filter(|&i| group_of(i) == Some(region)).collect();
    let mean = mine.iter().fold(V3::zeros(), |s, &i| s + skin_of(i)) / mine.len() as f64;
    let Some(&centre) = mine.iter().min_by(|&&a, &&b| (skin_of(a) - mean).norm().total_cmp(&(skin_of(b) - mean).norm())) else {
        return Ok(None);
    };
    let m = &chart.tris[r.landing.tri[centre] as usize];
    let normal = if m.normal.z < 0.0 { -m.normal } else { m.normal };
    let cam = Camera::along(normal, skin_of(centre), SIDE_PX as f64 / FIELD_MM, SIDE_PX, SIDE_PX);
    let g = scene.gbuffer(&cam);
    // Punctures whose footprint box meets the chart box of the visible samples, bucketed.
    let radius = sim.cartridge.radius_mm();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for (k, q) in g.chart.iter().enumerate() {
        if g.tri[k] != EMPTY {
            for d in 0..2 {
                lo[d] = lo[d].min(q[d] as f64);
                hi[d] = hi[d].max(q[d] as f64);
            }
        }
    }
    if lo[0] > hi[0] {
        return Ok(None);
    }
    let view = Rect::new(lo[0], lo[1], hi[0], hi[1]);
    let bucket = 0.25;
    let (nx, ny) = (((hi[0] - lo[0]) / bucket) as usize + 1, ((hi[1] - lo[1]) / bucket) as usize + 1);
    let mut buckets: Vec<Vec<(u32, Footprint)>> = vec![Vec::new(); nx * ny];
    if nx * ny <= 4_000_000 {
        for (i, p) in r.run.punctures.iter().enumerate() {
            let fp = Footprint::shaped(Vec2::new(p.x_mm, p.y_mm), &r.landing.shape[i], radius);
            let bb = fp.bbox();
            if !bb.intersects(&view) {
                continue;
            }
            let cx = |x: f64| (((x - lo[0]) / bucket).floor().max(0.0) as usize).min(nx - 1);
            let cy = |y: f64| (((y - lo[1]) / bucket).floor().max(0.0) as usize).min(ny - 1);
            for j in cy(bb.y0)..=cy(bb.y1) {
                for k in cx(bb.x0)..=cx(bb.x1) {
                    buckets[j * nx + k].push((i as u32, fp));
                }
            }
        }
    }
    let holes_at = |q: [f32; 2]| -> u32 {
        let (x, y) = (q[0] as f64, q[1] as f64);
        let (i, j) = (((x - lo[0]) / bucket).floor() as i64, ((y - lo[1]) / bucket).floor() as i64);
        if i < 0 || j < 0 || i as usize >= nx || j as usize >= ny {
            return 0;
        }
        buckets[j as usize * nx + i as usize].iter().filter(|(_, fp)| fp.contains(Vec2::new(x, y))).count() as u32
    };
    let mut c: Canvas = g.resolve(BACKGROUND_RGB, |t, q, x, y| {
        let grp = scene.mesh.triangles[t as usize].group as usize;
        match scene.kinds.get(grp).copied().unwrap_or(GroupKind::Skin) {
            GroupKind::NoGo => hatch(x, y),
            _ => hole_colour(holes_at(q)),
        }
    });
    scene.outline(&mut c, &g, &cam);
    // A 1 mm scale bar, bottom left.
    let mm = cam.px_per_mm.round() as i32;
    for y in SIDE_PX as i32 - 24..SIDE_PX as i32 - 18 {
        for x in 20..20 + mm {
            c.put(x, y, [0, 0, 0]);
        }
    }
    let name = &r.regions[region].name;
    let title = format!("{}: single holes on the {name}, an {FIELD_MM:.0} × {FIELD_MM:.0} mm patch seen square to the skin", sim.name);
    let needle = 2.0 * radius;
    let legend = vec![
        ("skin".to_string(), SKIN_RGB),
        ("1 hole".to_string(), HOLE_RGB[0]),
        ("2 holes".to_string(), HOLE_RGB[1]),
        ("3 or more".to_string(), HOLE_RGB[2]),
    ];
    let foot = format!("Needle footprints ({needle:.2} mm needles) as landed on the skin; black bar: 1 mm; white lines: region borders.");
    let sheet =
        compose(super::FACE_ZOOM_PNG, &title, &[(format!("{name}, zoom"), c)], &Key::Legend("holes at a spot".into(), legend), &foot)?;
    Ok(Some(sheet.to_png()?))
}
