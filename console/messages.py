"""Textual messages the feed worker posts into the app (messages up).

Each wraps one ``console.feed`` event, so handlers read as ``on_screen_pop_received`` and so
on. ``message_for`` is the only place that maps feed events to messages.
"""

from __future__ import annotations

from textual.message import Message

from console.feed import (
    AgentStateUpdate,
    CallUpdate,
    FeedEvent,
    FeedProblem,
    Hello,
    LinkStatus,
    Offer,
    OfferEnded,
    PreviewCard,
)
from switchboard.core.wire import ScreenPop


class LinkChanged(Message):
    """The websocket connected, dropped, is retrying, or was refused."""

    def __init__(self, status: LinkStatus) -> None:
        super().__init__()
        self.status = status


class HelloReceived(Message):
    """The server greeted us: who the agent is and their state."""

    def __init__(self, hello: Hello) -> None:
        super().__init__()
        self.hello = hello


class ScreenPopReceived(Message):
    """A call is being offered to this agent; show who is calling."""

    def __init__(self, pop: ScreenPop) -> None:
        super().__init__()
        self.pop = pop


class CallChanged(Message):
    """A call of this agent changed state."""

    def __init__(self, call: CallUpdate) -> None:
        super().__init__()
        self.call = call


class AgentStateChanged(Message):
    """The agent's own state changed (available, on call, break…)."""

    def __init__(self, update: AgentStateUpdate) -> None:
        super().__init__()
        self.update = update


class PreviewCardReceived(Message):
    """An outbound preview campaign offers a lead to this agent."""

    def __init__(self, card: PreviewCard) -> None:
        super().__init__()
        self.card = card


class OfferReceived(Message):
    """Routing offers this agent a call, a request or a callback to accept or reject."""

    def __init__(self, offer: Offer) -> None:
        super().__init__()
        self.offer = offer


class OfferEndedReceived(Message):
    """An offer to this agent is over (taken, refused, timed out or withdrawn)."""

    def __init__(self, ended: OfferEnded) -> None:
        super().__init__()
        self.ended = ended


class FeedProblemReported(Message):
    """Something the agent should know about, as one line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def message_for(event: FeedEvent) -> Message:
    """The Textual message that carries ``event``."""
    match event:
        case LinkStatus():
            return LinkChanged(event)
        case Hello():
            return HelloReceived(event)
        case ScreenPop():
            return ScreenPopReceived(event)
        case CallUpdate():
            return CallChanged(event)
        case AgentStateUpdate():
            return AgentStateChanged(event)
        case PreviewCard():
            return PreviewCardReceived(event)
        case Offer():
            return OfferReceived(event)
        case OfferEnded():
            return OfferEndedReceived(event)
        case FeedProblem():
            return FeedProblemReported(event.text)
