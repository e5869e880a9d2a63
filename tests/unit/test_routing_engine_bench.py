"""The routing decision benchmark runs small and reports in the shape the harness expects."""

from __future__ import annotations

import argparse
import json

from bench import routing_decision
from bench.common import RESULT_KEYS, json_line


def test_a_small_run_reports_the_contract() -> None:
    parser = argparse.ArgumentParser()
    routing_decision.add_arguments(parser)
    args = parser.parse_args(
        [
            "--agents=60",
            "--small-agents=20",
            "--waiting=400",
            "--events=300",
            "--warmup=50",
            "--naive-events=20",
            "--rounds=3",
        ]
    )
    outcome = routing_decision.run(args)
    assert set(RESULT_KEYS) <= set(outcome)
    assert outcome["bench"] == "routing_decision"
    assert outcome["metric"] == "p99_decision_ms"
    assert outcome["unit"] == "ms"
    assert outcome["target"] == 1.0
    assert outcome["value"] > 0
    assert outcome["baseline"] > 0
    assert outcome["ratio"] == round(outcome["value"] / outcome["baseline"], 5)
    assert "lower is better" in outcome["params"]["ratio_definition"]
    assert [c["metric"] for c in outcome["checks"]] == [
        "p99_decision_ms",
        "p99_ratio_60_vs_20_agents",
    ]
    assert outcome["pass"] == all(c["pass"] for c in outcome["checks"])
    assert outcome["stats"]["offers_made"] > 0
    assert outcome["stats"]["waiting_at_end"] >= 300
    json.loads(json_line(outcome))
