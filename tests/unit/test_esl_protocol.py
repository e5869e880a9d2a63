"""The event socket's framing: headers, Content-Length bodies, messages cut anywhere."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony_adapters.freeswitch.protocol import (
    EslMessage,
    EslParser,
    EslProtocolError,
    decode_event,
    decode_plain_event,
    encode_command,
    encode_message,
    url_decode,
)
from tests.support.fake_esl import load_session

EVENT = {"Event-Name": "CHANNEL_ANSWER", "Unique-ID": "u-1", "Caller-Caller-ID-Number": "+86"}
EVENT_BODY = json.dumps(EVENT).encode()
STREAM = (
    b"Content-Type: auth/request\n\n"
    b"Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
    + f"Content-Length: {len(EVENT_BODY)}\nContent-Type: text/event-json\n\n".encode()
    + EVENT_BODY
    + b"Content-Type: api/response\nContent-Length: 18\n\n"
    + b'{"row_count": 0}\n\n'
    + b"Content-Type: text/disconnect-notice\nContent-Length: 23\n\nDisconnected, goodbye.\n"
)


def kinds(messages: list[EslMessage]) -> list[str]:
    return [m.content_type for m in messages]


def test_one_read_holds_several_messages() -> None:
    messages = EslParser().feed(STREAM)
    assert kinds(messages) == [
        "auth/request",
        "command/reply",
        "text/event-json",
        "api/response",
        "text/disconnect-notice",
    ]
    assert messages[1].reply_text == "+OK accepted"
    assert decode_event(messages[2]) == EVENT
    assert messages[3].body == b'{"row_count": 0}\n\n'  # a body may hold blank lines
    assert messages[4].text == "Disconnected, goodbye.\n"


def test_header_names_are_matched_without_case() -> None:
    (message,) = EslParser().feed(b"content-type: command/reply\nreply-text: -ERR invalid\n\n")
    assert message.content_type == "command/reply"
    assert message.get("Reply-Text") == "-ERR invalid"
    assert message.get("Job-UUID") == ""


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_a_stream_cut_anywhere_gives_the_same_messages(cuts: list[int]) -> None:
    whole = EslParser().feed(STREAM)
    parser = EslParser()
    got: list[EslMessage] = []
    points = [0, *sorted(cuts), len(STREAM)]
    for start, end in itertools.pairwise(points):
        got.extend(parser.feed(STREAM[start:end]))
    assert got == whole


def test_byte_by_byte() -> None:
    parser = EslParser()
    got = [m for i in range(len(STREAM)) for m in parser.feed(STREAM[i : i + 1])]
    assert kinds(got) == kinds(EslParser().feed(STREAM))


def test_crlf_line_ends_are_accepted() -> None:
    data = b"Content-Type: api/response\r\nContent-Length: 3\r\n\r\n+OK"
    (message,) = EslParser().feed(data)
    assert message.content_type == "api/response"
    assert message.body == b"+OK"


def test_a_recorded_session_parses_back_to_its_events() -> None:
    steps = [s for s in load_session("answered") if s.kind == "event"]
    stream = b"".join(s.raw for s in steps)
    messages = EslParser().feed(stream)
    assert [decode_event(m) for m in messages] == [s.event for s in steps]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a header\n\n",
        b"Content-Length: twelve\nContent-Type: api/response\n\n",
        b"Content-Length: -1\n\n",
        b"Content-Length: 999999999999\n\n",
    ],
)
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(EslProtocolError):
        EslParser().feed(data)


def test_an_endless_header_block_is_refused() -> None:
    parser = EslParser()
    parser.feed(b"X-Filler: " + b"a" * 65_000 + b"\n")
    with pytest.raises(EslProtocolError, match="too long"):
        parser.feed(b"X-More: " + b"a" * 1000 + b"\n")


def test_url_decoding() -> None:
    assert url_decode("%2B8613812345678") == "+8613812345678"
    assert url_decode("sofia/internal/1001%40pbx") == "sofia/internal/1001@pbx"
    assert url_decode("%E5%BC%A0%E4%BC%9F") == "张伟"
    assert url_decode("+8613812345678") == "+8613812345678"  # + is not a space
    assert url_decode("100%") == "100%"


def test_plain_events_are_url_decoded() -> None:
    body = (
        b"Event-Name: CHANNEL_CREATE\n"
        b"Caller-Caller-ID-Number: %2B8613812345678\n"
        b"Caller-Caller-ID-Name: %E5%BC%A0%E4%BC%9F\n"
        b"Event-Date-Local: 2026-11-22%2009%3A00%3A00\n\n"
    )
    event = decode_event(EslMessage((("Content-Type", "text/event-plain"),), body))
    assert event["Caller-Caller-ID-Number"] == "+8613812345678"
    assert event["Caller-Caller-ID-Name"] == "张伟"
    assert event["Event-Date-Local"] == "2026-11-22 09:00:00"


def test_a_plain_event_body_is_kept() -> None:
    body = b"Event-Name: BACKGROUND_JOB\nJob-UUID: j-1\nContent-Length: 10\n\n+OK abc-1\nxx"
    event = decode_plain_event(body)
    assert event["_body"] == "+OK abc-1\n"


def test_json_events_keep_values_and_join_arrays() -> None:
    body = json.dumps(
        {"Event-Name": "CUSTOM", "variable_x": ["a", "b"], "n": 5, "z": None, "_body": "+OK\n"}
    ).encode()
    event = decode_event(EslMessage((("Content-Type", "text/event-json"),), body))
    assert event == {
        "Event-Name": "CUSTOM",
        "variable_x": "ARRAY::a|:b",
        "n": "5",
        "z": "",
        "_body": "+OK\n",
    }


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
def test_bad_json_events_are_refused(body: bytes) -> None:
    with pytest.raises(EslProtocolError):
        decode_event(EslMessage((("Content-Type", "text/event-json"),), body))


def test_commands_are_framed_and_never_split() -> None:
    assert encode_command("event json CHANNEL_CREATE") == b"event json CHANNEL_CREATE\n\n"
    assert encode_command("bgapi status", {"Job-UUID": "j-1"}) == (
        b"bgapi status\nJob-UUID: j-1\n\n"
    )
    with pytest.raises(ValueError, match="line break"):
        encode_command("api uuid_kill x\n\napi fsctl shutdown")
    with pytest.raises(ValueError, match="line break"):
        encode_command("bgapi status", {"Job-UUID": "j\r\n"})


def test_encode_message_sets_the_length() -> None:
    data = encode_message({"Content-Type": "api/response"}, "张伟")
    (message,) = EslParser().feed(data)
    assert message.text == "张伟"
    assert message.get("Content-Length") == str(len("张伟".encode()))
