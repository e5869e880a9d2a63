"""The top line: who the agent is, their state and time in it, and the connection."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label, Static

from console.clock import ConsoleClock
from console.feed import AgentInfo, LinkPhase, LinkStatus
from console.i18n import _
from console.widgets._text import elapsed
from console.widgets.labels import label as token_label

STATE_CLASSES = ("-ok", "-busy", "-away", "-off")
STATE_CLASS = {
    "available": "-ok",
    "reserved": "-busy",
    "on_call": "-busy",
    "wrap_up": "-busy",
    "break": "-away",
    "not_ready": "-away",
    "offline": "-off",
}
LINK_CLASSES = ("-ok", "-warn", "-error")


def link_summary(status: LinkStatus | None, retry_left: float | None) -> tuple[str, str]:
    """Short connection text for the status bar and its CSS class."""
    if status is None or status.phase is LinkPhase.CONNECTING:
        return (_("connecting…"), "-warn")
    if status.phase is LinkPhase.CONNECTED:
        return ("● " + _("connected"), "-ok")
    if status.phase is LinkPhase.AUTH_FAILED:
        return ("✖ " + _("auth failed"), "-error")
    left = status.retry_in if retry_left is None else retry_left
    return (
        "↻ " + _("reconnecting in {seconds} s").format(seconds=f"{max(0.0, left or 0.0):.1f}"),
        "-warn",
    )


class StatusBar(Horizontal):
    """Agent, agent state with time in state, connection state. Attributes only flow in."""

    agent: reactive[AgentInfo | None] = reactive(None)
    agent_state: reactive[str] = reactive("offline")
    state_since: reactive[datetime | None] = reactive(None)
    link: reactive[LinkStatus | None] = reactive(None)

    reason: reactive[str | None] = reactive(None)

    def __init__(
        self, agent_id: str = "", *, clock: ConsoleClock | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._agent_id = agent_id
        self._clock = clock or ConsoleClock()
        self._retry_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Label(id="agent-name")
        yield Label(id="agent-state")
        yield Label(id="link-state")

    def on_mount(self) -> None:
        self._show_agent()
        self._show_state()
        self._show_link()
        self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        self._show_state()
        if self.link is not None and self.link.phase is LinkPhase.RECONNECTING:
            self._show_link()

    # Watchers may run before the labels are mounted; on_mount shows the initial values.

    def watch_agent(self) -> None:
        if self.is_mounted:
            self._show_agent()

    def watch_agent_state(self) -> None:
        if self.is_mounted:
            self._show_state()

    def watch_reason(self) -> None:
        if self.is_mounted:
            self._show_state()

    def watch_state_since(self) -> None:
        if self.is_mounted:
            self._show_state()

    def watch_link(self, status: LinkStatus | None) -> None:
        retry_in = status.retry_in if status is not None else None
        self._retry_at = None if retry_in is None else time.monotonic() + retry_in
        if self.is_mounted:
            self._show_link()

    def _show_agent(self) -> None:
        agent = self.agent
        if agent is None:
            text = self._agent_id or _("agent")
        else:
            parts = [agent.name, agent.id, f"ext {agent.extension}" if agent.extension else ""]
            text = " · ".join(part for part in parts if part)
        self.query_one("#agent-name", Label).update(text)

    def _show_state(self) -> None:
        label = self.query_one("#agent-state", Label)
        text = token_label(self.agent_state)
        if self.reason and self.agent_state == "break":
            text += f" ({token_label(self.reason)})"
        if self.state_since is not None:
            since = self.state_since
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            text += " " + elapsed((self._clock.now() - since).total_seconds())
        label.update(text)
        label.set_classes(STATE_CLASS.get(self.agent_state, "-off"))

    def _show_link(self) -> None:
        retry_left = None if self._retry_at is None else self._retry_at - time.monotonic()
        text, css_class = link_summary(self.link, retry_left)
        label = self.query_one("#link-state", Label)
        label.update(text)
        label.set_classes(css_class)


class NoticeLine(Static):
    """The last problem worth telling the agent, as one line; hidden when there is none."""

    text: reactive[str] = reactive("")

    def __init__(self, *, clock: ConsoleClock | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock or ConsoleClock()

    def watch_text(self, text: str) -> None:
        self.display = bool(text)
        stamp = self.clock.now().astimezone().strftime("%H:%M:%S")  # the agent's local time
        self.update(f"{stamp}  {text}" if text else "")
