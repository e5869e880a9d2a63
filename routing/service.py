"""Routing as a live service: one :class:`~routing.engine.Engine` in the server, in step with
the database.

At start the engine is built from the database: the queues, every agent with its skills,
languages, team and state, and the calls still waiting in a queue. From then on:

- a call that rings in a routing queue without an agent becomes a work item
  (:meth:`RoutingService.on_call_events`, called by the CTI gateway after the event is
  stored); its hangup cancels it, and the phone system's ``answered`` naming the offered
  agent counts as an accept;
- every ``agent_state`` message on the floor (an agent or supervisor choosing a state, a call
  moving an agent) is mirrored into the engine (:meth:`RoutingService.observe`, fed by the
  publisher the service wraps at start);
- what the engine then does (offers, missed offers, agents freed, decisions) is written in
  one transaction with its channel messages: the agent ``reserved``, its ``screen_pop`` and
  an ``offer``, a ``routing_decision`` on the floor and a row per decision;
- a loop runs ``engine.advance(now)`` at least every 250 ms for timeouts, relaxation steps,
  overflow and wrap-up ends. Every change runs it at once too.

The engine is driven from the event loop only: each operation changes the engine and hands
its write to the writer without awaiting in between, so writes are committed in the order
the engine made the changes. The database keeps the agents' states; the service writes a
state only from the one it expects (an offer moves ``available`` to ``reserved``, a missed
offer ``reserved`` to ``not_ready``), so a state someone chose meanwhile is never undone.

Time for the engine is the app clock's ``now().timestamp()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from routing import agents, calls, store
from routing import queues as queue_config
from routing.engine import (
    Agent,
    Decision,
    Engine,
    Reservation,
    RoutingError,
    Trace,
    UnknownId,
    WorkItem,
)
from routing.engine.model import ACTIVE, OFFERED, SETTABLE_STATES, WAITING
from routing.engine.strategies import describe
from routing.leader import LEADER_POLL_S, Leadership
from routing.model import CallRecord, CallState
from routing.schemas import QueueConfig
from switchboard.core import outbox
from switchboard.core.clock import Clock
from switchboard.core.db import Database
from switchboard.core.errors import BadRequest, Conflict, NotFound, SwitchboardError
from switchboard.core.http import CLOCK, DATABASE, PUBLISHER, SETTINGS, Publisher
from switchboard.core.outbox import Message
from switchboard.core.telephony import TelephonyCommands
from tickets import service as tickets

log = logging.getLogger(__name__)

TICK_S = 0.25
# The engine's reason for an agent busy on a call routing did not place (the phone system
# rang it directly): it is kept from routed work until the database says it is free.
OUTSIDE = "outside_call"
MISSED = "missed_offer"
# A queued call older than this at start-up is taken as a hangup the phone system never
# reported, and not routed again.
QUEUED_MAX_AGE = timedelta(hours=2)
DECISION_RETENTION = timedelta(days=30)
PRUNE_EVERY_S = 600.0
SYNC_AGENTS_S = 1.0  # how often agents created without a message are looked for
ENDED_KEPT = 10_000  # finished reservations remembered, to answer a late accept with 409
VALUE_CLASSES = frozenset({"A", "B", "C"})
SYNC_TICKETS_S = 1.0  # how often service requests (and other nodes' changes) are looked at
FOLLOW_BATCH = 1_000  # floor messages read at most per look
FOLLOWED = ("agent_state", "agent_config", "ticket", "sla")  # what routing reads on the floor
# A service request's priority as a work item's (higher is more urgent).
TICKET_PRIORITY = {"low": 0.0, "normal": 1.0, "high": 2.0, "urgent": 3.0}


class NotLeader(Conflict):
    """This node does not route now: another node holds the routing leadership."""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def db_target(
    engine_state: str, engine_reason: str | None, db_state: str
) -> tuple[str, str | None] | None:
    """The state to write for an agent the engine moved, given the state the database has;
    None to leave it. Only the transitions routing owns, and only from the state expected."""
    if engine_state == "reserved":  # from wrap_up: the engine's timed wrap-up ended
        return ("reserved", None) if db_state in ("available", "wrap_up") else None
    if engine_state == "available":
        return ("available", None) if db_state in ("reserved", "wrap_up") else None
    if engine_state == "not_ready" and engine_reason == MISSED:
        return ("not_ready", MISSED) if db_state in ("reserved", "available") else None
    if engine_state == "wrap_up":
        return ("wrap_up", None) if db_state in ("available", "reserved", "on_call") else None
    return None  # on_call (accepted, the phone system says when answered), chosen states


@dataclass
class QueuedCall:
    """A call routing holds: where it came from and what its agent's screen shows."""

    item_id: str
    source: str
    call_id: str
    queue: str
    pop: calls.Pop | None


@dataclass
class RoutedTicket:
    """A service request routing holds as a work item."""

    item_id: str
    number: str
    group: str | None  # the request's group as last seen (a move by routing keeps it)
    bonus: float = 0.0  # priority added by escalations


@dataclass
class Callback:
    """A callback routing holds as a work item."""

    item_id: str
    id: str
    number: str
    queue: str


@dataclass
class Plan:
    """What the engine did in one step, to be written in one transaction."""

    ended: list[tuple[Reservation, str, QueuedCall | None]] = field(default_factory=list)
    decisions: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    offers: list[tuple[Reservation, QueuedCall]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    agents: list[tuple[str, str, str | None]] = field(default_factory=list)
    unroute: list[tuple[str, str, str]] = field(default_factory=list)
    # Offers of requests and callbacks: (reservation, the offer's body, move the agent?)
    work_offers: list[tuple[Reservation, dict[str, Any], bool]] = field(default_factory=list)
    new_callbacks: list[dict[str, Any]] = field(default_factory=list)
    callback_changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    escalations: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.ended
            or self.decisions
            or self.offers
            or self.notices
            or self.agents
            or self.unroute
            or self.work_offers
            or self.new_callbacks
            or self.callback_changes
            or self.escalations
        )


# (source, [(prepared, ingested)]) of stored call events, told to whoever follows calls.
CallListener = Callable[
    [str, Sequence[tuple[calls.Prepared, calls.Ingested]]], Coroutine[Any, Any, None]
]


