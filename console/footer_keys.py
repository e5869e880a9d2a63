"""Which keys the footer shows now: the ones that matter in this moment, so that they fit on
one line of an 80-column terminal. Keys left out of the footer still work.

Pure: the console hands in what it shows and the agent's state; binding ids come back.
"""

from __future__ import annotations

from dataclasses import dataclass

# The pane keys by the pane or work tab they bring up.
PANE_KEYS = {
    "caller": "console.show_caller",
    "script": "console.show_script",
    "knowledge": "console.show_knowledge",
    "request": "console.show_request",
    "wrapup": "console.show_wrapup",
}
STATE_KEYS = {
    "available": "console.available",
    "break": "console.take_break",
    "not_ready": "console.not_ready",
}
PREVIEW_KEYS = ("console.preview_dial", "console.preview_skip", "console.preview_reschedule")
OFFER_KEYS = ("console.offer_accept", "console.offer_reject")


@dataclass(frozen=True)
class FooterContext:
    """What the console shows: ``where`` is "caller" or the work tab up front."""

    where: str
    agent_state: str | None
    on_call: bool  # a call (ringing, talking or in wrap-up) is on screen
    call_over: bool  # ... and it has ended: after-call work
    form_up: bool  # a form ctrl+s saves is up front (request, wrap-up, new customer)
    preview: bool  # an outbound preview card waits for dial, skip or reschedule
    offer: bool = False  # routing offers work to accept or reject


def footer_keys(context: FooterContext) -> frozenset[str]:
    """The binding ids the footer shows (pick-caller and new-customer, on the caller pane,
    show when the pop needs them)."""
    shown = {"console.quit"}
    if context.where == "caller" and context.on_call:
        shown.update(("console.focus_candidates", "console.quick_create"))
    after_call = context.call_over or context.agent_state == "wrap_up"
    if context.form_up:
        shown.add("console.save")
    if (
        context.offer
    ):  # the answer is due in seconds: its keys, where the caller is, and little else
        shown.update(OFFER_KEYS)
        shown.update(PANE_KEYS[p] for p in ("caller", "knowledge") if p != context.where)
        return frozenset(shown)
    if context.preview:  # the card is the work: its keys, and where it and answers are
        shown.update(PREVIEW_KEYS)
        shown.update(PANE_KEYS[p] for p in ("caller", "knowledge") if p != context.where)
        return frozenset(shown)
    else:
        panes: tuple[str, ...] = ("caller", "script", "knowledge", "request", "wrapup")
        if not context.on_call:
            panes = ("caller", "knowledge", "request")  # script and wrap-up are a call's
        elif after_call:
            panes = ("caller", "knowledge", "request", "wrapup")  # the script was the talk's
        shown.update(PANE_KEYS[p] for p in panes if p != context.where)
    state = context.agent_state
    if after_call:
        shown.add(STATE_KEYS["available"])  # done with after-call work: ready for the next
    elif not context.on_call and state not in ("reserved", "on_call"):
        # during a call the agent's state follows the call: its keys would only crowd it
        shown.update(key for name, key in STATE_KEYS.items() if name != state)
    return frozenset(shown)
