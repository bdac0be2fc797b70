"""needlesim.evaluate = the command line's design-file sweep, value for value; SALib end to end."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import needlesim
from conftest import FACE, SMALL, run_cli

KEYS = ["technique.speed_mm_s", "device.frequency_hz"]


def design(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(20, 90, n), rng.uniform(60, 150, n)])


def cli_sweep(cli: str, tmp: Path, scenario: str, keys, x: np.ndarray, name: str) -> pd.DataFrame:
    """results.csv of `needlesim sweep` over `x` written as SALib writes it (numpy.savetxt)."""
    np.savetxt(tmp / f"{name}.txt", x)
    params = ", ".join(f'{{ key = "{k}" }}' for k in keys)
    (tmp / f"{name}.toml").write_text(scenario + f'\n[sweep]\ndesign = "file"\nfile = "{name}.txt"\nparameters = [{params}]\n')
    run_cli(cli, tmp, "sweep", f"{name}.toml", "--out", name)
    return pd.read_csv(tmp / name / "results.csv", **needlesim._round_trip(pd), keep_default_na=False)


def test_evaluate_equals_the_cli_sweep_value_for_value(tmp_path: Path, cli: str) -> None:
    x = design(7, 1)
    # savetxt writes 18 significant digits: what the sweep reads is what evaluate must get.
    np.savetxt(tmp_path / "x.txt", x)
    x = np.loadtxt(tmp_path / "x.txt")
    csv = cli_sweep(cli, tmp_path, SMALL, KEYS, x, "sw")
    metrics = ["coverage", "coverage_per_pass_1", "density_per_cm2", "punctures"]
    got = needlesim.evaluate(SMALL, KEYS, x, metrics=metrics)
    assert got.shape == (7, 4)
    for j, m in enumerate(metrics):
        want = csv[m].to_numpy(dtype=float)
        assert np.array_equal(got[:, j], want), (m, got[:, j], want)
    # One metric → a vector; the seeds are the sweep's.
    e = needlesim.evaluate_detailed(SMALL, KEYS, x)
    assert np.array_equal(e.values[:, 0], csv["coverage"].to_numpy(dtype=float))
    assert [int(s) for s in e.seeds] == [int(s) for s in csv["seed"]]
    assert needlesim.evaluate(SMALL, KEYS, x).shape == (7,)
    # start_index: rows 3.. evaluated alone are points 3.. of the sweep.
    tail = needlesim.evaluate(SMALL, KEYS, x[3:], start_index=3)
    assert np.array_equal(tail, csv["coverage"].to_numpy(dtype=float)[3:])
    # Different rows give different values (the comparison is not trivially equal).
    assert len(set(got[:, 0])) == 7


def test_face_evaluate_has_region_metrics_equal_to_the_cli(tmp_path: Path, cli: str) -> None:
    x = np.array([[40.0], [80.5]])
    csv = cli_sweep(cli, tmp_path, FACE, ["technique.speed_mm_s"], x, "face")
    got = needlesim.evaluate(FACE, ["technique.speed_mm_s"], x, metrics=["regions.chin.coverage", "coverage_dej"])
    assert np.array_equal(got[:, 0], csv["regions.chin.coverage"].to_numpy(dtype=float))
    assert np.array_equal(got[:, 1], csv["coverage_dej"].to_numpy(dtype=float))
    assert got[0, 0] > got[1, 0] > 0, "a slower hand covers more of the chin"


def test_failed_points_are_nan_with_their_errors() -> None:
    # A depth outside the device range fails that point only.
    x = np.array([[1.0], [5.0], [1.5]])
    with pytest.warns(needlesim.PointFailedWarning, match="1 of 3 points failed"):
        v = needlesim.evaluate(SMALL, ["cartridge.depth_mm"], x)
    assert np.isnan(v[1]) and not np.isnan(v[0]) and not np.isnan(v[2])
    e = needlesim.evaluate_detailed(SMALL, ["cartridge.depth_mm"], x)
    assert list(e.errors) == [1]
    assert "cartridge.depth_mm = 5" in e.errors[1], e.errors


def test_salib_sobol_end_to_end() -> None:
    from SALib import ProblemSpec

    sp = ProblemSpec(
        {
            "names": ["technique.speed_mm_s", "device.frequency_hz", "cartridge.depth_mm"],
            "bounds": [[20, 90], [60, 150], [0.5, 1.5]],
        }
    )
    sp.sample_sobol(8, calc_second_order=False, seed=1)
    sp.evaluate(lambda X: needlesim.evaluate(SMALL, sp["names"], X))
    sp.analyze_sobol(calc_second_order=False, seed=1)
    si = sp.analysis
    y = sp.results
    assert y.shape == (8 * 5,) and np.isfinite(y).all()
    st = dict(zip(sp["names"], si["ST"]))
    # Hole coverage does not depend on the depth: rows that differ only in depth give the
    # same value, so its total-order index is exactly 0; speed matters.
    assert st["cartridge.depth_mm"] == 0.0
    assert st["technique.speed_mm_s"] > 0.1
