//! `manifest.json`: what a sweep folder holds. Written once, atomically, when the folder is
//! created; read to refuse a `--resume` or `merge` that would mix different sweeps.
//!
//! It holds no time, host or path, so an unsharded run and a merge of shards write the same
//! bytes.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::output::{remove_stale_temporaries, write_file_atomic};
use crate::io::scenario::SweepFile;

use super::shard::Shard;
use super::{MANIFEST_JSON, Sweep};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub needlesim_version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the resolved scenario (canonical TOML, `--set` applied, `[sweep]` in).
    pub scenario_sha256: String,
    /// SHA-256 of every point's values.
    pub design_sha256: String,
    /// grid, random, lhs or file.
    pub design: String,
    /// Swept keys, in column order.
    pub parameters: Vec<String>,
    /// Points of the whole sweep.
    pub point_count: usize,
    /// How each point's seed is chosen.
    pub seeds: String,
    /// This folder's shard; null for a whole sweep (or a merge of shards).
    pub shard: Option<ShardInfo>,
    /// The `[sweep]` table (plots included).
    pub sweep: SweepFile,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub index: usize,
    pub count: usize,
    /// The rule choosing this shard's points.
    pub rule: String,
    /// Points in this shard.
    pub points: usize,
}

impl Manifest {
    pub fn new(sweep: &Sweep, shard: Option<Shard>) -> Manifest {
        Manifest {
            needlesim_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: sweep.name.clone(),
            scenario_sha256: sweep.scenario_sha256.clone(),
            design_sha256: sweep.design_sha256.clone(),
            design: sweep.design.kind.name().to_owned(),
            parameters: sweep.design.keys.clone(),
            point_count: sweep.len(),
            seeds: match sweep.seeds {
                super::SeedMode::PerPoint => "per-point: SplitMix64 output number <index> of the scenario seed, >> 1".into(),
                super::SeedMode::Same => "same: the scenario seed at every point".into(),
            },
            shard: shard.map(|s| ShardInfo {
                index: s.index,
                count: s.count,
                rule: format!("index % {} == {}", s.count, s.index),
                points: s.points_of(sweep.len()),
            }),
            sweep: sweep.table.clone(),
        }
    }

    /// Why `other` (on disk at `path`) is not the same sweep as `self`, if it is not.
    pub fn mismatch(&self, other: &Manifest) -> Option<String> {
        let short = |s: &str| s.chars().take(12).collect::<String>();
        if other.scenario_sha256 != self.scenario_sha256 {
            return Some(format!(
                "made by a different scenario ({} with scenario_sha256 {}…, this is {} with {}…)",
                other.scenario,
                short(&other.scenario_sha256),
                self.scenario,
                short(&self.scenario_sha256)
            ));
        }
        if other.design_sha256 != self.design_sha256 || other.point_count != self.point_count {
            return Some(format!(
                "made by a different design ({} points, design_sha256 {}…; this has {} points, {}…)",
                other.point_count,
                short(&other.design_sha256),
                self.point_count,
                short(&self.design_sha256)
            ));
        }
        if other.needlesim_version != self.needlesim_version {
            return Some(format!("made by needlesim {}, this is {}", other.needlesim_version, self.needlesim_version));
        }
        None
    }

    /// What a manifest read from disk must hold for the shard arithmetic to mean anything
    /// (a hand edit or a damaged disk can write any JSON of the right shape).
    fn check(&self) -> std::result::Result<(), String> {
        if let Some(s) = &self.shard {
            if s.count == 0 || s.index >= s.count {
                return Err(format!("shard index {} of count {}: allowed is 0 ≤ index < count", s.index, s.count));
            }
            if s.points > self.point_count {
                return Err(format!("shard.points = {} is more than point_count = {}", s.points, self.point_count));
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        write_file_atomic(&dir.join(MANIFEST_JSON), self.to_json().as_bytes())
    }

    /// Read `dir/manifest.json`; `None` when the file does not exist. A temporary left by a
    /// writer killed while it wrote the manifest (`.manifest.json.tmp-PID`, its process gone)
    /// is removed first, so the folder reads as the empty folder it was.
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_JSON);
        remove_stale_temporaries(&path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let m: Manifest =
                    serde_json::from_str(&text).map_err(|e| Error::parse(&path, format!("not a needlesim sweep manifest: {e}")))?;
                m.check().map_err(|why| Error::parse(&path, format!("a damaged sweep manifest: {why}")))?;
                Ok(Some(m))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}
