//! Pictures tell the truth: positions, colour-bar maxima, per-pass and per-frame layers, and
//! the animation's last frame against the final heatmap.

mod common;

use std::path::Path;

use common::{SMALL, uniform_punctures};
use needlesim::geometry::Rect;
use needlesim::io::output::write_run;
use needlesim::io::scenario;
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Layers, Raster, Request, accumulate};
use needlesim::raster::dense::dense_counts;
use needlesim::raster::domain::RectDomain;
use needlesim::raster::grid::GridSpec;
use needlesim::render::animation::{self, ix};
use needlesim::render::canvas::decode_png;
use needlesim::render::heatmap;
use needlesim::render::map;
use needlesim::render::overlay::Overlays;
use needlesim::render::run_pictures::{DepthClasses, MapContext, RunInfo, draw_run};
use needlesim::render::settings::Pictures;
use needlesim::render::viridis;
use needlesim::sim::{RunResult, Simulation};

fn small_sim(extra: &[&str]) -> Simulation {
    let overrides: Vec<_> = extra.iter().map(|s| s.parse().unwrap()).collect();
    scenario::parse(SMALL, Path::new("small.toml"), &overrides).unwrap().to_simulation().unwrap()
}

fn ctx(domain: &RectDomain) -> MapContext<'_> {
    MapContext { domain, overlays: Overlays::default(), depth: DepthClasses::set_depth() }
}

fn at(pass: u16, x_mm: f64, y_mm: f64) -> Puncture {
    Puncture { pass, stamp: 0, needle: 0, x_mm, y_mm, depth_mm: 1.0, t_s: 0.0, ..Default::default() }
}

fn pixel(rgb: &[u8], width: u32, (x, y): (i32, i32)) -> [u8; 3] {
    let i = ((y as u32 * width + x as u32) * 3) as usize;
    [rgb[i], rgb[i + 1], rgb[i + 2]]
}

/// A puncture at a known mm position lands on the matching pixel of the drawn heatmap (and
/// of the PNG bytes), in the brightest colour; empty skin a little away stays dark.
#[test]
fn a_puncture_appears_at_its_pixel() {
    let area = Rect::new(0.0, 0.0, 20.0, 10.0);
    let grid = GridSpec::new(0.01).unwrap();
    let domain = RectDomain(area);
    for (x, y) in [(3.3, 7.1), (16.52, 2.04), (10.0, 5.0)] {
        let ps = [at(0, x, y)];
        let acc = accumulate(
            &ps,
            &Request { grid, radius_mm: 0.3, passes: 1, picture_cells: Some(5), domain: &domain, layers: Layers::default() },
        );
        let raster = acc.raster.unwrap();
        let pic = heatmap::draw(&raster, area, "one puncture", "hits").unwrap();
        let pl = pic.placement;
        // The raster's brightest pixel is inside the hole; the picture shows it at (x, y).
        assert_eq!(pic.scale_max, 1.0);
        let centre = pl.pixel_of(x, y);
        assert_eq!(pixel(&pic.rgb, pl.width, centre), viridis(1.0), "hole at ({x}, {y}) not at pixel {centre:?}");
        for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
            let away = pl.pixel_of(x + dx, y + dy);
            assert_eq!(pixel(&pic.rgb, pl.width, away), viridis(0.0), "{away:?} should be empty skin");
        }
        let png = decode_png(&heatmap::encode_png(&pic).unwrap()).unwrap();
        assert_eq!(png.get(centre.0, centre.1), Some(viridis(1.0)));
        // Image y grows downwards: a point higher on the skin is higher in the image.
        assert!(pl.pixel_of(x, y + 1.0).1 < centre.1);
    }
}

