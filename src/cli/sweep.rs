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
use needlesim::study::sweep::{RESULTS_CSV, Sweep};

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
    /// auto/N reads I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Continue the sweep in the output folder: run only the points it does not hold yet.
    #[arg(long)]
    pub resume: bool,
    /// Like --resume, and also rerun the points recorded with status = error.
    #[arg(long)]
    pub retry_failed: bool,
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
