//! What the pictures of a face session are drawn on: the face map as a [`MapContext`]
//! (region outlines labelled at their anchors, hatched no-go zones, each puncture's skin layer
//! as the depth classes) and the session as a [`RunInfo`] (key parameters, one label per
//! session pass and per treatment pass of the timeline).
//!
//! Polygon maps are outlined from their polygons, painted (raster) maps from their pixel
//! outlines. Punctures centred in a no-go zone are marked on top (the map leaves the zone's
//! cells blank).

use crate::face::FaceMap;
use crate::face::names::display_name;
use crate::face::raster::Pixel;
use crate::face::simulation::{FaceRunResult, FaceSimulation, layers_of, pass_segments};
use crate::geometry::Vec2;
use crate::needle::skin::Layer;
use crate::raster::domain::Domain;
use crate::raster::domain::NO_LABEL;
use crate::render::overlay::{Overlays, Shape};
use crate::render::run_pictures::{DepthClasses, MapContext, Picture, RunInfo};
use crate::render::settings::Pictures;

/// The map's outlines and no-go hatching: one outline per region part (the region's largest
/// part carries its display name ([`display_name`]), at the map's label anchor), one hatched shape per no-go zone part
/// (the largest named). A painted map's parts are its pixel outlines
/// ([`crate::face::outline`]).
pub fn face_overlays(map: &FaceMap) -> Overlays {
    labelled_overlays(map, |l| display_name(&map.region(l).name).into_owned())
}

/// [`face_overlays`] with each region's label text given by `text(label)`.
pub fn labelled_overlays(map: &FaceMap, text: impl Fn(u16) -> String) -> Overlays {
    let mut o = Overlays::default();
    for label in (0u16..).take(map.regions().len()) {
        let parts = match map.raster() {
            Some(r) => r.rings_mm(Pixel::Region(label)),
            None => map.region_polygons(label).unwrap_or(&[]).iter().map(|p| p.vertices().to_vec()).collect(),
        };
        let named = largest(&parts);
        for (k, part) in parts.into_iter().enumerate() {
            let shape = Shape::new(part, (Some(k) == named).then(|| text(label)));
            o.outlines.push(if Some(k) == named { shape.with_anchor(map.label_anchor(label)) } else { shape });
        }
    }
    for (k, name) in map.no_go_names().iter().enumerate() {
        let parts = match map.raster() {
            Some(r) => r.rings_mm(Pixel::NoGo(k as u16)),
            None => map.no_go_polygons().and_then(|z| z.get(k)).map(|p| vec![p.vertices().to_vec()]).unwrap_or_default(),
        };
        let named = largest(&parts);
        for (j, part) in parts.into_iter().enumerate() {
            o.hatched.push(Shape::new(part, (Some(j) == named).then(|| display_name(name).into_owned())));
        }
    }
    o
}

/// Index of the ring with the largest area.
fn largest(rings: &[Vec<Vec2>]) -> Option<usize> {
    let area = |r: &Vec<Vec2>| (0..r.len()).map(|i| r[i].perp(&r[(i + 1) % r.len()])).sum::<f64>().abs();
    (0..rings.len()).max_by(|&a, &b| area(&rings[a]).total_cmp(&area(&rings[b])))
}

/// The face map to draw a session's pictures on; depth classes are the skin layers the
/// punctures reached (a puncture centred in no region counts as epidermis; its bin is
/// outside the map and left blank anyway).
pub fn face_map_context<'a>(sim: &'a FaceSimulation, r: &FaceRunResult) -> MapContext<'a> {
    let layers: Vec<usize> = layers_of(&sim.map, &r.landed, &r.real_depth_mm)
        .iter()
        .map(|l| l.map_or(0, |l| Layer::ALL.iter().position(|&a| a == l).unwrap_or(0)))
        .collect();
    let mut overlays = face_overlays(&sim.map);
    // Punctures centred in a no-go zone: the map leaves those cells blank, so mark them.
    overlays.marks_mm = r
        .run
        .punctures
        .iter()
        .zip(&r.landed)
        .filter(|&(_, &l)| l == NO_LABEL)
        .map(|(p, _)| Vec2::new(p.x_mm, p.y_mm))
        .filter(|&c| sim.map.no_go_at(c).is_some())
        .collect();
    MapContext {
        domain: &sim.map,
        overlays,

        depth: DepthClasses {
            title: "deepest skin layer reached per 1 mm bin (each region's skin)".into(),
            names: Layer::ALL.iter().map(|l| l.name().to_string()).collect(),
            class_of: Box::new(move |i, _| layers[i]),
        },
    }
}

/// The session's pictures settings `pictures`, with the inset centred on the first treated
/// region's label anchor unless `[pictures] inset_center_mm` sets it.
pub fn face_pictures(sim: &FaceSimulation, pictures: &Pictures) -> Pictures {
    let mut p = pictures.clone();
    if p.inset_center_mm.is_none() {
        p.inset_center_mm = sim.treatments.first().map(|t| sim.map.label_anchor(t.region));
    }
    p
}

