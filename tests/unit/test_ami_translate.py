"""AMI events to CallEvents: each event, the recorded scenarios, and the call they leave."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from routing.model import CallFact, CallRecord, CallState, apply
from switchboard.core.clock import ManualClock
from switchboard.core.wire import CallEvent
from telephony_adapters.asterisk.protocol import AmiMessage
from telephony_adapters.asterisk.translate import Translator, cause_name, interface
from tests.support.fake_ami import load_session

STATES = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}
_stamp = itertools.count(1795309200)


def chan(
    name: str,
    uid: str,
    linked: str,
    *,
    state: int = 6,
    cid: str = "<unknown>",
    exten: str = "s",
    prefix: str = "",
) -> list[tuple[str, str]]:
    p = prefix
    return [
        (f"{p}Channel", name),
        (f"{p}ChannelState", str(state)),
        (f"{p}ChannelStateDesc", STATES[state]),
        (f"{p}CallerIDNum", cid),
        (f"{p}CallerIDName", "<unknown>"),
        (f"{p}Context", "agents"),
        (f"{p}Exten", exten),
        (f"{p}Uniqueid", uid),
        (f"{p}Linkedid", linked),
    ]


def ev(name: str, *parts: list[tuple[str, str]], stamp: bool = True) -> AmiMessage:
    head = [("Event", name), ("Privilege", "call,all")]
    if stamp:
        head.append(("Timestamp", f"{next(_stamp)}.000000"))
    return AmiMessage(tuple(head + [pair for part in parts for pair in part]))


def kv(**fields: str) -> list[tuple[str, str]]:
    return [(k.replace("_", "-"), v) for k, v in fields.items()]


def translator(**kwargs: Any) -> Translator:
    return Translator(clock=ManualClock(datetime(2026, 11, 22, tzinfo=UTC)), **kwargs)


def feed(t: Translator, messages: list[AmiMessage]) -> list[CallEvent]:
    return [e for m in messages for e in t.feed(m)]


def record_of(events: list[CallEvent]) -> CallRecord:
    """The call as the server's order-independent rules would keep it."""
    first = events[0]
    record = CallRecord(first.call_id, first.direction.value, first.from_, first.to)
    for e in events:
        assert e.at is not None
        fact = CallFact(e.type.value, e.at, e.agent, e.queue, e.cause)
        record = apply(record, fact)
    return record


def scenario(name: str) -> list[CallEvent]:
    return feed(translator(), load_session(name).messages)


# -- the recorded scenarios ---------------------------------------------------------------


def test_answered() -> None:
    events = scenario("answered")
    assert [(e.type.value, e.agent) for e in events] == [
        ("ringing", None),
        ("ringing", None),
        ("ringing", "1001"),
        ("answered", "1001"),
        ("ended", None),
    ]
    assert {e.call_id for e in events} == {"1795199400.118"}
    first = events[0]
    assert (first.from_, first.to, first.direction.value) == (
        "13812345678",
        "4008001234",
        "inbound",
    )
    assert first.at == datetime(2026, 11, 22, 1, 0, 0, 104211, tzinfo=UTC)
    assert events[1].queue == "support"
    assert events[-1].cause == "normal"
    record = record_of(events)
    assert (record.state, record.agent_id, record.cause) == (CallState.ENDED, "1001", "normal")


def test_missed_a_queue_timeout_is_not_an_abandon() -> None:
    events = scenario("missed")
    kinds = [e.type.value for e in events]
    assert "abandoned" not in kinds
    assert kinds == ["ringing", "ringing", "ringing", "ended"]  # 1001 rang twice: one pop
    record = record_of(events)
    assert record.state == CallState.MISSED
    assert record.agent_id == "1001"
    assert record.queue == "support"


def test_abandoned() -> None:
    events = scenario("abandoned")
    abandoned = [e for e in events if e.type.value == "abandoned"]
    assert len(abandoned) == 1
    assert abandoned[0].queue == "support"
    record = record_of(events)
    assert (record.state, record.queue) == (CallState.ABANDONED, "support")


