"""Supervisors hear when a phone-system link goes down or comes back, on the ``floor`` channel.

An adapter drops its session when the phone system stays silent past its heartbeat (AMI
``Ping`` unanswered, the event socket gone), and reconnects with backoff. Every
``adapter_watch_interval`` seconds the server looks at each adapter; a change (and a link that
is down when first seen) is written to the outbox as a ``telephony`` message on ``floor`` and
delivered to the wallboards, like every other floor message:
``{"type": "telephony", "id", "adapter", "connected", "last_error", "at"}``.
/healthz and /metrics report the same state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from aiohttp import web

from switchboard.core import outbox
from switchboard.core.errors import SwitchboardError
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, SETTINGS
from switchboard.core.wire import MSG_TELEPHONY
from switchboard.telephony import ADAPTERS

log = logging.getLogger(__name__)


class AdapterWatch:
    """Remembers what it last said about each adapter, and says what changed."""

    def __init__(self) -> None:
        self.known: dict[str, bool] = {}

    def changes(self, health: dict[str, dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        bodies = []
        for name, report in sorted(health.items()):
            connected = bool(report["connected"])
            before = self.known.get(name)
            self.known[name] = connected
            if before == connected or (before is None and connected):
                continue
            bodies.append(
                {
                    "adapter": name,
                    "connected": connected,
                    "last_error": report.get("last_error"),
                    "at": now.isoformat(),
                }
            )
        return bodies


async def check_once(app: web.Application, watch: AdapterWatch) -> int:
    """Look at the adapters once; write and deliver what changed. The number of messages."""
    now = app[CLOCK].now()
    bodies = watch.changes(app[ADAPTERS].health(), now)
    if not bodies:
        return 0
    for body in bodies:
        say = log.warning if not body["connected"] else log.info
        say(
            "telephony %s is %s%s",
            body["adapter"],
            "up" if body["connected"] else "down",
            f" ({body['last_error']})" if body["last_error"] else "",
        )
    messages = await app[DATABASE].writer.run(
        lambda c: [outbox.append(c, outbox.FLOOR, MSG_TELEPHONY, b, now) for b in bodies]
    )
    await app[PUBLISHER].publish(messages)
    return len(messages)


async def adapter_watch_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: watch the adapters while the server runs."""
    watch = AdapterWatch()

    async def forever() -> None:
        while True:
            await asyncio.sleep(app[SETTINGS].adapter_watch_interval)
            try:
                await check_once(app, watch)
            except SwitchboardError as exc:
                log.warning("could not report the telephony links: %s", exc.message)
            except Exception:
                log.exception("could not report the telephony links")

    task = asyncio.create_task(forever(), name="adapter-watch")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
