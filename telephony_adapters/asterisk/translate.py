"""Asterisk Manager events as normalised CallEvents, with the per-call state AMI needs.

A call is everything with one ``Linkedid``: the Uniqueid of the call's first channel (the
trunk channel of an inbound call, the agent's channel of an outbound one), which Asterisk
copies to every channel created on the call's behalf and to channels bridged into it. The
call id is that Linkedid. Asterisk sends channel-level facts; this module keeps just enough
per call (its live channels, whether and by whom it was answered, hold, queue) to turn them
into call-level events, each event once:

- the first channel's ``Newchannel`` (or ``Newstate``) in state Ring: ``ringing``;
- ``QueueCallerJoin``: ``ringing`` with the queue (the caller waits in it);
- ``DialBegin`` to an agent's channel: ``ringing`` naming the agent (this pops the screen), or,
  once the call was answered, ``transferred`` to that agent;
- ``DialEnd`` ANSWER, ``AgentConnect`` or ``BridgeEnter`` of an agent's channel: ``answered``;
- ``Hold`` / ``Unhold``: ``held`` / ``resumed``;
- ``BlindTransfer`` / ``AttendedTransfer`` (Result Success): ``transferred`` to the target;
- ``QueueCallerAbandon`` after the caller's own ``HangupRequest``: ``abandoned``. Asterisk
  18-20 also raise it when a caller leaves the queue by timeout or because it emptied; the
  call then goes on (voicemail, announcement) and ends as an unanswered call;
- ``Hangup`` of the call's last live channel: ``ended``, with the first channel's cause.

Event ids are ``<Uniqueid>:<Event>`` (``<DestUniqueid>`` for dial events), with the event's
``Timestamp`` appended for events that can repeat on a channel (Hold, BridgeEnter, ...), so
the same AMI stream always gives the same ids and the server drops repeats.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from switchboard.core.clock import Clock
from switchboard.core.wire import MAX_ID_LEN, MAX_NUMBER_LEN, CallDirection, CallEvent
from telephony_adapters.asterisk.protocol import AmiMessage

log = logging.getLogger(__name__)

# Q.850 cause codes (Asterisk's Cause field) as we spell hangup causes.
CAUSES: dict[int, str] = {
    0: "unknown",
    1: "not_found",
    3: "no_route",
    16: "normal",
    17: "busy",
    18: "no_answer",
    19: "no_answer",
    20: "unavailable",
    21: "rejected",
    22: "number_changed",
    26: "answered_elsewhere",
    27: "failed",
    28: "invalid_number",
    31: "normal",
    34: "congestion",
    38: "failed",
    41: "failed",
    42: "congestion",
    127: "failed",
}
RECONCILED = "reconciled"
STATE_RING = "4"
STATE_UP = "6"
AGENT_TECHS = frozenset({"PJSIP", "SIP", "IAX2", "LOCAL"})
# Events that can happen more than once on one channel: their ids carry the timestamp.
REPEATABLE = frozenset(
    {
        "Newstate",
        "Hold",
        "Unhold",
        "BridgeEnter",
        "QueueCallerJoin",
        "QueueCallerAbandon",
        "BlindTransfer",
        "AttendedTransfer",
    }
)
_SUFFIX = re.compile(r"-[0-9a-fA-F]{8}$")
_REMEMBERED = 10_000


def cause_name(code: str | None) -> str:
    """Asterisk's numeric hangup cause as a word; ``q850_<n>`` for the rare ones."""
    try:
        number = int(code or "0")
    except ValueError:
        return "unknown"
    return CAUSES.get(number, f"q850_{number}")


def interface(channel: str) -> str:
    """The interface a channel is on: ``PJSIP/1001-0000003b`` → ``PJSIP/1001``.

    ``Local/1001@agents-00000004;1`` → ``Local/1001@agents``.
    """
    name = channel.split(";", 1)[0] if channel.startswith("Local/") else channel
    return _SUFFIX.sub("", name)


def _number(value: str | None) -> str:
    text = (value or "").strip()
    if text.lower() in ("<unknown>", "unknown", "s"):
        return ""
    return text[:MAX_NUMBER_LEN]


