"""The ani_lookup and customer_search benchmarks run and end with one JSON result line of the
agreed shape (tiny runs in a temporary cache dir: the figures are for the full runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULT_KEYS

ROOT = Path(__file__).resolve().parents[2]


def run_bench(name: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench", name, "--json", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(outcome)[: len(RESULT_KEYS)] == list(RESULT_KEYS)
    assert outcome["bench"] == name
    return outcome


def test_tiny_ani_lookup_answers_every_lookup_right(tmp_path: Path) -> None:
    tiny = ["--numbers", "12000", "--lookups", "300", "--warmup", "20"]
    outcome = run_bench("ani_lookup", *tiny, "--cache-dir", str(tmp_path))
    checks = {c["metric"]: c for c in outcome["checks"]}
    assert checks["correct_share"]["value"] == 1.0
    assert outcome["stats"]["wrong_answers"] == 0
    assert outcome["baseline"] > 0
    # A second run reuses the built database.
    again = run_bench("ani_lookup", *tiny, "--cache-dir", str(tmp_path))
    assert again["stats"]["wrong_answers"] == 0
    assert len(list(tmp_path.glob("*.db"))) == 1


def test_tiny_customer_search_finds_exact_numbers(tmp_path: Path) -> None:
    tiny = ["--customers", "800", "--queries", "200", "--baseline-queries", "20"]
    outcome = run_bench("customer_search", *tiny, "--cache-dir", str(tmp_path))
    recall = outcome["stats"]["recall_at_10_by_kind"]
    # Six digits from the middle of a number are as good as unique among 800 customers.
    assert recall["number_middle"] >= 0.95
    assert outcome["params"]["customers"] == 800
