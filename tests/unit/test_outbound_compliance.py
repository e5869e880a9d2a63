"""Every compliance rule of outbound dialing, with the clock in the test's hands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.outbound.compliance import (
    AbandonLedger,
    CompliancePolicy,
    DayHours,
    PolicyError,
    abandon_command,
    calling_hours_refusal,
    check_dial,
    next_calling_time,
    policy_from_mapping,
)
from routing.outbound.model import DialTarget, RefusalCode

PROPS = settings(max_examples=200, deadline=None)
ZONE_NAMES = [
    "Asia/Shanghai",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/St_Johns",
]
SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = CompliancePolicy()
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def target(number: str = "+8613812345678", zones: tuple[str, ...] = ("Asia/Shanghai",), **kw):
    return DialTarget("L1", number, zones, **kw)


def at_shanghai(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def check(t: DialTarget, now: datetime, **kw):
    kw.setdefault("policy", POLICY)
    kw.setdefault("do_not_call", set())
    return check_dial(t, now=now, **kw)


# --- calling hours in the callee's zone --------------------------------------------------


def test_inside_hours_in_shanghai_is_allowed_and_outside_refused_with_the_local_time():
    assert check(target(), at_shanghai(9, 0)) is None
    assert check(target(), at_shanghai(20, 59)) is None
    late = check(target(), at_shanghai(21, 0))
    assert late is not None
    assert late.code is RefusalCode.OUTSIDE_CALLING_HOURS
    assert "21:00 in Asia/Shanghai" in late.text
    assert "09:00-21:00" in late.text
    early = check(target(), at_shanghai(8, 59))
    assert early is not None
    assert early.code is RefusalCode.OUTSIDE_CALLING_HOURS


def test_the_callees_zone_decides_not_ours():
    # 10:00 in Shanghai is 21:00 the evening before in New York: the New York number waits.
    now = at_shanghai(10)
    assert check(target(), now) is None
    refused = check(target("+12125550100", ("America/New_York",)), now)
    assert refused is not None
    assert refused.code is RefusalCode.OUTSIDE_CALLING_HOURS


def test_zones_whose_hours_never_overlap_are_never_dialable():
    mornings = CompliancePolicy(hours=(DayHours(time(9), time(12)),) * 7)
    zones = ("Asia/Shanghai", "America/New_York")  # 01-04 UTC against 14-17 UTC
    assert next_calling_time(zones, at_shanghai(9), mornings) is None
    r = check(target("+18005550100", zones), at_shanghai(10), policy=mornings)
    assert r is not None
    assert r.code is RefusalCode.OUTSIDE_CALLING_HOURS


def test_a_number_in_several_zones_needs_every_zone_inside_hours():
    # 12:30 UTC: 08:30 in New York (closed), 05:30 in Los Angeles (closed) -> refused;
    # 17:00 UTC: 12:00 New York, 09:00 Los Angeles -> allowed; 01:30 UTC: 20:30 NY, 17:30 LA ok.
    zones = ("America/New_York", "America/Los_Angeles")
    assert check(target("+18005550100", zones), datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) is None
    r = check(target("+18005550100", zones), datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert r is not None
    assert "America/Los_Angeles" in r.text
    r = check(target("+18005550100", zones), datetime(2026, 11, 24, 2, 30, tzinfo=UTC))
    assert r is not None
    assert "America/New_York" in r.text


def test_days_off_and_holidays_in_the_callees_calendar():
    policy = policy_from_mapping({"hours": {"sun": "off"}, "holidays": ["2026-12-25"]})
    sunday = datetime(2026, 11, 29, 11, tzinfo=SHANGHAI)
    r = check(target(), sunday, policy=policy)
    assert r is not None
    assert r.code is RefusalCode.OUTSIDE_CALLING_HOURS
    assert "no calls" in r.text
    christmas = datetime(2026, 12, 25, 11, tzinfo=SHANGHAI)
    r = check(target(), christmas, policy=policy)
    assert r is not None
    assert r.code is RefusalCode.HOLIDAY


@PROPS
@given(
    now=instants,
    zones=st.lists(st.sampled_from(ZONE_NAMES), min_size=1, max_size=3, unique=True),
    start=st.integers(6, 12),
    length=st.integers(1, 12),
)
def test_no_dial_is_ever_allowed_outside_hours_in_any_of_the_callees_zones(
    now, zones, start, length
):
    hours = DayHours(time(start), time(min(23, start + length), 59 if start + length >= 23 else 0))
    policy = CompliancePolicy(hours=(hours,) * 7)
    allowed = check(target(zones=tuple(zones)), now, policy=policy) is None
    inside_everywhere = all(hours.contains(now.astimezone(ZoneInfo(z)).time()) for z in zones)
    assert allowed == inside_everywhere


@settings(max_examples=60, deadline=None)
@given(
    now=instants, zones=st.lists(st.sampled_from(ZONE_NAMES), min_size=1, max_size=2, unique=True)
)
def test_next_calling_time_is_the_first_allowed_moment(now, zones):
    nxt = next_calling_time(zones, now, POLICY)
    if nxt is None:  # e.g. Shanghai and New York hours never overlap: never dialable
        steps = (now + timedelta(minutes=30 * i) for i in range(8 * 48))
        assert all(calling_hours_refusal(zones, t, POLICY) is not None for t in steps)
        return
    assert nxt >= now
    assert calling_hours_refusal(zones, nxt, POLICY) is None
    if nxt > now:  # a minute earlier is still closed somewhere (openings are on the minute)
        assert calling_hours_refusal(zones, nxt - timedelta(minutes=1), POLICY) is not None


# --- bad input: invalid numbers, unknown zones --------------------------------------------


def test_invalid_numbers_and_unknown_zones_are_refused_with_reasons():
    bad = DialTarget("L9", None, (), number_problem="'abc' is not a phone number")
    r = check(bad, at_shanghai(10))
    assert r is not None
    assert r.code is RefusalCode.INVALID_NUMBER
    assert "abc" in r.text
    for zones in ((), ("Mars/Olympus_Mons",), ("Etc/Unknown",), ("../../etc/passwd",)):
        r = check(target(zones=zones), at_shanghai(10))
        assert r is not None, zones
        assert r.code is RefusalCode.UNKNOWN_TIME_ZONE, zones


# --- do-not-call and consent ------------------------------------------------------------


@PROPS
@given(now=instants, n=st.integers(0, 10**8))
def test_a_number_on_the_do_not_call_list_is_never_dialed(now, n):
    number = f"+86138{n:08d}"
    r = check(target(number), now, do_not_call={number})
    assert r is not None
    assert r.code is RefusalCode.DO_NOT_CALL


def test_consent_is_required_unless_the_policy_says_otherwise():
    r = check(target(consent=False), at_shanghai(10))
    assert r is not None
    assert r.code is RefusalCode.NO_CONSENT
    lenient = CompliancePolicy(require_consent=False)
    assert check(target(consent=False), at_shanghai(10), policy=lenient) is None


# --- attempts and the 72 h abandon block ------------------------------------------------


@PROPS
@given(
    now=st.just(at_shanghai(12)),
    gaps=st.lists(st.integers(60, 3 * 86400), max_size=10),
    per_lead=st.integers(1, 8),
    per_day=st.integers(1, 5),
)
def test_attempts_are_capped_per_lead_and_per_day(now, gaps, per_lead, per_day):
    attempts = []
    t = now
    for gap in gaps:
        t -= timedelta(seconds=gap)
        attempts.append(t)
    policy = CompliancePolicy(max_attempts_per_lead=per_lead, max_attempts_per_day=per_day)
    r = check(target(), now, policy=policy, attempts=attempts)
    last_day = sum(1 for a in attempts if a > now - timedelta(days=1))
    if len(attempts) >= per_lead:
        assert r is not None
        assert r.code is RefusalCode.ATTEMPTS_PER_LEAD
    elif last_day >= per_day:
        assert r is not None
        assert r.code is RefusalCode.ATTEMPTS_PER_DAY
    else:
        assert r is None


@PROPS
@given(seconds_since=st.integers(0, 6 * 86400))
def test_no_redial_within_72_hours_of_an_abandoned_call(seconds_since):
    now = at_shanghai(12)
    abandoned = now - timedelta(seconds=seconds_since)
    r = check(target(), now, last_abandoned_at=abandoned)
    if seconds_since < 72 * 3600:
        assert r is not None
        assert r.code is RefusalCode.ABANDONED_RECENTLY
    else:
        assert r is None


# --- settings within the law ------------------------------------------------------------


def test_policy_refuses_settings_outside_the_law_naming_the_field():
    with pytest.raises(PolicyError) as e:
        CompliancePolicy(ring_time_s=10)
    assert e.value.field == "ring_time_s"
    with pytest.raises(PolicyError) as e:
        CompliancePolicy(abandon_message_within_s=3)
    assert e.value.field == "abandon_message_within_s"
    with pytest.raises(PolicyError) as e:
        CompliancePolicy(abandon_cap=0.05)
    assert e.value.field == "abandon_cap"
    with pytest.raises(PolicyError) as e:
        policy_from_mapping({"abandon_redial_block_hours": 24})
    assert e.value.field == "abandon_redial_block"
    with pytest.raises(PolicyError) as e:
        policy_from_mapping({"hours": {"funday": "09:00-10:00"}})
    assert e.value.field == "hours.funday"
    with pytest.raises(PolicyError) as e:
        policy_from_mapping({"ring_seconds": 20})
    assert e.value.field == "ring_seconds"
    assert CompliancePolicy().ring_time_s >= 15


def test_abandoned_call_gets_the_message_command_within_two_seconds():
    answered = at_shanghai(10)
    command = abandon_command("c-1", "+8613812345678", answered, POLICY)
    assert command.play_by - answered <= timedelta(seconds=2)
    assert command.call_id == "c-1"


# --- the abandon ledger ----------------------------------------------------------------


def test_ledger_budget_is_what_keeps_every_window_within_the_cap():
    ledger = AbandonLedger(0.03)
    now = at_shanghai(10)
    assert ledger.budget(now) == 0  # nothing answered: nothing to spend
    for i in range(100):
        ledger.record(now + timedelta(seconds=i), abandoned=False)
    now += timedelta(seconds=100)
    budget = ledger.budget(now)
    assert budget == pytest.approx(3 / 0.97)
    k = int(budget)
    for _ in range(k):  # spend all of it, every line answered and abandoned
        ledger.record(now, abandoned=True)
    assert ledger.rate(now, timedelta(hours=24)) <= 0.03
    assert ledger.budget(now) < 1


def test_ledger_windows_forget_old_calls():
    ledger = AbandonLedger(0.03)
    start = at_shanghai(10)
    ledger.record(start, abandoned=True)
    later = start + timedelta(hours=25)
    assert ledger.rate(later, timedelta(hours=24)) == 0.0
    assert ledger.rate(later, timedelta(days=30)) == 1.0
    assert ledger.budget(later) < 0  # the 30-day window is over the cap


@PROPS
@given(st.lists(st.tuples(st.integers(0, 600), st.booleans()), max_size=300))
def test_spending_only_the_budget_keeps_the_rate_under_the_cap_at_every_point(steps):
    """Abandon only when a whole abandon is affordable: the rate never passes 3%."""
    ledger = AbandonLedger(0.03)
    now = at_shanghai(9)
    for gap, wants_abandon in steps:
        now += timedelta(seconds=gap)
        abandon = wants_abandon and ledger.budget(now) >= 1
        ledger.record(now, abandoned=abandon)
        for _, answered, spent in ledger.rates(now):
            assert spent <= 0.03 * answered + 1e-9


def test_holiday_dates_are_the_callees_local_dates():
    policy = CompliancePolicy(holidays=frozenset({date(2026, 11, 24)}))
    # 2026-11-23 23:30 UTC is already the 24th, 07:30 in Shanghai: holiday (before hours, too)
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 on the 24th in Shanghai
    r = check(target(), now, policy=policy)
    assert r is not None
    assert r.code is RefusalCode.HOLIDAY