def test_transferred() -> None:
    events = scenario("transferred")
    assert [(e.type.value, e.agent) for e in events] == [
        ("ringing", None),
        ("ringing", None),
        ("ringing", "1001"),
        ("answered", "1001"),
        ("transferred", "1002"),
        ("answered", "1002"),
        ("ended", None),
    ]
    record = record_of(events)
    assert (record.state, record.agent_id, record.cause) == (CallState.ENDED, "1002", "normal")


def test_held() -> None:
    events = scenario("held")
    assert [e.type.value for e in events][-3:] == ["held", "resumed", "ended"]
    record = record_of(events)
    assert record.state == CallState.ENDED
    assert not record.on_hold
    assert record.agent_id == "1001"


@pytest.mark.parametrize("name", ["answered", "missed", "abandoned", "transferred", "held"])
def test_event_ids_are_unique_and_the_same_on_every_replay(name: str) -> None:
    first = [e.event_id for e in scenario(name)]
    assert len(first) == len(set(first))
    assert [e.event_id for e in scenario(name)] == first


def test_all_scenarios_are_different_calls() -> None:
    calls = {
        e.call_id
        for name in ("answered", "missed", "abandoned", "transferred", "held")
        for e in scenario(name)
    }
    assert len(calls) == 5


# -- single events ------------------------------------------------------------------------


def test_unknown_and_unneeded_events_are_ignored() -> None:
    t = translator()
    for name in ("VarSet", "Newexten", "RTCPSent", "DeviceStateChange", "SuccessfulAuth", "X"):
        assert t.feed(ev(name, chan("PJSIP/trunk-1", "1.1", "1.1", state=4))) == []
    assert t.feed(AmiMessage((("Response", "Success"),))) == []


def test_a_bad_field_is_skipped_not_raised() -> None:
    t = translator()
    long_queue = "q" * 300
    t.feed(ev("Newchannel", chan("PJSIP/trunk-1", "1.1", "1.1", state=4, exten="400")))
    events = t.feed(
        ev("QueueCallerJoin", chan("PJSIP/trunk-1", "1.1", "1.1"), kv(Queue=long_queue))
    )
    assert events[0].queue == "q" * 128


def test_withheld_caller_and_missing_timestamp() -> None:
    t = translator()
    [ringing] = t.feed(
        ev("Newchannel", chan("PJSIP/trunk-1", "1.1", "1.1", state=4, exten="400"), stamp=False)
    )
    assert ringing.from_ == ""
    assert ringing.at == datetime(2026, 11, 22, tzinfo=UTC)  # the clock's time


def test_a_channel_that_starts_down_rings_at_newstate_ring() -> None:
    t = translator()
    assert t.feed(ev("Newchannel", chan("DAHDI/1-1", "1.1", "1.1", state=0, cid="139"))) == []
    [ringing] = t.feed(ev("Newstate", chan("DAHDI/1-1", "1.1", "1.1", state=4, exten="400")))
    assert (ringing.type.value, ringing.from_, ringing.to) == ("ringing", "139", "400")
    assert t.feed(ev("Newstate", chan("DAHDI/1-1", "1.1", "1.1", state=4, exten="400"))) == []


def test_direct_dial_nobody_answers_is_missed() -> None:
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4, cid="13812345678", exten="4008001234")
    agent = chan("PJSIP/1001-00000002", "1.2", "1.1", state=0, prefix="Dest")
    t = translator()
    events = feed(
        t,
        [
            ev("Newchannel", trunk),
            ev("Newchannel", chan("PJSIP/1001-00000002", "1.2", "1.1", state=0)),
            ev("DialBegin", trunk, agent, kv(DialString="PJSIP/1001")),
            ev("HangupRequest", trunk, kv(Cause="16")),
            ev("DialEnd", trunk, agent, kv(DialStatus="CANCEL")),
            ev("Hangup", chan("PJSIP/1001-00000002", "1.2", "1.1", state=5), kv(Cause="0")),
            ev("Hangup", trunk, kv(Cause="16", Cause_txt="Normal Clearing")),
        ],
    )
    assert [(e.type.value, e.agent) for e in events] == [
        ("ringing", None),
        ("ringing", "1001"),
        ("ended", None),
    ]
    assert record_of(events).state == CallState.MISSED


