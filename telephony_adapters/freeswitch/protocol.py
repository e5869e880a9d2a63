"""FreeSWITCH's event socket (ESL) wire format, and a small asyncio protocol speaking it.

A message is a block of ``Key: Value`` header lines ended by an empty line; when the headers
carry ``Content-Length``, exactly that many bytes of body follow. FreeSWITCH sends ``\\n`` line
ends (``\\r\\n`` is accepted too). What the socket carries, by ``Content-Type``:

- ``auth/request``: the first message on an inbound connection; answer ``auth <password>``.
- ``command/reply``: the answer to every command but ``api``; ``Reply-Text`` starts with
  ``+OK`` or ``-ERR``.
- ``api/response``: the answer to ``api``, in the body.
- ``text/event-json``, ``text/event-plain``: one event. JSON values are sent as they are;
  plain bodies are ``Key: Value`` lines with URL-encoded values (``%2B86...``).
- ``text/disconnect-notice``: FreeSWITCH is about to close the connection.
- ``text/rude-rejection``: the connection was refused by an ACL.

Commands are one line (plus optional header lines) ended by an empty line. A command line
never contains a line break: that would let its arguments smuggle in a second command.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024

AUTH_REQUEST = "auth/request"
COMMAND_REPLY = "command/reply"
API_RESPONSE = "api/response"
EVENT_JSON = "text/event-json"
EVENT_PLAIN = "text/event-plain"
DISCONNECT_NOTICE = "text/disconnect-notice"
RUDE_REJECTION = "text/rude-rejection"

Event = dict[str, str]


class EslError(Exception):
    """Something went wrong talking to FreeSWITCH."""


class EslProtocolError(EslError):
    """The peer sent something that is not the event socket's wire format."""


class EslConnectionLost(EslError, ConnectionError):
    """The connection closed before the answer came."""


def url_decode(value: str) -> str:
    """FreeSWITCH's URL-encoding undone (``%2B8613812345678`` → ``+8613812345678``).

    ``+`` stays ``+``: FreeSWITCH encodes a space as ``%20``, never as ``+``.
    """
    return unquote(value, errors="replace") if "%" in value else value


@dataclass(frozen=True)
class EslMessage:
    """One message as received: its headers in order and its body (empty without one)."""

    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, value in self.headers:
            self._index.setdefault(name.lower(), value)

    def get(self, name: str, default: str = "") -> str:
        """A header's value; names are compared without regard to case."""
        return self._index.get(name.lower(), default)

    @property
    def content_type(self) -> str:
        return self.get("Content-Type")

    @property
    def reply_text(self) -> str:
        return self.get("Reply-Text")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class EslParser:
    """Turns the bytes of a connection, cut anywhere, into whole messages."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._headers: tuple[tuple[str, str], ...] | None = None
        self._length = 0

    def feed(self, data: bytes) -> list[EslMessage]:
        """Every message completed by ``data``, in order; raises EslProtocolError on garbage."""
        self._buffer += data
        messages: list[EslMessage] = []
        while True:
            if self._headers is None:
                # Tolerate stray line ends between messages.
                while self._buffer and self._buffer[0] in b"\r\n":
                    del self._buffer[:1]
                end, skip = _header_end(self._buffer)
                if end < 0:
                    if len(self._buffer) > MAX_HEADER_BYTES:
                        raise EslProtocolError("header block too long")
                    return messages
                raw = bytes(self._buffer[:end])
                del self._buffer[: end + skip]
                self._headers = _parse_headers(raw)
                self._length = _content_length(self._headers)
            if len(self._buffer) < self._length:
                return messages
            body = bytes(self._buffer[: self._length])
            del self._buffer[: self._length]
            messages.append(EslMessage(self._headers, body))
            self._headers = None
            self._length = 0


def _header_end(buffer: bytearray) -> tuple[int, int]:
    """Where the header block ends and how long its terminator is; -1 if not yet."""
    lf = buffer.find(b"\n\n")
    crlf = buffer.find(b"\r\n\r\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return crlf, 4
    return lf, 2


def _parse_headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for line in raw.decode("utf-8", errors="replace").split("\n"):
        line = line.rstrip("\r")
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise EslProtocolError(f"not a header line: {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    if not headers:
        raise EslProtocolError("empty header block")
    return tuple(headers)


def _content_length(headers: tuple[tuple[str, str], ...]) -> int:
    for name, value in headers:
        if name.lower() == "content-length":
            try:
                length = int(value)
            except ValueError:
                raise EslProtocolError(f"Content-Length is not a number: {value!r}") from None
            if length < 0 or length > MAX_BODY_BYTES:
                raise EslProtocolError(f"Content-Length out of range: {length}")
            return length
    return 0


def encode_command(command: str, headers: Mapping[str, str] | None = None) -> bytes:
    """One command as sent on the wire; refuses line breaks that would split it in two."""
    lines = [command]
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError("an event socket command cannot contain a line break")
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def encode_message(headers: Mapping[str, str], body: bytes | str = b"") -> bytes:
    """A message as FreeSWITCH sends it, ``Content-Length`` set from the body (tests use it)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if data:
        lines.append(f"Content-Length: {len(data)}")
    return ("\n".join(lines) + "\n\n").encode("utf-8") + data


