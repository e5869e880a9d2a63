"""Switchboard: tickets."""
