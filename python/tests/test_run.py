"""needlesim.run against the command line's files, on a patch and on a face."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import needlesim
from conftest import FACE, SMALL, run_cli


def test_run_equals_the_command_line_byte_for_byte(tmp_path: Path, cli: str) -> None:
    (tmp_path / "s.toml").write_text(SMALL)
    run_cli(cli, tmp_path, "run", "s.toml", "--out", "cli", "--set", "technique.speed_mm_s=55")
    r = needlesim.run(tmp_path / "s.toml", {"technique.speed_mm_s": 55})

    # summary.json: the same text, so the same keys and values.
    assert r.summary_json == (tmp_path / "cli" / "summary.json").read_text()
    assert r.summary == json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert r.summary["technique"]["speed_mm_s"] == 55

    # punctures: the file's columns and values, as numpy arrays.
    csv = pd.read_csv(tmp_path / "cli" / "punctures.csv", **needlesim._round_trip(pd))
    assert list(r.punctures) == list(csv.columns)
    for name in csv.columns:
        np.testing.assert_array_equal(r.punctures[name], csv[name].to_numpy(), err_msg=name)
    assert r.punctures["pass"].dtype == np.int64 and r.punctures["x_mm"].dtype == np.float64
    # Conservation: 12 needles at every stamp.
    assert len(r.punctures["x_mm"]) == 12 * r.summary["stamps"] == r.summary["punctures"]
    pd.testing.assert_frame_equal(r.to_pandas(), csv)

    # write(): the same files as `needlesim run`.
    out = r.write(tmp_path / "py")
    for name in ["summary.json", "punctures.csv", "scenario.toml"]:
        assert (out / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert (out / "heatmap.png").is_file() and (out / "report.html").is_file()


def test_hits_raster_has_its_origin_and_pixel_size() -> None:
    r = needlesim.run(SMALL)
    h = r.hits
    assert h is not None
    rows, cols = h.values.shape
    x0, x1, y0, y1 = h.extent_mm
    # The raster covers the 10 × 8 mm patch.
    assert x0 <= 0.0 and y0 <= 0.0 and x1 >= 10.0 and y1 >= 8.0
    assert math.isclose(x1 - x0, cols * h.pixel_mm) and math.isclose(y1 - y0, rows * h.pixel_mm)
    # The pixels inside the patch average to the summary's mean hits per spot.
    xs = x0 + (np.arange(cols) + 0.5) * h.pixel_mm
    ys = y0 + (np.arange(rows) + 0.5) * h.pixel_mm
    inside = h.values[np.ix_((ys > 0) & (ys < 8), (xs > 0) & (xs < 10))]
    expected = r.summary["mean_hits"]
    assert abs(inside.mean() - expected) < 0.03 * expected, (inside.mean(), expected)


def test_a_face_run_has_regions_and_face_columns(tmp_path: Path, cli: str) -> None:
    (tmp_path / "f.toml").write_text(FACE)
    run_cli(cli, tmp_path, "run", "f.toml", "--out", "cli")
    r = needlesim.run(FACE)
    assert r.is_face
    assert r.summary_json == (tmp_path / "cli" / "summary.json").read_text()
    assert set(r.summary["regions"]) >= {"chin", "nose"}
    assert r.summary["regions"]["chin"]["punctures"] > 0
    df = r.to_pandas()
    csv = pd.read_csv(tmp_path / "cli" / "punctures.csv", **needlesim._round_trip(pd), keep_default_na=False)
    assert list(df.columns) == list(csv.columns)
    assert {"region", "landed_in", "real_depth_mm", "layer"} <= set(df.columns)
    assert set(df["region"]) == {"chin", "nose"}
    np.testing.assert_array_equal(df["x_mm"].to_numpy(), csv["x_mm"].to_numpy())
    assert (df["landed_in"].to_numpy() == csv["landed_in"].to_numpy()).all()
