//! Shards: the fixed subset of points one cluster task runs.
//!
//! Shard `I/N` runs the points whose index `i` has `i % N == I` (round robin, so costly
//! corners of a grid spread over all tasks). `auto/N` takes `I` from the scheduler's task
//! index, the first of [`SCHEDULERS`] that is set: SLURM job arrays and Kubernetes Indexed
//! Jobs, AWS Batch array jobs and Cloud Run jobs count tasks from 0; PBS, LSF and SGE
//! arrays from 1 (`qsub -J 1-N`, `bsub -J "name[1-N]"`, `qsub -t 1-N`), so their index minus
//! one is `I`. A shard writes its own folder `shard-I-of-N` inside `--out`.

use crate::error::{Error, Result};

/// A scheduler's task-index variable: its name, the first index, and how to submit N tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduler {
    pub variable: &'static str,
    /// The index of the first task (0 or 1).
    pub first: usize,
    pub name: &'static str,
    /// How to ask for tasks `first ..= first + N - 1` (`{last}` = the last index).
    pub submit: &'static str,
}

/// Task-index variables read by `--shard auto/N`, in the order they are looked up.
pub const SCHEDULERS: [Scheduler; 7] = [
    Scheduler { variable: "SLURM_ARRAY_TASK_ID", first: 0, name: "SLURM", submit: "sbatch --array=0-{last}" },
    Scheduler { variable: "JOB_COMPLETION_INDEX", first: 0, name: "Kubernetes Indexed Job", submit: "completions: {n}" },
    Scheduler { variable: "PBS_ARRAY_INDEX", first: 1, name: "PBS Pro / OpenPBS", submit: "qsub -J 1-{last}" },
    Scheduler { variable: "LSB_JOBINDEX", first: 1, name: "LSF", submit: "bsub -J \"name[1-{last}]\"" },
    Scheduler { variable: "SGE_TASK_ID", first: 1, name: "SGE / Grid Engine", submit: "qsub -t 1-{last}" },
    Scheduler { variable: "AWS_BATCH_JOB_ARRAY_INDEX", first: 0, name: "AWS Batch", submit: "arrayProperties.size = {n}" },
    Scheduler { variable: "CLOUD_RUN_TASK_INDEX", first: 0, name: "Cloud Run job", submit: "--tasks {n}" },
];

/// Scheduler variables read by `--shard auto/N`, in order.
pub const INDEX_VARIABLES: [&str; 7] = {
    let mut out = [""; 7];
    let mut i = 0;
    while i < SCHEDULERS.len() {
        out[i] = SCHEDULERS[i].variable;
        i += 1;
    }
    out
};

impl Scheduler {
    fn submit_for(&self, count: usize) -> String {
        self.submit.replace("{last}", &(self.first + count - 1).to_string()).replace("{n}", &count.to_string())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

const ALLOWED: &str =
    "I/N with 0 ≤ I < N (e.g. 0/4), or auto/N to read the task index of a SLURM, Kubernetes, PBS, LSF, SGE, AWS Batch or Cloud Run array";

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
            let (sched, value) = SCHEDULERS.iter().find_map(|s| env(s.variable).map(|x| (s, x))).ok_or_else(|| {
                Error::invalid(
                    format!("--shard {text}"),
                    format!("{} are all unset", INDEX_VARIABLES.join(", ")),
                    format!(
                        "a run inside a job array (sbatch --array=0-{}, a Kubernetes Indexed Job with completions: {count}, qsub -J 1-{count}, …; see README, On a cluster); elsewhere give --shard I/{count}",
                        count - 1
                    ),
                )
            })?;
            let range = format!("{}–{}", sched.first, sched.first + count - 1);
            let var = sched.variable;
            let idx: usize = value
                .trim()
                .parse()
                .map_err(|_| Error::invalid(var, &value, format!("a {} task index {range} (this is not an array task?)", sched.name)))?;
            if idx < sched.first || idx - sched.first >= count {
                return Err(Error::invalid(
                    var,
                    idx,
                    format!(
                        "{range} for --shard auto/{count}: {} numbers its tasks from {} ({})",
                        sched.name,
                        sched.first,
                        sched.submit_for(count)
                    ),
                ));
            }
            idx - sched.first
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

    #[test]
    fn auto_reads_one_based_and_zero_based_schedulers() {
        let one = |var: &'static str, v: &'static str| move |k: &str| (k == var).then(|| v.to_string());
        // 1-based: the first task (index 1) is shard 0, the last (N) is shard N − 1.
        for var in ["PBS_ARRAY_INDEX", "LSB_JOBINDEX", "SGE_TASK_ID"] {
            assert_eq!(Shard::parse("auto/4", one(var, "1")).unwrap().index, 0, "{var}");
            assert_eq!(Shard::parse("auto/4", one(var, "4")).unwrap().index, 3, "{var}");
            for bad in ["0", "5"] {
                let e = Shard::parse("auto/4", one(var, bad)).unwrap_err().to_string();
                assert!(e.contains(var) && e.contains("1–4") && e.contains("from 1"), "{var} = {bad}: {e}");
            }
        }
        let e = Shard::parse("auto/4", one("SGE_TASK_ID", "undefined")).unwrap_err().to_string();
        assert!(e.contains("SGE_TASK_ID = undefined") && e.contains("not an array task"), "{e}");
        // 0-based.
        for var in ["AWS_BATCH_JOB_ARRAY_INDEX", "CLOUD_RUN_TASK_INDEX"] {
            assert_eq!(Shard::parse("auto/4", one(var, "0")).unwrap().index, 0, "{var}");
            assert_eq!(Shard::parse("auto/4", one(var, "3")).unwrap().index, 3, "{var}");
            let e = Shard::parse("auto/4", one(var, "4")).unwrap_err().to_string();
            assert!(e.contains("0–3"), "{var}: {e}");
        }
        // Every variable is named when none is set.
        let e = Shard::parse("auto/4", no_env).unwrap_err().to_string();
        for s in SCHEDULERS {
            assert!(e.contains(s.variable), "{e}");
        }
    }
}
