"""The aiohttp application: ``create_app(settings)`` wires every package into one server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

import customers.api
import customers.segments_api
import knowledge.api
import routing.api
import routing.cti_ws
import routing.floor
import routing.outbound.api
import routing.outbound.dialer
import routing.reports_api
import routing.routing_api
import routing.service
import routing.sweeper
import telephony_adapters.twilio.api
import telephony_adapters.zammad.api
import tickets.api
import tickets.timers
from customers.ports import OPEN_REQUESTS
from routing.metrics.alarms import AdapterHealth
from switchboard import audit_api, customer_links, kb_context, kb_effects, openapi
from switchboard.adapter_watch import adapter_watch_ctx
from switchboard.core import outbox
from switchboard.core.clock import Clock, SystemClock
from switchboard.core.db import Database
from switchboard.core.errors import BadRequest, SwitchboardError, TooManyRequests, Unauthorized
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    PRINCIPAL,
    PUBLISHER,
    SETTINGS,
    Handler,
    endpoint,
    endpoint_of,
    json_response,
    principal,
)
from switchboard.core.outbox import Message
from switchboard.core.ratelimit import RateLimiter
from switchboard.core.settings import Settings
from switchboard.datadir import DataDirLock
from switchboard.hub import Hub, nothing, replay, serve_subscriber
from switchboard.metrics import Metrics
from switchboard.migrate import check_current
from switchboard.telephony import ADAPTERS, Telephony, telephony_ctx
from switchboard.tokens import TokenCache

log = logging.getLogger(__name__)

HUB = web.AppKey("hub", Hub)
METRICS = web.AppKey("metrics", Metrics)
TOKENS = web.AppKey("tokens", TokenCache)
CTI_LIMITER = web.AppKey("cti_limiter", RateLimiter)

try:
    VERSION = version("switchboard")
except PackageNotFoundError:  # running from a source tree
    VERSION = "0.0.0"

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}


class CountingPublisher:
    """The hub, counting what it delivers by message type."""

    def __init__(self, hub: Hub, metrics: Metrics) -> None:
        self._hub = hub
        self._metrics = metrics

    async def publish(self, messages: Sequence[Message]) -> None:
        for message in messages:
            self._metrics.messages.labels(message.type).inc()
        await self._hub.publish(messages)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error as ``{"error": {...}}``; never a stack trace to the caller."""
    try:
        return await handler(request)
    except SwitchboardError as exc:
        if exc.status in (401, 403):
            # The path, not the URL: a token in a path (Zammad style) must not reach the log.
            route = request.match_info.route.resource
            where = route.canonical if route is not None else "unmatched route"
            log.info("refused %s %s: %s", request.method, where, exc.message)
        headers = {}
        if isinstance(exc, TooManyRequests) and "retry_after" in exc.extra:
            headers["Retry-After"] = str(max(1, int(exc.extra["retry_after"] + 0.999)))
        return json_response(exc.body(), status=exc.status, headers=headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "error")
        message = exc.reason if exc.status != 413 else "the body is over the size limit"
        return json_response({"error": {"code": code, "message": message}}, status=exc.status)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        body = {
            "error": {"code": "internal", "message": "internal error; the server log says more"}
        }
        return json_response(body, status=500)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check the bearer token against the roles the route declares."""
    spec = endpoint_of(request.match_info.handler)
    if spec is None or not spec.roles:
        return await handler(request)
    if spec.path_token:
        scheme, secret = "bearer", request.match_info.get(spec.path_token, "")
    else:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("send 'Authorization: Bearer TOKEN' (switchboard token create)")
    who = await request.app[TOKENS].verify(secret.strip())
    if who is None:
        raise Unauthorized("unknown or revoked token")
    if who.role not in spec.roles:
        from switchboard.core.errors import Forbidden

        raise Forbidden(
            f"a {who.role} token may not {request.method} {request.path}",
            allowed_roles=list(spec.roles),
        )
    request[PRINCIPAL] = who
    if who.role == "cti":
        wait = request.app[CTI_LIMITER].take(who.name, time.monotonic())
        if wait > 0:
            log.warning("rate limit: CTI source %r is over its rate", who.name)
            raise TooManyRequests(
                f"source {who.name!r} is over {request.app[SETTINGS].cti_rate:g} events/s",
                retry_after=round(wait, 3),
            )
    return await handler(request)


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics = request.app[METRICS]
        metrics.requests.labels(request.method, route, str(status)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)


routes = web.RouteTableDef()


@routes.get("/healthz")
@endpoint("Liveness and database reachability", roles=())
async def healthz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(2):
            async with request.app[DATABASE].engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        database = "ok"
    except Exception as exc:  # the probe reports, it does not fail
        database = f"error: {type(exc).__name__}"
    status = 200 if database == "ok" else 503
    telephony = request.app[ADAPTERS].health()
    # A phone system that is down degrades the server but does not fail liveness: restarting
    # Switchboard would not bring the PBX back.
    degraded = status != 200 or any(not t["connected"] for t in telephony.values())
    body = {
        "status": "degraded" if degraded else "ok",
        "database": database,
        "telephony": telephony,
        "version": VERSION,
        "websockets": request.app[HUB].connections,
    }
    return json_response(body, status=status)


@routes.get("/metrics")
@endpoint("Prometheus metrics", roles=())
async def metrics(request: web.Request) -> web.Response:
    app_metrics = request.app[METRICS]
    writer = request.app[DATABASE].writer
    app_metrics.writer_operations.set(writer.operations)
    app_metrics.writer_batches.set(writer.batches)
    for name, health in request.app[ADAPTERS].health().items():
        app_metrics.telephony_connected.labels(name).set(1 if health["connected"] else 0)
    floor = request.app.get(routing.floor.FLOOR)
    if floor is not None:
        app_metrics.floor(floor.queue_tiles.values(), floor.agent_rows.values())
        app_metrics.floor_refresh.set(max(floor.refresh_seconds, default=0.0))
    return web.Response(
        body=app_metrics.render(),
        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
    )


@routes.get("/api/v1/openapi.json")
@endpoint("This API described in OpenAPI 3.1", roles=())
async def openapi_json(request: web.Request) -> web.Response:
    return json_response(openapi.build(request.app, VERSION))


@routes.get("/api/v1/ws")
@endpoint(
    "Websocket of live messages for a console or wallboard; ?since=ID resumes",
    roles=("admin", "supervisor", "agent"),
    query={"since": "last message id seen"},
    description="An agent token hears its agent's channel, other tokens the floor. "
    "The first message is 'hello' with the channel's cursor.",
    statuses=(101, 400),
)
async def websocket(request: web.Request) -> web.StreamResponse:
    who = principal(request)
    since = _since(request)
    app = request.app
    database = app[DATABASE]
    channel = outbox.agent_channel(who.agent_id) if who.agent_id else outbox.FLOOR
    hub = app[HUB]
    ws = web.WebSocketResponse(heartbeat=20.0)
    await ws.prepare(request)
    hub.track(ws)
    subscriber = hub.subscribe(channel)
    app[METRICS].ws_connections.inc()
    sender: asyncio.Task[None] | None = None
    try:
        from routing.agents import get_agent

        def opening(conn: Connection) -> tuple[int, dict[str, Any] | None]:
            latest = outbox.latest_id(conn, channel)
            return latest, get_agent(conn, who.agent_id) if who.agent_id else None

        cursor, agent = await database.read(opening)
        reset = since is not None and since > cursor
        resume = since is not None and not reset
        hello = {
            "type": "hello",
            "id": since if resume else cursor,
            "cursor": cursor,
            "channel": channel,
            "role": who.role,
            "reset": reset,
            "agent": agent,
            "state": agent["state"] if agent else None,
        }
        backlog = (
            replay(database, channel, since, app[SETTINGS].replay_limit) if resume else nothing()
        )
        start_after = since if resume and since is not None else cursor
        sender = asyncio.create_task(
            serve_subscriber(ws, hub, subscriber, backlog, hello, start_after)
        )
        reader = asyncio.create_task(_drain(ws))
        await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await reader
    finally:
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await sender
        hub.unsubscribe(subscriber)
        hub.untrack(ws)
        app[METRICS].ws_connections.dec()
        if not ws.closed:
            await ws.close()
    return ws


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read until the client goes; clients have nothing to say on this socket yet."""
    async for _ in ws:
        pass


