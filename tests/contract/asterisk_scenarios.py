"""The five contract scenarios, replayed from recorded AMI sessions through the real adapter.

``replay(scenario, sink)`` starts the fake AMI server with ``tests/data/ami/<scenario>.txt``,
runs :class:`AsteriskAdapter` against it until the whole session has been sent and every
translated event has been through ``sink``, then stops both. Facts common to all adapters:
caller +8613812345678 (the trunk presents it as 13812345678, 008613812345678 or
+8613812345678), DNIS 4008001234, queue ``support``, agents at extensions 1001 and 1002.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from switchboard.core.clock import SystemClock
from switchboard.core.wire import CallEvent
from telephony_adapters.asterisk import AsteriskAdapter, AsteriskConfig
from tests.support.fake_ami import FakeAmi

SCENARIOS = ("answered", "missed", "abandoned", "transferred", "held")
UNSUPPORTED: dict[str, str] = {}
Sink = Callable[[list[CallEvent]], Awaitable[None]]


def config_for(ami: FakeAmi, **overrides: Any) -> AsteriskConfig:
    """Settings that reach ``ami``, with fast timings for tests."""
    values: dict[str, Any] = {
        "host": ami.host,
        "port": ami.port,
        "username": ami.username,
        "secret": ami.secret,
        "reconnect_initial": 0.02,
        "reconnect_max": 0.2,
        "action_timeout": 2.0,
        "connect_timeout": 2.0,
    }
    values.update(overrides)
    return AsteriskConfig(**values)


async def run_session(ami: FakeAmi, sink: Sink, *, within: float = 20.0, **overrides: Any) -> None:
    """Run an adapter against ``ami`` until its session is replayed and delivered."""
    adapter = AsteriskAdapter(config_for(ami, **overrides), sink, clock=SystemClock())
    task = asyncio.create_task(adapter.run())
    try:
        async with asyncio.timeout(within):
            await ami.replayed.wait()
            await adapter.flush()
    finally:
        adapter.stop()
        try:
            async with asyncio.timeout(5):
                await task
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def replay(scenario: str, sink: Sink) -> None:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    async with FakeAmi(scenario) as ami:
        await run_session(ami, sink)
