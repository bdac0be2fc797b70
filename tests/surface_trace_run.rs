//! Issue 16, truth: a live session on the 3D face equals `needlesim run` on its export.
//!
//! - Library: a live session on the built-in face (three strokes over two passes, crossing
//!   the left cheek, one running into the left eye's no-go zone, pointer times far from 0),
//!   exported (scenario.toml + trace.csv written by the serve code) and run through the
//!   `run` path (scenario load → surface → trace CSV → core): the same punctures to the bit
//!   (every field, landed triangles too), and the run's punctures accumulated on the live
//!   grid give the live session's per-triangle tallies exactly (so the live per-region
//!   coverage figures to the bit). On the run's own (finer) chart grid the per-region
//!   coverage differs from the live one by at most the worst-case centre-sampling bound of
//!   the two grids (see `coverage_bound`), since both measure the same union of holes.
//! - Binary: the 3D page's export route writes a folder that `needlesim run` reproduces
//!   (summary.json and punctures.csv byte for byte), the same with 1 and 2 threads.
//! - Bad trace rows (not finite, time going back, off the chart) exit 2 naming the file and
//!   the line, writing nothing.
#![cfg(feature = "serve")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use needlesim::face::surface::builtin_surface_face;
use needlesim::face::surface_trace_run::run_surface_trace;
use needlesim::geometry::Vec2;
use needlesim::io::scenario::{self, ScenarioFile};
use needlesim::live::surface::{SurfaceLiveMap, SurfaceLiveSession};
use needlesim::live::{LIVE_PASSES, PenSettings, SessionLimits};
use needlesim::raster::accumulate::{Request, accumulate_shaped};
use needlesim::surface::chart::Chart;
use needlesim::surface::trace::SurfaceSample;
use serde_json::{Value, json};

const SERVED: &str = r#"
name = "served"
seed = 3

[cartridge]
preset = 12
depth_mm = 0.5

[device]
frequency_hz = 120
rotation_deg = 18

[patch]
width_mm = 40
height_mm = 30

[technique]
pattern = "serpentine"
speed_mm_s = 30
"#;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_needlesim"))
}

/// Area-weighted chart centroid of the triangles of group `name`.
fn centroid(chart: &Chart, groups: &[String], name: &str) -> Vec2 {
    let g = groups.iter().position(|n| n == name).unwrap() as u32;
    let (mut s, mut w) = (Vec2::new(0.0, 0.0), 0.0);
    for t in chart.tris.iter().filter(|t| t.group == g) {
        let a = 0.5 * ((t.chart[1] - t.chart[0]).perp(&(t.chart[2] - t.chart[0]))).abs();
        s += (t.chart[0] + t.chart[1] + t.chart[2]) * (a / 3.0);
        w += a;
    }
    s / w
}

/// Samples every 16 ms from `a` to `b` at `speed_mm_s` (chart mm), from pointer time `t0_s`;
/// samples off the chart (a hole of the mesh) are left out, as the page's ray misses them.
fn line(chart: &Chart, t0_s: f64, a: Vec2, b: Vec2, speed_mm_s: f64) -> Vec<SurfaceSample> {
    let n = ((b - a).norm() / speed_mm_s / 0.016).ceil().max(1.0) as usize;
    (0..=n)
        .map(|k| SurfaceSample { t_s: t0_s + 0.016 * k as f64, at_mm: a + (b - a) * (k as f64 / n as f64) })
        .filter(|s| chart.locate(s.at_mm).is_some())
        .collect()
}

/// Chart distance from `p` to triangle `t` (0 inside).
fn distance_to_triangle(p: Vec2, t: &[Vec2; 3]) -> f64 {
    let side = |a: Vec2, b: Vec2| (b - a).perp(&(p - a));
    let (d0, d1, d2) = (side(t[0], t[1]), side(t[1], t[2]), side(t[2], t[0]));
    if (d0 >= 0.0 && d1 >= 0.0 && d2 >= 0.0) || (d0 <= 0.0 && d1 <= 0.0 && d2 <= 0.0) {
        return 0.0;
    }
    let seg = |a: Vec2, b: Vec2| {
        let d = b - a;
        let f = ((p - a).dot(&d) / d.norm_squared()).clamp(0.0, 1.0);
        (p - (a + d * f)).norm()
    };
    seg(t[0], t[1]).min(seg(t[1], t[2])).min(seg(t[2], t[0]))
}

