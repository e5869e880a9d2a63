"""A lead's number read for dialing: E.164 and the time zones phonenumbers maps it to.

Problems are returned, not raised: an unreadable number or one with no known time zone is
kept on the lead with the reason, and compliance refuses to dial it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as number_zones

from customers.phones import NotAPhoneNumber, normalise

UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True, slots=True)
class ReadNumber:
    e164: str | None
    zones: tuple[str, ...]
    problem: str | None  # why the number cannot be dialed, or None


@lru_cache(maxsize=65536)
def zones_for(e164: str) -> tuple[str, ...]:
    """The IANA zones of an E.164 number; empty when phonenumbers knows none."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = number_zones.time_zones_for_number(parsed)
    return tuple(z for z in zones if z and z != UNKNOWN_ZONE)


def read_number(raw: str, region: str) -> ReadNumber:
    try:
        key = normalise(raw, region)
    except NotAPhoneNumber as exc:
        return ReadNumber(None, (), str(exc))
    if not phonenumbers.is_valid_number(phonenumbers.parse(key.e164, None)):
        return ReadNumber(None, (), f"{raw!r} is not a valid number")
    zones = zones_for(key.e164)
    if not zones:
        return ReadNumber(key.e164, (), f"{key.e164} maps to no known time zone")
    return ReadNumber(key.e164, zones, None)
