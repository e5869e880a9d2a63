"""The wallboard's HTTP calls: supervisor actions and drill-downs. Errors come back as one line."""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp


class ServerError(Exception):
    """The server refused or could not be reached; ``str()`` is one line for the board."""


class SupervisorApi(Protocol):
    async def set_agent_state(
        self, agent: str, state: str, reason: str | None = None
    ) -> dict[str, Any]: ...

    async def queue(self, queue: str) -> dict[str, Any]: ...

    async def decisions(self, item: str) -> dict[str, Any]: ...

    async def queues(self) -> dict[str, Any]: ...

    async def agent(self, agent: str) -> dict[str, Any]: ...

    async def set_agent_skills(self, agent: str, skills: dict[str, int]) -> dict[str, Any]: ...

    async def reassign_request(self, number: str, handler: str) -> dict[str, Any]: ...

    async def set_campaign_running(self, campaign: str, running: bool) -> dict[str, Any]: ...


class SupervisorClient:
    """Calls the server with the supervisor's token; one session for the board's life."""

    def __init__(self, server_url: str, token: str, *, timeout: float = 5.0) -> None:
        self.base = server_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        try:
            async with self._session.request(method, self.base + path, **kwargs) as response:
                try:
                    body: Any = await response.json(content_type=None)
                except ValueError:
                    body = None
                if response.status >= 400:
                    raise ServerError(_problem(response.status, body))
                return body if isinstance(body, dict) else {"result": body}
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise ServerError(f"Cannot reach the server: {str(exc) or type(exc).__name__}") from exc

    async def set_agent_state(
        self, agent: str, state: str, reason: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"state": state}
        if reason:
            body["reason"] = reason
        return await self._call("POST", f"/api/v1/agents/{agent}/state", json=body)

    async def queue(self, queue: str) -> dict[str, Any]:
        return await self._call("GET", f"/api/v1/queues/{queue}")

    async def decisions(self, item: str) -> dict[str, Any]:
        return await self._call("GET", "/api/v1/routing/decisions", params={"item": item})

    async def queues(self) -> dict[str, Any]:
        return await self._call("GET", "/api/v1/queues")

    async def agent(self, agent: str) -> dict[str, Any]:
        return await self._call("GET", f"/api/v1/agents/{agent}")

    async def set_agent_skills(self, agent: str, skills: dict[str, int]) -> dict[str, Any]:
        return await self._call("PUT", f"/api/v1/agents/{agent}/skills", json={"skills": skills})

    async def reassign_request(self, number: str, handler: str) -> dict[str, Any]:
        body = {"numbers": [number], "handler": handler}
        return await self._call("POST", "/api/v1/tickets/bulk-reassign", json=body)

    async def set_campaign_running(self, campaign: str, running: bool) -> dict[str, Any]:
        verb = "resume" if running else "pause"
        return await self._call("POST", f"/api/v1/campaigns/{campaign}/{verb}")


def _problem(status: int, body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        field = f" ({error['field']})" if error.get("field") else ""
        return f"HTTP {status}: {error.get('message', 'refused')}{field}"[:200]
    return f"HTTP {status}"
