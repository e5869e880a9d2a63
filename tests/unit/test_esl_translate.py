"""FreeSWITCH channel and mod_callcenter events as CallEvents: each event, each call shape."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard.core.clock import ManualClock
from switchboard.core.wire import CallEvent
from telephony_adapters.freeswitch.config import FreeswitchConfig
from telephony_adapters.freeswitch.translate import CallTracker, cause_of, event_time
from tests.support.fake_esl import load_session

A, B, C = (
    "a0000000-0000-4000-8000-00000000000a",
    "b0000000-0000-4000-8000-00000000000b",
    ("c0000000-0000-4000-8000-00000000000c"),
)
CALLER = "+8613812345678"
DID = "4008001234"
_seq = itertools.count(1000)


def tracker(**config: Any) -> CallTracker:
    clock = ManualClock(datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    settings = FreeswitchConfig.model_validate({"password": "x", **config})
    return CallTracker(settings, now=clock.now, monotonic=clock.monotonic)


def ev(name: str, uuid: str, **headers: str) -> dict[str, str]:
    seq = next(_seq)
    event = {
        "Event-Name": name,
        "Event-Sequence": str(seq),
        "Event-Date-Timestamp": str(1795309200_000000 + seq * 1000),
        "Unique-ID": uuid,
        "Channel-Call-UUID": uuid,
    }
    event.update({k.replace("__", "-"): v for k, v in headers.items()})
    return event


def caller_create(uuid: str = A, number: str = CALLER) -> dict[str, str]:
    return {
        **ev("CHANNEL_CREATE", uuid),
        "Call-Direction": "inbound",
        "Channel-Name": f"sofia/external/{number}@203.0.113.10",
        "Caller-Caller-ID-Number": number,
        "Caller-Destination-Number": DID,
    }


def agent_create(uuid: str, ext: str, call: str = A, **extra: str) -> dict[str, str]:
    return {
        **ev("CHANNEL_CREATE", uuid),
        "Call-Direction": "outbound",
        "Channel-Call-UUID": call,
        "Channel-Name": f"sofia/internal/{ext}@10.0.20.21:5060",
        "Caller-Destination-Number": ext,
        **extra,
    }


def cc(action: str, member: str = A, **headers: str) -> dict[str, str]:
    event = {
        **ev("CUSTOM", member),
        "Event-Subclass": "callcenter::info",
        "CC-Queue": "support",
        "CC-Action": action,
        "CC-Member-Session-UUID": member,
    }
    event.update({"CC-" + k.replace("_", "-"): v for k, v in headers.items()})
    return event


def run(t: CallTracker, *events: dict[str, str]) -> list[CallEvent]:
    return [out for event in events for out in t.feed(event)]


def summary(events: list[CallEvent]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(e.type.value, e.agent, e.queue, e.cause) for e in events]


EXPECTED = {
    "answered": [
        ("ringing", None, None, None),
        ("ringing", None, "support", None),
        ("ringing", "1001", "support", None),
        ("answered", "1001", "support", None),
        ("ended", "1001", "support", "normal"),
    ],
    "missed": [
        ("ringing", None, None, None),
        ("ringing", "1001", None, None),
        ("ended", None, None, "cancel"),
    ],
    "abandoned": [
        ("ringing", None, None, None),
        ("ringing", None, "support", None),
        ("abandoned", None, "support", "cancel"),
        ("ended", None, "support", "normal"),
    ],
    "transferred": [
        ("ringing", None, None, None),
        ("ringing", None, "support", None),
        ("ringing", "1001", "support", None),
        ("answered", "1001", "support", None),
        ("transferred", "1002", "support", None),
        ("ended", "1002", "support", "normal"),
    ],
    "held": [
        ("ringing", None, None, None),
        ("ringing", None, "support", None),
        ("ringing", "1001", "support", None),
        ("answered", "1001", "support", None),
        ("held", "1001", "support", None),
        ("resumed", "1001", "support", None),
        ("ended", "1001", "support", "normal"),
    ],
}


def session_events(name: str) -> list[dict[str, str]]:
    return [s.event for s in load_session(name) if s.kind == "event"]


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_recorded_sessions(scenario: str) -> None:
    events = run(tracker(), *session_events(scenario))
    assert summary(events) == EXPECTED[scenario]
    (call_id,) = {e.call_id for e in events}
    assert events[0].from_ == CALLER
    assert events[0].to == DID
    assert all(e.direction.value == "inbound" for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events if e.at)
    assert len({e.event_id for e in events}) == len(events)
    assert call_id == session_events(scenario)[0]["Unique-ID"]


def test_event_ids_are_stable_and_a_replay_says_nothing_new() -> None:
    events = session_events("transferred")
    first = run(tracker(), *events)
    again = run(tracker(), *events)
    assert [e.event_id for e in first] == [e.event_id for e in again]
    t = tracker()
    run(t, *events[:8])
    assert run(t, *events[:8]) == []  # the same events again (a reconnect's overlap)


def test_event_id_shape() -> None:
    create = caller_create()
    (event,) = tracker().feed(create)
    assert event.event_id == f"{A}:CHANNEL_CREATE:{create['Event-Sequence']}"
    assert event.call_id == A


def test_event_time_is_microseconds_since_1970() -> None:
    at = event_time({"Event-Date-Timestamp": "1795309200123456"})
    assert at == datetime(2026, 11, 22, 1, 0, 0, 123456, tzinfo=UTC)
    assert event_time({}) is None
    assert event_time({"Event-Date-Timestamp": "soon"}) is None


@pytest.mark.parametrize(
    ("fs", "ours"),
    [
        ("NORMAL_CLEARING", "normal"),
        ("USER_BUSY", "busy"),
        ("NO_ANSWER", "no_answer"),
        ("NO_USER_RESPONSE", "no_answer"),
        ("ORIGINATOR_CANCEL", "cancel"),
        ("CALL_REJECTED", "rejected"),
        ("UNALLOCATED_NUMBER", "not_found"),
        ("NORMAL_CIRCUIT_CONGESTION", "congestion"),
        ("MEDIA_TIMEOUT", "media_timeout"),
        ("BEARERCAPABILITY_NOTAVAIL", "bearercapability_notavail"),
        ("", None),
    ],
)
def test_hangup_causes(fs: str, ours: str | None) -> None:
    assert cause_of(fs) == ours


@pytest.mark.parametrize(
    ("cause", "expected"), [("USER_BUSY", "busy"), ("CALL_REJECTED", "rejected")]
)
def test_the_callers_hangup_ends_the_call_with_its_cause(cause: str, expected: str) -> None:
    t = tracker()
    hangup = {**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": cause}
    events = run(t, caller_create(), hangup)
    assert summary(events)[-1] == ("ended", None, None, expected)
    assert t.call_ids() == set()


def test_the_agents_hangup_does_not_end_the_call() -> None:
    t = tracker()
    events = run(
        t,
        caller_create(),
        agent_create(B, "1001", variable_dialed_user="1001"),
        ev("CHANNEL_ANSWER", B),
        {**ev("CHANNEL_HANGUP_COMPLETE", B), "Hangup-Cause": "NORMAL_CLEARING"},
    )
    assert [e.type.value for e in events] == ["ringing", "ringing", "answered"]
    assert t.call_ids() == {A}


def test_answering_the_caller_is_not_an_agent_answering() -> None:
    t = tracker()
    events = run(t, caller_create(), ev("CHANNEL_ANSWER", A))
    assert [e.type.value for e in events] == ["ringing"]


def test_a_bridge_to_an_agent_answers_when_no_answer_event_came() -> None:
    t = tracker()
    bridge = {
        **ev("CHANNEL_BRIDGE", A),
        "Bridge-A-Unique-ID": A,
        "Bridge-B-Unique-ID": B,
        "Other-Leg-Channel-Name": "sofia/internal/sip:1002@10.0.20.22:5060",
    }
    events = run(t, caller_create(), bridge)
    assert summary(events)[-1] == ("answered", "1002", None, None)


def test_hold_before_an_answer_is_ignored_and_unknown_legs_too() -> None:
    t = tracker()
    run(t, caller_create())
    assert t.feed(ev("CHANNEL_HOLD", A)) == []
    assert t.feed(ev("CHANNEL_ANSWER", "unknown")) == []
    assert t.feed(ev("CHANNEL_HANGUP_COMPLETE", "unknown")) == []
    assert t.feed(ev("HEARTBEAT", "x")) == []
    assert t.feed(cc("agent-offering", "not-a-call", Agent="1001")) == []


def test_numbers_are_url_decoded() -> None:
    create = {**caller_create(), "Caller-Caller-ID-Number": "%2B8613812345678"}
    (event,) = tracker().feed(create)
    assert event.from_ == CALLER


def test_agent_from_callcenter_name_and_the_map() -> None:
    t = tracker(agents={"alice@default": "1001"})
    events = run(t, caller_create(), cc("agent-offering", Agent="alice@default"))
    assert summary(events)[-1] == ("ringing", "1001", "support", None)


def test_with_a_map_only_listed_phones_are_agents() -> None:
    t = tracker(agents={"2001": "1001"})
    events = run(t, caller_create(), agent_create(B, "3999"), ev("CHANNEL_ANSWER", B))
    assert [e.type.value for e in events] == ["ringing"]
    events = run(t, agent_create(C, "2001"), ev("CHANNEL_ANSWER", C))
    assert summary(events) == [("ringing", "1001", None, None), ("answered", "1001", None, None)]


def test_phones_on_other_profiles_are_not_agents() -> None:
    t = tracker()
    gateway = agent_create(B, "1001", **{"Channel-Name": "sofia/external/1001@carrier"})
    assert [e.type.value for e in run(t, caller_create(), gateway)] == ["ringing"]


def test_queue_domain_is_dropped_unless_kept() -> None:
    start = cc("member-queue-start", **{"Queue": "support@default"})
    (event,) = run(t := tracker(), caller_create(), start)[1:]
    assert event.queue == "support"
    assert t.call_ids() == {A}
    kept = tracker(keep_queue_domain=True)
    start = cc("member-queue-start", **{"Queue": "support@default"})
    assert run(kept, caller_create(), start)[-1].queue == "support@default"


def test_leaving_the_queue_alive_is_not_abandoning() -> None:
    t = tracker()
    timeout = cc(
        "member-queue-end",
        Cause="Cancel",
        Cancel_Reason="TIMEOUT",
        **{"Answer-State": "answered", "Channel-Call-State": "ACTIVE"},
    )
    events = run(
        t,
        caller_create(),
        cc("member-queue-start"),
        timeout,
        {**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": "NORMAL_CLEARING"},
    )
    assert [e.type.value for e in events] == ["ringing", "ringing", "ended"]


def test_cancel_without_channel_data_reads_the_reason() -> None:
    t = tracker()
    events = run(t, caller_create(), cc("member-queue-end", Cause="Cancel", Cancel_Reason="NONE"))
    assert events[-1].type.value == "abandoned"


def test_a_hunt_moves_the_ringing_agent() -> None:
    t = tracker()
    events = run(
        t,
        caller_create(),
        cc("agent-offering", Agent="1001@default"),
        cc("agent-offering", Agent="1002@default"),
        cc("agent-offering", Agent="1002@default"),
        cc("bridge-agent-start", Agent="1002@default", Agent_UUID=C),
        ev("CHANNEL_ANSWER", C),
    )
    assert summary(events) == [
        ("ringing", None, None, None),
        ("ringing", "1001", "support", None),
        ("ringing", "1002", "support", None),
        ("answered", "1002", "support", None),
    ]


def test_an_originate_is_an_outbound_call_of_the_agent() -> None:
    t = tracker()
    a_leg = {
        **ev("CHANNEL_CREATE", A),
        "Call-Direction": "outbound",
        "Channel-Name": "sofia/internal/sip:1001@10.0.20.21:5060",
        "Caller-Caller-ID-Number": CALLER,
        "Caller-Destination-Number": "1001",
        "variable_switchboard_agent": "1001",
        "variable_switchboard_number": CALLER,
        "variable_switchboard_caller_id": DID,
    }
    customer = {
        **ev("CHANNEL_CREATE", B),
        "Call-Direction": "outbound",
        "Channel-Call-UUID": A,
        "Channel-Name": "sofia/external/13812345678@carrier",
        "Caller-Destination-Number": "13812345678",
    }
    events = run(
        t,
        a_leg,
        ev("CHANNEL_ANSWER", A),
        customer,
        ev("CHANNEL_ANSWER", B),
        {**ev("CHANNEL_BRIDGE", A), "Bridge-A-Unique-ID": A, "Bridge-B-Unique-ID": B},
        {**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": "NORMAL_CLEARING"},
    )
    assert summary(events) == [
        ("ringing", "1001", None, None),
        ("answered", "1001", None, None),
        ("ended", "1001", None, "normal"),
    ]
    assert {(e.direction.value, e.from_, e.to) for e in events} == {("outbound", DID, CALLER)}
    assert t.call_of(A) is None


def test_an_agent_dialling_out_from_their_phone() -> None:
    t = tracker(agents={"1001": "1001", "1002": "1002"})
    out = {
        **ev("CHANNEL_CREATE", A),
        "Call-Direction": "inbound",
        "Channel-Name": "sofia/internal/1001@10.0.20.21",
        "Caller-Caller-ID-Number": "1001",
        "Caller-Destination-Number": "013812345678",
    }
    (ringing,) = t.feed(out)
    assert (ringing.direction.value, ringing.agent, ringing.to) == (
        "outbound",
        "1001",
        "013812345678",
    )
    assert t.call_of(A) == ("outbound", "1001")
    internal = {**out, **ev("CHANNEL_CREATE", B), "Caller-Destination-Number": "1002"}
    (ringing,) = t.feed(internal)
    assert ringing.direction.value == "internal"


def test_an_attended_transfer_joins_the_consultation_leg() -> None:
    t = tracker()
    consult_a, consult_b = "d0000000-0000-4000-8000-00000000000d", C
    events = run(
        t,
        caller_create(),
        agent_create(B, "1001", variable_dialed_user="1001"),
        ev("CHANNEL_ANSWER", B),
        # 1001 calls 1002 from their phone to consult: a call of its own.
        {
            **ev("CHANNEL_CREATE", consult_a),
            "Call-Direction": "inbound",
            "Channel-Name": "sofia/internal/1001@10.0.20.21",
            "Caller-Caller-ID-Number": "1001",
            "Caller-Destination-Number": "1002",
        },
        agent_create(consult_b, "1002", call=consult_a, variable_dialed_user="1002"),
        ev("CHANNEL_ANSWER", consult_b),
        # 1001 completes the transfer: the caller is bridged to 1002's leg.
        {**ev("CHANNEL_BRIDGE", A), "Bridge-A-Unique-ID": A, "Bridge-B-Unique-ID": consult_b},
        {**ev("CHANNEL_HANGUP_COMPLETE", consult_a), "Hangup-Cause": "NORMAL_CLEARING"},
        {**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": "NORMAL_CLEARING"},
    )
    by_call = {(e.call_id, e.type.value, e.agent) for e in events}
    assert (A, "transferred", "1002") in by_call
    assert (A, "ended", "1002") in by_call
    assert (consult_a, "ended", "1001") in by_call
    assert t.call_ids() == set()


# Reconciling with show channels


def row(uuid: str, **fields: str) -> dict[str, str]:
    base = {"uuid": uuid, "call_uuid": uuid, "direction": "inbound", "created_epoch": "1795309200"}
    return base | fields


def test_a_call_whose_channel_vanished_is_ended_as_reconciled() -> None:
    t = tracker()
    run(t, caller_create(A), caller_create(B, "+8613987654321"))
    events = t.reconcile([row(B)], candidates={A, B})
    assert summary(events) == [("ended", None, None, "reconciled")]
    (ended,) = events
    assert (ended.call_id, ended.event_id) == (A, f"{A}:reconciled")
    assert ended.at == datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert t.call_ids() == {B}
    assert t.reconcile([row(B)], candidates={A, B}) == []
    assert t.feed({**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": "NORMAL_CLEARING"}) == []


def test_only_candidates_are_ended() -> None:
    t = tracker()
    run(t, caller_create(A))
    assert t.reconcile([], candidates=set()) == []
    assert t.call_ids() == {A}


def test_unknown_live_calls_are_adopted_with_their_agent() -> None:
    t = tracker()
    rows = [
        row(A, cid_num=CALLER, dest=DID, name=f"sofia/external/{CALLER}@203.0.113.10"),
        row(B, call_uuid=A, direction="outbound", callstate="ACTIVE", name="sofia/internal/1001@x"),
        row(C, direction="outbound", name="sofia/internal/1002@x", callstate="RINGING"),
    ]
    events = t.reconcile(rows, candidates=set())
    assert summary(events) == [("ringing", None, None, None), ("answered", "1001", None, None)]
    assert events[0].event_id == f"{A}:adopted:ringing"
    assert events[0].at == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert (events[0].from_, events[0].to) == (CALLER, DID)
    assert t.call_ids() == {A}  # an outbound leg on its own is not adopted
    assert t.reconcile(rows, candidates={A}) == []
    hangup = {**ev("CHANNEL_HANGUP_COMPLETE", A), "Hangup-Cause": "NORMAL_CLEARING"}
    assert summary(t.feed(hangup)) == [("ended", "1001", None, "normal")]


def test_a_call_answered_while_away_is_answered() -> None:
    t = tracker()
    run(t, caller_create(), agent_create(B, "1001", variable_dialed_user="1001"))
    rows = [row(A), row(B, call_uuid=A, callstate="ACTIVE", name="sofia/internal/1001@x")]
    events = t.reconcile(rows, candidates={A})
    assert summary(events) == [("answered", "1001", None, None)]


def test_calls_from_an_earlier_run_are_checked() -> None:
    t = tracker()
    t.expect(["gone-call", A])
    events = t.reconcile([row(A)], candidates=t.call_ids())
    assert [(e.call_id, e.cause) for e in events] == [("gone-call", "reconciled")]
    assert t.call_ids() == {A}


def test_young_calls_are_spared_by_the_periodic_check() -> None:
    clock = ManualClock()
    t = CallTracker(
        FreeswitchConfig.model_validate({"password": "x"}),
        now=clock.now,
        monotonic=clock.monotonic,
    )
    t.feed(caller_create(A))
    assert t.calls_older_than(30) == set()
    clock.advance(31)
    assert t.calls_older_than(30) == {A}
