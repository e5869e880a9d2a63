"""API tokens: created by the CLI, stored as SHA-256 hashes, checked on every request."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, ForeignKey, String, bindparam, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from switchboard.core.db import Base, Database
from switchboard.core.errors import BadRequest, NotFound
from switchboard.core.http import ROLES, Principal
from switchboard.core.ids import new_token_secret
from switchboard.core.statements import HotStatement


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


tokens_t = ApiToken.__table__


def digest(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    principal: Principal


def create_token(
    conn: Connection, *, role: str, name: str, agent_id: str | None, now: datetime
) -> IssuedToken:
    from routing import store as routing_store

    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role")
    if not name.strip() or len(name) > 100:
        raise BadRequest("a token needs a name of 1 to 100 characters", field="name")
    if role == "agent" and not agent_id:
        raise BadRequest("an agent token needs --agent ID", field="agent")
    if role != "agent" and agent_id:
        raise BadRequest("--agent goes with --role agent only", field="agent")
    if agent_id and routing_store.agent_row(conn, agent_id) is None:
        raise NotFound(f"no agent {agent_id!r}: create it first", field="agent")
    secret = new_token_secret()
    result = conn.execute(
        insert(tokens_t)
        .values(
            name=name.strip(),
            role=role,
            agent_id=agent_id,
            token_hash=digest(secret),
            created_at=now,
        )
        .returning(tokens_t.c.id)
    )
    token_id = int(result.scalar_one())
    return IssuedToken(secret, Principal(token_id, name.strip(), role, agent_id))


_LIVE_TOKEN = HotStatement(
    select(tokens_t.c.id, tokens_t.c.name, tokens_t.c.role, tokens_t.c.agent_id).where(
        tokens_t.c.token_hash == bindparam("key"), tokens_t.c.revoked_at.is_(None)
    )
)


class TokenCache:
    """Verified tokens kept for a few seconds, so auth costs one hash on the hot path.

    A revoked token stops working within ``ttl`` seconds.
    """

    def __init__(self, database: Database, ttl: float = 10.0) -> None:
        self._database = database
        self._ttl = ttl
        self._known: dict[str, tuple[float, Principal | None]] = {}

    async def verify(self, secret: str) -> Principal | None:
        key = digest(secret)
        hit = self._known.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        row = await self._database.read_point(lambda conn: _LIVE_TOKEN.first(conn, {"key": key}))
        found = Principal(row.id, row.name, row.role, row.agent_id) if row else None
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (time.monotonic() + self._ttl, found)
        return found