def _since(request: web.Request) -> int | None:
    raw = request.query.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise BadRequest(
            f"since must be a message id (a whole number ≥ 0), not {raw!r}", field="since"
        )
    return int(raw)


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    lock = DataDirLock(settings.data_dir) if settings.is_sqlite else None
    if lock is not None:
        lock.acquire()
    database = Database(settings)
    try:
        async with database.engine.connect() as conn:
            await check_current(conn)
        app[DATABASE] = database
        app[TOKENS] = TokenCache(database)
        database.writer.start()
        yield
    finally:
        await database.close()
        if lock is not None:
            lock.release()


async def _hub_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[HUB].close()


async def _outbox_pruner_ctx(app: web.Application) -> AsyncIterator[None]:
    """Old channel messages go; a client away longer than the retention starts afresh."""

    async def prune_forever() -> None:
        retention = timedelta(hours=app[SETTINGS].outbox_retention_hours)
        while True:
            cutoff = app[CLOCK].now() - retention
            try:
                removed = await app[DATABASE].writer.run(
                    lambda c, before=cutoff: outbox.prune(c, before)
                )
                if removed:
                    log.info("pruned %d channel messages older than %s", removed, cutoff)
            except SwitchboardError as exc:
                log.warning("outbox pruning failed: %s", exc.message)
            await asyncio.sleep(600)

    task = asyncio.create_task(prune_forever(), name="outbox-pruner")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """The whole server for ``settings``; start-up and shutdown are the cleanup contexts below."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[metrics_middleware, error_middleware, auth_middleware],
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = Metrics()
    app[HUB] = Hub()
    app[PUBLISHER] = CountingPublisher(app[HUB], app[METRICS])
    app[CTI_LIMITER] = RateLimiter(settings.cti_rate, settings.cti_burst)
    app[routing.cti_ws.LIMITER] = app[CTI_LIMITER]
    app[ADAPTERS] = Telephony.from_settings(settings)
    app[knowledge.api.INTERACTIONS] = kb_context.interaction
    app[knowledge.api.EFFECTS] = kb_effects.apply_effects
    app[OPEN_REQUESTS] = customer_links.open_requests
    app[routing.floor.FLOOR_ADAPTERS] = lambda: [
        AdapterHealth(name, bool(health["connected"]))
        for name, health in app[ADAPTERS].health().items()
    ]
    app.cleanup_ctx.extend(
        [
            _database_ctx,
            _hub_ctx,
            knowledge.api.knowledge_ctx,
            _outbox_pruner_ctx,
            # Routing before the SLA scheduler: the scheduler's publisher then tells routing
            # of SLA levels reached (escalation of routed requests).
            routing.service.routing_ctx,
            routing.floor.floor_ctx,
            tickets.timers.scheduler_ctx,
            routing.outbound.dialer.dialer_ctx,
            routing.sweeper.sweeper_ctx,
            # Last: adapters replay events at once, and routing must be ready for them.
            telephony_ctx,
            adapter_watch_ctx,
        ]
    )
    app.router.add_routes(routes)
    app.router.add_routes(customers.api.routes)
    app.router.add_routes(customers.segments_api.routes)
    app.router.add_routes(routing.api.routes)
    app.router.add_routes(routing.cti_ws.routes)
    app.router.add_routes(routing.floor.routes)
    app.router.add_routes(routing.reports_api.routes)
    app.router.add_routes(audit_api.routes)
    app.router.add_routes(routing.routing_api.routes)
    app.router.add_routes(routing.outbound.api.routes)
    app.router.add_routes(telephony_adapters.zammad.api.routes)
    app.router.add_routes(telephony_adapters.twilio.api.routes)
    app.router.add_routes(tickets.api.routes)
    app.router.add_routes(knowledge.api.routes)
    return app
