"""Bad input is a ScenarioError (a ValueError) with the command line's message, never a crash."""

import numpy as np
import pytest

import needlesim
from conftest import SMALL

KEYS = ["technique.speed_mm_s", "device.frequency_hz"]


def test_scenario_error_is_a_value_error() -> None:
    assert issubclass(needlesim.ScenarioError, ValueError)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: needlesim.run(SMALL, {"technique.sped_mm_s": 40}), ["sped_mm_s", "speed_mm_s"]),
        (lambda: needlesim.run(SMALL, {"cartridge.depth_mm": 7}), ["cartridge.depth_mm", "7"]),
        (lambda: needlesim.run(SMALL, {"technique.speed_mm_s": object()}), ["technique.speed_mm_s", "allowed"]),
        (lambda: needlesim.run(SMALL, [("a", 1)]), ["overrides"]),
        (lambda: needlesim.run(42), ["scenario = 42"]),
        (lambda: needlesim.run("no/such/scenario.toml"), ["no/such/scenario.toml"]),
        (lambda: needlesim.run(SMALL + "\n[patch]\n"), ["patch"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, np.ones((2, 3))), ["3 columns", "technique.speed_mm_s"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, [[40, np.nan]]), ["X[0, 1]", "device.frequency_hz", "finite"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, [["a", "b"]]), ["X"]),
        (lambda: needlesim.evaluate(SMALL, ["technique.sped_mm_s"], [[40]]), ["sped_mm_s", "speed_mm_s"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, [[40, 120]], metrics="coverag"), ["coverag", "did you mean `coverage`"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, [[40, 120]], metrics="warnings"), ["warnings"]),
        (lambda: needlesim.evaluate(SMALL, KEYS, [[40, 120]], start_index=-1), ["start_index"]),
        (lambda: needlesim.evaluate(SMALL, [], np.ones((1, 0))), ["keys"]),
        (lambda: needlesim.sweep(SMALL, out="nowhere"), ["[sweep]"]),
        (lambda: needlesim.sweep(SMALL, shard="3/3"), ["--shard", "0 ≤ I < N"]),
        (lambda: needlesim.read_sweep("no/such/folder"), ["results.csv"]),
    ],
)
def test_bad_input_names_what_to_fix(call, words) -> None:
    with pytest.raises(needlesim.ScenarioError) as e:
        call()
    for w in words:
        assert w in str(e.value), (w, str(e.value))
