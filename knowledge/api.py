"""HTTP routes of the knowledge base and of call-script runs: thin, parse → use case → answer.

Agents see only published articles valid today; supervisors and admins may ask for every
status (``status=all``) and write articles and flows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

from aiohttp import web

from knowledge import flow_service
from knowledge.index.port import Hit, SearchFilters, SearchResult
from knowledge.model import Article, Kind, Language, Status, detect_language
from knowledge.schemas import (
    AnswerIn,
    ArticleFields,
    ArticleIn,
    ArticleUpdate,
    FlowIn,
    RunStartIn,
    SearchIn,
    StepIn,
    VoteIn,
)
from knowledge.service import (
    InteractionSource,
    KnowledgeBase,
    no_interactions,
    visible_to,
)
from knowledge.store import article_values
from switchboard.core.errors import BadRequest, NotFound
from switchboard.core.http import (
    CLOCK,
    DATABASE,
    PUBLISHER,
    SETTINGS,
    endpoint,
    json_response,
    parse,
    parse_body,
    principal,
    read_json,
)

log = logging.getLogger(__name__)

KB = web.AppKey("knowledge_base", KnowledgeBase)
FLOWS = web.AppKey("flow_cache", flow_service.FlowCache)
#: Set by the composition root: how a call or a request is found (see ``InteractionSource``).
INTERACTIONS = web.AppKey("kb_interactions", InteractionSource)
#: Set by the composition root: how a finished run's effects are applied (``EffectApplier``).
EFFECTS = web.AppKey("flow_effects", flow_service.EffectApplier)
#: The index directory under the data dir.
INDEX_DIR = "kb-index"
#: Seconds between attempts when the reconcile at start could not run (the index was busy).
RECONCILE_RETRY_S = 30.0

STAFF = ("admin", "supervisor", "agent")
LEADS = ("admin", "supervisor")

routes = web.RouteTableDef()


async def knowledge_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the index, repair any drift from the database (a crash between a commit and its
    index write, or an interrupted reindex), and close the index at shutdown."""
    from knowledge.index.whoosh_index import WhooshIndex

    index = WhooshIndex(app[SETTINGS].data_dir / INDEX_DIR)
    kb = KnowledgeBase(app[DATABASE], index, app.get(INTERACTIONS, no_interactions))
    retry: asyncio.Task[None] | None = None
    try:
        try:
            await kb.reconcile()
        except Exception as exc:  # e.g. a `kb reindex` holding the index: serve, and retry
            log.warning("knowledge index not reconciled at start, retrying: %s", exc)
            retry = asyncio.create_task(_reconcile_until_done(kb), name="kb-reconcile")
        app[KB] = kb
        app[FLOWS] = flow_service.FlowCache()
        yield
    finally:
        if retry is not None:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        index.close()


async def _reconcile_until_done(kb: KnowledgeBase) -> None:
    while True:
        await asyncio.sleep(RECONCILE_RETRY_S)
        try:
            await kb.reconcile()
        except Exception as exc:
            log.warning("knowledge index not reconciled yet, retrying: %s", exc)
            continue
        log.info("knowledge index reconciled")
        return


def _today(request: web.Request) -> date:
    return request.app[CLOCK].now().date()


def _who(request: web.Request) -> str:
    who = principal(request)
    return who.agent_id or who.name


# --- wire forms ------------------------------------------------------------------------------


def hit_out(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "score": hit.score,
        "kind": hit.kind,
        "category": hit.category,
        "summary": hit.summary,
        "products": list(hit.products),
        "language": hit.language,
        "version": hit.version,
        "snippet": {
            "text": hit.snippet.text,
            "highlights": [list(span) for span in hit.snippet.spans],
            "html": hit.snippet.render("<mark>", "</mark>"),
        },
    }


def result_out(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "did_you_mean": result.did_you_mean,
        "facets": {name: dict(counts) for name, counts in result.facets.items()},
        "hits": [hit_out(h) for h in result.hits],
    }


def article_out(article: Article) -> dict[str, Any]:
    data = article_values(article)
    for key in ("valid_from", "valid_to"):
        data[key] = data[key].isoformat() if data[key] else None
    data["updated_at"] = article.updated_at.isoformat() if article.updated_at else None
    return data


