"""The routing engine: incremental, deterministic, explainable; no I/O and no clock.

Every method that depends on time takes ``now`` (float seconds on the caller's clock). The
usual driving loop, on every event and on a timer::

    engine.timeout(now)      # offers not answered in time: agent not_ready, item to the head
    engine.tick(now)         # relaxation steps, overflow, callback offers, wrap-up ends
    engine.offer_next(now)   # the new reservations to ring

(:meth:`Engine.advance` runs the three.) :meth:`offer_next` matches greedily in item order:
the best-ranked waiting item that some free agent qualifies for goes to the best of those
agents under its queue's strategy, until no free agent qualifies for any waiting item. It
only looks at what changed since the last call (items that arrived, came back, relaxed or
were escalated; agents that became free), through the indexes of :mod:`routing.engine.index`.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace

from routing.engine.index import (
    FREE,
    FULL,
    Bucket,
    ItemRecord,
    Pool,
    channel_status,
    static_rule,
)
from routing.engine.model import (
    ACTIVE,
    CAPACITY,
    DECLINED,
    ENGINE_STATES,
    MISSING_SKILL,
    OFFERED,
    ROUTABLE_STATES,
    SETTABLE_STATES,
    STATE,
    WAITING,
    Agent,
    ItemView,
    Notice,
    Queue,
    Requirement,
    Reservation,
    RoutingError,
    UnknownId,
    WorkItem,
)
from routing.engine.strategies import AGENT_ORDERS, Key, key_function, skill_key
from routing.engine.trace import Decision, Trace, build_trace

DONE = "done"
_EMPTY: frozenset[str] = frozenset()
_Rank = tuple[int, float, float, int]


@dataclass(frozen=True, slots=True)
class Advance:
    """What :meth:`Engine.advance` did."""

    expired: list[Reservation]
    notices: list[Notice]
    offers: list[Reservation]


_AGENT_FIELDS = tuple(f.name for f in fields(Agent))
_AGENT_FIELD_SET = frozenset(_AGENT_FIELDS)


def _evolve(agent: Agent, **changes: object) -> Agent:
    """``dataclasses.replace`` for the hot path: no __init__, a copy of the slots."""
    if not _AGENT_FIELD_SET.issuperset(changes):
        raise TypeError(f"Agent has no field {sorted(set(changes) - _AGENT_FIELD_SET)}")
    new: Agent = object.__new__(Agent)
    for name in _AGENT_FIELDS:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(agent, name))
    return new


def _discard(keys: list[Key], key: Key) -> None:
    index = bisect_left(keys, key)
    assert keys[index] == key, "ordered index out of step"
    del keys[index]


def _work_state(load: Mapping[str, int], offers: int) -> str:
    """The routable state that follows from what an agent holds."""
    if offers > 0:
        return "reserved"
    for units in load.values():
        if units > 0:
            return "on_call"
    return "available"


class Engine:
    """Routes work items to agents. Not thread-safe: drive it from one task."""

    def __init__(
        self,
        queues: Iterable[Queue] = (),
        *,
        history: int = 10_000,
        top: int = 5,
        record_misses: bool = True,
        scan_limit: int = 48,
    ) -> None:
        """``history``: decisions kept for explain(); ``top``: candidates kept per decision;
        ``record_misses``: keep decisions that found nobody too; ``scan_limit``: up to this
        many free candidates are scored one by one, beyond it the engine walks its ordered
        index of free agents (strategies whose order it can index)."""
        if history < 1 or top < 1 or scan_limit < 0:
            raise RoutingError("history and top must be >= 1, scan_limit >= 0")
        self._top = top
        self._scan_limit = scan_limit
        self._record_misses = record_misses
        self._queues: dict[str, Queue] = {}
        self._queue_buckets: dict[str, list[Bucket]] = {}
        self._agents: dict[str, Agent] = {}
        self._all: set[str] = set()
        self._by_skill: dict[str, set[str]] = {}
        self._by_team: dict[str, set[str]] = {}
        self._status: dict[str, dict[str, int]] = {}
        self._agent_pools: dict[str, dict[str, list[Pool]]] = {}
        self._agent_buckets: dict[str, dict[str, list[Bucket]]] = {}
        self._held: dict[str, dict[str, ItemRecord]] = {}
        self._free: dict[str, set[str]] = {}  # channel -> agents with a free unit of it
        self._full: dict[str, set[str]] = {}  # channel -> routable agents with none left
        self._off: dict[str, set[str]] = {}  # channel -> agents not in a routable state
        # (channel, strategy) or (channel, "skill", name) -> free agents' keys, sorted
        self._orders: dict[tuple[str, ...], list[Key]] = {}
        self._pools: dict[Requirement, Pool] = {}
        self._req_cache: dict[
            tuple[str, str, tuple[tuple[str, int], ...], str | None, int], Requirement
        ] = {}
        self._items: dict[str, ItemRecord] = {}
        self._reservations: dict[str, Reservation] = {}
        self._expiry: list[tuple[float, int, str]] = []
        self._relax: list[tuple[float, int, int, ItemRecord]] = []
        self._callbacks: list[tuple[float, int, int, ItemRecord]] = []
        self._wraps: list[tuple[float, int, str]] = []
        self._dirty_items: dict[str, ItemRecord] = {}
        self._dirty_agents: dict[str, set[str]] = {}  # agent -> channels that became free
        self._rr: dict[str, str] = {}
        self._labels: dict[tuple[str, int], str] = {}
        self._notices: list[Notice] = []
        self._decisions: deque[Decision] = deque(maxlen=history)
        self._hist: dict[str, tuple[list[int], list[Agent | None]]] = {}
        self._removed: set[str] = set()
        self._seq = 0
        self._item_seq = 0
        self._waiting = 0
        self._res_seq = 0
        self._decision_seq = 0
        self._now = 0.0
        for queue in queues:
            self.set_queue(queue)

    # --- queues --------------------------------------------------------------------------

    def set_queue(self, queue: Queue) -> None:
        """Add a queue or replace its configuration (its waiting items are re-ranked)."""
        queue.validate()
        queue = replace(queue, skills=dict(queue.skills), skill_weights=dict(queue.skill_weights))
        old = self._queues.get(queue.id)
        self._queues[queue.id] = queue
        if old is None:
            self._queue_buckets[queue.id] = []
            return
        self._req_cache = {k: v for k, v in self._req_cache.items() if k[0] != queue.id}
        self._labels.clear()
        for bucket in self._queue_buckets[queue.id]:
            bucket.rate = queue.ageing_per_min / 60.0
        for it in list(self._items.values()):
            if it.work.queue != queue.id:
                continue
            it.step = min(it.step, len(queue.relaxation))
            self._schedule_relax(it)
            self._schedule_callback(it)
            if it.status == WAITING:
                self._unplace(it)
                self._place(it)
                self._mark(it, "queue changed")

    def queue(self, queue_id: str) -> Queue:
        try:
            return self._queues[queue_id]
        except KeyError:
            raise UnknownId(f"no queue {queue_id!r}") from None

    # --- agents --------------------------------------------------------------------------

    def add_agent(self, agent: Agent) -> None:
        """Register an agent (in the state its record says, offline by default)."""
        agent.validate()
        if agent.id in self._agents:
            raise RoutingError(f"agent {agent.id!r} exists; use update_agent")
        if agent.load or agent.offers:
            raise RoutingError("an agent's load and offers are the engine's to count")
        agent = replace(
            agent,
            skills=dict(agent.skills),
            languages=frozenset(agent.languages),
            capacity=dict(agent.capacity),
            exclusive=frozenset(agent.exclusive),
            load={},
        )
        self._agents[agent.id] = agent
        self._removed.discard(agent.id)
        self._hist.setdefault(agent.id, ([], []))
        self._held[agent.id] = {}
        self._record(agent)
        self._index(agent)
        if agent.state == "wrap_up" and agent.wrap_until is not None:
            heapq.heappush(self._wraps, (agent.wrap_until, self._seq, agent.id))

    def update_agent(
        self,
        agent_id: str,
        *,
        skills: Mapping[str, int] | None = None,
        languages: Iterable[str] | None = None,
        team: str | None = None,
        capacity: Mapping[str, int] | None = None,
        exclusive: Iterable[str] | None = None,
    ) -> Agent:
        """Change what an agent can do (``team=""`` clears the team); the rest is kept."""
        old = self.agent(agent_id)
        new = replace(
            old,
            skills=dict(skills) if skills is not None else old.skills,
            languages=frozenset(languages) if languages is not None else old.languages,
            team=(team or None) if team is not None else old.team,
            capacity=dict(capacity) if capacity is not None else old.capacity,
            exclusive=frozenset(exclusive) if exclusive is not None else old.exclusive,
        )
        new.validate(new=False)
        for channel, used in new.load.items():
            if used > new.capacity.get(channel, 0):
                raise RoutingError(
                    f"agent {agent_id!r} holds {used} {channel} item(s); "
                    "capacity cannot drop below that"
                )
        self._unindex(old)
        self._agents[agent_id] = new
        self._record(new)
        self._index(new)
        return new

    def remove_agent(self, agent_id: str, now: float) -> list[str]:
        """Forget an agent; every item it held goes back to the head of its queue."""
        agent = self.agent(agent_id)
        self._now = now
        _, items, _, _ = self._take_back(agent_id, now, active_too=True)
        self._unindex(agent)
        del self._agents[agent_id]
        del self._status[agent_id]
        del self._agent_pools[agent_id]
        del self._agent_buckets[agent_id]
        del self._held[agent_id]
        self._dirty_agents.pop(agent_id, None)
        self._seq += 1
        seqs, views = self._hist[agent_id]
        seqs.append(self._seq)
        views.append(None)
        self._removed.add(agent_id)
        self._purge_removed()
        return items

    def set_state(
        self,
        agent_id: str,
        state: str,
        now: float,
        *,
        reason: str | None = None,
        until: float | None = None,
    ) -> list[str]:
        """Set a chosen state (available, break, not_ready, offline) or wrap_up.

        Leaving the routable states withdraws the agent's pending offers; going offline also
        hands back the work it accepted. Returns the ids of the items put back at the head of
        their queues. ``until`` ends a wrap_up at that time (else it lasts until the agent is
        set available). ``reason`` is kept with break, not_ready and offline.
        """
        if state in ENGINE_STATES:
            raise RoutingError(
                f"{state!r} follows from offers and accepted work; the engine sets it"
            )
        if state not in SETTABLE_STATES:
            raise RoutingError(f"unknown state {state!r}; use one of {sorted(SETTABLE_STATES)}")
        agent = self.agent(agent_id)
        self._now = now
        items: list[str] = []
        load: Mapping[str, int] = agent.load
        offers = agent.offers
        if state != "available":
            _, items, load, offers = self._take_back(agent_id, now, active_too=state == "offline")
            agent = self._agents[agent_id]
        new_state = _work_state(load, offers) if state == "available" else state
        wrap_until = until if state == "wrap_up" else None
        self._put(
            _evolve(
                agent,
                state=new_state,
                state_since=now if new_state != agent.state else agent.state_since,
                reason=reason if state in ("break", "not_ready", "offline") else None,
                last_idle_since=(
                    now
                    if new_state == "available" and agent.state != "available"
                    else agent.last_idle_since
                ),
                wrap_until=wrap_until,
                load=load,
                offers=offers,
            )
        )
        if wrap_until is not None:
            heapq.heappush(self._wraps, (wrap_until, self._seq, agent_id))
        return items

    def agent(self, agent_id: str) -> Agent:
        try:
            return self._agents[agent_id]
        except KeyError:
            raise UnknownId(f"no agent {agent_id!r}") from None

    def agents(self) -> list[Agent]:
        return [self._agents[aid] for aid in sorted(self._agents)]

    def held(self, agent_id: str) -> list[str]:
        """Ids of the items an agent holds (offered or accepted)."""
        self.agent(agent_id)
        return sorted(self._held[agent_id])

    # --- items ---------------------------------------------------------------------------

    def enqueue(self, item: WorkItem, now: float) -> None:
        """A new item waits in its queue (at the tail for its priority)."""
        item.validate()
        if item.queue not in self._queues:
            raise UnknownId(f"item {item.id!r}: no queue {item.queue!r}")
        if item.id in self._items:
            raise RoutingError(f"item {item.id!r} is already in the engine")
        self._now = now
        item = replace(
            item,
            skills=dict(item.skills),
            arrival=now if item.arrival is None else item.arrival,
        )
        self._item_seq += 1
        assert item.arrival is not None
        it = ItemRecord(item, item.arrival, self._item_seq, now)
        self._items[item.id] = it
        self._catch_up(it, now)
        self._schedule_relax(it)
        self._schedule_callback(it)
        self._place(it)
        self._mark(it, "arrival")

    def cancel(self, item_id: str, now: float | None = None) -> str:
        """The customer hung up (or the work was withdrawn): the item leaves wherever it is.

        A waiting item just goes; an offered one frees its agent; an accepted one ends as
        if completed. Returns the status it had.
        """
        it = self._item(item_id)
        now = self._now if now is None else now
        self._now = now
        status = it.status
        if status == ACTIVE:
            self.complete(item_id, now)
            return status
        if status == OFFERED:
            assert it.agent is not None
            assert it.reservation is not None
            del self._reservations[it.reservation]
            self._release(it.agent, it, now, offered=True)
        else:
            self._unplace(it)
            self._dirty_items.pop(item_id, None)
        self._forget(it)
        return status

    def complete(self, item_id: str, now: float, *, wrap_up_s: float | None = None) -> str:
        """Work on an accepted item is done; its agent goes to wrap-up or becomes free.

        ``wrap_up_s`` overrides the queue's; returns the agent's id.
        """
        it = self._item(item_id)
        if it.status != ACTIVE:
            raise RoutingError(
                f"item {item_id!r} is {it.status}, not accepted; cancel() withdraws it"
            )
        assert it.agent is not None
        assert it.accepted_at is not None
        self._now = now
        queue = self._queues.get(it.work.queue)
        wrap = wrap_up_s if wrap_up_s is not None else (queue.wrap_up_s if queue else 0.0)
        if wrap < 0:
            raise RoutingError("wrap_up_s must be >= 0")
        aid = it.agent
        self._release(aid, it, now, offered=False, wrap=wrap, busy=max(0.0, now - it.accepted_at))
        self._forget(it)
        return aid

    def escalate(
        self,
        item_id: str,
        to_priority: float | None = None,
        to_queue: str | None = None,
        *,
        now: float,
    ) -> None:
        """SLA warning or breach: raise the item's priority and/or move it to another queue.

        A new queue's relaxation steps start afresh from ``now``; the arrival time (and so
        the ageing) is kept. An offered or accepted item keeps its agent; the change counts
        if it comes back to a queue.
        """
        it = self._item(item_id)
        if to_queue is not None and to_queue not in self._queues:
            raise UnknownId(f"no queue {to_queue!r}")
        self._now = now
        work = it.work
        if to_priority is not None:
            work = replace(work, priority=to_priority)
        if to_queue is not None and to_queue != work.queue:
            work = replace(work, queue=to_queue)
            it.entered_at = now
            it.step = 0
        changed_queue = work.queue != it.work.queue
        it.work = work
        if changed_queue:
            self._schedule_relax(it)
            self._schedule_callback(it)
        if it.status == WAITING:
            self._unplace(it)
            self._place(it)
            self._mark(it, "escalated")
        else:
            it.requirement = self._requirement(self._queues[work.queue], it)

    def item(self, item_id: str) -> ItemView:
        it = self._item(item_id)
        assert it.requirement is not None
        return ItemView(
            item=it.work,
            status=it.status,
            queue_entered_at=it.entered_at,
            step=it.step,
            at_head=it.head,
            agent_id=it.agent,
            reservation_id=it.reservation,
            declined_by=frozenset(it.declined),
            requirement=it.requirement,
        )

    def items(self) -> list[ItemView]:
        """Every live item (waiting, offered or accepted), by id."""
        return [self.item(iid) for iid in sorted(self._items)]

    def waiting_count(self) -> int:
        """How many items wait (cheap)."""
        return self._waiting

    def waiting(self, now: float, queue: str | None = None) -> list[str]:
        """Ids of the waiting items, best first (a full sort: for views, not the hot path)."""
        waiting = [
            it
            for it in self._items.values()
            if it.status == WAITING and (queue is None or it.work.queue == queue)
        ]
        waiting.sort(key=lambda it: self._rank(it, now))
        return [it.work.id for it in waiting]

    # --- offers --------------------------------------------------------------------------

    def offer_next(self, now: float) -> list[Reservation]:
        """Match waiting items with free agents; returns the new reservations."""
        self._now = now
        offers: list[Reservation] = []
        while self._dirty_items or self._dirty_agents:
            self._match(now, offers)
        return offers

    def accept(self, reservation_id: str, now: float) -> Reservation:
        """The agent took the offer (even past its expiry, as long as timeout() has not run)."""
        res = self._reservation(reservation_id)
        self._now = now
        del self._reservations[reservation_id]
        it = self._items[res.item_id]
        it.status = ACTIVE
        it.accepted_at = now
        it.reservation = None
        agent = self._agents[res.agent_id]
        offers = agent.offers - 1
        state = _work_state(agent.load, offers) if agent.state in ROUTABLE_STATES else agent.state
        self._put(
            _evolve(
                agent,
                offers=offers,
                state=state,
                state_since=now if state != agent.state else agent.state_since,
            )
        )
        return res

    def reject(self, reservation_id: str, now: float) -> Reservation:
        """The agent declined: the item goes back to the head and is not offered to it again."""
        res = self._reservation(reservation_id)
        self._now = now
        del self._reservations[reservation_id]
        it = self._items[res.item_id]
        self._release(res.agent_id, it, now, offered=True)
        it.declined.add(res.agent_id)
        self._requeue(it, now, "rejected")
        return res

    def timeout(self, now: float) -> list[Reservation]:
        """Offers unanswered by ``now``: the agent becomes not_ready (reason ``missed_offer``),
        its other pending offers are withdrawn too, and every such item goes back to the head
        of its queue. Returns the reservations ended."""
        self._now = now
        ended: list[Reservation] = []
        while self._expiry and self._expiry[0][0] <= now:
            _, _, rid = heapq.heappop(self._expiry)
            res = self._reservations.get(rid)
            if res is None:
                continue
            aid = res.agent_id
            withdrawn, _, load, offers = self._take_back(aid, now, active_too=False)
            ended.extend(withdrawn)
            agent = self._agents[aid]
            self._put(
                _evolve(
                    agent,
                    state="not_ready",
                    state_since=now,
                    reason="missed_offer",
                    wrap_until=None,
                    load=load,
                    offers=offers,
                    missed=agent.missed + 1,
                )
            )
        return ended

    def reservations(self) -> list[Reservation]:
        return sorted(self._reservations.values(), key=lambda r: (r.offered_at, r.id))

    def tick(self, now: float) -> list[Notice]:
        """Let time pass: relaxation steps and overflow, callback offers, wrap-up ends.

        Ageing needs no work here: ranks are computed from ``now`` when decisions are made.
        Returns the notices since the last tick (steps applied when items came back to a
        queue included).
        """
        self._now = now
        while self._wraps and self._wraps[0][0] <= now:
            until, _, aid = heapq.heappop(self._wraps)
            agent = self._agents.get(aid)
            if agent is None or agent.state != "wrap_up" or agent.wrap_until != until:
                continue
            state = _work_state(agent.load, agent.offers)
            self._put(
                _evolve(
                    agent,
                    state=state,
                    state_since=until,
                    wrap_until=None,
                    last_idle_since=until if state == "available" else agent.last_idle_since,
                )
            )
            self._notices.append(Notice("wrap_up_ended", until, agent_id=aid))
        while self._relax and self._relax[0][0] <= now:
            _, _, version, it = heapq.heappop(self._relax)
            if it.relax_version != version or it.status != WAITING:
                continue
            if self._catch_up(it, now):
                self._unplace(it)
                self._place(it)
                self._mark(it, "relaxed")
            self._schedule_relax(it)
        while self._callbacks and self._callbacks[0][0] <= now:
            due, _, version, it = heapq.heappop(self._callbacks)
            if it.cb_version != version or it.status != WAITING or it.callback_done:
                continue
            it.callback_done = True
            self._notices.append(
                Notice("callback_offer", due, item_id=it.work.id, detail=it.work.queue)
            )
        notices, self._notices = self._notices, []
        return notices

    def advance(self, now: float) -> Advance:
        """timeout(), tick() and offer_next() in that order."""
        expired = self.timeout(now)
        notices = self.tick(now)
        return Advance(expired, notices, self.offer_next(now))

    # --- decisions and traces ------------------------------------------------------------

    def decision(self, decision_id: int) -> Decision:
        if self._decisions:
            index = decision_id - self._decisions[0].id
            if 0 <= index < len(self._decisions):
                return self._decisions[index]
        raise UnknownId(f"decision {decision_id} is unknown or no longer kept")

    def decisions(self, last: int | None = None) -> list[Decision]:
        kept = list(self._decisions)
        return kept if last is None else kept[-last:]

    def explain(self, decision_id: int) -> Trace:
        """The full trace of a kept decision, rebuilt from the agents' records of then."""
        decision = self.decision(decision_id)
        return build_trace(decision, self._agents_at(decision.seq))

    def explain_item(self, item_id: str, now: float) -> Trace:
        """What a decision for this waiting item would see now (nothing is recorded)."""
        it = self._item(item_id)
        if it.status != WAITING:
            raise RoutingError(f"item {item_id!r} is {it.status}, not waiting")
        decision = self._decision_record(it, now, "explain", None, None, (), {}, 0, -1)
        return build_trace(decision, self._agents)

    # --- internals: agents -----------------------------------------------------------------

    def _record(self, agent: Agent) -> None:
        self._seq += 1
        seqs, views = self._hist[agent.id]
        seqs.append(self._seq)
        views.append(agent)
        if len(seqs) > 64:
            oldest = self._decisions[0].seq if self._decisions else self._seq
            cut = bisect_right(seqs, oldest) - 1
            if cut > 0:
                del seqs[:cut]
                del views[:cut]

    def _purge_removed(self) -> None:
        oldest = self._decisions[0].seq if self._decisions else self._seq + 1
        for aid in list(self._removed):
            seqs, _ = self._hist[aid]
            if seqs[-1] < oldest:
                del self._hist[aid]
                self._removed.discard(aid)

    def _agents_at(self, seq: int) -> dict[str, Agent]:
        out: dict[str, Agent] = {}
        for aid, (seqs, views) in self._hist.items():
            i = bisect_right(seqs, seq) - 1
            if i >= 0:
                view = views[i]
                if view is not None:
                    out[aid] = view
        return out

    def _put(self, new: Agent) -> None:
        """Store a changed record (same skills) and move the agent between free/full/off."""
        aid = new.id
        before = self._agents[aid]
        self._agents[aid] = new
        self._record(new)
        statuses = self._status[aid]
        for channel in new.capacity:
            status = channel_status(new, channel)
            old = statuses.get(channel)
            if status != old:
                statuses[channel] = status
                self._move(aid, channel, old, status)
            if old == FREE or status == FREE:
                self._reorder(
                    channel, before if old == FREE else None, new if status == FREE else None
                )

    def _reorder(self, channel: str, old: Agent | None, new: Agent | None) -> None:
        """Keep the channel's ordered indexes of free agents: ``old`` out, ``new`` in."""
        orders = self._orders
        for strategy, keyfn in AGENT_ORDERS.items():
            old_key = keyfn(old) if old is not None else None
            new_key = keyfn(new) if new is not None else None
            if old_key != new_key:
                keys = orders.setdefault((channel, strategy), [])
                if old_key is not None:
                    _discard(keys, old_key)
                if new_key is not None:
                    insort(keys, new_key)
        names = set(old.skills if old is not None else ()) | set(
            new.skills if new is not None else ()
        )
        for name in names:
            old_key = skill_key(old, name) if old is not None and name in old.skills else None
            new_key = skill_key(new, name) if new is not None and name in new.skills else None
            if old_key != new_key:
                keys = orders.setdefault((channel, "skill", name), [])
                if old_key is not None:
                    _discard(keys, old_key)
                if new_key is not None:
                    insort(keys, new_key)

    def _move(self, aid: str, channel: str, old: int | None, new: int | None) -> None:
        """Move between the channel's free, full and off sets (None: in none of them)."""
        if channel not in self._free:
            self._free[channel], self._full[channel], self._off[channel] = set(), set(), set()
        if old is None:
            pass
        elif old == FREE:
            self._free[channel].discard(aid)
        elif old == FULL:
            self._full[channel].discard(aid)
        else:
            self._off[channel].discard(aid)
        if new is None:
            return
        if new == FREE:
            self._free[channel].add(aid)
            if self._agent_pools[aid].get(channel):
                self._dirty_agents.setdefault(aid, set()).add(channel)
        elif new == FULL:
            self._full[channel].add(aid)
        else:
            self._off[channel].add(aid)

    def _index(self, agent: Agent) -> None:
        aid = agent.id
        self._all.add(aid)
        for skill in agent.skills:
            self._by_skill.setdefault(skill, set()).add(aid)
        if agent.team is not None:
            self._by_team.setdefault(agent.team, set()).add(aid)
        self._status[aid] = {}
        self._agent_pools[aid] = {}
        self._agent_buckets[aid] = {}
        for pool in self._pools.values():
            rule = static_rule(agent, pool.req)
            if rule is None:
                self._join(pool, aid)
            else:
                pool.count(rule, 1)
        statuses = self._status[aid]
        for channel in agent.capacity:
            status = channel_status(agent, channel)
            statuses[channel] = status
            self._move(aid, channel, None, status)
            if status == FREE:
                self._reorder(channel, None, agent)

    def _unindex(self, agent: Agent) -> None:
        aid = agent.id
        self._all.discard(aid)
        for skill in agent.skills:
            self._by_skill[skill].discard(aid)
        if agent.team is not None:
            self._by_team[agent.team].discard(aid)
        for channel, status in self._status[aid].items():
            self._move(aid, channel, status, None)
            if status == FREE:
                self._reorder(channel, agent, None)
        self._status[aid] = {}
        for pool in self._pools.values():
            if aid in pool.qualified:
                pool.qualified.discard(aid)
            else:
                rule = static_rule(agent, pool.req)
                assert rule is not None
                pool.count(rule, -1)
        self._dirty_agents.pop(aid, None)

    def _join(self, pool: Pool, aid: str) -> None:
        channel = pool.req.channel
        pool.qualified.add(aid)
        self._agent_pools[aid].setdefault(channel, []).append(pool)
        self._agent_buckets[aid].setdefault(channel, []).extend(pool.buckets.values())

    def _release(
        self,
        aid: str,
        it: ItemRecord,
        now: float,
        *,
        offered: bool,
        wrap: float = 0.0,
        busy: float = 0.0,
    ) -> None:
        """One unit of the agent comes back (offer withdrawn, or work done when not offered)."""
        del self._held[aid][it.work.id]
        agent = self._agents[aid]
        load = dict(agent.load)
        load[it.work.channel] -= 1
        if not load[it.work.channel]:
            del load[it.work.channel]
        offers = agent.offers - (1 if offered else 0)
        completed = not offered
        state = agent.state
        wrap_until = agent.wrap_until
        holds_more = offers > 0 or any(units > 0 for units in load.values())
        if completed and wrap > 0 and state in ROUTABLE_STATES and not holds_more:
            state, wrap_until = "wrap_up", now + wrap
        elif completed and wrap > 0 and state == "wrap_up" and wrap_until is not None:
            wrap_until = max(wrap_until, now + wrap)
        elif state in ROUTABLE_STATES:
            state = _work_state(load, offers)
        self._put(
            _evolve(
                agent,
                state=state,
                state_since=now if state != agent.state else agent.state_since,
                wrap_until=wrap_until,
                last_idle_since=(
                    now
                    if state == "available" and agent.state != "available"
                    else agent.last_idle_since
                ),
                load=load,
                offers=offers,
                handled=agent.handled + (1 if completed else 0),
                busy_s=agent.busy_s + busy,
            )
        )
        if wrap_until is not None and wrap_until != agent.wrap_until:
            heapq.heappush(self._wraps, (wrap_until, self._seq, aid))

    def _take_back(
        self, aid: str, now: float, *, active_too: bool
    ) -> tuple[list[Reservation], list[str], dict[str, int], int]:
        """Withdraw the agent's pending offers (and its accepted work when ``active_too``);
        the items go back to the head. The agent's record is left for the caller to update
        with the returned load and offer count."""
        agent = self._agents[aid]
        load = dict(agent.load)
        offers = agent.offers
        withdrawn: list[Reservation] = []
        items: list[str] = []
        held = self._held[aid]
        for item_id in sorted(held):
            it = held[item_id]
            if it.status == OFFERED:
                assert it.reservation is not None
                withdrawn.append(self._reservations.pop(it.reservation))
                offers -= 1
            elif not active_too:
                continue
            del held[item_id]
            load[it.work.channel] -= 1
            if not load[it.work.channel]:
                del load[it.work.channel]
            items.append(item_id)
            self._requeue(it, now, "withdrawn")
        return withdrawn, items, load, offers

    # --- internals: items ----------------------------------------------------------------

    def _item(self, item_id: str) -> ItemRecord:
        try:
            return self._items[item_id]
        except KeyError:
            raise UnknownId(f"no live item {item_id!r}") from None

    def _reservation(self, reservation_id: str) -> Reservation:
        try:
            return self._reservations[reservation_id]
        except KeyError:
            raise UnknownId(f"no pending reservation {reservation_id!r}") from None

    def _forget(self, it: ItemRecord) -> None:
        it.status = DONE
        it.agent = None
        it.reservation = None
        del self._items[it.work.id]

    def _mark(self, it: ItemRecord, trigger: str) -> None:
        it.trigger = trigger
        self._dirty_items[it.work.id] = it

    def _requirement(self, queue: Queue, it: ItemRecord) -> Requirement:
        work = it.work
        cache_key = (queue.id, work.channel, it.skill_sig, work.language, it.step)
        req = self._req_cache.get(cache_key)
        if req is not None:
            return req
        skills = dict(queue.skills)
        for name, minimum in it.skill_sig:
            skills[name] = max(skills.get(name, 0), minimum)
        language = work.language
        teams: set[str] = set()
        for step in queue.relaxation[: it.step]:
            if step.overflow_to is not None:
                continue
            if step.min_proficiency is not None:
                floor = step.min_proficiency
                skills = {name: min(level, floor) for name, level in skills.items()}
            if step.drop_language:
                language = None
            if step.team is not None:
                teams.add(step.team)
        req = Requirement(work.channel, tuple(sorted(skills.items())), language, frozenset(teams))
        self._req_cache[cache_key] = req
        return req

    def _pool(self, req: Requirement) -> Pool:
        pool = self._pools.get(req)
        if pool is not None:
            return pool
        pool = Pool(req)
        self._pools[req] = pool
        if req.skills:
            sets = sorted((self._by_skill.get(name, set()) for name, _ in req.skills), key=len)
            having = set(sets[0])
            for more in sets[1:]:
                having &= more
        else:
            having = set(self._all)
        for team in req.teams:
            having |= self._by_team.get(team, set())
        missing = len(self._all) - len(having)
        if missing:
            pool.count(MISSING_SKILL, missing)
        for aid in having:
            rule = static_rule(self._agents[aid], req)
            if rule is None:
                self._join(pool, aid)
            else:
                pool.count(rule, 1)
        return pool

    def _place(self, it: ItemRecord) -> None:
        queue = self._queues[it.work.queue]
        req = self._requirement(queue, it)
        pool = self._pool(req)
        bucket = pool.buckets.get(queue.id)
        if bucket is None:
            bucket = Bucket(queue.id, pool, queue.ageing_per_min / 60.0)
            pool.buckets[queue.id] = bucket
            self._queue_buckets[queue.id].append(bucket)
            for aid in pool.qualified:
                self._agent_buckets[aid].setdefault(req.channel, []).append(bucket)
        boost = queue.a_class_boost if it.work.value_class == "A" else 0.0
        it.key = bucket.rate * it.arrival - (it.work.priority + boost)
        it.requirement = req
        it.status = WAITING
        it.version += 1
        it.bucket = bucket
        bucket.push(it)
        self._waiting += 1

    def _unplace(self, it: ItemRecord) -> None:
        bucket = it.bucket
        if bucket is None:
            return
        it.bucket = None
        it.version += 1
        bucket.live -= 1
        self._waiting -= 1
        if not bucket.live:
            bucket.heap.clear()

    def _requeue(self, it: ItemRecord, now: float, trigger: str) -> None:
        """Back to the head of its queue (after a reject, a missed offer or a logout)."""
        it.agent = None
        it.reservation = None
        it.accepted_at = None
        it.head = True
        self._catch_up(it, now)
        self._schedule_relax(it)
        if not it.callback_done:
            self._schedule_callback(it)
        self._place(it)
        self._mark(it, trigger)

    def _catch_up(self, it: ItemRecord, now: float) -> bool:
        """Apply the relaxation steps due by ``now`` (overflow included); True if any."""
        changed = False
        queue = self._queues[it.work.queue]
        while it.step < len(queue.relaxation):
            step = queue.relaxation[it.step]
            due = it.entered_at + step.after_s
            if due > now:
                break
            changed = True
            target = None if step.overflow_to is None else self._queues.get(step.overflow_to)
            if target is None:
                it.step += 1
                detail = (
                    step.describe()
                    if step.overflow_to is None
                    else (f"overflow to unknown queue {step.overflow_to} skipped")
                )
                self._notices.append(
                    Notice("relaxed", due, item_id=it.work.id, detail=f"step {it.step}: {detail}")
                )
                continue
            self._notices.append(
                Notice(
                    "overflowed",
                    due,
                    item_id=it.work.id,
                    detail=f"{it.work.queue} -> {target.id}",
                )
            )
            it.work = replace(it.work, queue=target.id)
            it.entered_at = due
            it.step = 0
            queue = target
            self._schedule_callback(it)
        return changed

    def _schedule_relax(self, it: ItemRecord) -> None:
        it.relax_version += 1
        steps = self._queues[it.work.queue].relaxation
        if it.step < len(steps):
            due = it.entered_at + steps[it.step].after_s
            heapq.heappush(self._relax, (due, it.seq, it.relax_version, it))

    def _schedule_callback(self, it: ItemRecord) -> None:
        it.cb_version += 1
        max_wait = self._queues[it.work.queue].max_wait_s
        if it.work.kind == "call" and max_wait is not None and not it.callback_done:
            heapq.heappush(self._callbacks, (it.arrival + max_wait, it.seq, it.cb_version, it))

    @staticmethod
    def _rank(it: ItemRecord, now: float) -> _Rank:
        """Smaller is served first: back-at-head items, then score now, then arrival."""
        assert it.bucket is not None
        return (0 if it.head else 1, it.key - it.bucket.rate * now, it.arrival, it.seq)

    # --- internals: matching -------------------------------------------------------------

    def _match(self, now: float, offers: list[Reservation]) -> None:
        dirty_items, self._dirty_items = self._dirty_items, {}
        dirty_agents, self._dirty_agents = self._dirty_agents, {}
        heap: list[tuple[_Rank, ItemRecord]] = []
        in_heap: set[str] = set()
        for it in dirty_items.values():
            if it.status == WAITING:
                heap.append((self._rank(it, now), it))
                in_heap.add(it.work.id)
        heapq.heapify(heap)
        seeders: dict[str, list[tuple[str, set[str]]]] = {}
        tried: set[str] = set()
        for aid, channels in dirty_agents.items():
            if aid in self._agents:
                self._seed(aid, channels, now, heap, in_heap, seeders, tried)
        while heap:
            _, it = heapq.heappop(heap)
            item_id = it.work.id
            in_heap.discard(item_id)
            seeds = seeders.pop(item_id, None)
            if it.status == WAITING:
                if seeds and item_id not in dirty_items:
                    trigger = f"agent {seeds[0][0]} free"
                else:
                    trigger = it.trigger
                res = self._decide(it, now, trigger)
                if res is None:
                    tried.add(item_id)
                else:
                    offers.append(res)
            for aid, channels in seeds or ():
                self._seed(aid, channels, now, heap, in_heap, seeders, tried)

    def _seed(
        self,
        aid: str,
        channels: set[str],
        now: float,
        heap: list[tuple[_Rank, ItemRecord]],
        in_heap: set[str],
        seeders: dict[str, list[tuple[str, set[str]]]],
        tried: set[str],
    ) -> None:
        """Queue the best item ``aid`` could take on ``channels`` (a free agent's event)."""
        it = self._best_item_for(aid, channels, now)
        if it is None or it.work.id in tried:
            return
        seeders.setdefault(it.work.id, []).append((aid, channels))
        if it.work.id not in in_heap:
            in_heap.add(it.work.id)
            heapq.heappush(heap, (self._rank(it, now), it))

    def _best_item_for(self, aid: str, channels: set[str], now: float) -> ItemRecord | None:
        """The best-ranked waiting item on ``channels`` that ``aid`` may take now."""
        statuses = self._status[aid]
        by_channel = self._agent_buckets[aid]
        best: ItemRecord | None = None
        best_rank: _Rank | None = None
        for channel in channels:
            if statuses.get(channel) != FREE:
                continue
            for bucket in by_channel.get(channel, ()):
                if not bucket.live:
                    continue
                entry = bucket.heap[0]
                it = entry[5]
                if entry[4] != it.version or it.bucket is not bucket:
                    found = bucket.head()
                    if found is None:
                        continue
                    entry, it = found, found[5]
                if it.declined and aid in it.declined:
                    later = next((e[5] for e in bucket.ordered() if aid not in e[5].declined), None)
                    if later is None:
                        continue
                    it = later
                    rank = self._rank(it, now)
                else:
                    rank = (entry[0], entry[1] - bucket.rate * now, entry[2], entry[3])
                if best_rank is None or rank < best_rank:
                    best, best_rank = it, rank
        return best

    def _decide(self, it: ItemRecord, now: float, trigger: str) -> Reservation | None:
        bucket = it.bucket
        assert bucket is not None
        pool = bucket.pool
        queue = self._queues[bucket.queue_id]
        strategy = (
            queue.a_class_strategy
            if it.work.value_class == "A" and queue.a_class_strategy
            else queue.strategy
        )
        channel = pool.req.channel
        free = pool.qualified & self._free.get(channel, _EMPTY)
        declined = it.declined
        n_declined = len(free & declined) if declined else 0
        eligible = len(free) - n_declined
        top: list[tuple[Key, str]] = []
        if eligible:
            rr_last = self._rr.get(queue.id)
            keyfn = key_function(strategy, queue, pool.req, now, rr_last)
            order = self._order_for(strategy, pool.req, rr_last)
            if order is None or eligible <= self._scan_limit:
                agents = self._agents
                if declined:
                    scored = [(keyfn(agents[a]), a) for a in free if a not in declined]
                else:
                    scored = [(keyfn(agents[a]), a) for a in free]
                top = heapq.nsmallest(self._top, scored)
            else:
                top = self._walk(order, free, declined, keyfn)
        winner = top[0][1] if top else None
        if winner is None and not self._record_misses:
            return None
        self._decision_seq += 1
        decision_id = self._decision_seq
        res_id = f"R{self._res_seq + 1}" if winner is not None else None
        eliminated = {rule: n for rule, n in pool.static_counts.items() if n}
        full, off = self._full.get(channel, _EMPTY), self._off.get(channel, _EMPTY)
        if len(full) <= len(off):
            n_full = len(pool.qualified & full)
            n_off = len(pool.qualified) - len(free) - n_full
        else:
            n_off = len(pool.qualified & off)
            n_full = len(pool.qualified) - len(free) - n_off
        if n_off:
            eliminated[STATE] = n_off
        if n_full:
            eliminated[CAPACITY] = n_full
        if n_declined:
            eliminated[DECLINED] = n_declined
        decision = self._decision_record(
            it,
            now,
            trigger,
            winner,
            res_id,
            tuple((aid, key) for key, aid in top),
            eliminated,
            eligible,
            decision_id,
            strategy=strategy,
        )
        self._decisions.append(decision)
        if winner is None:
            return None
        return self._offer(it, winner, now, queue, decision_id, strategy)

    def _order_for(
        self, strategy: str, req: Requirement, rr_last: str | None
    ) -> tuple[list[Key], int] | None:
        """The ordered index that lists free agents in ``strategy``'s order, and where to
        start walking it; None when the order depends on more than the agent."""
        if strategy in AGENT_ORDERS:
            keys = self._orders.get((req.channel, strategy), [])
            start = 0
            if strategy == "round_robin" and rr_last is not None:
                start = bisect_right(keys, (rr_last,))
            return keys, start
        if strategy == "most_skilled" and not req.skills:  # every sum is 0: longest idle
            return self._orders.get((req.channel, "longest_idle"), []), 0
        if strategy == "most_skilled" and len(req.skills) == 1 and not req.teams:
            return self._orders.get((req.channel, "skill", req.skills[0][0]), []), 0
        return None

    def _walk(
        self,
        order: tuple[list[Key], int],
        free: set[str],
        declined: set[str],
        keyfn: Callable[[Agent], Key],
    ) -> list[tuple[Key, str]]:
        """The first ``top`` candidates along an ordered index (wrapping round from start)."""
        keys, start = order
        top: list[tuple[Key, str]] = []
        want = self._top
        agents = self._agents
        for index in itertools.chain(range(start, len(keys)), range(start)):
            aid = keys[index][-1]
            assert isinstance(aid, str)
            if aid in free and aid not in declined:
                top.append((keyfn(agents[aid]), aid))
                if len(top) == want:
                    break
        return top

    def _decision_record(
        self,
        it: ItemRecord,
        now: float,
        trigger: str,
        winner: str | None,
        reservation_id: str | None,
        top: tuple[tuple[str, Key], ...],
        eliminated: dict[str, int],
        eligible: int,
        decision_id: int,
        *,
        strategy: str | None = None,
    ) -> Decision:
        assert it.bucket is not None
        assert it.requirement is not None
        queue = self._queues[it.bucket.queue_id]
        if strategy is None:
            strategy = (
                queue.a_class_strategy
                if it.work.value_class == "A" and queue.a_class_strategy
                else queue.strategy
            )
        label = self._labels.get((queue.id, it.step))
        if label is None:
            steps = [s.describe() for s in queue.relaxation[: it.step] if s.overflow_to is None]
            label = f"step {it.step}" + (f": {'; '.join(steps)}" if steps else " (none)")
            self._labels[(queue.id, it.step)] = label
        return Decision(
            id=decision_id,
            at=now,
            seq=self._seq,
            item_id=it.work.id,
            queue_id=queue.id,
            value_class=it.work.value_class,
            priority=it.work.priority,
            step=it.step,
            step_label=label,
            requirement=it.requirement,
            strategy=strategy,
            trigger=trigger,
            winner=winner,
            reservation_id=reservation_id,
            top=top,
            eliminated=eliminated,
            considered=len(self._agents),
            eligible=eligible,
            declined=frozenset(it.declined),
            rr_last=self._rr.get(queue.id),
            queue=queue,
        )

    def _offer(
        self,
        it: ItemRecord,
        aid: str,
        now: float,
        queue: Queue,
        decision_id: int,
        strategy: str,
    ) -> Reservation:
        self._res_seq += 1
        res = Reservation(
            id=f"R{self._res_seq}",
            item_id=it.work.id,
            agent_id=aid,
            channel=it.work.channel,
            queue=queue.id,
            offered_at=now,
            timeout_s=queue.offer_timeout_s,
            decision_id=decision_id,
        )
        self._unplace(it)
        it.status = OFFERED
        it.agent = aid
        it.reservation = res.id
        it.head = False
        self._held[aid][it.work.id] = it
        self._reservations[res.id] = res
        heapq.heappush(self._expiry, (res.expires_at, self._res_seq, res.id))
        if strategy == "round_robin":
            self._rr[queue.id] = aid
        agent = self._agents[aid]
        load = dict(agent.load)
        load[res.channel] = load.get(res.channel, 0) + 1
        offers = agent.offers + 1
        state = _work_state(load, offers)
        self._put(
            _evolve(
                agent,
                state=state,
                state_since=now if state != agent.state else agent.state_since,
                last_idle_since=now,
                load=load,
                offers=offers,
            )
        )
        return res
