"""How many lines to dial now: preview, progressive or predictive.

Progressive keeps at most one line per free agent, so every answered call finds an agent and
nothing is abandoned. Predictive dials ahead of the agents it expects to be free when the
calls are answered (live answer rate, handle time, time to answer), but only as far as the
abandon budget allows: the lines beyond the free agents are the calls that could be answered
with nobody to take them, and they are never more than the abandons the campaign has accrued
and not spent (see :meth:`routing.outbound.compliance.AbandonLedger.budget`). So the budget is
never spent faster than answered calls accrue it, and the abandon rate stays under the cap.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from routing.outbound.model import DialMode


@dataclass(frozen=True, slots=True)
class PacingInput:
    mode: DialMode
    free_agents: int  # logged in, idle and not promised to a line or a card
    busy_agents: int  # talking (wrap-up counts as busy)
    lines_in_flight: int  # dialed, not yet answered or failed, not bound to an agent
    answer_rate: float  # live: people answering / dials
    handle_s: float  # live: mean time an agent is busy with a connected call
    answer_delay_s: float  # live: mean time from dial to a person answering
    abandon_budget: float  # abandons still affordable now (may be negative)
    max_lines_per_agent: float = 5.0  # a ceiling, whatever the estimates say


@dataclass(frozen=True, slots=True)
class PacingDecision:
    dials: int  # new lines to dial now (preview: cards to show)
    reason: str
    exposure: int  # lines that could be answered with no agent free, after these dials


def decide(state: PacingInput) -> PacingDecision:
    """The pacing decision of one tick; O(1)."""
    free, lines = state.free_agents, state.lines_in_flight
    progressive = max(0, free - lines)
    if free + state.busy_agents == 0:
        return PacingDecision(0, "no agents logged in", max(0, lines - free))
    if state.mode is DialMode.PREVIEW:
        return PacingDecision(progressive, "preview: one card per free agent", 0)
    if state.mode is DialMode.PROGRESSIVE:
        return PacingDecision(progressive, "progressive: one line per free agent", 0)
    rate = min(max(state.answer_rate, 0.02), 1.0)
    # Agents expected free by the time today's dials are answered: the free ones, and the busy
    # ones whose call ends within the answer delay (memoryless estimate).
    soon = state.busy_agents * min(1.0, state.answer_delay_s / max(state.handle_s, 1.0))
    wanted = math.floor((free + soon) / rate)
    ceiling = math.floor(state.max_lines_per_agent * (free + state.busy_agents))
    wanted = min(wanted, ceiling)
    affordable = math.floor(max(state.abandon_budget, 0.0)) + free  # lines within the budget
    target = min(wanted, affordable)
    dials = max(progressive, target - lines)
    if affordable < wanted:
        reason = f"predictive: held by the abandon budget to {target} of {wanted} lines"
    else:
        reason = f"predictive: {target} lines for {free} free and {soon:.1f} soon-free agents"
    return PacingDecision(dials, reason, max(0, lines + dials - free))


class RateEstimate:
    """The share of successes among the last ``window`` trials, with a prior for a cold start."""

    __slots__ = ("_hits", "_prior", "_trials", "_window")

    def __init__(self, prior: float, window: int = 500) -> None:
        self._prior = prior
        self._window = window
        self._trials: deque[bool] = deque()
        self._hits = 0

    def add(self, hit: bool) -> None:
        self._trials.append(hit)
        self._hits += hit
        if len(self._trials) > self._window:
            self._hits -= self._trials.popleft()

    @property
    def value(self) -> float:
        n = len(self._trials)
        prior_weight = max(0, 50 - n)  # the prior fades over the first 50 trials
        return (self._hits + self._prior * prior_weight) / (n + prior_weight)


class MeanEstimate:
    """An exponentially weighted mean, starting from a prior."""

    __slots__ = ("_alpha", "value")

    def __init__(self, prior: float, alpha: float = 0.02) -> None:
        self.value = prior
        self._alpha = alpha

    def add(self, sample: float) -> None:
        self.value += self._alpha * (sample - self.value)
