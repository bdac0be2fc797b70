//! Running a sweep (or one shard of it) into a folder, resumably.
//!
//! 1. The folder is checked: a new or empty folder starts a sweep (manifest first, then
//!    an empty journal); a folder holding this sweep needs `--resume` (or
//!    `--retry-failed`); a folder of another sweep, or of anything else, is refused and
//!    left untouched.
//! 2. Pending points = this shard's points without a record (plus, with `--retry-failed`,
//!    those recorded as errors).
//! 3. The first pending point runs alone on one thread, timed, for the estimate; the rest
//!    run on a rayon pool of `--threads` threads (points in parallel, and each point's
//!    accumulation parallel inside). A writer thread appends each finished point to the
//!    journal at once (in groups when several are waiting), `fsync`s it at least every
//!    second and at the end, and reports progress.
//! 4. `results.csv` is rebuilt from the journal and replaced atomically; plots are drawn
//!    when the whole sweep (not a shard) is complete.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};

use super::estimate::{self, Estimate};
use super::manifest::Manifest;
use super::record::{Entry, Journal, Record, SYNC_INTERVAL, Status};
use super::shard::Shard;
use super::{JOURNAL_JSONL, MANIFEST_JSON, RESULTS_CSV, Sweep, plot, results};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Sweep folder (a shard writes `shard-I-of-N` inside it).
    pub out: PathBuf,
    /// Worker threads; `None` = all cores.
    pub threads: Option<usize>,
    pub shard: Option<Shard>,
    /// Continue the sweep already in the folder.
    pub resume: bool,
    /// Rerun the points recorded as errors (implies `resume`).
    pub retry_failed: bool,
}

/// Hooks for the front end (progress bar, messages). All default to nothing.
pub trait Observer: Sync {
    /// A note before running (a resumed folder, skipped journal lines).
    fn note(&self, _message: &str) {}
    /// Sent once, after the timed first point, when more points follow.
    fn estimate(&self, _e: &Estimate) {}
    /// `done` of `total` pending points are now on disk.
    fn progress(&self, _done: usize, _total: usize) {}
}

/// The no-op observer.
pub struct Quiet;
impl Observer for Quiet {}

/// What a run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub dir: PathBuf,
    /// Points of this folder's scope (the shard, or the whole sweep).
    pub scope: usize,
    /// Points run now.
    pub ran: usize,
    /// Points recorded in the folder, of which failed.
    pub recorded: usize,
    pub failed: usize,
    /// Plots written (whole, complete sweeps only), and plots that could not be drawn.
    pub plots: Vec<PathBuf>,
    pub plot_errors: Vec<String>,
}

/// Run a sweep (or its shard) into `opts.out`.
pub fn run(sweep: &Sweep, opts: &Options, observer: &dyn Observer) -> Result<Outcome> {
    let dir = match opts.shard {
        Some(s) => opts.out.join(s.dir_name()),
        None => opts.out.clone(),
    };
    let manifest = Manifest::new(sweep, opts.shard);
    prepare(&dir, &manifest, opts.resume || opts.retry_failed, observer)?;
    let journal_path = dir.join(JOURNAL_JSONL);
    let (mut journal, contents) = Journal::open(&journal_path, 0)?;
    for w in &contents.warnings {
        observer.note(&format!("warning: {w}"));
    }
    remove_stale_temporaries(&dir);
    let in_scope = |i: usize| opts.shard.is_none_or(|s| s.contains(i));
    let mut entries = contents.entries;
    entries.retain(|&i, _| (i as usize) < sweep.len() && in_scope(i as usize));
    let pending: Vec<usize> = (0..sweep.len())
        .filter(|&i| in_scope(i))
        .filter(|&i| match entries.get(&(i as u64)) {
            None => true,
            Some(e) => opts.retry_failed && e.status == Status::Error,
        })
        .collect();
    if !entries.is_empty() {
        observer.note(&format!("{}: resuming, points recorded {}, to run {}", dir.display(), entries.len(), pending.len()));
    }
    let threads = opts.threads.unwrap_or_else(num_threads).max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::invalid("--threads", threads, format!("a thread count this machine can start ({e})")))?;

    if let Some((&first, rest)) = pending.split_first() {
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool");
        let t0 = Instant::now();
        let r = single.install(|| sweep.evaluate(first));
        let first_s = t0.elapsed().as_secs_f64();
        let bytes = record_bytes(&r, &sweep.design.keys);
        for e in journal.append(std::slice::from_ref(&r))? {
            entries.insert(r.index, e);
        }
        journal.sync()?;
        observer.progress(1, pending.len());
        if !rest.is_empty() {
            observer.estimate(&estimate::estimate(sweep, first, first_s, bytes, rest, threads));
        }
        for (index, e) in run_parallel(sweep, rest, &pool, &mut journal, observer, pending.len())? {
            entries.insert(index, e);
        }
    }

    // The journal stays open (and locked) until results.csv is in place.
    let results_path = dir.join(RESULTS_CSV);
    results::write_from_journals(&sweep.design.keys, &entries, &[journal_path], &results_path)?;
    let scope = (0..sweep.len()).filter(|&i| in_scope(i)).count();
    let (mut plots, mut plot_errors) = (Vec::new(), Vec::new());
    if opts.shard.is_none() && entries.len() == sweep.len() && !sweep.table.plots.is_empty() {
        let text = std::fs::read_to_string(&results_path).map_err(|e| Error::io(&results_path, e))?;
        (plots, plot_errors) = plot::draw_all(&sweep.table.plots, &text, &sweep.design.keys, &dir);
    }
    Ok(Outcome {
        dir,
        scope,
        ran: pending.len(),
        recorded: entries.len(),
        failed: entries.values().filter(|e| e.status == Status::Error).count(),
        plots,
        plot_errors,
    })
}