def test_busy_caller_cause() -> None:
    t = translator()
    t.feed(ev("Newchannel", chan("PJSIP/trunk-1", "1.1", "1.1", state=4)))
    [ended] = t.feed(ev("Hangup", chan("PJSIP/trunk-1", "1.1", "1.1"), kv(Cause="17")))
    assert ended.cause == "busy"


@pytest.mark.parametrize(
    ("code", "word"),
    [
        ("16", "normal"),
        ("17", "busy"),
        ("19", "no_answer"),
        ("21", "rejected"),
        ("34", "congestion"),
        ("0", "unknown"),
        ("99", "q850_99"),
        ("", "unknown"),
        ("x", "unknown"),
    ],
)
def test_causes(code: str, word: str) -> None:
    assert cause_name(code) == word


def test_the_call_ends_with_its_last_channel_and_the_callers_cause() -> None:
    t = translator()
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4)
    agent = chan("PJSIP/1001-00000002", "1.2", "1.1")
    t.feed(ev("Newchannel", trunk))
    t.feed(ev("Newchannel", agent))
    assert t.feed(ev("Hangup", trunk, kv(Cause="17"))) == []
    [ended] = t.feed(ev("Hangup", agent, kv(Cause="16")))
    assert (ended.type.value, ended.cause, ended.call_id) == ("ended", "busy", "1.1")
    # Late events about the dead channels do not bring the call back.
    assert (
        t.feed(ev("AgentComplete", trunk, chan("PJSIP/1001-00000002", "1.2", "1.1", prefix="Dest")))
        == []
    )
    assert t.calls == {}


def test_hangup_of_a_call_we_never_saw_ends_it() -> None:
    t = translator()
    [ended] = t.feed(ev("Hangup", chan("PJSIP/trunk-9", "7.7", "7.7", cid="139"), kv(Cause="16")))
    assert (ended.call_id, ended.type.value, ended.from_) == ("7.7", "ended", "139")
    assert t.feed(ev("Hangup", chan("PJSIP/1001-9", "7.8", "7.7"), kv(Cause="16"))) == []


def test_hold_is_per_call_and_once() -> None:
    t = translator()
    for m in load_session("answered").messages[:-8]:  # up to the bridge
        t.feed(m)
    agent = chan("PJSIP/1001-0000003b", "1795199400.119", "1795199400.118")
    [held] = t.feed(ev("Hold", agent, kv(MusicClass="default")))
    assert t.feed(ev("Hold", agent)) == []
    [resumed] = t.feed(ev("Unhold", agent))
    [held_again] = t.feed(ev("Hold", agent))
    assert (held.type.value, resumed.type.value, held_again.type.value) == (
        "held",
        "resumed",
        "held",
    )
    assert held.event_id != held_again.event_id


def test_hold_without_timestamps_still_has_distinct_ids() -> None:
    t = translator()
    for m in load_session("held").messages[:-10]:
        t.feed(m)
    agent = chan("PJSIP/1001-00000056", "1795199400.161", "1795199400.160")
    ids = []
    for name in ("Hold", "Unhold", "Hold", "Unhold"):
        [event] = t.feed(ev(name, agent, stamp=False))
        ids.append(event.event_id)
    assert len(set(ids)) == 4


def test_hold_before_answer_is_ignored() -> None:
    t = translator()
    t.feed(ev("Newchannel", chan("PJSIP/trunk-1", "1.1", "1.1", state=4)))
    assert t.feed(ev("Hold", chan("PJSIP/trunk-1", "1.1", "1.1"))) == []


# -- transfers ----------------------------------------------------------------------------


def answered_call(t: Translator) -> None:
    """1.1 from the trunk, answered by 1001 on 1.2."""
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4, cid="13812345678", exten="4008001234")
    t.feed(ev("Newchannel", trunk))
    t.feed(ev("Newchannel", chan("PJSIP/1001-00000002", "1.2", "1.1", state=0)))
    dest = chan("PJSIP/1001-00000002", "1.2", "1.1", prefix="Dest")
    t.feed(ev("DialBegin", trunk, dest))
    t.feed(ev("DialEnd", trunk, dest, kv(DialStatus="ANSWER")))


