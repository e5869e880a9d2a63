"""The sla_timers benchmark runs as ``python -m bench.sla_timers`` and ends with one JSON
result line of the agreed shape (a tiny run: the figures themselves are for the full one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import RESULT_KEYS

ROOT = Path(__file__).resolve().parents[2]


def test_tiny_sla_timers_run_prints_one_json_result_last() -> None:
    tiny = ["--open", "900", "--due", "200", "--small", "400", "--samples", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.sla_timers", "--json", "--tick-size", "20", *tiny],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(outcome)[: len(RESULT_KEYS)] == list(RESULT_KEYS)
    assert outcome["bench"] == "sla_timers"
    checks = {c["metric"]: c for c in outcome["checks"]}
    assert checks["fired"]["value"] == 200
    assert checks["fired_twice"]["value"] == 0
    assert checks["bulk_rows_differing_from_service"]["value"] == 0
    assert outcome["stats"]["counts"]["sla_messages"] == 400
