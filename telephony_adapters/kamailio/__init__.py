"""Kamailio in front of Switchboard: a sample proxy configuration, no Python adapter.

``kamailio.cfg`` next to this file relays calls to agents' registered phones and posts each
call's progress to ``POST /api/v1/cti/events`` as normalised CallEvents, so nothing
Kamailio-specific runs inside Switchboard. See ``docs/cti/kamailio.md``.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_CONFIG = Path(__file__).with_name("kamailio.cfg")
"""The sample configuration operators copy and adapt."""
