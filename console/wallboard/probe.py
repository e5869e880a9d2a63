"""A headless wallboard that times itself: ``python -m console.wallboard.probe URL``.

The real board (``WallboardApp`` with the real floor feed) run without a terminal for the
wallboard benchmark. It prints ``ready`` once the first snapshot is shown, then measures for
``--seconds`` and prints one JSON line: for each ``floor_update``, the time from the server
computing it (``at``) to the board having applied it (render lag), and for each agent row with
a new state, the time from the change on the server (``since``) to the board. The token comes
from SWITCHBOARD_TOKEN.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from console.wallboard.app import WallboardApp
from console.wallboard.client import SupervisorClient
from console.wallboard.feed import floor_feed
from switchboard.core.floor_wire import FloorSnapshot, FloorUpdate


class TimedBoard(WallboardApp):
    def __init__(self, url: str, token: str) -> None:
        self.client = SupervisorClient(url, token)
        super().__init__(floor_feed(url, token), self.client)
        self.render_ms: list[float] = []  # an update computed -> applied by the board
        self.change_ms: list[float] = []  # a state change on the server -> on the board
        self.apply_ms: list[float] = []  # the board applying one update
        self.arrive_ms: list[float] = []  # computed on the server -> received by the board
        self.updates = 0
        self.snapshots = 0
        self.bytes = 0
        self.measuring = False
        self.since: dict[str, datetime] = {}

    def _deliver(self, event: Any) -> None:
        received = datetime.now(UTC)
        super()._deliver(event)
        if isinstance(event, FloorUpdate) and self.measuring:
            self.apply_ms.append((datetime.now(UTC) - received).total_seconds() * 1000)
            self.arrive_ms.append(max(0.0, (received - event.at).total_seconds() * 1000))
        if isinstance(event, FloorSnapshot):
            self.snapshots += 1
            self.since.update({r.agent: r.since for r in event.agents if r.since})
        elif isinstance(event, FloorUpdate):
            shown = datetime.now(UTC)
            if self.measuring:
                self.updates += 1
                self.bytes += len(event.model_dump_json())
                self.render_ms.append(max(0.0, (shown - event.at).total_seconds() * 1000))
            for row in event.agents:
                # A row changes with its calls or AHT too: only a new ``since`` is a new state.
                if row.since is None or self.since.get(row.agent) == row.since:
                    continue
                self.since[row.agent] = row.since
                if self.measuring:
                    self.change_ms.append(max(0.0, (shown - row.since).total_seconds() * 1000))


async def probe(url: str, token: str, seconds: float, size: tuple[int, int]) -> dict[str, Any]:
    board = TimedBoard(url, token)
    async with board.run_test(headless=True, size=size) as pilot:
        for _ in range(200):
            if board.snapshots:
                break
            await pilot.pause(0.1)
        if not board.snapshots:
            raise SystemExit("no floor snapshot within 20 s")
        print("ready", flush=True)
        board.measuring = True
        await pilot.pause(seconds)
        board.measuring = False
    await board.client.close()
    return {
        "seconds": seconds,
        "updates": board.updates,
        "bytes": board.bytes,
        "render_ms": board.render_ms,
        "change_ms": board.change_ms,
        "apply_ms": board.apply_ms,
        "arrive_ms": board.arrive_ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.wallboard.probe")
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--size", default="200x50", help="columns x rows")
    args = parser.parse_args(argv)
    token = os.environ.get("SWITCHBOARD_TOKEN", "")
    columns, rows = (int(n) for n in args.size.split("x"))
    out = asyncio.run(probe(args.url, token, args.seconds, (columns, rows)))
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
