"""The CTI gateway's use case: store a call event, update the call, pop the agent's screen.

The order is the product's promise: a read-side preparation (who is calling, which agent),
then one write operation that stores the event, updates the call and agent and writes the
channel messages in the same transaction, then the acknowledgement. An acknowledged event is
durable; a repeated one is acknowledged again with the same stored id and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from customers import service as customers
from routing import agents, call_marks, call_timeline, store
from routing.model import (
    FINAL,
    CallFact,
    CallRecord,
    CallState,
    agent_state_after_call,
    apply,
)
from switchboard.core import outbox
from switchboard.core.outbox import Message
from switchboard.core.statements import HotStatement
from switchboard.core.wire import CallEvent, LookupResult, LookupStatus

POP_ON = frozenset({"ringing", "answered", "transferred"})


@dataclass
class Prepared:
    """What the read side found for one event before the write."""

    event: CallEvent
    source: str
    at: datetime
    agent_id: str | None = None
    match: LookupResult | None = None
    customer: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Ingested:
    stored_id: int
    duplicate: bool
    messages: list[Message]
    warnings: list[str]
    call: CallRecord | None = None  # the call's record after the event (None for a repeat)


def prepare(
    conn: Connection,
    event: CallEvent,
    source: str,
    region: str,
    now: datetime,
    *,
    routed_queues: frozenset[str] = frozenset(),
    shared_threshold: int = customers.SHARED_NUMBER_CONTACTS,
) -> Prepared:
    """Resolve the agent the event names and, where a pop may follow, the caller.

    A call ringing in one of ``routed_queues`` without an agent is routing's to place: the
    caller is looked up too, for the pop of the agent it will be offered to.
    """
    prepared = Prepared(event, source, event.at or now)
    if event.agent:
        prepared.agent_id = store.agent_id_by_key(conn, event.agent)
        if prepared.agent_id is None:
            prepared.warnings.append(f"agent {event.agent!r} is not known: no screen pop")
    internal = event.direction.value == "internal"
    queued = not event.agent and event.type.value == "ringing" and event.queue in routed_queues
    if ((prepared.agent_id and event.type.value in POP_ON) or queued) and not internal:
        caller = event.from_ if event.direction.value == "inbound" else event.to
        prepared.match, prepared.customer = identify(conn, caller, region, shared_threshold)
    return prepared


def identify(
    conn: Connection,
    caller: str,
    region: str,
    shared_threshold: int = customers.SHARED_NUMBER_CONTACTS,
) -> tuple[LookupResult, dict[str, Any] | None]:
    """Who is calling: the lookup result and, when it is one person, their summary."""
    match = customers.lookup(conn, caller, region, shared_threshold=shared_threshold)
    customer = None
    if match.status == LookupStatus.KNOWN:
        top = match.candidates[0]
        summary = customers.summary(conn, top.customer_id, top.contact_id)
        customer = summary.model_dump(mode="json") if summary else None
    return match, customer


# The event insert that ignores a repeat, built once per dialect.
_STORE_EVENT = {
    dialect.__name__.rsplit(".", 1)[-1]: HotStatement(
        dialect.insert(store.events_t)
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(store.events_t.c.id)
    )
    for dialect in (postgresql, sqlite)
}
_INSERT_CALL = HotStatement(store.calls_t.insert())
_UPDATE_CALL = HotStatement(update(store.calls_t).where(store.calls_t.c.id == bindparam("row_id")))


def record(conn: Connection, prepared: Prepared, now: datetime) -> Ingested:
    """Store the event and everything that follows from it, inside the caller's transaction."""
    event = prepared.event
    stored_id = _STORE_EVENT[conn.dialect.name].scalar(
        conn,
        {
            "source": prepared.source,
            "event_id": event.event_id,
            "call_id": event.call_id,
            "type": event.type.value,
            "at": prepared.at,
            "received_at": now,
            "payload": json.dumps(event.wire(), ensure_ascii=False),
        },
    )
    if stored_id is None:
        existing = store.stored_event_id(conn, prepared.source, event.event_id)
        assert existing is not None
        return Ingested(existing, True, [], [])
    messages, call = _update_call(conn, prepared, now)
    return Ingested(int(stored_id), False, messages, prepared.warnings, call)


def _record_of(row: Any, event: CallEvent) -> CallRecord:
    if row is None:
        return CallRecord(
            event.call_id, event.direction.value, event.from_, event.to, ivr=dict(event.ivr)
        )
    return record_of_row(row)


def record_of_row(row: Any) -> CallRecord:
    """The call record a stored ``calls`` row holds."""
    return CallRecord(
        row.call_id,
        row.direction,
        row.from_number,
        row.to_number,
        row.agent_id,
        row.queue,
        dict(row.ivr or {}),
        row.ringing_at,
        row.answered_at,
        row.ended_at,
        row.abandoned,
        row.on_hold,
        row.hold_changed_at,
        row.agent_changed_at,
        row.cause,
        *call_marks.read(row.marks),
    )