/// The description of a face session for the pictures' titles and labels.
pub fn face_run_info<'a>(sim: &FaceSimulation, r: &FaceRunResult, pictures: &'a Pictures) -> RunInfo<'a> {
    let n = sim.session_passes();
    let depths: Vec<String> =
        sim.treatments.iter().map(|t| t.depth_mm.to_string()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let regions = sim.treatments.len();
    let plural = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    RunInfo {
        name: sim.name.clone(),
        params: format!(
            "{} needles ⌀{} mm, {} mm deep, {} Hz, {}, {}",
            sim.cartridge.needle_count(),
            sim.cartridge.needle_diameter_mm,
            depths.join("/"),
            sim.device.frequency_hz,
            plural(regions, "treatment", "treatments"),
            plural(n, "pass", "passes"),
        ),
        short_params: format!("{} needles, {} Hz, face map {:?}", sim.cartridge.needle_count(), sim.device.frequency_hz, sim.map.name()),
        pass_labels: (0..n).map(|k| format!("pass {}/{n}", k + 1)).collect(),
        segment_labels: pass_segments(&r.run.punctures, &r.treatments)
            .into_iter()
            .map(|(t, range)| {
                let treatment = &sim.treatments[t];
                let pass = r.run.punctures[range.start].pass as usize;
                format!("{}: pass {}/{n}", display_name(&sim.map.region(treatment.region).name), pass + 1)
            })
            .collect(),
        pictures,
        grid: sim.grid,
        radius_mm: sim.cartridge.radius_mm(),
    }
}

/// Longest side of the per-region pictures' plot, px, unless `[pictures] px_per_mm` sets
/// the scale.
pub const REGION_PLOT_PX: f64 = 1100.0;

/// File stems of the per-region pictures (`.png` and `.svg` each).
pub const REGION_COVERAGE: &str = "region_coverage";
pub const REGION_DENSITY: &str = "region_density";

/// The sources' figures marked on the per-region colour bars (shared/domain.md): about 25 %
/// of the area treated per session (the seeds), 250–300 punctures/cm² per treatment
/// (PRIME 2015).
pub const SOURCES_COVERAGE_PERCENT: f64 = 25.0;
pub const SOURCES_DENSITY_PER_CM2: (f64, f64) = (250.0, 300.0);

/// The printed value of one region in a per-region picture, from summary.json's
/// `regions.<key>`: coverage by the report's percent rule, density to the puncture, "untreated"
/// for a region the session did not treat. `None` when the summary lacks the figure.
pub fn region_value_text(region: &serde_json::Value, key: &str) -> Option<String> {
    if region.get("treated").and_then(serde_json::Value::as_bool) == Some(false) {
        return Some("untreated".into());
    }
    let v = region.get(key)?.as_f64()?;
    Some(match key {
        "coverage" => crate::render::figure::percent(v),
        _ => format!("{v:.0} /cm²"),
    })
}

/// The per-region pictures of a face run (coverage and density per region, PNG and SVG),
/// every value read from `summary` (the run's summary.json as a value), so each printed
/// value is summary.json's.
pub fn region_pictures(map: &FaceMap, summary: &serde_json::Value, pictures: &Pictures) -> crate::error::Result<Vec<Picture>> {
    use crate::render::choropleth::{self, Choropleth};
    use crate::render::figure::BarMark;
    let regions = summary.get("regions").and_then(serde_json::Value::as_object);
    let name = summary.get("scenario").and_then(serde_json::Value::as_str).unwrap_or("");
    let view = map.bounds();
    // Larger than the heatmap by default: two-line labels need the room.
    let px_per_mm = pictures.px_per_mm.unwrap_or(REGION_PLOT_PX / view.width().max(view.height()));
    let kinds = [
        (
            REGION_COVERAGE,
            "coverage",
            100.0,
            format!("{name}: hole coverage per region"),
            "hole coverage (%)",
            vec![BarMark { lo: SOURCES_COVERAGE_PERCENT, hi: SOURCES_COVERAGE_PERCENT, text: "sources ≈ 25 %".into() }],
            "Hole coverage of each region (needle footprints); the bar marks the sources' ≈ 25 % of the area treated per session.",
        ),
        (
            REGION_DENSITY,
            "density_per_cm2",
            1.0,
            format!("{name}: punctures per cm² per region"),
            "punctures / cm²",
            vec![BarMark { lo: SOURCES_DENSITY_PER_CM2.0, hi: SOURCES_DENSITY_PER_CM2.1, text: "sources 250–300".into() }],
            "Puncture density of each region; the bar marks the sources' 250–300 punctures/cm² per treatment (PRIME 2015).",
        ),
    ];
    let mut out = Vec::new();
    for (stem, key, factor, title, bar_label, marks, caption) in kinds {
        let region = |l: u16| regions.and_then(|r| r.get(&map.region(l).name));
        let values: Vec<Option<f64>> = (0u16..)
            .take(map.regions().len())
            .map(|l| {
                let r = region(l)?;
                (r.get("treated").and_then(serde_json::Value::as_bool) != Some(false)).then_some(())?;
                r.get(key)?.as_f64().map(|v| v * factor)
            })
            .collect();
        let mut overlays = labelled_overlays(map, |l| {
            let name = display_name(&map.region(l).name).into_owned();
            match region(l).and_then(|r| region_value_text(r, key)) {
                Some(v) => format!("{name}\n{v}"),
                None => name,
            }
        });
        // The hatching speaks for itself (the caption names it): room for the regions' labels.
        overlays.hatched.iter_mut().for_each(|h| h.label = None);
        let drawn = choropleth::draw(&Choropleth {
            title,
            caption: "untreated regions and the no-go zones (hatched) are left grey".into(),
            domain: map,
            values,
            overlays,
            bar_label: bar_label.into(),
            marks,
            px_per_mm,
        })?;
        out.push(Picture { file: format!("{stem}.png"), mime: "image/png", bytes: drawn.png, caption: caption.into(), in_report: true });
        out.push(Picture {
            file: format!("{stem}.svg"),
            mime: "image/svg+xml",
            bytes: drawn.svg.into_bytes(),
            caption: caption.into(),
            in_report: false,
        });
    }
    Ok(out)
}
