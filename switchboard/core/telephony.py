"""The command port routing and the dialer use to drive telephony; adapters implement it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class TelephonyCommands(Protocol):
    async def originate(self, *, number: str, agent: str, caller_id: str | None) -> str:
        """Start a call from ``agent`` to ``number``; returns the call id."""
        ...

    async def transfer(self, *, call_id: str, to: str) -> None:
        """Move the call to an agent, a queue or an outside number."""
        ...

    async def hangup(self, *, call_id: str, cause: str = "normal") -> None:
        """End the call."""
        ...


@runtime_checkable
class RecordedMessages(Protocol):
    """Phone systems that can play a recording into a call (the outbound abandon message)."""

    async def play_message(self, *, call_id: str, message: str) -> None:
        """Play the recording named ``message`` to the call's other party, then hang up."""
        ...


CAMPAIGN_LINE_PREFIX = "campaign-"


def campaign_line(campaign_id: str) -> str:
    """The extension a predictive campaign's lines are originated from (``campaign-<id>``):
    no agent is on them yet, so the phone system first connects the line to this extension
    (routed in its dialplan to wait for the transfer to an agent). Campaign ids are letters,
    digits, ``.``, ``_`` and ``-``, which every adapter accepts in an extension."""
    return CAMPAIGN_LINE_PREFIX + campaign_id
