"""The in-process event bus: handlers in subscription order; one failing handler stops none."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from switchboard.core.events import EventBus


@dataclass
class CallRang:
    call_id: str


@dataclass
class CallEnded:
    call_id: str


async def test_handlers_run_in_order_and_only_for_their_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    seen: list[str] = []

    async def first(event: CallRang) -> None:
        seen.append(f"first {event.call_id}")

    async def broken(event: CallRang) -> None:
        raise RuntimeError("boom")

    async def last(event: CallRang) -> None:
        seen.append(f"last {event.call_id}")

    async def ended(event: CallEnded) -> None:
        seen.append(f"ended {event.call_id}")

    for handler in (first, broken, last):
        bus.subscribe(CallRang, handler)
    bus.subscribe(CallEnded, ended)
    with caplog.at_level(logging.ERROR):
        await bus.publish(CallRang("c-1"))
    assert seen == ["first c-1", "last c-1"]
    assert "boom" in caplog.text
    await bus.publish(CallEnded("c-1"))
    assert seen[-1] == "ended c-1"
    await bus.publish(object())  # no handler: nothing happens
