"""The wrap-up form: disposition, notes (required for some dispositions) and its timer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, Select, Static, TextArea

from console.clock import ConsoleClock
from console.i18n import _
from console.widgets._text import elapsed
from console.widgets.labels import label


def wrapup_problem(
    disposition: str | None, notes: str, notes_required: Sequence[str]
) -> str | None:
    """Why the form cannot be sent yet (naming the field), or None."""
    if not disposition:
        return _("Choose a disposition")
    if disposition in notes_required and not notes.strip():
        return _("Notes are required for “{disposition}”").format(
            disposition=label(disposition, "disposition")
        )
    return None


class WrapUpForm(Vertical):
    """``finish()`` posts ``Finished`` when the required fields are filled in."""

    class Finished(Message):
        def __init__(self, disposition: str, notes: str) -> None:
            super().__init__()
            self.disposition = disposition
            self.notes = notes

    started: reactive[datetime | None] = reactive(None)
    problem: reactive[str] = reactive("")

    def __init__(
        self,
        dispositions: Sequence[str],
        notes_required: Sequence[str],
        *,
        clock: ConsoleClock | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.dispositions = tuple(dispositions)
        self.notes_required = tuple(notes_required)
        self.clock = clock or ConsoleClock()

    def compose(self) -> ComposeResult:
        yield Static(id="wrapup-timer")
        yield Label(_("Disposition"))
        yield Select(
            [(label(d, "disposition"), d) for d in self.dispositions],
            prompt=_("Choose…"),
            id="wrapup-disposition",
        )
        yield Label(_("Notes"))
        yield TextArea(id="wrapup-notes")
        yield Static(id="wrapup-problem")

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        timer = self.query_one("#wrapup-timer", Static)
        if self.started is None:
            timer.update(_("Wrap-up — Ctrl+S when done"))
            return
        since = self.started if self.started.tzinfo else self.started.replace(tzinfo=UTC)
        spent = elapsed((self.clock.now() - since).total_seconds())
        timer.update(_("Wrap-up {time} — Ctrl+S when done").format(time=spent))

    def watch_started(self) -> None:
        if self.is_mounted:
            self._tick()

    def watch_problem(self, problem: str) -> None:
        self.query_one("#wrapup-problem", Static).update(problem)

    def reset(self) -> None:
        """Empty the form for the next call (a form already empty is left alone: cheap)."""
        select = self.query_one("#wrapup-disposition", Select)
        notes = self.query_one("#wrapup-notes", TextArea)
        if self.started is None and select.is_blank() and not notes.text and not self.problem:
            return
        select.clear()
        notes.text = ""
        self.problem = ""
        self.started = None

    def finish(self) -> None:
        value = self.query_one("#wrapup-disposition", Select).value
        disposition = value if isinstance(value, str) else None
        notes = self.query_one("#wrapup-notes", TextArea).text
        problem = wrapup_problem(disposition, notes, self.notes_required)
        self.problem = problem or ""
        if problem is None and disposition is not None:
            self.post_message(self.Finished(disposition, notes.strip()))
