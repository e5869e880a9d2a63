"""Phone systems the server connects to itself: Asterisk (AMI) and FreeSWITCH (event socket).

Each configured adapter is started with the server and stopped with it. Its events go through
the same ingest path as every other source; before it connects it is told which of its calls
the server still holds live, so a hangup lost while Switchboard itself was down is reconciled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import Connection, select

from routing import gateway
from routing.model import FINAL
from routing.service import TELEPHONY as COMMANDS
from routing.store import calls_t
from switchboard.core.http import CLOCK, DATABASE
from switchboard.core.settings import ConfigError, Settings
from switchboard.core.wire import CallEvent
from telephony_adapters.asterisk import AsteriskAdapter, AsteriskConfig
from telephony_adapters.freeswitch.adapter import FreeswitchAdapter
from telephony_adapters.freeswitch.config import FreeswitchConfig

log = logging.getLogger(__name__)


@dataclass
class Telephony:
    """The adapters this server runs, by name (``asterisk``, ``freeswitch``).

    Built from the settings before anything starts, so a bad adapter setting stops the server
    at once with a message naming it, and nothing is left half-started.
    """

    asterisk: AsteriskConfig | None = None
    freeswitch: FreeswitchConfig | None = None
    adapters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Telephony:
        telephony = cls()
        if settings.asterisk and settings.asterisk.get("username"):
            telephony.asterisk = _config(AsteriskConfig, settings.asterisk, "asterisk")
        if settings.freeswitch and settings.freeswitch.get("password"):
            telephony.freeswitch = _config(FreeswitchConfig, settings.freeswitch, "freeswitch")
        return telephony

    def health(self) -> dict[str, dict[str, Any]]:
        report: dict[str, dict[str, Any]] = {}
        for name, adapter in self.adapters.items():
            connected = adapter.connected
            if isinstance(connected, asyncio.Event):
                connected = connected.is_set()
            report[name] = {
                "connected": bool(connected),
                "last_error": getattr(adapter, "last_error", None),
            }
        return report


ADAPTERS = web.AppKey("telephony_adapters", Telephony)


def _config(model: type[Any], values: dict[str, Any], name: str) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"bad {name} settings: {problems}") from None


def _live_calls(source: str) -> Any:
    finals = [state.value for state in FINAL]

    def query(conn: Connection) -> list[str]:
        rows = conn.execute(
            select(calls_t.c.call_id).where(
                calls_t.c.source == source, calls_t.c.state.not_in(finals)
            )
        )
        return [row.call_id for row in rows]

    return query


async def telephony_ctx(app: web.Application) -> AsyncIterator[None]:
    database = app[DATABASE]
    telephony = app[ADAPTERS]
    tasks: list[asyncio.Task[None]] = []

    def sink_for(source: str) -> Any:
        async def sink(events: list[CallEvent]) -> None:
            await gateway.ingest(app, source, events)

        return sink

    if telephony.asterisk is not None:
        ami_config = telephony.asterisk

        async def live() -> list[str]:
            return await database.read(_live_calls(ami_config.source))

        ami = AsteriskAdapter(
            ami_config, sink_for(ami_config.source), clock=app[CLOCK], live_calls=live
        )
        telephony.adapters["asterisk"] = ami
        app[COMMANDS] = ami  # routing transfers an accepted call through it
        tasks.append(asyncio.create_task(ami.run(), name="asterisk-adapter"))
        log.info("connecting to Asterisk AMI at %s:%s", ami_config.host, ami_config.port)
    if telephony.freeswitch is not None:
        esl_config = telephony.freeswitch
        esl = FreeswitchAdapter(esl_config, sink_for(esl_config.source), clock=app[CLOCK])
        esl.resume(await database.read(_live_calls(esl_config.source)))
        telephony.adapters["freeswitch"] = esl
        app[COMMANDS] = esl
        esl.start()
        log.info("connecting to FreeSWITCH at %s:%s", esl_config.host, esl_config.port)
    try:
        yield
    finally:
        if "asterisk" in telephony.adapters:
            telephony.adapters["asterisk"].stop()
        if "freeswitch" in telephony.adapters:
            await telephony.adapters["freeswitch"].stop()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=5)
        telephony.adapters.clear()
