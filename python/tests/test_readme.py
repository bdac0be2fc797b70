"""The README's Python example runs as written, from the repository root."""

import re
import subprocess
import sys

from conftest import ROOT


def test_readme_python_example_runs_as_written() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Python\n") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the Python section has a python block"
    p = subprocess.run([sys.executable, "-c", block.group(1)], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    # The Sobol analysis printed its indices and the face sweep its per-region table.
    assert "ST" in p.stdout and "regions.cheek_left.coverage" in p.stdout, p.stdout
