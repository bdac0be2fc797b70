#!/usr/bin/env python3
"""Fan a needlesim sweep out with submitit: one job per shard, then merge.

Each job runs exactly what a SLURM array task runs (examples/slurm/sweep.sbatch):

    needlesim sweep SCENARIO --out OUT --shard I/N --threads C --resume

so the shards, their seeds and the merged ``results.csv`` are the same whichever way they
were run (a SLURM array, a Kubernetes Indexed Job, this script), byte for byte. ``--resume``
makes a rerun of this script finish only the missing points. Usage::

    pip install submitit
    python examples/python/fan_out.py scenarios/sweep-lhs.toml sweeps/lhs --shards 8            # on SLURM
    python examples/python/fan_out.py scenarios/sweep-lhs.toml sweeps/lhs --shards 4 --cluster local
    python examples/python/fan_out.py S.toml OUT --shards 2 --cluster debug   # in this process

``--cluster`` is submitit's: ``slurm`` (the default when ``sbatch`` is on PATH), ``local``
(subprocesses on this machine) or ``debug`` (in this process, for tests). On SLURM, size
``--cpus``/``--mem-gb`` per job as examples/slurm/sweep.sbatch says. ``needlesim`` must be on
PATH of the jobs (or give ``--needlesim``). Dask users can do the same with
``client.map(run_shard, range(n), ...)``: :func:`run_shard` is all a worker needs.
"""

import argparse
import subprocess
import sys
from pathlib import Path
from typing import List, Optional


def run_shard(needlesim: str, scenario: str, out: str, index: int, count: int, threads: int) -> str:
    """Run shard ``index`` of ``count`` (what one array task runs); return its stdout."""
    cmd = [needlesim, "sweep", scenario, "--out", out, "--shard", f"{index}/{count}", "--threads", str(threads), "--resume"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def fan_out(
    scenario: str,
    out: str,
    shards: int,
    cluster: Optional[str] = None,
    needlesim: str = "needlesim",
    cpus: int = 1,
    mem_gb: float = 1.0,
    timeout_min: int = 120,
) -> Path:
    """Submit one submitit job per shard, wait for all, merge; return ``OUT/results.csv``."""
    import submitit  # imported here so run_shard stays importable without it

    executor = submitit.AutoExecutor(folder=str(Path(out) / "submitit-logs"), cluster=cluster)
    executor.update_parameters(timeout_min=timeout_min, cpus_per_task=cpus, mem_gb=mem_gb, name="needlesim-sweep")
    jobs = [executor.submit(run_shard, needlesim, scenario, out, i, shards, cpus) for i in range(shards)]
    failures: List[str] = []
    for i, job in enumerate(jobs):
        try:
            job.result()
        except Exception as e:  # report every failed shard, not only the first
            failures.append(f"shard {i}/{shards}: {e}")
    if failures:
        raise RuntimeError("some shards failed (rerun this script: --resume finishes them):\n" + "\n".join(failures))
    subprocess.run([needlesim, "merge", out], check=True, capture_output=True, text=True)
    return Path(out) / "results.csv"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("out")
    ap.add_argument("--shards", type=int, required=True)
    ap.add_argument("--cluster", choices=["slurm", "local", "debug"], default=None)
    ap.add_argument("--needlesim", default="needlesim")
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--mem-gb", type=float, default=1.0)
    a = ap.parse_args(argv)
    print(fan_out(a.scenario, a.out, a.shards, a.cluster, a.needlesim, a.cpus, a.mem_gb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
