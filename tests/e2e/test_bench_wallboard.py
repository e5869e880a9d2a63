"""The wallboard benchmark: a tiny run ends with one JSON result line of the agreed shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import RESULT_KEYS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_tiny_wallboard_run_prints_one_json_result_last() -> None:
    command = [
        sys.executable,
        "-m",
        "bench",
        "wallboard",
        "--json",
        "--agents",
        "40",
        "--queues",
        "4",
        "--rate",
        "40",
        "--seconds",
        "5",
        "--timeout",
        "110",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=115)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(RESULT_KEYS) <= set(outcome)
    assert (outcome["bench"], outcome["metric"], outcome["unit"]) == (
        "wallboard",
        "render_lag_p95_ms",
        "ms",
    )
    assert [c["metric"] for c in outcome["checks"]] == [
        "render_lag_p95_ms",
        "messages_per_s_per_queue",
    ]
    stats = outcome["stats"]
    assert stats["posts"] == {"ok": 200}
    assert stats["floor_updates"] > 0
    assert stats["render_lag_ms"]["count"] == stats["floor_updates"]
    assert stats["state_change_to_board_ms"]["count"] > 0
    # Four queues: at most one message a second per queue, so at most 4 a second.
    assert stats["floor_updates_per_s"] <= 4.0
