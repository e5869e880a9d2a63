"""The service-request editor: create or update the call's request; its SLA clocks count down."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, Static, TextArea

from console.clock import ConsoleClock
from console.i18n import _
from console.views import TicketView
from console.widgets._text import elapsed
from console.widgets.labels import label

URGENCIES = ("low", "medium", "high")


def countdown(seconds: float | None) -> str:
    """``1:02:03 left`` or ``overdue 4:05``."""
    if seconds is None:
        return "—"
    if seconds >= 0:
        return _("{time} left").format(time=elapsed(seconds))
    return _("overdue {time}").format(time=elapsed(-seconds))


def ticket_body(ticket: TicketView | None, now: float) -> RenderableType:
    if ticket is None:
        return Text(_("New request — fill in and press Ctrl+S"), style="dim")
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(ticket.number, style="bold")
    head.append(f"  {label(ticket.status)}  {ticket.priority}  {ticket.category}", style="dim")
    lines: list[RenderableType] = [head]
    for clock in ticket.clocks:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("SLA " + label(clock.name) + ": ", style="dim")
        state = "missed_sla" if clock.state == "missed" else clock.state
        remaining = clock.remaining(now)
        style = "bold red" if remaining is not None and remaining < 0 else "bold"
        if clock.state in ("met", "missed"):
            line.append(label(state), style=style)
        else:
            line.append(countdown(remaining), style=style)
            if clock.paused:
                line.append(" (" + label("paused") + ")", style="dim")
        lines.append(line)
    return Group(*lines)


class RequestEditor(Vertical):
    """Fields of the request; ``save()`` posts ``Save`` with them (and the number if any)."""

    class Save(Message):
        def __init__(self, number: str | None, version: int, fields: dict[str, Any]) -> None:
            super().__init__()
            self.number = number
            self.version = version
            self.fields = fields

    ticket: reactive[TicketView | None] = reactive(None)
    categories: reactive[tuple[str, ...]] = reactive(())

    def __init__(self, *, clock: ConsoleClock | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock or ConsoleClock()

    def compose(self) -> ComposeResult:
        yield Static(id="request-sla")
        yield Input(placeholder=_("Title"), id="request-title")
        yield Input(placeholder=_("Category (id or path)"), id="request-category")
        yield Select(
            [(label(u), u) for u in URGENCIES],
            value="medium",
            allow_blank=False,
            id="request-urgency",
        )
        yield TextArea(id="request-description")

    def on_mount(self) -> None:
        self._show_sla()
        self.set_interval(1.0, self._show_sla)

    def _show_sla(self) -> None:
        self.query_one("#request-sla", Static).update(
            ticket_body(self.ticket, self.clock.monotonic())
        )

    def watch_categories(self, categories: tuple[str, ...]) -> None:
        """Complete the category as the agent types (→ accepts the completion)."""
        field = self.query_one("#request-category", Input)
        field.suggester = SuggestFromList(categories, case_sensitive=False) if categories else None

    def watch_ticket(self, ticket: TicketView | None) -> None:
        if not self.is_mounted:
            return
        self._show_sla()
        if ticket is not None:
            self.query_one("#request-title", Input).value = ticket.title
            self.query_one("#request-category", Input).value = ticket.category
            self.query_one("#request-description", TextArea).text = ticket.description

    def clear(self) -> None:
        """Empty the form for the next call (a form already empty is left alone: cheap)."""
        if self.ticket is None and not self._typed():
            return
        self.ticket = None
        for name in ("#request-title", "#request-category"):
            self.query_one(name, Input).value = ""
        self.query_one("#request-description", TextArea).text = ""
        self._show_sla()

    def _typed(self) -> bool:
        inputs = (
            self.query_one(name, Input).value for name in ("#request-title", "#request-category")
        )
        return any(inputs) or bool(self.query_one("#request-description", TextArea).text)

    def save(self) -> None:
        title = self.query_one("#request-title", Input).value.strip()
        category = self.query_one("#request-category", Input).value.strip()
        urgency = self.query_one("#request-urgency", Select).value
        description = self.query_one("#request-description", TextArea).text
        fields: dict[str, Any] = {"title": title, "category": category, "description": description}
        if isinstance(urgency, str):
            fields["urgency"] = urgency
        ticket = self.ticket
        self.post_message(
            self.Save(ticket.number if ticket else None, ticket.version if ticket else 0, fields)
        )
