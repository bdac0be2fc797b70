"""examples/python/fan_out.py: shards fanned out by submitit's local executor (real
subprocess jobs) merge to the unsharded sweep's results.csv, byte for byte."""

import importlib.util
from pathlib import Path

from conftest import ROOT, SMALL, run_cli


def _example():
    spec = importlib.util.spec_from_file_location("fan_out", ROOT / "examples" / "python" / "fan_out.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_submitit_fan_out_merges_to_the_unsharded_bytes(cli: str, tmp_path: Path) -> None:
    sweep = '\n[sweep]\nparameters = [{ key = "technique.pattern", values = ["serpentine", "random"] }, { key = "technique.speed_mm_s", values = [30, 45, 60] }]\n'
    (tmp_path / "s.toml").write_text(SMALL + sweep)
    run_cli(cli, tmp_path, "sweep", "s.toml", "--out", str(tmp_path / "whole"), "--threads", "1")
    out = tmp_path / "fanned"
    results = _example().fan_out(str(tmp_path / "s.toml"), str(out), shards=3, cluster="local", needlesim=cli, timeout_min=10)
    assert results == out / "results.csv"
    for i in range(3):
        assert (out / f"shard-{i}-of-3" / "results.csv").is_file()
    assert results.read_bytes() == (tmp_path / "whole" / "results.csv").read_bytes()
