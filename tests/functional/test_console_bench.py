"""The console_pop benchmark runs end to end and reports in the common shape."""

from __future__ import annotations

import argparse

from bench import console_pop
from bench.common import RESULT_KEYS


def test_console_pop_reports_every_pop_drawn() -> None:
    out = console_pop.run(argparse.Namespace(pops=5, warmup=1, timeout=10.0))
    assert tuple(out)[: len(RESULT_KEYS)] == RESULT_KEYS
    assert out["bench"] == "console_pop"
    assert out["stats"]["console"]["count"] == 5
    assert out["stats"]["baseline"]["count"] == 5
    drawn = next(c for c in out["checks"] if c["metric"] == "pops_drawn")
    assert drawn["pass"]
    assert out["value"] > 0
