"""What every telephony adapter is: vendor events in, normalised CallEvents out.

Adapters that can also act on calls implement ``switchboard.core.telephony.TelephonyCommands``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from switchboard.core.wire import CallEvent

Fields = Mapping[str, str | list[str]]


class EventTranslator(Protocol):
    def translate(self, fields: Fields) -> CallEvent:
        """One vendor event as a CallEvent; raises BadRequest naming the field at fault."""
        ...
