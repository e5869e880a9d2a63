"""The hopper: each campaign's next leads, ready to dial: due callbacks first, then by score.

Three heaps: callbacks by due time, waiting leads by the time they may be tried again, and
ready leads by score (highest first, then the oldest). Taking a lead is O(log n), so a
campaign of a million leads costs a tick no more than a campaign of a thousand.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Callback:
    lead_id: str
    due: datetime
    agent: str | None  # the agent who agreed it, who should make it where possible


class Hopper:
    def __init__(self) -> None:
        self._ready: list[tuple[float, int, str]] = []  # (-score, serial, lead)
        self._waiting: list[tuple[float, int, str, float]] = []  # (due ts, serial, lead, score)
        self._callbacks: list[tuple[float, int, Callback]] = []
        self._serial = itertools.count()
        self._live: dict[str, int] = {}  # lead -> serial of its one live entry
        self._due: dict[str, Callback] = {}  # due callbacks, in the order they fell due

    def __len__(self) -> int:
        return len(self._live)

    def _claim(self, lead_id: str) -> int:
        self._due.pop(lead_id, None)
        serial = next(self._serial)
        self._live[lead_id] = serial  # an older entry of the same lead is now stale
        return serial

    def add(self, lead_id: str, score: float, *, not_before: datetime | None = None) -> None:
        """Queue a lead; one with ``not_before`` waits until then (a retry)."""
        serial = self._claim(lead_id)
        if not_before is None:
            heapq.heappush(self._ready, (-score, serial, lead_id))
        else:
            heapq.heappush(self._waiting, (not_before.timestamp(), serial, lead_id, score))

    def add_many(self, leads: list[tuple[str, float]]) -> None:
        """Queue many ready leads at once (heapify: O(n))."""
        for lead_id, score in leads:
            self._ready.append((-score, self._claim(lead_id), lead_id))
        heapq.heapify(self._ready)

    def add_callback(self, callback: Callback) -> None:
        serial = self._claim(callback.lead_id)
        heapq.heappush(self._callbacks, (callback.due.timestamp(), serial, callback))

    def remove(self, lead_id: str) -> None:
        """Drop a lead (stale heap entries are skipped when they surface)."""
        self._live.pop(lead_id, None)
        self._due.pop(lead_id, None)

    def _is_live(self, lead_id: str, serial: int) -> bool:
        return self._live.get(lead_id) == serial

    def release_due(self, now: datetime) -> None:
        """Move waiting leads and callbacks whose time has come to where they are taken from."""
        ts = now.timestamp()
        waiting = self._waiting
        while waiting and waiting[0][0] <= ts:
            _, serial, lead_id, score = heapq.heappop(waiting)
            if self._is_live(lead_id, serial):
                heapq.heappush(self._ready, (-score, serial, lead_id))
        callbacks = self._callbacks
        while callbacks and callbacks[0][0] <= ts:
            _, serial, callback = heapq.heappop(callbacks)
            if self._is_live(callback.lead_id, serial):
                self._due[callback.lead_id] = callback

    def due_callbacks(self, now: datetime) -> list[Callback]:
        """Callbacks due at ``now``, earliest first; they stay until taken."""
        self.release_due(now)
        return list(self._due.values())

    def take_callback(self, lead_id: str) -> Callback | None:
        callback = self._due.pop(lead_id, None)
        if callback is not None:
            self._live.pop(lead_id, None)
        return callback

    def pop(self, now: datetime) -> str | None:
        """The best ready lead (highest score; the earliest queued on a tie), or None."""
        self.release_due(now)
        ready = self._ready
        while ready:
            _, serial, lead_id = heapq.heappop(ready)
            if self._is_live(lead_id, serial):
                del self._live[lead_id]
                return lead_id
        return None
