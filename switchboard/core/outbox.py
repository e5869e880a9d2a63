"""Channel messages: what the websocket hub delivers, stored so a reconnect misses nothing.

A message is written in the same transaction as the change it reports, so a message exists if
and only if its change was committed. Ids come from one sequence, so they increase within every
channel. Channels are named ``agent:<id>`` for one agent's console and ``floor`` for supervisors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Index, String, Table, Text, delete, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, BigId
from switchboard.core.statements import HotStatement

FLOOR = "floor"


def agent_channel(agent_id: str) -> str:
    return f"agent:{agent_id}"


class ChannelMessage(Base):
    __tablename__ = "channel_messages"
    # AUTOINCREMENT: an id is never reused, even after pruning, so client cursors stay valid.
    __table_args__ = (
        Index("ix_channel_messages_channel_id", "channel", "id"),
        Index("ix_channel_messages_created_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(160))
    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


messages_t = cast(Table, ChannelMessage.__table__)


@dataclass(frozen=True)
class Message:
    channel: str
    id: int
    type: str
    body: dict[str, Any]
    # The body as stored (JSON), when this message was just written: spares encoding it again.
    stored: str | None = field(default=None, compare=False, repr=False)

    def wire(self) -> dict[str, Any]:
        """The message as the client sees it: its body with ``type`` and ``id`` set."""
        return {**self.body, "type": self.type, "id": self.id}

    def wire_json(self) -> str:
        """:meth:`wire` as JSON text; from the stored body when there is one, without
        encoding the body a second time."""
        text = self.stored
        if text is None or len(text) < 3 or "type" in self.body or "id" in self.body:
            return json.dumps(self.wire(), ensure_ascii=False)
        return f"{text[:-1]}, {_TYPE}{json.dumps(self.type)}, {_ID}{self.id}}}"


_TYPE = '"type": '
_ID = '"id": '


_APPEND = HotStatement(insert(messages_t).returning(messages_t.c.id))


def append(
    conn: Connection, channel: str, type_: str, body: dict[str, Any], now: datetime
) -> Message:
    stored = json.dumps(body, ensure_ascii=False)
    params = {"channel": channel, "type": type_, "body": stored, "created_at": now}
    return Message(channel, int(_APPEND.scalar(conn, params)), type_, body, stored)


def after(conn: Connection, channel: str, after_id: int, limit: int) -> list[Message]:
    table = messages_t
    rows = conn.execute(
        select(table.c.id, table.c.type, table.c.body)
        .where(table.c.channel == channel, table.c.id > after_id)
        .order_by(table.c.id)
        .limit(limit)
    )
    return [Message(channel, int(r.id), r.type, json.loads(r.body)) for r in rows]


def latest_id(conn: Connection, channel: str) -> int:
    table = messages_t
    value = conn.scalar(select(func.max(table.c.id)).where(table.c.channel == channel))
    return int(value or 0)


def prune(conn: Connection, before: datetime) -> int:
    table = messages_t
    result = conn.execute(delete(table).where(table.c.created_at < before))
    return int(result.rowcount or 0)
