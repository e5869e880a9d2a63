"""The routing engine's types: agents, work items, queues, relaxation steps, reservations.

Pure data (standard library only). Times are ``float`` seconds on one clock the caller
chooses (``time.time()`` or a monotonic clock); the engine never reads a clock itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.model import AGENT_STATES, CHOSEN_STATES

# States in which an agent may be offered work (when it has a free unit on the channel).
# "reserved" and "on_call" are set by the engine only: reserved while an offer is pending,
# on_call while it holds accepted work.
ROUTABLE_STATES = frozenset({"available", "reserved", "on_call"})
# States set_state() accepts: the ones an agent or supervisor chooses, plus wrap_up.
SETTABLE_STATES = CHOSEN_STATES | {"wrap_up"}
ENGINE_STATES = AGENT_STATES - SETTABLE_STATES  # reserved, on_call

KINDS = frozenset({"call", "ticket", "callback"})
VALUE_CLASSES = ("A", "B", "C")
STRATEGIES = ("longest_idle", "most_skilled", "least_occupied", "round_robin", "weighted")
MIN_LEVEL, MAX_LEVEL = 1, 5

# Item statuses.
WAITING = "waiting"
OFFERED = "offered"
ACTIVE = "active"

# Why an agent was not chosen, in the order they are checked (the first that applies names it).
MISSING_SKILL = "missing_skill"
PROFICIENCY = "proficiency"
LANGUAGE = "language"
CHANNEL = "channel"  # the agent has no capacity at all for the item's channel
STATE = "state"  # offline, break, not_ready, wrap_up
CAPACITY = "capacity"  # every unit of the channel is taken (or an exclusive channel is busy)
DECLINED = "declined"  # the agent rejected this item before
RULES = (MISSING_SKILL, PROFICIENCY, LANGUAGE, CHANNEL, STATE, CAPACITY, DECLINED)


class RoutingError(ValueError):
    """A request the engine refuses: bad input, or a transition that makes no sense."""


class UnknownId(RoutingError, LookupError):
    """No agent, item, queue, reservation or decision with that id."""


def _check_levels(what: str, levels: Mapping[str, int]) -> None:
    for name, level in levels.items():
        if not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
            raise RoutingError(
                f"{what}: skill {name!r} has level {level!r}; levels are {MIN_LEVEL}-{MAX_LEVEL}"
            )


@dataclass(frozen=True, slots=True)
class Agent:
    """One agent. Immutable: the engine replaces the record on every change.

    ``skills`` maps a skill to a proficiency 1-5. ``capacity`` maps a channel to how many
    items of it the agent handles at once (voice 1, chat 3, ticket 5). Channels listed in
    ``exclusive`` are never mixed: while the agent holds work on one of them, the others in
    the set are closed (e.g. ``{"voice", "chat"}``: no chats during a call). ``load`` counts
    the units in use per channel (offered or accepted); ``offers`` the pending offers.
    ``last_idle_since`` is when the agent last became free or was last offered work, whichever
    is later: the longest-idle strategy prefers the smallest value.
    """

    id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    team: str | None = None
    capacity: Mapping[str, int] = field(default_factory=lambda: {"voice": 1})
    exclusive: frozenset[str] = frozenset()
    state: str = "offline"
    state_since: float = 0.0
    reason: str | None = None
    last_idle_since: float = 0.0
    wrap_until: float | None = None
    load: Mapping[str, int] = field(default_factory=dict)
    offers: int = 0
    handled: int = 0
    busy_s: float = 0.0
    missed: int = 0

    def free_units(self, channel: str) -> int:
        """Units of ``channel`` the agent could still take, ignoring its state."""
        if self.exclusive and channel in self.exclusive:
            for other in self.exclusive:
                if other != channel and self.load.get(other, 0) > 0:
                    return 0
        return max(0, self.capacity.get(channel, 0) - self.load.get(channel, 0))

    def validate(self, *, new: bool = True) -> None:
        if not self.id:
            raise RoutingError("an agent needs an id")
        _check_levels(f"agent {self.id!r}", self.skills)
        for channel, units in self.capacity.items():
            if not isinstance(units, int) or units < 0:
                raise RoutingError(
                    f"agent {self.id!r}: capacity of {channel!r} must be a whole number >= 0"
                )
        if new and self.state not in SETTABLE_STATES:
            raise RoutingError(
                f"agent {self.id!r}: state {self.state!r} cannot be set; "
                f"use one of {sorted(SETTABLE_STATES)}"
            )


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A piece of work to route: an inbound call, a ticket or a callback.

    ``skills`` are required on top of the queue's (the higher minimum wins). ``priority``:
    higher is more urgent. ``arrival`` defaults to the ``now`` of :meth:`Engine.enqueue`.
    """

    id: str
    queue: str
    kind: str = "call"
    channel: str = "voice"
    skills: Mapping[str, int] = field(default_factory=dict)
    language: str | None = None
    priority: float = 0.0
    value_class: str = "B"
    arrival: float | None = None

    def validate(self) -> None:
        if not self.id:
            raise RoutingError("a work item needs an id")
        if self.kind not in KINDS:
            raise RoutingError(
                f"item {self.id!r}: kind {self.kind!r} is not one of {sorted(KINDS)}"
            )
        if self.value_class not in VALUE_CLASSES:
            raise RoutingError(
                f"item {self.id!r}: value class {self.value_class!r} is not one of A, B, C"
            )
        if not self.channel:
            raise RoutingError(f"item {self.id!r}: no channel")
        _check_levels(f"item {self.id!r}", self.skills)


