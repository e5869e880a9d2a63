"""Switchboard: switchboard."""