/// Worst-case difference of region `g`'s coverage measured on two chart grids: centre
/// sampling errs only in cells the union's rim crosses, at most the sum over holes of one
/// hole's rim cells, `worst_hole_error × π r²` of skin per hole on each grid (bound of
/// `surface::measure::SurfaceGrid`), over the region's skin area. Only holes that can reach
/// the region count: centre within the largest chart semi-axis of a hole (`r / least
/// stretch`) plus a cell diagonal of a triangle of the region. The integer cell weights add
/// at most 2⁻¹⁷/σ relative: 1e-3 relative slack covers it.
fn coverage_bound(chart: &Chart, g: u32, centres: &[Vec2], reach_mm: f64, r_mm: f64, e_sum: f64, area_mm2: f64) -> f64 {
    let tris: Vec<&[Vec2; 3]> = chart.tris.iter().filter(|t| t.group == g).map(|t| &t.chart).collect();
    let near = centres.iter().filter(|&&c| tris.iter().any(|t| distance_to_triangle(c, t) <= reach_mm)).count();
    near as f64 * std::f64::consts::PI * r_mm * r_mm * e_sum / area_mm2 * 1.001 + 1e-12
}

#[test]
fn a_live_3d_session_is_run_on_its_exported_trace() {
    let dir = tempfile::tempdir().unwrap();
    let served_path = dir.path().join("served.toml");
    std::fs::write(&served_path, SERVED).unwrap();
    let served: ScenarioFile = scenario::load(&served_path, &[]).unwrap();
    let mut cartridge = served.cartridge.to_cartridge().unwrap();
    cartridge.depth_mm = 0.5;
    let pen = PenSettings { cartridge: cartridge.clone(), device: served.device.to_device(), tilt_deg: 0.0 };
    let face = builtin_surface_face(&[]).unwrap();
    let map = Arc::new(SurfaceLiveMap::new(face, cartridge.radius_mm()).unwrap());
    let chart = map.chart.clone();
    let groups = map.face.mesh.groups.clone();
    let cheek = centroid(&chart, &groups, "cheek_left");
    let eye = centroid(&chart, &groups, "eye_left");
    let mut s = SurfaceLiveSession::new(map.clone(), pen, SessionLimits::default()).unwrap();
    // Pointer times as the page sends them (ms since page load, / 1000): far from 0.
    let a = line(&chart, 81234.567, cheek - Vec2::new(12.0, 3.0), cheek + Vec2::new(12.0, 3.0), 35.0);
    s.add_samples(7, 0, &a[..17]).unwrap();
    s.add_samples(7, 0, &a[17..]).unwrap();
    s.end_stroke();
    s.add_samples(9, 1, &line(&chart, 81237.001, cheek + Vec2::new(-8.0, 6.0), cheek + Vec2::new(9.0, -5.0), 28.0)).unwrap();
    s.end_stroke();
    s.add_samples(12, 0, &line(&chart, 81240.25, cheek, eye, 30.0)).unwrap();
    let live = s.metrics();
    assert!(live.no_go.iter().sum::<u64>() > 0, "the third stroke reaches the eye's no-go zone: {:?}", live.no_go);

    // The export, as the route writes it.
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    let toml = needlesim::serve::surface_export::scenario_toml(&served, &s).unwrap();
    std::fs::write(export.join("scenario.toml"), &toml).unwrap();
    std::fs::write(export.join("trace.csv"), needlesim::serve::surface::trace_csv(&s)).unwrap();

    // `run`'s path on it.
    let path = export.join("scenario.toml");
    let file = scenario::load(&path, &[]).unwrap();
    assert!(file.is_surface_trace());
    let surface = file.load_surface_face(&path).unwrap();
    let (base, strokes) = file.to_surface_trace_in(surface, &export).unwrap();
    assert_eq!(strokes.len(), 3);
    let (sim, r) = run_surface_trace(&base, &strokes).unwrap();

    // Punctures: the same, to the bit, in the same order; landed on the same triangles.
    assert_eq!(r.run.punctures.len(), live.punctures);
    assert_eq!(r.run.punctures.as_slice(), s.punctures());
    assert_eq!(r.landing.tri, s.landing().tri);
    assert_eq!(r.run.punctures.len(), r.run.stamps_per_pass.iter().sum::<usize>() * cartridge.needle_count(), "conservation");
    assert_eq!(r.run.stamps_per_pass.iter().sum::<usize>(), live.stamps);
    // Per region: punctures whose centre landed there, as live.
    for (run_g, live_g) in r.regions.iter().zip(&live.regions) {
        assert_eq!(run_g.name, live_g.name);
        assert_eq!(run_g.figures.density.punctures_inside, live_g.punctures, "{}", run_g.name);
    }
    assert_eq!(r.off_regions, live.off_regions);

    // On the live grid the run's punctures give the live tallies exactly.
    let on_live = accumulate_shaped(
        &r.run.punctures,
        Some(&r.landing.shape),
        &Request {
            grid: map.grid,
            radius_mm: map.needle_radius_mm(),
            passes: LIVE_PASSES,
            picture_cells: None,
            domain: chart.as_ref(),
            layers: Default::default(),
        },
    );
    assert_eq!(on_live.tallies.as_slice(), s.triangle_tallies());

    // On the run's own grid: within the two grids' worst-case bound.
    assert!(
        r.grid.grid.resolution_mm < map.grid.resolution_mm,
        "the run's grid is finer: {} vs {}",
        r.grid.grid.resolution_mm,
        map.grid.resolution_mm
    );
    let e_live = 2.0 * 2f64.sqrt() / map.min_cells_across_radius;
    let e_sum = e_live + r.grid.worst_hole_error;
    let reach_mm = cartridge.radius_mm() * chart.tris.iter().map(|t| 1.0 / t.stretch.1).fold(0.0, f64::max)
        + 2f64.sqrt() * map.grid.resolution_mm.max(r.grid.grid.resolution_mm);
    let centres: Vec<Vec2> = r.run.punctures.iter().map(|p| Vec2::new(p.x_mm, p.y_mm)).collect();
    let mut report = Vec::new();
    for (g, (run_g, live_g)) in r.regions.iter().zip(&live.regions).enumerate() {
        if live_g.punctures == 0 && run_g.figures.coverage.coverage == 0.0 && live_g.coverage.coverage == 0.0 {
            continue;
        }
        let bound = coverage_bound(&chart, g as u32, &centres, reach_mm, cartridge.radius_mm(), e_sum, run_g.skin_area_mm2);
        let d = (run_g.figures.coverage.coverage - live_g.coverage.coverage).abs();
        report.push(format!(
            "{}: live {:.5} run {:.5} |d| {:.2e} bound {:.2e}",
            run_g.name, live_g.coverage.coverage, run_g.figures.coverage.coverage, d, bound
        ));
        assert!(d <= bound, "{}", report.join("\n"));
    }
    eprintln!(
        "per-region coverage, live grid {} mm vs run grid {} mm:\n{}",
        map.grid.resolution_mm,
        r.grid.grid.resolution_mm,
        report.join("\n")
    );
    let cheek_run = r.regions.iter().find(|g| g.name == "cheek_left").unwrap();
    assert!(cheek_run.figures.treated && cheek_run.figures.coverage.coverage > 0.0);
    assert!(r.no_go.iter().map(|z| z.punctures).sum::<u64>() > 0);
    assert!(sim.treatments.iter().any(|t| sim.face.regions[t.region as usize].name == "cheek_left"));
}

