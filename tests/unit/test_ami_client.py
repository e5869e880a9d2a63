"""The AMI client and the adapter against the fake Asterisk: login, events, keepalive,
reconnect and reconcile, a wrong secret, and commands with ActionID correlation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from switchboard.core.clock import SystemClock
from switchboard.core.errors import BadRequest, NotFound
from switchboard.core.telephony import RecordedMessages, campaign_line
from switchboard.core.wire import CallEvent
from telephony_adapters.asterisk import (
    AsteriskAdapter,
    AsteriskConfig,
    AsteriskRefused,
    AsteriskUnavailable,
)
from telephony_adapters.asterisk.client import AmiClient, Backoff
from telephony_adapters.asterisk.protocol import AmiMessage
from tests.contract.asterisk_scenarios import config_for, run_session
from tests.support.fake_ami import FakeAmi, Session, Step, load_session, reply

ANSWERED_CALL = "1795199400.118"


async def eventually(check: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


class Collector:
    def __init__(self) -> None:
        self.events: list[CallEvent] = []

    async def __call__(self, events: list[CallEvent]) -> None:
        self.events.extend(events)

    def of(self, call_id: str) -> list[CallEvent]:
        return [e for e in self.events if e.call_id == call_id]

    def kinds(self, call_id: str) -> list[str]:
        return [e.type.value for e in self.of(call_id)]


@contextlib.asynccontextmanager
async def running(adapter: AsteriskAdapter) -> AsyncIterator[AsteriskAdapter]:
    task = asyncio.create_task(adapter.run())
    try:
        yield adapter
    finally:
        adapter.stop()
        async with asyncio.timeout(5):
            await task


def until_bridged(name: str = "answered", pause: float = 30.0) -> Session:
    """A recorded session cut after the agent's BridgeEnter, then a long pause."""
    session = load_session(name)
    steps: list[Step] = []
    for step in session.steps:
        steps.append(step)
        message = step.message
        if message and message.event == "BridgeEnter" and message.get("BridgeNumChannels") == "2":
            break
    return Session(session.banner, [*steps, Step("pause", seconds=pause)])


def until_queued(pause: float = 30.0) -> Session:
    session = load_session("answered")
    steps: list[Step] = []
    for step in session.steps:
        steps.append(step)
        if step.message is not None and step.message.event == "QueueCallerJoin":
            break
    return Session(session.banner, [*steps, Step("pause", seconds=pause)])


# -- the bare client ----------------------------------------------------------------------


async def test_login_events_in_order_and_ping() -> None:
    seen: list[AmiMessage] = []
    async with FakeAmi("answered") as ami:
        client = AmiClient(
            host=ami.host,
            port=ami.port,
            username="switchboard",
            secret="s3cret",
            on_event=seen.append,
            ping_interval=0.05,
            ping_timeout=1.0,
        )
        task = asyncio.create_task(client.run())
        try:
            await asyncio.wait_for(ami.replayed.wait(), 3)
            expected = ["FullyBooted", *(m.event for m in ami.session.messages)]
            await eventually(lambda: len(seen) == len(expected))
            assert [m.event for m in seen] == expected
            assert seen[1:] == ami.session.messages
            await eventually(lambda: len(ami.actions_named("Ping")) >= 2)
            assert client.status.banner == "Asterisk Call Manager/9.0.0"
            assert client.status.connected
            login = ami.actions_named("Login")[0]
            assert (login.get("Username"), login.get("Events")) == ("switchboard", "on")
        finally:
            client.stop()
            await asyncio.wait_for(task, 3)


async def test_no_pong_means_reconnect(caplog: pytest.LogCaptureFixture) -> None:
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        ami.answer_pings = False
        adapter = AsteriskAdapter(
            config_for(ami, ping_interval=0.05, ping_timeout=0.1), Collector(), clock=SystemClock()
        )
        with caplog.at_level(logging.WARNING, logger="telephony_adapters.asterisk"):
            async with running(adapter):
                await eventually(lambda: ami.logins >= 2)
        assert "did not answer Ping" in caplog.text