@dataclass(frozen=True)
class Snapshot:
    """The channel fields of an event, under one prefix (``Dest``, ``Transferee``, ...)."""

    uid: str
    linkedid: str
    name: str
    state: str
    caller: str
    exten: str
    bridge: str = ""

    @classmethod
    def of(cls, message: AmiMessage, prefix: str = "") -> Snapshot | None:
        uid = message.get(f"{prefix}Uniqueid")
        if not uid:
            return None
        return cls(
            uid=uid,
            linkedid=message.get(f"{prefix}Linkedid") or uid,
            name=message.get(f"{prefix}Channel") or "",
            state=message.get(f"{prefix}ChannelState") or "",
            caller=message.get(f"{prefix}CallerIDNum") or "",
            exten=message.get(f"{prefix}Exten") or "",
            bridge="" if prefix else message.get("BridgeId") or "",
        )


@dataclass
class Channel:
    uid: str
    name: str
    linkedid: str
    agent: str | None
    epoch: int
    seq: int = 0  # order we learnt of it
    hangup_requested: bool = False
    pinned: bool = False  # moved into a call by a transfer; keeps that call


@dataclass
class Call:
    call_id: str
    direction: CallDirection = CallDirection.INBOUND
    from_: str = ""
    to: str = ""
    queue: str | None = None
    agent: str | None = None
    answered: bool = False
    answered_by: str | None = None  # the agent whose channel answered last
    on_hold: bool = False
    ringing: bool = False
    abandoned: bool = False
    originated: bool = False
    described: bool = False  # direction and numbers known from the first channel
    channels: set[str] = field(default_factory=set)
    answered_legs: set[str] = field(default_factory=set)
    first_cause: str | None = None


