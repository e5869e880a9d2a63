"""What every ``api.py`` shares: typed app keys, the endpoint declaration and body parsing.

An endpoint declares who may call it and what it takes and gives; the auth middleware enforces
the roles and the OpenAPI document is built from the same declarations, so neither can drift.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from switchboard.core.clock import Clock
from switchboard.core.db import Database
from switchboard.core.errors import BadRequest, Forbidden, PayloadTooLarge
from switchboard.core.outbox import Message
from switchboard.core.settings import Settings

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROLES = ("admin", "supervisor", "agent", "cti")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name, role and, for an agent token, its agent."""

    token_id: int
    name: str
    role: str
    agent_id: str | None = None


class Publisher(Protocol):
    async def publish(self, messages: Sequence[Message]) -> None:
        """Deliver committed channel messages to the clients listening on their channels."""
        ...


SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
CLOCK = web.AppKey("clock", Clock)
PUBLISHER = web.AppKey("publisher", Publisher)
PRINCIPAL = web.RequestKey("principal", Principal)


@dataclass(frozen=True)
class Endpoint:
    summary: str
    roles: tuple[str, ...]
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: dict[str, str] = field(default_factory=dict)
    description: str = ""
    statuses: tuple[int, ...] = ()
    path_token: str | None = None


def endpoint(
    summary: str,
    *,
    roles: Sequence[str],
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    query: dict[str, str] | None = None,
    description: str = "",
    statuses: Sequence[int] = (),
    path_token: str | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a route's roles and shapes. ``roles=()`` makes it public.

    ``path_token`` names a path parameter that carries the token instead of the
    Authorization header, for phone systems configured with a URL only (Zammad's generic CTI).
    """
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

    def mark(handler: Handler) -> Handler:
        handler.__switchboard_endpoint__ = Endpoint(  # type: ignore[attr-defined]
            summary,
            tuple(roles),
            body,
            response,
            dict(query or {}),
            description,
            tuple(statuses),
            path_token,
        )
        return handler

    return mark


def endpoint_of(handler: Any) -> Endpoint | None:
    return getattr(handler, "__switchboard_endpoint__", None)


def principal(request: web.Request) -> Principal:
    value: Principal | None = request.get(PRINCIPAL)
    if value is None:
        raise Forbidden("this route needs a token")
    return value


def field_path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def validation_error(exc: ValidationError, prefix: str = "") -> BadRequest:
    """A pydantic error as a 400 naming the first bad field, with every problem listed."""
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    path = field_path([*([prefix] if prefix else []), *first["loc"]])
    problems = [
        {"field": field_path([*([prefix] if prefix else []), *e["loc"]]), "message": e["msg"]}
        for e in errors[:20]
    ]
    return BadRequest(
        f"{path}: {first['msg']}" if path else first["msg"], field=path or None, problems=problems
    )


async def read_json(request: web.Request) -> Any:
    """The body as JSON; 400 when it is not JSON, 413 when it is over the limit."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(
            f"body is over the limit of {request.app[SETTINGS].max_body_bytes} bytes"
        ) from None
    if not raw:
        raise BadRequest("the body is empty; send a JSON document", field="body")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            f" at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise BadRequest(f"the body is not valid JSON{where}", field="body") from None


async def parse_body(request: web.Request, model: type[M]) -> M:
    data = await read_json(request)
    return parse(model, data)


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object", field=prefix or "body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, prefix) from None


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        data, status=status, headers=headers, dumps=lambda d: json.dumps(d, ensure_ascii=False)
    )


def require_agent_access(request: web.Request, agent_id: str) -> Principal:
    """Agents may act on themselves only; supervisors and admins on anyone."""
    who = principal(request)
    if who.role == "agent" and who.agent_id != agent_id:
        raise Forbidden("an agent token acts on its own agent only")
    return who
