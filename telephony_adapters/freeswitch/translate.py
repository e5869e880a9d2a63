"""FreeSWITCH channel events and mod_callcenter events as normalised CallEvents.

FreeSWITCH reports channels (call legs), not calls, so translating needs memory: which legs
belong to which call, who answered it. :class:`CallTracker` keeps that memory and nothing
else; it does no I/O and takes time from its caller, so a test can feed it events one by one.

A call is named by its caller's leg: ``call_id`` is that leg's ``Unique-ID``, the
``Channel-Call-UUID`` its other legs carry. Event ids are ``<uuid>:<what>:<Event-Sequence>``:
FreeSWITCH numbers every event it fires once, so an event seen twice (a replay after a
reconnect) has the same id, and Switchboard stores it once.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from switchboard.core.wire import MAX_ID_LEN, MAX_NUMBER_LEN, CallEvent
from telephony_adapters.freeswitch.config import FreeswitchConfig
from telephony_adapters.freeswitch.protocol import url_decode

# FreeSWITCH's hangup causes as Switchboard spells causes; any other is sent lower-cased.
CAUSES = {
    "NORMAL_CLEARING": "normal",
    "USER_BUSY": "busy",
    "NO_ANSWER": "no_answer",
    "NO_USER_RESPONSE": "no_answer",
    "RECOVERY_ON_TIMER_EXPIRE": "no_answer",
    "ALLOTTED_TIMEOUT": "no_answer",
    "ORIGINATOR_CANCEL": "cancel",
    "CALL_REJECTED": "rejected",
    "UNALLOCATED_NUMBER": "not_found",
    "NO_ROUTE_DESTINATION": "not_found",
    "USER_NOT_REGISTERED": "not_found",
    "SUBSCRIBER_ABSENT": "not_found",
    "NORMAL_CIRCUIT_CONGESTION": "congestion",
    "SWITCH_CONGESTION": "congestion",
    "NORMAL_TEMPORARY_FAILURE": "failed",
    "DESTINATION_OUT_OF_ORDER": "failed",
    "MEDIA_TIMEOUT": "media_timeout",
    "LOSE_RACE": "answered_elsewhere",
}
# The other way, for uuid_kill: Switchboard's causes as FreeSWITCH's.
HANGUP_CAUSES = {
    "normal": "NORMAL_CLEARING",
    "busy": "USER_BUSY",
    "no_answer": "NO_ANSWER",
    "cancel": "ORIGINATOR_CANCEL",
    "rejected": "CALL_REJECTED",
    "not_found": "UNALLOCATED_NUMBER",
    "congestion": "NORMAL_CIRCUIT_CONGESTION",
    "failed": "NORMAL_TEMPORARY_FAILURE",
}
RECONCILED = "reconciled"
ABANDONED_CAUSE = "cancel"
CALLCENTER = "callcenter::info"
_DOWN_STATES = frozenset({"CS_HANGUP", "CS_REPORTING", "CS_DESTROY"})
_TALKING = frozenset({"ACTIVE", "HELD"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FORGET_AFTER = 10_000  # ended calls and legs remembered, so late or replayed events are ignored


def cause_of(hangup_cause: str) -> str | None:
    """A FreeSWITCH ``Hangup-Cause`` as Switchboard's ``cause``."""
    raw = hangup_cause.strip().upper()
    if not raw:
        return None
    return CAUSES.get(raw, raw.lower()[:64])


def event_time(event: Mapping[str, str]) -> datetime | None:
    """``Event-Date-Timestamp`` (microseconds since 1970) as an aware datetime."""
    try:
        micros = int(event.get("Event-Date-Timestamp", ""))
    except ValueError:
        return None
    return _EPOCH + timedelta(microseconds=micros) if micros > 0 else None


def _number(value: str | None) -> str:
    return url_decode(value or "").strip()[:MAX_NUMBER_LEN]


def _event_id(*parts: str) -> str:
    text = ":".join(parts)
    if len(text) <= MAX_ID_LEN:
        return text
    return parts[0][:80] + ":" + hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass
class _Leg:
    uuid: str
    call_id: str
    agent: str | None  # the extension, when this leg is an agent's phone


@dataclass
class _Call:
    call_id: str
    direction: str
    from_: str
    to: str
    since: float
    placed_by: str | None = None  # the agent whose phone is the call's own leg (outbound)
    queue: str | None = None
    agent: str | None = None  # the agent most recently named
    answered: bool = False
    answered_by: str | None = None
    legs: set[str] = field(default_factory=set)