@dataclass(frozen=True, slots=True)
class Relaxation:
    """One bullseye step: ``after_s`` seconds after the item entered the queue, relax.

    A step lowers every required minimum proficiency to ``min_proficiency``, drops the
    language requirement, lets any agent of ``team`` take the item (skills ignored; language
    still applies unless dropped), or moves the item to queue ``overflow_to`` (alone; the item
    keeps its arrival time and priority and starts that queue's steps afresh). Steps are
    cumulative: at step k every earlier step is in force too.
    """

    after_s: float
    min_proficiency: int | None = None
    drop_language: bool = False
    team: str | None = None
    overflow_to: str | None = None

    def describe(self) -> str:
        if self.overflow_to is not None:
            return f"overflow to queue {self.overflow_to}"
        parts = []
        if self.min_proficiency is not None:
            parts.append(f"min proficiency {self.min_proficiency}")
        if self.drop_language:
            parts.append("language dropped")
        if self.team is not None:
            parts.append(f"any agent of team {self.team}")
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue: what its items require, how agents are picked, how requirements relax.

    ``ageing_per_min`` adds priority points per minute waited; ``a_class_boost`` is added to
    the priority of class-A items; ``a_class_strategy`` (when set) picks agents for class-A
    items instead of ``strategy`` (most skilled by default: A-class callers reach senior
    agents). ``max_wait_s``: a call waiting that long gets one ``callback_offer`` notice.
    ``skill_weights`` and ``idle_weight`` (points per idle minute) feed the weighted strategy.
    """

    id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    strategy: str = "longest_idle"
    relaxation: tuple[Relaxation, ...] = ()
    ageing_per_min: float = 0.0
    a_class_boost: float = 5.0
    a_class_strategy: str | None = "most_skilled"
    max_wait_s: float | None = None
    offer_timeout_s: float = 20.0
    wrap_up_s: float = 0.0
    skill_weights: Mapping[str, float] = field(default_factory=dict)
    idle_weight: float = 0.1

    def validate(self) -> None:
        if not self.id:
            raise RoutingError("a queue needs an id")
        _check_levels(f"queue {self.id!r}", self.skills)
        for strategy in (self.strategy, self.a_class_strategy):
            if strategy is not None and strategy not in STRATEGIES:
                raise RoutingError(
                    f"queue {self.id!r}: strategy {strategy!r} is not one of {list(STRATEGIES)}"
                )
        if self.offer_timeout_s <= 0:
            raise RoutingError(f"queue {self.id!r}: offer_timeout_s must be > 0")
        if self.wrap_up_s < 0 or self.ageing_per_min < 0:
            raise RoutingError(f"queue {self.id!r}: wrap_up_s and ageing_per_min must be >= 0")
        if self.max_wait_s is not None and self.max_wait_s <= 0:
            raise RoutingError(f"queue {self.id!r}: max_wait_s must be > 0")
        previous = -1.0
        for step in self.relaxation:
            if step.after_s < 0 or step.after_s <= previous:
                raise RoutingError(
                    f"queue {self.id!r}: relaxation steps need after_s >= 0, strictly increasing"
                )
            previous = step.after_s
            if step.overflow_to is not None:
                others = step.min_proficiency, step.team
                if any(v is not None for v in others) or step.drop_language:
                    raise RoutingError(f"queue {self.id!r}: an overflow step relaxes nothing else")
                if step.after_s <= 0:
                    raise RoutingError(f"queue {self.id!r}: an overflow step needs after_s > 0")
            if step.min_proficiency is not None and not (
                MIN_LEVEL <= step.min_proficiency <= MAX_LEVEL
            ):
                raise RoutingError(
                    f"queue {self.id!r}: min_proficiency must be {MIN_LEVEL}-{MAX_LEVEL}"
                )


@dataclass(frozen=True, slots=True)
class Requirement:
    """What an agent must have to take an item now (its queue and step folded in)."""

    channel: str
    skills: tuple[tuple[str, int], ...]
    language: str | None
    teams: frozenset[str]


@dataclass(frozen=True, slots=True)
class Reservation:
    """An offer of ``item_id`` to ``agent_id``; accept, reject or let it time out."""

    id: str
    item_id: str
    agent_id: str
    channel: str
    queue: str
    offered_at: float
    timeout_s: float
    decision_id: int

    @property
    def expires_at(self) -> float:
        return self.offered_at + self.timeout_s


@dataclass(frozen=True, slots=True)
class ItemView:
    """Where a live item stands."""

    item: WorkItem
    status: str  # waiting | offered | active
    queue_entered_at: float
    step: int
    at_head: bool
    agent_id: str | None
    reservation_id: str | None
    declined_by: frozenset[str]
    requirement: Requirement


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that happened as time passed: ``relaxed``, ``overflowed``,
    ``callback_offer`` or ``wrap_up_ended``."""

    kind: str
    at: float
    item_id: str | None = None
    agent_id: str | None = None
    detail: str = ""
