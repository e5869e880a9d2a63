"""Wallboard widgets: queue tiles, the agent grid and the alarm list, updated in place."""

from __future__ import annotations

from datetime import datetime

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
        self.tile = tile
        self.query_one("#title", Label).update(Text(tile.name or tile.queue))
        self.query_one("#sl", Label).update(service_level_text(tile))
        waiting = Text(f"waiting {tile.waiting_now}")
        if tile.waiting_now:
            waiting.append(f" · longest {elapsed(tile.longest_wait_s)}", style="bold")
        self.query_one("#waiting", Label).update(waiting)
        self.query_one("#counts", Label).update(
            Text(f"in {tile.offered} ans {tile.answered} ab {tile.abandoned}")
        )
        self.query_one("#times", Label).update(
            Text(f"ASA {seconds(tile.asa_s)} AHT {seconds(tile.aht_s)}")
        )
        history = self.query_one("#history", Sparkline)
        judged = [level for level in tile.sl_history if level is not None]  # intervals with calls
        history.data = judged
        history.display = len(judged) > 1
        self.set_class(bool(tile.waiting_now), "-waiting")
        late = (
            tile.service_level is not None
            and tile.service_level_target is not None
            and tile.service_level < tile.service_level_target
        )
        self.set_class(late, "-below-target")

    def on_click(self) -> None:
        self.post_message(self.Chosen(self.tile.queue))

    def key_enter(self) -> None:
        self.post_message(self.Chosen(self.tile.queue))


AGENT_COLUMNS = ("Agent", "Name", "Team", "State", "Time", "Calls", "AHT", "Occ.")


class AgentGrid(DataTable[str | Text]):
    """Agents by state, one row per agent keyed by its id; only changed rows are touched."""

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
        if reset:
            self.clear()
            agents = set(floor.agents)
        for agent in sorted(gone):
            if agent in self.rows:
                self.remove_row(agent)
        for agent in sorted(agents):
            row = floor.agents.get(agent)
            if row is None:
                continue
            cells = self.row_for(row, now)
            if agent in self.rows:
                for key, value in zip(self.columns, cells, strict=True):
                    self.update_cell(agent, key, value)
            else:
                self.add_row(*cells, key=agent)

    def tick(self, floor: Floor, now: datetime) -> None:
        """Advance the time-in-state column; the server sends a row only when it changes."""
        for agent, row in floor.agents.items():
            if agent in self.rows and row.since is not None:
                self.update_cell(agent, "time", elapsed((now - row.since).total_seconds()))

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
