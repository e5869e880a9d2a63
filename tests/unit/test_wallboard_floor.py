"""The wallboard's floor state and its decoder, without Textual."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from console.feed import Cursor, FeedProblem
from console.wallboard.feed import decode_floor
from console.wallboard.floor import Floor
from switchboard.core.floor_wire import AgentRow, AlarmWire, FloorSnapshot, FloorUpdate

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_decode_floor_messages_and_refuse_bad_ones() -> None:
    cursor = Cursor()
    snap = FloorSnapshot(at=NOW, period_start=NOW).model_dump_json()
    (event,) = decode_floor(snap, cursor)
    assert isinstance(event, FloorSnapshot)
    assert decode_floor(json.dumps({"type": "agent_state", "id": 3}), cursor) == []
    (problem,) = decode_floor(json.dumps({"type": "floor_update", "at": "yesterday"}), cursor)
    assert isinstance(problem, FeedProblem)
    assert problem.text.startswith("Ignored a floor_update message (at:")
    assert isinstance(decode_floor(b"\xff", cursor)[0], FeedProblem)
    assert isinstance(decode_floor("[1]", cursor)[0], FeedProblem)


def test_floor_applies_updates_in_order_and_reports_changes() -> None:
    floor = Floor()
    alarm = AlarmWire(key="k:1", kind="k", subject="1", severity="warning", text="t")
    changes = floor.apply(
        FloorSnapshot(at=NOW, period_start=NOW, agents=[AgentRow(agent="a", state="available")])
    )
    assert changes.reset
    changes = floor.apply(
        FloorUpdate(at=NOW + timedelta(seconds=1), alarms_raised=[alarm], agents_gone=["zz"])
    )
    assert (changes.alarms, changes.agents_gone, list(floor.alarms)) == (True, set(), ["k:1"])
    stale = floor.apply(FloorUpdate(at=NOW, agents=[AgentRow(agent="a", state="offline")]))
    assert stale.empty
    assert floor.agents["a"].state == "available"
    assert floor.agents_by_state() == {"available": 1}


def test_leaderboard_rows_come_by_key_and_go() -> None:
    from switchboard.core.floor_wire import LeaderRow

    floor = Floor()
    east = LeaderRow(by="team", key="east-1", agents=2, answered=10)
    changes = floor.apply(FloorSnapshot(at=NOW, period_start=NOW, leaderboard=[east]))
    assert changes.leaderboard
    assert list(floor.leaderboard) == ["team:east-1"]
    south = LeaderRow(by="team", key="south-1", agents=1, answered=12)
    region = LeaderRow(by="region", key="华东", agents=2, answered=10)
    changes = floor.apply(FloorUpdate(at=NOW + timedelta(seconds=1), leaderboard=[south, region]))
    assert changes.leaderboard
    assert not changes.empty
    assert [r.key for r in floor.leaders("team")] == ["south-1", "east-1"]  # most answered first
    assert [r.key for r in floor.leaders("region")] == ["华东"]
    changes = floor.apply(
        FloorUpdate(at=NOW + timedelta(seconds=2), leaderboard_gone=["team:east-1", "team:x"])
    )
    assert changes.leaderboard
    assert list(floor.leaderboard) == ["team:south-1", "region:华东"]
    assert floor.apply(FloorUpdate(at=NOW + timedelta(seconds=3), leaderboard_gone=["x"])).empty
