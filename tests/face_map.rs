//! Face maps against independent truth: exact tiling, grid areas, row labels vs point labels,
//! no-go reporting vs brute force, margins, layers at the boundaries, tilt, painted vs
//! polygon maps.

mod common;

use std::path::Path;

use needlesim::face::simulation::FaceSimulation;
use needlesim::face::{FaceMap, default_face};
use needlesim::geometry::polygon::Polygon;
use needlesim::geometry::{Rect, Vec2};
use needlesim::io::facemap_file::{LegendFile, MapFile, legend, paint};
use needlesim::io::scenario;
use needlesim::needle::puncture::Puncture;
use needlesim::raster::accumulate::{Request, accumulate};
use needlesim::raster::domain::{Domain, NO_LABEL, TileClass};
use needlesim::raster::grid::GridSpec;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const BASE: &str = r#"
name = "t"
seed = 7
[cartridge]
preset = 12
depth_mm = 0.5
[device]
frequency_hz = 120
rotation_deg = 18
[technique]
speed_mm_s = 58
directions_deg = [0, 90, 45]
[grid]
resolution_mm = 0.05
"#;

/// A face session on `map` from scenario text appended to [`BASE`].
fn session(map: FaceMap, extra: &str) -> FaceSimulation {
    let text = format!("{BASE}{extra}");
    let f = scenario::parse(&text, Path::new("t.toml"), &[]).unwrap();
    f.to_face_simulation(map).unwrap()
}

fn all_regions(map: &FaceMap) -> String {
    map.regions().iter().map(|r| format!("{:?}", r.name)).collect::<Vec<_>>().join(", ")
}

/// Every puncture of a session, without accumulating.
fn punctures_of(sim: &FaceSimulation) -> Vec<Puncture> {
    sim.punctures().punctures
}

/// Does the closed disk meet the polygon? (Independent of the crate: winding number and
/// segment distances.)
fn disk_meets(poly: &Polygon, c: Vec2, r: f64) -> bool {
    let v = poly.vertices();
    let mut w = 0i32;
    let mut d = f64::INFINITY;
    for i in 0..v.len() {
        let (a, b) = (v[i], v[(i + 1) % v.len()]);
        let e = b - a;
        let t = ((c - a).dot(&e) / e.norm_squared()).clamp(0.0, 1.0);
        d = d.min((c - (a + e * t)).norm());
        let side = e.x * (c.y - a.y) - (c.x - a.x) * e.y;
        if a.y <= c.y {
            if b.y > c.y && side > 0.0 {
                w += 1;
            }
        } else if b.y <= c.y && side < 0.0 {
            w -= 1;
        }
    }
    w != 0 || d <= r
}

#[test]
fn default_regions_tile_the_face_outline_exactly() {
    let m = default_face().unwrap();
    let outline = needlesim::face::default::face_outline();
    let face: f64 = (0..m.regions().len())
        .filter(|&l| !["neck", "decollete"].contains(&m.regions()[l].name.as_str()))
        .map(|l| m.area_mm2(l as u16))
        .sum();
    let no_go: f64 = m.no_go_polygons().unwrap().iter().map(|p| p.area_mm2()).sum();
    // Independent truth: the outline's shoelace area; every no-go zone lies inside it.
    assert!((face + no_go - outline.area_mm2()).abs() < 1e-6, "{face} + {no_go} vs {}", outline.area_mm2());
    // Proportions the docs state.
    let b = outline.bounds();
    assert_eq!((b.width(), b.height()), (136.0, 180.0));
    let total: f64 = (0..m.regions().len()).map(|l| m.area_mm2(l as u16)).sum();
    assert!((total - m.total_area_mm2()).abs() < 1e-9);
    println!("projected areas: face {:.0} cm², total {:.0} cm²", face / 100.0, total / 100.0);
}

