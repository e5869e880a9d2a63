"""Zammad-compatible generic CTI: a PBX set up for Zammad works by changing its URL."""