class RoutingService:
    """Holds the engine; see the module's description. Drive it from the event loop only."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        publisher: Publisher,
        *,
        region: str = "CN",
        telephony: Callable[[], TelephonyCommands | None] = lambda: None,
        tick_s: float = TICK_S,
    ) -> None:
        self._database = database
        self._clock = clock
        self._publisher = publisher
        self._region = region
        self._telephony = telephony
        self.tick_s = tick_s
        self.engine = Engine()
        self.run_id = uuid.uuid4().hex[:16]
        self._calls: dict[str, QueuedCall] = {}
        self._by_call: dict[tuple[str, str], str] = {}
        self._offers: dict[str, Reservation] = {}
        self._offer_of: dict[str, str] = {}  # item -> its pending reservation
        self._ended: OrderedDict[str, str] = OrderedDict()
        self._seen: dict[str, int] = {}  # agent -> newest agent_state message applied/written
        self._extensions: dict[str, str | None] = {}  # the agents routing knows
        self._refused: set[str] = set()  # agents whose record the engine refused
        self._configs: dict[str, QueueConfig] = {}
        self._queue_ids: frozenset[str] = frozenset()
        self._last_decision = 0
        self._wake = asyncio.Event()
        self.ticks = 0
        self._tickets: dict[str, RoutedTicket] = {}
        self._by_ticket: dict[str, str] = {}  # request number -> item
        self._supervised: set[str] = set()  # requests escalated to supervisors
        self._callbacks: dict[str, Callback] = {}
        # Leadership: on PostgreSQL only the node holding the routing lock routes; ``term``
        # is its term in the routing_leader row, checked by every write (None: unfenced).
        self.leading = True
        self.term: int | None = None
        self._fenced = False
        self.first_term = asyncio.Event()  # set once this node has tried to lead
        self._floor_mark = 0  # the newest floor message looked at (following other nodes)
        self._sla_seen: OrderedDict[int, None] = OrderedDict()  # SLA messages acted on
        self._call_listeners: list[CallListener] = []

    def follow_calls(self, listener: CallListener) -> None:
        """Tell ``listener`` of every batch of stored call events (the outbound dialer)."""
        self._call_listeners.append(listener)

    # --- time and the loop -------------------------------------------------------------

    def now(self) -> float:
        return self._clock.now().timestamp()

    def poke(self) -> None:
        """Run the loop now rather than at the next tick."""
        self._wake.set()

    async def tick(self) -> None:
        """Let time pass: missed offers, relaxation, overflow, wrap-up ends; new offers."""
        self.ticks += 1
        plan = self._advance(self.now(), set(), [])
        await self._persist(plan)

    async def run(self) -> None:
        """Until cancelled: tick every ``tick_s`` seconds or when poked."""
        loop = asyncio.get_running_loop()
        pruned = synced = loop.time()
        reconciled = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.tick_s):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.tick()
                if loop.time() - synced >= SYNC_AGENTS_S:
                    synced = loop.time()
                    await self.sync_agents()
                if loop.time() - reconciled >= SYNC_TICKETS_S:
                    reconciled = loop.time()
                    await self.reconcile_tickets()
                    await self.follow()
                if loop.time() - pruned >= PRUNE_EVERY_S:
                    pruned = loop.time()
                    await self.prune()
            except asyncio.CancelledError:
                raise
            except SwitchboardError as exc:
                log.warning("routing loop: %s", exc.message)
            except Exception:
                log.exception("routing loop: tick failed")

    async def prune(self) -> int:
        """Forget decisions older than the retention; returns how many."""
        before = self._clock.now() - DECISION_RETENTION
        return await self._database.writer.run(lambda c: store.prune_decisions(c, before))

    # --- start: the engine from the database -------------------------------------------

    async def start(self) -> None:
        when = self._clock.now()
        now = when.timestamp()
        region = self._region

        def read(conn: Connection) -> tuple[Any, ...]:
            configs = queue_config.load_queues(conn)
            rows = store.all_agents(conn)
            queued = store.queued_calls(conn, sorted(configs), when - QUEUED_MAX_AGE)
            found = [calls.identify(conn, _caller(row), region) for row in queued]
            requests = tickets.routable_requests(conn, sorted(configs))
            callbacks = store.open_callbacks(conn)
            mark = outbox.latest_id(conn, outbox.FLOOR)
            return configs, rows, queued, found, requests, callbacks, mark

        configs, rows, queued, found, requests, callbacks, mark = await self._database.read(read)
        self._floor_mark = mark
        problems = queue_config.check_queues(
            list(configs.values()),
            agents=[queue_config.AgentSkills(r.id, dict(r.skills or {}), r.team) for r in rows],
        )
        for problem in problems:
            log.warning("routing queue %s: %s", problem.queue, problem.text())
        for config in configs.values():
            self._set_queue(config)
        offered = {row.routed_agent for row in queued if row.routed_agent}
        wrap = max((c.wrap_up_s for c in configs.values()), default=0.0)
        touched: set[str] = set()
        for row in rows:
            # An offer the last run made is gone with it: that agent is free again.
            lost_offer = row.state == "reserved" and row.id in offered
            if self._add_agent(row, now, wrap, free=lost_offer) and lost_offer:
                touched.add(row.id)
        plan_unroute: list[tuple[str, str, str]] = []
        for row, (match, customer) in zip(queued, found, strict=True):
            if row.routed_agent:
                plan_unroute.append((row.source, row.call_id, row.routed_agent))
            self._enqueue_row(row, match, customer, now)
        for request in requests:
            self._enqueue_ticket(request, now)
        for cb in callbacks:
            if cb.status == "waiting":
                self._enqueue_callback(cb, now)
        plan = self._advance(now, touched, [])
        plan.unroute = plan_unroute
        log.info(
            "routing: %d queues, %d agents, %d calls waiting",
            len(configs),
            len(rows),
            self.engine.waiting_count(),
        )
        await self._persist(plan)

    def _enqueue_row(self, row: Any, match: Any, customer: Any, now: float) -> None:
        """A call stored waiting in a queue becomes a work item (at start, or stored by
        another node)."""
        record = calls.record_of_row(row)
        pop = calls.Pop(
            call_id=row.call_id,
            direction=row.direction,
            from_number=row.from_number,
            to_number=row.to_number,
            queue=row.queue,
            ivr=dict(row.ivr or {}),
            at=row.ringing_at,
            match=match,
            customer=customer,
        )
        arrival = min(now, row.ringing_at.timestamp())
        try:
            self._enqueue(row.source, record, pop, now, arrival=arrival)
        except RoutingError as exc:
            log.warning("call %s not routed again: %s", row.call_id, exc)

    async def follow(self) -> None:
        """What other nodes stored (several nodes on PostgreSQL): the floor's messages since
        the last look (agent states, requests, SLA levels), calls rung into a queue and
        calls routing holds that were answered or hung up there."""
        if not self.leading or not self._fenced:
            return
        mark = self._floor_mark
        new_mark, messages = await self._database.read(
            lambda c: store.floor_after(c, mark, FOLLOWED, FOLLOW_BATCH)
        )
        self._floor_mark = max(self._floor_mark, new_mark)
        if messages:
            await self.observe(messages)
        await self.reconcile_calls()

    async def reconcile_calls(self) -> None:
        """Calls stored by another node: new ones in a queue are enqueued; held ones that
        were hung up or given to someone else leave routing; answered by the offered agent
        counts as an accept."""
        if not self.leading:
            return
        queues = sorted(self._configs)
        since = self._clock.now() - QUEUED_MAX_AGE
        known = {(c.source, c.call_id): c.item_id for c in self._calls.values()}
        region = self._region

        def read(conn: Connection) -> tuple[Any, ...]:
            queued = store.queued_calls(conn, queues, since)
            new = [r for r in queued if (r.source, r.call_id) not in known]
            found = [calls.identify(conn, _caller(r), region) for r in new]
            held = store.calls_by_keys(conn, list(known))
            return new, found, held

        new, found, held = await self._database.read(read)
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        for row in held:
            item_id = known.get((row.source, row.call_id))
            if item_id is None or item_id not in self._calls:
                continue
            view = self.engine.item(item_id)
            if row.ended_at is not None:
                self._drop(item_id, now, touched, ended, "cancelled")
            elif row.agent_id is not None and row.agent_id != view.agent_id:
                self._drop(item_id, now, touched, ended, "withdrawn")
            elif row.answered_at is not None and view.status == OFFERED and view.reservation_id:
                res = self.engine.accept(view.reservation_id, now)
                self._close(res, "accepted", touched, ended)
        for row, (match, customer) in zip(new, found, strict=True):
            if (row.source, row.call_id) not in self._by_call:
                self._enqueue_row(row, match, customer, now)
        await self._persist(self._advance(now, touched, ended))

    async def sync_agents(self) -> int:
        """Take in agents created since (creating one sends no message); returns how many."""
        known = set(self._extensions) | self._refused
        rows = await self._database.read(lambda c: store.agents_not_in(c, known))
        now = self.now()
        added = 0
        for row in rows:
            if row.id not in self._extensions and self._add_agent(row, now, 0.0):
                added += 1
        if added:
            await self._persist(self._advance(now, set(), []))
        return added

    def _add_agent(self, row: Any, now: float, wrap: float, *, free: bool = False) -> bool:
        since = min(now, row.state_since.timestamp())
        state, reason, until = row.state, row.state_reason, None
        if state in ("reserved", "on_call"):
            state, reason = ("available", None) if free else ("not_ready", OUTSIDE)
        elif state == "wrap_up":
            end = getattr(row, "state_until", None)
            until = max(now, end.timestamp() if end is not None else since + wrap)
        if state not in ("break", "not_ready", "offline"):
            reason = None
        agent = Agent(
            id=row.id,
            skills=dict(row.skills or {}),
            languages=frozenset(str(lang).strip().lower() for lang in row.languages or ()),
            team=row.team,
            state=state,
            state_since=since,
            reason=reason,
            last_idle_since=since,
            wrap_until=until,
            capacity=agents.capacity_of(row),
            exclusive=frozenset(row.exclusive or ()),
        )
        try:
            self.engine.add_agent(agent)
        except RoutingError as exc:
            log.warning("agent %s left out of routing: %s", row.id, exc)
            self._refused.add(row.id)
            return False
        self._extensions[row.id] = row.extension
        return True

    # --- queues ---------------------------------------------------------------------------

    def queue_ids(self) -> frozenset[str]:
        return self._queue_ids

    def waiting(self, queue_id: str) -> int:
        return len(self.engine.waiting(self.now(), queue_id)) if queue_id in self._configs else 0

    def _set_queue(self, config: QueueConfig) -> None:
        self.engine.set_queue(queue_config.to_engine(config))
        self._configs[config.id] = config
        self._queue_ids = frozenset(self._configs)

    async def set_queue(self, config: QueueConfig) -> None:
        """A queue was stored: use it from now on (waiting calls are re-ranked)."""
        self._set_queue(config)
        await self._persist(self._advance(self.now(), set(), []))

    # --- calls ------------------------------------------------------------------------------

    async def on_call_events(
        self, source: str, events: Sequence[tuple[calls.Prepared, calls.Ingested]]
    ) -> None:
        """Stored call events (in order): queue new calls, cancel hung-up ones, take the
        phone system's word for who answered. Those following calls hear of them first."""
        for listener in self._call_listeners:
            try:
                await listener(source, events)
            except Exception:
                log.exception("a call listener failed")
        if not self.leading:
            return
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        for prepared, result in events:
            if result.duplicate or result.call is None:
                continue
            try:
                self._call_event(source, prepared, result.call, now, touched, ended)
            except RoutingError as exc:
                log.warning("call %s: routing refused: %s", prepared.event.call_id, exc)
        await self._persist(self._advance(now, touched, ended))

    def _call_event(
        self,
        source: str,
        prepared: calls.Prepared,
        call: CallRecord,
        now: float,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
    ) -> None:
        event = prepared.event
        kind = event.type.value
        item_id = self._by_call.get((source, event.call_id))
        if item_id is None:
            if (
                kind == "ringing"
                and not event.agent
                and event.queue
                and event.queue in self._configs
                and event.direction.value != "internal"
                and call.state == CallState.RINGING
                and call.agent_id is None
            ):
                pop = calls.queued_pop(prepared, call)
                self._enqueue(source, call, pop, now, queue=event.queue)
            return
        if kind in ("ended", "abandoned"):
            self._drop(item_id, now, touched, ended, "cancelled")
        elif kind == "ringing" and not event.agent and event.queue in self._configs:
            # Rung again into another queue (the IVR moved it): it keeps its wait.
            if event.queue != self._calls[item_id].queue:
                self.engine.escalate(item_id, to_queue=event.queue, now=now)
                self._calls[item_id].queue = str(event.queue)
        elif kind in ("ringing", "answered", "transferred") and prepared.agent_id:
            view = self.engine.item(item_id)
            if view.agent_id != prepared.agent_id:
                # The phone system gave the call to someone else: it leaves routing.
                self._drop(item_id, now, touched, ended, "withdrawn")
            elif view.status == OFFERED and kind != "ringing" and view.reservation_id:
                res = self.engine.accept(view.reservation_id, now)
                self._close(res, "accepted", touched, ended)

    def _enqueue(
        self,
        source: str,
        call: CallRecord,
        pop: calls.Pop | None,
        now: float,
        *,
        queue: str | None = None,
        arrival: float | None = None,
    ) -> None:
        queue = queue or call.queue
        assert queue is not None
        item_id = call.call_id
        if item_id in self._calls:
            item_id = f"{source}:{call.call_id}"
        tier = (pop.customer or {}).get("tier") if pop is not None else None
        language = (call.ivr.get("lang") or "").strip().lower() or None
        item = WorkItem(
            id=item_id,
            queue=queue,
            kind="call",
            channel="voice",
            language=language,
            value_class=tier if tier in VALUE_CLASSES else "B",
            arrival=now if arrival is None else arrival,
        )
        self.engine.enqueue(item, now)
        self._calls[item_id] = QueuedCall(item_id, source, call.call_id, queue, pop)
        self._by_call[(source, call.call_id)] = item_id

    def _drop(
        self,
        item_id: str,
        now: float,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
        outcome: str,
    ) -> None:
        """The call leaves routing (hung up, or the phone system gave it to someone)."""
        try:
            view = self.engine.item(item_id)
        except UnknownId:
            view = None
        if view is not None:
            if view.agent_id is not None:
                touched.add(view.agent_id)
            self.engine.cancel(item_id, now)
        res_id = self._offer_of.get(item_id)
        if res_id is not None:
            self._close(self._offers[res_id], outcome, touched, ended)
        call = self._calls.pop(item_id, None)
        if call is not None:
            self._by_call.pop((call.source, call.call_id), None)
        ticket = self._tickets.pop(item_id, None)
        if ticket is not None:
            self._by_ticket.pop(ticket.number, None)
        self._callbacks.pop(item_id, None)

    def _close(
        self,
        res: Reservation,
        outcome: str,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
    ) -> None:
        """A reservation is over (accepted, rejected, timed out, withdrawn, cancelled)."""
        self._offers.pop(res.id, None)
        if self._offer_of.get(res.item_id) == res.id:
            del self._offer_of[res.item_id]
        self._ended[res.id] = outcome
        while len(self._ended) > ENDED_KEPT:
            self._ended.popitem(last=False)
        touched.add(res.agent_id)
        ended.append((res, outcome, self._calls.get(res.item_id)))

    # --- agents: the database's word -------------------------------------------------------

    async def observe(self, messages: Sequence[Message]) -> None:
        """Mirror committed ``agent_state`` messages on the floor into the engine; follow
        service requests (``ticket``) and their SLA levels (``sla``)."""
        if not self.leading:
            return
        numbers = sorted(
            {
                str(m.body["number"])
                for m in messages
                if m.type == "ticket" and m.channel == outbox.FLOOR and "number" in m.body
            }
        )
        if numbers:
            await self.reconcile_tickets(numbers)
        configured = sorted(
            {
                str(m.body["agent"])
                for m in messages
                if m.type == "agent_config" and m.channel == outbox.FLOOR and "agent" in m.body
            }
        )
        if configured:
            rows = await self._database.read(lambda c: store.agents_by_id(c, configured))
            for row in rows:
                await self.agent_changed(row)
        for m in messages:
            if m.type == "sla" and m.channel == outbox.FLOOR and "number" in m.body:
                if m.id in self._sla_seen:
                    continue  # heard both as published here and read back from the floor
                self._sla_seen[m.id] = None
                while len(self._sla_seen) > ENDED_KEPT:
                    self._sla_seen.popitem(last=False)
                await self.on_sla(m.body)
        changes = [
            m
            for m in messages
            if m.type == "agent_state" and m.channel == outbox.FLOOR and "agent" in m.body
        ]
        if not changes:
            return
        unknown = sorted({str(m.body["agent"]) for m in changes} - self._extensions.keys())
        if unknown:
            rows = await self._database.read(lambda c: store.agents_by_id(c, unknown))
            now = self.now()
            for row in rows:
                if row.id not in self._extensions:
                    self._add_agent(row, now, 0.0)
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        for message in sorted(changes, key=lambda m: m.id):
            agent_id = str(message.body["agent"])
            if agent_id not in self._extensions or message.id <= self._seen.get(agent_id, 0):
                continue
            self._seen[agent_id] = message.id
            state = str(message.body.get("state"))
            reason = message.body.get("reason")
            until_text = message.body.get("until")
            try:
                self._mirror(agent_id, state, reason, now, touched, ended, until_text)
            except RoutingError as exc:
                log.warning("agent %s: state %s not mirrored: %s", agent_id, state, exc)
        await self._persist(self._advance(now, touched, ended))

    def _mirror(
        self,
        agent_id: str,
        state: str,
        reason: str | None,
        now: float,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
        until_text: str | None = None,
    ) -> None:
        agent = self.engine.agent(agent_id)
        held = self.engine.held(agent_id)
        if state in ("reserved", "on_call"):
            if held:
                return  # routing's own work (or the phone ringing the agent for it)
            target: tuple[str, str | None] = ("not_ready", OUTSIDE)
        elif state in SETTABLE_STATES:
            if state == "available" and held:
                touched.add(agent_id)  # still holds an offer or work: say so again
                return
            target = (state, reason if state in ("break", "not_ready", "offline") else None)
        else:
            return
        if (agent.state, agent.reason) == target:
            return
        until = None
        if target[0] == "wrap_up" and until_text:
            until = datetime.fromisoformat(until_text).timestamp()
        back = self.engine.set_state(agent_id, target[0], now, reason=target[1], until=until)
        if self.engine.agent(agent_id).state != state and target[1] != OUTSIDE:
            touched.add(agent_id)  # the engine disagrees (it holds work): say what it holds
        for item_id in back:
            res_id = self._offer_of.get(item_id)
            if res_id is not None:
                self._close(self._offers[res_id], "withdrawn", touched, ended)

    # --- service requests -------------------------------------------------------------------

    def _ticket_item(self, request: tickets.RoutableRequest, now: float) -> WorkItem:
        config = self._configs[str(request.group)]
        skills: dict[str, int] = {}
        needs = [config.category_skills.get(cat, {}) for cat in request.categories]
        if request.product:
            needs.append(config.product_skills.get(request.product, {}))
        for need in needs:
            for name, level in need.items():
                skills[name] = max(level, skills.get(name, 0))
        tier = request.customer_tier
        return WorkItem(
            id=f"ticket:{request.number}",
            queue=str(request.group),
            kind="ticket",
            channel="ticket",
            skills=skills,
            priority=TICKET_PRIORITY.get(request.priority, 0.0),
            value_class=tier if tier in VALUE_CLASSES else "B",
            arrival=min(now, request.created_at.timestamp()),
        )

    def _enqueue_ticket(self, request: tickets.RoutableRequest, now: float) -> None:
        if request.number in self._supervised or request.number in self._by_ticket:
            return
        try:
            item = self._ticket_item(request, now)
            self.engine.enqueue(item, now)
        except RoutingError as exc:
            log.warning("request %s not routed: %s", request.number, exc)
            return
        self._tickets[item.id] = RoutedTicket(item.id, request.number, request.group)
        self._by_ticket[request.number] = item.id

    async def reconcile_tickets(self, numbers: Sequence[str] | None = None) -> None:
        """Bring the work items of service requests in line with the requests: new and
        reassigned open requests without a handler in a queue's group are enqueued; items
        whose request was closed, resolved, given a handler or moved out leave routing; a
        changed priority or group is followed. ``numbers`` None: every request."""
        if not self.leading:
            return
        groups = sorted(self._configs)
        held = sorted(self._by_ticket) if numbers is None else list(numbers)
        rows = await self._database.read(
            lambda c: tickets.routable_requests(c, groups if numbers is None else [], held)
        )
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        for request in rows:
            try:
                self._reconcile(request, now, touched, ended)
            except RoutingError as exc:
                log.warning("request %s: routing refused: %s", request.number, exc)
        await self._persist(self._advance(now, touched, ended))

    def _reconcile(
        self,
        request: tickets.RoutableRequest,
        now: float,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
    ) -> None:
        item_id = self._by_ticket.get(request.number)
        routable = request.open and request.handler is None and request.group in self._configs
        if item_id is None:
            if request.handler is not None or not request.open:
                self._supervised.discard(request.number)
            if routable:
                self._enqueue_ticket(request, now)
            return
        ticket = self._tickets[item_id]
        view = self.engine.item(item_id)
        if not request.open:  # resolved or closed: done (an accepted item is completed)
            self._drop(item_id, now, touched, ended, "withdrawn")
            return
        if request.handler is not None:
            if view.status == OFFERED and view.agent_id == request.handler:
                assert view.reservation_id is not None
                res = self.engine.accept(view.reservation_id, now)
                self._close(res, "accepted", touched, ended)
            elif not (view.status == ACTIVE and view.agent_id == request.handler):
                self._drop(item_id, now, touched, ended, "withdrawn")
            return
        if view.status == ACTIVE:
            # Taken back from its handler: it starts over.
            self._drop(item_id, now, touched, ended, "withdrawn")
            if routable:
                self._enqueue_ticket(request, now)
            return
        if request.group != ticket.group:
            ticket.group = request.group
            if request.group not in self._configs:
                self._drop(item_id, now, touched, ended, "withdrawn")
                return
            self.engine.escalate(item_id, to_queue=request.group, now=now)
        priority = TICKET_PRIORITY.get(request.priority, 0.0) + ticket.bonus
        if priority != view.item.priority:
            self.engine.escalate(item_id, to_priority=priority, now=now)

    async def on_sla(self, body: dict[str, Any]) -> None:
        """An SLA level of a service request was reached while it waits (or is offered): do
        what its item's queue says for that level (raise the priority, move it to another
        queue, hand it to supervisors), and write the escalation down with the decisions."""
        if not self.leading:
            return
        number = str(body["number"])
        level = str(body.get("level") or "")
        item_id = self._by_ticket.get(number)
        if item_id is None:
            return
        ticket = self._tickets[item_id]
        view = self.engine.item(item_id)
        if view.status == ACTIVE:
            return  # it has its handler: the SLA policy's own actions apply
        config = self._configs.get(view.item.queue)
        step = config.escalation.get(level) if config is not None else None
        if step is None:
            return
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        actions: list[str] = []
        to_queue = None
        if step.add_priority is not None:
            ticket.bonus += step.add_priority
            self.engine.escalate(
                item_id, to_priority=view.item.priority + step.add_priority, now=now
            )
            actions.append(f"priority +{step.add_priority:g}")
        if step.to_queue is not None and step.to_queue in self._configs:
            self.engine.escalate(item_id, to_queue=step.to_queue, now=now)
            to_queue = step.to_queue
            actions.append(f"moved to queue {step.to_queue}")
        if step.to_supervisor:
            self._drop(item_id, now, touched, ended, "withdrawn")
            self._supervised.add(number)
            actions.append("handed to supervisors")
        after = None if step.to_supervisor else self.engine.item(item_id).item.priority
        detail = {
            "kind": "escalation",
            "item": item_id,
            "number": number,
            "queue": view.item.queue,
            "at": _iso(now),
            "trigger": f"sla {body.get('clock', '')} {level}".replace("  ", " "),
            "level": level,
            "actions": actions,
            "to_queue": to_queue,
            "to_supervisor": step.to_supervisor,
            "priority_before": view.item.priority,
            "priority": after,
            "winner": None,
        }
        row = {
            "run": self.run_id,
            "decision": 0,
            "item_id": item_id,
            "call_id": None,
            "queue": view.item.queue,
            "at": datetime.fromtimestamp(now, UTC),
            "winner": None,
            "reservation": None,
            "detail": detail,
        }
        plan = self._advance(now, touched, ended)
        plan.escalations.append((row, detail))
        await self._persist(plan)

    # --- callbacks --------------------------------------------------------------------------

    def _enqueue_callback(self, row: Any, now: float) -> None:
        item_id = f"callback:{row.id}"
        item = WorkItem(
            id=item_id,
            queue=row.queue,
            kind="callback",
            channel="voice",
            language=row.language,
            priority=float(row.priority),
            value_class=row.value_class if row.value_class in VALUE_CLASSES else "B",
            arrival=min(now, row.arrival.timestamp()),
        )
        try:
            self.engine.enqueue(item, now)
        except RoutingError as exc:
            log.warning("callback %s not routed: %s", row.id, exc)
            return
        self._callbacks[item_id] = Callback(item_id, row.id, row.number, row.queue)

    async def request_callback(
        self,
        *,
        call_id: str | None,
        number: str | None,
        queue: str | None,
        value_class: str | None = None,
    ) -> dict[str, Any]:
        """A caller took the callback offered (or one is asked for): a callback item waits
        in the queue. From a queued call it keeps the call's queue, wait, priority and class,
        and the call leaves routing."""
        if not self.leading:
            raise NotLeader("this node does not route now; ask the routing leader", field="id")
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        language = None
        priority = 0.0
        arrival = now
        source = None
        if call_id is not None:
            found = [c for c in self._calls.values() if c.call_id == call_id]
            if not found:
                raise NotFound(f"no call {call_id!r} waiting in a queue", field="call_id")
            call = found[0]
            view = self.engine.item(call.item_id)
            if view.status != WAITING:
                raise Conflict(f"call {call_id} is {view.status}, not waiting", field="call_id")
            queue = queue or call.queue
            number = number or (call.pop.from_number if call.pop else None)
            value_class = value_class or view.item.value_class
            language, priority = view.item.language, view.item.priority
            arrival = view.item.arrival if view.item.arrival is not None else now
            source = call.source
            if not number or number == "anonymous":
                raise BadRequest("the caller's number is withheld: give number", field="number")
        if not number:
            raise BadRequest("number is required without call_id", field="number")
        if queue is None:
            raise BadRequest("queue is required without call_id", field="queue")
        if queue not in self._configs:
            raise NotFound(f"no queue {queue!r}", field="queue")
        callback_id = uuid.uuid4().hex[:16]
        when = datetime.fromtimestamp(now, UTC)
        values = {
            "id": callback_id,
            "queue": queue,
            "number": number,
            "source": source,
            "call_id": call_id,
            "customer_id": None,
            "value_class": value_class or "B",
            "priority": priority,
            "language": language,
            "arrival": datetime.fromtimestamp(arrival, UTC),
            "status": "waiting",
            "agent": None,
            "outcome": None,
            "created_at": when,
            "updated_at": when,
        }
        if call_id is not None:
            self._drop(found[0].item_id, now, touched, ended, "callback")
        self._enqueue_callback(_Row(values), now)
        plan = self._advance(now, touched, ended)
        plan.new_callbacks.append(values)
        await self._persist(plan)
        return {**_jsonable(values), "item": f"callback:{callback_id}"}

    async def complete_callback(self, callback_id: str, outcome: str) -> dict[str, Any]:
        """The agent called back: the item is done (the agent goes to wrap-up or is free)."""
        if not self.leading:
            raise NotLeader("this node does not route now; ask the routing leader", field="id")
        row = await self._database.read(lambda c: store.callback_row(c, callback_id))
        if row is None:
            raise NotFound(f"no callback {callback_id!r}", field="id")
        if row.status != "accepted":
            raise Conflict(
                f"callback {callback_id} is {row.status}; only an accepted one is completed",
                field="id",
                current_status=row.status,
            )
        now = self.now()
        touched: set[str] = set()
        item_id = f"callback:{callback_id}"
        with contextlib.suppress(RoutingError):
            if self.engine.item(item_id).status == ACTIVE:
                touched.add(self.engine.complete(item_id, now))
        self._callbacks.pop(item_id, None)
        plan = self._advance(now, touched, [])
        plan.callback_changes.append((callback_id, {"status": "done", "outcome": outcome}))
        await self._persist(plan)
        return {"id": callback_id, "status": "done", "outcome": outcome, "agent": row.agent}

    # --- what an agent can do ----------------------------------------------------------------

    def check_capacity(self, agent_id: str, capacity: dict[str, int] | None) -> None:
        """409 naming ``capacity.CHANNEL`` if the agent holds more than the new capacity."""
        if capacity is None or agent_id not in self._extensions:
            return
        load = self.engine.agent(agent_id).load
        for channel, used in load.items():
            if used > capacity.get(channel, 0):
                raise Conflict(
                    f"agent {agent_id} holds {used} {channel} item(s) now; capacity cannot "
                    "drop below that",
                    field=f"capacity.{channel}",
                )

    async def agent_changed(self, row: Any) -> None:
        """An agent's skills, languages, team or channels were stored: route with them."""
        if not self.leading or row is None:
            return
        if row.id not in self._extensions:
            await self.sync_agents()
            return
        try:
            self.engine.update_agent(
                row.id,
                skills=dict(row.skills or {}),
                languages=[str(lang).strip().lower() for lang in row.languages or ()],
                team=row.team or "",
                capacity=agents.capacity_of(row),
                exclusive=row.exclusive or (),
            )
        except RoutingError as exc:  # took more work since the check: the next change applies
            log.warning("agent %s: routing keeps its old configuration: %s", row.id, exc)
            return
        await self._persist(self._advance(self.now(), {row.id}, []))

    # --- leadership ---------------------------------------------------------------------------

    async def lead(self, *, fenced: bool) -> None:
        """Become the routing node: a new term, the engine rebuilt from the database."""
        when = self._clock.now()
        self._reset()
        if fenced:
            self.term = await self._database.writer.run(
                lambda c: store.take_leadership(c, self.run_id, when)
            )
        self._fenced = fenced
        self.leading = True
        await self.start()

    def step_down(self) -> None:
        """Stop routing (the lock was lost): forget everything; the next leader rebuilds."""
        self.leading = False
        self._reset()

    def _reset(self) -> None:
        self.engine = Engine()
        self.run_id = uuid.uuid4().hex[:16]
        self._calls.clear()
        self._by_call.clear()
        self._offers.clear()
        self._offer_of.clear()
        self._seen.clear()
        self._extensions.clear()
        self._refused.clear()
        self._configs.clear()
        self._queue_ids = frozenset()
        self._last_decision = 0
        self._tickets.clear()
        self._by_ticket.clear()
        self._supervised.clear()
        self._callbacks.clear()
        self._sla_seen.clear()

    # --- offers -----------------------------------------------------------------------------

    def reservation(self, res_id: str) -> Reservation:
        """A pending offer; 404 when unknown, 409 when already over (or not routing here)."""
        if not self.leading:
            raise NotLeader("this node does not route now; ask the routing leader", field="id")
        res = self._offers.get(res_id)
        if res is not None:
            return res
        outcome = self._ended.get(res_id)
        if outcome is not None:
            raise Conflict(f"offer {res_id} is over ({outcome})", field="id", outcome=outcome)
        raise NotFound(f"no offer {res_id}", field="id")

    async def accept(self, res_id: str) -> dict[str, Any]:
        res = self.reservation(res_id)
        ticket = self._tickets.get(res.item_id)
        if ticket is not None:
            return await self._accept_ticket(res, ticket)
        now = self.now()
        self.engine.accept(res_id, now)
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        self._close(res, "accepted", touched, ended)
        call = self._calls.get(res.item_id)
        plan = self._advance(now, touched, ended)
        callback = self._callbacks.get(res.item_id)
        if callback is not None:
            plan.callback_changes.append(
                (callback.id, {"status": "accepted", "agent": res.agent_id})
            )
        await self._persist(plan)
        answer = self._answer(res, call, "accepted")
        if callback is not None:
            answer["transfer"] = await self._originate(callback, res.agent_id)
        else:
            answer["transfer"] = await self._transfer(call, res.agent_id)
        return answer

    async def _accept_ticket(self, res: Reservation, ticket: RoutedTicket) -> dict[str, Any]:
        """The request becomes the agent's through the tickets service, then the item is
        accepted; if the request was closed or taken meanwhile, the offer is withdrawn."""
        when = self._clock.now()
        try:

            def assign(conn: Connection) -> list[Message]:
                self._fence(conn)
                return tickets.assign_routed(conn, ticket.number, res.agent_id, when)

            messages = await self._database.writer.run(assign)
        except (Conflict, NotFound) as exc:
            await self.reconcile_tickets([ticket.number])
            raise Conflict(
                f"offer {res.id} withdrawn: {exc.message}", field="id", outcome="withdrawn"
            ) from None
        now = self.now()
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        if res.id in self._offers:
            self.engine.accept(res.id, now)
            self._close(res, "accepted", touched, ended)
        await self._persist(self._advance(now, touched, ended))
        await self._publisher.publish(messages)
        return self._answer(res, None, "accepted")

    async def reject(self, res_id: str) -> dict[str, Any]:
        res = self.reservation(res_id)
        now = self.now()
        self.engine.reject(res_id, now)
        touched: set[str] = set()
        ended: list[tuple[Reservation, str, QueuedCall | None]] = []
        self._close(res, "rejected", touched, ended)
        call = self._calls.get(res.item_id)
        await self._persist(self._advance(now, touched, ended))
        return self._answer(res, call, "rejected")

    def _answer(self, res: Reservation, call: QueuedCall | None, outcome: str) -> dict[str, Any]:
        return {
            "reservation": res.id,
            "call_id": call.call_id if call else res.item_id,
            "item": res.item_id,
            "kind": self._kind(res.item_id),
            "queue": res.queue,
            "agent": res.agent_id,
            "outcome": outcome,
            "transfer": None,
        }

    def _kind(self, item_id: str) -> str:
        if item_id in self._tickets:
            return "ticket"
        if item_id in self._callbacks:
            return "callback"
        return "call"

    async def _originate(self, callback: Callback, agent_id: str) -> str | None:
        """Ask the phone system to dial the customer for the agent, when it can be told."""
        port = self._telephony()
        if port is None:
            return None
        try:
            await port.originate(number=callback.number, agent=agent_id, caller_id=None)
        except Exception as exc:  # the port's failure is reported, not raised
            log.warning("callback %s: originate failed: %s", callback.id, exc)
            return f"failed: {type(exc).__name__}: {exc}"
        return "requested"

    async def _transfer(self, call: QueuedCall | None, agent_id: str) -> str | None:
        """Ask the phone system to put the call through to the agent, when it can be told."""
        port = self._telephony()
        if port is None or call is None:
            return None
        to = self._extensions.get(agent_id) or agent_id
        try:
            await port.transfer(call_id=call.call_id, to=to)
        except Exception as exc:  # the port's failure is reported, not raised
            log.warning("transfer of call %s to %s failed: %s", call.call_id, to, exc)
            return f"failed: {type(exc).__name__}: {exc}"
        return "requested"

    # --- decisions --------------------------------------------------------------------------

    async def decisions_for(self, item_id: str, limit: int = 100) -> dict[str, Any]:
        await self.sync_agents()
        rows = await self._database.read(lambda c: store.decisions_of(c, item_id, limit))
        out = []
        for row in rows:
            entry = {**row.detail, "id": row.id, "trace": None}
            if row.run == self.run_id:
                with contextlib.suppress(UnknownId):
                    entry["trace"] = trace_view(self.engine.explain(row.decision))
            out.append(entry)
        waiting = None
        with contextlib.suppress(RoutingError):
            if self.engine.item(item_id).status == WAITING:
                waiting = trace_view(self.engine.explain_item(item_id, self.now()))
        call = self._calls.get(item_id)
        return {
            "item": item_id,
            "call_id": call.call_id if call else None,
            "decisions": out,
            "waiting": waiting,
        }

    # --- one step: advance, and what it means for the database ------------------------------

    def _advance(
        self,
        now: float,
        touched: set[str],
        ended: list[tuple[Reservation, str, QueuedCall | None]],
    ) -> Plan:
        step = self.engine.advance(now)
        plan = Plan(ended=ended)
        for res in step.expired:
            self._close(res, "timeout", touched, plan.ended)
        for notice in step.notices:
            if notice.agent_id is not None:
                touched.add(notice.agent_id)
            if notice.kind in ("overflowed", "callback_offer") and notice.item_id:
                call = self._calls.get(notice.item_id)
                plan.notices.append(
                    {
                        "kind": notice.kind,
                        "item": notice.item_id,
                        "call_id": call.call_id if call else None,
                        "detail": notice.detail,
                        "at": _iso(notice.at),
                    }
                )
            log.debug("routing notice %s %s %s", notice.kind, notice.item_id, notice.detail)
        for res in step.offers:
            self._offers[res.id] = res
            self._offer_of[res.item_id] = res.id
            touched.add(res.agent_id)
            call = self._calls.get(res.item_id)
            if call is not None:
                plan.offers.append((res, call))
            elif res.item_id in self._tickets:
                ticket = self._tickets[res.item_id]
                body = {"kind": "ticket", "number": ticket.number}
                plan.work_offers.append((res, body, False))
            elif res.item_id in self._callbacks:
                callback = self._callbacks[res.item_id]
                body = {"kind": "callback", "callback": callback.id, "number": callback.number}
                plan.work_offers.append((res, body, True))
        for decision in self._new_decisions():
            call = self._calls.get(decision.item_id)
            detail = decision_detail(decision)
            row = {
                "run": self.run_id,
                "decision": decision.id,
                "item_id": decision.item_id,
                "call_id": call.call_id if call else None,
                "queue": decision.queue_id,
                "at": datetime.fromtimestamp(decision.at, UTC),
                "winner": decision.winner,
                "reservation": decision.reservation_id,
                "detail": detail,
            }
            body = {**detail, "call_id": row["call_id"], "top": detail["top"][:3]}
            body.pop("requirement", None)
            plan.decisions.append((row, body))
        for agent_id in sorted(touched):
            with contextlib.suppress(UnknownId):
                agent = self.engine.agent(agent_id)
                state = agent.state
                if state in ("reserved", "on_call") and all(
                    item in self._tickets for item in self.engine.held(agent_id)
                ):
                    # Requests do not take the agent off the phone: it stays available.
                    state = "available"
                plan.agents.append((agent_id, state, agent.reason))
        return plan

    def _new_decisions(self) -> list[Decision]:
        """The decisions made since the last call, oldest first."""
        engine = self.engine
        out: list[Decision] = []
        if self._last_decision and not _kept(engine, self._last_decision):
            # More decisions than the engine keeps since the last look: take what is left.
            out = [d for d in engine.decisions() if d.id > self._last_decision]
            if out:
                self._last_decision = out[-1].id
        while True:
            try:
                decision = engine.decision(self._last_decision + 1)
            except UnknownId:
                if self._last_decision == 0 and engine.decisions(last=1):
                    self._last_decision = engine.decisions()[0].id - 1
                    continue
                return out
            out.append(decision)
            self._last_decision = decision.id

    async def _persist(self, plan: Plan) -> None:
        """Write ``plan`` (submitted at once: keep no await before this in a step)."""
        if not plan:
            return
        when = self._clock.now()
        try:
            messages = await self._database.writer.run(
                lambda c: self._fence(c) or _write(c, plan, when), quick=True
            )
        except NotLeader:
            self.leading = False
            log.warning("routing: another node leads now; this one stops routing")
            raise
        for message in messages:
            if message.type == "agent_state" and message.channel == outbox.FLOOR:
                agent_id = str(message.body["agent"])
                self._seen[agent_id] = max(self._seen.get(agent_id, 0), message.id)
        await self._publisher.publish(messages)

    def _fence(self, conn: Connection) -> None:
        """Refuse to write once another node's term has begun (runs first in each write)."""
        if not self._fenced:
            return
        row = store.leader_row(conn, lock=True)
        if row is None or row.holder != self.run_id or row.term != self.term:
            raise NotLeader("this node's routing term is over", field="leader")


