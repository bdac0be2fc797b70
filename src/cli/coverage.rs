//! `needlesim coverage`: measure any puncture set inside a rectangle.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use needlesim::Error;
use needlesim::coverage_of_points;
use needlesim::geometry::Rect;
use needlesim::io::output::punctures_csv;

#[derive(Args, Debug)]
#[command(after_help = "Example:\n  needlesim coverage output/default/punctures.csv --diameter-mm 0.18 --rect 0,0,40,30")]
/// Measure the coverage of a puncture CSV (needs x_mm,y_mm columns) inside a rectangle.
pub struct CoverageArgs {
    /// CSV with at least x_mm,y_mm columns.
    pub punctures: PathBuf,
    /// Footprint diameter of each puncture, mm.
    #[arg(long)]
    pub diameter_mm: f64,
    /// Rectangle X0,Y0,X1,Y1 in mm.
    #[arg(long, value_name = "X0,Y0,X1,Y1")]
    pub rect: String,
    /// Grid resolution, mm (default 0.01).
    #[arg(long)]
    pub resolution_mm: Option<f64>,
}

#[derive(Serialize)]
struct Report {
    file: String,
    punctures: usize,
    diameter_mm: f64,
    resolution_mm: f64,
    area_mm2: f64,
    coverage: f64,
    hits_histogram: [f64; 5],
    density_per_cm2: f64,
}

fn parse_rect(s: &str) -> Result<Rect, Error> {
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| Error::invalid("--rect", s, "four numbers X0,Y0,X1,Y1 in mm"))?;
    match v.as_slice() {
        [x0, y0, x1, y1] if v.iter().all(|x| x.is_finite()) && x1 > x0 && y1 > y0 => Ok(Rect::new(*x0, *y0, *x1, *y1)),
        [_, _, _, _] => Err(Error::invalid("--rect", s, "finite X0 < X1 and Y0 < Y1 (a rectangle with positive area)")),
        _ => Err(Error::invalid("--rect", s, "four numbers X0,Y0,X1,Y1 in mm")),
    }
}

pub fn run(a: CoverageArgs) -> anyhow::Result<ExitCode> {
    let rect = parse_rect(&a.rect)?;
    if !(a.diameter_mm.is_finite() && a.diameter_mm > 0.0 && a.diameter_mm <= 10.0) {
        return Err(Error::invalid("--diameter-mm", a.diameter_mm, "0 < d ≤ 10 mm").into());
    }
    let resolution_mm = a.resolution_mm.unwrap_or(needlesim::raster::grid::DEFAULT_RESOLUTION_MM);
    if !(resolution_mm.is_finite() && resolution_mm > 0.0 && resolution_mm <= 0.05) {
        return Err(Error::invalid("--resolution-mm", resolution_mm, "0 < resolution ≤ 0.05 mm").into());
    }
    let text = std::fs::read_to_string(&a.punctures).map_err(|e| Error::io(&a.punctures, e))?;
    let points = punctures_csv::read_xy(&text, &a.punctures)?;
    let m = coverage_of_points(&points, a.diameter_mm, rect, resolution_mm)?;
    let report = Report {
        file: a.punctures.display().to_string(),
        punctures: points.len(),
        diameter_mm: a.diameter_mm,
        resolution_mm,
        area_mm2: rect.area(),
        coverage: m.0.coverage,
        hits_histogram: m.0.hits_histogram,
        density_per_cm2: m.1,
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