def test_backoff_doubles_to_its_cap_and_resets() -> None:
    backoff = Backoff(0.5, 30.0, jitter=0.0)
    assert [backoff.next() for _ in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next() == 0.5
    high = Backoff(1.0, 30.0, jitter=0.2, rand=lambda: 1.0)
    low = Backoff(1.0, 30.0, jitter=0.2, rand=lambda: 0.0)
    assert high.next() == pytest.approx(1.2)
    assert low.next() == pytest.approx(0.8)
    for _ in range(20):
        high.next()
    assert high.next() == pytest.approx(36.0)  # the cap, plus its jitter


async def test_a_wrong_secret_is_one_clear_error_and_a_slow_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with FakeAmi("answered") as ami:
        adapter = AsteriskAdapter(
            config_for(ami, secret="wrong", reconnect_initial=0.05, reconnect_max=0.2),
            Collector(),
            clock=SystemClock(),
        )
        with caplog.at_level(logging.DEBUG, logger="telephony_adapters.asterisk"):
            async with running(adapter):
                await asyncio.sleep(0.8)
                early = ami.auth_failures  # a tight loop would have tried dozens of times
                await eventually(lambda: ami.auth_failures >= 2)  # however slow the machine
                assert not adapter.connected
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert "refused the login" in errors[0].getMessage()
        assert "Authentication failed" in errors[0].getMessage()
        assert "wrong" not in caplog.text  # never the secret
        # 0.05, 0.1, 0.2, 0.2 ... s apart (each attempt also takes the fake's 20 ms).
        assert early <= 8
        assert adapter.status["last_error"] is not None
        assert ami.logins == 0


# -- the adapter: reconnect and reconcile --------------------------------------------------


async def test_a_drop_mid_call_then_reconnect_and_reconcile() -> None:
    sink = Collector()
    async with FakeAmi("drop_mid_call") as ami:
        await run_session(ami, sink)
        assert ami.logins == 2
        # The second connection asked for the channels (the first may have been cut off
        # before its answer: the drop can come while the first reconcile is under way).
        names = [a.action for a in ami.actions]
        assert "CoreShowChannels" in names[len(names) - names[::-1].index("Login") :]
    talking, waiting = "1795199400.170", "1795199400.172"
    # The caller who hung up during the drop: ended by the reconcile.
    assert sink.kinds(waiting) == ["ringing", "ringing", "ringing", "ended"]
    gone = sink.of(waiting)[-1]
    assert (gone.cause, gone.event_id) == ("reconciled", f"{waiting}:reconciled")
    # The call still up: goes on and ends normally.
    assert sink.kinds(talking) == [
        "ringing",
        "ringing",
        "ringing",
        "answered",
        "held",
        "resumed",
        "ended",
    ]
    assert sink.of(talking)[-1].cause == "normal"
    ids = [e.event_id for e in sink.events]
    assert len(ids) == len(set(ids))


async def test_a_drop_on_demand_loses_nothing_of_a_live_call() -> None:
    session = load_session("answered")
    at = next(
        i for i, s in enumerate(session.steps) if s.message and s.message.event == "AgentConnect"
    )
    steps = [*session.steps[:at], Step("pause", seconds=0.3), *session.steps[at:]]
    sink = Collector()
    async with FakeAmi(Session(session.banner, steps)) as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock())
        async with running(adapter):
            await eventually(lambda: "answered" in sink.kinds(ANSWERED_CALL))
            ami.drop()
            await asyncio.wait_for(ami.replayed.wait(), 3)
            await adapter.flush()
            assert ami.logins == 2
    kinds = sink.kinds(ANSWERED_CALL)
    assert kinds == ["ringing", "ringing", "ringing", "answered", "ended"]
    assert sink.of(ANSWERED_CALL)[-1].cause == "normal"


async def test_a_failing_sink_gets_the_same_events_again_in_order() -> None:
    delivered: list[CallEvent] = []
    failures = 0

    async def sink(events: list[CallEvent]) -> None:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise RuntimeError("database is down")
        delivered.extend(events)

    async with FakeAmi("answered") as ami:
        await run_session(ami, sink)
    assert [e.type.value for e in delivered] == [
        "ringing",
        "ringing",
        "ringing",
        "answered",
        "ended",
    ]


async def test_the_server_live_calls_asterisk_forgot_are_ended() -> None:
    sink = Collector()

    async def live_calls() -> list[str]:
        return ["1795100000.7"]

    async with FakeAmi("answered") as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock(), live_calls=live_calls)
        async with running(adapter):
            await asyncio.wait_for(ami.replayed.wait(), 3)
            await adapter.flush()
    [ended] = sink.of("1795100000.7")
    assert (ended.type.value, ended.cause) == ("ended", "reconciled")


# -- commands -----------------------------------------------------------------------------