def _kept(engine: Engine, decision_id: int) -> bool:
    try:
        engine.decision(decision_id)
    except UnknownId:
        return False
    return True


def _write(conn: Connection, plan: Plan, when: datetime) -> list[Message]:
    out: list[Message] = []
    for source, call_id, agent_id in plan.unroute:
        store.clear_routed_agent(conn, source, call_id, agent_id)
    for res, outcome, call in plan.ended:
        body = {
            "reservation": res.id,
            "call_id": call.call_id if call else res.item_id,
            "queue": res.queue,
            "outcome": outcome,
        }
        channel = outbox.agent_channel(res.agent_id)
        out.append(outbox.append(conn, channel, "offer_ended", body, when))
        if call is not None and outcome != "accepted":
            store.clear_routed_agent(conn, call.source, call.call_id, res.agent_id)
    for row, body in plan.decisions:
        store.add_decision(conn, row)
        out.append(outbox.append(conn, outbox.FLOOR, "routing_decision", body, when))
    for notice in plan.notices:
        out.append(outbox.append(conn, outbox.FLOOR, "routing_notice", notice, when))
    for res, call in plan.offers:
        current = store.agent_state(conn, res.agent_id)
        if current is not None and db_target("reserved", None, current[0]) is not None:
            out += agents.move_agent(conn, res.agent_id, "reserved", None, when, current=current)
        values = None
        if call.pop is not None:
            out.append(calls.write_pop(conn, res.agent_id, call.pop, when))
            values = {**call.pop.call_values(), "popped_agent": res.agent_id}
        store.set_routed_agent(conn, call.source, call.call_id, res.agent_id, values)
        offer: dict[str, Any] = {
            "reservation": res.id,
            "call_id": call.call_id,
            "queue": res.queue,
            "expires_at": _iso(res.expires_at),
            "decision": res.decision_id,
        }
        out.append(outbox.append(conn, outbox.agent_channel(res.agent_id), "offer", offer, when))
    for values in plan.new_callbacks:
        store.add_callback(conn, values)
    for callback_id, values in plan.callback_changes:
        store.set_callback(conn, callback_id, when, **values)
    for res, extra, move in plan.work_offers:
        if move:
            current = store.agent_state(conn, res.agent_id)
            if current is not None and db_target("reserved", None, current[0]) is not None:
                out += agents.move_agent(
                    conn, res.agent_id, "reserved", None, when, current=current
                )
        offer = {
            "reservation": res.id,
            "item": res.item_id,
            "call_id": None,
            "queue": res.queue,
            "expires_at": _iso(res.expires_at),
            "decision": res.decision_id,
            **extra,
        }
        out.append(outbox.append(conn, outbox.agent_channel(res.agent_id), "offer", offer, when))
    for row, body in plan.escalations:
        store.add_decision(conn, row)
        out.append(outbox.append(conn, outbox.FLOOR, "routing_escalation", body, when))
    for agent_id, state, reason in plan.agents:
        current = store.agent_state(conn, agent_id)
        if current is None:
            continue
        target = db_target(state, reason, current[0])
        if target is not None:
            out += agents.move_agent(conn, agent_id, *target, when, current=current)
    return out


