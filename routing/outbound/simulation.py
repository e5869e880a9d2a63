"""A simulated outbound campaign on a virtual clock: the dialer against random people.

Each lead has its own chance of a person answering; each attempt draws busy, no answer,
answering machine or a person, the ring time and the talk time from a generator seeded by
(seed, lead, attempt), so two runs in different modes meet the same people with the same
answers. Every dial passes :func:`~routing.outbound.compliance.check_dial` and the hopper;
pacing is :func:`~routing.outbound.pacing.decide` once per virtual second. A person who
answers when no agent is free waits at most the abandon-message time (2 s), then the call is
abandoned: the recorded message is commanded and the number is blocked for 72 h.

The run reports dials, answers, connects, abandons, talk time per agent hour and the highest
rolling abandon rate seen at any moment (after every answered call), per window.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from routing.outbound.compliance import AbandonLedger, CompliancePolicy, abandon_command, check_dial
from routing.outbound.hopper import Callback, Hopper
from routing.outbound.model import DialMode, DialTarget, Disposition
from routing.outbound.pacing import MeanEstimate, PacingInput, RateEstimate, decide
from routing.outbound.retry import RetryPolicy, next_attempt

# Monday 2026-11-23 09:00 in Shanghai: inside calling hours for the whole run.
DEFAULT_START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
ZONES = ("Asia/Shanghai",)


def number_of(lead: int) -> str:
    """The simulated lead's mobile number (Shanghai zone), made from its index."""
    return f"+86138{lead:08d}"


@dataclass(frozen=True)
class SimulationConfig:
    mode: DialMode = DialMode.PREDICTIVE
    agents: int = 100
    leads: int = 80_000
    hours: float = 4.0
    seed: int = 1
    answer_rate: tuple[float, float] = (0.08, 0.35)  # per lead, uniform between
    busy_share: float = 0.08
    machine_share: float = 0.12
    ring_to_answer_s: tuple[float, float] = (4.0, 16.0)
    busy_after_s: tuple[float, float] = (3.0, 8.0)
    machine_detect_s: float = 4.0  # answering-machine detection after the machine picks up
    talk_mean_s: float = 90.0
    talk_min_s: float = 20.0
    wrap_s: float = 10.0
    callback_share: float = 0.08  # of connected calls, a callback in 1-3 h to the same agent
    do_not_call_share: float = 0.01  # of leads, already on the list: must never be dialed
    start: datetime = DEFAULT_START
    policy: CompliancePolicy = field(default_factory=CompliancePolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class SimulationResult:
    mode: str
    agents: int
    hours: float
    dials: int = 0
    answered: int = 0  # by a person
    machines: int = 0
    connects: int = 0
    abandoned: int = 0
    abandon_messages: int = 0
    late_messages: int = 0  # recorded messages commanded later than the policy allows
    talk_s: float = 0.0
    refusals: dict[str, int] = field(default_factory=dict)
    dialed_do_not_call: int = 0
    dialed_within_block: int = 0
    max_abandon_rate: dict[str, float] = field(default_factory=dict)
    callbacks_same_agent: int = 0
    callbacks_other_agent: int = 0

    @property
    def talk_per_agent_hour_s(self) -> float:
        return self.talk_s / (self.agents * self.hours)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "agents": self.agents,
            "hours": self.hours,
            "dials": self.dials,
            "answered": self.answered,
            "machines": self.machines,
            "connects": self.connects,
            "abandoned": self.abandoned,
            "abandon_rate": round(self.abandon_rate, 5),
            "max_abandon_rate": {k: round(v, 5) for k, v in self.max_abandon_rate.items()},
            "talk_per_agent_hour_s": round(self.talk_per_agent_hour_s, 1),
            "abandon_messages": self.abandon_messages,
            "late_messages": self.late_messages,
            "refusals": dict(self.refusals),
            "dialed_do_not_call": self.dialed_do_not_call,
            "callbacks_same_agent": self.callbacks_same_agent,
            "callbacks_other_agent": self.callbacks_other_agent,
        }


@dataclass
class _Line:
    lead: int
    attempt: int
    dialed_at: float
    agent: str | None = None  # a line bound to an agent (a callback)
    answered_at: float | None = None