/// A kill while `results.csv` was being rebuilt leaves its temporary sibling behind; the
/// journal lock says no other process is writing this folder, so it can go.
fn remove_stale_temporaries(dir: &Path) {
    let prefix = format!(".{RESULTS_CSV}.tmp-");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn num_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Bytes one point adds: its journal line and its `results.csv` row.
fn record_bytes(r: &Record, keys: &[String]) -> u64 {
    let line = serde_json::to_vec(r).map_or(0, |v| v.len() + 1);
    let row = results::render(keys, [r]);
    (line + row.lines().nth(1).map_or(0, |l| l.len() + 1)) as u64
}

/// Check (or create) the folder; refuse anything that is not this sweep.
fn prepare(dir: &Path, manifest: &Manifest, resume: bool, observer: &dyn Observer) -> Result<()> {
    match Manifest::read(dir)? {
        Some(existing) => {
            if let Some(why) = manifest.mismatch(&existing) {
                return Err(Error::conflict(dir, format!("{why}; nothing was changed. Choose another --out")));
            }
            if existing.shard != manifest.shard {
                let name =
                    |m: &Manifest| m.shard.as_ref().map_or("the whole sweep".to_string(), |s| format!("shard {}/{}", s.index, s.count));
                return Err(Error::conflict(dir, format!("holds {}, not {}; nothing was changed", name(&existing), name(manifest))));
            }
            if !resume {
                return Err(Error::conflict(
                    dir,
                    "already holds this sweep; add --resume to run its missing points (or --retry-failed to rerun its failures too), or choose another --out",
                ));
            }
            Ok(())
        }
        None => {
            let occupied = match std::fs::read_dir(dir) {
                Ok(mut entries) => entries.next().is_some(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => return Err(Error::io(dir, e)),
            };
            if occupied {
                return Err(Error::conflict(
                    dir,
                    format!("exists and is not a sweep folder (no {MANIFEST_JSON}); nothing was changed. Choose another --out"),
                ));
            }
            if resume {
                observer.note(&format!("{}: nothing to resume, starting the sweep", dir.display()));
            }
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            manifest.write(dir)
        }
    }
}

/// Run `points` on the pool; a writer appends each finished group durably and returns
/// where each point's record went.
fn run_parallel(
    sweep: &Sweep,
    points: &[usize],
    pool: &rayon::ThreadPool,
    journal: &mut Journal,
    observer: &dyn Observer,
    total: usize,
) -> Result<Vec<(u64, Entry)>> {
    let failed = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<Record>();
    std::thread::scope(|scope| {
        let failed = &failed;
        let writer = scope.spawn(move || -> Result<Vec<(u64, Entry)>> {
            let mut done = Vec::with_capacity(points.len());
            let mut synced = Instant::now();
            let result = (|| {
                while let Ok(first) = rx.recv() {
                    let mut group = vec![first];
                    group.extend(rx.try_iter());
                    let entries = journal.append(&group)?;
                    done.extend(group.iter().map(|r| r.index).zip(entries));
                    if synced.elapsed() >= SYNC_INTERVAL {
                        journal.sync()?;
                        synced = Instant::now();
                    }
                    observer.progress(total - points.len() + done.len(), total);
                }
                journal.sync()
            })();
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            result.map(|()| done)
        });
        pool.install(|| {
            points.par_iter().for_each_with(tx, |tx, &i| {
                if !failed.load(Ordering::Relaxed) {
                    let _ = tx.send(sweep.evaluate(i));
                }
            });
        });
        writer.join().expect("the journal writer does not panic")
    })
}
