"""Leads: scored by configurable rules, classed, sent to sales or to outbound campaigns.

``scoring`` is pure (standard library only, ``now`` passed in); ``config`` reads the rules file,
``store`` and ``importer`` are the database and file edges.
"""
