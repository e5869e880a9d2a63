"""The console's HTTP client: every route it calls, in one place.

``ServerClient`` wraps an aiohttp session with the agent's token. Each method is one route
(``ROUTES`` names them, so a renamed route is a one-line change) and returns the decoded JSON.
Any failure (an error answer, a timeout, no server) raises ``ServerError`` whose message is
one line fit for the status area, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

ROUTES: dict[str, str] = {
    "agent_state": "/api/v1/agents/{agent}/state",
    "customer_360": "/api/v1/customers/{customer}/360",
    "customer_lookup": "/api/v1/customers/lookup",
    "customer_quick": "/api/v1/customers/quick",
    "tickets": "/api/v1/tickets",
    "ticket": "/api/v1/tickets/{number}",
    "ticket_notes": "/api/v1/tickets/{number}/notes",
    "ticket_categories": "/api/v1/ticket-categories",
    "kb_search": "/api/v1/kb/search",
    "kb_article": "/api/v1/kb/articles/{article}",
    "kb_suggestions": "/api/v1/kb/suggestions",
    "flow_start": "/api/v1/flows/{flow}/runs",
    "flow_answer": "/api/v1/flow-runs/{run}/answer",
    "flow_back": "/api/v1/flow-runs/{run}/back",
    "preview_dial": "/api/v1/campaigns/{campaign}/preview/{lead}/dial",
    "preview_skip": "/api/v1/campaigns/{campaign}/preview/{lead}/skip",
    "preview_reschedule": "/api/v1/campaigns/{campaign}/preview/{lead}/reschedule",
    "offer_accept": "/api/v1/routing/reservations/{reservation}/accept",
    "offer_reject": "/api/v1/routing/reservations/{reservation}/reject",
}

MAX_MESSAGE = 160


class ServerError(Exception):
    """A request that did not succeed; ``str()`` is one line for the agent."""

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 1] + "…"


def error_text(status: int, body: str, where: str = "") -> tuple[str, str | None]:
    """The one-line message and the field named by an error answer (``where``: the request,
    named when the answer is not the API's JSON error, e.g. a route this server lacks)."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, Mapping) and isinstance(data.get("error"), Mapping):
        error = data["error"]
        message = str(error.get("message") or error.get("code") or "error")
        field = error.get("field")
        field = str(field) if field else None
        where = f" ({field})" if field and field not in message else ""
        return _one_line(f"Server said {status}: {message}{where}"), field
    detail = body or "no details"
    return _one_line(f"Server said {status}: {detail}" + (f" ({where})" if where else "")), None


class ServerClient:
    """The agent's HTTP line to the server. Create it inside the app's event loop."""

    def __init__(self, server_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base = server_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _path(self, route: str, **parts: str | int) -> str:
        quoted = {name: quote(str(value), safe="") for name, value in parts.items()}
        return self.base + ROUTES[route].format(**quoted)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, headers={"Authorization": f"Bearer {self._token}"}
            )
        try:
            async with self._session.request(method, url, params=params, json=body) as resp:
                text = await resp.text()
                if resp.status >= 400:
                    where = f"{method} {resp.url.path}"
                    message, field = error_text(resp.status, text, where)
                    raise ServerError(message, status=resp.status, field=field)
                return json.loads(text) if text else None
        except TimeoutError as exc:
            raise ServerError("The server did not answer in time") from exc
        except aiohttp.ClientError as exc:
            raise ServerError(_one_line(f"Cannot reach the server: {exc}")) from exc
        except ValueError as exc:  # not JSON
            raise ServerError("The server answered something that is not JSON") from exc

    # --- agent ------------------------------------------------------------------------------

    async def set_state(self, agent: str, state: str, reason: str | None = None) -> Any:
        body: dict[str, Any] = {"state": state}
        if reason:
            body["reason"] = reason
        return await self._request("POST", self._path("agent_state", agent=agent), body=body)

    async def start_wrap_up(self, agent: str, seconds: float) -> Any:
        """After-call work: the server makes the agent available by itself after ``seconds``."""
        body = {"state": "wrap_up", "seconds": seconds}
        return await self._request("POST", self._path("agent_state", agent=agent), body=body)

    # --- customers --------------------------------------------------------------------------

    async def customer_360(self, customer: int) -> Any:
        return await self._request("GET", self._path("customer_360", customer=customer))

    async def lookup(self, phone: str) -> Any:
        return await self._request("GET", self._path("customer_lookup"), params={"phone": phone})

    async def quick_customer(self, phone: str, name: str) -> Any:
        body = {"number": phone, "name": name}
        return await self._request("POST", self._path("customer_quick"), body=body)

    # --- service requests -------------------------------------------------------------------

    async def tickets_of(self, customer: int, limit: int = 20) -> Any:
        params = {"customer": str(customer), "limit": str(limit)}
        return await self._request("GET", self._path("tickets"), params=params)

    async def create_ticket(self, body: Mapping[str, Any]) -> Any:
        return await self._request("POST", self._path("tickets"), body=body)

    async def get_ticket(self, number: str) -> Any:
        return await self._request("GET", self._path("ticket", number=number))

    async def update_ticket(self, number: str, patch: Mapping[str, Any]) -> Any:
        return await self._request("PATCH", self._path("ticket", number=number), body=patch)

    async def add_note(self, number: str, body: str, kind: str = "note") -> Any:
        url = self._path("ticket_notes", number=number)
        return await self._request("POST", url, body={"kind": kind, "body": body})

    async def ticket_categories(self) -> Any:
        return await self._request("GET", self._path("ticket_categories"))

    # --- knowledge --------------------------------------------------------------------------

    async def kb_search(self, query: str, limit: int = 8) -> Any:
        params = {"q": query, "limit": str(limit)}
        return await self._request("GET", self._path("kb_search"), params=params)

    async def kb_article(self, article: str) -> Any:
        return await self._request("GET", self._path("kb_article", article=article))

    async def kb_suggestions(self, call_id: str) -> Any:
        params = {"call_id": call_id}
        return await self._request("GET", self._path("kb_suggestions"), params=params)

    # --- call scripts -----------------------------------------------------------------------

    async def start_flow(self, flow: str, call_id: str) -> Any:
        url = self._path("flow_start", flow=flow)
        return await self._request("POST", url, body={"call_id": call_id})

    async def answer_flow(self, run: str, value: Any, rev: int | None = None) -> Any:
        """Answer the run's current question; ``rev`` (the run's revision the agent saw)
        makes a stale answer a 409 instead of answering the next question."""
        body: dict[str, Any] = {"value": value}
        if rev is not None:
            body["rev"] = rev
        return await self._request("POST", self._path("flow_answer", run=run), body=body)

    async def back_flow(self, run: str, rev: int | None = None) -> Any:
        body: dict[str, Any] = {} if rev is None else {"rev": rev}
        return await self._request("POST", self._path("flow_back", run=run), body=body)

    # --- outbound preview -------------------------------------------------------------------

    async def preview_dial(self, campaign: str, lead: str) -> Any:
        url = self._path("preview_dial", campaign=campaign, lead=lead)
        return await self._request("POST", url, body={})

    async def preview_skip(self, campaign: str, lead: str) -> Any:
        url = self._path("preview_skip", campaign=campaign, lead=lead)
        return await self._request("POST", url, body={})

    async def preview_reschedule(self, campaign: str, lead: str, at: str) -> Any:
        """``at``: an ISO time with its offset."""
        url = self._path("preview_reschedule", campaign=campaign, lead=lead)
        return await self._request("POST", url, body={"at": at})

    # --- routed offers ----------------------------------------------------------------------

    async def accept_offer(self, reservation: str) -> Any:
        """Take an offered call or request; 409 when the offer is already over."""
        return await self._request("POST", self._path("offer_accept", reservation=reservation))

    async def reject_offer(self, reservation: str) -> Any:
        """Refuse an offer: the work goes to another agent, never back to this one."""
        return await self._request("POST", self._path("offer_reject", reservation=reservation))


class ConsoleApi(Protocol):
    """What the console needs from the server; ``ServerClient`` in production."""

    async def close(self) -> None: ...
    async def set_state(self, agent: str, state: str, reason: str | None = None) -> Any: ...
    async def start_wrap_up(self, agent: str, seconds: float) -> Any: ...
    async def customer_360(self, customer: int) -> Any: ...
    async def quick_customer(self, phone: str, name: str) -> Any: ...
    async def tickets_of(self, customer: int, limit: int = 20) -> Any: ...
    async def create_ticket(self, body: Mapping[str, Any]) -> Any: ...
    async def get_ticket(self, number: str) -> Any: ...
    async def update_ticket(self, number: str, patch: Mapping[str, Any]) -> Any: ...
    async def add_note(self, number: str, body: str, kind: str = "note") -> Any: ...
    async def ticket_categories(self) -> Any: ...
    async def kb_search(self, query: str, limit: int = 8) -> Any: ...
    async def kb_article(self, article: str) -> Any: ...
    async def kb_suggestions(self, call_id: str) -> Any: ...
    async def start_flow(self, flow: str, call_id: str) -> Any: ...
    async def answer_flow(self, run: str, value: Any, rev: int | None = None) -> Any: ...
    async def back_flow(self, run: str, rev: int | None = None) -> Any: ...
    async def preview_dial(self, campaign: str, lead: str) -> Any: ...
    async def preview_skip(self, campaign: str, lead: str) -> Any: ...
    async def preview_reschedule(self, campaign: str, lead: str, at: str) -> Any: ...
    async def accept_offer(self, reservation: str) -> Any: ...
    async def reject_offer(self, reservation: str) -> Any: ...