def test_attended_transfer() -> None:
    t = translator()
    answered_call(t)
    # 1001 calls 1002 to consult: a call of its own, internal.
    consult = chan("PJSIP/1001-00000003", "1.3", "1.3", state=4, cid="1001", exten="1002")
    [consult_rings] = t.feed(ev("Newchannel", consult))
    assert consult_rings.direction.value == "internal"
    target = chan("PJSIP/1002-00000004", "1.4", "1.3", prefix="Dest")
    t.feed(ev("Newchannel", chan("PJSIP/1002-00000004", "1.4", "1.3", state=0)))
    t.feed(ev("DialBegin", consult, target))
    t.feed(ev("DialEnd", consult, target, kv(DialStatus="ANSWER")))
    events = t.feed(
        ev(
            "AttendedTransfer",
            kv(Result="Success"),
            chan("PJSIP/1001-00000002", "1.2", "1.1", prefix="OrigTransferer"),
            chan("PJSIP/1001-00000003", "1.3", "1.3", prefix="SecondTransferer"),
            chan("PJSIP/trunk-1", "1.1", "1.1", prefix="Transferee"),
            chan("PJSIP/1002-00000004", "1.4", "1.3", prefix="TransferTarget"),
            kv(IsExternal="Yes", DestType="Bridge", DestBridgeUniqueid="b-1"),
        )
    )
    assert [(e.type.value, e.call_id, e.agent) for e in events] == [("transferred", "1.1", "1002")]
    # 1001's two channels go; the consult call ends, the customer's call goes on with 1002.
    assert t.feed(ev("Hangup", chan("PJSIP/1001-00000002", "1.2", "1.1"), kv(Cause="16"))) == []
    [consult_ends] = t.feed(ev("Hangup", chan("PJSIP/1001-00000003", "1.3", "1.3"), kv(Cause="16")))
    assert consult_ends.call_id == "1.3"
    assert t.agent_channel("1.1") is not None
    assert t.feed(ev("Hangup", chan("PJSIP/trunk-1", "1.1", "1.1"), kv(Cause="16"))) == []
    [ends] = t.feed(ev("Hangup", chan("PJSIP/1002-00000004", "1.4", "1.1"), kv(Cause="16")))
    assert (ends.call_id, ends.type.value) == ("1.1", "ended")


def test_a_failed_blind_transfer_changes_nothing() -> None:
    t = translator()
    answered_call(t)
    events = t.feed(
        ev(
            "BlindTransfer",
            kv(Result="Fail"),
            chan("PJSIP/1001-00000002", "1.2", "1.1", prefix="Transferer"),
            chan("PJSIP/trunk-1", "1.1", "1.1", prefix="Transferee"),
            kv(IsExternal="No", Context="agents", Extension="1002"),
        )
    )
    assert events == []
    assert t.calls["1.1"].agent == "1001"


def test_blind_transfer_to_a_queue_then_an_agent_answers() -> None:
    t = translator()
    answered_call(t)
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1")
    [moved] = t.feed(
        ev(
            "BlindTransfer",
            kv(Result="Success"),
            chan("PJSIP/1001-00000002", "1.2", "1.1", prefix="Transferer"),
            chan("PJSIP/trunk-1", "1.1", "1.1", prefix="Transferee"),
            kv(IsExternal="No", Context="agents", Extension="4008001234"),
        )
    )
    assert (moved.type.value, moved.agent) == ("transferred", None)
    t.feed(ev("Newchannel", chan("PJSIP/1003-00000005", "1.5", "1.1", state=0)))
    [to_1003] = t.feed(
        ev("DialBegin", trunk, chan("PJSIP/1003-00000005", "1.5", "1.1", prefix="Dest"))
    )
    assert (to_1003.type.value, to_1003.agent) == ("transferred", "1003")


def test_the_agent_dialling_a_colleague_on_the_same_call_is_not_yet_a_transfer() -> None:
    t = translator()
    answered_call(t)
    agent = chan("PJSIP/1001-00000002", "1.2", "1.1")
    dest = chan("PJSIP/1002-00000007", "1.7", "1.1", state=0, prefix="Dest")
    assert t.feed(ev("DialBegin", agent, dest)) == []


