"""The five contract scenarios, as FreeSWITCH would report them over its event socket.

``replay(scenario, sink)`` starts the fake event socket with that scenario's recorded session
(tests/data/esl/<scenario>.txt), runs the real adapter against it until every recorded event
has been read and handed to ``sink``, and returns. The facts are the contract's: caller
+8613812345678, DNIS 4008001234, queue support, agents 1001 and 1002.
"""

from __future__ import annotations

import asyncio

from switchboard.core.clock import SystemClock
from telephony_adapters.freeswitch import FreeswitchAdapter, FreeswitchConfig, Sink
from tests.support.fake_esl import FakeEslServer, load_session

SCENARIOS = ("answered", "missed", "abandoned", "transferred", "held")
UNSUPPORTED: dict[str, str] = {}
PASSWORD = "ClueCon"


def config_for(server: FakeEslServer, **overrides: object) -> FreeswitchConfig:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "password": PASSWORD,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "connect_timeout": 2.0,
        "command_timeout": 2.0,
        "reconcile_interval": 0,
    }
    values.update(overrides)
    return FreeswitchConfig.model_validate(values)


async def replay(scenario: str, sink: Sink) -> None:
    """Replay one scenario through the adapter into ``sink``; returns when all is handed over."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    server = FakeEslServer(load_session(scenario), password=PASSWORD)
    await server.start()
    adapter = FreeswitchAdapter(config_for(server), sink, clock=SystemClock())
    try:
        adapter.start()
        async with asyncio.timeout(10):
            await server.replayed.wait()
            await adapter.connected.wait()
            await adapter.settle()
    finally:
        await adapter.stop()
        await server.close()
