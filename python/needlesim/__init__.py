"""needlesim: a simulator of fractional microneedle (mesotherapy) pens, from Python.

The same engine as the ``needlesim`` command line, with the same numbers:

- :func:`run` runs one scenario (a path or TOML text, plus ``--set``-style overrides) and
  gives a :class:`Run`: ``.summary`` (summary.json as a dict), ``.punctures`` (punctures.csv
  as numpy columns), ``.to_pandas()``, ``.hits`` (the hits raster) and ``.write(dir)``.
- :func:`evaluate` runs a design matrix ``X`` (rows = points, one column per key) and
  returns the chosen metrics as a numpy array, with exactly the seeds ``needlesim sweep``
  gives the same rows of a ``design = "file"`` sweep, so the values equal ``results.csv``.
  It is the shape SALib's ``ProblemSpec.evaluate`` calls.
- :func:`sweep` runs a scenario's ``[sweep]`` table into a folder (resumable, shardable);
  :func:`read_sweep` reads a sweep folder's ``results.csv`` into a pandas DataFrame.

Face scenarios (``[face]`` + ``[[treat]]``) work everywhere a patch does; their per-region
figures are ``summary["regions"][name]`` in a run and ``regions.<name>.<metric>`` columns in
sweeps and :func:`evaluate`.

Bad input (an unknown key, a value out of range, a matrix of the wrong shape, NaN in it)
raises :class:`ScenarioError`, a ``ValueError`` whose message is the command line's.
Simulations release the GIL and run on every core.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _needlesim
from ._needlesim import ScenarioError

__version__: str = _needlesim.__version__

__all__ = [
    "ScenarioError",
    "PointFailedWarning",
    "Run",
    "Hits",
    "Evaluation",
    "SweepOutcome",
    "run",
    "evaluate",
    "evaluate_detailed",
    "sweep",
    "merge",
    "read_sweep",
]

ScenarioLike = Union[str, "os.PathLike[str]"]
"""A scenario: a path to a TOML file, or the TOML text itself (text has a newline)."""


class PointFailedWarning(UserWarning):
    """Some points of :func:`evaluate` failed; their values are NaN."""


def _source(scenario: ScenarioLike) -> Tuple[str, bool]:
    """(path or text, is_text). A ``str`` with a newline is TOML text, else a path."""
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), False
    if not isinstance(scenario, str):
        raise ScenarioError(
            f"scenario = {scenario!r}: allowed is a path (str or os.PathLike) or the scenario's TOML text"
        )
    return scenario, "\n" in scenario


def _overrides(overrides: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    if overrides is None:
        return None
    if not isinstance(overrides, Mapping):
        raise ScenarioError(
            f"overrides = {overrides!r}: allowed is a dict of dotted keys to values, "
            'e.g. {"technique.speed_mm_s": 40}'
        )
    return dict(overrides)


@dataclass(frozen=True)
class Hits:
    """The hits-per-spot raster the pictures are drawn from.

    ``values[row, col]`` is the mean hits of pixel (row, col); row 0 is the *bottom* row
    (y up, as on the map). Pixel (row, col) covers
    ``x0_mm + col * pixel_mm … + pixel_mm`` and ``y0_mm + row * pixel_mm … + pixel_mm``.
    """

    values: np.ndarray
    origin_mm: Tuple[float, float]
    pixel_mm: float

    @property
    def extent_mm(self) -> Tuple[float, float, float, float]:
        """(left, right, bottom, top) in mm: ``plt.imshow(h.values, origin="lower", extent=h.extent_mm)``."""
        h, w = self.values.shape
        x0, y0 = self.origin_mm
        return (x0, x0 + w * self.pixel_mm, y0, y0 + h * self.pixel_mm)


class Run:
    """What one run produced (see :func:`run`)."""

    def __init__(self, inner: "_needlesim.RunResult") -> None:
        self._inner = inner
        self._summary: Optional[Dict[str, Any]] = None
        self._punctures: Optional[Dict[str, np.ndarray]] = None

    @property
    def summary(self) -> Dict[str, Any]:
        """summary.json as a dict: the same keys and values ``needlesim run`` writes."""
        if self._summary is None:
            self._summary = json.loads(self._inner.summary_json())
        return self._summary

    @property
    def summary_json(self) -> str:
        """summary.json's text, byte for byte."""
        return self._inner.summary_json()

    @property
    def is_face(self) -> bool:
        """True for a face session (the summary then has ``face``, ``regions``, …)."""
        return self._inner.is_face()

    @property
    def punctures(self) -> Dict[str, np.ndarray]:
        """punctures.csv as columns: name → 1-D numpy array, in the file's order.

        The values are the file's (mm to 1 nm, s to 1 µs): ``pass, stamp, needle`` as
        int64, ``x_mm, y_mm, depth_mm, t_s`` (and tilt/drag columns when present) as
        float64; a face session adds ``region, landed_in`` and ``layer`` (str) and
        ``real_depth_mm``.
        """
        if self._punctures is None:
            self._punctures = self._inner.punctures()
        return self._punctures

    def to_pandas(self) -> "Any":
        """The punctures as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame(self.punctures)

    @property
    def hits(self) -> Optional[Hits]:
        """The hits raster with its origin and pixel size, or None when no picture was drawn."""
        h = self._inner.hits()
        if h is None:
            return None
        values, origin, pixel = h
        return Hits(values=values, origin_mm=(float(origin[0]), float(origin[1])), pixel_mm=float(pixel))

    @property
    def warnings(self) -> List[str]:
        """Risky but legal settings the run noticed (also ``summary["warnings"]``)."""
        return self._inner.warnings()

    @property
    def resolved_scenario(self) -> str:
        """The scenario as run (overrides and presets applied), as TOML text."""
        return self._inner.resolved_scenario()

    def write(self, dir: Union[str, "os.PathLike[str]"]) -> Path:
        """Write every file ``needlesim run`` writes into ``dir`` (atomically); returns it."""
        try:
            return Path(self._inner.write(os.fspath(dir)))
        except TypeError as e:
            raise ScenarioError(f"dir = {dir!r}: allowed is a folder path") from e

    def __repr__(self) -> str:
        s = self.summary
        return f"<needlesim.Run {s.get('scenario')!r}: {s.get('punctures')} punctures, coverage {s.get('coverage'):.4f}>"


def run(scenario: ScenarioLike, overrides: Optional[Mapping[str, Any]] = None) -> Run:
    """Run one scenario and return its :class:`Run` (no file is written).

    ``scenario`` is a path to a scenario TOML file or the TOML text (a ``str`` with a
    newline; its relative files are read from the current folder). ``overrides`` are the
    command line's ``--set`` keys: ``{"technique.speed_mm_s": 40, "technique.directions_deg": [0, 90]}``.
    """
    src, is_text = _source(scenario)
    return Run(_needlesim.run(src, is_text, _overrides(overrides)))


@dataclass(frozen=True)
class Evaluation:
    """Everything :func:`evaluate_detailed` returns."""

    values: np.ndarray
    """(N, m) metric values, NaN where a point failed."""
    errors: Dict[int, str]
    """Row of X → the error message of each failed point."""
    seeds: np.ndarray
    """The seed each row ran with (``results.csv``'s ``seed`` column)."""
    metrics: List[str] = field(default_factory=list)


def _design(keys: Sequence[str], X: Any) -> Tuple[List[str], np.ndarray]:
    if isinstance(keys, str):
        keys = [keys]
    try:
        keys = [str(k) if isinstance(k, str) else k for k in keys]
    except TypeError as e:
        raise ScenarioError(f"keys = {keys!r}: allowed is a list of dotted scenario keys") from e
    if not all(isinstance(k, str) for k in keys):
        raise ScenarioError(f"keys = {keys!r}: allowed is a list of dotted scenario keys (str)")
    try:
        x = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"X: allowed is a numeric matrix, one row per point and one column per key ({e})") from e
    if x.ndim == 1 and len(keys) == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2:
        raise ScenarioError(
            f"X has shape {x.shape}: allowed is a 2-D matrix (N, {len(keys)}), one column per key ({', '.join(keys)})"
        )
    return list(keys), np.ascontiguousarray(x)


