"""An inbound event socket connection: log in, subscribe, run commands and background jobs."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from telephony_adapters.freeswitch.protocol import (
    EslConnectionLost,
    EslError,
    EslProtocol,
    Event,
)

log = logging.getLogger(__name__)

# What the adapter listens to. BACKGROUND_JOB carries the results of bgapi commands.
EVENTS = (
    "CHANNEL_CREATE",
    "CHANNEL_ANSWER",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_HOLD",
    "CHANNEL_UNHOLD",
    "CHANNEL_HANGUP_COMPLETE",
    "BACKGROUND_JOB",
    "CUSTOM",
    "callcenter::info",
)


class EslAuthError(EslError):
    """FreeSWITCH refused the password (or the connection, by its ACL)."""


class EslCommandError(EslError):
    """A command was answered with ``-ERR``."""

    def __init__(self, command: str, reply: str) -> None:
        super().__init__(f"{command}: {reply}")
        self.command = command
        self.reply = reply


class EslClient:
    """One connection to FreeSWITCH's event socket (``inbound`` mode).

    Events other than ``BACKGROUND_JOB`` go to ``on_event`` in the order FreeSWITCH sent
    them; a ``BACKGROUND_JOB`` answers the :meth:`bgapi` call that started it, matched by
    its ``Job-UUID``.
    """

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        *,
        on_event: Callable[[Event], None],
        connect_timeout: float = 5.0,
        command_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self._password = password
        self._on_event = on_event
        self._connect_timeout = connect_timeout
        self._command_timeout = command_timeout
        self._protocol: EslProtocol | None = None
        self._jobs: dict[str, asyncio.Future[str]] = {}

    @property
    def is_open(self) -> bool:
        return self._protocol is not None and self._protocol.is_open

    async def connect(self) -> None:
        """Connect and log in; EslAuthError when the password (or ACL) is refused."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(self._connect_timeout):
            _, protocol = await loop.create_connection(
                lambda: EslProtocol(self._dispatch, self._fail_jobs), self.host, self.port
            )
        self._protocol = protocol
        try:
            try:
                await protocol.wait_auth_request(within=self._connect_timeout)
            except EslConnectionLost:
                if protocol.rejection:
                    raise EslAuthError(f"FreeSWITCH refused us: {protocol.rejection}") from None
                raise
            reply = await protocol.send(f"auth {self._password}", within=self._connect_timeout)
            if not reply.reply_text.startswith("+OK"):
                raise EslAuthError(
                    f"FreeSWITCH at {self.host}:{self.port} refused the password "
                    f"({reply.reply_text or 'no reason given'})"
                )
        except BaseException:
            self.close()
            raise

    async def subscribe(self, events: Iterable[str] = EVENTS) -> None:
        await self.command("event json " + " ".join(events))

    async def command(self, command: str) -> str:
        """A command answered by ``command/reply``; returns its ``Reply-Text``."""
        reply = await self._protocol_or_raise().send(command, within=self._command_timeout)
        text = reply.reply_text
        if text.startswith("-ERR"):
            raise EslCommandError(command.split(" ", 1)[0], text)
        return text

    async def api(self, command: str, *, within: float | None = None) -> str:
        """``api <command>``: the answer's body (which may itself say ``-ERR``)."""
        reply = await self._protocol_or_raise().send(
            f"api {command}", within=within or self._command_timeout
        )
        return reply.text

    async def bgapi(self, command: str, *, within: float | None = None) -> str:
        """``bgapi <command>``: waits for its BACKGROUND_JOB and returns that event's body."""
        protocol = self._protocol_or_raise()
        job_uuid = str(uuid.uuid4())
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        # Registered before sending: the job's event can never arrive unclaimed.
        self._jobs[job_uuid] = future
        try:
            reply = await protocol.send(
                f"bgapi {command}", {"Job-UUID": job_uuid}, within=self._command_timeout
            )
            if not reply.reply_text.startswith("+OK"):
                raise EslCommandError(command.split(" ", 1)[0], reply.reply_text)
            answered = reply.get("Job-UUID")
            if answered and answered != job_uuid:  # a FreeSWITCH that ignored our Job-UUID
                self._jobs[answered] = self._jobs.pop(job_uuid)
                job_uuid = answered
            async with asyncio.timeout(within or self._command_timeout):
                return await future
        finally:
            self._jobs.pop(job_uuid, None)
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: a job failed by a lost connection is reported

    async def show_channels(self) -> list[dict[str, str]]:
        """``show channels as json``: one row per live channel."""
        text = await self.api("show channels as json")
        if text.startswith("-ERR"):
            raise EslCommandError("show channels", text.strip())
        try:
            data: Any = json.loads(text)
        except ValueError:
            raise EslError(f"show channels did not answer JSON: {text[:80]!r}") from None
        rows = data.get("rows") if isinstance(data, dict) else None
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise EslError("show channels: rows is not a list")
        return [
            {str(k): "" if v is None else str(v) for k, v in row.items()}
            for row in rows
            if isinstance(row, dict)
        ]

    async def wait_closed(self) -> None:
        if self._protocol is not None:
            await self._protocol.wait_closed()

    @property
    def disconnect_notice(self) -> str | None:
        return self._protocol.disconnect_notice if self._protocol else None

    def close(self) -> None:
        if self._protocol is not None:
            self._protocol.close()
        self._fail_jobs()

    def _fail_jobs(self) -> None:
        lost = EslConnectionLost("connection to FreeSWITCH lost before the job finished")
        for future in self._jobs.values():
            if not future.done():
                future.set_exception(lost)

    def _protocol_or_raise(self) -> EslProtocol:
        if self._protocol is None or not self._protocol.is_open:
            raise EslConnectionLost("not connected to FreeSWITCH")
        return self._protocol

    def _dispatch(self, event: Event) -> None:
        if event.get("Event-Name") == "BACKGROUND_JOB":
            future = self._jobs.get(event.get("Job-UUID", ""))
            if future is not None and not future.done():
                future.set_result(event.get("_body", ""))
            return
        self._on_event(event)
