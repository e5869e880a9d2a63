"""When the demo's simulated queue may offer the agent its next call: pure rules, time passed in.

A real queue offers a call only to an agent who is available. Right after a call ends the
server shows the agent available for an instant, until the console reports after-call work
(``wrap_up``); so a call that just ended holds the next offer until the agent has been seen
away from ``available`` (wrap-up, break) and back, or, for a console that reports no wrap-up,
until ``after_call`` seconds have passed. The state is read now and then, so a short wrap-up
may fall between two reads: an availability that began after the end was acknowledged (the
server's ``since``), or that started anew between two reads, counts as having been away.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime

AVAILABLE = "available"


@dataclass(frozen=True)
class WaitingCall:
    """A caller in the demo queue, waiting for the agent."""

    number: int
    call_id: str
    caller: str
    queue: str
    dnis: str
    ivr: dict[str, str]
    arrived: float
    patience: float  # seconds the caller waits before hanging up

    def gives_up(self, now: float) -> bool:
        return now - self.arrived >= self.patience


class AgentReadiness:
    """Whether the agent may be offered a call, from the states seen and the calls ended."""

    def __init__(self, after_call: float) -> None:
        self.after_call = after_call
        self._ended_at: float | None = None
        self._away_since_end = False
        self._acknowledged: datetime | None = None  # when the server had taken the end
        self._available_since: datetime | None = None  # the first availability seen after it

    def call_ended(self, now: float, acknowledged: datetime | None = None) -> None:
        """The agent's call ended at ``now``; the server had taken it by ``acknowledged``."""
        self._ended_at = now
        self._acknowledged = acknowledged
        self._away_since_end = False
        self._available_since = None

    def ready(self, state: str | None, now: float, since: datetime | None = None) -> bool:
        """Note ``state`` (the agent's state read at ``now``, in it since ``since`` as the
        server says) and say whether to offer."""
        if state is None:
            return False
        if state != AVAILABLE:
            self._away_since_end = True
            return False
        if self._ended_at is None or self._away_since_end:
            return True
        if since is not None:
            if self._acknowledged is not None and since > self._acknowledged:
                self._away_since_end = True  # available anew after the end
                return True
            if self._available_since is None:
                self._available_since = since
            elif since != self._available_since:
                self._away_since_end = True  # away and back between two reads
                return True
        return now - self._ended_at >= self.after_call


class DemoQueue:
    """The callers waiting, first come first served; the impatient ones leave."""

    def __init__(self) -> None:
        self._waiting: deque[WaitingCall] = deque()

    def __len__(self) -> int:
        return len(self._waiting)

    def join(self, call: WaitingCall) -> None:
        self._waiting.append(call)

    def leavers(self, now: float) -> list[WaitingCall]:
        """Remove and return the callers whose patience ran out by ``now``."""
        gone = [call for call in self._waiting if call.gives_up(now)]
        for call in gone:
            self._waiting.remove(call)
        return gone

    def next(self) -> WaitingCall | None:
        return self._waiting.popleft() if self._waiting else None


def next_arrival(rng: random.Random, mean: float) -> float:
    """Seconds to the next caller: exponential (Poisson arrivals), never under a fifth of the
    mean nor over three means, so the demo neither floods nor goes quiet."""
    return min(max(rng.expovariate(1.0 / mean), mean / 5), mean * 3) if mean > 0 else 0.0
