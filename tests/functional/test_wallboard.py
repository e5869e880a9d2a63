"""The supervisor wallboard driven by Pilot: a scripted floor feed and a recording API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Label, OptionList

from console.feed import FeedProblem, LinkPhase, LinkStatus
from console.wallboard.app import WallboardApp
from console.wallboard.client import ServerError
from console.wallboard.screens import Chooser, QueueMover, QueueScreen, StateChooser
from console.wallboard.widgets import AgentGrid, AlarmList, QueueTileView
from switchboard.core.floor_wire import (
    AgentRow,
    AlarmWire,
    CampaignTile,
    FloorSnapshot,
    FloorUpdate,
    QueueTile,
)
from tests.functional.conftest import wait_until

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def snapshot() -> FloorSnapshot:
    return FloorSnapshot(
        at=NOW,
        period_start=NOW.replace(hour=0),
        queues=[
            QueueTile(
                queue="billing",
                name="账单 Billing",
                offered=120,
                answered=110,
                abandoned=6,
                waiting_now=3,
                longest_wait_s=45,
                service_level=0.82,
                service_level_target=0.8,
                asa_s=12,
                aht_s=250,
                sl_history=[0.7, 0.8, 0.9, 0.82],
            ),
            QueueTile(
                queue="tech",
                name="Tech",
                offered=40,
                answered=30,
                abandoned=2,
                service_level=0.6,
                service_level_target=0.8,
            ),
        ],
        agents=[
            AgentRow(
                agent="a1",
                name="王小明",
                team="一组",
                state="on_call",
                since=NOW - timedelta(minutes=3),
                calls=12,
                occupancy=0.8,
            ),
            AgentRow(
                agent="a2",
                name="Li Na",
                team="一组",
                state="available",
                since=NOW - timedelta(seconds=20),
                calls=9,
            ),
            AgentRow(
                agent="a3",
                name="Zhou",
                team="二组",
                state="break",
                reason="lunch",
                since=NOW - timedelta(minutes=40),
            ),
        ],
        campaigns=[CampaignTile(campaign="renewals", dials=300, connects=120, abandon_rate=0.021)],
        alarms=[
            AlarmWire(
                key="agent_state_too_long:a3",
                kind="agent_state_too_long",
                subject="a3",
                severity="critical",
                text="a3 in break for 40 min (limit 15)",
            )
        ],
    )


class ScriptedFeed:
    """Connects at once, then delivers whatever the test puts in ``events``."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[Any] = asyncio.Queue()

    async def run(self, sink: Any) -> None:
        sink(LinkStatus(LinkPhase.CONNECTED, 1, ever_connected=True))
        while True:
            sink(await self.events.get())


