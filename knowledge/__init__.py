"""Switchboard: knowledge."""
