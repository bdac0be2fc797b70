//! Every picture of a run: the hits heatmap with its zoomed inset, each pass's coverage,
//! local density, depth classes (PNG and SVG each) and the animation (GIF).
//!
//! The map comes as a [`Domain`] (what is measured; pixels outside are left blank) plus
//! [`Overlays`] (outlines, labels, hatched no-go zones), so a patch and a face map are drawn
//! by the same code.

use crate::accumulate::Raster;
use crate::domain::Domain;
use crate::error::{Error, Result};
use crate::geometry::Vec2;
use crate::puncture::Puncture;
use crate::simulate::{RunResult, Simulation};

use super::animation::{self, Animation};
use super::figure::{self, Drawn, Figure, Panel, Scale, fmt_value};
use super::map;
use super::overlay::{Overlays, Shape};
use super::viridis;

/// Plot side of the zoomed inset, px.
const INSET_PX: f64 = 280.0;
/// Bin of the density and depth maps, mm (the uniformity metric's bin).
pub const BIN_MM: f64 = 1.0;
/// Colour of "no puncture" in class maps.
const NONE_RGB: [u8; 3] = [200, 200, 200];

/// How punctures are classed by depth for the depth map.
pub struct DepthClasses {
    pub title: String,
    /// Class names, shallow to deep.
    pub names: Vec<String>,
    pub class_of: Box<dyn Fn(&Puncture) -> usize + Sync>,
}

/// Set-depth bands (mm) of the Dr. Pen depth guide (shared/domain.md): until the skin is
/// layered, the depth map shows the deepest *set* depth per bin.
pub const SET_DEPTH_BANDS_MM: [f64; 5] = [0.25, 0.5, 1.0, 1.5, 2.0];

impl DepthClasses {
    pub fn set_depth() -> Self {
        let b = SET_DEPTH_BANDS_MM;
        let mut names = vec![format!("≤ {} mm", b[0])];
        names.extend(b.windows(2).map(|w| format!("{}–{} mm", w[0], w[1])));
        names.push(format!("> {} mm", b[b.len() - 1]));
        DepthClasses {
            title: "deepest set depth per 1 mm bin (skin layers not modelled yet)".into(),
            names,
            class_of: Box::new(|p: &Puncture| SET_DEPTH_BANDS_MM.iter().take_while(|&&e| p.depth_mm > e + 1e-12).count()),
        }
    }
}

/// One output picture.
pub struct Picture {
    /// File name in the run directory.
    pub file: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// What it shows (plain text).
    pub caption: String,
    /// Shown in the report (the SVG twins are not: they carry the same image).
    pub in_report: bool,
}

/// Everything drawn for a run.
pub struct RunPictures {
    pub pictures: Vec<Picture>,
    pub hits: Drawn,
    pub hits_scale_max: f64,
    pub animation: Option<Animation>,
}

/// The map a run is drawn on.
pub struct MapContext<'a> {
    pub domain: &'a dyn Domain,
    pub overlays: Overlays,
    pub depth: DepthClasses,
}

fn key_parameters(sim: &Simulation) -> String {
    format!(
        "{} needles ⌀{} mm, {} mm deep, {} Hz, {} mm/s, {} passes",
        sim.cartridge.needle_count(),
        sim.cartridge.needle_diameter_mm,
        sim.cartridge.depth_mm,
        sim.device.frequency_hz,
        sim.passes[0].speed_mm_s,
        sim.passes.len()
    )
}

fn both(pictures: &mut Vec<Picture>, stem: &str, d: &Drawn, caption: String) {
    pictures.push(Picture { file: format!("{stem}.png"), mime: "image/png", bytes: d.png.clone(), caption: caption.clone(), in_report: true });
    pictures.push(Picture { file: format!("{stem}.svg"), mime: "image/svg+xml", bytes: d.svg.clone().into_bytes(), caption, in_report: false });
}

fn masked(r: &Raster, domain: &dyn Domain) -> Raster {
    let mut r = r.clone();
    map::mask_outside(&mut r, domain);
    r
}

