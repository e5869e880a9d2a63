"""Numbers to dial targets: E.164 and time zones from phonenumbers; bad numbers kept with why."""

from __future__ import annotations

from datetime import UTC, datetime

from routing.outbound.compliance import CompliancePolicy, check_dial
from routing.outbound.model import RefusalCode
from routing.outbound.numbers import dial_target, zones_for


def test_zones_come_from_the_number():
    assert dial_target("L1", "138 1234 5678", "CN").zones == ("Asia/Shanghai",)
    assert dial_target("L2", "+1 (212) 555-0100", "CN").zones == ("America/New_York",)
    assert dial_target("L3", "+44 20 7946 0958", "CN").zones == ("Europe/London",)
    toll_free = zones_for("+18005550100")
    assert "America/New_York" in toll_free
    assert "America/Los_Angeles" in toll_free


def test_bad_numbers_are_refused_with_reasons_and_never_dialed():
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for raw in ("abc", "12", "+86 123", "138123456789012345"):
        target = dial_target("L9", raw, "CN")
        assert target.number is None
        assert target.number_problem
        refusal = check_dial(target, now=now, policy=CompliancePolicy(), do_not_call=set())
        assert refusal is not None, raw
        assert refusal.code is RefusalCode.INVALID_NUMBER, raw


def test_a_number_with_no_known_zone_is_refused():
    target = dial_target("L8", "+882 1234 5678", "CN")  # international networks: no zone
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    refusal = check_dial(target, now=now, policy=CompliancePolicy(), do_not_call=set())
    assert refusal is not None
    assert refusal.code in (RefusalCode.UNKNOWN_TIME_ZONE, RefusalCode.INVALID_NUMBER)
