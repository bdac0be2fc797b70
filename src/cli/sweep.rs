//! `needlesim sweep`: run a scenario's `[sweep]` design, resumably, on a shard if asked.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use needlesim::io::scenario::Override;
use needlesim::study::sweep::estimate::{Estimate, human_bytes, human_duration};
use needlesim::study::sweep::run::{self, Observer, Options};
use needlesim::study::sweep::shard::Shard;
use needlesim::study::sweep::{RESULTS_CSV, Sweep, export};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  needlesim sweep scenarios/sweep-speed-frequency.toml\n  needlesim sweep scenarios/sweep-speed-frequency.toml --out sweeps/sf --threads 8 --resume\n  needlesim sweep S.toml --out sweeps/s --shard auto/16    # one task of a SLURM array / k8s Indexed Job\n  needlesim merge sweeps/s"
)]
/// Run every point of the scenario's [sweep] design: writes results.csv, manifest.json,
/// journal.jsonl (and plots) into the output folder.
pub struct SweepArgs {
    /// Scenario TOML file with a [sweep] table.
    pub scenario: PathBuf,
    /// Output folder (default: output/<scenario name>-sweep/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Run only shard I of N (points with index % N == I), into OUT/shard-I-of-N/.
    /// auto/N reads I from the scheduler: SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX,
    /// AWS_BATCH_JOB_ARRAY_INDEX, CLOUD_RUN_TASK_INDEX (from 0), PBS_ARRAY_INDEX,
    /// LSB_JOBINDEX, SGE_TASK_ID (from 1).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Continue the sweep in the output folder: run only the points it does not hold yet.
    #[arg(long)]
    pub resume: bool,
    /// Like --resume, and also rerun the points recorded with status = error.
    #[arg(long)]
    pub retry_failed: bool,
    /// Also write OUT/y.txt: the metric's column in design order, the whitespace matrix
    /// `salib analyze … -Y y.txt` reads (repeatable: one column per metric, `-c` picks one;
    /// failed points are nan). Whole sweeps only (not a shard).
    #[arg(long = "export-y", value_name = "METRIC")]
    pub export_y: Vec<String>,
    /// parquet: also write results.parquet, results.csv's twin with typed columns (pandas,
    /// polars and pyarrow read it).
    #[arg(long, value_enum, default_value_t = super::run::Format::Csv)]
    pub format: super::run::Format,
    /// Override a base scenario key by dotted path (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Progress bar on a terminal, plain lines otherwise.
struct Console {
    bar: ProgressBar,
}

impl Observer for Console {
    fn note(&self, message: &str) {
        self.bar.suspend(|| eprintln!("{message}"));
    }
    fn estimate(&self, e: &Estimate) {
        self.bar.suspend(|| {
            eprintln!(
                "estimate: {} more points on {} thread{} ≈ {} (first point {:.2} s), about {} more on disk",
                e.points,
                e.threads,
                if e.threads == 1 { "" } else { "s" },
                human_duration(e.seconds),
                e.first_s,
                human_bytes(e.bytes)
            )
        });
    }
    fn progress(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }
}

pub fn run(a: SweepArgs) -> anyhow::Result<ExitCode> {
    let overrides = a.set.iter().map(|s| s.parse::<Override>()).collect::<Result<Vec<_>, _>>()?;
    let shard = a.shard.as_deref().map(|s| Shard::parse(s, |k| std::env::var(k).ok())).transpose()?;
    let sweep = Sweep::load(&a.scenario, &overrides)?;
    if shard.is_some() && !a.export_y.is_empty() {
        anyhow::bail!(needlesim::Error::invalid(
            "--export-y",
            a.export_y.join(","),
            "a whole sweep, not a shard: after `needlesim merge OUT`, run `needlesim sweep S --out OUT --resume --export-y METRIC` or read OUT/results.csv"
        ));
    }
    let out = a.out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}-sweep", sweep.name)));
    let opts = Options { out: out.clone(), threads: a.threads.map(usize::from), shard, resume: a.resume, retry_failed: a.retry_failed };

    let bar = if std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        b.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} points  elapsed {elapsed}  ETA {eta}").expect("a valid template"));
        b
    } else {
        ProgressBar::hidden()
    };
    let scope = shard.map_or(format!("{} points", sweep.len()), |s| {
        format!("shard {}/{}: {} of {} points", s.index, s.count, s.points_of(sweep.len()), sweep.len())
    });
    eprintln!("{}: {} design over {} ({scope})", sweep.name, sweep.design.kind.name(), sweep.design.keys.join(", "));
    let console = Console { bar };
    let outcome = run::run(&sweep, &opts, &console)?;
    console.bar.finish_and_clear();

    println!(
        "{}: {} of {} points recorded ({} run now, {} failed)",
        outcome.dir.display(),
        outcome.recorded,
        outcome.scope,
        outcome.ran,
        outcome.failed
    );
    println!("  wrote {}", outcome.dir.join(RESULTS_CSV).display());
    if a.format == super::run::Format::Parquet {
        println!("  wrote {}", needlesim::study::sweep::write_results_parquet(&outcome.dir)?.display());
    }
    if !a.export_y.is_empty() {
        let csv_path = outcome.dir.join(RESULTS_CSV);
        let csv = std::fs::read_to_string(&csv_path).map_err(|e| needlesim::Error::io(&csv_path, e))?;
        let y = export::y_matrix(&csv, &csv_path, &a.export_y, sweep.len())?;
        let y_path = outcome.dir.join(export::Y_TXT);
        needlesim::io::output::write_file_atomic(&y_path, y.as_bytes())?;
        println!("  wrote {} ({} in design order, for salib analyze -Y)", y_path.display(), a.export_y.join(", "));
    }
    if outcome.failed > 0 {
        println!("  {} points failed: see status and error in {RESULTS_CSV}; --retry-failed reruns them", outcome.failed);
    }
    for p in &outcome.plots {
        println!("  plot {}", p.display());
    }
    for e in &outcome.plot_errors {
        println!("  warning: {e}");
    }
    if shard.is_some() {
        println!("  when every shard is done: needlesim merge {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
