"""Switchboard: telephony_adapters."""
