"""``--format parquet`` read by pandas (pyarrow engine) and polars: the CSV's table, typed.

The independent truth is the CSV the same command writes with the default format, read by the
same library with exact float parsing.
"""

from pathlib import Path

import pandas as pd
import polars as pl
from polars.testing import assert_frame_equal as pl_assert_frame_equal

from conftest import FACE, SMALL, run_cli


def _both(csv: Path, parquet: Path) -> None:
    # Exact float parsing: pandas 3's default; before it, "round_trip" (deprecated in 3).
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    want = pd.read_csv(csv, keep_default_na=False, na_values=[""], **exact)
    got = pd.read_parquet(parquet, engine="pyarrow")
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)
    # Numeric columns are numeric, not text (an all-empty column is text nulls in Parquet).
    for c in want.columns:
        if pd.api.types.is_numeric_dtype(want[c]) and want[c].notna().any():
            assert pd.api.types.is_numeric_dtype(got[c]), c
    # Repeated CSV names (a swept key that is also a summary figure) are pandas' `X.1` in the
    # Parquet file; polars names them otherwise when reading a CSV, so take pandas' names.
    assert list(got.columns) == list(want.columns)
    csv_pl = pl.read_csv(csv, infer_schema_length=None)
    csv_pl.columns = list(want.columns)
    pl_assert_frame_equal(pl.read_parquet(parquet), csv_pl, check_exact=True, check_dtypes=False)


def test_punctures_parquet_is_the_csv(cli: str, tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(SMALL)
    run_cli(cli, tmp_path, "run", "s.toml", "--out", "csv", "--outputs", "punctures")
    run_cli(cli, tmp_path, "run", "s.toml", "--out", "pq", "--outputs", "punctures", "--format", "parquet")
    assert not (tmp_path / "pq" / "punctures.csv").exists()
    _both(tmp_path / "csv" / "punctures.csv", tmp_path / "pq" / "punctures.parquet")
    df = pl.read_parquet(tmp_path / "pq" / "punctures.parquet")
    assert df.schema["x_mm"] == pl.Float64 and df.schema["pass"] == pl.Int64


def test_face_sweep_results_parquet_is_the_csv(cli: str, tmp_path: Path) -> None:
    sweep = '\n[sweep]\nparameters = [{ key = "technique.speed_mm_s", values = [40, 80] }]\n'
    (tmp_path / "f.toml").write_text(FACE + sweep)
    run_cli(cli, tmp_path, "sweep", "f.toml", "--out", "sw", "--format", "parquet")
    _both(tmp_path / "sw" / "results.csv", tmp_path / "sw" / "results.parquet")
    df = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert df["regions.chin.coverage"].dtype.kind == "f" and len(df) == 2
