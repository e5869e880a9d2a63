"""Banners across the top of the console: the connection (only while down), a routed offer
(only while one waits for accept or reject) and the call."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from console.clock import ConsoleClock
from console.feed import CallUpdate, LinkPhase, LinkStatus, Offer
from console.i18n import _
from console.widgets._text import elapsed
from console.widgets.labels import label
from switchboard.core.wire import ScreenPop

CALL_STATE_CLASSES = ("-ringing", "-answered", "-held", "-ended")
CALL_STATE_CLASS = {
    "ringing": "-ringing",
    "answered": "-answered",
    "resumed": "-answered",
    "held": "-held",
    "transferred": "-ended",
    "ended": "-ended",
    "abandoned": "-ended",
}


def connection_text(status: LinkStatus, retry_left: float | None) -> tuple[str, str | None]:
    """Headline and detail line for the connection banner."""
    lost = _("Connection lost") if status.ever_connected else _("Server not reachable")
    if status.phase is LinkPhase.AUTH_FAILED:
        return (
            _("Sign-in refused — check the agent token, then restart the console"),
            status.reason,
        )
    if status.phase is LinkPhase.RECONNECTING:
        left = status.retry_in if retry_left is None else retry_left
        left = max(0.0, left or 0.0)
        verb = (
            _("reconnecting in {seconds} s (attempt {attempt})")
            if status.ever_connected
            else _("retrying in {seconds} s (attempt {attempt})")
        )
        text = verb.format(seconds=f"{left:.1f}", attempt=status.attempt)
        return (f"{lost} — {text}", status.reason)
    if status.attempt <= 1 and not status.ever_connected:
        return (_("Connecting to the server…"), None)
    now_text = _("connecting now (attempt {attempt})").format(attempt=status.attempt)
    return (f"{lost} — {now_text}", None)


class ConnectionBanner(Widget):
    """Shown while the console is not connected, with a live retry countdown."""

    link: reactive[LinkStatus | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._retry_at: float | None = None

    def on_mount(self) -> None:
        self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        if self.link is not None and self.link.phase is LinkPhase.RECONNECTING:
            self.refresh()

    def watch_link(self, status: LinkStatus | None) -> None:
        retry_in = status.retry_in if status is not None else None
        self._retry_at = None if retry_in is None else time.monotonic() + retry_in
        self.display = status is None or status.phase is not LinkPhase.CONNECTED
        self.set_class(status is not None and status.phase is LinkPhase.AUTH_FAILED, "-fatal")

    def render(self) -> RenderableType:
        if self.link is None:
            return Text(_("Connecting to the server…"))
        retry_left = None if self._retry_at is None else self._retry_at - time.monotonic()
        headline, detail = connection_text(self.link, retry_left)
        lines = [Text(headline, style="bold", no_wrap=True, overflow="ellipsis")]
        if detail:
            lines.append(Text(detail, no_wrap=True, overflow="ellipsis"))
        return Group(*lines)


@dataclass(frozen=True, slots=True)
class CallInfo:
    """What the call banner shows; built from a screen pop and updated by call messages."""

    call_id: str
    state: str
    from_: str = ""
    to: str = ""
    direction: str = "inbound"
    queue: str | None = None
    ivr: Mapping[str, str] = field(default_factory=dict)
    at: datetime | None = None

    @classmethod
    def from_pop(cls, pop: ScreenPop, previous: CallInfo | None) -> CallInfo:
        """The call a pop offers; keeps a state already learnt for the same call."""
        state = previous.state if previous and previous.call_id == pop.call_id else "ringing"
        return cls(
            call_id=pop.call_id,
            state=state,
            from_=pop.from_,
            to=pop.to,
            direction=pop.direction.value,
            queue=pop.queue,
            ivr=dict(pop.ivr),
            at=pop.at,
        )

    def updated(self, update: CallUpdate) -> CallInfo:
        """This call after ``update`` (which must be for the same call)."""
        return replace(
            self,
            state=update.state,
            from_=update.from_ or self.from_,
            to=update.to or self.to,
        )

    @classmethod
    def from_update(cls, update: CallUpdate) -> CallInfo:
        return cls(
            call_id=update.call_id,
            state=update.state,
            from_=update.from_,
            to=update.to,
            at=update.at,
        )


class CallBanner(Widget):
    """Call state, caller and dialled number, queue and what the caller keyed in the IVR."""

    call: reactive[CallInfo | None] = reactive(None)

    def __init__(self, *, clock: ConsoleClock | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock or ConsoleClock()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.call is not None and self.call.state == "ringing":
            self.refresh()

    def watch_call(self, call: CallInfo | None) -> None:
        css_class = CALL_STATE_CLASS.get(call.state, "-ringing") if call else None
        for name in CALL_STATE_CLASSES:
            self.set_class(name == css_class, name)

    def render(self) -> RenderableType:
        call = self.call
        if call is None:
            return Text(_("No call — waiting for the next one"), style="dim")
        headline = Text(no_wrap=True, overflow="ellipsis")
        headline.append(f" {label(call.state).upper()} ", style="reverse bold")
        headline.append("  " + _("From") + f" {call.from_ or '—'}")
        headline.append("  →  " + _("To") + f" {call.to or '—'}")
        if call.queue:
            headline.append("   " + _("Queue") + f" {call.queue}")
        ivr = " · ".join(f"{key}={value}" for key, value in call.ivr.items())
        details = Text(no_wrap=True, overflow="ellipsis")
        details.append(f"{label(call.direction)} {call.call_id}", style="dim")
        if call.at is not None and call.state == "ringing":
            at = call.at if call.at.tzinfo else call.at.replace(tzinfo=UTC)
            waited = elapsed((self.clock.now() - at).total_seconds())
            details.append("   " + _("waited {time}").format(time=waited))
        if ivr:
            details.append("   IVR " + ivr)
        return Group(headline, details)


def offer_subject(offer: Offer, caller: str = "") -> str:
    """What is offered, in a few words: "call from 张伟 +86…", "request SR-…", "callback to …"."""
    work = offer.work
    if work == "ticket":
        return _("request {number}").format(number=offer.number or offer.item or "—")
    if work == "callback":
        return _("callback to {number}").format(number=offer.number or "—")
    return _("call from {caller}").format(caller=caller or "—")


def offer_left(offer: Offer, now: datetime) -> float:
    """Seconds until the offer expires (negative once past); naive times are UTC."""
    expires = offer.expires_at
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return (expires - now).total_seconds()


def offer_line(offer: Offer, caller: str, left: float) -> str:
    """The offer banner's headline: what, which queue, and the time left in whole seconds
    (rounded up, never below zero)."""
    return _("Offered: {what} · queue {queue} · {left} left").format(
        what=offer_subject(offer, caller),
        queue=offer.queue,
        left=elapsed(max(0, math.ceil(left))),
    )


def offer_keys(accept: str, reject: str) -> str:
    """The offer banner's second line: the keys that answer it, as the keymap has them."""
    return _("{accept} accept · {reject} reject").format(accept=accept, reject=reject)


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """What the offer banner shows: the offer, who calls (from the pop) and the keys."""

    offer: Offer
    caller: str = ""
    keys: tuple[str, str] = ("enter/a", "x")


class OfferBanner(Widget):
    """A routed offer waiting for the agent's answer, with a live countdown to its expiry."""

    info: reactive[OfferInfo | None] = reactive(None)

    def __init__(self, *, clock: ConsoleClock | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock or ConsoleClock()
        self.display = False

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.info is not None:
            self.refresh()

    def watch_info(self, info: OfferInfo | None) -> None:
        self.display = info is not None

    def render(self) -> RenderableType:
        info = self.info
        if info is None:
            return Text("")
        left = offer_left(info.offer, self.clock.now())
        headline = offer_line(info.offer, info.caller, left)
        keys = offer_keys(*info.keys)
        return Group(
            Text(headline, style="bold", no_wrap=True, overflow="ellipsis"),
            Text(keys, no_wrap=True, overflow="ellipsis"),
        )
