"""A fake FreeSWITCH event socket: the real wire format, a recorded session replayed.

It listens on 127.0.0.1 (a free port), sends ``Content-Type: auth/request``, checks ``auth``,
answers ``event json ...`` with ``+OK event listener enabled json``, then replays the
session's events in order, byte for byte as recorded. It answers ``api show channels as
json`` from the channels the replay has left live (CHANNEL_CREATE adds one,
CHANNEL_HANGUP_COMPLETE removes it), ``api status``, and ``bgapi`` (``originate``,
``uuid_kill``, ``uuid_transfer``) with a ``Job-UUID`` reply and then a BACKGROUND_JOB event.

Session files (``tests/data/esl/*.txt``) are what FreeSWITCH sent, message after message
(``Content-Length``, ``Content-Type: text/event-json``, a blank line, the JSON body), with a
line end after each body for reading. Lines starting with ``#`` between messages are
comments, except the directives:

- ``#! drop``: the connection is cut here, without a word (a network failure).
  The events up to ``#! reconnected`` happen while nobody listens: they change the live
  channels but are not sent.
- ``#! reconnected``: once a client has logged in again, subscribed, and had an ``api``
  command answered (the adapter's channel check), the replay goes on.
- ``#! disconnect-notice``: FreeSWITCH says goodbye (``text/disconnect-notice``) and closes;
  like ``drop`` otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SESSIONS = Path(__file__).resolve().parent.parent / "data" / "esl"
GOODBYE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"


@dataclass(frozen=True)
class Step:
    kind: str  # "event" or a directive: "drop", "reconnected", "disconnect-notice"
    raw: bytes = b""
    event: dict[str, str] = field(default_factory=dict)


def load_session(name_or_path: str | Path) -> list[Step]:
    """A session file's steps; ``name_or_path`` is a file or a name in tests/data/esl."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SESSIONS / f"{name_or_path}.txt"
    data = path.read_bytes()
    steps: list[Step] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        line = data[pos:end].rstrip(b"\r")
        if not line.strip():
            pos = end + 1
        elif line.startswith(b"#!"):
            steps.append(Step(line[2:].decode().strip()))
            pos = end + 1
        elif line.startswith(b"#"):
            pos = end + 1
        else:
            head_end = data.index(b"\n\n", pos)
            head = data[pos:head_end].decode()
            headers = dict(h.split(": ", 1) for h in head.split("\n"))
            length = int(headers["Content-Length"])
            body = data[head_end + 2 : head_end + 2 + length]
            if len(body) != length:
                raise ValueError(f"{path.name}: a body shorter than its Content-Length")
            steps.append(Step("event", data[pos : head_end + 2 + length], json.loads(body)))
            pos = head_end + 2 + length
    return steps


def message(headers: dict[str, str], body: str = "") -> bytes:
    """One message as FreeSWITCH writes it."""
    data = body.encode()
    lines = [f"{k}: {v}" for k, v in headers.items()]
    if data:
        lines.insert(0, f"Content-Length: {len(data)}")
    return ("\n".join(lines) + "\n\n").encode() + data


def event_message(event: dict[str, str]) -> bytes:
    body = json.dumps(event, separators=(",", ":"))
    return message({"Content-Type": "text/event-json"}, body)


