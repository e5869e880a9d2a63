"""Wallboard pop-ups: an agent's state and queues, a queue's drill-down, simple choices."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.wallboard.client import ServerError, SupervisorApi
from console.wallboard.floor import Floor
from console.wallboard.moves import Move, join, leave, serves
from console.wallboard.widgets import percent, seconds
from switchboard.core.floor_wire import LeaderRow, TargetWire

# (state, reason) choices a supervisor may set; "offline" logs the agent out.
STATE_CHOICES: tuple[tuple[str, str | None, str], ...] = (
    ("available", None, "Available"),
    ("break", "meeting", "Break: meeting"),
    ("break", "training", "Break: training"),
    ("break", "coaching", "Break: coaching"),
    ("not_ready", None, "Not ready"),
    ("offline", None, "Log out"),
)


class StateChooser(ModalScreen[tuple[str, str | None] | None]):
    """Pick the state to put an agent in; escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="wallboard.state.cancel"),
    ]

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent

    def compose(self) -> ComposeResult:
        with Vertical(id="state-chooser"):
            yield Label(Text(f"Set the state of {self.agent}"), classes="dialog-title")
            yield OptionList(
                *(
                    Option(label, id=f"{state}:{reason or ''}")
                    for state, reason, label in STATE_CHOICES
                ),
                id="state-options",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        state, _, reason = (event.option.id or "").partition(":")
        self.dismiss((state, reason or None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class QueueScreen(ModalScreen[None]):
    """One queue: its configuration and waiting items; enter shows an item's routing trace."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="wallboard.queue.close"),
    ]

    def __init__(self, queue: str, api: SupervisorApi) -> None:
        super().__init__()
        self.queue = queue
        self.api = api

    def compose(self) -> ComposeResult:
        with Vertical(id="queue-detail"):
            yield Label(Text(f"Queue {self.queue}"), classes="dialog-title")
            yield Label("loading…", id="queue-summary")
            yield DataTable(id="waiting-items", cursor_type="row")
            with VerticalScroll(id="trace-box"):
                yield Static("", id="trace")

    def on_mount(self) -> None:
        table = self.query_one("#waiting-items", DataTable)
        table.add_columns("Item", "Priority", "Waiting since", "Skills")
        self.run_worker(self._load(), exclusive=True, group="queue")

    async def _load(self) -> None:
        summary = self.query_one("#queue-summary", Label)
        try:
            data = await self.api.queue(self.queue)
        except ServerError as exc:
            summary.update(Text(str(exc)))
            return
        items: list[dict[str, Any]] = list(data.get("waiting") or [])
        strategy = data.get("strategy", "?")
        summary.update(Text(f"strategy {strategy} · {len(items)} waiting"))
        table = self.query_one("#waiting-items", DataTable)
        for item in items:
            table.add_row(
                str(item.get("id", "")),
                str(item.get("priority", "")),
                str(item.get("arrived_at", item.get("since", ""))),
                ", ".join(f"{k}≥{v}" for k, v in (item.get("skills") or {}).items()),
                key=str(item.get("id", "")),
            )

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        item = event.row_key.value
        if item:
            self.run_worker(self._trace(item), exclusive=True, group="trace")

    async def _trace(self, item: str) -> None:
        trace = self.query_one("#trace", Static)
        try:
            data = await self.api.decisions(item)
        except ServerError as exc:
            trace.update(Text(str(exc)))
            return
        trace.update(Text(json.dumps(data, ensure_ascii=False, indent=1)[:4000]))

    def action_close(self) -> None:
        self.dismiss(None)


class Chooser(ModalScreen[str | None]):
    """A titled list to pick one entry from; enter picks, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="wallboard.choose.cancel"),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="chooser"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield OptionList(*(Option(Text(label), id=key) for key, label in self.options))
            yield Label(Text(self.note), id="chooser-note")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QueueMover(ModalScreen[Move | None]):
    """The queues an agent serves (✓) and the others; enter joins or leaves the one chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="wallboard.move.cancel"),
    ]

    def __init__(self, agent: str, api: SupervisorApi) -> None:
        super().__init__()
        self.agent = agent
        self.api = api
        self.skills: dict[str, int] = {}
        self.needs: dict[str, dict[str, int]] = {}
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="chooser"):
            yield Label(Text(f"Queues of {self.agent}"), classes="dialog-title")
            yield OptionList(id="queue-options")
            yield Label("loading…", id="chooser-note")

    def on_mount(self) -> None:
        self.run_worker(self._load(), exclusive=True, group="mover")

    async def _load(self) -> None:
        note = self.query_one("#chooser-note", Label)
        try:
            agent = await self.api.agent(self.agent)
            listed = await self.api.queues()
        except ServerError as exc:
            note.update(Text(str(exc)))
            return
        self.skills = {str(k): int(v) for k, v in (agent.get("skills") or {}).items()}
        self.needs = {
            str(q["id"]): {str(k): int(v) for k, v in (q.get("skills") or {}).items()}
            for q in listed.get("queues") or []
            if isinstance(q, dict) and "id" in q
        }
        options = self.query_one("#queue-options", OptionList)
        for queue, needs in sorted(self.needs.items()):
            mark = "✓" if serves(self.skills, needs) else " "
            wants = ", ".join(f"{k}≥{v}" for k, v in needs.items()) or "no skill"
            options.add_option(Option(Text(f"{mark} {queue}  ({wants})"), id=queue))
        if not self.needs:
            note.update(Text("No routing queue is configured yet (switchboard queues load FILE)"))
            return
        note.update(Text("enter: join (✓: leave) · escape: cancel"))
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        queue = event.option.id or ""
        needs = self.needs.get(queue, {})
        if serves(self.skills, needs):
            move = leave(self.skills, queue, self.needs)
            if move.problem:
                self.query_one("#chooser-note", Label).update(
                    Text(f"{self.agent} cannot leave {queue}: {move.problem}")
                )
                return
            self.chosen = f"leaves {queue}"
        else:
            move = join(self.skills, needs)
            self.chosen = f"joins {queue}"
        self.dismiss(move)

    def action_cancel(self) -> None:
        self.dismiss(None)


LEADER_COLUMNS = ("", "Name", "Agents", "Answered", "AHT", "SL", "FCR", "Occ.", "Targets")
LEADER_GROUPS = (("team", "Team"), ("region", "Region"), ("agent", "Agent"), ("queue", "Queue"))


FIGURE_LABELS = {
    "service_level": "SL",
    "aht_s": "AHT",
    "asa_s": "ASA",
    "fcr": "FCR",
    "occupancy": "Occ.",
    "answered": "Answered",
    "offered": "Offered",
    "abandon_rate": "Abandon",
}


def target_text(target: TargetWire) -> Text:
    """``SL ≥ 80%: 85% (106%) ✓`` in green when met, red when not, dim when unknown."""
    share = target.figure in ("service_level", "fcr", "occupancy", "abandon_rate")

    def fmt(value: float | None) -> str:
        if value is None:
            return "—"
        if share:
            return percent(value)
        return seconds(value) if target.figure.endswith("_s") else f"{value:g}"

    op = "≥" if target.op == ">=" else "≤"
    mark = "?" if target.met is None else ("✓" if target.met else "✗")
    style = "dim" if target.met is None else ("green" if target.met else "bold red")
    attained = "" if target.attained is None else f" ({target.attained:.0%})"
    label = FIGURE_LABELS.get(target.figure, target.figure)
    return Text(
        f"{label} {op} {fmt(target.target)}: {fmt(target.value)}{attained} {mark}", style=style
    )


class LeaderboardScreen(ModalScreen[None]):
    """Today's leaderboard by team and region, and every target with its attainment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="wallboard.leaderboard.close"),
    ]

    def __init__(self, floor: Floor) -> None:
        super().__init__()
        self.floor = floor

    def compose(self) -> ComposeResult:
        with Vertical(id="leaderboard"):
            yield Label(Text("Leaderboard and targets (today)"), classes="dialog-title")
            yield DataTable(id="leaders", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#leaders", DataTable)
        for label in LEADER_COLUMNS:
            table.add_column(label, key=label.lower().rstrip(".") or "group")
        self.show()
        table.focus()

    def show(self) -> None:
        """Redraw from the floor (the server sends the leaderboard every few seconds)."""
        table = self.query_one("#leaders", DataTable)
        table.clear()
        for by, title in LEADER_GROUPS:
            for row in self.floor.leaders(by):
                # One line per target: the row grows rather than the text being cut.
                height = max(1, len(row.targets))
                table.add_row(*self.cells(title, row), key=row.row_key, height=height)

    @staticmethod
    def cells(title: str, row: LeaderRow) -> list[str | Text]:
        targets = Text("\n").join(target_text(t) for t in row.targets)
        return [
            title,
            Text(row.key or "—"),
            str(row.agents) if row.by != "queue" else "",
            str(row.answered),
            seconds(row.aht_s),
            percent(row.service_level),
            percent(row.fcr),
            percent(row.occupancy) if row.by != "queue" else "",
            targets,
        ]

    def action_close(self) -> None:
        self.dismiss(None)
