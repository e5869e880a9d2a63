"""From a written number to a dial target (E.164 and time zones; see customers.leads.numbers).

A number that cannot be read, or that maps to no known zone, becomes a target compliance
refuses with a reason: such leads are never dialed.
"""

from __future__ import annotations

from customers.leads.numbers import read_number, zones_for
from routing.outbound.model import DialTarget

__all__ = ["dial_target", "zones_for"]


def dial_target(lead_id: str, raw: str, region: str, *, consent: bool = True) -> DialTarget:
    """The lead's number read in ``region``; problems are kept on the target, not raised."""
    read = read_number(raw, region)
    if read.e164 is None:
        return DialTarget(lead_id, None, (), consent, number_problem=read.problem)
    return DialTarget(lead_id, read.e164, read.zones, consent)