# -- agents and interfaces ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "iface"),
    [
        ("PJSIP/1001-0000003b", "PJSIP/1001"),
        ("PJSIP/my-trunk-0000003a", "PJSIP/my-trunk"),
        ("SIP/1001-0000000a", "SIP/1001"),
        ("Local/1001@agents-00000004;1", "Local/1001@agents"),
        ("PJSIP/1001", "PJSIP/1001"),
    ],
)
def test_interfaces(channel: str, iface: str) -> None:
    assert interface(channel) == iface


def test_who_is_an_agent() -> None:
    t = translator(agents={"PJSIP/alice": "1005"})
    assert t.agent_of("PJSIP/1001-0000003b") == "1001"
    assert t.agent_of("Local/1002@agents-00000004;2") == "1002"
    assert t.agent_of("PJSIP/alice-00000010") == "1005"
    assert t.agent_of("PJSIP/trunk-0000003a") is None
    assert t.agent_of("DAHDI/1-1") is None
    assert t.agent_of("PJSIP/4008001234-00000001") is None
    only_map = translator(agents={"PJSIP/alice": "1005"}, extension_pattern="")
    assert only_map.agent_of("PJSIP/1001-0000003b") is None
    assert only_map.agent_of("PJSIP/alice-00000010") == "1005"


def test_queue_members_as_local_channels() -> None:
    t = translator()
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4, cid="13812345678", exten="4008001234")
    local1 = chan("Local/1001@agents-00000004;1", "1.2", "1.1", state=0)
    local2 = chan("Local/1001@agents-00000004;2", "1.3", "1.1", state=4, exten="1001")
    phone = chan("PJSIP/1001-00000005", "1.4", "1.1", state=0)

    def dest(c: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(f"Dest{k}", v) for k, v in c]

    events = feed(
        t,
        [
            ev("Newchannel", trunk),
            ev("Newchannel", local1),
            ev("Newchannel", local2),
            ev("DialBegin", trunk, dest(local1), kv(DialString="Local/1001@agents")),
            ev("Newchannel", phone),
            ev("DialBegin", local2, dest(phone), kv(DialString="PJSIP/1001")),
            ev("DialEnd", local2, dest(phone), kv(DialStatus="ANSWER")),
            ev("DialEnd", trunk, dest(local1), kv(DialStatus="ANSWER")),
            ev("BridgeEnter", kv(BridgeUniqueid="b"), phone),
        ],
    )
    assert [(e.type.value, e.agent) for e in events] == [
        ("ringing", None),
        ("ringing", "1001"),
        ("answered", "1001"),
    ]


# -- outbound -----------------------------------------------------------------------------


def test_an_originated_call() -> None:
    t = translator()
    t.expect_originate("sb-1", agent="1001", number="13812345678")
    first = chan("PJSIP/1001-00000020", "sb-1", "sb-1", state=0)
    [rings] = t.feed(ev("Newchannel", first))
    assert (rings.type.value, rings.agent, rings.direction.value) == ("ringing", "1001", "outbound")
    assert (rings.from_, rings.to) == ("1001", "13812345678")
    up = chan("PJSIP/1001-00000020", "sb-1", "sb-1", exten="13812345678")
    trunk = chan("PJSIP/trunk-00000021", "1.21", "sb-1", state=0, prefix="Dest")
    t.feed(ev("Newchannel", chan("PJSIP/trunk-00000021", "1.21", "sb-1", state=0)))
    assert t.feed(ev("DialBegin", up, trunk)) == []
    [answered] = t.feed(ev("DialEnd", up, trunk, kv(DialStatus="ANSWER")))
    assert (answered.type.value, answered.agent) == ("answered", "1001")
    assert t.feed(ev("BridgeEnter", kv(BridgeUniqueid="b"), up)) == []
    t.feed(ev("Hangup", chan("PJSIP/trunk-00000021", "1.21", "sb-1"), kv(Cause="16")))
    [ended] = t.feed(ev("Hangup", up, kv(Cause="16")))
    assert record_of([rings, answered, ended]).state == CallState.ENDED


def test_an_agent_dialling_out_from_the_phone() -> None:
    t = translator()
    phone = chan("PJSIP/1001-00000030", "1.30", "1.30", state=4, cid="1001", exten="13812345678")
    [rings] = t.feed(ev("Newchannel", phone))
    assert (rings.direction.value, rings.agent, rings.to) == ("outbound", "1001", "13812345678")