/// The colour bar's top is the data's maximum (the hits map and the inset together), its
/// top pixel row shows the brightest colour and its bottom the darkest.
#[test]
fn colour_bar_maximum_is_the_data_maximum() {
    let sim = small_sim(&[]);
    let r = sim.run().unwrap();
    let domain = RectDomain(sim.area);
    let pics = draw_run(&RunInfo::of(&sim, &Pictures::default()), &r, &ctx(&domain)).unwrap();
    let raster = r.hole.raster.as_ref().unwrap();
    let window = Pictures::default().inset_window(&sim.area);
    let inset = map::inset(&r.punctures, sim.cartridge.radius_mm(), &window, &sim.grid);
    let want = map::max_in(raster, &sim.area).max(map::max_in(&inset, &window)) as f64;
    assert_eq!(pics.hits_scale_max, want);
    let ((x0, x1), (y0, y1)) = pics.hits.bar.unwrap();
    let c = &pics.hits.canvas;
    assert_eq!(c.get((x0 + x1) / 2, y0), Some(viridis(1.0)));
    assert_eq!(c.get((x0 + x1) / 2, y1 - 1), Some(viridis(0.0)));
    // The pixel holding the data maximum is drawn in the top colour, in the panel that
    // holds it (the inset wins ties).
    let panel = if map::max_in(&inset, &window) as f64 == want { 1 } else { 0 };
    let pl = pics.hits.placements[panel];
    let brightest = (pl.plot_y.0..pl.plot_y.1)
        .flat_map(|y| (pl.plot_x.0..pl.plot_x.1).map(move |x| (x, y)))
        .any(|(x, y)| c.get(x, y) == Some(viridis(1.0)));
    assert!(brightest, "no pixel of panel {panel} shows the bar's maximum colour");
}

/// Per-pass pictures are the fraction of each pixel's cells that pass hit: checked against
/// the dense brute-force grid of that pass alone. With the layers off, the accumulation is
/// exactly the plain one.
#[test]
fn per_pass_pictures_match_the_dense_truth_and_layers_change_nothing_else() {
    let area = Rect::new(0.0, 0.0, 4.0, 4.0);
    let grid = GridSpec::new(0.01).unwrap();
    let domain = RectDomain(area);
    let mut ps = uniform_punctures(300, (0.0, 0.0, 4.0, 4.0), 11);
    for (k, p) in ps.iter_mut().enumerate() {
        p.pass = (k % 3) as u16;
    }
    ps.sort_by_key(|p| p.pass);
    let ends = [50u32, 100, 200, 300];
    let req = |layers| Request { grid, radius_mm: 0.09, passes: 3, picture_cells: Some(5), domain: &domain, layers };
    let plain = accumulate(&ps, &req(Layers::default()));
    let full = accumulate(&ps, &req(Layers { pass_pictures: true, frame_ends: Some(&ends) }));
    assert_eq!(plain.raster, full.raster);
    let mut t = full.tallies[0].clone();
    assert_eq!(t.first_frame.iter().sum::<u64>(), t.covered());
    t.first_frame.clear();
    assert_eq!(plain.tallies[0], t);
    assert!(plain.pass_rasters.is_empty() && plain.tallies[0].first_frame.is_empty());

    assert_eq!(full.pass_rasters.len(), 3);
    for (pass, r) in full.pass_rasters.iter().enumerate() {
        let mine: Vec<Puncture> = ps.iter().filter(|p| p.pass as usize == pass).copied().collect();
        let window = Rect::new(
            r.origin_mm.x,
            r.origin_mm.y,
            r.origin_mm.x + r.width as f64 * r.pixel_mm,
            r.origin_mm.y + r.height as f64 * r.pixel_mm,
        );
        let d = dense_counts(&mine, 0.09, &window, &grid);
        for row in 0..r.height {
            for col in 0..r.width {
                // Tiles wholly outside the domain are not rasterised.
                let c = map::pixel_center(r, col, row);
                if !area.contains(c.x, c.y) {
                    continue;
                }
                let hit = (0..5)
                    .flat_map(|a| (0..5).map(move |b| (a, b)))
                    .filter(|&(a, b)| d.counts[(row * 5 + a) * d.width + col * 5 + b] > 0)
                    .count();
                let got = r.values[row * r.width + col];
                assert!((got - hit as f32 / 25.0).abs() < 1e-6, "pass {pass} pixel ({col}, {row}): {got} vs {hit}/25");
            }
        }
    }
}