def _article(fields: ArticleFields, article_id: str, author: str) -> Article:
    language = (
        fields.language or detect_language(f"{fields.title}\n{fields.summary}\n{fields.body}").value
    )
    return Article(
        id=article_id,
        title=fields.title,
        kind=Kind(fields.kind),
        body=fields.body,
        summary=fields.summary,
        category=fields.category.strip("/"),
        products=tuple(fields.products),
        tags=tuple(fields.tags),
        language=Language(language),
        status=Status(fields.status),
        valid_from=fields.valid_from,
        valid_to=fields.valid_to,
        author=author,
    )


# --- search --------------------------------------------------------------------------------------

SEARCH_QUERY = {
    "q": "the words; typos, Chinese, English and product codes all work (empty: browse)",
    "kind": "script, solution, faq, product or policy",
    "category": "a category path; includes the categories below it",
    "product": "a product code, in any spelling",
    "lang": "zh, en or mixed",
    "limit": "hits to return, 1-100 (default 10)",
    "status": "visible (default) or all (supervisors and admins: drafts and archived too)",
}


async def _search(request: web.Request, wanted: SearchIn) -> web.Response:
    who = principal(request)
    if wanted.status == "all" and who.role not in LEADS:
        raise BadRequest("status=all is for supervisors and admins", field="status")
    filters = SearchFilters(
        kind=wanted.kind,
        category=wanted.category or None,
        product=wanted.product or None,
        language=wanted.lang,
    )
    result = await request.app[KB].search(
        wanted.q,
        limit=wanted.limit,
        filters=filters,
        today=_today(request),
        include_drafts=wanted.status == "all",
    )
    return json_response(result_out(result))


@routes.get("/api/v1/kb/search")
@endpoint(
    "Search the knowledge base",
    roles=STAFF,
    query=SEARCH_QUERY,
    description="Hits best first with highlighted snippets, facet counts (kind, category, "
    "product, language) and did_you_mean when a word was corrected. Agents see published "
    "articles valid today only.",
    statuses=(200, 400),
)
async def search_get(request: web.Request) -> web.Response:
    return await _search(request, parse(SearchIn, dict(request.query)))


@routes.post("/api/v1/kb/search")
@endpoint(
    "Search the knowledge base, the query in the body (for long queries)",
    roles=STAFF,
    body=SearchIn,
    statuses=(200, 400, 413),
)
async def search_post(request: web.Request) -> web.Response:
    return await _search(request, await parse_body(request, SearchIn))


# --- articles ------------------------------------------------------------------------------------


@routes.get("/api/v1/kb/articles/{id}")
@endpoint(
    "One article, whole; counts a view",
    roles=STAFF,
    description="Agents read published articles valid today; others are 404 to them. "
    "The answer lists the earlier versions.",
    statuses=(200, 404),
)
async def get_article(request: web.Request) -> web.Response:
    article_id = request.match_info["id"]
    kb = request.app[KB]
    article = await kb.get(article_id)
    if article is None or not visible_to(article, principal(request).role, _today(request)):
        raise NotFound(f"no article {article_id!r}", field="id")
    await kb.count_view(article_id)
    data = article_out(replace(article, views=article.views + 1))
    data["versions"] = await kb.versions(article_id)
    return json_response(data)


@routes.post("/api/v1/kb/articles")
@endpoint(
    "Create an article",
    roles=LEADS,
    body=ArticleIn,
    description="Stored in the database, then indexed. 409 when the id exists.",
    statuses=(201, 400, 409),
)
async def create_article(request: web.Request) -> web.Response:
    data = await parse_body(request, ArticleIn)
    article = _article(data, data.id, _who(request))
    saved = await request.app[KB].save(article, request.app[CLOCK].now(), mode="create")
    return json_response(article_out(saved.article), status=201)


@routes.put("/api/v1/kb/articles/{id}")
@endpoint(
    "Change an article: the whole article and the version it was read at",
    roles=LEADS,
    body=ArticleUpdate,
    description="A change makes the next version (the previous one is kept); the same "
    "content again changes nothing. 409 when the version is not the current one.",
    statuses=(200, 400, 404, 409),
)
async def update_article(request: web.Request) -> web.Response:
    data = await parse_body(request, ArticleUpdate)
    article = _article(data, request.match_info["id"], _who(request))
    saved = await request.app[KB].save(
        article, request.app[CLOCK].now(), mode="update", expected_version=data.version
    )
    return json_response({**article_out(saved.article), "outcome": saved.outcome})