class RecordingApi:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail: str | None = None
        self.no_queues = False

    async def set_agent_state(
        self, agent: str, state: str, reason: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(("state", agent, state, reason))
        if self.fail:
            raise ServerError(self.fail)
        return {"id": agent, "state": state}

    async def queue(self, queue: str) -> dict[str, Any]:
        self.calls.append(("queue", queue))
        return {
            "id": queue,
            "strategy": "longest_idle",
            "waiting": [
                {"id": "call-9", "priority": 5, "arrived_at": "09:59:10", "skills": {"billing": 2}}
            ],
        }

    async def decisions(self, item: str) -> dict[str, Any]:
        self.calls.append(("decisions", item))
        return {"decisions": [{"item": item, "winner": "a2", "rule": "longest_idle"}]}

    async def queues(self) -> dict[str, Any]:
        if self.no_queues:
            return {"queues": []}
        return {
            "queues": [
                {"id": "billing", "skills": {"billing": 2}},
                {"id": "tech", "skills": {"tech": 3}},
            ]
        }

    async def agent(self, agent: str) -> dict[str, Any]:
        return {"id": agent, "skills": {"billing": 4, "english": 2}}

    async def set_agent_skills(self, agent: str, skills: dict[str, int]) -> dict[str, Any]:
        self.calls.append(("skills", agent, skills))
        return {"id": agent, "skills": skills}

    async def reassign_request(self, number: str, handler: str) -> dict[str, Any]:
        self.calls.append(("reassign", number, handler))
        return {"numbers": [number]}

    async def set_campaign_running(self, campaign: str, running: bool) -> dict[str, Any]:
        self.calls.append(("campaign", campaign, running))
        if self.fail:
            raise ServerError(self.fail)
        return {"id": campaign}


async def settle(pilot: Any, feed: ScriptedFeed, *events: Any) -> None:
    for event in events:
        await feed.events.put(event)
    for _ in range(5):
        await pilot.pause()


def board() -> tuple[WallboardApp, ScriptedFeed, RecordingApi]:
    feed, api = ScriptedFeed(), RecordingApi()
    return WallboardApp(feed, api, clock=lambda: NOW, tick=3600), feed, api


def cell(grid: DataTable[Any], row: str, column: str) -> str:
    return str(grid.get_cell(row, column))


async def test_the_snapshot_fills_the_board() -> None:
    app, feed, _ = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        tiles = list(app.query(QueueTileView))
        assert [t.tile.queue for t in tiles] == ["billing", "tech"]
        assert tiles[1].has_class("-below-target")
        grid = app.query_one("#agents", AgentGrid)
        assert grid.row_count == 3
        assert cell(grid, "a1", "time") == "3:00"
        assert cell(grid, "a3", "state") == "Break (lunch)"
        alarms = app.query_one("#alarms", AlarmList)
        assert alarms.row_count == 1
        assert "Available 1" in str(app.query_one("#board-counts", Label).render())
        assert "renewals" in str(app.query_one("#campaigns", Label).render())


async def test_an_update_touches_only_its_rows_and_alarms_come_and_go() -> None:
    app, feed, _ = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        grid = app.query_one("#agents", AgentGrid)
        before_a1 = [cell(grid, "a1", c) for c in ("state", "time", "calls")]
        raised = AlarmWire(
            key="call_waiting_too_long:billing",
            kind="call_waiting_too_long",
            subject="billing",
            severity="warning",
            text="billing: 75 s",
        )
        update = FloorUpdate(
            at=NOW + timedelta(seconds=1),
            agents=[
                AgentRow(
                    agent="a2", name="Li Na", team="一组", state="on_call", since=NOW, calls=10
                )
            ],
            queues=[QueueTile(queue="sales", name="Sales", offered=1)],
            alarms_raised=[raised],
            alarms_cleared=["agent_state_too_long:a3"],
        )
        await settle(pilot, feed, update)
        assert cell(grid, "a2", "state") == "On call"
        assert cell(grid, "a2", "calls") == "10"
        assert [cell(grid, "a1", c) for c in ("state", "time", "calls")] == before_a1
        assert [t.tile.queue for t in app.query(QueueTileView)] == ["billing", "tech", "sales"]
        alarms = app.query_one("#alarms", AlarmList)
        assert [k.value for k in alarms.rows] == ["call_waiting_too_long:billing"]
        gone = FloorUpdate(
            at=NOW + timedelta(seconds=2),
            agents_gone=["a3"],
            alarms_cleared=["call_waiting_too_long:billing"],
        )
        await settle(pilot, feed, gone)
        assert alarms.row_count == 0
        assert "a3" not in [k.value for k in grid.rows]


async def test_a_stale_update_is_dropped() -> None:
    app, feed, _ = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        old = FloorUpdate(
            at=NOW - timedelta(seconds=5), agents=[AgentRow(agent="a1", state="offline")]
        )
        await settle(pilot, feed, old)
        assert cell(app.query_one("#agents", AgentGrid), "a1", "state") == "On call"


async def test_a_supervisor_puts_an_agent_on_break_and_logs_one_out() -> None:
    app, feed, api = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("g", "down")  # the grid, second row: a2
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StateChooser)
        options = app.screen.query_one(OptionList)
        options.highlighted = 1  # Break: meeting
        await pilot.press("enter")
        await settle(pilot, feed)
        assert api.calls[-1] == ("state", "a2", "break", "meeting")
        await pilot.press("l")
        await settle(pilot, feed)
        assert api.calls[-1] == ("state", "a2", "offline", None)
        assert "a2 → Offline" in str(app.query_one("#board-notice", Label).render())


