//! Labels never collide on the pictures as drawn: the default flat face map and flat-face's
//! heatmap (both panels, at the scale `run` draws them), and the per-region pictures print
//! summary.json's values.
//!
//! The checks measure the label boxes the figure drew (image pixels) against each other, the
//! plot area and the no-go zones themselves (every pixel of every box is tested against the
//! map's no-go polygons, not against the boxes the placer was given), and check that a label
//! placed without a leader sits inside its own region.

mod common;

use needlesim::face::FaceMap;
use needlesim::face::default::default_face;
use needlesim::face::names::display_name;
use needlesim::geometry::{Rect, Vec2};
use needlesim::io::output::face_pictures::{face_map_context, face_overlays, face_pictures, face_run_info};
use needlesim::raster::accumulate::Raster;
use needlesim::raster::domain::Domain;
use needlesim::render::figure::{self, Drawn, Figure, PanelLabels, Placement, Scale, percent};
use needlesim::render::labels::{overlapping_pairs, segment_meets_rect};
use needlesim::render::run_pictures::draw_run;
use needlesim::render::settings::Pictures;

/// The image point → map mm inverse of a placement.
fn to_mm(pl: &Placement, x: f64, y: f64) -> Vec2 {
    let fx = (x - pl.plot_x.0 as f64) / (pl.plot_x.1 - pl.plot_x.0) as f64;
    let fy = (y - pl.plot_y.0 as f64) / (pl.plot_y.1 - pl.plot_y.0) as f64;
    Vec2::new(pl.view.x0 + fx * pl.view.width(), pl.view.y1 - fy * pl.view.height())
}

/// Every check on one panel's labels; returns the texts drawn.
fn check_panel(map: &FaceMap, labels: &PanelLabels, pl: &Placement, what: &str) -> Vec<String> {
    assert!(labels.left_out.is_empty(), "{what}: labels left out: {:?}", labels.left_out);
    let boxes: Vec<Rect> = labels.labels.iter().map(|l| l.placed.rect).collect();
    assert!(overlapping_pairs(&boxes).is_empty(), "{what}: overlapping labels {:?}", overlapping_pairs(&boxes));
    let plot = Rect::new(pl.plot_x.0 as f64, pl.plot_y.0 as f64, pl.plot_x.1 as f64, pl.plot_y.1 as f64);
    assert_eq!(labels.bounds, plot);
    for (k, l) in labels.labels.iter().enumerate() {
        let r = l.placed.rect;
        assert!(plot.contains_rect(&r), "{what}: {:?} leaves the plot {r:?}", l.text);
        // No pixel of the box over a no-go zone (the zones themselves, sampled at each pixel).
        for y in r.y0.floor() as i32..r.y1.ceil() as i32 {
            for x in r.x0.floor() as i32..r.x1.ceil() as i32 {
                let at = to_mm(pl, x as f64 + 0.5, y as f64 + 0.5);
                assert!(map.no_go_at(at).is_none(), "{what}: {:?} covers no-go zone at {at:?}", l.text);
            }
        }
        match l.placed.leader {
            Some((a, b)) => {
                for (j, other) in boxes.iter().enumerate() {
                    assert!(j == k || !segment_meets_rect(a, b, other), "{what}: the leader of {:?} crosses another label", l.text);
                }
            }
            None => {
                // Inside its own region: the region under every corner is the named one.
                let name = l.text.lines().next().unwrap();
                if let Some(region) = map.regions().iter().position(|g| display_name(&g.name) == name) {
                    for c in r.corners() {
                        let at = to_mm(pl, c.x.clamp(r.x0 + 0.5, r.x1 - 0.5), c.y.clamp(r.y0 + 0.5, r.y1 - 0.5));
                        assert_eq!(map.label_at(at), Some(region as u16), "{what}: {name} sits outside its region without a leader");
                    }
                }
            }
        }
    }
    labels.labels.iter().map(|l| l.text.clone()).collect()
}

/// Every region and no-go zone's display name is on the map.
fn check_every_name(map: &FaceMap, texts: &[String], what: &str) {
    let first: Vec<&str> = texts.iter().map(|t| t.lines().next().unwrap()).collect();
    for key in map.regions().iter().map(|r| r.name.as_str()).chain(map.no_go_names().iter().map(String::as_str)) {
        assert!(first.contains(&display_name(key).as_ref()), "{what}: no label for {key}");
    }
}

