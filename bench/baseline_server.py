"""What the bare baselines share: serve one aiohttp app until SIGTERM, and their command line.

A baseline prints ``baseline listening on http://HOST:PORT`` on stdout once it accepts
connections, which is the line :class:`bench.common.ServerProcess` waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web


async def serve(app: web.Application, host: str, port: int) -> None:
    """Run ``app`` on ``host:port`` (0: any free port) until SIGINT or SIGTERM."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, shutdown_timeout=5)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        print(f"baseline listening on http://{bound_host}:{bound_port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(
    prog: str,
    create_app: Callable[[Path], web.Application],
    db_help: str,
    argv: list[str] | None = None,
) -> int:
    """``python -m bench.baseline_X --db FILE [--host H] [--port P]``: serve ``create_app(db)``."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--db", type=Path, required=True, help=db_help)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.db.is_file():
        print(f"baseline: no database file {args.db}", file=sys.stderr)
        return 2
    asyncio.run(serve(create_app(args.db), args.host, args.port))
    return 0
