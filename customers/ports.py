"""What the customers package needs from packages above it, injected by the composition root.

``customers`` sits below ``tickets`` in the layers, so it never imports it. The 360 view reads
a customer's open service requests through :data:`OpenRequests`, a plain function on the
same connection that the composition root (switchboard.app) binds to the tickets store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

# (conn, customer_id) -> open requests, newest first, each a JSON-able dict with at least
# "number", "title", "status", "category", "sla_state", "created_at"; "complaint" (bool)
# marks a complaint for the churn signals.
OpenRequests = Callable[[Connection, int], list[dict[str, Any]]]


def no_open_requests(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    return []


OPEN_REQUESTS = web.AppKey("customers.open_requests", OpenRequests)