fn empty_raster(map: &FaceMap) -> Raster {
    let b = map.bounds();
    Raster {
        origin_mm: Vec2::new(b.x0, b.y0),
        pixel_mm: 1.0,
        width: b.width().ceil() as usize,
        height: b.height().ceil() as usize,
        values: vec![0.0; (b.width().ceil() * b.height().ceil()) as usize],
    }
}

#[test]
fn the_default_flat_face_maps_labels_never_collide() {
    let map = default_face().unwrap();
    let raster = empty_raster(&map);
    let view = map.bounds();
    let d: Drawn = figure::draw(&Figure {
        title: "default face".into(),
        panels: vec![figure::Panel {
            caption: String::new(),
            map: &raster,
            view,
            px_per_mm: Pictures::default().scale_px_per_mm(&view),
            overlays: face_overlays(&map),
        }],
        columns: 1,
        scale: Scale::Continuous { max: 1.0, label: "hits".into() },
    })
    .unwrap();
    let texts = check_panel(&map, &d.labels[0], &d.placements[0], "default map");
    check_every_name(&map, &texts, "default map");
    assert_eq!(texts.len(), map.regions().len() + map.no_go_names().len());
}

/// flat-face's heatmap, drawn as `run` draws it (main panel with the zoom window, and the
/// zoom panel).
#[test]
fn full_face_heatmap_labels_never_collide() {
    let path = common::root().join("scenarios/flat-face.toml");
    let sets: Vec<needlesim::io::scenario::Override> =
        ["grid.resolution_mm=0.05", "technique.speed_mm_s=150", "pictures.frames=0"].iter().map(|s| s.parse().unwrap()).collect();
    let file = needlesim::io::scenario::load(&path, &sets).unwrap();
    let map = needlesim::io::scenario::load_face_map(&file, &path).unwrap();
    let sim = file.to_face_simulation_in(map, path.parent().unwrap()).unwrap();
    let r = sim.run().unwrap();
    let pictures = face_pictures(&sim, &file.pictures().unwrap());
    let drawn = draw_run(&face_run_info(&sim, &r, &pictures), &r.run, &face_map_context(&sim, &r)).unwrap();
    let hits = &drawn.hits;
    assert_eq!(hits.labels.len(), 2);
    let texts = check_panel(&sim.map, &hits.labels[0], &hits.placements[0], "heatmap");
    check_every_name(&sim.map, &texts, "heatmap");
    assert!(texts.iter().any(|t| t == "zoom"), "the zoom window is named");
    check_panel(&sim.map, &hits.labels[1], &hits.placements[1], "heatmap zoom");
}

/// Texts of the SVG's `<text>` elements, unescaped enough for names and numbers.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].replace("&amp;", "&").replace("&#39;", "'")))
        .collect()
}

/// The per-region pictures print each region's name with summary.json's value below it:
/// coverage by the report's percent rule, density to the puncture.
#[test]
fn region_pictures_print_summary_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let sc = common::root().join("scenarios/flat-face.toml");
    let o = common::run_in(
        dir.path(),
        &[
            "run",
            sc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "grid.resolution_mm=0.05",
            "--set",
            "pictures.frames=0",
            "--outputs",
            "pictures",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let regions = summary["regions"].as_object().unwrap();
    for (file, key) in [("region_coverage.svg", "coverage"), ("region_density.svg", "density_per_cm2")] {
        let texts = svg_texts(&std::fs::read_to_string(out.join(file)).unwrap());
        for (name, r) in regions {
            let v = r[key].as_f64().unwrap();
            let want = if r["treated"] == false {
                "untreated".to_string()
            } else if key == "coverage" {
                percent(v)
            } else {
                format!("{v:.0} /cm²")
            };
            let shown = display_name(name);
            let at = texts.iter().position(|t| *t == shown).unwrap_or_else(|| panic!("{file}: no label {shown:?} in {texts:?}"));
            assert_eq!(texts.get(at + 1), Some(&want), "{file}: {name}");
        }
        assert!(std::fs::metadata(out.join(file.replace(".svg", ".png"))).unwrap().len() > 1000);
    }
}