def evaluate_detailed(
    scenario: ScenarioLike,
    keys: Sequence[str],
    X: Any,
    metrics: Union[str, Sequence[str]] = "coverage",
    start_index: int = 0,
    overrides: Optional[Mapping[str, Any]] = None,
    integer: Sequence[str] = (),
) -> Evaluation:
    """As :func:`evaluate`, returning the values, each failed row's error and the seeds."""
    src, is_text = _source(scenario)
    keys, x = _design(keys, X)
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not isinstance(start_index, (int, np.integer)) or isinstance(start_index, bool) or start_index < 0:
        raise ScenarioError(f"start_index = {start_index!r}: allowed is a point index 0, 1, 2, …")
    values, errors, seeds = _needlesim.evaluate(
        src, is_text, _overrides(overrides), keys, x, names, int(start_index), list(integer)
    )
    return Evaluation(values=values, errors=dict(errors), seeds=np.asarray(seeds, dtype=np.uint64), metrics=names)


def evaluate(
    scenario: ScenarioLike,
    keys: Sequence[str],
    X: Any,
    metrics: Union[str, Sequence[str]] = "coverage",
    start_index: int = 0,
    overrides: Optional[Mapping[str, Any]] = None,
    integer: Sequence[str] = (),
) -> np.ndarray:
    """Evaluate a design matrix: row ``i`` of ``X`` sets ``keys`` and runs as sweep point
    ``start_index + i``.

    Returns an (N,) array for one metric (a ``str``), (N, m) for a list. A metric is any
    numeric ``results.csv`` column (``"coverage"``, ``"coverage_per_pass_0"``,
    ``"density_per_cm2"``, ``"regions.chin.coverage"`` …). Each row runs with the seed
    ``needlesim sweep`` gives design row ``start_index + i`` of a ``design = "file"`` sweep
    over the same matrix (the scenario's ``[sweep] seeds = "same"`` is honoured), so the
    values are ``results.csv``'s exactly. ``integer`` names keys to round to whole numbers
    (a sweep's ``integer = true``, e.g. ``technique.passes``).

    A point that fails gives NaN and a :class:`PointFailedWarning` (all errors:
    :func:`evaluate_detailed`). Points run in parallel on every core, GIL released.
    For SALib: ``sp.evaluate(lambda X: needlesim.evaluate(path, sp["names"], X))``.
    """
    e = evaluate_detailed(scenario, keys, X, metrics, start_index, overrides, integer)
    if e.errors:
        row, msg = next(iter(sorted(e.errors.items())))
        warnings.warn(
            f"{len(e.errors)} of {len(e.values)} points failed (NaN); row {row}: {msg}",
            PointFailedWarning,
            stacklevel=2,
        )
    return e.values[:, 0] if isinstance(metrics, str) else e.values


