//! `needlesim merge`: combine shard folders into one results.csv.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use needlesim::study::sweep::{RESULTS_CSV, merge};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim merge sweeps/s                 # every sweeps/s/shard-*, into sweeps/s/\n  needlesim merge a/shard-0-of-2 b/shard-1-of-2 --out merged"
)]
/// Merge the shard folders of one sweep into one results.csv, identical to an unsharded
/// run's. Refuses folders of different sweeps, overlapping shards and missing points.
pub struct MergeArgs {
    /// Shard folders, or a folder holding shard-* folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder for the merged results (default: the one parent folder given).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// parquet: also write results.parquet, results.csv's twin with typed columns.
    #[arg(long, value_enum, default_value_t = super::run::Format::Csv)]
    pub format: super::run::Format,
}

pub fn run(a: MergeArgs) -> anyhow::Result<ExitCode> {
    let m = merge::merge(&a.dirs, a.out.as_deref())?;
    for w in &m.warnings {
        eprintln!("warning: {w}");
    }
    println!("merged {} folders: {} points ({} failed)", m.folders.len(), m.points, m.failed);
    println!("  wrote {}", m.out.join(RESULTS_CSV).display());
    if a.format == super::run::Format::Parquet {
        println!("  wrote {}", needlesim::study::sweep::write_results_parquet(&m.out)?.display());
    }
    for p in &m.plots {
        println!("  plot {}", p.display());
    }
    for e in &m.plot_errors {
        println!("  warning: {e}");
    }
    Ok(ExitCode::SUCCESS)
}
