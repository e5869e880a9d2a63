"""Wallboard widgets: queue tiles, the agent grid and the alarm list, updated in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Sparkline

from console.wallboard.floor import Floor
from console.widgets._text import elapsed, humanize
from switchboard.core.floor_wire import AgentRow, AlarmWire, QueueTile

STATE_STYLE = {
    "available": "green",
    "reserved": "yellow",
    "on_call": "yellow",
    "wrap_up": "cyan",
    "break": "magenta",
    "not_ready": "red",
    "offline": "grey50",
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def seconds(value: float | None) -> str:
    return "—" if value is None else elapsed(value)


def service_level_text(tile: QueueTile) -> Text:
    text = Text("SL ")
    style = "bold"
    if tile.service_level is not None and tile.service_level_target is not None:
        style = "bold green" if tile.service_level >= tile.service_level_target else "bold red"
    text.append(percent(tile.service_level), style=style)
    if tile.service_level_target is not None:
        text.append(f" / {tile.service_level_target:.0%}", style="dim")
    return text


class QueueTileView(Vertical, can_focus=True):
    """One queue: service level against target, who waits and for how long, the day's counts."""

    class Chosen(Message):
        def __init__(self, queue: str) -> None:
            super().__init__()
            self.queue = queue

    def __init__(self, tile: QueueTile) -> None:
        super().__init__(id=f"queue-{tile.queue}", classes="queue-tile")
        self.tile = tile
        self._shown: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        yield Label(id="title", classes="tile-title")
        yield Label(id="sl")
        yield Label(id="waiting")
        yield Label(id="counts")
        yield Label(id="times")
        yield Sparkline([], id="history")

    def on_mount(self) -> None:
        self.show(self.tile)

    def show(self, tile: QueueTile) -> None:
        """Redraw what changed. The labels fill the tile's fixed width, so new text never
        needs a layout pass of the whole board (at 50 tiles that pass was most of the cost)."""
        self.tile = tile
        waiting = Text(f"waiting {tile.waiting_now}")
        if tile.waiting_now:
            waiting.append(f" · longest {elapsed(tile.longest_wait_s)}", style="bold")
        lines = {
            "#title": Text(tile.name or tile.queue),
            "#sl": service_level_text(tile),
            "#waiting": waiting,
            "#counts": Text(f"in {tile.offered} ans {tile.answered} ab {tile.abandoned}"),
            "#times": Text(f"ASA {seconds(tile.asa_s)} AHT {seconds(tile.aht_s)}"),
        }
        for selector, text in lines.items():
            if self._shown.get(selector) != text:
                self._shown[selector] = text
                self.query_one(selector, Label).update(text, layout=False)
        history = self.query_one("#history", Sparkline)
        judged = [level for level in tile.sl_history if level is not None]  # intervals with calls
        if list(history.data or ()) != judged:
            history.data = judged
        history.display = len(judged) > 1
        late = (
            tile.service_level is not None
            and tile.service_level_target is not None
            and tile.service_level < tile.service_level_target
        )
        # A class change restyles the tile: only when one flips, both in one pass.
        classes = {"-waiting": bool(tile.waiting_now), "-below-target": late}
        if any(self.has_class(name) != on for name, on in classes.items()):
            self.update_classes(classes)

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.tile.queue))

    def key_enter(self) -> None:
        self.post_message(self.Chosen(self.tile.queue))


AGENT_COLUMNS = ("Agent", "Name", "Team", "State", "Time", "Calls", "AHT", "Occ.")
TIME_COLUMN = AGENT_COLUMNS.index("Time")


class AgentGrid(DataTable[str | Text]):
    """Agents by state, one row per agent keyed by its id; only changed rows are touched."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cells: dict[str, list[str | Text]] = {}  # what each row shows, by agent

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for label in AGENT_COLUMNS:
            self.add_column(label, key=label.lower().rstrip("."))

    def row_for(self, row: AgentRow, now: datetime) -> list[str | Text]:
        in_state = (now - row.since).total_seconds() if row.since else 0.0
        state = humanize(row.state) + (f" ({row.reason})" if row.reason else "")
        return [
            Text(row.agent),
            Text(row.name),
            Text(row.team),
            Text(state, style=STATE_STYLE.get(row.state, "")),
            elapsed(in_state),
            str(row.calls),
            seconds(row.aht_s),
            percent(row.occupancy),
        ]

    def sync(
        self, floor: Floor, agents: set[str], gone: set[str], now: datetime, *, reset: bool
    ) -> None:
        """Add, change or remove the rows of these agents; of a changed row only the cells
        whose text differs are touched."""
        if reset:
            self.clear()
            self._cells.clear()
            agents = set(floor.agents)
        for agent in sorted(gone):
            self._cells.pop(agent, None)
            if agent in self.rows:
                self.remove_row(agent)
        for agent in sorted(agents):
            row = floor.agents.get(agent)
            if row is None:
                continue
            cells = self.row_for(row, now)
            before = self._cells.get(agent)
            self._cells[agent] = cells
            if agent in self.rows and before is not None:
                for key, old, value in zip(self.columns, before, cells, strict=True):
                    if old != value:
                        self.update_cell(agent, key, value)
            else:
                self.add_row(*cells, key=agent)

    def tick(self, floor: Floor, now: datetime) -> None:
        """Advance the time-in-state column of the rows in view (the server sends a row only
        when it changes); a row scrolled into view catches up on the next tick."""
        first = max(0, self.scroll_offset.y - 1)
        for row in self.ordered_rows[first : first + self.size.height + 1]:
            agent = row.key.value
            shown = floor.agents.get(agent or "")
            cells = self._cells.get(agent or "")
            if shown is None or shown.since is None or cells is None:
                continue
            text = elapsed((now - shown.since).total_seconds())
            if cells[TIME_COLUMN] != text:
                cells[TIME_COLUMN] = text
                self.update_cell(row.key, "time", text)

    def selected_agent(self) -> str | None:
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return key.value


class AlarmList(DataTable[str | Text]):
    """Alarms now, critical first; rows come and go as the server raises and clears them."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column("", key="severity", width=2)
        self.add_column("Alarm", key="text")

    def show(self, alarms: list[AlarmWire]) -> None:
        self.clear()
        for alarm in alarms:
            mark = Text("●", style="bold red" if alarm.severity == "critical" else "yellow")
            self.add_row(mark, Text(alarm.text), key=alarm.key)
        self.border_title = f"Alarms ({len(alarms)})"

    def selected_key(self) -> str | None:
        """The key of the alarm under the cursor (``kind:subject``), if any."""
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return key.value