class Simulation:
    """One campaign run; :meth:`run` returns the result."""

    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        c = config
        rng = random.Random(c.seed)
        self.lead_rate = [rng.uniform(*c.answer_rate) for _ in range(c.leads)]
        self.do_not_call = {
            number_of(i) for i in range(c.leads) if rng.random() < c.do_not_call_share
        }
        self.attempts: dict[int, list[datetime]] = {}
        self.last_abandoned: dict[int, datetime] = {}
        self.hopper = Hopper()
        self.hopper.add_many([(str(i), self.lead_rate[i] * 100) for i in range(c.leads)])
        self.free: deque[str] = deque(f"a{i:04d}" for i in range(c.agents))
        self.busy = 0
        self.lines: dict[int, _Line] = {}  # pool lines (not bound to an agent)
        self.waiting: deque[int] = deque()  # answered pool lines waiting for an agent
        self.events: list[tuple[float, int, str, object]] = []
        self.serial = 0
        self.ledger = AbandonLedger(c.policy.abandon_cap)
        self.answer_rate = RateEstimate(prior=sum(c.answer_rate) / 2 * 0.8)
        self.handle = MeanEstimate(c.talk_mean_s + c.wrap_s)
        self.answer_delay = MeanEstimate(sum(c.ring_to_answer_s) / 2)
        self.result = SimulationResult(c.mode.value, c.agents, c.hours)

    # --- the event queue -----------------------------------------------------------------

    def _schedule(self, t: float, kind: str, payload: object) -> None:
        self.serial += 1
        heapq.heappush(self.events, (t, self.serial, kind, payload))

    def at(self, t: float) -> datetime:
        """The moment ``t`` virtual seconds after the start."""
        return self.config.start + timedelta(seconds=t)

    # --- dialing ---------------------------------------------------------------------------

    def _dial(self, t: float, lead: int, agent: str | None) -> None:
        c, r = self.config, self.result
        number = number_of(lead)
        if number in self.do_not_call:
            r.dialed_do_not_call += 1
        blocked = self.last_abandoned.get(lead)
        if blocked is not None and self.at(t) - blocked < c.policy.abandon_redial_block:
            r.dialed_within_block += 1
        history = self.attempts.setdefault(lead, [])
        attempt = len(history)
        history.append(self.at(t))
        r.dials += 1
        self.serial += 1
        line_id = self.serial
        line = _Line(lead, attempt, t, agent)
        if agent is None:
            self.lines[line_id] = line
        draw = random.Random(c.seed * 1_000_003 + lead * 64 + attempt)
        roll = draw.random()
        if roll < c.busy_share:
            self._schedule(t + draw.uniform(*c.busy_after_s), "failed", (line_id, line, "busy"))
            return
        ring = draw.uniform(*c.ring_to_answer_s)
        if roll < c.busy_share + c.machine_share:
            self._schedule(t + ring + c.machine_detect_s, "failed", (line_id, line, "machine"))
            return
        if draw.random() < self.lead_rate[lead] and ring < c.policy.ring_time_s:
            talk = c.talk_min_s + draw.expovariate(1 / (c.talk_mean_s - c.talk_min_s))
            callback = draw.random() < c.callback_share
            self._schedule(t + ring, "answered", (line_id, line, talk, callback))
        else:
            self._schedule(t + c.policy.ring_time_s, "failed", (line_id, line, "no_answer"))

    def _next_lead(self, t: float) -> int | None:
        now = self.at(t)
        c = self.config
        while True:
            picked = self.hopper.pop(now)
            if picked is None:
                return None
            lead = int(picked)
            refusal = check_dial(
                DialTarget(picked, number_of(lead), ZONES),
                now=now,
                policy=c.policy,
                do_not_call=self.do_not_call,
                attempts=self.attempts.get(lead, ()),
                last_abandoned_at=self.last_abandoned.get(lead),
            )
            if refusal is None:
                return lead
            code = refusal.code.value
            self.result.refusals[code] = self.result.refusals.get(code, 0) + 1

    def tick(self, t: float) -> None:
        for lead, agent in self.plan(t):
            self._dial(t, lead, agent)

    def plan(self, t: float) -> list[tuple[int, str | None]]:
        """The dialer's decision of one tick: which leads to dial now, and to which agent.

        Due callbacks go to their agent (or anyone after the grace); then pacing says how many
        lines and the hopper gives the best leads that pass compliance. This is the part the
        server's dialer runs per tick; dialing itself is the telephony's work.
        """
        c = self.config
        now = self.at(t)
        orders: list[tuple[int, str | None]] = []
        # Due callbacks first: to the agent who promised them, or anyone after the grace.
        for callback in self.hopper.due_callbacks(now):
            agent = callback.agent if callback.agent in self.free else None
            late = now - callback.due > c.retry.callback_agent_grace
            if agent is None and late and self.free:
                agent = self.free[0]
            if agent is None:
                continue
            self.hopper.take_callback(callback.lead_id)
            self.free.remove(agent)
            if agent == callback.agent:
                self.result.callbacks_same_agent += 1
            else:
                self.result.callbacks_other_agent += 1
            orders.append((int(callback.lead_id), agent))
        decision = decide(
            PacingInput(
                mode=c.mode,
                free_agents=len(self.free),
                busy_agents=self.busy,
                lines_in_flight=len(self.lines),
                answer_rate=self.answer_rate.value,
                handle_s=self.handle.value,
                answer_delay_s=self.answer_delay.value,
                abandon_budget=self.ledger.budget(now),
            )
        )
        for _ in range(decision.dials):
            lead = self._next_lead(t)
            if lead is None:
                break
            orders.append((lead, None))
        return orders

    # --- outcomes --------------------------------------------------------------------------

    def _retry(
        self,
        t: float,
        lead: int,
        disposition: Disposition,
        agent: str | None = None,
        callback_at: datetime | None = None,
    ) -> None:
        decision = next_attempt(
            disposition,
            now=self.at(t),
            policy=self.config.retry,
            zones=ZONES,
            compliance=self.config.policy,
            callback_at=callback_at,
            agent=agent,
        )
        if decision.add_to_do_not_call:
            self.do_not_call.add(number_of(lead))
        if decision.at is None:
            return
        if disposition is Disposition.CALLBACK:
            self.hopper.add_callback(Callback(str(lead), decision.at, decision.agent))
        else:
            self.hopper.add(str(lead), self.lead_rate[lead] * 100, not_before=decision.at)

    def _failed(self, t: float, line_id: int, line: _Line, why: str) -> None:
        self.lines.pop(line_id, None)
        self.answer_rate.add(False)
        if why == "machine":
            self.result.machines += 1
            disposition = Disposition.ANSWERING_MACHINE
        else:
            disposition = Disposition.BUSY if why == "busy" else Disposition.NO_ANSWER
        if line.agent is not None:
            self._free_agent(t, line.agent)
        self._retry(t, line.lead, disposition)

    def _answered(self, t: float, line_id: int, line: _Line, talk: float, cb: bool) -> None:
        r = self.result
        r.answered += 1
        self.answer_rate.add(True)
        self.answer_delay.add(t - line.dialed_at)
        line.answered_at = t
        if line.agent is not None:  # a callback line: its agent is waiting for it
            self._connect(t, line, line.agent, talk, cb)
            return
        if self.free:
            self.lines.pop(line_id)
            self._connect(t, line, self.free.popleft(), talk, cb)
            return
        self.waiting.append(line_id)
        self._pending[line_id] = (talk, cb)
        self._schedule(t + self.config.policy.abandon_message_within_s, "give_up", line_id)

    _pending: dict[int, tuple[float, bool]]

    def _connect(self, t: float, line: _Line, agent: str, talk: float, cb: bool) -> None:
        r = self.result
        r.connects += 1
        r.talk_s += talk
        self.busy += 1
        self._record(t, abandoned=False)
        self.handle.add(talk + self.config.wrap_s)
        self._schedule(t + talk + self.config.wrap_s, "done", (agent, line.lead, cb))

    def _give_up(self, t: float, line_id: int) -> None:
        if line_id not in self._pending:
            return  # an agent took it in time
        self._pending.pop(line_id)
        self.waiting.remove(line_id)
        line = self.lines.pop(line_id)
        assert line.answered_at is not None
        r = self.result
        r.abandoned += 1
        command = abandon_command(
            str(line_id), number_of(line.lead), self.at(line.answered_at), self.config.policy
        )
        r.abandon_messages += 1
        if self.at(t) > command.play_by:
            r.late_messages += 1
        self.last_abandoned[line.lead] = self.at(t)
        self._record(t, abandoned=True)
        self._retry(t, line.lead, Disposition.ABANDONED)

    def _free_agent(self, t: float, agent: str) -> None:
        if self.waiting:  # an answered call is waiting: take it at once
            line_id = self.waiting.popleft()
            talk, cb = self._pending.pop(line_id)
            line = self.lines.pop(line_id)
            self._connect(t, line, agent, talk, cb)
            return
        self.free.append(agent)

    def _done(self, t: float, agent: str, lead: int, cb: bool) -> None:
        self.busy -= 1
        if cb:
            at = self.at(t) + timedelta(hours=1 + (lead % 3))
            self._retry(t, lead, Disposition.CALLBACK, agent=agent, callback_at=at)
        self._free_agent(t, agent)

    def _record(self, t: float, *, abandoned: bool) -> None:
        now = self.at(t)
        self.ledger.record(now, abandoned=abandoned)
        for window, answered, spent in self.ledger.rates(now):
            key = window_name(window)
            rate = spent / answered if answered else 0.0
            if rate > self.result.max_abandon_rate.get(key, 0.0):
                self.result.max_abandon_rate[key] = rate

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> SimulationResult:
        """Run to the end of the configured hours; one pacing tick per virtual second."""
        self._pending = {}
        end = self.config.hours * 3600
        handlers = {
            "failed": lambda t, p: self._failed(t, *p),
            "answered": lambda t, p: self._answered(t, *p),
            "give_up": lambda t, p: self._give_up(t, p),
            "done": lambda t, p: self._done(t, *p),
        }
        t = 0.0
        while t < end:
            events = self.events
            while events and events[0][0] <= t:
                at, _, kind, payload = heapq.heappop(events)
                handlers[kind](at, payload)
            self.tick(t)
            t += 1.0
        return self.result


def window_name(window: timedelta) -> str:
    """``30d``, ``24h``: how a rolling window is named in results."""
    if window.total_seconds() % 86400 == 0 and window.days > 1:
        return f"{window.days}d"
    return f"{window.total_seconds() / 3600:g}h"


def simulate(config: SimulationConfig) -> SimulationResult:
    return Simulation(config).run()
