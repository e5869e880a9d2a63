"""The lowest layer: settings, database engine, clock, ids, event bus, errors, wire types."""