/// Run the binary; (exit code, stderr).
fn run(scenario: &Path, out: &Path, threads: &str) -> (i32, String) {
    let o = Command::new(bin())
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--outputs", "summary,punctures"])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn the_3d_export_route_writes_a_folder_run_reproduces_with_any_thread_count() {
    use common::http::Server;
    let s = Server::start(&[]);
    let mesh = s.call("GET", "/api/surface/mesh", None).json();
    let face = builtin_surface_face(&[]).unwrap();
    let chart = Chart::new(&face.mesh, "builtin").unwrap();
    let groups: Vec<String> = mesh["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_owned()).collect();
    let cheek = centroid(&chart, &groups, "cheek_left");
    let id = s.call("POST", "/api/surface/sessions", Some(&json!({}))).json()["session"].as_str().unwrap().to_owned();
    // Nothing drawn: nothing to export.
    let r = s.call("POST", &format!("/api/surface/sessions/{id}/export"), Some(&json!({})));
    assert_eq!(r.status, 422, "{}", r.body);
    let pts = |t0: f64, a: Vec2, b: Vec2| -> Vec<[f64; 3]> {
        line(&chart, t0, a, b, 30.0).iter().map(|p| [p.t_s * 1000.0, p.at_mm.x, p.at_mm.y]).collect()
    };
    let path = format!("/api/surface/sessions/{id}/strokes");
    let body1 =
        json!({"stroke": 1, "pass": 0, "samples": pts(5.123, cheek - Vec2::new(10.0, 0.0), cheek + Vec2::new(10.0, 2.0)), "end": true});
    assert_eq!(s.call("POST", &path, Some(&body1)).status, 200);
    let body2 =
        json!({"stroke": 2, "pass": 1, "samples": pts(9.5, cheek + Vec2::new(0.0, -7.0), cheek + Vec2::new(2.0, 7.0)), "end": true});
    let last = s.call("POST", &path, Some(&body2));
    assert_eq!(last.status, 200, "{}", last.body);
    let live: Value = last.json()["metrics"].clone();

    // Without the token: refused, nothing written.
    let r = common::http::request_with(
        &s.addr,
        "POST",
        &format!("/api/surface/sessions/{id}/export"),
        &[("Content-Type", "application/json")],
        Some(b"{}"),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(std::fs::read_dir(s.export_dir.path()).unwrap().count(), 0);

    let r = s.call("POST", &format!("/api/surface/sessions/{id}/export"), Some(&json!({})));
    assert_eq!(r.status, 200, "{}", r.body);
    let ex = r.json();
    assert_eq!(ex["punctures"], live["punctures"]);
    let dir = PathBuf::from(ex["dir"].as_str().unwrap());
    for f in ["scenario.toml", "trace.csv", "summary.json", "punctures.csv"] {
        assert!(dir.join(f).is_file(), "{f} in {:?}", ex["files"]);
    }
    let work = tempfile::tempdir().unwrap();
    let (c1, e1) = run(&dir.join("scenario.toml"), &work.path().join("t1"), "1");
    assert_eq!(c1, 0, "{e1}");
    let (c2, e2) = run(&dir.join("scenario.toml"), &work.path().join("t2"), "2");
    assert_eq!(c2, 0, "{e2}");
    for f in ["summary.json", "punctures.csv"] {
        let one = std::fs::read(work.path().join("t1").join(f)).unwrap();
        assert_eq!(one, std::fs::read(work.path().join("t2").join(f)).unwrap(), "{f}: 1 vs 2 threads");
        assert_eq!(one, std::fs::read(dir.join(f)).unwrap(), "{f}: run vs the export");
    }
    let summary: Value = serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["punctures"], live["punctures"], "{summary}");
}

#[test]
fn bad_trace_rows_exit_2_naming_the_file_and_line() {
    let face = builtin_surface_face(&[]).unwrap();
    let chart = Chart::new(&face.mesh, "builtin").unwrap();
    let c = centroid(&chart, &face.mesh.groups, "cheek_left");
    let dir = tempfile::tempdir().unwrap();
    let served_path = dir.path().join("served.toml");
    std::fs::write(&served_path, SERVED).unwrap();
    let served = scenario::load(&served_path, &[]).unwrap();
    let toml = toml::to_string_pretty(&served.to_surface_trace_export("trace.csv")).unwrap();
    let ok = format!("0,0,0,{},{}\n0,0,0.1,{},{}\n", c.x, c.y, c.x + 1.0, c.y);
    let cases = [
        ("nan", format!("0,0,0.2,NaN,{}\n", c.y), "line 4", "not finite"),
        ("inf", format!("0,0,0.2,{},inf\n", c.x), "line 4", "not finite"),
        ("back", format!("0,0,0.05,{},{}\n", c.x, c.y), "line 4", "time must move forward"),
        ("off", format!("0,0,0.2,{},{}\n", 1.0e5, c.y), "line 4", "off the surface's chart"),
    ];
    for (name, bad, line_no, what) in cases {
        let d = dir.path().join(name);
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("scenario.toml"), &toml).unwrap();
        std::fs::write(d.join("trace.csv"), format!("stroke,pass,t_s,u_mm,v_mm\n{ok}{bad}")).unwrap();
        let out = d.join("out");
        let (code, err) = run(&d.join("scenario.toml"), &out, "1");
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("trace.csv") && err.contains(line_no) && err.contains(what), "{name}: {err}");
        assert!(!out.exists(), "{name}: nothing written");
    }
}
