"""Prometheus metrics of one server, in a registry of its own (so several apps can coexist)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

AGENT_STATES = ("offline", "available", "reserved", "on_call", "wrap_up", "break", "not_ready")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "switchboard_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "switchboard_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.cti_events = Counter(
            "switchboard_cti_events",
            "Call events received, by source, type and outcome",
            ["source", "type", "outcome"],
            registry=self.registry,
        )
        self.messages = Counter(
            "switchboard_channel_messages",
            "Messages published to consoles and wallboards, by type",
            ["type"],
            registry=self.registry,
        )
        self.ws_connections = Gauge(
            "switchboard_websocket_connections",
            "Open websocket connections",
            registry=self.registry,
        )
        self.writer_operations = Gauge(
            "switchboard_writer_operations",
            "Write operations committed since start",
            registry=self.registry,
        )
        self.telephony_connected = Gauge(
            "switchboard_telephony_connected",
            "1 while the server is connected to the phone system, else 0",
            ["adapter"],
            registry=self.registry,
        )
        self.writer_batches = Gauge(
            "switchboard_writer_batches", "Group commits since start", registry=self.registry
        )

        # The floor's figures (routing.floor), the same numbers the wallboard shows.
        self.queue_gauges = {
            name: Gauge(f"switchboard_queue_{name}", text, ["queue"], registry=self.registry)
            for name, text in (
                ("waiting", "Callers waiting now"),
                ("longest_wait_seconds", "The longest wait of a caller waiting now"),
                ("service_level", "Service level today (the queue's formula and threshold)"),
                ("offered_today", "Calls offered today"),
                ("answered_today", "Of those, answered"),
                ("abandoned_today", "Of those, abandoned"),
            )
        }
        self.floor_refresh = Gauge(
            "switchboard_floor_refresh_seconds",
            "The floor's refresh time: the longest of the last hundred",
            registry=self.registry,
        )
        self.agents_by_state = Gauge(
            "switchboard_agents", "Agents by state now", ["state"], registry=self.registry
        )

    def floor(self, queues: Iterable[Any], agents: Iterable[Any]) -> None:
        """Set the floor gauges from queue tiles and agent rows (``core.floor_wire``)."""
        g = self.queue_gauges
        for tile in queues:
            g["waiting"].labels(tile.queue).set(tile.waiting_now)
            g["longest_wait_seconds"].labels(tile.queue).set(tile.longest_wait_s)
            if tile.service_level is not None:
                g["service_level"].labels(tile.queue).set(tile.service_level)
            g["offered_today"].labels(tile.queue).set(tile.offered)
            g["answered_today"].labels(tile.queue).set(tile.answered)
            g["abandoned_today"].labels(tile.queue).set(tile.abandoned)
        counts: dict[str, int] = dict.fromkeys(AGENT_STATES, 0)
        for row in agents:
            counts[row.state] = counts.get(row.state, 0) + 1
        for state, n in counts.items():
            self.agents_by_state.labels(state).set(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)
