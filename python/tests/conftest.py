"""Shared fixtures: small scenarios, the repository root and the command-line binary.

The command line is found from NEEDLESIM_BIN (tests/python.rs sets it to the binary cargo
built), else target/release or target/debug of the checkout. Tests that compare with it fail
when it is missing: the comparison is the point of them.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A 10 × 8 mm patch, 12 needles, two passes, 0.02 mm grid: a run takes milliseconds.
SMALL = """
name = "small"
seed = 7

[cartridge]
preset = 12
depth_mm = 1.0

[device]
frequency_hz = 120
rotation_deg = 18

[patch]
width_mm = 10
height_mm = 8

[technique]
pattern = "serpentine"
speed_mm_s = 40
directions_deg = [0, 90]

[grid]
resolution_mm = 0.02
"""

# A face session on the built-in map: two small regions, coarse grid.
FACE = """
name = "face"
seed = 3

[cartridge]
preset = 12
depth_mm = 0.5

[device]
frequency_hz = 120
rotation_deg = 18

[technique]
pattern = "serpentine"
speed_mm_s = 58
directions_deg = [0, 90]

[grid]
resolution_mm = 0.02

[face]
map = "default"

[[treat]]
regions = ["chin", "nose"]
depth_mm = 0.5
"""


@pytest.fixture(scope="session")
def cli() -> str:
    """Path of the needlesim binary."""
    env = os.environ.get("NEEDLESIM_BIN")
    candidates = [Path(env)] if env else [ROOT / "target" / "release" / "needlesim", ROOT / "target" / "debug" / "needlesim"]
    for c in candidates:
        if c.is_file():
            return str(c)
    pytest.fail(f"no needlesim binary (tried {', '.join(map(str, candidates))}): cargo build, or set NEEDLESIM_BIN")


def run_cli(cli: str, cwd: Path, *args: str) -> str:
    p = subprocess.run([cli, *args], cwd=cwd, capture_output=True, text=True)
    assert p.returncode == 0, f"needlesim {' '.join(args)}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout
