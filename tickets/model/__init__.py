"""Pure time engine of tickets: business calendars, business-time arithmetic, SLA clocks and
SLA policy matching. Standard library only; ``now`` is always an argument."""

from tickets.model.business_time import MAX_HORIZON
from tickets.model.calendar import WEEKDAY_NAMES, BusinessCalendar, LocalInterval, hours
from tickets.model.sla import (
    DEFAULT_LEVELS,
    ClockAction,
    ClockEvent,
    EscalationLevel,
    LevelState,
    SLAClock,
    SLAStatus,
    TimelineEntry,
    TimelineKind,
    events_from_status_changes,
)
from tickets.model.sla_policy import (
    CategoryTree,
    IssueKind,
    PolicyIssue,
    RequestFacts,
    SLAPolicy,
    category_matches,
    find_policy_issues,
    match_policy,
    normalize_category,
    policy_matches,
)

__all__ = [
    "DEFAULT_LEVELS",
    "MAX_HORIZON",
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "CategoryTree",
    "ClockAction",
    "ClockEvent",
    "EscalationLevel",
    "IssueKind",
    "LevelState",
    "LocalInterval",
    "PolicyIssue",
    "RequestFacts",
    "SLAClock",
    "SLAPolicy",
    "SLAStatus",
    "TimelineEntry",
    "TimelineKind",
    "category_matches",
    "events_from_status_changes",
    "find_policy_issues",
    "hours",
    "match_policy",
    "normalize_category",
    "policy_matches",
]