#[test]
fn region_areas_from_polygons_agree_with_the_grid() {
    let m = default_face().unwrap();
    for h in [0.05, 0.02] {
        let grid = GridSpec::new(h).unwrap();
        let acc =
            accumulate(&[], &Request { grid, radius_mm: 0.09, passes: 1, picture_cells: None, domain: &m, layers: Default::default() });
        let zones: f64 = m.no_go_polygons().unwrap().iter().map(|p| p.perimeter_mm()).sum();
        for (l, t) in acc.tallies.iter().enumerate() {
            let exact = m.area_mm2(l as u16);
            let grid_area = t.cells as f64 * h * h;
            // Only cells cut by an edge can be wrong, each by less than one cell.
            let perimeter: f64 = m.region_polygons(l as u16).unwrap().iter().map(|p| p.perimeter_mm()).sum::<f64>() + zones;
            assert!((grid_area - exact).abs() <= perimeter * h, "{} at h = {h}: {grid_area} vs {exact}", m.regions()[l].name);
        }
    }
}

#[test]
fn row_labels_agree_with_point_labels_on_every_boundary_tile() {
    let m = default_face().unwrap();
    let grid = GridSpec::new(0.01).unwrap();
    let b = m.bounds();
    let t = grid.tile_cells as i64;
    let mut checked = 0;
    let mut row = vec![0u16; t as usize];
    for tj in grid.tile_of(b.y0)..=grid.tile_of(b.y1) {
        for ti in grid.tile_of(b.x0)..=grid.tile_of(b.x1) {
            let tile = grid.tile_rect(ti, tj);
            let class = m.classify(&tile);
            // Every 29th tile in full (all 40,000 cells); the others every 23rd row.
            let full = (ti * 31 + tj * 17) % 29 == 0;
            for r in (0..t).filter(|r| full || r % 23 == 0) {
                let j = tj * t + r;
                m.label_row(&grid, j, ti * t, &mut row);
                for (c, &got) in row.iter().enumerate() {
                    let p = Vec2::new(grid.cell_center(ti * t + c as i64), grid.cell_center(j));
                    let want = m.label_at(p).unwrap_or(NO_LABEL);
                    assert_eq!(got, want, "tile ({ti}, {tj}) cell {c} at {p:?}");
                    match class {
                        TileClass::Inside(l) => assert_eq!(got, l),
                        TileClass::Outside => assert_eq!(got, NO_LABEL),
                        TileClass::Mixed => {}
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked} rows");
}

#[test]
fn every_puncture_touching_a_no_go_zone_is_reported() {
    let m = default_face().unwrap();
    let sim = session(m, "[face]\n[[treat]]\nregion = \"nose\"\n");
    let zones = sim.map.no_go_polygons().unwrap().to_vec();
    let r = sim.cartridge.radius_mm();
    for seed in [1u64, 2, 3] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Around the eyes, nose and mouth.
        let pts: Vec<Puncture> = (0..20_000)
            .map(|i| Puncture {
                stamp: i,
                x_mm: rng.random_range(-50.0..50.0),
                y_mm: rng.random_range(28.0..120.0),
                depth_mm: 0.5,
                ..Puncture::default()
            })
            .collect();
        let hits = sim.no_go_hits(&pts);
        let mut total = 0;
        for (k, z) in zones.iter().enumerate() {
            // Brute force; zones are disjoint and far apart, so first-zone order is moot.
            let mine: Vec<Vec2> = pts.iter().map(|p| Vec2::new(p.x_mm, p.y_mm)).filter(|&c| disk_meets(z, c, r)).collect();
            assert_eq!(hits[k].punctures, mine.len() as u64, "zone {k}, seed {seed}");
            assert_eq!(hits[k].examples_mm, mine.iter().take(5).copied().collect::<Vec<_>>());
            if !mine.is_empty() {
                let mean = mine.iter().sum::<Vec2>() / mine.len() as f64;
                assert!((hits[k].centroid_mm.unwrap() - mean).norm() < 1e-9);
                let bx = hits[k].bounds_mm.unwrap();
                assert!(mine.iter().all(|p| p.x >= bx.x0 && p.x <= bx.x1 && p.y >= bx.y0 && p.y <= bx.y1));
            }
            total += mine.len();
        }
        assert!(total > 500, "the sample should hit the zones: {total}");
    }
}

/// A tilted or dragged hole is an ellipse or a slot: whenever any point of it lies in a
/// no-go zone (brute force: 96 points around the ellipse at both ends of the drag, and the
/// zone's vertices inside the shape), the puncture is reported; a reported one's enclosing
/// disk meets the zone (the overreach of the test, never a miss).
#[test]
fn tilted_and_dragged_holes_touching_a_no_go_zone_are_never_missed() {
    use needlesim::needle::footprint::{Footprint, reach};
    let m = default_face().unwrap();
    let sim = session(m, "[face]\n[[treat]]\nregion = \"nose\"\n");
    let zones = sim.map.no_go_polygons().unwrap().to_vec();
    let r = sim.cartridge.radius_mm();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let pts: Vec<Puncture> = (0..20_000)
        .map(|i| Puncture {
            stamp: i,
            x_mm: rng.random_range(-50.0..50.0),
            y_mm: rng.random_range(28.0..120.0),
            depth_mm: 0.5,
            tilt_deg: rng.random_range(0.0..60.0f32),
            tilt_azimuth_deg: rng.random_range(0.0..360.0f32),
            drag_x_mm: if i % 3 == 0 { rng.random_range(-0.3..0.3f32) } else { 0.0 },
            drag_y_mm: if i % 3 == 0 { rng.random_range(-0.3..0.3f32) } else { 0.0 },
            ..Puncture::default()
        })
        .collect();
    let hits = sim.no_go_hits(&pts);
    let (mut touching, mut reported_total) = (0u64, 0u64);
    for (k, z) in zones.iter().enumerate() {
        let mut reported = 0u64;
        for p in &pts {
            let f = Footprint::of(p, r);
            let (u, v) = (f.axis, Vec2::new(-f.axis.y, f.axis.x));
            let rim = (0..96).flat_map(|j| {
                let th = j as f64 / 96.0 * std::f64::consts::TAU;
                let q = f.center + u * (f.a_mm * th.cos()) + v * (f.b_mm * th.sin());
                [q, q + f.drag]
            });
            let touches = rim.chain([f.center]).any(|q| z.contains(q)) || z.vertices().iter().any(|&q| f.contains(q));
            let (at, rr) = reach(p, r);
            let meets = disk_meets(z, at, rr);
            assert!(!touches || meets, "zone {k}: a hole at ({}, {}) touching it is not reported", p.x_mm, p.y_mm);
            touching += touches as u64;
            reported += meets as u64;
        }
        assert_eq!(hits[k].punctures, reported, "zone {k}");
        reported_total += reported;
    }
    assert!(touching > 500, "the sample should touch the zones: {touching}");
    // The overreach is small: few reports beyond the brute-force touches.
    assert!((reported_total - touching) as f64 <= 0.1 * touching as f64, "{reported_total} reported, {touching} touching");
}

#[test]
fn a_margin_of_the_cartridge_radius_keeps_every_needle_off_the_no_go_zones() {
    let m = default_face().unwrap();
    // The regions next to a no-go zone.
    let near = [
        "periorbital_upper_left",
        "periorbital_upper_right",
        "periorbital_lower_left",
        "periorbital_lower_right",
        "nose",
        "perioral",
        "cheek_left",
    ];
    let regions = near.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(", ");
    let reach = 0.5 * needlesim::pen::cartridge::Cartridge::preset(12, 1.0).unwrap().footprint_diameter_mm();
    for (pattern, dirs) in [("serpentine", "[0, 90, 45]"), ("strokes", "[30, 120]"), ("random", "[0]")] {
        let extra =
            format!("[face]\nmargin_mm = {reach}\n[[treat]]\nregions = [{regions}]\npattern = \"{pattern}\"\ndirections_deg = {dirs}\n");
        let sim = session(m.clone(), &extra);
        let pts = punctures_of(&sim);
        let hits = sim.no_go_hits(&pts);
        assert!(hits.iter().all(|h| h.punctures == 0), "{pattern}: {:?}", hits.iter().map(|h| h.punctures).collect::<Vec<_>>());
        for p in &pts {
            assert!(sim.map.no_go_at(Vec2::new(p.x_mm, p.y_mm)).is_none());
        }
        // Without the margin the same plan does needle the zones: the check can fail.
        let sim0 = session(m.clone(), &extra.replace(&format!("margin_mm = {reach}"), "margin_mm = 0"));
        let touched: u64 = sim0.no_go_hits(&punctures_of(&sim0)).iter().map(|h| h.punctures).sum();
        assert!(touched > 0, "{pattern}: margin 0 should touch the zones");
    }
}

#[test]
fn lanes_stay_where_the_cartridge_centre_may_go() {
    let m = default_face().unwrap();
    let sim = session(
        m.clone(),
        &format!("[face]\nmargin_mm = 1.5\n[[treat]]\nregions = [{}]\ndirections_deg = [0, 90, 45, 17]\n", all_regions(&m)),
    );
    let planner = sim.planner();
    for t in &sim.treatments {
        for plan in &t.passes {
            for seg in planner.path(t.region, plan).iter().filter(|s| s.pen_down) {
                for k in 1..20 {
                    let q = seg.from + (seg.to - seg.from) * (k as f64 / 20.0);
                    // Inside the region's polygon and ≥ margin from every zone (independent checks).
                    let inside = m.region_polygons(t.region).unwrap().iter().any(|p| disk_meets(p, q, 1e-9));
                    let clear = m.no_go_polygons().unwrap().iter().all(|z| !disk_meets(z, q, 1.5 - 1e-9));
                    assert!(inside && clear, "{} at {q:?}", m.region(t.region).name);
                }
            }
        }
    }
}

const SQUARE_MAP: &str = r#"
[[region]]
name = "square"
polygon = [[0, 0], [40, 0], [40, 40], [0, 40], [0, 0]]
epidermis_mm = 0.0625
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.25, 2.5]
"#;

fn square_session(device: &str, treat: &str, face: &str) -> (FaceSimulation, needlesim::face::simulation::FaceRunResult) {
    let map = MapFile::parse(SQUARE_MAP, Path::new("sq.toml"), false).unwrap().to_map("sq", Path::new("sq.toml")).unwrap();
    let text = format!("{BASE}[[treat]]\nregion = \"square\"\npasses = 1\n{treat}\n[face]\n{face}\n")
        .replace("rotation_deg = 18\n", &format!("rotation_deg = 18\n{device}\n"));
    let sim = scenario::parse(&text, Path::new("t.toml"), &[]).unwrap().to_face_simulation(map).unwrap();
    let r = sim.run().unwrap();
    (sim, r)
}

#[test]
fn layers_at_the_layer_boundaries_by_hand() {
    // Epidermis 0.0625, dermis 1.0: the DEJ at 0.0625, mid-dermis at 0.5625, bottom 1.0625.
    // set 0.5 × ratio 0.125 = 0.0625 exactly: every tip at the DEJ → dermis.
    let (_, r) = square_session("", "depth_mm = 0.5", "penetration_ratio = 0.125");
    assert_eq!((r.layers.epidermis, r.layers.beyond), (0, 0));
    assert!(r.layers.dermis > 0);
    assert_eq!(r.coverage_dej, r.run.hole_coverage.coverage);
    assert_eq!(r.coverage_mid_dermis, 0.0);
    // ratio 0.12: 0.06 < 0.0625 → epidermis only; nothing reaches the DEJ.
    let (_, r) = square_session("", "depth_mm = 0.5", "penetration_ratio = 0.12");
    assert_eq!((r.layers.dermis, r.layers.beyond), (0, 0));
    assert_eq!(r.coverage_dej, 0.0);
    assert!(r.run.hole_coverage.coverage > 0.0);
    // set 2.125 × 0.5 = 1.0625 = epidermis + dermis → beyond, with a warning naming it.
    let (_, r) = square_session("depth_max_mm = 2.5", "depth_mm = 2.125", "penetration_ratio = 0.5");
    assert_eq!((r.layers.epidermis, r.layers.dermis), (0, 0));
    assert!(r.layers.beyond > 0);
    assert!(r.run.warnings.iter().any(|w| w.contains("square") && w.contains("beyond the dermis")), "{:?}", r.run.warnings);
    // set 1.125 × 0.5 = 0.5625: exactly mid-dermis; everything reaches it.
    let (_, r) = square_session("", "depth_mm = 1.125", "penetration_ratio = 0.5");
    assert_eq!(r.coverage_mid_dermis, r.run.hole_coverage.coverage);
    assert!(r.run.warnings.iter().all(|w| !w.contains("beyond")));
}

#[test]
fn tilt_of_30_degrees_shortens_the_real_depth_by_cos_30() {
    let (_, straight) = square_session("", "depth_mm = 1.0", "");
    let (sim, tilted) = square_session("angle_deg = 60", "depth_mm = 1.0", "");
    assert_eq!(sim.tilt_deg(), 30.0);
    assert_eq!(straight.real_depth_mm.len(), tilted.real_depth_mm.len());
    for (a, b) in straight.real_depth_mm.iter().zip(&tilted.real_depth_mm) {
        assert!((b / a - 30f64.to_radians().cos()).abs() < 1e-12);
    }
}

/// A rectilinear map whose edges lie on the 1 mm pixel lattice, as polygons and as a PNG
/// painted by hand (not by the crate's painter).
#[test]
fn a_png_map_and_its_polygon_twin_give_the_same_areas() {
    let polys = r#"
[[region]]
name = "a"
polygon = [[0, 0], [30, 0], [30, 10], [10, 10], [10, 20], [0, 20], [0, 0]]
epidermis_mm = 0.05
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.5, 1.0]
[[region]]
name = "b"
polygon = [[30, 0], [40, 0], [40, 25], [10, 25], [10, 10], [30, 10], [30, 0]]
epidermis_mm = 0.05
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.5, 1.0]
[[no_go]]
name = "hole"
polygon = [[20, 15], [25, 15], [25, 20], [20, 20], [20, 15]]
"#;
    let pm = MapFile::parse(polys, Path::new("p.toml"), false).unwrap().to_map("p", Path::new("p.toml")).unwrap();
    // The same map as pixels: 40 × 25 px of 1 mm, origin (0, 0); rows from the top.
    let (w, h) = (40usize, 25usize);
    let mut pixels = vec![[255u8, 255, 255, 255]; w * h];
    for top in 0..h {
        let y = (h - 1 - top) as f64 + 0.5;
        for col in 0..w {
            let x = col as f64 + 0.5;
            let hole = (20.0..25.0).contains(&x) && (15.0..20.0).contains(&y);
            let a = (y < 10.0 && x < 30.0) || (x < 10.0 && y < 20.0);
            let c = if hole {
                [0, 0, 0]
            } else if a {
                [255, 0, 0]
            } else {
                [0, 0, 255]
            };
            pixels[top * w + col] = [c[0], c[1], c[2], 255];
        }
    }
    // Top-left 10 × 5 px are background (x < 10, y ≥ 20).
    for top in 0..5 {
        for col in 0..10 {
            pixels[top * w + col] = [255, 255, 255, 255];
        }
    }
    let legend_text = r##"
image = "p.png"
mm_per_px = 1.0
origin_mm = [0, 0]
[[color]]
rgb = "#ff0000"
region = "a"
epidermis_mm = 0.05
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.5, 1.0]
[[color]]
rgb = "#0000ff"
region = "b"
epidermis_mm = 0.05
dermis_mm = 1.0
subcutis_mm = 2.0
recommended_depth_mm = [0.5, 1.0]
[[color]]
rgb = "#000000"
no_go = "hole"
[[color]]
rgb = "#ffffff"
background = true
"##;
    let legend = LegendFile::parse(legend_text, Path::new("p.legend.toml")).unwrap();
    let image = legend::Rgba { width: w, height: h, pixels };
    let rm = legend.to_map("p", &image, Path::new("p.legend.toml"), Path::new("p.png")).unwrap();
    for l in 0..2u16 {
        assert!((pm.area_mm2(l) - rm.area_mm2(l)).abs() <= 1.0, "region {l}: {} vs {}", pm.area_mm2(l), rm.area_mm2(l));
    }
    assert_eq!(pm.area_mm2(0), 400.0);
    assert_eq!(pm.area_mm2(1), 525.0);
    // And the default face painted at 0.5 mm/px: within half a pixel band along the edges.
    let face = default_face().unwrap();
    let (img, leg) = paint::paint(&face, 0.5, "f.png").unwrap();
    let painted = leg.to_map("f", &img, Path::new("f.legend.toml"), Path::new("f.png")).unwrap();
    let zones: f64 = face.no_go_polygons().unwrap().iter().map(|p| p.perimeter_mm()).sum();
    for l in 0..face.regions().len() as u16 {
        let perimeter: f64 = face.region_polygons(l).unwrap().iter().map(|p| p.perimeter_mm()).sum::<f64>() + zones;
        let (a, b) = (face.area_mm2(l), painted.area_mm2(l));
        assert!((a - b).abs() <= 0.5 * perimeter * 0.5, "{}: {a} vs {b}", face.regions()[l as usize].name);
    }
}

