"""The AMI wire format: messages come out the same however the byte stream is cut."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephony_adapters.asterisk.protocol import (
    AmiMessage,
    AmiParser,
    ProtocolError,
    action,
    encode,
)
from tests.support.fake_ami import load_session

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
LOGIN_OK = b"Response: Success\r\nActionID: sb-1\r\nMessage: Authentication accepted\r\n\r\n"
FULLY_BOOTED = (
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 3612\r\nLastReload: 3612\r\n"
    b"Status: Fully Booted\r\n\r\n"
)
# Asterisk 14+ answers Command with one Output: line per line of output.
COMMAND = (
    b"Response: Success\r\nActionID: sb-2\r\nMessage: Command output follows\r\n"
    b"Output: Channel              Location             State   Application(Data)\r\n"
    b"Output: PJSIP/1001-0000003b  s@agents:1           Up      AppQueue((Outgoing Line))\r\n"
    b"Output: 1 active channel\r\n\r\n"
)
# Older ones sent raw lines after Response: Follows, ended by --END COMMAND--.
LEGACY_COMMAND = (
    b"Response: Follows\r\nPrivilege: Command\r\nActionID: sb-3\r\n"
    b"Channel              Location             State   Application(Data)\n"
    b"1 active channel\n"
    b"--END COMMAND--\r\n\r\n"
)
NEWCHANNEL = (
    "Event: Newchannel\r\nPrivilege: call,all\r\nTimestamp: 1795309200.104211\r\n"
    "Channel: PJSIP/trunk-0000003a\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\n"
    "CallerIDNum: 13812345678\r\nCallerIDName: 张伟\r\nConnectedLineNum: <unknown>\r\n"
    "ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\nContext: from-trunk\r\n"
    "Exten: 4008001234\r\nPriority: 1\r\nUniqueid: 1795199400.118\r\n"
    "Linkedid: 1795199400.118\r\nChanVariable: QUEUE=support\r\nChanVariable: LANG=zh\r\n\r\n"
).encode()
STREAM = BANNER + LOGIN_OK + FULLY_BOOTED + NEWCHANNEL + COMMAND + LEGACY_COMMAND


def parse(chunks: list[bytes]) -> tuple[str | None, list[AmiMessage]]:
    parser = AmiParser()
    messages = [m for chunk in chunks for m in parser.feed(chunk)]
    return parser.banner, messages


def test_a_session_parses() -> None:
    banner, messages = parse([STREAM])
    assert banner == "Asterisk Call Manager/9.0.0"
    assert [m.response or m.event for m in messages] == [
        "Success",
        "FullyBooted",
        "Newchannel",
        "Success",
        "Follows",
    ]
    login, _, channel, command, legacy = messages
    assert login.action_id == "sb-1"
    assert login.get("message") == "Authentication accepted"  # keys in any case
    assert channel.get("CallerIDName") == "张伟"
    assert channel.get("AccountCode") == ""
    assert channel.get_all("ChanVariable") == ["QUEUE=support", "LANG=zh"]
    assert channel.get("Linkedid") == "1795199400.118"
    assert command.output == [
        "Channel              Location             State   Application(Data)",
        "PJSIP/1001-0000003b  s@agents:1           Up      AppQueue((Outgoing Line))",
        "1 active channel",
    ]
    assert legacy.output == [
        "Channel              Location             State   Application(Data)",
        "1 active channel",
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=40))
def test_the_same_messages_however_the_stream_is_split(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(STREAM)]
    chunks = [STREAM[a:b] for a, b in itertools.pairwise(points)]
    assert parse(chunks) == parse([STREAM])


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_a_recorded_session_survives_any_split(data: st.DataObject) -> None:
    session = load_session("transferred")
    wire = BANNER + b"".join(m.encode() for m in session.messages)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(wire)), max_size=60))
    points = [0, *sorted(cuts), len(wire)]
    _, messages = parse([wire[a:b] for a, b in itertools.pairwise(points)])
    assert messages == session.messages


def test_values_keep_their_colons_and_lf_only_lines_are_read() -> None:
    parser = AmiParser(banner=False)
    [message] = parser.feed(b"Event: VarSet\nValue: sip:1001@10.0.0.5:5060\nVariable: X\n\n")
    assert message.get("Value") == "sip:1001@10.0.0.5:5060"


def test_blank_lines_between_messages_are_ignored() -> None:
    parser = AmiParser(banner=False)
    assert parser.feed(b"\r\n\r\nEvent: A\r\n\r\n\r\n") == [AmiMessage((("Event", "A"),))]


def test_a_line_too_long_is_refused() -> None:
    parser = AmiParser(banner=False, max_line=1024)
    with pytest.raises(ProtocolError):
        parser.feed(b"Event: " + b"x" * 2000 + b"\r\n")
    with pytest.raises(ProtocolError):
        AmiParser(banner=False, max_line=1024).feed(b"y" * 2000)


def test_actions_are_written_with_their_action_id_first() -> None:
    wire = action("Login", "sb-1", {"Username": "switchboard", "Secret": "s3cret", "Events": "on"})
    assert wire == (
        b"Action: Login\r\nActionID: sb-1\r\nUsername: switchboard\r\nSecret: s3cret\r\n"
        b"Events: on\r\n\r\n"
    )
    [back] = AmiParser(banner=False).feed(wire)
    assert back.action == "Login"
    assert back.encode() == wire


@pytest.mark.parametrize("value", ["1001\r\nAction: Hangup", "x\ny"])
def test_line_breaks_cannot_inject_fields(value: str) -> None:
    with pytest.raises(ValueError, match="line break"):
        action("Originate", "sb-1", [("Exten", value)])


def test_keys_must_be_keys() -> None:
    with pytest.raises(ValueError, match="not an AMI key"):
        encode([("Bad Key", "x")])
