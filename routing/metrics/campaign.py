"""Per-campaign outbound figures.

- dials: attempts placed in the period; connects: of those, answered by a person;
- answer rate: connects over dials;
- abandon rate: connects no agent took (the caller heard silence, then the recorded
  message) over connects — the figure outbound law caps (3%); ``cap_used`` is the rate over
  the cap, so 1.0 means at the cap;
- talk time per agent hour: total talk over the agents' staffed hours in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Dial:
    campaign: str
    dialed_at: datetime
    connected: bool
    abandoned: bool = False
    talk_s: float = 0.0

    def __post_init__(self) -> None:
        if self.abandoned and not self.connected:
            raise ValueError("only a connected dial can be abandoned")


@dataclass(frozen=True)
class CampaignFigures:
    campaign: str
    dials: int
    connects: int
    abandoned: int
    answer_rate: float | None
    abandon_rate: float | None
    abandon_cap: float
    cap_used: float | None
    talk_per_agent_hour_s: float | None


def campaign_figures(
    campaign: str,
    dials: Iterable[Dial],
    start: datetime,
    end: datetime,
    staffed_agent_s: float,
    abandon_cap: float = 0.03,
) -> CampaignFigures:
    mine = [d for d in dials if d.campaign == campaign and start <= d.dialed_at < end]
    connects = [d for d in mine if d.connected]
    abandoned = sum(1 for d in connects if d.abandoned)
    rate = abandoned / len(connects) if connects else None
    talk = sum(d.talk_s for d in connects)
    return CampaignFigures(
        campaign=campaign,
        dials=len(mine),
        connects=len(connects),
        abandoned=abandoned,
        answer_rate=len(connects) / len(mine) if mine else None,
        abandon_rate=rate,
        abandon_cap=abandon_cap,
        cap_used=rate / abandon_cap if rate is not None and abandon_cap > 0 else None,
        talk_per_agent_hour_s=talk / (staffed_agent_s / 3600) if staffed_agent_s > 0 else None,
    )