class Translator:
    """Feed it every AMI event in order; it returns the CallEvents each one means."""

    def __init__(
        self,
        *,
        clock: Clock,
        agents: Mapping[str, str] | None = None,
        extension_pattern: str = r"\d{2,6}",
    ) -> None:
        self._clock = clock
        self._agents = dict(agents or {})
        self._extensions = frozenset(self._agents.values())
        self._pattern = re.compile(extension_pattern) if extension_pattern else None
        self.epoch = 0
        self.calls: dict[str, Call] = {}
        self.channels: dict[str, Channel] = {}
        self._gone: OrderedDict[str, None] = OrderedDict()  # channels hung up
        self._ended: OrderedDict[str, None] = OrderedDict()  # calls ended
        self._counts: dict[str, dict[str, int]] = {}
        self._seq = itertools.count()
        self._handlers: dict[str, Callable[[AmiMessage], list[CallEvent]]] = {
            "Newchannel": self._newchannel,
            "Newstate": self._newstate,
            "DialBegin": self._dial_begin,
            "DialEnd": self._dial_end,
            "BridgeEnter": self._bridge_enter,
            "BridgeLeave": self._observe_only,
            "Hold": self._hold,
            "Unhold": self._hold,
            "HangupRequest": self._hangup_request,
            "Hangup": self._hangup,
            "QueueCallerJoin": self._queue_join,
            "QueueCallerAbandon": self._queue_abandon,
            "QueueCallerLeave": self._observe_only,
            "AgentConnect": self._agent_connect,
            "AgentComplete": self._observe_only,
            "BlindTransfer": self._blind_transfer,
            "AttendedTransfer": self._attended_transfer,
        }

    # -- who is an agent ---------------------------------------------------------------

    def agent_of(self, channel: str) -> str | None:
        """The agent extension a channel belongs to, or None (a trunk, a Local helper...)."""
        iface = interface(channel)
        if iface in self._agents:
            return self._agents[iface]
        tech, _, resource = iface.partition("/")
        if tech.upper() not in AGENT_TECHS:
            return None
        if tech.upper() == "LOCAL":
            resource = resource.split("@", 1)[0]
        return resource if self.is_extension(resource) else None

    def is_extension(self, text: str) -> bool:
        if text in self._extensions:
            return True
        return bool(self._pattern and self._pattern.fullmatch(text))

    # -- the public face -----------------------------------------------------------------

    def begin_epoch(self) -> None:
        """A new AMI connection: channels seen from now on are known to be up to date."""
        self.epoch += 1

    def feed(self, message: AmiMessage) -> list[CallEvent]:
        handler = self._handlers.get(message.event or "")
        if handler is None:
            return []
        try:
            return handler(message)
        except (ValueError, ValidationError) as exc:
            log.warning("ignored an AMI %s event that does not translate: %s", message.event, exc)
            return []

    def reconcile(
        self, listed: Iterable[AmiMessage], server_live: Iterable[str] = ()
    ) -> list[CallEvent]:
        """After a (re)connect: ``listed`` is CoreShowChannels' answer.

        Channels known from before this connection that are no longer listed hung up while
        we were away; a call left with none is ended with cause ``reconciled``. So is a call
        the server still thinks live (``server_live``) of which Asterisk has no channel.
        Listed channels we did not know are taken in silently.
        """
        present: dict[str, Snapshot] = {}
        for item in listed:
            snap = Snapshot.of(item)
            if snap is not None and snap.uid not in self._gone:
                present[snap.uid] = snap
        events: list[CallEvent] = []
        for call in list(self.calls.values()):
            if call.originated and not call.ringing:
                continue  # our Originate, before Asterisk made its first channel
            for uid in list(call.channels):
                channel = self.channels.get(uid)
                if channel is not None and uid not in present and channel.epoch < self.epoch:
                    self._forget(uid)
            if not call.channels:
                events.append(self._reconciled(call))
        known = set(self.calls)
        for snap in present.values():
            if snap.uid not in self.channels:
                events.extend(self._seed(snap, snap.linkedid in known))
        listed_calls = {snap.linkedid for snap in present.values()}
        for call_id in server_live:
            if call_id in self.calls or call_id in self._ended or call_id in listed_calls:
                continue
            events.append(self._reconciled(Call(call_id)))
        return events

    def expect_originate(self, call_id: str, *, agent: str, number: str) -> None:
        """An Originate we are about to send with ``ChannelId: call_id``."""
        internal = self.is_extension(number)
        self.calls[call_id] = Call(
            call_id,
            CallDirection.INTERNAL if internal else CallDirection.OUTBOUND,
            from_=agent[:MAX_NUMBER_LEN],
            to=number[:MAX_NUMBER_LEN],
            originated=True,
            described=True,
        )

    def forget_originate(self, call_id: str) -> None:
        """The Originate was refused before Asterisk made a channel."""
        call = self.calls.get(call_id)
        if call is not None and call.originated and not call.channels:
            del self.calls[call_id]

    def live_channels(self, call_id: str) -> list[Channel]:
        call = self.calls.get(call_id)
        if call is None:
            return []
        channels = [self.channels[uid] for uid in call.channels if uid in self.channels]
        return sorted(channels, key=lambda c: c.seq)

    def caller_channel(self, call_id: str) -> Channel | None:
        """The channel of the party the call is about: the first channel, else a non-agent."""
        channels = self.live_channels(call_id)
        first = next((c for c in channels if c.uid == call_id), None)
        return first or next((c for c in channels if c.agent is None), None)

    def agent_channel(self, call_id: str) -> Channel | None:
        """The live channel of the agent the call is with (answered leg first)."""
        call = self.calls.get(call_id)
        if call is None:
            return None
        channels = [c for c in self.live_channels(call_id) if c.uid != call_id and c.agent]
        answered = [c for c in channels if c.uid in call.answered_legs]
        mine = [c for c in answered if c.agent == call.agent] or answered
        return mine[-1] if mine else None

    # -- channels ------------------------------------------------------------------------

    def _observe(self, snap: Snapshot | None) -> Channel | None:
        """Keep the channel table up to date with what an event says; None if it is gone."""
        if snap is None or snap.uid in self._gone:
            return None
        channel = self.channels.get(snap.uid)
        if channel is None:
            agent = self.agent_of(snap.name)
            channel = Channel(snap.uid, snap.name, snap.linkedid, agent, 0, next(self._seq))
            self.channels[snap.uid] = channel
            call = self._call(snap.linkedid, snap)
            call.channels.add(snap.uid)
            if snap.uid == call.call_id and not call.described:
                self._describe(call, snap)
        elif snap.linkedid != channel.linkedid and not channel.pinned:
            self._move(channel, snap.linkedid, snap)
        if snap.name and snap.name != channel.name:
            channel.name = snap.name
            channel.agent = self.agent_of(snap.name)
        channel.epoch = self.epoch
        return channel

    def _move(self, channel: Channel, linkedid: str, snap: Snapshot | None = None) -> None:
        old = self.calls.get(channel.linkedid)
        if old is not None:
            old.channels.discard(channel.uid)
        channel.linkedid = linkedid
        self._call(linkedid, snap).channels.add(channel.uid)

    def _call(self, call_id: str, snap: Snapshot | None) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            call = Call(call_id)
            if snap is not None and snap.uid == call_id:
                self._describe(call, snap)
            self.calls[call_id] = call
        return call

    def _describe(self, call: Call, first: Snapshot) -> None:
        """Direction and numbers, from the call's first channel."""
        agent = self.agent_of(first.name)
        if agent is None:
            call.direction = CallDirection.INBOUND
        elif self.is_extension(first.exten):
            call.direction = CallDirection.INTERNAL
        else:
            call.direction = CallDirection.OUTBOUND
        call.from_ = _number(first.caller) or (agent or "")
        call.to = _number(first.exten)
        call.described = True

    def _seed(self, snap: Snapshot, known: bool) -> list[CallEvent]:
        """A channel we first hear of in CoreShowChannels; says what it changes, if anything."""
        channel = self._observe(snap)
        if channel is None:
            return []
        call = self.calls[channel.linkedid]
        talking = snap.state == STATE_UP and bool(snap.bridge) and snap.uid != call.call_id
        if not known:
            call.ringing = True
            if channel.agent and talking:
                call.answered = True
                call.agent = call.answered_by = channel.agent
                call.answered_legs.add(snap.uid)
            return []
        if not channel.agent or not talking or channel.agent == call.agent:
            return []
        # An agent took the call while we were away: answered, or transferred to them.
        kind = "transferred" if call.answered else "answered"
        call.answered = True
        call.agent = call.answered_by = channel.agent
        call.answered_legs.add(snap.uid)
        event_id = f"{snap.uid}:{RECONCILED}"
        return [self._make(call, kind, event_id, self._clock.now(), channel.agent, None)]

    def _forget(self, uid: str) -> Channel | None:
        channel = self.channels.pop(uid, None)
        self._counts.pop(uid, None)
        _remember(self._gone, uid)
        if channel is not None:
            call = self.calls.get(channel.linkedid)
            if call is not None:
                call.channels.discard(uid)
        return channel

    def _finish(self, call: Call) -> None:
        self.calls.pop(call.call_id, None)
        _remember(self._ended, call.call_id)
        for uid in list(call.channels):
            self._forget(uid)

    # -- events --------------------------------------------------------------------------

    def _event(
        self,
        call: Call,
        kind: str,
        message: AmiMessage,
        uid: str,
        *,
        agent: str | None = None,
        cause: str | None = None,
    ) -> CallEvent:
        name = message.event or "Event"
        stamp = message.get("Timestamp")
        event_id = f"{uid}:{name}"
        if name in REPEATABLE:
            if stamp:
                event_id += f":{stamp}"
            else:
                counts = self._counts.setdefault(uid, {})
                counts[name] = counts.get(name, 0) + 1
                event_id += f":{counts[name]}"
        return self._make(call, kind, event_id, _at(stamp) or self._clock.now(), agent, cause)

    def _make(
        self,
        call: Call,
        kind: str,
        event_id: str,
        at: datetime,
        agent: str | None,
        cause: str | None,
    ) -> CallEvent:
        if len(event_id) > MAX_ID_LEN:
            event_id = hashlib.sha256(event_id.encode()).hexdigest()
        return CallEvent(
            event_id=event_id,
            call_id=call.call_id,
            type=kind,
            direction=call.direction,
            from_=call.from_,
            to=call.to,
            agent=agent,
            queue=call.queue,
            cause=cause,
            at=at,
        )

    def _reconciled(self, call: Call) -> CallEvent:
        self._finish(call)
        event_id = f"{call.call_id}:{RECONCILED}"
        return self._make(call, "ended", event_id, self._clock.now(), None, RECONCILED)

    def _ringing(self, call: Call, message: AmiMessage, uid: str, agent: str | None) -> CallEvent:
        call.ringing = True
        if agent:
            call.agent = agent
        return self._event(call, "ringing", message, uid, agent=agent)

    def _observe_only(self, message: AmiMessage) -> list[CallEvent]:
        for prefix in ("", "Dest"):
            self._observe(Snapshot.of(message, prefix))
        return []

    def _newchannel(self, message: AmiMessage) -> list[CallEvent]:
        return self._first_rings(message)

    def _newstate(self, message: AmiMessage) -> list[CallEvent]:
        return self._first_rings(message)

    def _first_rings(self, message: AmiMessage) -> list[CallEvent]:
        snap = Snapshot.of(message)
        channel = self._observe(snap)
        if snap is None or channel is None or snap.uid != snap.linkedid:
            return []
        call = self.calls[snap.linkedid]
        if call.originated and not call.ringing:
            # Our Originate: Asterisk is about to ring the agent's own phone.
            return [self._ringing(call, message, snap.uid, channel.agent)]
        if call.ringing or snap.state != STATE_RING:
            return []
        if not call.to:
            call.to = _number(snap.exten)
        agent = channel.agent if call.direction != CallDirection.INBOUND else None
        return [self._ringing(call, message, snap.uid, agent)]

    def _dial_begin(self, message: AmiMessage) -> list[CallEvent]:
        caller_snap = Snapshot.of(message)
        caller = self._observe(caller_snap)
        dest_snap = Snapshot.of(message, "Dest")
        dest = self._observe(dest_snap)
        if dest is None or dest_snap is None:
            return []
        call = self.calls[dest.linkedid]
        if caller_snap is not None and caller_snap.uid == call.call_id and not call.to:
            call.to = _number(caller_snap.exten)  # what the first channel dialled
        if dest.uid == call.call_id:
            # An originated call: Asterisk first rings the agent's own phone.
            if call.ringing:
                return []
            call.direction = (
                CallDirection.INTERNAL
                if self.is_extension(dest_snap.exten)
                else CallDirection.OUTBOUND
            )
            call.from_ = call.from_ or _number(dest_snap.caller) or (dest.agent or "")
            call.to = _number(dest_snap.exten)
            return [self._ringing(call, message, dest.uid, dest.agent)]
        if dest.agent is None:
            return []
        if call.answered and caller is not None and caller.agent and caller.agent == call.agent:
            return []  # the agent dials a colleague to consult; a transfer event follows
        if not call.answered:
            if dest.agent == call.agent and call.ringing:
                return []
            return [self._ringing(call, message, dest.uid, dest.agent)]
        if dest.agent == call.agent:
            return []
        call.agent = dest.agent
        return [self._event(call, "transferred", message, dest.uid, agent=dest.agent)]

    def _answered(self, call: Call, message: AmiMessage, leg: Channel) -> list[CallEvent]:
        if leg.uid in call.answered_legs or leg.uid == call.call_id or not leg.agent:
            return []
        call.answered_legs.add(leg.uid)
        if call.answered_by == leg.agent:
            return []  # another channel of the agent who answered (a Local member's PJSIP leg)
        call.answered_by = leg.agent
        call.answered = True
        call.agent = leg.agent
        return [self._event(call, "answered", message, leg.uid, agent=leg.agent)]

    def _dial_end(self, message: AmiMessage) -> list[CallEvent]:
        self._observe(Snapshot.of(message))
        dest = self._observe(Snapshot.of(message, "Dest"))
        if dest is None or (message.get("DialStatus") or "").upper() != "ANSWER":
            return []
        call = self.calls[dest.linkedid]
        if dest.agent:
            return self._answered(call, message, dest)
        if call.direction == CallDirection.OUTBOUND and not call.answered:
            # The outside party of an agent's outbound call answered.
            call.answered = True
            first = self.channels.get(call.call_id)
            agent = first.agent if first is not None else call.agent
            call.agent = agent or call.agent
            call.answered_by = call.agent
            return [self._event(call, "answered", message, dest.uid, agent=agent)]
        return []

    def _agent_connect(self, message: AmiMessage) -> list[CallEvent]:
        self._observe(Snapshot.of(message))
        dest = self._observe(Snapshot.of(message, "Dest"))
        if dest is None:
            return []
        call = self.calls[dest.linkedid]
        call.queue = call.queue or _queue(message)
        if dest.agent is None:
            dest.agent = self._agents.get(message.get("Interface") or "")
        return self._answered(call, message, dest)

    def _bridge_enter(self, message: AmiMessage) -> list[CallEvent]:
        channel = self._observe(Snapshot.of(message))
        if channel is None:
            return []
        call = self.calls[channel.linkedid]
        if call.direction != CallDirection.INBOUND and not call.answered:
            return []  # an agent's own outbound leg entering its bridge says nothing new
        return self._answered(call, message, channel)

    def _hold(self, message: AmiMessage) -> list[CallEvent]:
        channel = self._observe(Snapshot.of(message))
        if channel is None:
            return []
        call = self.calls[channel.linkedid]
        held = message.event == "Hold"
        if not call.answered or call.on_hold == held:
            return []
        call.on_hold = held
        kind = "held" if held else "resumed"
        return [self._event(call, kind, message, channel.uid, agent=channel.agent)]

    def _hangup_request(self, message: AmiMessage) -> list[CallEvent]:
        channel = self._observe(Snapshot.of(message))
        if channel is not None:
            channel.hangup_requested = True
        return []

    def _hangup(self, message: AmiMessage) -> list[CallEvent]:
        snap = Snapshot.of(message)
        if snap is None or snap.uid in self._gone:
            return []
        channel = self.channels.get(snap.uid)
        linkedid = channel.linkedid if channel is not None else snap.linkedid
        self._forget(snap.uid)
        call = self.calls.get(linkedid)
        cause = cause_name(message.get("Cause"))
        if call is None:
            if snap.uid != linkedid or linkedid in self._ended:
                return []
            # The first channel of a call we never saw (we started mid-call): end it.
            call = Call(linkedid)
            self._describe(call, snap)
            self.calls[linkedid] = call
        if snap.uid == call.call_id:
            call.first_cause = cause
        if call.channels:
            return []
        self._finish(call)
        return [self._event(call, "ended", message, snap.uid, cause=call.first_cause or cause)]

    def _queue_join(self, message: AmiMessage) -> list[CallEvent]:
        channel = self._observe(Snapshot.of(message))
        if channel is None:
            return []
        call = self.calls[channel.linkedid]
        call.queue = _queue(message) or call.queue
        if call.answered:
            return []
        return [self._event(call, "ringing", message, channel.uid)]

    def _queue_abandon(self, message: AmiMessage) -> list[CallEvent]:
        channel = self._observe(Snapshot.of(message))
        if channel is None:
            return []
        call = self.calls[channel.linkedid]
        call.queue = call.queue or _queue(message)
        if call.answered or call.abandoned or not channel.hangup_requested:
            return []  # answered before, or left the queue by timeout and goes on
        call.abandoned = True
        return [self._event(call, "abandoned", message, channel.uid)]

    def _blind_transfer(self, message: AmiMessage) -> list[CallEvent]:
        transferer = self._observe(Snapshot.of(message, "Transferer"))
        transferee = self._observe(Snapshot.of(message, "Transferee"))
        if (message.get("Result") or "") != "Success":
            return []
        party = transferee or transferer
        if party is None:
            return []
        call = self.calls[party.linkedid]
        target = message.get("Extension") or ""
        agent = target if self.is_extension(target) else None
        if agent:
            call.agent = agent
        call.answered = True
        uid = transferer.uid if transferer is not None else party.uid
        return [self._event(call, "transferred", message, uid, agent=agent)]

    def _attended_transfer(self, message: AmiMessage) -> list[CallEvent]:
        first = self._observe(Snapshot.of(message, "OrigTransferer"))
        self._observe(Snapshot.of(message, "SecondTransferer"))
        transferee = self._observe(Snapshot.of(message, "Transferee"))
        target = self._observe(Snapshot.of(message, "TransferTarget"))
        if (message.get("Result") or "") != "Success":
            return []
        party = transferee or first
        if party is None:
            return []
        call = self.calls[party.linkedid]
        agent = target.agent if target is not None else None
        if target is not None and target.linkedid != call.call_id:
            self._move(target, call.call_id)
            target.pinned = True
        if target is not None:
            call.answered_legs.add(target.uid)  # answered already, on the consultation call
        if agent:
            call.agent = call.answered_by = agent
        call.answered = True
        uid = first.uid if first is not None else party.uid
        return [self._event(call, "transferred", message, uid, agent=agent)]


def _queue(message: AmiMessage) -> str | None:
    name = (message.get("Queue") or "").strip()
    return name[:MAX_ID_LEN] or None


def _at(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(float(stamp), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _remember(seen: OrderedDict[str, None], key: str) -> None:
    seen[key] = None
    seen.move_to_end(key)
    while len(seen) > _REMEMBERED:
        seen.popitem(last=False)