/// The coverage after each animation frame is exact: it equals a fresh accumulation of the
/// punctures up to that frame.
#[test]
fn frame_coverage_equals_accumulating_the_prefix() {
    let area = Rect::new(0.0, 0.0, 5.0, 3.0);
    let grid = GridSpec::new(0.01).unwrap();
    let domain = RectDomain(area);
    let mut ps = uniform_punctures(400, (-0.5, -0.5, 5.5, 3.5), 5);
    // Some dragged and tilted needles: frames use the same footprint rule as the tallies.
    for p in ps.iter_mut().step_by(3) {
        p.drag_x_mm = 0.12;
        p.tilt_deg = 25.0;
    }
    let ends = [1u32, 37, 150, 151, 399, 400];
    let req = |layers| Request { grid, radius_mm: 0.09, passes: 1, picture_cells: None, domain: &domain, layers };
    let acc = accumulate(&ps, &req(Layers { pass_pictures: false, frame_ends: Some(&ends) }));
    let mut covered = 0;
    for (f, &end) in ends.iter().enumerate() {
        covered += acc.tallies[0].first_frame[f];
        let prefix = accumulate(&ps[..end as usize], &req(Layers::default()));
        assert_eq!(covered, prefix.tallies[0].covered(), "frame {f}");
    }
}

fn run_small(extra: &[&str]) -> (Simulation, RunResult) {
    let sim = small_sim(extra);
    let r = sim.run().unwrap();
    (sim, r)
}

/// The animation's last frame is the final heatmap: a GIF pixel shows holes exactly where
/// the accumulator's picture has hits inside it, and no cartridge is left on it.
#[test]
fn animation_last_frame_matches_the_final_heatmap() {
    let shaky: &[&str] = &["hand.tilt_mean_deg=20", "hand.tilt_sd_deg=5", "hand.tremor_amplitude_mm=0.2", "device.contact_duty=0.3"];
    for extra in [&[][..], &["technique.pattern=\"random\"", "patch.width_mm=30"][..], shaky] {
        let (sim, r) = run_small(extra);
        let domain = RectDomain(sim.area);
        let pics = draw_run(&RunInfo::of(&sim, &Pictures::default()), &r, &ctx(&domain)).unwrap();
        let a = pics.animation.unwrap();
        assert!(a.frames <= sim.frames + 1, "{} frames", a.frames);
        let (w, _h, img, n) = animation::decode_last_image(&a.gif).unwrap();
        assert_eq!(n, a.frames);
        let raster: &Raster = r.hole.raster.as_ref().unwrap();
        let m = a.map;
        let per = (m.px_mm / raster.pixel_mm).round() as usize;
        assert!((per as f64 * raster.pixel_mm - m.px_mm).abs() < 1e-9, "GIF pixels are whole picture pixels");
        let mut marked = 0;
        for row in 0..m.height {
            for col in 0..m.width {
                let c = m.center(col, row);
                let idx = img[(m.top as usize + m.height - 1 - row) * w + col];
                assert_ne!(idx, ix::CARTRIDGE);
                // Truth: any picture pixel inside this GIF pixel with hits.
                let truth = (0..per).flat_map(|a| (0..per).map(move |b| (a, b))).any(|(a, b)| {
                    let x = c.x - 0.5 * m.px_mm + (b as f64 + 0.5) * raster.pixel_mm;
                    let y = c.y - 0.5 * m.px_mm + (a as f64 + 0.5) * raster.pixel_mm;
                    map::sample(raster, x, y) > 0.0
                });
                let shown = idx > ix::SKIN && idx <= ix::SKIN + animation::LEVELS as u8;
                assert_eq!(shown, truth, "GIF pixel ({col}, {row}) at {c:?}: index {idx}");
                marked += shown as usize;
            }
        }
        assert!(marked > 0);
    }
}

