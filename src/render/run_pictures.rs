//! Every picture of a run: the hits heatmap with its zoomed inset, each pass's coverage,
//! local density, depth classes (PNG and SVG each) and the animation (GIF).
//!
//! The map comes as a [`Domain`] (what is measured; pixels outside are left blank) plus
//! [`Overlays`] (outlines, labels, hatched no-go zones), so a patch and a face map are drawn
//! by the same code.

use crate::error::{Error, Result};
use crate::geometry::{Rect, Vec2};
use crate::needle::puncture::Puncture;
use crate::raster::accumulate::Raster;
use crate::raster::domain::Domain;
use crate::raster::grid::GridSpec;
use crate::sim::{RunResult, Simulation};

use super::settings::Pictures;

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

/// Class of puncture `i` of a run.
pub type ClassOf = Box<dyn Fn(usize, &Puncture) -> usize + Sync>;

/// How punctures are classed by depth for the depth map.
pub struct DepthClasses {
    pub title: String,
    /// Class names, shallow to deep.
    pub names: Vec<String>,
    /// Class of puncture `i` (its index in the run) — an index, so a face session can look
    /// up each puncture's layer.
    pub class_of: ClassOf,
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
            class_of: Box::new(|_, p: &Puncture| SET_DEPTH_BANDS_MM.iter().take_while(|&&e| p.depth_mm > e + 1e-12).count()),
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

/// What the pictures need to know about a run, whatever kind of run it was (a patch
/// [`Simulation`], a face session, …).
pub struct RunInfo<'a> {
    /// Scenario name (user text).
    pub name: String,
    /// Key parameters for the titles, e.g. "12 needles ⌀0.18 mm, 1 mm deep, 120 Hz, …".
    pub params: String,
    /// Shorter parameters for the animation's header.
    pub short_params: String,
    /// Label of each pass, e.g. "pass 2/3 (90°)".
    pub pass_labels: Vec<String>,
    /// Label of each segment of the run's timeline (`RunResult::frames`); on a patch, the
    /// passes.
    pub segment_labels: Vec<String>,
    pub pictures: &'a Pictures,
    pub grid: GridSpec,
    /// Hole radius, mm.
    pub radius_mm: f64,
}

impl<'a> RunInfo<'a> {
    /// The description of a patch simulation, drawn as `pictures` says.
    pub fn of(sim: &Simulation, pictures: &'a Pictures) -> Self {
        let n = sim.passes.len();
        RunInfo {
            name: sim.name.clone(),
            params: format!(
                "{} needles ⌀{} mm, {} mm deep, {} Hz, {} mm/s, {n} pass{}",
                sim.cartridge.needle_count(),
                sim.cartridge.needle_diameter_mm,
                sim.cartridge.depth_mm,
                sim.device.frequency_hz,
                sim.passes[0].speed_mm_s,
                if n == 1 { "" } else { "es" },
            ),
            short_params: format!(
                "{} needles, {} mm deep, {} Hz, {} mm/s",
                sim.cartridge.needle_count(),
                sim.cartridge.depth_mm,
                sim.device.frequency_hz,
                sim.passes[0].speed_mm_s
            ),
            pass_labels: (0..n).map(|k| format!("pass {}/{n} ({}°)", k + 1, sim.passes[k].direction_deg)).collect(),
            segment_labels: (0..n).map(|k| format!("pass {}/{n} ({}°)", k + 1, sim.passes[k].direction_deg)).collect(),
            pictures,
            grid: sim.grid,
            radius_mm: sim.cartridge.radius_mm(),
        }
    }
}

fn both(pictures: &mut Vec<Picture>, stem: &str, d: &Drawn, caption: String) {
    pictures.push(Picture {
        file: format!("{stem}.png"),
        mime: "image/png",
        bytes: d.png.clone(),
        caption: caption.clone(),
        in_report: true,
    });
    pictures.push(Picture {
        file: format!("{stem}.svg"),
        mime: "image/svg+xml",
        bytes: d.svg.clone().into_bytes(),
        caption,
        in_report: false,
    });
}