class _Row:
    """A dict read like a database row."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _caller(row: Any) -> str:
    return str(row.from_number if row.direction == "inbound" else row.to_number)


# --- views ----------------------------------------------------------------------------------


def decision_detail(decision: Decision) -> dict[str, Any]:
    """A decision as recorded: requirement, step, strategy, the best few, the counts."""
    req = decision.requirement
    return {
        "decision": decision.id,
        "item": decision.item_id,
        "queue": decision.queue_id,
        "at": _iso(decision.at),
        "trigger": decision.trigger,
        "winner": decision.winner,
        "reservation": decision.reservation_id,
        "value_class": decision.value_class,
        "priority": decision.priority,
        "relaxation": {"step": decision.step, "label": decision.step_label},
        "strategy": decision.strategy,
        "requirement": {
            "channel": req.channel,
            "skills": dict(req.skills),
            "language": req.language,
            "teams": sorted(req.teams),
        },
        "top": [
            {
                "agent": agent_id,
                "rank": rank,
                "detail": describe(decision.strategy, key, decision.at),
            }
            for rank, (agent_id, key) in enumerate(decision.top, start=1)
        ],
        "eliminated": dict(decision.eliminated),
        "considered": decision.considered,
        "eligible": decision.eligible,
    }


def trace_view(trace: Trace) -> dict[str, Any]:
    """The full trace: every agent, ranked or with the rule that removed it, and why."""
    strategy = trace.decision.strategy
    first = trace.candidates[0] if trace.candidates and trace.candidates[0].rank == 1 else None
    candidates = []
    for c in trace.candidates:
        if c.rank == 1:
            why = f"{c.agent_id} got it: ranked first ({c.detail})"
        elif c.rule is not None:
            why = f"{c.agent_id} was not eligible: {c.rule} ({c.detail})"
        else:
            assert first is not None
            why = (
                f"{c.agent_id} ranked {c.rank} ({c.detail}); {first.agent_id} ranked first "
                f"({first.detail}) under {strategy}"
            )
        candidates.append(
            {
                "agent": c.agent_id,
                "rank": c.rank,
                "rule": c.rule,
                "detail": c.detail,
                "key": list(c.key) if c.key is not None else None,
                "why": why,
            }
        )
    return {
        "winner": trace.winner,
        "candidates": candidates,
        "eliminated": dict(trace.eliminated),
        "text": trace.render(),
    }


# --- in the server --------------------------------------------------------------------------


class ObservingPublisher:
    """The app's publisher, telling routing about each agent's state once it is delivered."""

    def __init__(self, inner: Publisher, service: RoutingService) -> None:
        self._inner = inner
        self._service = service

    async def publish(self, messages: Sequence[Message]) -> None:
        await self._inner.publish(messages)
        try:
            await self._service.observe(messages)
        except SwitchboardError as exc:
            log.warning("routing did not follow an agent's state: %s", exc.message)
        except Exception:
            log.exception("routing did not follow an agent's state")


ROUTING = web.AppKey("routing", RoutingService)
LEADERSHIP = web.AppKey("routing_leadership", Leadership)
# Optional: a phone system that can be told to put an accepted call through to the agent.
# Set it before the server starts; without it the phone system routes (PBX-driven flows).
TELEPHONY = web.AppKey("telephony_commands", TelephonyCommands)


async def routing_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the routing service and its loop run while the server does; on
    PostgreSQL only while this node holds the routing leadership."""
    service = RoutingService(
        app[DATABASE],
        app[CLOCK],
        app[PUBLISHER],
        region=app[SETTINGS].default_region,
        telephony=lambda: app.get(TELEPHONY),
    )
    leadership = Leadership(app[DATABASE])
    app[ROUTING] = service
    app[LEADERSHIP] = leadership
    app[PUBLISHER] = ObservingPublisher(app[PUBLISHER], service)
    if leadership.postgres:
        service.leading = False
        task = asyncio.create_task(lead(service, leadership), name="routing-leader")
        await service.first_term.wait()
    else:
        await service.start()
        task = asyncio.create_task(service.run(), name="routing-loop")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await leadership.release()


async def lead(
    service: RoutingService, leadership: Leadership, poll_s: float = LEADER_POLL_S
) -> None:
    """Until cancelled: take the routing leadership when it is free, route while it is held,
    stop routing the moment it is lost (the connection dropped, or a newer term began)."""
    loop: asyncio.Task[None] | None = None
    try:
        while True:
            try:
                if loop is None:
                    if await leadership.acquire():
                        try:
                            await service.lead(fenced=True)
                        except Exception:
                            log.exception("routing: taking the lead failed")
                            service.step_down()
                            await leadership.release()
                        else:
                            loop = asyncio.create_task(service.run(), name="routing-loop")
                elif not service.leading or not await leadership.held():
                    loop.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await loop
                    loop = None
                    service.step_down()
                    await leadership.release()
                    log.warning("routing: leadership lost; following")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("routing leadership loop")
            service.first_term.set()
            await asyncio.sleep(poll_s)
    finally:
        if loop is not None:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