def decode_event(message: EslMessage) -> Event:
    """The event a ``text/event-json`` or ``text/event-plain`` message carries, as strings.

    A body the event has (``BACKGROUND_JOB``'s result) is under ``_body``. A header with
    several values (a JSON array) is written as FreeSWITCH writes one in plain text,
    ``ARRAY::first|:second``.
    """
    if message.content_type == EVENT_JSON:
        return _decode_json_event(message.body)
    if message.content_type == EVENT_PLAIN:
        return decode_plain_event(message.body)
    raise EslProtocolError(f"not an event: Content-Type {message.content_type!r}")


def _decode_json_event(body: bytes) -> Event:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EslProtocolError(f"event body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise EslProtocolError("event body is not a JSON object")
    event: Event = {}
    for key, value in data.items():
        if isinstance(value, list):
            event[str(key)] = "ARRAY::" + "|:".join(str(v) for v in value)
        elif value is None:
            event[str(key)] = ""
        else:
            event[str(key)] = str(value)
    return event


def decode_plain_event(body: bytes) -> Event:
    """A plain-text event body: URL-encoded header values, then the event's own body."""
    head, sep, rest = body.partition(b"\n\n")
    event: Event = {}
    for name, value in _parse_headers(head):
        event[name] = url_decode(value)
    length = event.get("Content-Length")
    if sep and length is not None:
        try:
            event["_body"] = rest[: int(length)].decode("utf-8", errors="replace")
        except ValueError:
            raise EslProtocolError(f"event Content-Length is not a number: {length!r}") from None
    return event


class EslProtocol(asyncio.Protocol):
    """One event socket connection: commands answered in order, events handed to a callback.

    FreeSWITCH answers the commands of a connection one by one in the order they were sent,
    so the answers are matched to a queue of waiting futures. An answer that does not come
    in time leaves that queue out of step: the connection is then closed rather than trusted.
    """

    def __init__(
        self, on_event: Callable[[Event], None], on_lost: Callable[[], None] | None = None
    ) -> None:
        self._on_event = on_event
        self._on_lost = on_lost
        self._parser = EslParser()
        self._transport: asyncio.Transport | None = None
        self._waiting: deque[asyncio.Future[EslMessage]] = deque()
        loop = asyncio.get_running_loop()
        self._auth_request: asyncio.Future[None] = loop.create_future()
        self._closed: asyncio.Future[None] = loop.create_future()
        self.disconnect_notice: str | None = None
        self.rejection: str | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            messages = self._parser.feed(data)
        except EslProtocolError as exc:
            log.error("freeswitch: closing the connection: %s", exc)
            self.close()
            return
        for message in messages:
            self._dispatch(message)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        reason = self.disconnect_notice or self.rejection or (str(exc) if exc else "closed")
        error = EslConnectionLost(f"connection to FreeSWITCH lost ({reason.strip()})")
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)
        if not self._auth_request.done():
            self._auth_request.set_exception(error)
        if not self._closed.done():
            self._closed.set_result(None)
        if self._on_lost is not None:
            self._on_lost()

    # Commands

    @property
    def is_open(self) -> bool:
        return self._transport is not None and not self._transport.is_closing()

    async def wait_auth_request(self, *, within: float) -> None:
        async with asyncio.timeout(within):
            await asyncio.shield(self._auth_request)

    async def send(
        self, command: str, headers: Mapping[str, str] | None = None, *, within: float
    ) -> EslMessage:
        """Send one command and return its answer (``command/reply`` or ``api/response``)."""
        data = encode_command(command, headers)
        if not self.is_open:
            raise EslConnectionLost("not connected to FreeSWITCH")
        assert self._transport is not None
        future: asyncio.Future[EslMessage] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        self._transport.write(data)
        try:
            async with asyncio.timeout(within):
                # A caller cancelled here cancels the future but leaves its place in the
                # queue: the answer, when it comes, fills that place and is dropped.
                return await future
        except TimeoutError:
            verb = command.split(" ", 1)[0]
            log.warning("freeswitch: no answer to %r in %.1f s; reconnecting", verb, within)
            self.close()
            raise

    async def wait_closed(self) -> None:
        await asyncio.shield(self._closed)

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    # Incoming

    def _dispatch(self, message: EslMessage) -> None:
        kind = message.content_type
        if kind == AUTH_REQUEST:
            if not self._auth_request.done():
                self._auth_request.set_result(None)
        elif kind in (COMMAND_REPLY, API_RESPONSE):
            if not self._waiting:
                log.debug("freeswitch: an answer nobody waits for: %s", message.reply_text)
                return
            future = self._waiting.popleft()
            if not future.done():  # done: its caller gave up; the answer was theirs
                future.set_result(message)
        elif kind in (EVENT_JSON, EVENT_PLAIN):
            try:
                event = decode_event(message)
            except EslProtocolError as exc:
                log.warning("freeswitch: skipping an event: %s", exc)
                return
            self._on_event(event)
        elif kind == DISCONNECT_NOTICE:
            self.disconnect_notice = message.text.strip() or "disconnect notice"
            log.info("freeswitch: disconnect notice: %s", self.disconnect_notice)
            if message.get("Content-Disposition") != "linger":
                self.close()
        elif kind == RUDE_REJECTION:
            self.rejection = message.text.strip() or "rejected"
            log.error("freeswitch: connection refused by FreeSWITCH: %s", self.rejection)
            self.close()
        else:
            log.debug("freeswitch: ignoring a %r message", kind)
