"""An outbound preview campaign's lead, offered to the agent: dial, skip or reschedule."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from console.feed import PreviewCard
from console.i18n import _


def card_body(card: PreviewCard | None) -> RenderableType:
    if card is None:
        return Text("")
    lines = [
        Text.assemble((_("Number") + "  ", "dim"), (card.number, "bold")),
        Text.assemble((_("Campaign") + "  ", "dim"), card.campaign),
        Text.assemble((_("Lead") + "  ", "dim"), card.lead),
    ]
    facts = [_("attempts: {n}").format(n=card.attempts)]
    if card.score is not None:
        facts.insert(0, _("score: {score}").format(score=f"{card.score:g}"))
    lines.append(Text(" · ".join(facts), style="dim"))
    lines.append(Text(_("d dial · k skip · r reschedule"), style="italic"))
    return Group(*lines)


class PreviewCardPane(Vertical):
    """Shows ``card``; the time typed into the reschedule field is posted as ``When``."""

    class When(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    card: reactive[PreviewCard | None] = reactive(None)

    def compose(self) -> ComposeResult:
        yield Label(_("Outbound preview"), classes="form-title")
        yield Static(card_body(None), id="preview-body")
        yield Input(placeholder=_("Call back at: 14:30, +90 or 2h, then Enter"), id="preview-when")

    def on_mount(self) -> None:
        self.query_one("#preview-when").display = False
        self.display = False

    def watch_card(self, card: PreviewCard | None) -> None:
        if not self.is_mounted:
            return
        self.display = card is not None
        self.query_one("#preview-body", Static).update(card_body(card))
        when = self.query_one("#preview-when", Input)
        when.value = ""
        when.display = False

    def ask_when(self) -> None:
        when = self.query_one("#preview-when", Input)
        when.display = True
        when.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.When(event.value))