async def test_originate_answers_with_the_call_id() -> None:
    sink = Collector()
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock())
        async with running(adapter):
            await adapter.wait_connected(3)
            first, second = await asyncio.gather(
                adapter.originate(number="138 1234 5678", agent="1001", caller_id="4008001234"),
                adapter.originate(number="+8613900001111", agent="1002", caller_id=None),
            )
            await adapter.flush()
        sent = ami.actions_named("Originate")
    assert first != second
    by_id = {a.get("ChannelId"): a for a in sent}
    assert set(by_id) == {first, second}
    one = by_id[first]
    assert (one.get("Channel"), one.get("Exten"), one.get("Context")) == (
        "PJSIP/1001",
        "13812345678",
        "agents",
    )
    assert (one.get("Async"), one.get("CallerID"), one.get("Priority")) == (
        "true",
        "4008001234",
        "1",
    )
    assert by_id[second].get("CallerID") is None
    [rings] = [e for e in sink.of(first) if e.type.value == "ringing"]
    assert (rings.agent, rings.direction.value, rings.to) == ("1001", "outbound", "13812345678")
    assert sink.of(second)[0].agent == "1002"


async def test_a_predictive_campaign_line_is_originated_from_its_campaign_extension() -> None:
    """The dialer's line for a campaign (no agent yet) is an extension Asterisk accepts, for
    the longest campaign id too."""
    longest = "q4." + "x" * 59 + "_1"  # 64 characters, the most a campaign id has
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        adapter = AsteriskAdapter(config_for(ami), Collector(), clock=SystemClock())
        async with running(adapter):
            await adapter.wait_connected(3)
            for campaign in ("renew", longest):
                await adapter.originate(
                    number="13812345678", agent=campaign_line(campaign), caller_id=None
                )
        sent = ami.actions_named("Originate")
    assert [a.get("Channel") for a in sent] == ["PJSIP/campaign-renew", f"PJSIP/campaign-{longest}"]


async def test_originate_to_a_busy_phone_says_so() -> None:
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", []), originate_reason=5) as ami:
        adapter = AsteriskAdapter(config_for(ami), Collector(), clock=SystemClock())
        async with running(adapter):
            await adapter.wait_connected(3)
            with pytest.raises(AsteriskRefused, match="busy"):
                await adapter.originate(number="13812345678", agent="1001", caller_id=None)


async def test_transfer_and_hangup_of_an_answered_call() -> None:
    sink = Collector()
    async with FakeAmi(until_bridged()) as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock())
        async with running(adapter):
            await eventually(lambda: "answered" in sink.kinds(ANSWERED_CALL))
            await adapter.transfer(call_id=ANSWERED_CALL, to="1002")
            await adapter.hangup(call_id=ANSWERED_CALL, cause="busy")
            with pytest.raises(NotFound):
                await adapter.transfer(call_id="no-such-call", to="1002")
            with pytest.raises(BadRequest):
                await adapter.transfer(call_id=ANSWERED_CALL, to="1002\r\nAction: Hangup")
        [transfer] = ami.actions_named("BlindTransfer")
        assert (transfer.get("Channel"), transfer.get("Exten"), transfer.get("Context")) == (
            "PJSIP/1001-0000003b",
            "1002",
            "agents",
        )
        [hangup] = ami.actions_named("Hangup")
        assert (hangup.get("Channel"), hangup.get("Cause")) == ("PJSIP/trunk-0000003a", "17")


async def test_play_message_redirects_the_outside_party_to_the_message_context() -> None:
    sink = Collector()
    async with FakeAmi(until_bridged()) as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock())
        assert isinstance(adapter, RecordedMessages)  # the dialer plays its abandon message
        async with running(adapter):
            await eventually(lambda: "answered" in sink.kinds(ANSWERED_CALL))
            await adapter.play_message(call_id=ANSWERED_CALL, message="outbound-abandon")
            with pytest.raises(BadRequest) as bad:
                await adapter.play_message(call_id=ANSWERED_CALL, message="x\r\nAction: Hangup")
            assert bad.value.field == "message"
            with pytest.raises(NotFound):
                await adapter.play_message(call_id="no-such-call", message="outbound-abandon")
        [redirect] = ami.actions_named("Redirect")
        assert [(k, v) for k, v in redirect.fields if k != "ActionID"] == [
            ("Action", "Redirect"),
            ("Channel", "PJSIP/trunk-0000003a"),  # the caller, not the agent's PJSIP/1001
            ("Context", "switchboard-messages"),
            ("Exten", "outbound-abandon"),
            ("Priority", "1"),
        ]
        assert ami.actions_named("Hangup") == []  # the dialplan hangs up after the message