@routes.post("/api/v1/kb/articles/{id}/vote")
@endpoint(
    "Say whether an article helped; voting again replaces your vote",
    roles=STAFF,
    body=VoteIn,
    statuses=(200, 400, 404),
)
async def vote_article(request: web.Request) -> web.Response:
    data = await parse_body(request, VoteIn)
    article_id = request.match_info["id"]
    kb = request.app[KB]
    found = await kb.get(article_id)
    if found is None or not visible_to(found, principal(request).role, _today(request)):
        raise NotFound(f"no article {article_id!r}", field="id")
    article = await kb.vote(article_id, _who(request), data.helpful, request.app[CLOCK].now())
    return json_response(
        {"id": article.id, "votes_up": article.votes_up, "votes_down": article.votes_down}
    )


# --- suggestions ---------------------------------------------------------------------------------


def _limit(request: web.Request, default: int) -> int:
    raw = request.query.get("limit", "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise BadRequest(f"limit must be a whole number from 1 to 100, not {raw!r}", field="limit")
    return int(raw)


def _interaction_key(request: web.Request) -> tuple[str | None, str | None]:
    call_id = request.query.get("call_id") or None
    ticket = request.query.get("ticket") or None
    if (call_id is None) == (ticket is None):
        raise BadRequest("give exactly one of call_id and ticket", field="call_id")
    return call_id, ticket


@routes.get("/api/v1/kb/suggestions")
@endpoint(
    "Articles for a call or a request before anyone typed, each with why",
    roles=STAFF,
    query={
        "call_id": "the call (its IVR menu, number dialled, the caller's products)",
        "ticket": "or a service request number (its category, product and text)",
        "limit": "articles, 1-100 (default 5)",
    },
    statuses=(200, 400, 404),
)
async def suggestions(request: web.Request) -> web.Response:
    call_id, ticket = _interaction_key(request)
    limit = _limit(request, 5)
    kb = request.app[KB]
    interaction = await kb.interaction(call_id=call_id, ticket=ticket)
    if interaction is None:
        what = f"call {call_id!r}" if call_id else f"request {ticket!r}"
        raise NotFound(f"no {what}", field="call_id" if call_id else "ticket")
    found = await kb.suggest(interaction, today=_today(request), limit=limit)
    return json_response(
        {
            "for": {"kind": interaction.kind, "id": interaction.id},
            "context": dict(interaction.context),
            "articles": [{**hit_out(hit), "why": why} for hit, why in found],
        }
    )


# --- flows ---------------------------------------------------------------------------------------


@routes.get("/api/v1/flows")
@endpoint("Published call scripts and their versions", roles=STAFF, statuses=(200,))
async def list_flows(request: web.Request) -> web.Response:
    flows = await request.app[DATABASE].read(flow_service.list_flows)
    return json_response({"flows": flows})


@routes.post("/api/v1/flows")
@endpoint(
    "Publish a version of a call script (its YAML source)",
    roles=LEADS,
    body=FlowIn,
    description="Checked like `switchboard flows check`: any problem refuses it (400 with "
    "every problem and its line). Runs already started keep their version.",
    statuses=(200, 201, 400, 409),
)
async def publish_flow(request: web.Request) -> web.Response:
    data = await parse_body(request, FlowIn)
    who, now = _who(request), request.app[CLOCK].now()
    result = await request.app[DATABASE].writer.run(
        lambda c: flow_service.publish(c, data.source, who, now)
    )
    return json_response(result, status=201 if result["created"] else 200)


@routes.get("/api/v1/flows/{id}/stats")
@endpoint(
    "How a call script does, per version: drop-off per node and outcome rates",
    roles=LEADS,
    statuses=(200, 404),
)
async def flow_stats(request: web.Request) -> web.Response:
    flow_id = request.match_info["id"]
    versions = await request.app[DATABASE].read(lambda c: flow_service.stats(c, flow_id))
    return json_response({"id": flow_id, "versions": versions})


@routes.post("/api/v1/flows/{id}/runs")
@endpoint(
    "Start the current version of a call script on a call or a request",
    roles=STAFF,
    body=RunStartIn,
    description="The run keeps this version to its end, whatever is published meanwhile. "
    "The answer is the run with what the console shows now (view).",
    statuses=(201, 400, 404, 422),
)
async def start_run(request: web.Request) -> web.Response:
    data = await parse_body(request, RunStartIn)
    flow_id = request.match_info["id"]
    kb = request.app[KB]
    interaction = await kb.interaction(call_id=data.call_id, ticket=data.ticket)
    if interaction is None:
        what = f"call {data.call_id!r}" if data.call_id else f"request {data.ticket!r}"
        raise NotFound(f"no {what}", field="call_id" if data.call_id else "ticket")
    cache, who, now = request.app[FLOWS], _who(request), request.app[CLOCK].now()
    apply = request.app.get(EFFECTS, flow_service.no_effects)
    run, messages = await request.app[DATABASE].writer.run(
        lambda c: flow_service.start_run(
            c,
            cache,
            flow_id,
            call_id=data.call_id,
            ticket=data.ticket,
            customer=dict(interaction.customer),
            call=dict(interaction.call),
            by=who,
            now=now,
            apply=apply,
        )
    )
    if messages:
        await request.app[PUBLISHER].publish(messages)
    return json_response(run, status=201)


@routes.get("/api/v1/flow-runs")
@endpoint(
    "The call-script runs of a call or a request, with their transcripts",
    roles=STAFF,
    query={"call_id": "the call", "ticket": "or the service request number"},
    statuses=(200, 400),
)
async def runs_of(request: web.Request) -> web.Response:
    call_id, ticket = _interaction_key(request)
    runs = await request.app[DATABASE].read(
        lambda c: flow_service.runs_for(c, call_id=call_id, ticket=ticket)
    )
    return json_response({"runs": runs})


def _run_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        raise BadRequest(f"a run id is a whole number, not {raw!r}", field="id")
    return int(raw)


@routes.get("/api/v1/flow-runs/{id}")
@endpoint("One call-script run and what the console shows now", roles=STAFF, statuses=(200, 404))
async def get_run(request: web.Request) -> web.Response:
    run_id, cache, now = _run_id(request), request.app[FLOWS], request.app[CLOCK].now()
    run = await request.app[DATABASE].read(lambda c: flow_service.get_run(c, cache, run_id, now))
    return json_response(run)


async def _step(request: web.Request, action: str) -> web.Response:
    run_id, cache, now = _run_id(request), request.app[FLOWS], request.app[CLOCK].now()
    value: Any = None
    rev: int | None = None
    if action == "answer":
        answer = await parse_body(request, AnswerIn)
        value, rev = answer.value, answer.rev
    elif request.can_read_body:
        raw = await read_json(request)
        rev = parse(StepIn, raw).rev
    apply, who = request.app.get(EFFECTS, flow_service.no_effects), _who(request)
    run, messages = await request.app[DATABASE].writer.run(
        lambda c: flow_service.step_run(
            c, cache, run_id, action, now, value=value, rev=rev, by=who, apply=apply
        )
    )
    if messages:
        await request.app[PUBLISHER].publish(messages)
    return json_response(run)


@routes.post("/api/v1/flow-runs/{id}/answer")
@endpoint(
    "Answer the run's question and move on",
    roles=STAFF,
    body=AnswerIn,
    description="A refused answer is 422 naming the node, the run unchanged; 'rev' (optional) "
    "must be the run's current revision (409 otherwise).",
    statuses=(200, 400, 404, 409, 422),
)
async def answer_run(request: web.Request) -> web.Response:
    return await _step(request, "answer")


@routes.post("/api/v1/flow-runs/{id}/back")
@endpoint(
    "Go back: the last question is asked again",
    roles=STAFF,
    body=StepIn,
    statuses=(200, 404, 409),
)
async def back_run(request: web.Request) -> web.Response:
    return await _step(request, "back")


@routes.post("/api/v1/flow-runs/{id}/abandon")
@endpoint(
    "Leave the run before its end (counts as a drop-off at its node)",
    roles=STAFF,
    body=StepIn,
    statuses=(200, 404, 409),
)
async def abandon_run(request: web.Request) -> web.Response:
    return await _step(request, "abandon")
