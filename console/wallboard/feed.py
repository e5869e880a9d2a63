"""The wallboard's line to the server: the supervisor's floor socket.

The same reconnecting websocket client as the agent console (``console.feed.AgentFeed``),
pointed at ``/api/v1/floor/ws`` and decoding floor aggregates. Aggregates are views of the
moment, not a stream to replay: on every (re)connect the server sends a fresh snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from console.feed import AgentFeed, Backoff, Cursor, FeedProblem
from switchboard.core.floor_wire import (
    MSG_FLOOR_SNAPSHOT,
    MSG_FLOOR_UPDATE,
    FloorSnapshot,
    FloorUpdate,
)

FLOOR_WS_PATH = "/api/v1/floor/ws"
FloorEvent = FloorSnapshot | FloorUpdate | FeedProblem


def decode_floor(raw: str | bytes, cursor: Cursor) -> list[Any]:
    """One frame of the floor socket as events; never raises."""
    del cursor  # aggregates carry no ids: nothing to resume from
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return [FeedProblem("Ignored a message that is not JSON")]
    if not isinstance(data, Mapping):
        return [FeedProblem("Ignored a message that is not a JSON object")]
    kind = data.get("type")
    model: type[FloorSnapshot] | type[FloorUpdate]
    if kind == MSG_FLOOR_SNAPSHOT:
        model = FloorSnapshot
    elif kind == MSG_FLOOR_UPDATE:
        model = FloorUpdate
    else:
        return []
    try:
        return [model.model_validate(data)]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return [FeedProblem(f"Ignored a {kind} message ({where}: {first['msg']})"[:160])]


def floor_feed(server_url: str, token: str, *, backoff: Backoff | None = None) -> AgentFeed:
    return AgentFeed(
        server_url,
        token,
        backoff=backoff,
        path=FLOOR_WS_PATH,
        decoder=decode_floor,
        greetings=(FloorSnapshot,),
    )
