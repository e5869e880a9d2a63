"""Switchboard: routing."""
