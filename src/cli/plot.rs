//! `needlesim plot`: draw a metric of a sweep's results.csv.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use needlesim::Error;
use needlesim::io::scenario::{PlotFile, parse_value};
use needlesim::study::sweep::manifest::Manifest;
use needlesim::study::sweep::{RESULTS_CSV, plot, results};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim plot output/sweep-speed-frequency-sweep --metric coverage_per_pass_0 --x technique.speed_mm_s --y device.frequency_hz --level 0.25\n  needlesim plot DIR --metric coverage --x technique.speed_mm_s --by cartridge.preset --level 0.25"
)]
/// Plot a metric of a finished sweep: against one parameter (one line per value of --by),
/// or as a heatmap over two (--y) with the --level contour.
pub struct PlotArgs {
    /// Sweep folder (holding results.csv and manifest.json).
    pub dir: PathBuf,
    /// Metric column, e.g. coverage_per_pass_0.
    #[arg(long)]
    pub metric: String,
    /// Parameter on the x axis.
    #[arg(long)]
    pub x: String,
    /// Parameter on the y axis (heatmap).
    #[arg(long, conflicts_with = "by")]
    pub y: Option<String>,
    /// Parameter with one line per value (line plot).
    #[arg(long)]
    pub by: Option<String>,
    /// Contour level (heatmap) or reference line (line plot).
    #[arg(long)]
    pub level: Option<f64>,
    /// Fix another parameter, KEY=VALUE (repeatable).
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub r#where: Vec<String>,
    /// PNG file (default: DIR/<metric>-<x>[-<y or by>].png).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(a: PlotArgs) -> anyhow::Result<ExitCode> {
    let manifest = Manifest::read(&a.dir)?.ok_or_else(|| Error::parse(a.dir.join("manifest.json"), "missing: not a sweep folder"))?;
    let mut filters = toml::Table::new();
    for w in &a.r#where {
        let (k, v) = w.split_once('=').ok_or_else(|| Error::invalid("--where", w, "KEY=VALUE, e.g. technique.passes=2"))?;
        filters.insert(k.trim().to_owned(), parse_value(v.trim()));
    }
    let spec = PlotFile { metric: a.metric, x: a.x, y: a.y, by: a.by, level: a.level, r#where: filters, file: None };
    plot::check_specs(std::slice::from_ref(&spec), &manifest.parameters)?;
    let path = a.dir.join(RESULTS_CSV);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let table = results::parse(&text, &path)?;
    let second = spec.y.as_deref().or(spec.by.as_deref()).map_or(String::new(), |k| format!("-{k}"));
    let out = a.out.unwrap_or_else(|| a.dir.join(format!("{}-{}{second}.png", spec.metric, spec.x)));
    plot::draw(&spec, &table, &manifest.parameters, &out)?;
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
