"""The list of possible callers when several customers share the calling number."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from console.i18n import _
from console.widgets._text import column_width, fit
from console.widgets.labels import label
from switchboard.core.wire import Candidate

NAME_CAP = 12
CUSTOMER_CAP = 28
KIND_WIDTH = 10


def candidate_prompts(candidates: tuple[Candidate, ...]) -> list[Text]:
    """One aligned line per candidate: contact, customer, kind, why it matched."""
    name_width = column_width([c.name for c in candidates], NAME_CAP)
    customer_width = column_width([c.customer_name for c in candidates], CUSTOMER_CAP)
    prompts = []
    for number, candidate in enumerate(candidates, start=1):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{number} ", style="dim")
        line.append(fit(candidate.name, name_width), style="bold")
        line.append("  ")
        # An individual is its own contact: say the name once, not twice.
        company = "" if candidate.customer_name == candidate.name else candidate.customer_name
        line.append(fit(company, customer_width))
        line.append("  ")
        line.append(fit(label(candidate.kind), KIND_WIDTH), style="dim")
        line.append("  ")
        line.append(candidate.reason, style="italic")
        prompts.append(line)
    return prompts


class CandidatePicker(OptionList):
    """Keyboard-selectable candidates; posts ``CandidatePicker.Chosen`` on enter/click."""

    class Chosen(Message):
        """The agent picked ``candidate`` as the caller."""

        def __init__(self, picker: CandidatePicker, candidate: Candidate) -> None:
            super().__init__()
            self.picker = picker
            self.candidate = candidate

        @property
        def control(self) -> CandidatePicker:
            return self.picker

    candidates: reactive[tuple[Candidate, ...]] = reactive(())

    def watch_candidates(self, candidates: tuple[Candidate, ...]) -> None:
        self.set_options(
            Option(prompt, id=f"candidate-{index}")
            for index, prompt in enumerate(candidate_prompts(candidates))
        )
        self.display = bool(candidates)
        self.border_title = (
            _("Possible callers ({count})").format(count=len(candidates)) if candidates else None
        )
        self.highlighted = 0 if candidates else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.candidates):
            self.post_message(self.Chosen(self, self.candidates[event.option_index]))
