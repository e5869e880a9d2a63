"""FreeSWITCH through its event socket (mod_event_socket), with mod_callcenter queues.

``FreeswitchAdapter(config, sink, clock=...)`` keeps an inbound connection to FreeSWITCH,
turns channel and callcenter events into CallEvents for ``sink``, and implements
``TelephonyCommands`` (originate, transfer, hangup) with ``bgapi``. See docs/cti/freeswitch.md.
"""

from telephony_adapters.freeswitch.adapter import FreeswitchAdapter, Sink
from telephony_adapters.freeswitch.config import FreeswitchConfig

__all__ = ["FreeswitchAdapter", "FreeswitchConfig", "Sink"]
