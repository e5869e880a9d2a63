"""Switchboard: console."""
