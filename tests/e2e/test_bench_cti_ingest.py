"""The cti_ingest benchmark: a tiny run ends with one JSON result line of the agreed shape, and
its baseline stores the row Switchboard stores for an event."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bench.baseline_ingest import create_app
from bench.common import RESULT_KEYS
from bench.cti_ingest import Phase, Target, latency, throughput
from switchboard.core.settings import Settings
from switchboard.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


async def test_baseline_stores_each_event_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    await upgrade(settings)
    db = tmp_path / "switchboard.db"
    server = TestServer(create_app(db), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        target = Target("baseline", str(server.make_url("/api/v1/cti/events")), {})
        flow: Phase = await throughput(target, 10, 4)
        paced: Phase = await latency(target, 60.0, 1.0)
    finally:
        await server.close()
    assert (flow.events, flow.errors) == (30, 0)
    assert (paced.events, paced.errors, len(paced.acks_ms)) == (60, 0, 60)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(DISTINCT event_id) FROM cti_events").fetchone()
        kinds = {r[0] for r in conn.execute("SELECT type FROM cti_events")}
    assert rows == (90, 90)
    assert kinds == {"ringing", "answered", "ended"}


@pytest.mark.timeout(90)
def test_tiny_cti_ingest_run_prints_one_json_result_last() -> None:
    command = [
        sys.executable,
        "-m",
        "bench",
        "cti_ingest",
        "--json",
        "--calls",
        "30",
        "--concurrency",
        "8",
        "--rate",
        "50",
        "--seconds",
        "1",
        "--timeout",
        "80",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=85)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(RESULT_KEYS) <= set(outcome)
    assert (outcome["bench"], outcome["metric"], outcome["unit"]) == (
        "cti_ingest",
        "events_per_s",
        "events/s",
    )
    assert outcome["target"] == 1000.0
    assert isinstance(outcome["pass"], bool)
    assert outcome["value"] > 0
    assert outcome["baseline"] > 0
    assert [c["metric"] for c in outcome["checks"]] == [
        "events_per_s",
        "ack_p99_ms_at_50_per_s",
        "ratio_events_per_s_vs_baseline",
    ]
    ours = outcome["stats"]["switchboard"]
    assert ours["throughput_events"] == 90
    assert ours["paced_ack_ms"]["count"] == 50
    assert ours["websocket"]["ack_ms"]["count"] == 90
    assert ours["websocket"]["events_per_s"] > 0
