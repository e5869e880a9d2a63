"""When to call a lead again, decided by the disposition of the last call (configurable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from routing.outbound.compliance import CompliancePolicy, PolicyError, next_calling_time, zone
from routing.outbound.model import Disposition

NEVER = "never"
NEXT_DAY = "next_day"
AGREED_TIME = "agreed_time"


def _default_rules() -> dict[Disposition, timedelta | str]:
    return {
        Disposition.BUSY: timedelta(minutes=30),
        Disposition.NO_ANSWER: timedelta(hours=2),
        Disposition.ANSWERING_MACHINE: NEXT_DAY,
        Disposition.CALLBACK: AGREED_TIME,
        Disposition.ABANDONED: timedelta(hours=72),
        Disposition.DO_NOT_CALL: NEVER,
        Disposition.SALE: NEVER,
        Disposition.NOT_INTERESTED: NEVER,
        Disposition.WRONG_NUMBER: NEVER,
    }


@dataclass(frozen=True)
class RetryPolicy:
    """Per disposition: a delay, ``"next_day"``, ``"agreed_time"`` or ``"never"``."""

    rules: Mapping[Disposition, timedelta | str] = field(default_factory=_default_rules)
    # how long a callback waits for the agent who promised it before anyone may take it
    callback_agent_grace: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.rules.get(Disposition.DO_NOT_CALL, NEVER) != NEVER:
            raise PolicyError("retry.do_not_call", "a do-not-call disposition is never retried")
        abandoned = self.rules.get(Disposition.ABANDONED, NEVER)
        if isinstance(abandoned, timedelta) and abandoned < timedelta(hours=72):
            raise PolicyError("retry.abandoned", "no re-dial of an abandoned number in 72 h")


def retry_policy_from_mapping(raw: Mapping[str, object]) -> RetryPolicy:
    """``{"busy": "30m", "no_answer": "2h", "answering_machine": "next_day", ...}``."""
    rules = _default_rules()
    grace = timedelta(minutes=10)
    for key, value in raw.items():
        if key == "callback_agent_grace":
            grace = _duration(key, value)
            continue
        try:
            disposition = Disposition(key)
        except ValueError:
            raise PolicyError(f"retry.{key}", "not a disposition") from None
        if value in (NEVER, NEXT_DAY, AGREED_TIME):
            rules[disposition] = str(value)
        else:
            rules[disposition] = _duration(f"retry.{key}", value)
    return RetryPolicy(rules, grace)


def _duration(key: str, value: object) -> timedelta:
    text = str(value).strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if text and text[-1] in units:
            return timedelta(seconds=float(text[:-1]) * units[text[-1]])
        return timedelta(seconds=float(text))
    except ValueError:
        raise PolicyError(key, 'a duration such as "30m", "2h", "1d" or a keyword') from None


@dataclass(frozen=True, slots=True)
class RetryDecision:
    at: datetime | None  # None: never again
    agent: str | None = None  # the agent the next call should go to, where possible
    add_to_do_not_call: bool = False
    reason: str = ""


def next_attempt(
    disposition: Disposition,
    *,
    now: datetime,
    policy: RetryPolicy,
    zones: Sequence[str] = (),
    compliance: CompliancePolicy | None = None,
    callback_at: datetime | None = None,
    agent: str | None = None,
) -> RetryDecision:
    """The next attempt after a call ended with ``disposition`` at ``now``.

    ``next_day`` means the start of calling hours on the callee's next local day (or 24 h on
    when the zones or the compliance policy are not known); a callback goes to the agreed time
    and to the agent who agreed it.
    """
    rule = policy.rules.get(disposition, NEVER)
    if disposition is Disposition.DO_NOT_CALL:
        return RetryDecision(None, add_to_do_not_call=True, reason="asked not to be called")
    if rule == NEVER:
        return RetryDecision(None, reason=f"{disposition.value}: no retry")
    if rule == AGREED_TIME:
        if callback_at is None:
            return RetryDecision(now + timedelta(hours=1), agent, reason="callback without a time")
        return RetryDecision(max(callback_at, now), agent, reason="callback at the agreed time")
    if rule == NEXT_DAY:
        tomorrow = now + timedelta(days=1)
        if zones and compliance is not None:
            start_of_day = _next_local_midnight(zones[0], now)
            if start_of_day is not None:
                opening = next_calling_time(zones, start_of_day, compliance)
                if opening is not None:
                    return RetryDecision(opening, reason="next day, when calling hours open")
        return RetryDecision(tomorrow, reason="next day")
    assert isinstance(rule, timedelta)
    return RetryDecision(now + rule, reason=f"{disposition.value}: retry in {rule}")


def _next_local_midnight(zone_name: str, now: datetime) -> datetime | None:
    tz = zone(zone_name)
    if tz is None:
        return None
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
