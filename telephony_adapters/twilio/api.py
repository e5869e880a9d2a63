"""Twilio webhooks: the voice webhook and status callbacks, X-Twilio-Signature checked."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from aiohttp import web
from multidict import MultiDict

from routing import gateway
from switchboard.core.errors import Forbidden, Unavailable
from switchboard.core.http import SETTINGS, endpoint
from telephony_adapters.twilio import signature
from telephony_adapters.twilio.translate import translate

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

QUEUE_NAME_MAX = 64


async def _verified(request: web.Request) -> dict[str, list[str]]:
    settings = request.app[SETTINGS]
    if settings.twilio_auth_token is None:
        raise Unavailable("Twilio is not configured: set SWITCHBOARD_TWILIO_AUTH_TOKEN")
    form: MultiDict[str] = MultiDict((k, str(v)) for k, v in (await request.post()).items())
    params = {key: form.getall(key) for key in form}
    url = (
        (settings.public_url.rstrip("/") + request.path_qs)
        if settings.public_url
        else str(request.url)
    )
    given = request.headers.get("X-Twilio-Signature", "")
    header = request.headers.get("X-Twilio-Webhooks-Signature-Settings")
    token = settings.twilio_auth_token.get_secret_value()
    if not signature.valid(url, params, token, given, header):
        log.warning("refused a Twilio webhook for %s: signature does not match", request.path)
        raise Forbidden(
            "X-Twilio-Signature does not match this request", field="X-Twilio-Signature"
        )
    return params


def _queue(request: web.Request) -> str:
    name = request.query.get("queue") or request.app[SETTINGS].twilio_queue
    return name[:QUEUE_NAME_MAX]


@routes.post("/api/v1/cti/twilio/voice")
@endpoint(
    "Twilio voice webhook: the call is recorded and put in a queue (TwiML <Enqueue>)",
    roles=(),
    query={
        "queue": "the Switchboard queue to put the call in (default: twilio_queue)",
        "agent": "the agent (id or extension) the call rings, when it is one",
    },
    description="Authenticated by X-Twilio-Signature with the account's auth token.",
    statuses=(200, 400, 403, 503),
)
async def voice(request: web.Request) -> web.Response:
    params = await _verified(request)
    queue = _queue(request)
    event = translate(params, hook="voice", queue=queue, agent=request.query.get("agent"))
    await gateway.ingest(request.app, request.app[SETTINGS].twilio_source, [event])
    twiml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Enqueue>{escape(queue)}</Enqueue></Response>"
    )
    return web.Response(text=twiml, content_type="application/xml")


@routes.post("/api/v1/cti/twilio/status")
@endpoint(
    "Twilio status callback: ringing, in-progress, completed, busy, no-answer, canceled",
    roles=(),
    query={
        "queue": "the Switchboard queue of the call",
        "agent": "the agent (id or extension) the call was given to",
    },
    description="Authenticated by X-Twilio-Signature with the account's auth token.",
    statuses=(200, 400, 403, 503),
)
async def status(request: web.Request) -> web.Response:
    params = await _verified(request)
    event = translate(
        params, hook="status", queue=request.query.get("queue"), agent=request.query.get("agent")
    )
    await gateway.ingest(request.app, request.app[SETTINGS].twilio_source, [event])
    return web.Response(status=204)
