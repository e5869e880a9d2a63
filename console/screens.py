"""Small modal screens of the console."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from console.i18n import _
from console.widgets.labels import label


class BreakReasonScreen(ModalScreen[str | None]):
    """Pick why the agent takes a break; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="console.break_cancel"),
    ]

    AUTO_FOCUS = "#break-reasons"

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__()
        self.reasons = tuple(reasons)

    def compose(self) -> ComposeResult:
        with Vertical(id="break-dialog"):
            yield Label(_("Break — why?"))
            yield OptionList(
                *(Option(label(r), id=f"reason-{r}") for r in self.reasons), id="break-reasons"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.reasons[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