/// Draw every picture of a run on `ctx`'s map (the figures and the animation in parallel).
pub fn draw_run(sim: &RunInfo, result: &RunResult, ctx: &MapContext) -> Result<RunPictures> {
    let raster = result
        .hole
        .raster
        .as_ref()
        .ok_or_else(|| Error::Render { path: "heatmap".into(), message: "the run made no picture (Simulation::picture is off)".into() })?;
    let view = ctx.domain.bounds();
    sim.pictures.check(&view)?;
    // The hits and every pass picture share the lattice: the domain is asked once per pixel.
    let outside = map::outside(raster, ctx.domain);
    let job = Job { sim, result, ctx, raster, outside, view, scale: sim.pictures.scale_px_per_mm(&view) };
    let ((hits, passes), ((density, depth), animation)) = rayon::join(
        || rayon::join(|| job.hits(), || job.passes()),
        || rayon::join(|| rayon::join(|| job.density(), || job.depth()), || job.animation()),
    );
    let (hits_drawn, hits_max) = hits?;
    let mut pictures = Vec::new();
    let window = sim.pictures.inset_window(&view);
    both(
        &mut pictures,
        "heatmap",
        &hits_drawn,
        format!("Hits per spot over the whole map, with a {} mm zoom showing single holes.", fmt_value(window.width())),
    );
    if let Some(d) = passes? {
        both(
            &mut pictures,
            "passes",
            &d,
            "Coverage of each pass on its own (fraction of each pixel hit), and the cumulative coverage after it.".into(),
        );
    }
    both(
        &mut pictures,
        "density",
        &density?,
        format!("Local density: puncture centres per {BIN_MM} mm bin, per cm² (target per treatment 250–300 /cm², PRIME 2015)."),
    );
    both(&mut pictures, "depth", &depth?, format!("Depth: {}.", ctx.depth.title));
    let animation = animation?;
    if let Some(a) = &animation {
        pictures.push(Picture {
            file: "animation.gif".into(),
            mime: "image/gif",
            bytes: a.gif.clone(),
            caption: format!(
                "The session pass by pass ({} frames): holes appear as the cartridge moves; the coverage counts up.",
                a.frames
            ),
            in_report: true,
        });
    }
    Ok(RunPictures { pictures, hits: hits_drawn, hits_scale_max: hits_max, animation })
}

/// What every picture of one run shares.
struct Job<'a> {
    sim: &'a RunInfo<'a>,
    result: &'a RunResult,
    ctx: &'a MapContext<'a>,
    raster: &'a Raster,
    /// [`map::outside`] of `raster`.
    outside: Vec<bool>,
    view: Rect,
    /// Main scale, px per mm.
    scale: f64,
}

