"""The pure routing engine: who gets which work item, and why.

Standard library only, no I/O, no clock: every call that depends on time takes ``now``
(float seconds). See ``docs/routing.md`` for strategies, relaxation and the trace.
"""

from routing.engine.engine import Advance, Engine
from routing.engine.model import (
    RULES,
    STRATEGIES,
    Agent,
    ItemView,
    Notice,
    Queue,
    Relaxation,
    Requirement,
    Reservation,
    RoutingError,
    UnknownId,
    WorkItem,
)
from routing.engine.trace import Candidate, Decision, Trace
from routing.model import AGENT_STATES

__all__ = [
    "AGENT_STATES",
    "RULES",
    "STRATEGIES",
    "Advance",
    "Agent",
    "Candidate",
    "Decision",
    "Engine",
    "ItemView",
    "Notice",
    "Queue",
    "Relaxation",
    "Requirement",
    "Reservation",
    "RoutingError",
    "Trace",
    "UnknownId",
    "WorkItem",
]
