"""The supervisor wallboard: a Textual app fed by the floor socket.

Queue tiles across the top, the agent grid and the alarms below, campaigns at the bottom.
The feed runs in a worker; each aggregate is folded into a :class:`Floor` and only the rows
it changed are redrawn. Time in state ticks locally once a second.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, HorizontalScroll
from textual.widgets import Footer, Label

from console.feed import FeedProblem, FeedSource, LinkPhase, LinkStatus
from console.wallboard.client import ServerError, SupervisorApi
from console.wallboard.floor import Changes, Floor
from console.wallboard.moves import Move
from console.wallboard.screens import (
    Chooser,
    LeaderboardScreen,
    QueueMover,
    QueueScreen,
    StateChooser,
)
from console.wallboard.widgets import AgentGrid, AlarmList, QueueTileView, percent
from console.widgets._text import humanize
from switchboard.core.floor_wire import FloorSnapshot, FloorUpdate

FEED_WORKER = "floor-feed"


class WallboardApp(App[None]):
    CSS_PATH = "wallboard.tcss"
    TITLE = "Switchboard"
    SUB_TITLE = "Wallboard"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="wallboard.quit", priority=True),
        Binding("s", "set_state", "State", id="wallboard.set_state"),
        Binding("l", "log_out", "Log out", id="wallboard.log_out"),
        Binding("m", "move_agent", "Queues", id="wallboard.move_agent"),
        Binding("r", "reassign", "Reassign", id="wallboard.reassign"),
        Binding("p", "campaign", "Campaign", id="wallboard.campaign"),
        Binding("d", "drill_down", "Detail", id="wallboard.drill_down"),
        Binding("g", "focus_agents", "Agents", id="wallboard.focus_agents"),
        Binding("a", "focus_alarms", "Alarms", id="wallboard.focus_alarms"),
        Binding("b", "leaderboard", "Leaders", id="wallboard.leaderboard"),
        Binding("t", "toggle_theme", "Theme", id="wallboard.toggle_theme", show=False),
    ]

    def __init__(
        self,
        feed: FeedSource,
        api: SupervisorApi,
        *,
        clock: Callable[[], datetime] | None = None,
        tick: float = 1.0,
    ) -> None:
        super().__init__()
        self.feed = feed
        self.api = api
        self.floor = Floor()
        self.link: LinkStatus | None = None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tick = tick
        self._tiles: dict[str, QueueTileView] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="board-status"):
            yield Label("Switchboard wallboard", id="board-title")
            yield Label("", id="board-counts")
            yield Label("connecting…", id="board-link")
        yield Label("", id="board-notice")
        yield HorizontalScroll(id="queues")
        with Horizontal(id="lower"):
            yield AgentGrid(id="agents")
            yield AlarmList(id="alarms")
        yield Label("", id="campaigns")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agents", AgentGrid).border_title = "Agents"
        self.query_one("#alarms", AlarmList).border_title = "Alarms (0)"
        self.run_worker(
            self.feed.run(self._deliver),
            name=FEED_WORKER,
            group=FEED_WORKER,
            exclusive=True,
            exit_on_error=False,
        )
        self.set_interval(self._tick, self._advance_clock)

    # --- the feed (messages up) ------------------------------------------------------------

    def _deliver(self, event: Any) -> None:
        if isinstance(event, FloorSnapshot | FloorUpdate):
            self.show(self.floor.apply(event))
        elif isinstance(event, LinkStatus):
            self.show_link(event)
        elif isinstance(event, FeedProblem):
            self.notice(event.text)

    def show(self, changes: Changes) -> None:
        if changes.empty:
            return
        now = self._clock()
        self._show_queues(changes)
        grid = self.query_one("#agents", AgentGrid)
        grid.sync(self.floor, changes.agents, changes.agents_gone, now, reset=changes.reset)
        if changes.alarms:
            self.query_one("#alarms", AlarmList).show(self.floor.alarms_in_order())
        for alarm in changes.raised:
            if alarm.severity == "critical" and not changes.reset:
                self.bell()
        if changes.leaderboard and isinstance(self.screen, LeaderboardScreen):
            self.screen.show()
        self._show_counts()
        if changes.reset or changes.campaigns:
            self._show_campaigns()

    def _show_queues(self, changes: Changes) -> None:
        box = self.query_one("#queues", HorizontalScroll)
        if changes.reset:
            box.remove_children()
            self._tiles = {t.queue: QueueTileView(t) for t in self.floor.queues.values()}
            box.mount_all(self._tiles.values())
            return
        for queue in sorted(changes.queues):
            tile = self.floor.queues[queue]
            view = self._tiles.get(queue)  # by key: a DOM query per tile was the board's cost
            if view is not None:
                view.show(tile)
            else:
                self._tiles[queue] = view = QueueTileView(tile)
                box.mount(view)

    def _show_counts(self) -> None:
        counts = self.floor.agents_by_state()
        order = ("available", "on_call", "wrap_up", "reserved", "break", "not_ready", "offline")
        text = "  ".join(f"{humanize(s)} {counts[s]}" for s in order if counts.get(s))
        waiting = sum(t.waiting_now for t in self.floor.queues.values())
        counts_label = self.query_one("#board-counts", Label)
        counts_label.update(Text(f"{text}   waiting {waiting}"), layout=False)

    def _show_campaigns(self) -> None:
        parts = [
            f"{c.campaign} [{c.status}] dials {c.dials} conn {c.connects} "
            f"abandon {percent(c.abandon_rate)} of {c.abandon_cap:.0%}"
            for c in self.floor.campaigns.values()
        ]
        self.query_one("#campaigns", Label).update(
            Text(" · ".join(parts) or "no campaigns running")
        )

    def show_link(self, status: LinkStatus) -> None:
        self.link = status
        label = self.query_one("#board-link", Label)
        if status.phase is LinkPhase.CONNECTED:
            label.update("● connected")
        elif status.phase is LinkPhase.AUTH_FAILED:
            label.update("✖ token refused")
        elif status.phase is LinkPhase.RECONNECTING:
            label.update(f"↻ reconnecting in {status.retry_in or 0:.0f} s")
        else:
            label.update("connecting…")
        label.set_class(status.phase is not LinkPhase.CONNECTED, "-warn")

    def notice(self, text: str) -> None:
        self.query_one("#board-notice", Label).update(Text(text[:200]))

    def _advance_clock(self) -> None:
        self.query_one("#agents", AgentGrid).tick(self.floor, self._clock())

    # --- actions -----------------------------------------------------------------------------

    def _selected_agent(self) -> str | None:
        agent = self.query_one("#agents", AgentGrid).selected_agent()
        if agent is None:
            self.notice("Select an agent in the grid first (g)")
        return agent

    def action_set_state(self) -> None:
        agent = self._selected_agent()
        if agent is None:
            return

        def chosen(choice: tuple[str, str | None] | None) -> None:
            if choice is not None:
                self._set_state(agent, *choice)

        self.push_screen(StateChooser(agent), chosen)

    def action_log_out(self) -> None:
        agent = self._selected_agent()
        if agent is not None:
            self._set_state(agent, "offline", None)

    def _set_state(self, agent: str, state: str, reason: str | None) -> None:
        done = f"{agent} → {humanize(state)}" + (f" ({reason})" if reason else "")
        self._act(agent, self.api.set_agent_state(agent, state, reason), done)

    def action_move_agent(self) -> None:
        agent = self._selected_agent()
        if agent is None:
            return
        mover = QueueMover(agent, self.api)

        def chosen(move: Move | None) -> None:
            if move is not None:
                done = f"{agent} {mover.chosen}"
                self._act(agent, self.api.set_agent_skills(agent, move.skills), done)

        self.push_screen(mover, chosen)

    def action_reassign(self) -> None:
        alarms = self.query_one("#alarms", AlarmList)
        alarm = self.floor.alarms.get(alarms.selected_key() or "")
        if alarm is None or not alarm.kind.startswith("sla_"):
            self.notice("Select a request's SLA alarm first (a)")
            return
        number = alarm.subject
        order = {"available": 0, "wrap_up": 1, "on_call": 2}
        agents = sorted(
            (a for a in self.floor.agents.values() if a.state != "offline"),
            key=lambda a: (order.get(a.state, 3), a.agent),
        )
        options = [(a.agent, f"{a.agent}  {a.name}  ({humanize(a.state)})") for a in agents]

        def chosen(handler: str | None) -> None:
            if handler:
                call = self.api.reassign_request(number, handler)
                self._act(number, call, f"{number} → {handler}")

        self.push_screen(Chooser(f"Reassign request {number} to", options), chosen)

    def action_campaign(self) -> None:
        campaigns = sorted(self.floor.campaigns.values(), key=lambda c: c.campaign)
        if not campaigns:
            self.notice("No campaign on the board")
            return
        options = [
            (c.campaign, f"{'resume' if c.status == 'paused' else 'pause'} {c.campaign}")
            for c in campaigns
        ]

        def chosen(campaign: str | None) -> None:
            tile = self.floor.campaigns.get(campaign or "")
            if tile is not None:
                running = tile.status == "paused"
                done = f"{tile.campaign} {'resumed' if running else 'paused'}"
                name = tile.campaign
                self._act(name, self.api.set_campaign_running(name, running), done)

        self.push_screen(Chooser("Pause or resume a campaign", options), chosen)

    def _act(self, subject: str, call: Awaitable[Any], done: str) -> None:
        """Send one supervisor action; its outcome is one line on the notice bar."""

        async def work() -> None:
            try:
                await call
            except ServerError as exc:
                self.notice(f"{subject}: {exc}")
                return
            self.notice(done)

        self.run_worker(work(), group="actions")

    def action_drill_down(self) -> None:
        focused = self.focused
        if isinstance(focused, QueueTileView):
            self.push_screen(QueueScreen(focused.tile.queue, self.api))
        elif self.floor.queues:
            self.push_screen(QueueScreen(next(iter(self.floor.queues)), self.api))

    def on_queue_tile_view_chosen(self, message: QueueTileView.Chosen) -> None:
        self.push_screen(QueueScreen(message.queue, self.api))

    def action_focus_agents(self) -> None:
        self.query_one("#agents", AgentGrid).focus()

    def action_focus_alarms(self) -> None:
        self.query_one("#alarms", AlarmList).focus()

    def action_leaderboard(self) -> None:
        self.push_screen(LeaderboardScreen(self.floor))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def run_wallboard(server_url: str, token: str) -> None:
    """Open the wallboard against a server with a supervisor (or admin) token."""
    from console.wallboard.client import SupervisorClient
    from console.wallboard.feed import floor_feed

    client = SupervisorClient(server_url, token)
    WallboardApp(floor_feed(server_url, token), client).run()
