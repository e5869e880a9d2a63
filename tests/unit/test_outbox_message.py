"""A channel message on the wire: its body with type and id, however it was built."""

from __future__ import annotations

import json
from typing import Any

import pytest

from switchboard.core.outbox import Message

BODIES: list[dict[str, Any]] = [
    {"call_id": "c-1", "from": "+86 138 1234 5678", "customer": {"name": "王芳", "tags": []}},
    {},
    {"id": 7, "type": "old", "state": "available"},  # type and id of the message win
    {"note": 'quotes " and \\ and }'},
]


@pytest.mark.parametrize("body", BODIES)
def test_wire_json_is_the_wire_form_stored_or_not(body: dict[str, Any]) -> None:
    stored = json.dumps(body, ensure_ascii=False)
    fresh = Message("agent:a-1", 42, "screen_pop", body, stored)
    replayed = Message("agent:a-1", 42, "screen_pop", json.loads(stored))
    expected = {**body, "type": "screen_pop", "id": 42}
    assert json.loads(fresh.wire_json()) == expected
    assert json.loads(replayed.wire_json()) == expected
    assert fresh.wire() == expected
    assert list(json.loads(fresh.wire_json())) == list(expected)  # same key order
