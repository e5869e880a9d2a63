"""Switchboard: customers."""
