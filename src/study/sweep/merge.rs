//! `needlesim merge`: shard folders → one `results.csv` equal to an unsharded run's.
//!
//! Inputs are sweep folders (holding `journal.jsonl`), or parents whose `shard-*`
//! subfolders are. Everything is checked before anything is written: every folder must come
//! from the same scenario and design (manifest fingerprints), no point may be in two
//! folders, and every point of the sweep must be present. The merged folder gets
//! `results.csv`, a `manifest.json` without shard (the unsharded run's manifest) and the
//! plots.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::output::remove_stale_temporaries;

use super::manifest::Manifest;
use super::record::{self, Entry, Status};
use super::{JOURNAL_JSONL, MANIFEST_JSON, RESULTS_CSV, plot, results};

#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    pub out: PathBuf,
    pub folders: Vec<PathBuf>,
    pub points: usize,
    pub failed: usize,
    pub plots: Vec<PathBuf>,
    pub plot_errors: Vec<String>,
    /// Skipped journal lines.
    pub warnings: Vec<String>,
}

/// The sweep folders among `inputs` (a parent stands for its `shard-*` subfolders).
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in inputs {
        if dir.join(JOURNAL_JSONL).is_file() {
            out.push(dir.clone());
            continue;
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut shards: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("shard-")) && p.join(JOURNAL_JSONL).is_file())
            .collect();
        if shards.is_empty() {
            return Err(Error::conflict(dir, format!("is not a sweep folder: no {JOURNAL_JSONL} and no shard-*/{JOURNAL_JSONL} inside")));
        }
        shards.sort();
        out.extend(shards);
    }
    Ok(out)
}

/// Merge `inputs` into `out` (default: the single parent folder given).
pub fn merge(inputs: &[PathBuf], out: Option<&Path>) -> Result<Merged> {
    if inputs.is_empty() {
        return Err(Error::invalid("merge", "no folders", "one or more sweep or shard folders"));
    }
    let folders = expand(inputs)?;
    let out: PathBuf = match out {
        Some(o) => o.to_path_buf(),
        None if inputs.len() == 1 && !inputs[0].join(JOURNAL_JSONL).is_file() => inputs[0].clone(),
        None => {
            return Err(Error::invalid(
                "--out",
                "missing",
                "a folder for the merged results (needed unless one parent folder of shard-* folders is given)",
            ));
        }
    };
    if out.join(JOURNAL_JSONL).is_file() {
        return Err(Error::conflict(&out, "is a sweep run folder; merge into its parent or another --out (nothing was changed)"));
    }

    let mut manifests = Vec::new();
    for f in &folders {
        let m = Manifest::read(f)?.ok_or_else(|| Error::conflict(f, "has a journal but no manifest.json: not a complete sweep folder"))?;
        manifests.push(m);
    }
    let first = &manifests[0];
    for (f, m) in folders.iter().zip(&manifests).skip(1) {
        if let Some(why) = first.mismatch(m) {
            return Err(Error::conflict(
                f,
                format!("{why} than {}: merge only the shards of one sweep (nothing was written)", folders[0].display()),
            ));
        }
    }
    let mut merged_manifest = first.clone();
    merged_manifest.shard = None;
    if let Some(why) = Manifest::read(&out)?.and_then(|existing| merged_manifest.mismatch(&existing)) {
        return Err(Error::conflict(
            &out,
            format!("already holds the results of another sweep ({why}); choose another --out (nothing was written)"),
        ));
    }

    let total = first.point_count;
    let journals: Vec<PathBuf> = folders.iter().map(|f| f.join(JOURNAL_JSONL)).collect();
    let mut all: BTreeMap<u64, Entry> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (k, (j, m)) in journals.iter().zip(&manifests).enumerate() {
        let c = record::read(j, k)?;
        warnings.extend(c.warnings);
        for (i, e) in c.entries {
            let belongs = (i as usize) < total && m.shard.as_ref().is_none_or(|s| i as usize % s.count == s.index);
            if !belongs {
                warnings.push(format!("{}: point {i} does not belong to this folder's shard; ignored", folders[k].display()));
                continue;
            }
            if let Some(other) = all.get(&i) {
                return Err(Error::conflict(
                    &folders[k],
                    format!(
                        "point {i} is also in {}: the folders overlap (the same shard given twice, or shards of different --shard counts); nothing was written",
                        folders[other.journal].display()
                    ),
                ));
            }
            all.insert(i, e);
        }
    }
    if all.len() < total {
        return Err(Error::conflict(&out, missing_message(total, &all, &folders, &manifests)));
    }

    let keys = &first.parameters;
    results::check_journals(keys, &all, &journals)?;
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let results_path = out.join(RESULTS_CSV);
    // A merge killed while writing left its temporaries behind.
    remove_stale_temporaries(&results_path);
    remove_stale_temporaries(&out.join(MANIFEST_JSON));
    // The manifest first: a kill between the two files leaves this sweep's manifest over
    // the previous results.csv of the same sweep (or none), never a results.csv that the
    // folder's manifest does not describe.
    merged_manifest.write(&out)?;
    results::write_from_journals(keys, &all, &journals, &results_path)?;
    let (plots, plot_errors) = if first.sweep.plots.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let text = std::fs::read_to_string(&results_path).map_err(|e| Error::io(&results_path, e))?;
        plot::draw_all(&first.sweep.plots, &text, keys, &out)
    };
    Ok(Merged {
        out,
        folders,
        points: all.len(),
        failed: all.values().filter(|e| e.status == Status::Error).count(),
        plots,
        plot_errors,
        warnings,
    })
}

/// Which points are missing, and which folder should hold them.
fn missing_message(total: usize, all: &BTreeMap<u64, Entry>, folders: &[PathBuf], manifests: &[Manifest]) -> String {
    // Only the first few are listed: `total` comes from a manifest and may be huge.
    let missing = total - all.len();
    let list: Vec<String> = (0..total).filter(|i| !all.contains_key(&(*i as u64))).take(10).map(|i| i.to_string()).collect();
    let mut msg = format!(
        "{missing} of {total} points are missing ({}{}); nothing was written.",
        list.join(", "),
        if missing > 10 { ", …" } else { "" }
    );
    for (k, (f, m)) in folders.iter().zip(manifests).enumerate() {
        let have = all.values().filter(|e| e.journal == k).count();
        let want = m.shard.as_ref().map_or(total, |s| s.points);
        if have < want {
            msg.push_str(&format!(" {} has {have} of {want} points: finish it with --resume.", f.display()));
        }
    }
    if let Some(count) = manifests[0].shard.as_ref().map(|s| s.count) {
        let given: Vec<usize> = manifests.iter().filter_map(|m| m.shard.as_ref().map(|s| s.index)).collect();
        let absent: Vec<String> = (0..count).filter(|i| !given.contains(i)).take(10).map(|i| format!("{i}/{count}")).collect();
        if !absent.is_empty() {
            msg.push_str(&format!(" No folder for shard {}.", absent.join(", ")));
        }
    }
    msg
}
