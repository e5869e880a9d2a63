"""A fake Asterisk Manager Interface that replays recorded sessions, on 127.0.0.1.

It speaks AMI as Asterisk 18-20 do: the banner, ``Login`` checked against a user and secret
(a wrong secret is answered ``Authentication failed`` and the connection closed, as Asterisk
does), ``Ping``, ``CoreShowChannels`` answered from the channels the replayed events have left
up, ``Originate`` (async, ``OriginateResponse`` with the ActionID), ``Hangup``, ``Redirect``,
``BlindTransfer`` and ``Logoff``. Everything else is answered with Asterisk's unknown-command
error.

A session file (``tests/data/ami/*.txt``) is what Asterisk sent after the Login response,
messages separated by blank lines. Lines starting ``# `` are comments; ``## `` lines direct
the fake server:

- ``## banner Asterisk Call Manager/9.0.0``: the greeting line;
- ``## pause 0.2``: wait that many seconds before going on;
- ``## drop``: close the client's connection now; the events that follow happened while the
  client was away: they change the channels but are never sent;
- ``## reconnect``: wait for the client to log in again and go on sending.

Replay starts when the first client logs in. If the client goes away on its own, the replay
waits for it to come back (nothing is lost that way; only ``## drop`` loses events).
``time_scale`` > 0 replays with the recorded gaps between ``Timestamp`` fields, scaled.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telephony_adapters.asterisk.protocol import AmiMessage, AmiParser, encode

DATA = Path(__file__).resolve().parent.parent / "data" / "ami"
SNAPSHOT = (
    "Channel",
    "ChannelState",
    "ChannelStateDesc",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "ConnectedLineName",
    "Language",
    "AccountCode",
    "Context",
    "Exten",
    "Priority",
    "Uniqueid",
    "Linkedid",
)
PREFIXES = (
    "",
    "Dest",
    "Transferer",
    "Transferee",
    "OrigTransferer",
    "SecondTransferer",
    "TransferTarget",
)
REASONS = {4: "Success", 0: "Failure", 1: "Failure", 3: "Failure", 5: "Failure", 8: "Failure"}


@dataclass(frozen=True)
class Step:
    kind: str  # message, pause, drop, reconnect
    message: AmiMessage | None = None
    seconds: float = 0.0


@dataclass
class Session:
    banner: str
    steps: list[Step]

    @property
    def messages(self) -> list[AmiMessage]:
        return [s.message for s in self.steps if s.message is not None]


def session_path(name: str) -> Path:
    return DATA / (name if name.endswith(".txt") else f"{name}.txt")


def load_session(source: str | Path) -> Session:
    """A session file by path, or by its name under tests/data/ami."""
    path = Path(source)
    if not path.exists():
        path = session_path(str(source))
    banner = "Asterisk Call Manager/9.0.0"
    steps: list[Step] = []
    fields: list[tuple[str, str]] = []

    def flush() -> None:
        if fields:
            steps.append(Step("message", AmiMessage(tuple(fields))))
            fields.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            flush()
            word, _, rest = line[3:].strip().partition(" ")
            if word == "banner":
                banner = rest.strip()
            elif word == "pause":
                steps.append(Step("pause", seconds=float(rest)))
            elif word in ("drop", "reconnect"):
                steps.append(Step(word))
            else:
                raise ValueError(f"{path.name}: unknown direction {line!r}")
        elif line.startswith("#"):
            continue
        elif not line.strip():
            flush()
        else:
            key, _, value = line.partition(":")
            fields.append((key, value[1:] if value.startswith(" ") else value))
    flush()
    return Session(banner, steps)


@dataclass(eq=False)
class _Client:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    authenticated: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: bytes) -> None:
        async with self.lock:
            if self.writer.is_closing():
                return
            self.writer.write(payload)
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()

    def abort(self) -> None:
        self.writer.transport.abort()


class FakeAmi:
    """``async with FakeAmi("answered") as ami:`` then connect to ``ami.host``, ``ami.port``."""

    def __init__(
        self,
        session: Session | str | Path,
        *,
        username: str = "switchboard",
        secret: str = "s3cret",
        time_scale: float = 0.0,
        auth_delay: float = 0.02,
        originate_reason: int = 4,
        fully_booted: bool = True,
    ) -> None:
        self.session = session if isinstance(session, Session) else load_session(session)
        self.username = username
        self.secret = secret
        self.time_scale = time_scale
        self.auth_delay = auth_delay
        self.originate_reason = originate_reason
        self.fully_booted = fully_booted
        self.answer_pings = True
        self.host = "127.0.0.1"
        self.port = 0
        self.actions: list[AmiMessage] = []
        self.sent_events: list[AmiMessage] = []
        self.connections = 0
        self.logins = 0
        self.auth_failures = 0
        self.replayed = asyncio.Event()
        self.channels: dict[str, dict[str, str]] = {}
        self._client: _Client | None = None
        self._online = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._clients: set[_Client] = set()
        self._now = 0.0
        self._counter = itertools.count(900)

    async def __aenter__(self) -> FakeAmi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._spawn(self._replay())

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for client in list(self._clients):
            client.abort()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def drop(self) -> None:
        """Cut the client off now, as a network failure or an Asterisk restart would."""
        self._online.clear()
        client, self._client = self._client, None
        if client is not None:
            client.abort()

    def actions_named(self, name: str) -> list[AmiMessage]:
        return [a for a in self.actions if (a.action or "").lower() == name.lower()]

    # -- replay --------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _replay(self) -> None:
        offline = False
        last_ts: float | None = None
        for step in self.session.steps:
            if step.kind == "pause":
                await asyncio.sleep(step.seconds)
            elif step.kind == "drop":
                self.drop()
                offline = True
            elif step.kind == "reconnect":
                offline = False
            elif step.message is not None:
                stamp = _float(step.message.get("Timestamp"))
                if self.time_scale > 0 and stamp is not None and last_ts is not None:
                    await asyncio.sleep(max(0.0, stamp - last_ts) * self.time_scale)
                last_ts = stamp if stamp is not None else last_ts
                if offline:
                    self._apply(step.message)
                    continue
                await self._online.wait()
                client = self._client
                assert client is not None
                self._apply(step.message)
                self.sent_events.append(step.message)
                await client.send(step.message.encode())
        self.replayed.set()

    def _apply(self, message: AmiMessage) -> None:
        """Keep the channels up to date, as Asterisk's channel cache is."""
        stamp = _float(message.get("Timestamp"))
        if stamp is not None:
            self._now = stamp
        event = message.event or ""
        uid = message.get("Uniqueid")
        if event == "Newchannel" and uid:
            self.channels[uid] = {
                **{k: message.get(k) or "" for k in SNAPSHOT},
                "Application": "",
                "ApplicationData": "",
                "BridgeId": "",
                "Created": str(self._now),
            }
            return
        if event == "Hangup" and uid:
            self.channels.pop(uid, None)
            return
        for prefix in PREFIXES:
            known = self.channels.get(message.get(f"{prefix}Uniqueid") or "")
            if known is not None:
                known.update({k: message.get(prefix + k) or known[k] for k in SNAPSHOT})
        channel = self.channels.get(uid or "")
        if event == "BridgeEnter" and channel is not None:
            channel["BridgeId"] = message.get("BridgeUniqueid") or ""
        elif event == "BridgeLeave" and channel is not None:
            channel["BridgeId"] = ""
        elif event == "QueueCallerJoin" and channel is not None:
            channel["Application"] = "Queue"
            channel["ApplicationData"] = f"{message.get('Queue')},t,,,30"
        elif event == "DialBegin":
            dest = self.channels.get(message.get("DestUniqueid") or "")
            caller = self.channels.get(message.get("Uniqueid") or "")
            if dest is not None:
                queued = caller is not None and caller["Application"] == "Queue"
                dest["Application"] = "AppQueue" if queued else "AppDial"
                dest["ApplicationData"] = "(Outgoing Line)"
            if caller is not None and caller["Application"] != "Queue":
                caller["Application"] = "Dial"
                caller["ApplicationData"] = message.get("DialString") or ""

    # -- a connection --------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = _Client(reader, writer)
        self._clients.add(client)
        self.connections += 1
        parser = AmiParser(banner=False)
        try:
            await client.send(f"{self.session.banner}\r\n".encode())
            while True:
                data = await reader.read(4096)
                if not data:
                    break
                for message in parser.feed(data):
                    self.actions.append(message)
                    if not await self._handle(client, message):
                        return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._clients.discard(client)
            if self._client is client:
                self._client = None
                self._online.clear()
            client.abort()

    async def _handle(self, client: _Client, action: AmiMessage) -> bool:
        """Answer one action; False closes the connection."""
        name = (action.action or "").lower()
        aid = action.action_id
        if name == "login":
            if action.get("Username") == self.username and action.get("Secret") == self.secret:
                client.authenticated = True
                self.logins += 1
                await client.send(reply(aid, "Success", Message="Authentication accepted"))
                if self.fully_booted:
                    await client.send(
                        encode(
                            [
                                ("Event", "FullyBooted"),
                                ("Privilege", "system,all"),
                                ("Uptime", "3612"),
                                ("LastReload", "3612"),
                                ("Status", "Fully Booted"),
                            ]
                        )
                    )
                old, self._client = self._client, client
                if old is not None and old is not client:
                    old.abort()
                self._online.set()
                return True
            self.auth_failures += 1
            await asyncio.sleep(self.auth_delay)
            await client.send(reply(aid, "Error", Message="Authentication failed"))
            return False
        if name == "logoff":
            await client.send(reply(aid, "Goodbye", Message="Thanks for all the fish."))
            return False
        if not client.authenticated:
            await client.send(reply(aid, "Error", Message="Permission denied"))
            return True
        if name == "ping":
            if self.answer_pings:
                await client.send(
                    reply(aid, "Success", Ping="Pong", Timestamp=f"{self._now or 0:.6f}")
                )
        elif name == "coreshowchannels":
            await self._core_show_channels(client, aid)
        elif name == "originate":
            await self._originate(client, action)
        elif name == "hangup":
            channel = self._by_name(action.get("Channel") or "")
            if channel is None:
                await client.send(reply(aid, "Error", Message="No such channel"))
            else:
                await client.send(reply(aid, "Success", Message="Channel Hungup"))
                cause = action.get("Cause") or "16"
                await self._emit(
                    client,
                    "Hangup",
                    [*_snapshot(channel), ("Cause", cause), ("Cause-txt", "Normal Clearing")],
                )
        elif name in ("redirect", "blindtransfer"):
            if self._by_name(action.get("Channel") or "") is None:
                message = (
                    "Channel specified does not exist"
                    if name == "blindtransfer"
                    else f"Channel does not exist: {action.get('Channel')}"
                )
                await client.send(reply(aid, "Error", Message=message))
            else:
                done = "Transfer succeeded" if name == "blindtransfer" else "Redirect successful"
                await client.send(reply(aid, "Success", Message=done))
        else:
            await client.send(
                reply(
                    aid,
                    "Error",
                    Message=f"Invalid/unknown command: {action.action}. "
                    "Use Action: ListCommands to show available commands.",
                )
            )
        return True

    def _by_name(self, name: str) -> dict[str, str] | None:
        return next((c for c in self.channels.values() if c["Channel"] == name), None)

    async def _core_show_channels(self, client: _Client, aid: str | None) -> None:
        await client.send(reply(aid, "Success", EventList="start", Message="Channels will follow"))
        idf = [("ActionID", aid)] if aid else []
        for channel in list(self.channels.values()):
            seconds = int(max(0.0, self._now - float(channel["Created"])))
            duration = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
            await client.send(
                encode(
                    [
                        ("Event", "CoreShowChannel"),
                        *idf,
                        *_snapshot(channel),
                        ("Application", channel["Application"]),
                        ("ApplicationData", channel["ApplicationData"]),
                        ("Duration", duration),
                        ("BridgeId", channel["BridgeId"]),
                    ]
                )
            )
        await client.send(
            encode(
                [
                    ("Event", "CoreShowChannelsComplete"),
                    *idf,
                    ("EventList", "Complete"),
                    ("ListItems", str(len(self.channels))),
                ]
            )
        )

    async def _originate(self, client: _Client, action: AmiMessage) -> None:
        aid = action.action_id
        requested = action.get("Channel") or ""
        if "/" not in requested:
            await client.send(reply(aid, "Error", Message="Invalid channel"))
            return
        await client.send(reply(aid, "Success", Message="Originate successfully queued"))
        n = next(self._counter)
        uid = action.get("ChannelId") or f"1795199400.{n}"
        name = f"{requested}-{n:08x}"
        caller_id = action.get("CallerID") or ""
        number = caller_id.rsplit("<", 1)[-1].rstrip(">") if caller_id else "<unknown>"
        channel = {
            "Channel": name,
            "ChannelState": "0",
            "ChannelStateDesc": "Down",
            "CallerIDNum": number or "<unknown>",
            "CallerIDName": "<unknown>",
            "ConnectedLineNum": "<unknown>",
            "ConnectedLineName": "<unknown>",
            "Language": "en",
            "AccountCode": "",
            "Context": "agents",
            "Exten": "s",
            "Priority": "1",
            "Uniqueid": uid,
            "Linkedid": uid,
        }
        await self._emit(client, "Newchannel", _snapshot(channel))
        reason = self.originate_reason
        if reason == 4:
            channel.update(ChannelState="6", ChannelStateDesc="Up")
            channel.update(Context=action.get("Context") or "", Exten=action.get("Exten") or "")
            await self._emit(client, "Newstate", _snapshot(channel))
        else:
            cause, text = (17, "User busy") if reason == 5 else (19, "No answer")
            await self._emit(
                client, "Hangup", [*_snapshot(channel), ("Cause", str(cause)), ("Cause-txt", text)]
            )
        where: list[tuple[str, str]] = (
            [("Application", action.get("Application") or ""), ("Data", action.get("Data") or "")]
            if action.get("Application")
            else [("Context", action.get("Context") or ""), ("Exten", action.get("Exten") or "")]
        )
        await self._emit(
            client,
            "OriginateResponse",
            [
                *([("ActionID", aid)] if aid else []),
                ("Response", REASONS.get(reason, "Failure")),
                ("Channel", name if reason == 4 else requested),
                *where,
                ("Reason", str(reason)),
                ("Uniqueid", uid),
                ("CallerIDNum", number or "<unknown>"),
                ("CallerIDName", "<unknown>"),
            ],
        )

    async def _emit(self, client: _Client, event: str, fields: Iterable[tuple[str, str]]) -> None:
        message = AmiMessage(
            (("Event", event), ("Privilege", "call,all"), *((k, v) for k, v in fields))
        )
        self._apply(message)
        self.sent_events.append(message)
        await client.send(message.encode())


def reply(action_id: str | None, response: str, **fields: str) -> bytes:
    pairs = [("Response", response)]
    if action_id:
        pairs.append(("ActionID", action_id))
    pairs.extend(fields.items())
    return encode(pairs)


def _snapshot(channel: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, channel[k]) for k in SNAPSHOT]


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None
