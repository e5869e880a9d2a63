"""Running the server until SIGINT/SIGTERM, with one readable line on why it could not start."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys

from aiohttp import web

from switchboard.app import create_app
from switchboard.core.settings import Settings

log = logging.getLogger("switchboard")


async def serve(settings: Settings) -> None:
    """Start, print the address it listens on (one line on stdout), run until told to stop."""
    runner = web.AppRunner(create_app(settings), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, shutdown_timeout=5)
        await site.start()
        host, port = runner.addresses[0][:2]
        # Everything built at start (routes, compiled statements, the routing engine's agents
        # and queues, the knowledge index) lives as long as the server: move it out of the
        # garbage collector's way, so a full collection no longer walks it while a call waits.
        gc.freeze()
        print(f"switchboard listening on http://{host}:{port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("stopping")
    finally:
        await runner.cleanup()


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