@dataclass(frozen=True)
class SweepOutcome:
    """What :func:`sweep` did."""

    dir: Path
    """The folder written (``out``, or ``out/shard-I-of-N``)."""
    points: int
    scope: int
    ran: int
    recorded: int
    failed: int
    plots: List[Path]
    plot_errors: List[str]

    def to_pandas(self) -> "Any":
        """``results.csv`` of this folder as a DataFrame (see :func:`read_sweep`)."""
        return read_sweep(self.dir)


def sweep(
    scenario: ScenarioLike,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    shard: Optional[str] = None,
    resume: bool = False,
    retry_failed: bool = False,
) -> SweepOutcome:
    """Run a scenario's ``[sweep]`` table, as ``needlesim sweep`` does, into ``out``
    (default ``output/<name>-sweep``): results.csv, manifest.json, journal.jsonl, plots.

    ``shard="I/N"`` or ``"auto/N"``, ``resume`` and ``retry_failed`` are the command line's
    options; the folder is interchangeable with one the command line wrote.
    """
    src, is_text = _source(scenario)
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool)):
        raise ScenarioError(f"threads = {threads!r}: allowed is a whole number ≥ 1, or None for every core")
    d = _needlesim.sweep(
        src,
        is_text,
        _overrides(overrides),
        None if out is None else os.fspath(out),
        threads,
        shard,
        bool(resume),
        bool(retry_failed),
    )
    return SweepOutcome(
        dir=Path(d["dir"]),
        points=d["points"],
        scope=d["scope"],
        ran=d["ran"],
        recorded=d["recorded"],
        failed=d["failed"],
        plots=[Path(p) for p in d["plots"]],
        plot_errors=list(d["plot_errors"]),
    )


def merge(folders: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]], out: Optional[Union[str, "os.PathLike[str]"]] = None) -> Path:
    """Merge finished shard folders (or their parent) into one results.csv, as ``needlesim merge``; returns its path."""
    if isinstance(folders, (str, os.PathLike)):
        folders = [folders]
    return Path(_needlesim.merge_shards([os.fspath(f) for f in folders], None if out is None else os.fspath(out)))


def read_sweep(folder: Union[str, "os.PathLike[str]"]) -> "Any":
    """A sweep folder's ``results.csv`` as a pandas DataFrame: one row per point (index,
    seed, parameters, status, error, every metric column).

    A folder of shards without a merged results.csv is refused: run :func:`merge` (or
    ``needlesim merge``) first.
    """
    import pandas as pd

    folder = Path(folder)
    csv = folder / "results.csv" if folder.is_dir() else folder
    if not csv.is_file():
        shards = sorted(p.name for p in folder.glob("shard-*") if p.is_dir()) if folder.is_dir() else []
        hint = f"; it holds {', '.join(shards)}: merge them first (needlesim.merge)" if shards else ""
        raise ScenarioError(f"{folder}: allowed is a sweep folder with a results.csv{hint}")
    # Text cells (status, error, warnings, string parameters) stay text; numbers are read
    # with the round-trip parser (pandas 3's default), so they equal the file's exactly.
    return pd.read_csv(csv, keep_default_na=False, na_values=[""], **_round_trip(pd))


def _round_trip(pd: Any) -> Dict[str, str]:
    """read_csv's exact float parser: an option before pandas 3, the default (and the option deprecated) since."""
    return {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