def channel_row(event: dict[str, str]) -> dict[str, str]:
    """The ``show channels`` row FreeSWITCH keeps for a channel, from its CHANNEL_CREATE."""
    micros = int(event.get("Event-Date-Timestamp", "0"))
    return {
        "uuid": event["Unique-ID"],
        "direction": event.get("Call-Direction", "inbound"),
        "created": event.get("Event-Date-Local", ""),
        "created_epoch": str(micros // 1_000_000),
        "name": event.get("Channel-Name", ""),
        "state": "CS_EXECUTE",
        "cid_name": event.get("Caller-Caller-ID-Name", ""),
        "cid_num": event.get("Caller-Caller-ID-Number", ""),
        "ip_addr": event.get("Caller-Network-Addr", ""),
        "dest": event.get("Caller-Destination-Number", ""),
        "application": "",
        "application_data": "",
        "dialplan": "XML",
        "context": event.get("Caller-Context", ""),
        "read_codec": "PCMA",
        "read_rate": "8000",
        "read_bit_rate": "64000",
        "write_codec": "PCMA",
        "write_rate": "8000",
        "write_bit_rate": "64000",
        "secure": "",
        "hostname": event.get("FreeSWITCH-Hostname", "pbx01"),
        "presence_id": event.get("Channel-Presence-ID", ""),
        "presence_data": "",
        "accountcode": "",
        "callstate": "RINGING",
        "callee_name": "",
        "callee_num": "",
        "callee_direction": "",
        "call_uuid": event.get("Channel-Call-UUID", event["Unique-ID"]),
        "sent_callee_name": "",
        "sent_callee_num": "",
        "initial_cid_name": event.get("Caller-Caller-ID-Name", ""),
        "initial_cid_num": event.get("Caller-Caller-ID-Number", ""),
        "initial_ip_addr": event.get("Caller-Network-Addr", ""),
        "initial_dest": event.get("Caller-Destination-Number", ""),
        "initial_dialplan": "XML",
        "initial_context": event.get("Caller-Context", ""),
    }


class FakeEslServer:
    """Serve one recorded session to whoever connects, across reconnects."""

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        password: str = "ClueCon",
        registered: Iterable[str] = ("1001", "1002"),
        job_delay: float = 0.0,
        answer_jobs: bool = True,
    ) -> None:
        self.steps = list(steps)
        self.password = password
        self.registered = set(registered)
        self.job_delay = job_delay
        self.answer_jobs = answer_jobs
        self.channels: dict[str, dict[str, str]] = {}
        self.commands: list[str] = []
        self.connections = 0
        self.logins = 0
        self.sent_events = 0
        self.replayed = asyncio.Event()
        self.port = 0
        self._cursor = 0
        self._wait_for_api = False
        self._api_answered = asyncio.Event()
        self._logged_in = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sequence = 990_000
        if not any(s.kind == "event" for s in self.steps):
            self.replayed.set()

    async def start(self) -> FakeEslServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()  # the handlers see the end of input and finish
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _, stuck = await asyncio.wait(pending, timeout=2.0)
            for task in stuck:
                task.cancel()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeEslServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def wait_for_logins(self, count: int) -> None:
        """Until ``count`` logins have succeeded in all."""
        while self.logins < count:
            self._logged_in.clear()
            await self._logged_in.wait()

    def drop(self) -> None:
        """Cut every connection now, as a network failure would; the replay goes on with
        the next connection once it has had an ``api`` command answered."""
        self._wait_for_api = True
        for writer in list(self._writers):
            writer.transport.abort()

    # A connection

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        replay: asyncio.Task[None] | None = None
        try:
            writer.write(message({"Content-Type": "auth/request"}))
            authed = False
            while True:
                command, headers = await _read_command(reader)
                if command is None:
                    return
                self.commands.append(command)
                if not authed:
                    if not command.startswith("auth "):
                        self._reply(writer, "-ERR invalid")
                    elif command[5:] == self.password:
                        authed = True
                        self.logins += 1
                        self._logged_in.set()
                        self._reply(writer, "+OK accepted")
                    else:
                        self._reply(writer, "-ERR invalid")
                        writer.write(message({"Content-Type": "text/disconnect-notice"}, GOODBYE))
                        await writer.drain()
                        return
                elif command.startswith("event "):
                    kind = command.split()[1]
                    self._reply(writer, f"+OK event listener enabled {kind}")
                    if replay is None:
                        replay = asyncio.create_task(self._replay(writer))
                elif command.startswith("api "):
                    body = self._api(command[4:])
                    writer.write(message({"Content-Type": "api/response"}, body))
                    self._api_answered.set()
                elif command.startswith("bgapi "):
                    job = headers.get("Job-UUID") or str(uuid.uuid4())
                    writer.write(
                        message(
                            {
                                "Content-Type": "command/reply",
                                "Reply-Text": f"+OK Job-UUID: {job}",
                                "Job-UUID": job,
                            }
                        )
                    )
                    if self.answer_jobs:
                        job_task = asyncio.create_task(self._job(writer, job, command[6:]))
                        self._tasks.add(job_task)
                        job_task.add_done_callback(self._tasks.discard)
                elif command == "exit":
                    self._reply(writer, "+OK bye")
                    writer.write(message({"Content-Type": "text/disconnect-notice"}, GOODBYE))
                    await writer.drain()
                    return
                else:
                    self._reply(writer, "-ERR command not found")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            if replay is not None:
                replay.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await replay
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._tasks.discard(task)

    @staticmethod
    def _reply(writer: asyncio.StreamWriter, text: str) -> None:
        writer.write(message({"Content-Type": "command/reply", "Reply-Text": text}))

    async def _replay(self, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await self._replay_steps(writer)

    async def _replay_steps(self, writer: asyncio.StreamWriter) -> None:
        if self._wait_for_api:
            self._api_answered.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await self._api_answered.wait()
            self._wait_for_api = False
        while self._cursor < len(self.steps):
            step = self.steps[self._cursor]
            self._cursor += 1
            if step.kind == "event":
                self._apply(step.event)
                writer.write(step.raw)
                self.sent_events += 1
                await writer.drain()
                await asyncio.sleep(0)
            elif step.kind in ("drop", "disconnect-notice"):
                self._offline()
                if step.kind == "disconnect-notice":
                    writer.write(message({"Content-Type": "text/disconnect-notice"}, GOODBYE))
                    await writer.drain()
                    writer.close()
                else:
                    writer.transport.abort()
                return
        self.replayed.set()

    def _offline(self) -> None:
        """Apply the events up to ``reconnected`` without sending them."""
        while self._cursor < len(self.steps):
            step = self.steps[self._cursor]
            self._cursor += 1
            if step.kind == "reconnected":
                self._wait_for_api = True
                return
            if step.kind == "event":
                self._apply(step.event)

    # What FreeSWITCH keeps and answers

    def _apply(self, event: dict[str, str]) -> None:
        name = event.get("Event-Name")
        uuid_ = event.get("Unique-ID", "")
        if name == "CHANNEL_CREATE":
            self.channels[uuid_] = channel_row(event)
        elif name == "CHANNEL_HANGUP_COMPLETE":
            self.channels.pop(uuid_, None)
        elif uuid_ in self.channels and name in ("CHANNEL_ANSWER", "CHANNEL_UNHOLD"):
            self.channels[uuid_]["callstate"] = "ACTIVE"
        elif uuid_ in self.channels and name == "CHANNEL_HOLD":
            self.channels[uuid_]["callstate"] = "HELD"
        elif name in ("CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE"):
            a, b = event.get("Bridge-A-Unique-ID", ""), event.get("Bridge-B-Unique-ID", "")
            if b in self.channels:
                self.channels[b]["call_uuid"] = a if name == "CHANNEL_BRIDGE" else b

    def _api(self, command: str) -> str:
        if command.strip() == "show channels as json":
            rows = sorted(
                self.channels.values(), key=lambda r: (r.get("created_epoch", ""), r["uuid"])
            )
            if not rows:
                return '{"row_count": 0}\n'
            return json.dumps({"row_count": len(rows), "rows": rows}, separators=(",", ":"))
        if command.strip() == "status":
            return (
                "UP 0 years, 0 days, 0 hours, 3 minutes, 12 seconds, 0 milliseconds, "
                "0 microseconds\nFreeSWITCH (Version 1.10.12-release 64bit) is ready\n"
                f"{len(self.channels)} session(s) - peak 4, last 5min 4\n"
            )
        return f"-ERR {command.split(' ', 1)[0]} Command not found!\n"

    async def _job(self, writer: asyncio.StreamWriter, job: str, command: str) -> None:
        verb, _, arg = command.partition(" ")
        if self.job_delay:
            await asyncio.sleep(self.job_delay)
        result = self._run_job(verb, arg)
        self._sequence += 1
        now = datetime.now(UTC)
        event = {
            "Event-Name": "BACKGROUND_JOB",
            "Core-UUID": "cd613e30-d8f1-4adf-91b7-584a2265b1f5",
            "FreeSWITCH-Hostname": "pbx01",
            "FreeSWITCH-Switchname": "pbx01",
            "FreeSWITCH-IPv4": "10.0.0.5",
            "FreeSWITCH-IPv6": "::1",
            "Event-Date-Local": now.strftime("%Y-%m-%d %H:%M:%S"),
            "Event-Date-GMT": now.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "Event-Date-Timestamp": str(int(now.timestamp() * 1_000_000)),
            "Event-Calling-File": "mod_event_socket.c",
            "Event-Calling-Function": "api_exec",
            "Event-Calling-Line-Number": "1572",
            "Event-Sequence": str(self._sequence),
            "Job-UUID": job,
            "Job-Owner-UUID": "",
            "Job-Command": verb,
            "Job-Command-Arg": arg,
            "Content-Length": str(len(result)),
            "_body": result,
        }
        with contextlib.suppress(ConnectionError):
            writer.write(event_message(event))
            await writer.drain()

    def _run_job(self, verb: str, arg: str) -> str:
        if verb == "originate":
            variables = dict(re.findall(r"([\w]+)=([^,}]*)", arg.split("}", 1)[0]))
            found = re.search(r"\buser/([^@\s]+)", arg)
            if found is None or found.group(1) not in self.registered:
                return "-ERR USER_NOT_REGISTERED\n"
            call_uuid = variables.get("origination_uuid") or str(uuid.uuid4())
            self.channels[call_uuid] = {
                "uuid": call_uuid,
                "direction": "outbound",
                "created_epoch": str(int(datetime.now(UTC).timestamp())),
                "name": f"sofia/internal/{found.group(1)}@10.0.20.21:5060",
                "callstate": "ACTIVE",
                "call_uuid": call_uuid,
                "cid_num": variables.get("origination_caller_id_number", ""),
                "dest": found.group(1),
            }
            return f"+OK {call_uuid}\n"
        if verb in ("uuid_kill", "uuid_transfer", "uuid_broadcast"):
            target = arg.split(" ", 1)[0]
            if target not in self.channels:
                return "-ERR No such channel!\n"
            if verb == "uuid_kill":
                del self.channels[target]
            if verb == "uuid_broadcast":
                return "+OK Message sent\n"
            return "+OK\n"
        return f"-ERR {verb} Command not found!\n"


async def _read_command(reader: asyncio.StreamReader) -> tuple[str | None, dict[str, str]]:
    """One command: its line and any header lines, up to the empty line."""
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            return None, {}
        line = raw.decode().rstrip("\r\n")
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    headers: dict[str, Any] = {}
    for extra in lines[1:]:
        name, _, value = extra.partition(": ")
        headers[name] = value
    return lines[0], headers
