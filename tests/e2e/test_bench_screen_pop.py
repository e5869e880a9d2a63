"""The screen_pop benchmark: its bulk-loaded data is what the service would have stored, and a
tiny run through ``python -m bench`` ends with one JSON result line of the agreed shape."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.common import RESULT_KEYS
from bench.screen_pop import customer_rows, insert_rows, make_dataset, make_plan

ROOT = Path(__file__).resolve().parents[2]


async def test_bulk_loaded_customers_look_up_as_if_created_by_the_service(
    tmp_path: Path,
) -> None:
    from customers import service
    from customers.schemas import CustomerIn
    from switchboard.core.clock import SystemClock
    from switchboard.core.db import Database
    from switchboard.core.settings import Settings
    from switchboard.migrate import upgrade

    dataset = make_dataset(40, random.Random(3))
    assert any(c["kind"] == "enterprise" for c in dataset.customers)
    now = SystemClock().now()
    answers: list[list[dict[str, Any]]] = []
    for way in ("service", "bulk"):
        settings = Settings(data_dir=tmp_path / way)
        await upgrade(settings)
        database = Database(settings)
        try:
            if way == "service":
                for raw in dataset.customers:
                    data = CustomerIn(**raw)
                    keys = service.prepare(data, "CN")

                    def create(c: Any, d: Any = data, k: Any = keys) -> int:
                        return service.create_customer(c, d, k, now)

                    await database.writer.run(create)
            else:
                rows = customer_rows(dataset.customers, "CN", now)

                def bulk(c: Any, r: Any = rows) -> None:
                    insert_rows(c, r)

                await database.writer.run(bulk)

            def look_up_all(conn: Any) -> list[dict[str, Any]]:
                found = []
                for number in dataset.callers:
                    match = service.lookup(conn, number, "CN")
                    top = match.candidates[0]
                    summary = service.summary(conn, top.customer_id, top.contact_id)
                    found.append(
                        {
                            "match": match.model_dump(),
                            "summary": summary.model_dump() if summary else None,
                        }
                    )
                return found

            found = await database.read(look_up_all)
            answers.append(found)
        finally:
            await database.close()
    assert answers[0] == answers[1]
    assert all(a["match"]["status"] == "known" for a in answers[1])


def test_plan_spreads_calls_over_agents_and_mixes_in_unknown_callers() -> None:
    plan = make_plan(200, ["a-1", "a-2", "a-3"], ["+8613800000000"], 0.25, seed=1)
    assert [c.agent for c in plan[:4]] == ["a-1", "a-2", "a-3", "a-1"]
    assert len({c.call_id for c in plan}) == 200
    unknown = [c for c in plan if not c.known]
    assert 20 < len(unknown) < 80
    assert all(c.number.startswith("+86 170") for c in unknown)


@pytest.mark.timeout(60)
def test_tiny_screen_pop_run_prints_one_json_result_last() -> None:
    command = [
        sys.executable,
        "-m",
        "bench",
        "screen_pop",
        "--json",
        "--calls",
        "20",
        "--consoles",
        "5",
        "--customers",
        "200",
        "--warmup",
        "3",
        "--rate",
        "40",
        "--timeout",
        "50",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=55)
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    outcome = json.loads(last)
    assert set(RESULT_KEYS) <= set(outcome)
    assert outcome["bench"] == "screen_pop"
    assert outcome["metric"] == "pop_latency_p95"
    assert outcome["unit"] == "ms"
    assert outcome["target"] == 100.0
    assert isinstance(outcome["pass"], bool)
    assert outcome["value"] > 0
    assert outcome["baseline"] > 0
    assert outcome["ratio"] == pytest.approx(outcome["value"] / outcome["baseline"], abs=0.01)
    assert outcome["params"]["calls"] == 20
    assert outcome["params"]["consoles"] == 5
    assert outcome["params"]["customers"] == 200
    checks = {c["metric"]: c for c in outcome["checks"]}
    assert set(checks) == {"pop_latency_p95", "ratio_p95_vs_baseline", "failed_calls"}
    assert checks["failed_calls"]["value"] == 0, outcome["stats"]
    assert outcome["pass"] == all(c["pass"] for c in checks.values())
    for side in ("switchboard", "baseline"):
        stats = outcome["stats"][side]
        assert stats["count"] == 20
        assert stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]
    assert "== screen_pop:" in done.stderr