impl Job<'_> {
    /// `r` with the pixels outside the map set to `NaN`.
    fn masked(&self, r: &Raster) -> Raster {
        let mut r = r.clone();
        if map::same_lattice(&r, self.raster) {
            map::apply_outside(&mut r, &self.outside);
        } else {
            map::mask_outside(&mut r, self.ctx.domain);
        }
        r
    }

    /// Hits per spot, with the zoomed inset; returns the figure and its colour bar maximum.
    fn hits(&self) -> Result<(Drawn, f64)> {
        let (sim, ctx, view) = (self.sim, self.ctx, self.view);
        let hits = self.masked(self.raster);
        let window = sim.pictures.inset_window(&view);
        let mut inset = map::inset(&self.result.punctures, sim.radius_mm, &window, &sim.grid);
        map::mask_outside(&mut inset, ctx.domain);
        let hits_max = map::max_in(&hits, &view).max(map::max_in(&inset, &window)).max(1e-9) as f64;
        let mut main_overlays = ctx.overlays.clone();
        main_overlays.outlines.push(Shape::new(
            vec![
                Vec2::new(window.x0, window.y0),
                Vec2::new(window.x1, window.y0),
                Vec2::new(window.x1, window.y1),
                Vec2::new(window.x0, window.y1),
            ],
            Some("zoom".into()),
        ));
        let fig = Figure {
            title: format!(
                "{}: hits per spot · {} · coverage {:.1} %",
                sim.name,
                self.sim.params,
                100.0 * self.result.hole_coverage.coverage
            ),
            panels: vec![
                Panel {
                    caption: format!("mean hits per {} mm pixel", fmt_value(self.raster.pixel_mm)),
                    map: &hits,
                    view,
                    px_per_mm: self.scale,
                    overlays: main_overlays,
                },
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
        Ok((figure::draw(&fig)?, hits_max))
    }

    /// Each pass's coverage, one panel per pass.
    fn passes(&self) -> Result<Option<Drawn>> {
        let (sim, result) = (self.sim, self.result);
        let n = sim.pass_labels.len();
        if result.hole.pass_rasters.len() != n {
            return Ok(None);
        }
        let cols = n.min(3);
        let maps: Vec<Raster> = result.hole.pass_rasters.iter().map(|r| self.masked(r)).collect();
        let scale = self.scale * if cols == 1 { 1.0 } else { 1.3 / cols as f64 };
        let c = &result.hole_coverage;
        let panels = maps
            .iter()
            .enumerate()
            .map(|(k, m)| Panel {
                caption: format!(
                    "{}: {:.1} % alone, {:.1} % so far",
                    sim.pass_labels[k],
                    100.0 * c.coverage_per_pass[k],
                    100.0 * c.coverage_cumulative[k]
                ),
                map: m,
                view: self.view,
                px_per_mm: scale,
                overlays: self.ctx.overlays.clone(),
            })
            .collect();
        figure::draw(&Figure {
            title: format!("{}: coverage of each pass · {}", sim.name, self.sim.params),
            panels,
            columns: cols,
            scale: Scale::Continuous { max: 1.0, label: "fraction of the pixel the pass hit".into() },
        })
        .map(Some)
    }

    /// Local density per bin.
    fn density(&self) -> Result<Drawn> {
        let dens = map::density(&self.result.punctures, self.ctx.domain, BIN_MM);
        let dmax = (map::max_in(&dens, &self.view) as f64).max(1e-9);
        figure::draw(&Figure {
            title: format!(
                "{}: puncture density · mean {:.0} /cm² · {}",
                self.sim.name, self.result.density.density_per_cm2, self.sim.params
            ),
            panels: vec![Panel {
                caption: format!("punctures per {BIN_MM} mm bin, per cm²"),
                map: &dens,
                view: self.view,
                px_per_mm: self.scale,
                overlays: self.ctx.overlays.clone(),
            }],
            columns: 1,
            scale: Scale::Continuous { max: dmax, label: "punctures / cm²".into() },
        })
    }

    /// Depth classes per bin.
    fn depth(&self) -> Result<Drawn> {
        let d = &self.ctx.depth;
        let classes = map::classes(&self.result.punctures, self.ctx.domain, BIN_MM, &d.class_of);
        let k = d.names.len();
        let mut legend = vec![("no puncture".to_string(), NONE_RGB)];
        legend.extend(d.names.iter().enumerate().map(|(i, name)| (name.clone(), viridis(i as f64 / (k.max(2) - 1) as f64))));
        figure::draw(&Figure {
            title: format!("{}: depth · {}", self.sim.name, self.sim.params),
            panels: vec![Panel {
                caption: d.title.clone(),
                map: &classes,
                view: self.view,
                px_per_mm: self.scale,
                overlays: self.ctx.overlays.clone(),
            }],
            columns: 1,
            scale: Scale::Classes { label: "depth class".into(), classes: legend },
        })
    }

    /// The pass-by-pass animation (none when the run made no frames).
    fn animation(&self) -> Result<Option<Animation>> {
        let (sim, result) = (self.sim, self.result);
        if result.frames.ends.is_empty() {
            return Ok(None);
        }
        let cells: u64 = result.hole.tallies.iter().map(|t| t.cells).sum::<u64>().max(1);
        let mut covered = 0u64;
        let coverage_after = (0..result.frames.ends.len())
            .map(|f| {
                covered += result.hole.tallies.iter().map(|t| t.first_frame.get(f).copied().unwrap_or(0)).sum::<u64>();
                covered as f64 / cells as f64
            })
            .collect();
        let picture_cells = (self.raster.pixel_mm / sim.grid.resolution_mm).round().max(1.0) as usize;
        animation::draw(&animation::Input {
            title: format!("{}: {}", sim.name, sim.short_params),
            punctures: &result.punctures,
            frames: &result.frames,
            coverage_after,
            segment_labels: sim.segment_labels.clone(),
            grid: sim.grid,
            radius_mm: sim.radius_mm,
            cells_per_px: animation::choose_cells_per_px(&self.view, &sim.grid, picture_cells),
            view: self.view,
            domain: self.ctx.domain,
            overlays: &self.ctx.overlays,
        })
        .map(Some)
    }
}
