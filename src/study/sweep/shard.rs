//! Shards: the fixed subset of points one cluster task runs.
//!
//! Shard `I/N` runs the points whose index `i` has `i % N == I` (round robin, so costly
//! corners of a grid spread over all tasks). `auto/N` takes `I` from the scheduler:
//! `SLURM_ARRAY_TASK_ID` (a SLURM job array, `--array=0-<N-1>`) or, failing that,
//! `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job with `completions: N`). Both count
//! from 0. A shard writes its own folder `shard-I-of-N` inside `--out`.

use crate::error::{Error, Result};

/// Scheduler variables read by `--shard auto/N`, in order.
pub const INDEX_VARIABLES: [&str; 2] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

const ALLOWED: &str = "I/N with 0 ≤ I < N (e.g. 0/4), or auto/N to read SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX";

impl Shard {
    /// Parse `I/N` or `auto/N`; `env` looks up a variable (`std::env::var` in the binary).
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard> {
        let bad = || Error::invalid("--shard", text, ALLOWED);
        let (i, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        let index = if i.trim() == "auto" {
            let (var, value) = INDEX_VARIABLES
                .iter()
                .find_map(|v| env(v).map(|x| (*v, x)))
                .ok_or_else(|| {
                    Error::invalid(
                        format!("--shard {text}"),
                        "SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are both unset",
                        format!("a run inside a SLURM job array (sbatch --array=0-{}) or a Kubernetes Indexed Job (completions: {count}); elsewhere give --shard I/{count}", count - 1),
                    )
                })?;
            let idx: usize = value.trim().parse().map_err(|_| Error::invalid(var, &value, "a task index 0, 1, 2, …"))?;
            if idx >= count {
                return Err(Error::invalid(
                    var,
                    idx,
                    format!("0–{} for --shard auto/{count} (number the tasks from 0, e.g. --array=0-{})", count - 1, count - 1),
                ));
            }
            idx
        } else {
            i.trim().parse().map_err(|_| bad())?
        };
        if index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn contains(&self, point: usize) -> bool {
        point % self.count == self.index
    }

    /// Points of a sweep of `total` points that fall in this shard.
    pub fn points_of(&self, total: usize) -> usize {
        total / self.count + usize::from(self.index < total % self.count)
    }

    /// Name of the shard's folder inside `--out`.
    pub fn dir_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn shards_partition_the_points() {
        for total in [0usize, 1, 7, 10, 101] {
            for count in 1..=6 {
                let mut seen = vec![0; total];
                for index in 0..count {
                    let s = Shard::parse(&format!("{index}/{count}"), no_env).unwrap();
                    let mine: Vec<usize> = (0..total).filter(|&i| s.contains(i)).collect();
                    assert_eq!(mine.len(), s.points_of(total));
                    mine.iter().for_each(|&i| seen[i] += 1);
                }
                assert!(seen.iter().all(|&c| c == 1), "total {total}, count {count}");
            }
        }
    }

    #[test]
    fn bad_shards_say_what_is_allowed() {
        for bad in ["3/3", "0/0", "-1/3", "1", "a/3", "1/2/3", "auto/0", ""] {
            let e = Shard::parse(bad, no_env).expect_err(bad).to_string();
            assert!(e.contains("--shard") && e.contains("0 ≤ I < N"), "{bad}: {e}");
        }
    }

    #[test]
    fn auto_reads_slurm_then_kubernetes() {
        let env =
            |pairs: &'static [(&'static str, &'static str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        assert_eq!(Shard::parse("auto/4", env(&[("SLURM_ARRAY_TASK_ID", "2")])).unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(Shard::parse("auto/4", env(&[("JOB_COMPLETION_INDEX", "3")])).unwrap().index, 3);
        assert_eq!(Shard::parse("auto/4", env(&[("SLURM_ARRAY_TASK_ID", "1"), ("JOB_COMPLETION_INDEX", "3")])).unwrap().index, 1);
        let e = Shard::parse("auto/4", no_env).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID") && e.contains("--array=0-3"), "{e}");
        let e = Shard::parse("auto/4", env(&[("SLURM_ARRAY_TASK_ID", "4")])).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID = 4") && e.contains("0–3"), "{e}");
        assert!(Shard::parse("auto/4", env(&[("JOB_COMPLETION_INDEX", "x")])).is_err());
    }
}
