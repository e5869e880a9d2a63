"""The call script: one question at a time, answers by list or by typing, back, the end."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.i18n import _
from console.views import FlowStep

CHOICE_ANSWERS = ("single", "yes_no", "multiple")


def step_body(step: FlowStep | None) -> RenderableType:
    if step is None:
        return Text(_("Enter a script id and press Enter to start it"), style="dim")
    parts: list[RenderableType] = []
    if step.title:
        parts.append(Text(step.title, style="dim"))
    for note in step.notes:
        parts.append(Text("ℹ " + note, style="italic"))
    if step.error:
        parts.append(Text("✖ " + step.error, style="bold red"))
    if step.finished:
        done = _("Script finished")
        if step.outcome:
            done += " — " + _("outcome: {outcome}").format(outcome=step.outcome)
        parts.append(Text(done, style="bold green"))
        if step.text:
            parts.append(Text(step.text))
        return Group(*parts)
    parts.append(Text(step.text, style="bold"))
    if step.hint:
        parts.append(Text(step.hint, style="dim"))
    return Group(*parts)


class ScriptRunner(Vertical):
    """Shows ``step``; posts ``Start``, ``Answer`` and ``Back`` for the app to send."""

    class Start(Message):
        def __init__(self, flow_id: str) -> None:
            super().__init__()
            self.flow_id = flow_id

    class Answer(Message):
        """``rev``: the run's revision the question was shown at (a stale answer is refused)."""

        def __init__(self, run_id: str, node: str, value: str, rev: int | None = None) -> None:
            super().__init__()
            self.run_id = run_id
            self.node = node
            self.value = value
            self.rev = rev

    class Back(Message):
        def __init__(self, run_id: str, rev: int | None = None) -> None:
            super().__init__()
            self.run_id = run_id
            self.rev = rev

    step: reactive[FlowStep | None] = reactive(None)

    def __init__(self, default_flow: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._default_flow = default_flow

    def compose(self) -> ComposeResult:
        yield Input(value=self._default_flow, placeholder=_("Script id"), id="script-flow")
        yield Static(step_body(None), id="script-step")
        yield OptionList(id="script-options")
        yield Input(placeholder=_("Answer, then Enter"), id="script-answer")

    def on_mount(self) -> None:
        self._show(None)

    def watch_step(self, step: FlowStep | None) -> None:
        if self.is_mounted:
            self._show(step)

    def _show(self, step: FlowStep | None) -> None:
        self.query_one("#script-step", Static).update(step_body(step))
        options = self.query_one("#script-options", OptionList)
        answer = self.query_one("#script-answer", Input)
        asking = step is not None and not step.finished
        choices = asking and step is not None and step.answer in CHOICE_ANSWERS and step.options
        options.clear_options()
        if choices and step is not None:
            options.add_options(
                Option(f"{n}. {label}", id=f"opt-{n}")
                for n, (_value, label) in enumerate(step.options, start=1)
            )
            options.highlighted = 0
        options.display = bool(choices)
        answer.display = asking and not choices
        answer.value = ""
        if self.has_focus_within:
            self.focus_answer()

    def focus_answer(self) -> None:
        """Put the cursor where the agent answers next."""
        step = self.step
        if step is None or step.finished:
            self.query_one("#script-flow", Input).focus()
        elif self.query_one("#script-options", OptionList).display:
            self.query_one("#script-options", OptionList).focus()
        else:
            self.query_one("#script-answer", Input).focus()

    def back(self) -> None:
        if self.step is not None and self.step.can_back:
            self.post_message(self.Back(self.step.run_id, self.step.rev))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "script-flow":
            if event.value.strip():
                self.post_message(self.Start(event.value.strip()))
            return
        step = self.step
        if step is not None and step.node and not step.finished:
            self.post_message(self.Answer(step.run_id, step.node, event.value, step.rev))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        step = self.step
        if step is None or step.node is None or step.finished:
            return
        if 0 <= event.option_index < len(step.options):
            value = step.options[event.option_index][0]
            self.post_message(self.Answer(step.run_id, step.node, value, step.rev))
