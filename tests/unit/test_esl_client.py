"""The client and the adapter against the fake event socket: login, events, drops, commands."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard.core.clock import ManualClock
from switchboard.core.errors import BadRequest, NotFound, Unavailable, Unprocessable
from switchboard.core.telephony import RecordedMessages, campaign_line
from switchboard.core.wire import CallEvent
from telephony_adapters.freeswitch import FreeswitchAdapter, FreeswitchConfig
from telephony_adapters.freeswitch.client import EVENTS, EslAuthError, EslClient
from tests.contract.freeswitch_scenarios import PASSWORD, config_for
from tests.support.fake_esl import FakeEslServer, Step, load_session

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


class Collector:
    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[CallEvent] = []
        self.calls = 0
        self.fail_first = fail_first
        self.changed = asyncio.Event()

    async def __call__(self, events: list[CallEvent]) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise RuntimeError("database is down")
        self.events.extend(events)
        self.changed.set()

    async def until(self, check: Callable[[], bool]) -> None:
        while not check():
            self.changed.clear()
            await self.changed.wait()

    def of(self, call_id: str) -> list[tuple[str, str | None, str | None]]:
        return [(e.type.value, e.agent, e.cause) for e in self.events if e.call_id == call_id]


async def serve(steps: list[Step], **options: Any) -> FakeEslServer:
    return await FakeEslServer(steps, password=PASSWORD, **options).start()


@pytest.fixture
async def idle() -> AsyncIterator[FakeEslServer]:
    server = await serve([])
    try:
        yield server
    finally:
        await server.close()


async def running(
    server: FakeEslServer, sink: Collector | None = None, **overrides: Any
) -> FreeswitchAdapter:
    adapter = FreeswitchAdapter(
        config_for(server, **overrides),
        sink or Collector(),
        clock=ManualClock(NOW),
        rng=random.Random(7),
    )
    adapter.start()
    async with asyncio.timeout(3):
        await adapter.connected.wait()
    return adapter


def first_leg(name: str) -> str:
    return next(s.event["Unique-ID"] for s in load_session(name) if s.kind == "event")


# The client


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_login_subscribe_and_events_in_order() -> None:
    steps = load_session("answered")
    server = await serve(steps)
    seen: list[dict[str, str]] = []
    client = EslClient("127.0.0.1", server.port, PASSWORD, on_event=seen.append)
    try:
        await client.connect()
        await client.subscribe()
        async with asyncio.timeout(3):
            await server.replayed.wait()
        assert await client.api("status") != ""  # answered after every event before it
        assert seen == [s.event for s in steps if s.kind == "event"]
        assert server.commands[:2] == [f"auth {PASSWORD}", "event json " + " ".join(EVENTS)]
        assert "CUSTOM callcenter::info" in server.commands[1]
        assert "BACKGROUND_JOB" in server.commands[1]
    finally:
        client.close()
        await server.close()


async def test_a_wrong_password_is_a_clear_error(idle: FakeEslServer) -> None:
    client = EslClient("127.0.0.1", idle.port, "wrong", on_event=lambda e: None)
    with pytest.raises(EslAuthError, match="refused the password"):
        await client.connect()
    assert not client.is_open


async def test_show_channels_with_none_and_with_some(idle: FakeEslServer) -> None:
    client = EslClient("127.0.0.1", idle.port, PASSWORD, on_event=lambda e: None)
    await client.connect()
    try:
        assert await client.show_channels() == []
        idle.channels["u-1"] = {"uuid": "u-1", "callstate": "ACTIVE"}
        assert await client.show_channels() == [{"uuid": "u-1", "callstate": "ACTIVE"}]
    finally:
        client.close()


async def test_a_silent_peer_times_out() -> None:
    finished = asyncio.Event()

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(b"Content-Type: auth/request\n\n")
            await reader.read()  # never answers
        finally:
            writer.close()
            finished.set()

    server = await asyncio.start_server(mute, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = EslClient("127.0.0.1", port, PASSWORD, on_event=lambda e: None, connect_timeout=0.2)
    try:
        with pytest.raises(TimeoutError):
            await client.connect()
    finally:
        client.close()
        async with asyncio.timeout(2):
            await finished.wait()
        server.close()
        await server.wait_closed()


async def test_an_acl_rejection_is_a_clear_error() -> None:
    finished = asyncio.Event()

    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        text = b"Access Denied, go away.\n"
        writer.write(b"Content-Type: text/rude-rejection\nContent-Length: 24\n\n" + text)
        await writer.drain()
        writer.close()
        finished.set()

    server = await asyncio.start_server(rude, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = EslClient("127.0.0.1", port, PASSWORD, on_event=lambda e: None)
    try:
        with pytest.raises(EslAuthError, match="Access Denied"):
            await client.connect()
    finally:
        client.close()
        async with asyncio.timeout(2):
            await finished.wait()
        server.close()
        await server.wait_closed()


# The adapter: reconnecting and reconciling


async def test_a_drop_mid_call_then_reconnect_and_reconcile() -> None:
    steps = load_session("drop")
    server = await serve(steps)
    sink = Collector()
    adapter = await running(server, sink)
    try:
        async with asyncio.timeout(5):
            await server.replayed.wait()
            await adapter.settle()
        callers = [
            s.event["Unique-ID"]
            for s in steps
            if s.kind == "event"
            and s.event["Event-Name"] == "CHANNEL_CREATE"
            and s.event["Call-Direction"] == "inbound"
        ]
        vanished, live, born_away = callers
        assert server.connections == 2
        assert adapter.connections == 2
        # The call that ended while we were away: ended by the check, its agent freed.
        assert sink.of(vanished)[-1] == ("ended", "1001", "reconciled")
        (reconciled,) = [e for e in sink.events if e.cause == "reconciled"]
        assert reconciled.event_id == f"{vanished}:reconciled"
        assert reconciled.at == NOW
        # The call still live goes on and ends normally later.
        assert sink.of(live)[-3:] == [
            ("held", "1002", None),
            ("resumed", "1002", None),
            ("ended", "1002", "normal"),
        ]
        # The call that began while we were away is adopted, then followed as usual.
        assert sink.of(born_away) == [
            ("ringing", None, None),
            ("ringing", "1001", None),
            ("answered", "1001", None),
            ("ended", "1001", "normal"),
        ]
        adopted = next(e for e in sink.events if e.call_id == born_away)
        assert adopted.event_id == f"{born_away}:adopted:ringing"
        assert (adopted.from_, adopted.to) == ("+8615011112222", "4008001234")
        assert len({e.event_id for e in sink.events}) == len(sink.events)
    finally:
        await adapter.stop()
        await server.close()


async def test_a_call_still_live_after_a_drop_goes_on() -> None:
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    server = await serve(events)
    sink = Collector()
    adapter = await running(server, sink)
    call = first_leg("answered")
    try:
        async with asyncio.timeout(3):
            await server.replayed.wait()
            await adapter.settle()
            server.drop()  # the call is still up on FreeSWITCH
            await server.wait_for_logins(2)
            await adapter.connected.wait()
            await adapter.settle()
        assert sink.of(call)[-1] == ("answered", "1001", None)
        server.channels.pop(call)  # it ends while we are away this time
        server.drop()
        async with asyncio.timeout(3):
            await sink.until(lambda: sink.of(call)[-1][0] == "ended")
        assert sink.of(call)[-1] == ("ended", "1001", "reconciled")
        assert server.logins == 3
    finally:
        await adapter.stop()
        await server.close()


async def test_the_periodic_check_ends_a_call_whose_hangup_was_dropped() -> None:
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    server = await serve(events)
    sink = Collector()
    adapter = await running(server, sink, reconcile_interval=0.05, reconcile_grace=0)
    call = first_leg("answered")
    try:
        async with asyncio.timeout(3):
            await server.replayed.wait()
            await adapter.settle()
            assert sink.of(call)[-1] == ("answered", "1001", None)
            server.channels.clear()  # FreeSWITCH hung up but the events never came
            await sink.until(lambda: sink.of(call)[-1][0] == "ended")
        assert sink.of(call)[-1] == ("ended", "1001", "reconciled")
        assert server.connections == 1
    finally:
        await adapter.stop()
        await server.close()


async def test_a_disconnect_notice_reconnects_and_loses_nothing() -> None:
    events = [s for s in load_session("held") if s.kind == "event"]
    steps = [*events[:8], Step("disconnect-notice"), Step("reconnected"), *events[8:]]
    server = await serve(steps)
    sink = Collector()
    adapter = await running(server, sink)
    try:
        async with asyncio.timeout(5):
            await server.replayed.wait()
            await adapter.settle()
        assert server.connections == 2
        call = first_leg("held")
        assert [kind for kind, _, _ in sink.of(call)] == [
            "ringing",
            "ringing",
            "ringing",
            "answered",
            "held",
            "resumed",
            "ended",
        ]
        assert sink.of(call)[-1] == ("ended", "1001", "normal")
    finally:
        await adapter.stop()
        await server.close()


async def test_a_wrong_password_backs_off_without_crashing() -> None:
    server = await FakeEslServer([], password="right").start()
    adapter = FreeswitchAdapter(
        config_for(server, backoff_initial=0.01, backoff_max=0.2),
        Collector(),
        clock=ManualClock(NOW),
    )
    try:
        adapter.start()
        await asyncio.sleep(0.5)
        early = server.connections
        await eventually(lambda: adapter.last_error is not None)  # however slow the machine
        assert "refused the password" in (adapter.last_error or "")
        assert not adapter.connected.is_set()
        assert early <= 4  # the longest delay at once, not a tight loop
        assert adapter._task is not None
        assert not adapter._task.done()
    finally:
        await adapter.stop()
        await server.close()


async def test_nothing_listening_is_retried() -> None:
    server = await FakeEslServer([], password=PASSWORD).start()
    port = server.port
    await server.close()
    adapter = FreeswitchAdapter(
        config_for(server, port=port, backoff_initial=0.01, backoff_max=0.02),
        Collector(),
        clock=ManualClock(NOW),
    )
    adapter.start()
    try:
        await eventually(lambda: bool(adapter.last_error))
        assert not adapter.connected.is_set()
    finally:
        await adapter.stop()


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    config = FreeswitchConfig.model_validate(
        {"password": "x", "backoff_initial": 0.5, "backoff_max": 30, "backoff_jitter": 0.2}
    )
    adapter = FreeswitchAdapter(
        config,
        Collector(),
        clock=ManualClock(NOW),
        rng=random.Random(1),
    )
    delays = [adapter._backoff(n) for n in range(12)]
    for n, delay in enumerate(delays):
        base = min(30.0, 0.5 * 2**n)
        assert 0.8 * base <= delay <= base
    assert delays[-1] <= 30
    assert len(set(delays)) == len(delays)


async def test_a_failing_sink_is_retried_in_order() -> None:
    steps = load_session("answered")
    server = await serve(steps)
    sink = Collector(fail_first=2)
    adapter = await running(server, sink)
    try:
        async with asyncio.timeout(5):
            await server.replayed.wait()
            await adapter.settle()
        expected = [e.event_id for e in await _translated("answered")]
        assert [e.event_id for e in sink.events] == expected
        assert sink.calls >= 3
    finally:
        await adapter.stop()
        await server.close()


async def _translated(name: str) -> list[CallEvent]:
    from tests.contract.freeswitch_scenarios import replay

    sink = Collector()
    await replay(name, sink)
    return sink.events


# Commands


async def test_originate_is_correlated_by_job_uuid(idle: FakeEslServer) -> None:
    idle.job_delay = 0.05
    adapter = await running(idle)
    try:
        first, second = await asyncio.gather(
            adapter.originate(number="+8613812345678", agent="1001", caller_id="4008001234"),
            adapter.originate(number="", agent="1002", caller_id=None),
        )
        originates = [c for c in idle.commands if c.startswith("bgapi originate")]
        assert len(originates) == 2
        by_agent = {re.search(r"user/(\d+)", c).group(1): c for c in originates}  # type: ignore[union-attr]
        assert f"origination_uuid={first}" in by_agent["1001"]
        assert f"origination_uuid={second}" in by_agent["1002"]
        assert by_agent["1001"].startswith(
            "bgapi originate {origination_uuid=" + first + ",originate_timeout=30,"
            "origination_caller_id_number=+8613812345678,"
        )
        assert "effective_caller_id_number=4008001234" in by_agent["1001"]
        assert by_agent["1001"].endswith("}user/1001 +8613812345678 XML default")
        assert by_agent["1002"].endswith("}user/1002 &park()")
    finally:
        await adapter.stop()


async def test_originate_through_a_gateway(idle: FakeEslServer) -> None:
    adapter = await running(idle, outbound_bridge="sofia/gateway/carrier/{number}")
    try:
        await adapter.originate(number="13812345678", agent="1001", caller_id=None)
        (command,) = [c for c in idle.commands if c.startswith("bgapi originate")]
        assert command.endswith("}user/1001 &bridge(sofia/gateway/carrier/13812345678)")
    finally:
        await adapter.stop()


async def test_a_predictive_campaign_line_is_originated_from_its_campaign_extension(
    idle: FakeEslServer,
) -> None:
    """The dialer's line for a campaign (no agent yet) is a destination FreeSWITCH accepts,
    for the longest campaign id too."""
    longest = "q4." + "x" * 59 + "_1"  # 64 characters, the most a campaign id has
    idle.registered |= {campaign_line("renew"), campaign_line(longest)}  # where lines wait
    adapter = await running(idle)
    try:
        for campaign in ("renew", longest):
            await adapter.originate(
                number="13812345678", agent=campaign_line(campaign), caller_id=None
            )
        originates = [c for c in idle.commands if c.startswith("bgapi originate")]
        assert [c.rsplit("}", 1)[1] for c in originates] == [
            "user/campaign-renew 13812345678 XML default",
            f"user/campaign-{longest} 13812345678 XML default",
        ]
    finally:
        await adapter.stop()


async def test_a_refused_originate_says_why(idle: FakeEslServer) -> None:
    adapter = await running(idle)
    try:
        with pytest.raises(Unprocessable, match="USER_NOT_REGISTERED"):
            await adapter.originate(number="13812345678", agent="1009", caller_id=None)
    finally:
        await adapter.stop()


async def test_transfer_and_hangup() -> None:
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    server = await serve(events)
    adapter = await running(server)
    call = first_leg("answered")
    try:
        async with asyncio.timeout(3):
            await server.replayed.wait()
            await adapter.settle()
        await adapter.transfer(call_id=call, to="1002")
        assert f"bgapi uuid_transfer {call} 1002 XML default" in server.commands
        await adapter.hangup(call_id=call, cause="busy")
        assert f"bgapi uuid_kill {call} USER_BUSY" in server.commands
        with pytest.raises(NotFound):
            await adapter.hangup(call_id=call)
    finally:
        await adapter.stop()
        await server.close()


async def test_play_message_broadcasts_the_recording_then_a_hangup() -> None:
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    server = await serve(events)
    adapter = await running(server)
    assert isinstance(adapter, RecordedMessages)  # the dialer plays its abandon message
    call = first_leg("answered")
    try:
        async with asyncio.timeout(3):
            await server.replayed.wait()
            await adapter.settle()
        await adapter.play_message(call_id=call, message="outbound-abandon")
        sent = [c for c in server.commands if c.startswith("bgapi uuid_broadcast")]
        assert sent == [
            f"bgapi uuid_broadcast {call} outbound-abandon.wav aleg",
            f"bgapi uuid_broadcast {call} hangup::NORMAL_CLEARING aleg",
        ]
        with pytest.raises(BadRequest) as bad:
            await adapter.play_message(call_id=call, message="../../etc/passwd")
        assert bad.value.field == "message"
        with pytest.raises(NotFound):
            await adapter.play_message(call_id="0000-gone", message="outbound-abandon")
    finally:
        await adapter.stop()
        await server.close()


async def test_play_message_plays_the_configured_file() -> None:
    events = [s for s in load_session("answered") if s.kind == "event"][:10]
    server = await serve(events)
    adapter = await running(server, message_file="$${sounds_dir}/switchboard/{message}.wav")
    call = first_leg("answered")
    try:
        async with asyncio.timeout(3):
            await server.replayed.wait()
            await adapter.settle()
        await adapter.play_message(call_id=call, message="outbound-abandon")
        assert (
            f"bgapi uuid_broadcast {call} $${{sounds_dir}}/switchboard/outbound-abandon.wav aleg"
            in server.commands
        )
    finally:
        await adapter.stop()
        await server.close()


def test_a_message_file_without_the_name_or_with_spaces_is_refused() -> None:
    for bad in ("abandon.wav", "{message} x.wav"):
        with pytest.raises(ValueError, match="message_file"):
            FreeswitchConfig(password="x", message_file=bad)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        ({"op": "transfer", "call_id": "x y", "to": "1002"}, "call_id"),
        ({"op": "transfer", "call_id": "abc", "to": "1002\n\napi fsctl shutdown"}, "to"),
        ({"op": "hangup", "call_id": "abc", "cause": "no such cause!"}, "cause"),
        ({"op": "originate", "number": "1 2", "agent": "1001", "caller_id": None}, "number"),
        ({"op": "originate", "number": "1", "agent": "10 01", "caller_id": None}, "agent"),
        ({"op": "originate", "number": "1", "agent": "1001", "caller_id": "x"}, "caller_id"),
    ],
)
async def test_bad_arguments_never_reach_freeswitch(
    idle: FakeEslServer, command: dict[str, Any], field: str
) -> None:
    adapter = await running(idle)
    try:
        op = getattr(adapter, command.pop("op"))
        with pytest.raises(BadRequest) as raised:
            await op(**command)
        assert raised.value.field == field
        assert not any(c.startswith("bgapi") for c in idle.commands)
    finally:
        await adapter.stop()


async def test_a_job_that_never_finishes_times_out(idle: FakeEslServer) -> None:
    idle.answer_jobs = False
    adapter = await running(idle, command_timeout=0.2)
    try:
        with pytest.raises(Unavailable, match="in time"):
            await adapter.hangup(call_id="abc")
    finally:
        await adapter.stop()


async def test_commands_while_disconnected_are_unavailable(idle: FakeEslServer) -> None:
    adapter = FreeswitchAdapter(config_for(idle), Collector(), clock=ManualClock(NOW))
    with pytest.raises(Unavailable, match="not connected"):
        await adapter.hangup(call_id="abc")
