"""Quick-create: a new customer from an unknown caller's number and a name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label

from console.i18n import _


class QuickCreate(Vertical):
    """Shown when the number is unknown; enter in the name field (or Save) submits."""

    class Submitted(Message):
        def __init__(self, phone: str, name: str) -> None:
            super().__init__()
            self.phone = phone
            self.name = name

    def compose(self) -> ComposeResult:
        yield Label(_("New customer from this call"), classes="form-title")
        yield Input(placeholder=_("Phone"), id="quick-phone")
        yield Input(placeholder=_("Name (e.g. 张伟)"), id="quick-name")

    def prefill(self, phone: str) -> None:
        self.query_one("#quick-phone", Input).value = phone
        self.query_one("#quick-name", Input).value = ""

    def submit(self) -> None:
        phone = self.query_one("#quick-phone", Input).value.strip()
        name = self.query_one("#quick-name", Input).value.strip()
        self.post_message(self.Submitted(phone, name))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()
