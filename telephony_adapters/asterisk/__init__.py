"""Asterisk through its manager interface (AMI): call events in, originate/transfer/hang up out.

``AsteriskAdapter(AsteriskConfig(...), sink, clock=...)``; see docs/cti/asterisk.md.
"""

from telephony_adapters.asterisk.adapter import (
    AsteriskAdapter,
    AsteriskRefused,
    AsteriskUnavailable,
)
from telephony_adapters.asterisk.config import AsteriskConfig

__all__ = ["AsteriskAdapter", "AsteriskConfig", "AsteriskRefused", "AsteriskUnavailable"]
