//! Entry points shared by the fuzz targets (`fuzz/`, cargo-fuzz) and the proptest-driven
//! fuzz tests (`tests/fuzz_inputs.rs`): each feeds arbitrary bytes to one reader and must
//! return (an error is fine) without panicking, hanging or allocating without bound.
//!
//! Runs are only attempted when the resource guard's estimate is small, so a fuzz input can
//! not make a target run for minutes.

use std::path::Path;

use crate::io::scenario::{self, Override};

/// Largest run (estimated stamps) a fuzz input may trigger.
const MAX_FUZZ_STAMPS: f64 = 300.0;
/// Coarsest grid used for fuzz runs, mm (keeps each run to milliseconds).
const FUZZ_RESOLUTION_MM: f64 = 0.02;

/// Parse, validate and, when small, run a scenario given as bytes.
pub fn scenario_bytes(data: &[u8], path: &Path) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    run_text(text, path, &[]);
}

/// Read puncture centres from CSV bytes.
pub fn punctures_csv_bytes(data: &[u8], path: &Path) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::io::output::punctures_csv::read_xy(text, path);
    }
}

/// Read a custom needle layout (CSV when `path` ends in .csv, else TOML) from bytes.
pub fn layout_file_bytes(data: &[u8], path: &Path) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::io::scenario::layout_file::parse(text, path, crate::pen::cartridge::DEFAULT_NEEDLE_DIAMETER_MM);
    }
}

/// Apply `--set` overrides (one per line of `data`) to the default scenario and run it.
pub fn override_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let overrides: Vec<Override> = text.lines().filter_map(|l| l.parse().ok()).collect();
    run_text(DEFAULT_SCENARIO, Path::new("default.toml"), &overrides);
}

/// The bundled default scenario, a seed for the fuzzers.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

fn run_text(text: &str, path: &Path, overrides: &[Override]) {
    let Ok(file) = scenario::parse(text, path, overrides) else { return };
    if file.is_face() {
        return run_face(&file);
    }
    let Ok(mut sim) = file.to_simulation() else { return };
    sim.picture = false;
    if sim.check_resources().is_err() || sim.estimated_stamps() > MAX_FUZZ_STAMPS {
        return;
    }
    if sim.area.area() > 2_500.0 {
        return;
    }
    sim.grid = crate::raster::grid::GridSpec::new(sim.grid.resolution_mm.max(FUZZ_RESOLUTION_MM)).unwrap_or(sim.grid);
    let _ = sim.run();
}

/// A face scenario: only the built-in map (no file IO), planned, and run when small.
fn run_face(file: &scenario::ScenarioFile) {
    if file.face.as_ref().is_some_and(|f| f.map != "default") {
        return;
    }
    let Ok(map) = crate::face::default_face() else { return };
    let Ok(mut sim) = file.to_face_simulation(map) else { return };
    if sim.estimated_stamps(&sim.paths()) > MAX_FUZZ_STAMPS {
        return;
    }
    sim.picture = false;
    sim.grid = crate::raster::grid::GridSpec::new(sim.grid.resolution_mm.max(FUZZ_RESOLUTION_MM)).unwrap_or(sim.grid);
    let _ = sim.run();
}

/// Read a face-map file (polygon map or legend, TOML) given as bytes; a legend is checked
/// against a small blank image (no file IO).
pub fn face_map_bytes(data: &[u8], path: &Path) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(table) = toml::from_str::<toml::Table>(text.strip_prefix('\u{feff}').unwrap_or(text)) else { return };
    if table.contains_key("image") {
        if let Ok(legend) = crate::io::facemap_file::LegendFile::parse(text, path) {
            let image = crate::io::facemap_file::legend::Rgba { width: 8, height: 8, pixels: vec![[255, 255, 255, 255]; 64] };
            let _ = legend.to_map("fuzz", &image, path, path);
        }
    } else if let Ok(m) = crate::io::facemap_file::MapFile::parse(text, path, false) {
        let _ = m.to_map("fuzz", path);
    }
}

/// Decode arbitrary bytes as a PNG.
pub fn png_bytes(data: &[u8]) {
    let _ = crate::io::facemap_file::legend::read_png(data, Path::new("fuzz.png"));
}

/// Read a recorded trace (`[stroke,][pass,]t_s,x_mm,y_mm[,tilt_deg]`) given as bytes, against a 100 mm map.
pub fn trace_csv_bytes(data: &[u8], path: &Path) {
    if let Ok(text) = std::str::from_utf8(data) {
        let rules =
            crate::io::scenario::trace_csv::TraceRules { max_gap_s: 0.1, map: crate::geometry::Rect::new(-50.0, -50.0, 50.0, 50.0) };
        let _ = crate::io::scenario::trace_csv::read(text, path, &rules);
    }
}

/// Read a SALib-style whitespace design matrix with two named columns.
pub fn design_matrix_bytes(data: &[u8], path: &Path) {
    if let Ok(text) = std::str::from_utf8(data) {
        let keys = ["technique.speed_mm_s".to_owned(), "device.frequency_hz".to_owned()];
        let _ = crate::study::sweep::design::parse_matrix(path, text, &keys);
    }
}

/// Read a mesh file given as bytes: the first byte picks the format (even: OBJ, odd: PLY),
/// the rest is the file. A mesh that reads is mapped to regions by name or number, checked,
/// charted, and painted with a small fixed UV picture (no file IO).
pub fn mesh_bytes(data: &[u8]) {
    use crate::face::raster::Pixel;
    use crate::io::mesh_file::{parse_mesh, uv_paint};
    let (first, rest) = data.split_first().unwrap_or((&0, &[]));
    let ply = first % 2 == 1;
    let path = Path::new(if ply { "fuzz.ply" } else { "fuzz.obj" });
    let Ok(data) = parse_mesh(rest, ply, path) else { return };
    for order in [vec!["a".to_string(), "z".to_string()], vec!["0".to_string()], vec![]] {
        if let Ok(m) = data.to_mesh(10.0, &order, path)
            && m.validate("fuzz").is_ok()
        {
            let _ = crate::surface::Chart::new(&m, "fuzz");
        }
    }
    if let Ok(mut m) = data.to_mesh(1.0, &[], path) {
        let (a, z, e) = (Pixel::Region(0), Pixel::NoGo(0), Pixel::Empty);
        let labels = [a, a, z, e, a, z, z, e, e, a, a, z];
        let picture = uv_paint::UvPicture { labels: &labels, width: 4, height: 3 };
        if uv_paint::paint_groups(&mut m, &picture, &["a".into()], &["z".into()], path).is_ok() && m.validate("fuzz").is_ok() {
            let _ = crate::surface::Chart::new(&m, "fuzz");
        }
    }
}
