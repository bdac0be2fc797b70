"""needlesim.sweep writes the folder the command line writes; read_sweep reads it."""

from pathlib import Path

import needlesim
from conftest import FACE, run_cli

FACE_SWEEP = FACE + """
[sweep]
parameters = [{ key = "technique.speed_mm_s", values = [40, 80] }]
"""


def test_a_face_sweep_from_python_equals_the_cli_and_reads_into_pandas(tmp_path: Path, cli: str) -> None:
    (tmp_path / "f.toml").write_text(FACE_SWEEP)
    run_cli(cli, tmp_path, "sweep", "f.toml", "--out", "cli")
    o = needlesim.sweep(tmp_path / "f.toml", out=tmp_path / "py", threads=2)
    assert (o.points, o.ran, o.failed) == (2, 2, 0)
    assert (tmp_path / "py" / "results.csv").read_bytes() == (tmp_path / "cli" / "results.csv").read_bytes()
    df = o.to_pandas()
    assert list(df["status"]) == ["ok", "ok"]
    assert "regions.chin.coverage" in df.columns
    assert df["regions.chin.coverage"][0] > df["regions.chin.coverage"][1]
    # Shards from Python merge to the same bytes.
    for i in range(2):
        needlesim.sweep(tmp_path / "f.toml", out=tmp_path / "sh", shard=f"{i}/2")
    merged = needlesim.merge(tmp_path / "sh")
    assert merged.read_bytes() == (tmp_path / "cli" / "results.csv").read_bytes()
    assert needlesim.read_sweep(tmp_path / "sh").equals(df)