class CallTracker:
    """Follows FreeSWITCH's legs and turns their events into CallEvents, in order."""

    def __init__(
        self,
        config: FreeswitchConfig,
        *,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
    ) -> None:
        self._config = config
        self._now = now
        self._monotonic = monotonic
        self._calls: dict[str, _Call] = {}
        self._legs: dict[str, _Leg] = {}
        self._gone: OrderedDict[str, None] = OrderedDict()
        self._extensions = frozenset(config.agents.values())

    # What it knows

    def call_ids(self) -> set[str]:
        """The calls believed live."""
        return set(self._calls)

    def calls_older_than(self, seconds: float) -> set[str]:
        cutoff = self._monotonic() - seconds
        return {c.call_id for c in self._calls.values() if c.since <= cutoff}

    def call_of(self, call_id: str) -> tuple[str, str | None] | None:
        """``(direction, placed_by)`` of a live call, or None."""
        call = self._calls.get(call_id)
        return None if call is None else (call.direction, call.placed_by)

    def expect(self, call_ids: Iterable[str]) -> None:
        """Follow calls known from elsewhere (an earlier run) until a check finds them gone."""
        for call_id in call_ids:
            if call_id and call_id not in self._calls and call_id not in self._gone:
                call = _Call(call_id, "inbound", "", "", self._monotonic())
                call.legs.add(call_id)
                self._calls[call_id] = call
                self._legs[call_id] = _Leg(call_id, call_id, None)

    # Events

    def feed(self, event: Mapping[str, str]) -> list[CallEvent]:
        """The CallEvents one FreeSWITCH event means (often none)."""
        name = event.get("Event-Name", "")
        if name == "CUSTOM":
            return self._callcenter(event) if event.get("Event-Subclass") == CALLCENTER else []
        if name == "CHANNEL_CREATE":
            return self._create(event)
        if name == "CHANNEL_ANSWER":
            return self._answer(event)
        if name == "CHANNEL_BRIDGE":
            return self._bridge(event)
        if name in ("CHANNEL_HOLD", "CHANNEL_UNHOLD"):
            return self._hold(event)
        if name == "CHANNEL_HANGUP_COMPLETE":
            return self._hangup(event)
        return []

    def _create(self, event: Mapping[str, str]) -> list[CallEvent]:
        uuid = event.get("Unique-ID", "")
        if not uuid or uuid in self._legs or uuid in self._gone:
            return []
        call_uuid = event.get("Channel-Call-UUID") or uuid
        member = event.get("variable_cc_member_session_uuid", "")
        originator = event.get("variable_originator", "")
        for ref in (member, call_uuid if call_uuid != uuid else "", originator):
            if ref and ref in self._calls:
                return self._add_leg(self._calls[ref], uuid, self._agent_of(event), event)
        if member or originator or event.get("variable_cc_side") == "agent" or call_uuid != uuid:
            return []  # a leg of a call that started before we listened
        if event.get("Channel-Name", "").startswith("loopback/"):
            return []
        return self._new_call(event, uuid)

    def _new_call(self, event: Mapping[str, str], uuid: str) -> list[CallEvent]:
        agent = self._agent_of(event)
        caller = _number(
            event.get("Caller-Caller-ID-Number")
            or event.get("variable_sip_from_user")
            or event.get("Caller-ANI")
        )
        dialled = _number(event.get("Caller-Destination-Number"))
        if event.get("Call-Direction", "inbound") == "inbound":
            if agent is None:
                call = _Call(uuid, "inbound", caller, dialled, self._monotonic())
            else:  # an agent dialling from their phone
                kind = "internal" if dialled in self._extensions else "outbound"
                call = _Call(uuid, kind, caller, dialled, self._monotonic(), placed_by=agent)
        else:  # an originate: the first leg FreeSWITCH rings is the call's own
            number = _number(event.get("variable_switchboard_number"))
            if agent is None:
                call = _Call(uuid, "outbound", caller, number or dialled, self._monotonic())
            else:
                origin = _number(event.get("variable_switchboard_caller_id")) or agent
                call = _Call(uuid, "outbound", origin, number, self._monotonic(), placed_by=agent)
        call.agent = call.placed_by
        call.legs.add(uuid)
        self._calls[uuid] = call
        self._legs[uuid] = _Leg(uuid, uuid, agent)
        return [self._emit(call, "ringing", _seq_id(event, uuid), event, agent=call.agent)]

    def _add_leg(
        self, call: _Call, uuid: str, agent: str | None, event: Mapping[str, str]
    ) -> list[CallEvent]:
        self._legs[uuid] = _Leg(uuid, call.call_id, agent)
        call.legs.add(uuid)
        if call.placed_by is not None:
            if not call.to:  # the leg to the customer names the number
                call.to = _number(event.get("Caller-Destination-Number"))
            return []
        if agent is None:
            return []
        return self._offer(call, agent, _seq_id(event, uuid), event)

    def _answer(self, event: Mapping[str, str]) -> list[CallEvent]:
        uuid = event.get("Unique-ID", "")
        leg = self._legs.get(uuid)
        if leg is None or uuid == leg.call_id:
            return []  # an unknown leg, or FreeSWITCH answering a caller (IVR, queue)
        call = self._calls[leg.call_id]
        agent = call.placed_by if call.placed_by is not None else leg.agent
        if agent is None:
            return []
        return self._connect(call, agent, _seq_id(event, uuid), event)

    def _bridge(self, event: Mapping[str, str]) -> list[CallEvent]:
        a = event.get("Bridge-A-Unique-ID") or event.get("Unique-ID", "")
        b = event.get("Bridge-B-Unique-ID") or event.get("Other-Leg-Unique-ID", "")
        if not a or not b:
            return []
        known_a, known_b = self._legs.get(a), self._legs.get(b)
        if known_a is not None and (known_a.uuid == known_a.call_id or known_b is None):
            call, other, other_leg = self._calls[known_a.call_id], b, known_b
            other_name = event.get("Other-Leg-Channel-Name", "")
        elif known_b is not None:
            call, other, other_leg = self._calls[known_b.call_id], a, known_a
            other_name = event.get("Channel-Name", "")
        else:
            return []
        if other_leg is None:
            if other in self._gone:
                return []
            other_leg = self._register(call, other, self._agent_of_name(other_name))
            other_agent = other_leg.agent
        elif other_leg.call_id == call.call_id:
            other_agent = other_leg.agent
        else:
            # A leg of another call joins this one (an attended transfer): it moves over,
            # unless it is that call's own leg, which stays with its call.
            owner = self._calls[other_leg.call_id]
            if other_leg.uuid == owner.call_id:
                other_agent = owner.placed_by
            else:
                owner.legs.discard(other_leg.uuid)
                other_agent = self._register(call, other_leg.uuid, other_leg.agent).agent
        agent = call.placed_by if call.placed_by is not None else other_agent
        if agent is None:
            return []
        return self._connect(call, agent, _seq_id(event, a), event)

    def _hold(self, event: Mapping[str, str]) -> list[CallEvent]:
        uuid = event.get("Unique-ID", "")
        leg = self._legs.get(uuid)
        if leg is None:
            return []
        call = self._calls[leg.call_id]
        if not call.answered:
            return []
        kind = "held" if event.get("Event-Name") == "CHANNEL_HOLD" else "resumed"
        return [self._emit(call, kind, _seq_id(event, uuid), event, agent=call.answered_by)]

    def _hangup(self, event: Mapping[str, str]) -> list[CallEvent]:
        uuid = event.get("Unique-ID", "")
        leg = self._legs.pop(uuid, None)
        if leg is None:
            return []
        self._forget(uuid)
        call = self._calls[leg.call_id]
        call.legs.discard(uuid)
        if uuid != call.call_id:
            return []  # an agent's or another leg: the call goes on with its caller
        self._finish(call)
        cause = cause_of(event.get("Hangup-Cause", "")) or "normal"
        return [
            self._emit(
                call, "ended", _seq_id(event, uuid), event, agent=call.answered_by, cause=cause
            )
        ]

    def _callcenter(self, event: Mapping[str, str]) -> list[CallEvent]:
        member = event.get("CC-Member-Session-UUID", "")
        call = self._calls.get(member)
        if call is None:
            leg = self._legs.get(event.get("Unique-ID", ""))
            call = self._calls.get(leg.call_id) if leg else None
        if call is None:
            return []
        action = event.get("CC-Action", "")
        event_id = _event_id(call.call_id, action, _sequence(event))
        queue = self._queue_name(event.get("CC-Queue", ""))
        if queue and call.queue is None:
            call.queue = queue
        if action in ("member-queue-start", "member-queue-resume"):
            return [] if call.answered else [self._emit(call, "ringing", event_id, event)]
        agent = self._agent_key(event.get("CC-Agent", ""))
        if action == "agent-offering" and agent:
            return self._offer(call, agent, event_id, event)
        if action == "bridge-agent-start" and agent:
            agent_leg = event.get("CC-Agent-UUID", "")
            if agent_leg and agent_leg not in self._legs and agent_leg not in self._gone:
                self._register(call, agent_leg, agent)
            return self._connect(call, agent, event_id, event)
        if action == "member-queue-end" and event.get("CC-Cause") == "Cancel":
            if call.answered or not _caller_gone(event):
                return []  # the caller left the queue alive (timeout, exit key): goes on
            return [self._emit(call, "abandoned", event_id, event, cause=ABANDONED_CAUSE)]
        return []

    # Reconciling with ``show channels``

    def reconcile(
        self, rows: Iterable[Mapping[str, str]], candidates: Iterable[str]
    ) -> list[CallEvent]:
        """What FreeSWITCH's live channels say about the calls we follow.

        ``candidates`` are calls whose hangup we may have missed: a candidate whose caller's
        leg is not among ``rows`` is ended with cause ``reconciled`` (id
        ``<call_id>:reconciled``), so its agent is freed. Callers' legs we did not know are
        adopted (``ringing``), and an agent's leg found talking to a caller answers it.
        """
        now = self._now()
        live = {row["uuid"]: row for row in rows if row.get("uuid")}
        out: list[CallEvent] = []
        for call_id in sorted(set(candidates)):
            call = self._calls.get(call_id)
            if call is None:
                continue
            if call_id in live:
                for uuid in sorted(call.legs - live.keys()):
                    call.legs.discard(uuid)
                    self._legs.pop(uuid, None)
                    self._forget(uuid)
                continue
            self._finish(call)
            out.append(
                self._emit(
                    call,
                    "ended",
                    _event_id(call_id, RECONCILED),
                    {},
                    agent=call.answered_by,
                    cause=RECONCILED,
                    at=now,
                )
            )
        ordered = sorted(live.values(), key=lambda r: (r.get("created_epoch", ""), r["uuid"]))
        for row in ordered:
            uuid = row["uuid"]
            own = (row.get("call_uuid") or uuid) == uuid and row.get("direction") == "inbound"
            if own and uuid not in self._legs and uuid not in self._gone:
                out.extend(self._adopt(row, now))
        for row in ordered:
            uuid, call_uuid = row["uuid"], row.get("call_uuid") or row["uuid"]
            call = self._calls.get(call_uuid)
            if uuid == call_uuid or call is None or uuid in self._gone:
                continue
            leg = self._legs.get(uuid)
            if leg is None:
                leg = self._register(call, uuid, self._agent_of_name(row.get("name", "")))
            elif leg.call_id != call.call_id:
                continue
            agent = call.placed_by if call.placed_by is not None else leg.agent
            if agent is not None and row.get("callstate") in _TALKING:
                out.extend(self._connect(call, agent, _event_id(uuid, "adopted", "answered"), {}))
        return out

    def _adopt(self, row: Mapping[str, str], now: datetime) -> list[CallEvent]:
        uuid = row["uuid"]
        if row.get("name", "").startswith("loopback/"):
            return []
        agent = self._agent_of_name(row.get("name", ""))
        caller, dialled = _number(row.get("cid_num")), _number(row.get("dest"))
        kind = "inbound" if agent is None else "outbound"
        call = _Call(uuid, kind, caller, dialled, self._monotonic(), placed_by=agent)
        call.agent = agent
        call.legs.add(uuid)
        self._calls[uuid] = call
        self._legs[uuid] = _Leg(uuid, uuid, agent)
        at = now
        with contextlib.suppress(ValueError):
            at = _EPOCH + timedelta(seconds=int(row.get("created_epoch", "")))
        event_id = _event_id(uuid, "adopted", "ringing")
        return [self._emit(call, "ringing", event_id, {}, agent=agent, at=at)]

    # Helpers

    def _offer(
        self, call: _Call, agent: str, event_id: str, event: Mapping[str, str]
    ) -> list[CallEvent]:
        """An agent's phone rings for the call: ringing, unless someone already has it."""
        if call.answered:
            return []  # a transfer: told when the new agent answers
        if call.agent == agent:
            return []  # already ringing there (agent-offering, then the leg itself)
        call.agent = agent
        return [self._emit(call, "ringing", event_id, event, agent=agent)]

    def _connect(
        self, call: _Call, agent: str, event_id: str, event: Mapping[str, str]
    ) -> list[CallEvent]:
        """``agent`` talks to the caller: answered the first time, transferred to a new one."""
        if not call.answered:
            kind = "answered"
        elif agent != call.answered_by:
            kind = "transferred"
        else:
            return []
        call.answered, call.answered_by, call.agent = True, agent, agent
        return [self._emit(call, kind, event_id, event, agent=agent)]

    def _register(self, call: _Call, uuid: str, agent: str | None) -> _Leg:
        leg = _Leg(uuid, call.call_id, agent)
        self._legs[uuid] = leg
        call.legs.add(uuid)
        return leg

    def _finish(self, call: _Call) -> None:
        self._calls.pop(call.call_id, None)
        for uuid in call.legs | {call.call_id}:
            self._legs.pop(uuid, None)
            self._forget(uuid)

    def _forget(self, uuid: str) -> None:
        self._gone[uuid] = None
        self._gone.move_to_end(uuid)
        while len(self._gone) > _FORGET_AFTER:
            self._gone.popitem(last=False)

    def _emit(
        self,
        call: _Call,
        kind: str,
        event_id: str,
        event: Mapping[str, str],
        *,
        agent: str | None = None,
        cause: str | None = None,
        at: datetime | None = None,
    ) -> CallEvent:
        data: dict[str, object] = {
            "event_id": event_id,
            "call_id": call.call_id,
            "type": kind,
            "direction": call.direction,
            "from": call.from_,
            "to": call.to,
            "at": at or event_time(event) or self._now(),
        }
        if agent:
            data["agent"] = agent[:MAX_ID_LEN]
        if call.queue:
            data["queue"] = call.queue
        if cause:
            data["cause"] = cause
        return CallEvent.model_validate(data)

    def _agent_of(self, event: Mapping[str, str]) -> str | None:
        """The extension of the agent whose phone this leg rings, or None."""
        for name in ("variable_cc_agent", "variable_switchboard_agent", "variable_dialed_user"):
            value = event.get(name)
            if value:
                return self._agent_key(value)
        return self._agent_of_name(event.get("Channel-Name", ""))

    def _agent_key(self, raw: str) -> str | None:
        """A callcenter agent name, SIP user or extension as the agent's extension."""
        value = url_decode(raw).strip()
        if not value:
            return None
        agents = self._config.agents
        if value in agents:
            return agents[value]
        user = value.split("@", 1)[0]
        return agents.get(user, user)[:MAX_ID_LEN] or None

    def _agent_of_name(self, channel_name: str) -> str | None:
        """``sofia/internal/1001@10.0.0.21`` → ``1001`` when ``internal`` is an agent profile."""
        parts = channel_name.split("/", 2)
        if len(parts) != 3 or parts[0] != "sofia" or parts[1] not in self._config.agent_profiles:
            return None
        user = parts[2]
        for scheme in ("sip:", "sips:"):
            if user.startswith(scheme):
                user = user[len(scheme) :]
        user = url_decode(user.split("@", 1)[0].split(";", 1)[0]).strip()
        if not user:
            return None
        agents = self._config.agents
        if not agents:
            return user[:MAX_ID_LEN]
        if user in agents:
            return agents[user]
        return user if user in self._extensions else None

    def _queue_name(self, raw: str) -> str | None:
        queue = raw.strip()
        if not self._config.keep_queue_domain:
            queue = queue.split("@", 1)[0]
        return queue[:MAX_ID_LEN] or None


def _sequence(event: Mapping[str, str]) -> str:
    return event.get("Event-Sequence") or event.get("Event-Date-Timestamp") or "0"


def _seq_id(event: Mapping[str, str], uuid: str) -> str:
    return _event_id(uuid, event.get("Event-Name", ""), _sequence(event))


def _caller_gone(event: Mapping[str, str]) -> bool:
    """Whether a ``member-queue-end`` says the caller hung up (rather than left the queue)."""
    if "Answer-State" in event or "Channel-Call-State" in event:
        return (
            event.get("Answer-State") == "hangup"
            or event.get("Channel-Call-State") == "HANGUP"
            or event.get("Channel-State") in _DOWN_STATES
        )
    return event.get("CC-Cancel-Reason", "NONE") in ("NONE", "BREAK_OUT")