#[test]
fn a_painted_map_accumulates_its_exact_pixel_areas() {
    let face = default_face().unwrap();
    let (img, leg) = paint::paint(&face, 1.0, "f.png").unwrap();
    let painted = leg.to_map("f", &img, Path::new("f.legend.toml"), Path::new("f.png")).unwrap();
    let grid = GridSpec::new(0.05).unwrap();
    let acc =
        accumulate(&[], &Request { grid, radius_mm: 0.09, passes: 1, picture_cells: None, domain: &painted, layers: Default::default() });
    for (l, t) in acc.tallies.iter().enumerate() {
        // Pixel edges fall on cell edges, so the grid counts whole pixels.
        assert!((t.cells as f64 * 0.0025 - painted.area_mm2(l as u16)).abs() < 1e-6, "{l}");
    }
}

#[test]
fn the_shipped_painted_map_is_the_default_face() {
    let dir = common::root().join("scenarios/maps");
    let (img, leg) = paint::paint(&default_face().unwrap(), 1.0, "painted-face.png").unwrap();
    let bytes = std::fs::read(dir.join("painted-face.png")).unwrap();
    let shipped = legend::read_png(&bytes, Path::new("painted-face.png")).unwrap();
    assert_eq!((shipped.width, shipped.height), (img.width, img.height));
    assert!(
        shipped.pixels == img.pixels,
        "regenerate with: needlesim face-map default --paint scenarios/maps/painted-face.png --mm-per-px 1"
    );
    let text = std::fs::read_to_string(dir.join("painted-face.legend.toml")).unwrap();
    assert_eq!(LegendFile::parse(&text, Path::new("x")).unwrap(), leg);
    let map = needlesim::io::facemap_file::load("painted-face.legend.toml", &dir).unwrap();
    assert_eq!(map.regions().len(), 19);
}

#[test]
fn a_polygon_file_round_trips_the_default_face() {
    let face = default_face().unwrap();
    let text = MapFile::from_map(&face).unwrap().to_toml();
    let back = MapFile::parse(&text, Path::new("x.toml"), false).unwrap().to_map("x", Path::new("x.toml")).unwrap();
    let json = serde_json::to_string(&MapFile::from_map(&face).unwrap()).unwrap();
    let from_json = MapFile::parse(&json, Path::new("x.json"), true).unwrap().to_map("x", Path::new("x.json")).unwrap();
    for l in 0..face.regions().len() as u16 {
        assert_eq!(face.area_mm2(l), back.area_mm2(l));
        assert_eq!(face.area_mm2(l), from_json.area_mm2(l));
        assert_eq!(face.region(l), back.region(l));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let b: Rect = face.bounds();
    for _ in 0..10_000 {
        let p = Vec2::new(rng.random_range(b.x0..b.x1), rng.random_range(b.y0..b.y1));
        assert_eq!(face.label_at(p), back.label_at(p));
    }
}