/// Draw every picture of a run on `ctx`'s map.
pub fn draw_run(sim: &Simulation, result: &RunResult, ctx: &MapContext) -> Result<RunPictures> {
    let raster = result.hole.raster.as_ref().ok_or_else(|| Error::Render {
        path: "heatmap".into(),
        message: "the run made no picture (Simulation::picture is off)".into(),
    })?;
    let view = ctx.domain.bounds();
    sim.pictures.check(&view)?;
    let scale = sim.pictures.scale_px_per_mm(&view);
    let params = key_parameters(sim);
    let mut pictures = Vec::new();

    // Hits per spot, with the zoomed inset.
    let hits = masked(raster, ctx.domain);
    let window = sim.pictures.inset_window(&view);
    let mut inset = map::inset(&result.punctures, sim.cartridge.radius_mm(), &window, &sim.grid);
    map::mask_outside(&mut inset, ctx.domain);
    let hits_max = map::max_in(&hits, &view).max(map::max_in(&inset, &window)).max(1e-9) as f64;
    let mut main_overlays = ctx.overlays.clone();
    main_overlays.outlines.push(Shape::new(
        vec![Vec2::new(window.x0, window.y0), Vec2::new(window.x1, window.y0), Vec2::new(window.x1, window.y1), Vec2::new(window.x0, window.y1)],
        Some("zoom".into()),
    ));
    let hits_fig = Figure {
        title: format!("{}: hits per spot · {params} · coverage {:.1} %", sim.name, 100.0 * result.hole_coverage.coverage),
        panels: vec![
            Panel { caption: format!("mean hits per {} mm pixel", fmt_value(raster.pixel_mm)), map: &hits, view, px_per_mm: scale, overlays: main_overlays },
            Panel {
                caption: format!("zoom {} mm: hits per {} mm cell", fmt_value(window.width()), sim.grid.resolution_mm),
                map: &inset,
                view: window,
                px_per_mm: INSET_PX / window.width().max(window.height()),
                overlays: ctx.overlays.clone(),
            },
        ],
        columns: 2,
        scale: Scale::Continuous { max: hits_max, label: "hits per spot".into() },
    };
    let hits_drawn = figure::draw(&hits_fig)?;
    both(&mut pictures, "heatmap", &hits_drawn, format!("Hits per spot over the whole map, with a {} mm zoom showing single holes.", fmt_value(window.width())));

    // Each pass's coverage.
    let n = sim.passes.len();
    if result.hole.pass_rasters.len() == n {
        let cols = n.min(3);
        let pass_maps: Vec<Raster> = result.hole.pass_rasters.iter().map(|r| masked(r, ctx.domain)).collect();
        let pass_scale = scale * if cols == 1 { 1.0 } else { 1.3 / cols as f64 };
        let panels = pass_maps
            .iter()
            .enumerate()
            .map(|(k, m)| Panel {
                caption: format!(
                    "pass {} ({}°): {:.1} % alone, {:.1} % so far",
                    k + 1,
                    sim.passes[k].direction_deg,
                    100.0 * result.hole_coverage.coverage_per_pass[k],
                    100.0 * result.hole_coverage.coverage_cumulative[k]
                ),
                map: m,
                view,
                px_per_mm: pass_scale,
                overlays: ctx.overlays.clone(),
            })
            .collect();
        let d = figure::draw(&Figure {
            title: format!("{}: coverage of each pass · {params}", sim.name),
            panels,
            columns: cols,
            scale: Scale::Continuous { max: 1.0, label: "fraction of the pixel the pass hit".into() },
        })?;
        both(&mut pictures, "passes", &d, "Coverage of each pass on its own (fraction of each pixel hit), and the cumulative coverage after it.".into());
    }

    // Local density.
    let dens = map::density(&result.punctures, ctx.domain, BIN_MM);
    let dmax = (map::max_in(&dens, &view) as f64).max(1e-9);
    let d = figure::draw(&Figure {
        title: format!("{}: puncture density · mean {:.0} /cm² · {params}", sim.name, result.density.density_per_cm2),
        panels: vec![Panel { caption: format!("punctures per {BIN_MM} mm bin, per cm²"), map: &dens, view, px_per_mm: scale, overlays: ctx.overlays.clone() }],
        columns: 1,
        scale: Scale::Continuous { max: dmax, label: "punctures / cm²".into() },
    })?;
    both(&mut pictures, "density", &d, format!("Local density: puncture centres per {BIN_MM} mm bin, per cm² (target per treatment 250–300 /cm², PRIME 2015)."));

    // Depth classes.
    let classes = map::classes(&result.punctures, ctx.domain, BIN_MM, &ctx.depth.class_of);
    let k = ctx.depth.names.len();
    let mut legend = vec![("no puncture".to_string(), NONE_RGB)];
    legend.extend(ctx.depth.names.iter().enumerate().map(|(i, name)| (name.clone(), viridis(i as f64 / (k.max(2) - 1) as f64))));
    let d = figure::draw(&Figure {
        title: format!("{}: {} · {params}", sim.name, ctx.depth.title),
        panels: vec![Panel { caption: ctx.depth.title.clone(), map: &classes, view, px_per_mm: scale, overlays: ctx.overlays.clone() }],
        columns: 1,
        scale: Scale::Classes { label: "depth class".into(), classes: legend },
    })?;
    both(&mut pictures, "depth", &d, format!("Depth: {}.", ctx.depth.title));

    // Animation.
    let animation = if result.frames.ends.is_empty() {
        None
    } else {
        let cells: u64 = result.hole.tallies.iter().map(|t| t.cells).sum::<u64>().max(1);
        let mut covered = 0u64;
        let coverage_after = (0..result.frames.ends.len())
            .map(|f| {
                covered += result.hole.tallies.iter().map(|t| t.first_frame.get(f).copied().unwrap_or(0)).sum::<u64>();
                covered as f64 / cells as f64
            })
            .collect();
        let picture_cells = (raster.pixel_mm / sim.grid.resolution_mm).round().max(1.0) as usize;
        let a = animation::draw(&animation::Input {
            title: format!("{}: {params}", sim.name),
            punctures: &result.punctures,
            frames: &result.frames,
            coverage_after,
            pass_labels: (0..n).map(|k| format!("pass {}/{n} ({}°)", k + 1, sim.passes[k].direction_deg)).collect(),
            grid: sim.grid,
            radius_mm: sim.cartridge.radius_mm(),
            cells_per_px: animation::choose_cells_per_px(&view, &sim.grid, picture_cells),
            view,
            domain: ctx.domain,
            overlays: &ctx.overlays,
        })?;
        pictures.push(Picture {
            file: "animation.gif".into(),
            mime: "image/gif",
            bytes: a.gif.clone(),
            caption: format!("The session pass by pass ({} frames): holes appear as the cartridge moves; the coverage counts up.", a.frames),
            in_report: true,
        });
        Some(a)
    };
    Ok(RunPictures { pictures, hits: hits_drawn, hits_scale_max: hits_max, animation })
}