async def choose(pilot: Any, app: WallboardApp, label: str) -> None:
    """Highlight the option whose text starts with ``label`` in the open pop-up; press enter."""
    await wait_until(pilot, lambda: isinstance(app.screen, Chooser | QueueMover))
    options = app.screen.query_one(OptionList)
    await wait_until(pilot, lambda: options.option_count > 0)  # the mover asks the server
    labels = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
    options.highlighted = next(n for n, text in enumerate(labels) if text.startswith(label))
    await pilot.press("enter")
    await pilot.pause()


async def test_a_supervisor_moves_an_agent_into_a_queue_and_out_of_another() -> None:
    app, feed, api = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("g", "down", "m")  # a2's queues
        await pilot.pause()
        await choose(pilot, app, "  tech")  # not served yet: join
        await settle(pilot, feed)
        assert api.calls[-1] == ("skills", "a2", {"billing": 4, "english": 2, "tech": 3})
        assert "a2 joins tech" in str(app.query_one("#board-notice", Label).render())
        await pilot.press("m")
        await pilot.pause()
        await choose(pilot, app, "✓ billing")  # served: leave
        await settle(pilot, feed)
        assert api.calls[-1] == ("skills", "a2", {"english": 2})
        assert "a2 leaves billing" in str(app.query_one("#board-notice", Label).render())


async def test_without_routing_queues_the_mover_says_how_to_add_them() -> None:
    app, feed, api = board()
    api.no_queues = True
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("g", "m")
        await wait_until(pilot, lambda: "switchboard queues load" in screen_note(app))
        assert app.screen.query_one(OptionList).option_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QueueMover)
        assert not any(call[0] == "skills" for call in api.calls)


def screen_note(app: WallboardApp) -> str:
    found = app.screen.query("#chooser-note")
    return str(found.first(Label).render()) if found else ""


async def test_a_request_about_to_breach_is_reassigned_from_its_alarm() -> None:
    app, feed, api = board()
    breach = AlarmWire(
        key="sla_about_to_breach:SR-20261123-0007",
        kind="sla_about_to_breach",
        subject="SR-20261123-0007",
        severity="warning",
        text="request SR-20261123-0007 breaches its SLA in 12 min",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("a", "r")  # the first alarm is an agent's: not a request
        await settle(pilot, feed)
        assert "Select a request's SLA alarm first" in str(
            app.query_one("#board-notice", Label).render()
        )
        await settle(pilot, feed, FloorUpdate(at=NOW, alarms_raised=[breach]))
        app.query_one(AlarmList).move_cursor(row=1)
        await pilot.press("r")
        await pilot.pause()
        await choose(pilot, app, "a2")  # the available agent is offered first
        await settle(pilot, feed)
        assert api.calls[-1] == ("reassign", "SR-20261123-0007", "a2")


async def test_a_campaign_is_paused_and_a_refusal_is_one_line() -> None:
    app, feed, api = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("p")
        await pilot.pause()
        await choose(pilot, app, "pause renewals")
        await settle(pilot, feed)
        assert api.calls[-1] == ("campaign", "renewals", False)
        assert str(app.query_one("#board-notice", Label).render()) == "renewals paused"
        paused = CampaignTile(campaign="renewals", status="paused")
        await settle(pilot, feed, FloorUpdate(at=NOW, campaigns=[paused]))
        api.fail = "HTTP 403: supervisors only"
        await pilot.press("p")
        await pilot.pause()
        await choose(pilot, app, "resume renewals")
        await settle(pilot, feed)
        assert api.calls[-1] == ("campaign", "renewals", True)
        assert str(app.query_one("#board-notice", Label).render()) == (
            "renewals: HTTP 403: supervisors only"
        )


async def test_a_refused_action_is_one_line_not_a_traceback() -> None:
    app, feed, api = board()
    api.fail = "HTTP 409: agent a1 is on a call (state)"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        await pilot.press("g", "l")
        await settle(pilot, feed)
        assert str(app.query_one("#board-notice", Label).render()) == (
            "a1: HTTP 409: agent a1 is on a call (state)"
        )


async def test_drill_down_into_a_queue_and_an_items_trace() -> None:
    app, feed, api = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        app.query(QueueTileView).first().focus()
        await pilot.press("d")
        await settle(pilot, feed)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one("#waiting-items", DataTable)
        assert table.row_count == 1
        table.focus()
        await pilot.press("enter")
        await settle(pilot, feed)
        assert ("decisions", "call-9") in api.calls
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QueueScreen)


