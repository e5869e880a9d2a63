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
