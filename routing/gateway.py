"""The one path every call event takes, whichever adapter it came through.

Read side first (agent, caller), then one write per event in the group commit, then the
channel messages go out; the caller of :func:`ingest` answers the phone system only after this
returns, so an acknowledged event is durable.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web

from customers.phones import region_policy
from routing import calls
from routing.service import ROUTING
from switchboard.core.errors import SwitchboardError
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, SETTINGS
from switchboard.core.wire import CallEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ack:
    id: int
    event_id: str
    call_id: str
    duplicate: bool
    warnings: tuple[str, ...]

    def wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "call_id": self.call_id,
            "warnings": list(self.warnings),
        }


async def ingest(app: web.Application, source: str, events: list[CallEvent]) -> list[Ack]:
    """Store ``events`` from ``source`` and everything that follows from them; in order.

    Then routing takes its part: a call ringing in a routing queue without an agent is
    queued and offered, a hangup takes it out (``routing/service.py``). A failure there is
    logged and does not fail the acknowledgement: the events are stored.
    """
    now = app[CLOCK].now()
    regions = region_policy(app[SETTINGS])
    shared = app[SETTINGS].phone.shared_number_contacts
    database = app[DATABASE]
    routing = app.get(ROUTING)
    queues = routing.queue_ids() if routing is not None else frozenset()
    prepared = await database.read_point(
        lambda conn: [
            calls.prepare(
                conn,
                e,
                source,
                regions.region_for(e.to if e.direction.value == "inbound" else None, source),
                now,
                routed_queues=queues,
                shared_threshold=shared,
            )
            for e in events
        ]
    )
    results = await asyncio.gather(
        *(database.writer.run(lambda c, p=p: calls.record(c, p, now), quick=True) for p in prepared)
    )
    await app[PUBLISHER].publish([m for r in results for m in r.messages])
    if routing is not None:
        try:
            await routing.on_call_events(source, list(zip(prepared, results, strict=True)))
        except SwitchboardError as exc:
            log.warning("routing did not follow call events: %s", exc.message)
        except Exception:
            log.exception("routing did not follow call events")
    return [
        Ack(r.stored_id, p.event.event_id, p.event.call_id, r.duplicate, tuple(p.warnings))
        for r, p in zip(results, prepared, strict=True)
    ]