async def test_a_bad_message_and_a_lost_link_are_shown() -> None:
    app, feed, _ = board()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, FeedProblem("Ignored a floor_update message (at: bad)"))
        assert "Ignored a floor_update" in str(app.query_one("#board-notice", Label).render())
        await settle(pilot, feed, LinkStatus(LinkPhase.RECONNECTING, 2, retry_in=4.0))
        assert "reconnecting in 4 s" in str(app.query_one("#board-link", Label).render())


@pytest.mark.parametrize("size", [(120, 40), (200, 50)])
def test_board_snapshots(snap_compare: Any, size: tuple[int, int]) -> None:
    app, feed, _ = board()

    async def fill(pilot: Any) -> None:
        await settle(pilot, feed, snapshot())

    assert snap_compare(app, terminal_size=size, run_before=fill)


async def test_the_leaderboard_panel_shows_teams_and_targets_and_follows_updates() -> None:
    from console.wallboard.screens import LeaderboardScreen
    from switchboard.core.floor_wire import LeaderRow, TargetWire

    app, feed, _ = board()
    snap = snapshot()
    snap.leaderboard = [
        LeaderRow(
            by="team",
            key="一组",
            agents=2,
            answered=21,
            aht_s=250,
            service_level=0.85,
            targets=[
                TargetWire(
                    figure="service_level", op=">=", target=0.8, value=0.85, attained=1.06, met=True
                )
            ],
        ),
        LeaderRow(by="region", key="华东", agents=3, answered=21),
    ]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snap)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        table = app.screen.query_one("#leaders", DataTable)
        assert [k.value for k in table.rows] == ["team:一组", "region:华东"]
        assert str(table.get_cell("team:一组", "targets")) == "SL ≥ 80%: 85% (106%) ✓"
        update = FloorUpdate(
            at=NOW + timedelta(seconds=10),
            leaderboard=[LeaderRow(by="team", key="二组", agents=1, answered=30)],
        )
        await settle(pilot, feed, update)
        assert [k.value for k in table.rows] == ["team:二组", "team:一组", "region:华东"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LeaderboardScreen)


async def test_time_in_state_ticks_on_the_rows_in_view() -> None:
    feed, api = ScriptedFeed(), RecordingApi()
    now = [NOW]
    app = WallboardApp(feed, api, clock=lambda: now[0], tick=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, feed, snapshot())
        grid = app.query_one("#agents", AgentGrid)
        assert cell(grid, "a1", "time") == "3:00"
        now[0] = NOW + timedelta(seconds=65)
        app._advance_clock()
        await pilot.pause()
        assert [cell(grid, a, "time") for a in ("a1", "a2", "a3")] == ["4:05", "1:25", "41:05"]


def test_leaderboard_snapshot(snap_compare: Any) -> None:
    from switchboard.core.floor_wire import LeaderRow, TargetWire

    app, feed, _ = board()
    snap = snapshot()
    snap.leaderboard = [
        LeaderRow(
            by="team",
            key="shanghai-1",
            agents=6,
            answered=130,
            aht_s=245,
            fcr=0.78,
            occupancy=0.72,
            service_level=0.84,
            targets=[
                TargetWire(
                    figure="service_level", op=">=", target=0.8, value=0.84, attained=1.05, met=True
                ),
                TargetWire(
                    figure="aht_s", op="<=", target=240, value=245, attained=0.9796, met=False
                ),
            ],
        ),
        LeaderRow(by="team", key="shenzhen-1", agents=5, answered=98, aht_s=301, fcr=0.7),
        LeaderRow(by="region", key="华东", agents=12, answered=240, aht_s=260, occupancy=0.7),
        LeaderRow(
            by="queue",
            key="billing",
            answered=110,
            service_level=0.82,
            targets=[TargetWire(figure="abandon_rate", op="<=", target=0.05, value=None, met=None)],
        ),
    ]

    async def open_panel(pilot: Any) -> None:
        await settle(pilot, feed, snap)
        await pilot.press("b")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_panel)
