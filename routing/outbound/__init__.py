"""Outbound campaigns: compliance before every dial, retries by disposition, the hopper, pacing.

The modules ``model``, ``compliance``, ``retry``, ``hopper``, ``pacing`` and ``simulation`` are
pure (standard library only, time passed in as ``now``); ``numbers`` reads phonenumbers' time
zone data and ``store``/``service``/``api``/``dialer`` are the edges.
"""