async def test_transfer_of_a_queued_call_redirects_the_caller() -> None:
    sink = Collector()
    async with FakeAmi(until_queued()) as ami:
        adapter = AsteriskAdapter(config_for(ami), sink, clock=SystemClock())
        async with running(adapter):
            await eventually(lambda: len(sink.of(ANSWERED_CALL)) == 2)
            await adapter.transfer(call_id=ANSWERED_CALL, to="1002")
        [redirect] = ami.actions_named("Redirect")
        assert (redirect.get("Channel"), redirect.get("Exten"), redirect.get("Priority")) == (
            "PJSIP/trunk-0000003a",
            "1002",
            "1",
        )


async def test_commands_without_asterisk() -> None:
    nowhere = AsteriskConfig(host="127.0.0.1", port=9, username="u", secret="s")
    adapter = AsteriskAdapter(nowhere, Collector(), clock=SystemClock())
    with pytest.raises(AsteriskUnavailable):
        await adapter.originate(number="13812345678", agent="1001", caller_id=None)
    with pytest.raises(BadRequest) as bad:
        await adapter.originate(number="call me", agent="1001", caller_id=None)
    assert bad.value.field == "number"
    with pytest.raises(NotFound):
        await adapter.hangup(call_id="1795199400.1")
    assert adapter.translator.calls == {}  # the refused Originate left nothing behind


async def test_actions_wait_for_their_own_answers() -> None:
    """Many actions in flight at once each get the answer with their ActionID."""
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        seen: list[AmiMessage] = []
        client = AmiClient(
            host=ami.host,
            port=ami.port,
            username="switchboard",
            secret="s3cret",
            on_event=seen.append,
        )
        task = asyncio.create_task(client.run())
        try:
            await asyncio.wait_for(client.ready.wait(), 3)
            replies = await asyncio.gather(
                *(client.send("Ping") for _ in range(20)),
                client.send("CoreShowChannels", list_action=True),
            )
            assert all(r.response.get("Ping") == "Pong" for r in replies[:20])
            ids = {r.response.action_id for r in replies}
            assert len(ids) == 21
            listing = replies[-1]
            assert listing.events[-1].event == "CoreShowChannelsComplete"
        finally:
            client.stop()
            await asyncio.wait_for(task, 3)


class EarlyOriginateResponse(FakeAmi):
    """Asterisk may send OriginateResponse before the action's own Response."""

    async def _originate(self, client: Any, action: AmiMessage) -> None:
        aid = action.action_id or ""
        uid = action.get("ChannelId") or "x"
        await self._emit(
            client,
            "OriginateResponse",
            [
                ("ActionID", aid),
                ("Response", "Success"),
                ("Channel", "PJSIP/1001-00000abc"),
                ("Reason", "4"),
                ("Uniqueid", uid),
            ],
        )
        await client.send(reply(aid, "Success", Message="Originate successfully queued"))


async def test_originate_response_before_the_response() -> None:
    async with EarlyOriginateResponse(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        adapter = AsteriskAdapter(config_for(ami), Collector(), clock=SystemClock())
        async with running(adapter):
            await adapter.wait_connected(3)
            call_id = await adapter.originate(number="13812345678", agent="1001", caller_id=None)
        assert call_id == ami.actions_named("Originate")[0].get("ChannelId")


async def test_nobody_listening_is_retried_quietly(caplog: pytest.LogCaptureFixture) -> None:
    async with FakeAmi(Session("Asterisk Call Manager/9.0.0", [])) as ami:
        port = ami.port
    # The fake is closed: nothing listens on its port any more.
    nowhere = AsteriskConfig(
        host="127.0.0.1",
        port=port,
        username="u",
        secret="s",
        reconnect_initial=0.02,
        reconnect_max=0.1,
    )
    adapter = AsteriskAdapter(nowhere, Collector(), clock=SystemClock())
    with caplog.at_level(logging.WARNING, logger="telephony_adapters.asterisk"):
        async with running(adapter):
            await eventually(lambda: adapter.status["failures"] >= 3)
    assert len(caplog.records) == 1
    assert "cannot connect" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    "bad",
    [
        {"extension_pattern": "(["},
        {"reconnect_initial": 5, "reconnect_max": 1},
        {"originate_channel": "PJSIP/1001"},
        {"transfer_context": "agents\r\nAction: Hangup"},
        {"agents": {"alice": "1001"}},
        {"port": 0},
    ],
)
def test_config_is_checked(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        AsteriskConfig(username="u", secret="s", **bad)


def test_the_secret_stays_secret() -> None:
    config = AsteriskConfig(username="u", secret="s3cret")
    assert "s3cret" not in repr(config)
