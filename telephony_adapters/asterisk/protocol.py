"""The Asterisk Manager Interface wire format, with no I/O.

After connecting, Asterisk sends one banner line (``Asterisk Call Manager/9.0.0``). From then on
both sides exchange messages: ``Key: Value`` lines ended by CRLF, a message ended by an empty
line. A client sends ``Action:`` messages with an ``ActionID``; Asterisk answers each with a
``Response:`` carrying the same ``ActionID`` and sends ``Event:`` messages as things happen.
Keys may repeat (``Output:`` lines of a Command response, ``ChanVariable:``), so a message
keeps its fields in order; look-ups ignore the case of the key, as Asterisk does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CRLF = "\r\n"
MAX_LINE_BYTES = 64 * 1024
MAX_FIELDS = 10_000
END_COMMAND = "--END COMMAND--"
_KEY = re.compile(r"[A-Za-z0-9_\-.()]+")


class ProtocolError(Exception):
    """The peer sent something that is not AMI (or is too large to be)."""


@dataclass(frozen=True)
class AmiMessage:
    """One AMI message: its fields in the order they came, keys as sent."""

    fields: tuple[tuple[str, str], ...]
    _first: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        first: dict[str, str] = {}
        for key, value in self.fields:
            first.setdefault(key.lower(), value)
        object.__setattr__(self, "_first", first)

    @classmethod
    def of(cls, pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> AmiMessage:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        return cls(tuple((str(k), str(v)) for k, v in items))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of ``key`` (any case), or ``default``."""
        return self._first.get(key.lower(), default)

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.fields if name.lower() == wanted]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._first

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action(self) -> str | None:
        return self.get("Action")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def output(self) -> list[str]:
        """The lines of a Command response (``Output:`` lines, or legacy raw output)."""
        return self.get_all("Output")

    def encode(self) -> bytes:
        return encode(self.fields)


def _check(text: str, what: str) -> str:
    if "\r" in text or "\n" in text:
        raise ValueError(f"AMI {what} may not contain a line break: {text!r}")
    return text


def encode(fields: Iterable[tuple[str, str]]) -> bytes:
    """A message on the wire; refuses line breaks in keys or values (no header injection)."""
    lines = []
    for key, value in fields:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not an AMI key: {key!r}")
        lines.append(f"{key}: {_check(str(value), 'value')}")
    if not lines:
        raise ValueError("an AMI message needs at least one field")
    return (CRLF.join(lines) + CRLF + CRLF).encode("utf-8")


def action(
    name: str, action_id: str, fields: Iterable[tuple[str, str]] | Mapping[str, str] = ()
) -> bytes:
    """``Action: name`` with its ActionID first, then ``fields`` (repeat a key by repeating it)."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    return encode([("Action", name), ("ActionID", action_id), *items])


class AmiParser:
    """Bytes in, messages out; data may be split anywhere, even inside a UTF-8 character.

    ``banner=True`` reads the first line as Asterisk's greeting (no blank line follows it).
    A line without a ``Key:`` (legacy ``Response: Follows`` command output) is kept as an
    ``Output`` field, and ``--END COMMAND--`` is dropped, so both Command answer formats give
    the same ``output``.
    """

    def __init__(self, *, banner: bool = True, max_line: int = MAX_LINE_BYTES) -> None:
        self.banner: str | None = None
        self._want_banner = banner
        self._max_line = max_line
        self._buffer = bytearray()
        self._fields: list[tuple[str, str]] = []

    def feed(self, data: bytes) -> list[AmiMessage]:
        self._buffer += data
        messages: list[AmiMessage] = []
        start = 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end < 0:
                break
            raw = bytes(self._buffer[start:end])
            start = end + 1
            if len(raw) > self._max_line:
                raise ProtocolError(f"an AMI line of {len(raw)} bytes is too long")
            message = self._line(raw.rstrip(b"\r").decode("utf-8", errors="replace"))
            if message is not None:
                messages.append(message)
        del self._buffer[:start]
        if len(self._buffer) > self._max_line:
            raise ProtocolError("no end of line within the AMI line limit")
        return messages

    def _line(self, line: str) -> AmiMessage | None:
        if self._want_banner:
            self._want_banner = False
            self.banner = line.strip()
            return None
        if not line.strip():
            if not self._fields:
                return None
            message = AmiMessage(tuple(self._fields))
            self._fields = []
            return message
        if len(self._fields) >= MAX_FIELDS:
            raise ProtocolError(f"an AMI message of over {MAX_FIELDS} lines")
        key, sep, value = line.partition(":")
        if sep and _KEY.fullmatch(key):
            # Asterisk writes "Key: Value": one space, which is not part of the value.
            self._fields.append((key, value[1:] if value.startswith(" ") else value))
        elif line.strip() != END_COMMAND:
            self._fields.append(("Output", line.rstrip()))
        return None
