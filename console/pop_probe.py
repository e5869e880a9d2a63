"""``python -m console.pop_probe URL TOKEN``: the agent console, headless, reporting each pop.

For the ``console_pop`` benchmark. Runs the real console (feed, widgets, layout) without a
terminal and prints ``drawn CALL_ID T`` on stdout once the screen refresh after a pop has
been composed, T being ``time.monotonic()`` (one clock for every process on the machine), so
the benchmark can time a pop from the socket to the card on screen. ``--bare`` runs the
baseline instead: a plain Textual app with one Static fed by a plain websocket reader.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import aiohttp
from textual.app import App, ComposeResult
from textual.widgets import Static

from console.agent_app import AgentConsoleApp
from console.config import ConsoleConfig
from console.feed import WS_PATH, AgentFeed
from console.messages import ScreenPopReceived


def report(call_id: str) -> None:
    print(f"drawn {call_id} {time.monotonic():.6f}", flush=True)


class ProbedConsole(AgentConsoleApp):
    """The real console, saying when the screen after a pop has been drawn."""

    def on_screen_pop_received(self, message: ScreenPopReceived) -> None:
        super().on_screen_pop_received(message)
        self.call_after_refresh(report, message.pop.call_id)


class BareConsole(App[None]):
    """The least a Textual console does for a pop: read it, write a name, refresh."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__()
        self.url = url.rstrip("/") + WS_PATH
        self.token = token

    def compose(self) -> ComposeResult:
        yield Static(id="card")

    def on_mount(self) -> None:
        self.run_worker(self._read(), exclusive=True)

    async def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(self.url, headers=headers) as ws,
        ):
            async for frame in ws:
                data: Any = json.loads(frame.data)
                if data.get("type") != "screen_pop":
                    continue
                self.query_one(Static).update(data["customer"]["name"])
                self.call_after_refresh(report, data["call_id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.pop_probe")
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--agent", default="a-1001")
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    parser.add_argument("--language", default="zh", choices=["en", "zh"])
    parser.add_argument("--bare", action="store_true", help="run the baseline instead")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.split("x"))
    app: App[Any]
    if args.bare:
        app = BareConsole(args.url, args.token)
    else:
        app = ProbedConsole(
            AgentFeed(args.url, args.token, heartbeat=None),
            agent_id=args.agent,
            config=ConsoleConfig(language=args.language),
        )
    print("ready", flush=True)
    asyncio.run(app.run_async(headless=True, size=(width, height)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
