"""Type stubs of the Rust extension (see needlesim/__init__.py for the documented API)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class ScenarioError(ValueError):
    """Bad input; the message is the command line's."""

class RunResult:
    def summary_json(self) -> str: ...
    def is_face(self) -> bool: ...
    def warnings(self) -> List[str]: ...
    def resolved_scenario(self) -> str: ...
    def punctures(self) -> Dict[str, np.ndarray]: ...
    def hits(self) -> Optional[Tuple[npt.NDArray[np.float32], Tuple[float, float], float]]: ...
    def write(self, dir: str) -> str: ...

def run(scenario: str, is_text: bool, overrides: Optional[Dict[str, Any]] = None) -> RunResult: ...
def evaluate(
    scenario: str,
    is_text: bool,
    overrides: Optional[Dict[str, Any]],
    keys: Sequence[str],
    x: npt.NDArray[np.float64],
    metrics: Sequence[str],
    start_index: int,
    integer: Sequence[str],
) -> Tuple[npt.NDArray[np.float64], List[Tuple[int, str]], List[int]]: ...
def sweep(
    scenario: str,
    is_text: bool,
    overrides: Optional[Dict[str, Any]],
    out: Optional[str],
    threads: Optional[int] = None,
    shard: Optional[str] = None,
    resume: bool = False,
    retry_failed: bool = False,
) -> Dict[str, Any]: ...
def merge_shards(folders: List[str], out: Optional[str] = None) -> str: ...