/// 0.18 mm holes survive at a coarse animation scale: each isolated hole marks at least one
/// pixel in the hole colours (fixed palette, no quantisation).
#[test]
fn single_holes_survive_in_the_animation() {
    let (sim, mut r) = run_small(&["patch.width_mm=200", "patch.height_mm=150", "grid.resolution_mm=0.05", "technique.speed_mm_s=1000"]);
    let domain = RectDomain(sim.area);
    let pics = draw_run(&RunInfo::of(&sim, &Pictures::default()), &r, &ctx(&domain)).unwrap();
    let a = pics.animation.unwrap();
    assert!(a.map.px_mm > 0.18, "the test needs pixels wider than a hole ({} mm)", a.map.px_mm);
    let (w, _, img, _) = animation::decode_last_image(&a.gif).unwrap();
    r.punctures.retain(|p| sim.area.contains(p.x_mm, p.y_mm));
    for p in r.punctures.iter().step_by(97) {
        let (x, y) = a.map.pixel_of(p.x_mm, p.y_mm);
        let idx = img[y as usize * w + x as usize];
        assert!(idx > ix::SKIN && idx <= ix::SKIN + animation::LEVELS as u8, "hole at ({}, {}) lost: index {idx}", p.x_mm, p.y_mm);
    }
}

