"""Words the server sends as tokens (states, dispositions, reasons), as the agent reads them."""

from __future__ import annotations

from console.i18n import N_, _
from console.widgets._text import humanize

LABELS: dict[str, str] = {
    # agent states
    "offline": N_("Offline"),
    "available": N_("Available"),
    "reserved": N_("Reserved"),
    "on_call": N_("On call"),
    "wrap_up": N_("Wrap-up"),
    "break": N_("Break"),
    "not_ready": N_("Not ready"),
    # call states
    "ringing": N_("Ringing"),
    "answered": N_("Answered"),
    "resumed": N_("Answered"),
    "held": N_("Held"),
    "transferred": N_("Transferred"),
    "ended": N_("Ended"),
    "missed": N_("Missed"),
    "abandoned": N_("Abandoned"),
    # break reasons
    "lunch": N_("Lunch"),
    "rest": N_("Rest"),
    "training": N_("Training"),
    "meeting": N_("Meeting"),
    # call directions
    "inbound": N_("Inbound"),
    "outbound": N_("Outbound"),
    "internal": N_("Internal"),
    # dispositions
    "disposition.resolved": N_("Resolved on the call"),
    "disposition.request_created": N_("Request created"),
    "disposition.callback": N_("Call back later"),
    "disposition.complaint": N_("Complaint"),
    "disposition.other": N_("Other"),
    # request statuses
    "new": N_("New"),
    "assigned": N_("Assigned"),
    "in_progress": N_("In progress"),
    "pending_customer": N_("Waiting for customer"),
    "pending_third_party": N_("Waiting for third party"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    # customer kinds
    "individual": N_("Individual"),
    "enterprise": N_("Enterprise"),
    # urgencies
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    # SLA clocks
    "first_response": N_("First response"),
    "resolution": N_("Resolution"),
    "running": N_("running"),
    "paused": N_("paused"),
    "breached": N_("breached"),
    "met": N_("met"),
    "missed_sla": N_("missed"),
}


def label(token: str | None, family: str = "") -> str:
    """The agent-facing word for ``token``, translated; unknown tokens are humanized.

    ``family`` picks a meaning when a token means different things (``disposition``).
    """
    if not token:
        return "—"
    known = LABELS.get(f"{family}.{token}") if family else None
    known = known or LABELS.get(token)
    return _(known) if known else humanize(token)