# -- reconcile ----------------------------------------------------------------------------


def listing(*channels: list[tuple[str, str]], bridge: str = "") -> list[AmiMessage]:
    return [
        AmiMessage((("Event", "CoreShowChannel"), ("ActionID", "sb-2"), *c, ("BridgeId", bridge)))
        for c in channels
    ]


def test_reconcile_ends_calls_whose_channels_went_away() -> None:
    t = translator()
    t.begin_epoch()
    answered_call(t)
    t.feed(ev("Newchannel", chan("PJSIP/trunk-8", "8.1", "8.1", state=4)))
    t.begin_epoch()  # reconnected
    events = t.reconcile(
        listing(chan("PJSIP/trunk-1", "1.1", "1.1"), chan("PJSIP/1001-00000002", "1.2", "1.1"))
    )
    assert [(e.call_id, e.type.value, e.cause, e.event_id) for e in events] == [
        ("8.1", "ended", "reconciled", "8.1:reconciled")
    ]
    assert set(t.calls) == {"1.1"}


def test_reconcile_keeps_channels_seen_since_the_reconnect() -> None:
    t = translator()
    t.begin_epoch()
    t.begin_epoch()
    t.feed(ev("Newchannel", chan("PJSIP/trunk-8", "8.1", "8.1", state=4)))
    assert t.reconcile([]) == []
    assert set(t.calls) == {"8.1"}


def test_reconcile_takes_in_unknown_channels_quietly_and_ends_them_later() -> None:
    t = translator()
    t.begin_epoch()
    events = t.reconcile(
        listing(
            chan("PJSIP/trunk-1", "1.1", "1.1", cid="139", exten="400"),
            chan("PJSIP/1001-00000002", "1.2", "1.1"),
            bridge="b-1",
        )
    )
    assert events == []
    assert t.calls["1.1"].answered
    assert t.agent_channel("1.1") is not None
    t.feed(ev("Hangup", chan("PJSIP/1001-00000002", "1.2", "1.1"), kv(Cause="16")))
    [ended] = t.feed(ev("Hangup", chan("PJSIP/trunk-1", "1.1", "1.1"), kv(Cause="16")))
    assert (ended.call_id, ended.from_) == ("1.1", "139")


def test_reconcile_learns_the_numbers_whatever_the_listing_order() -> None:
    t = translator()
    t.begin_epoch()
    t.reconcile(
        listing(
            chan("PJSIP/1001-00000002", "1.2", "1.1"),
            chan("PJSIP/trunk-1", "1.1", "1.1", cid="139", exten="400"),
            bridge="b-1",
        )
    )
    call = t.calls["1.1"]
    assert (call.from_, call.to, call.direction.value, call.agent) == (
        "139",
        "400",
        "inbound",
        "1001",
    )


def test_reconcile_ends_calls_the_server_holds_but_asterisk_has_not() -> None:
    t = translator()
    t.begin_epoch()
    events = t.reconcile(listing(chan("PJSIP/trunk-1", "1.1", "1.1")), ["1.1", "0.9"])
    assert [(e.call_id, e.cause) for e in events] == [("0.9", "reconciled")]


def test_an_agent_who_took_the_call_during_the_gap_is_reported() -> None:
    t = translator()
    t.begin_epoch()
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4, exten="400")
    t.feed(ev("Newchannel", trunk))
    t.begin_epoch()
    events = t.reconcile(
        listing(
            chan("PJSIP/trunk-1", "1.1", "1.1"),
            chan("PJSIP/1002-00000009", "1.9", "1.1"),
            bridge="b",
        )
    )
    assert [(e.type.value, e.agent, e.event_id) for e in events] == [
        ("answered", "1002", "1.9:reconciled")
    ]


def test_reconcile_ignores_a_listed_channel_that_hung_up_meanwhile() -> None:
    t = translator()
    t.begin_epoch()
    trunk = chan("PJSIP/trunk-1", "1.1", "1.1", state=4)
    t.feed(ev("Newchannel", trunk))
    t.feed(ev("Hangup", trunk, kv(Cause="16")))
    assert t.reconcile(listing(trunk)) == []
    assert t.calls == {}