/// Same scenario, any thread count: byte-identical pictures and report.
#[test]
fn pictures_are_byte_identical_for_any_thread_count() {
    let (sim, r) = run_small(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let out = dir.path().join(format!("t{threads}"));
        let r2 = pool.install(|| sim.run().unwrap());
        pool.install(|| write_run(&out, &sim, &Pictures::default(), &r2, "name = \"small\"\n")).unwrap();
        outs.push(out);
    }
    let _ = r;
    for f in [
        "heatmap.png",
        "heatmap.svg",
        "passes.png",
        "passes.svg",
        "density.png",
        "density.svg",
        "depth.png",
        "depth.svg",
        "animation.gif",
        "report.html",
    ] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        let b = std::fs::read(outs[1].join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

/// An ellipse "face" with two regions split at x = 0 (labels 0 and 1): enough to exercise the
/// generic map interface the face map plugs into.
struct TwoRegions;

impl needlesim::raster::domain::Domain for TwoRegions {
    fn bounds(&self) -> Rect {
        Rect::new(-6.0, -4.0, 6.0, 4.0)
    }
    fn label_count(&self) -> usize {
        2
    }
    fn label_at(&self, p: needlesim::geometry::Vec2) -> Option<u16> {
        ((p.x / 6.0).powi(2) + (p.y / 4.0).powi(2) <= 1.0).then_some(if p.x < 0.0 { 0 } else { 1 })
    }
    fn area_mm2(&self, _label: u16) -> f64 {
        std::f64::consts::PI * 6.0 * 4.0 / 2.0
    }
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<needlesim::geometry::Vec2> {
    use needlesim::geometry::Vec2;
    vec![Vec2::new(x0, y0), Vec2::new(x1, y0), Vec2::new(x1, y1), Vec2::new(x0, y1)]
}

/// Overlays land where their polygons are (outline on the edge, hatching inside the no-go
/// zone, holes still visible there), labels are escaped in SVG, and pixels outside the
/// domain are blank.
#[test]
fn overlays_and_domain_mask_land_where_they_should() {
    use needlesim::raster::domain::Domain;
    use needlesim::render::figure::{self, Figure, NO_DATA_RGB, Panel, Scale};
    use needlesim::render::overlay::{NO_GO_HATCH_RGB, OUTLINE_RGB, Shape};
    let sim = small_sim(&["patch.x0_mm=-6", "patch.y0_mm=-4", "patch.width_mm=12", "patch.height_mm=8"]);
    let r = sim.run().unwrap();
    let domain = TwoRegions;
    let overlays = Overlays {
        outlines: vec![Shape::new(square(-6.0, -4.0, 0.0, 4.0), Some("left <cheek> & co".into()))],
        hatched: vec![Shape::new(square(1.0, -1.0, 3.0, 1.0), Some("eye".into()))],
        marks_mm: Vec::new(),
    };
    let mut raster = r.hole.raster.clone().unwrap();
    map::mask_outside(&mut raster, &domain);
    let d = figure::draw(&Figure {
        title: "overlays".into(),
        panels: vec![Panel { caption: String::new(), map: &raster, view: domain.bounds(), px_per_mm: 40.0, overlays: overlays.clone() }],
        columns: 1,
        scale: Scale::Continuous { max: map::max_in(&raster, &domain.bounds()) as f64, label: "hits".into() },
    })
    .unwrap();
    let pl = d.placements[0];
    let c = &d.canvas;
    // The outline's right edge runs along x = 0 (2 px wide around it).
    let on_edge = (0..3).any(|k| {
        let (x, y) = pl.pixel_of(0.0, -3.0 + k as f64);
        [x - 1, x, x + 1].iter().any(|&xx| c.get(xx, y) == Some(OUTLINE_RGB))
    });
    assert!(on_edge, "no outline on x = 0");
    // Hatch stripes inside the no-go square, none far outside it.
    let (a, b) = (pl.pixel_of(1.2, 0.8), pl.pixel_of(2.8, -0.8));
    let stripes = (a.1..b.1).flat_map(|y| (a.0..b.0).map(move |x| (x, y))).filter(|&(x, y)| c.get(x, y) == Some(NO_GO_HATCH_RGB)).count();
    assert!(stripes > 100, "only {stripes} hatch pixels");
    // Corners of the bounds lie outside the ellipse: blank.
    let corner = pl.pixel_of(-5.9, 3.9);
    assert_eq!(c.get(corner.0, corner.1), Some(NO_DATA_RGB));
    // Labels are vector text in the SVG, escaped; the hatch is a pattern, not rectangles.
    assert!(d.svg.contains("left &lt;cheek&gt; &amp; co") && !d.svg.contains("<cheek>"));
    assert!(d.svg.contains("url(#nogo-hatch)"));

    // The whole run's pictures on this map draw and embed the overlays too.
    let ctx = MapContext { domain: &domain, overlays, depth: DepthClasses::set_depth() };
    let pics = draw_run(&RunInfo::of(&sim, &Pictures::default()), &r, &ctx).unwrap();
    assert!(pics.pictures.iter().any(|p| p.file == "heatmap.svg" && String::from_utf8_lossy(&p.bytes).contains("eye")));
    if let Ok(dir) = std::env::var("NEEDLESIM_PICTURE_DIR") {
        for p in &pics.pictures {
            std::fs::write(Path::new(&dir).join(&p.file), &p.bytes).unwrap();
        }
    }
}

/// A long title over a narrow map widens the figure instead of running off its edge: the
/// title's last letters are drawn, with white margin after them.
#[test]
fn a_long_title_is_never_cut_off() {
    use needlesim::render::figure::{self, Figure, Panel, Scale};
    let raster = Raster { origin_mm: needlesim::geometry::Vec2::zeros(), pixel_mm: 1.0, width: 4, height: 4, values: vec![1.0; 16] };
    let view = Rect::new(0.0, 0.0, 4.0, 4.0);
    let draw = |title: &str| {
        figure::draw(&Figure {
            title: title.into(),
            panels: vec![Panel { caption: String::new(), map: &raster, view, px_per_mm: 10.0, overlays: Overlays::default() }],
            columns: 1,
            scale: Scale::Continuous { max: 1.0, label: "hits".into() },
        })
        .unwrap()
    };
    let short = draw("t");
    let long = draw(&"a long title with many words · ".repeat(6));
    assert!(long.canvas.width > short.canvas.width + 400, "{} vs {}", long.canvas.width, short.canvas.width);
    // Dark pixels of the title band (rows 8–32): present near the end, none at the edge.
    let dark = |c: &needlesim::render::canvas::Canvas, x: i32| (8..32).any(|y| c.get(x, y).is_some_and(|p| p.iter().all(|&v| v < 100)));
    let w = long.canvas.width as i32;
    assert!((w - 80..w - 10).any(|x| dark(&long.canvas, x)), "the title's end is drawn");
    assert!(!(w - 8..w).any(|x| dark(&long.canvas, x)), "a white margin after it");
}