def _update_call(
    conn: Connection, prepared: Prepared, now: datetime
) -> tuple[list[Message], CallRecord]:
    event = prepared.event
    row = store.call_row(conn, prepared.source, event.call_id)
    before = _record_of(row, event)
    fact = CallFact(
        event.type.value,
        prepared.at,
        prepared.agent_id,
        event.queue,
        event.cause,
        from_number=event.from_,
        to_number=event.to,
        ivr=dict(event.ivr),
        target=(event.agent or event.to) if event.type.value == "transferred" else "",
    )
    after = apply(before, fact)
    values: dict[str, Any] = {
        "direction": after.direction,
        "from_number": after.from_number,
        "to_number": after.to_number or event.to,
        "agent_id": after.agent_id,
        "queue": after.queue,
        "ivr": after.ivr,
        "state": after.state.value,
        "ringing_at": after.ringing_at,
        "answered_at": after.answered_at,
        "ended_at": after.ended_at,
        "abandoned": after.abandoned,
        "on_hold": after.on_hold,
        "hold_changed_at": after.hold_changed_at,
        "agent_changed_at": after.agent_changed_at,
        "cause": after.cause,
        "updated_at": now,
        **call_marks.values(after),
    }
    messages: list[Message] = []
    popped = row.popped_agent if row is not None else None
    if (
        prepared.match is not None
        and after.state not in (CallState.ENDED, CallState.MISSED, CallState.ABANDONED)
        and prepared.agent_id is not None
        and popped != prepared.agent_id
    ):
        pop = _pop_of(prepared, after)
        messages.append(write_pop(conn, prepared.agent_id, pop, now))
        values["popped_agent"] = prepared.agent_id
        values.update(pop.call_values())
        if values["customer_id"] is not None:
            customers.note_interaction(conn, values["customer_id"], now)
    if row is None:
        values.update(source=prepared.source, call_id=event.call_id)
        _INSERT_CALL.rows(conn, values)
    else:
        _UPDATE_CALL.rows(conn, {**values, "row_id": row.id})
    if after.state in FINAL:
        # The call is over (or a late event changed an ended call): on the timeline.
        call_timeline.record_end(
            conn,
            prepared.source,
            after,
            values.get("customer_id", row.customer_id if row is not None else None),
            values.get("contact_id", row.contact_id if row is not None else None),
            prepared.at,
        )
    if before.state != after.state or row is None or before.agent_id != after.agent_id:
        messages.extend(_announce(conn, before, after, prepared.at, now))
    return messages, after


def _pop_of(prepared: Prepared, call: CallRecord) -> Pop:
    event = prepared.event
    assert prepared.match is not None
    return Pop(
        call_id=event.call_id,
        direction=event.direction.value,
        from_number=call.from_number or event.from_,
        to_number=call.to_number or event.to,
        queue=call.queue,
        ivr=call.ivr,
        at=call.ringing_at or prepared.at,  # since the caller first rang: "waited" in the banner
        match=prepared.match,
        customer=prepared.customer,
    )


@dataclass(frozen=True)
class Pop:
    """What an agent's screen shows of a call: the call, who is calling and their summary."""

    call_id: str
    direction: str
    from_number: str
    to_number: str
    queue: str | None
    ivr: dict[str, str]
    at: datetime
    match: LookupResult
    customer: dict[str, Any] | None

    def body(self, agent_id: str) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "agent": agent_id,
            "direction": self.direction,
            "from": self.from_number,
            "to": self.to_number,
            "queue": self.queue,
            "ivr": self.ivr,
            "at": self.at.isoformat(),
            "match": self.match.model_dump(mode="json"),
            "customer": self.customer,
        }

    def call_values(self) -> dict[str, Any]:
        """The call record's columns a pop sets (who popped is the caller's to set)."""
        top = self.match.candidates[0] if self.match.status == LookupStatus.KNOWN else None
        return {
            "customer_id": top.customer_id if top else None,
            "contact_id": top.contact_id if top else None,
            "match_status": self.match.status.value,
        }


def write_pop(conn: Connection, agent_id: str, pop: Pop, now: datetime) -> Message:
    """The ``screen_pop`` message on the agent's channel."""
    return outbox.append(
        conn, outbox.agent_channel(agent_id), "screen_pop", pop.body(agent_id), now
    )


def _announce(
    conn: Connection, before: CallRecord, after: CallRecord, at: datetime, now: datetime
) -> list[Message]:
    messages: list[Message] = []
    if after.agent_id is None:
        if before.agent_id is not None:
            # Transferred to a queue or outside: the agent's leg is over.
            messages.extend(_agent_follows(conn, before.agent_id, CallState.ENDED, now))
        return messages
    body = {
        "call_id": after.call_id,
        "state": after.state.value,
        "agent": after.agent_id,
        "from": after.from_number,
        "to": after.to_number,
        "at": at.isoformat(),
    }
    messages.append(outbox.append(conn, outbox.agent_channel(after.agent_id), "call", body, now))
    if before.agent_id and before.agent_id != after.agent_id:
        # The call left this agent (a transfer): free them as if their leg ended.
        messages.extend(_agent_follows(conn, before.agent_id, CallState.ENDED, now))
    messages.extend(_agent_follows(conn, after.agent_id, after.state, now))
    return messages


def _agent_follows(
    conn: Connection, agent_id: str, call_state: CallState, now: datetime
) -> list[Message]:
    current = store.agent_state(conn, agent_id)
    if current is None:
        return []
    target = agent_state_after_call(current[0], call_state)
    if target is None:
        return []
    return agents.move_agent(conn, agent_id, target, None, now, current=current)


def queued_pop(prepared: Prepared, call: CallRecord) -> Pop | None:
    """The pop for a call waiting in a routing queue, to show the agent it is offered to."""
    if prepared.match is None:
        return None
    return _pop_of(prepared, call)
