"""The knowledge base over HTTP on both backends: articles stored in the database and kept in
step with the index, search, views and votes, suggestions for a call or a request, and bad
input answered with errors that name the field."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from knowledge.api import KB
from knowledge.store import stamps
from switchboard.core.http import DATABASE
from switchboard.core.settings import Settings
from tests.conftest import LiveServer

ARTICLES: list[dict[str, Any]] = [
    {
        "id": "KB-REFUND",
        "title": "话费退款怎么办理",
        "kind": "solution",
        "category": "billing/refund",
        "products": ["5G-PLUS-199"],
        "tags": ["退款", "refund"],
        "status": "published",
        "body": "多扣的话费可以申请退款，三个工作日内退回原账户。Refund of an overcharge.",
    },
    {
        "id": "KB-ROAM",
        "title": "International roaming activation",
        "kind": "faq",
        "category": "services/roaming",
        "products": ["ROAM-PASS"],
        "status": "published",
        "body": "Roaming is activated before travel. Daily passes cover data abroad.",
    },
    {
        "id": "KB-SCRIPT",
        "title": "账单投诉安抚话术",
        "kind": "script",
        "category": "billing",
        "status": "published",
        "body": "您的心情我非常理解，我现在帮您核对账单和退款。",
    },
    {
        "id": "KB-DRAFT",
        "title": "退款新规（草稿）",
        "kind": "policy",
        "category": "billing/refund",
        "status": "draft",
        "body": "草稿：退款规则正在修订。",
    },
    {
        "id": "KB-OLD-PROMO",
        "title": "过期促销：退款返现",
        "kind": "product",
        "category": "promotions",
        "status": "published",
        "valid_to": "2020-01-31",
        "body": "活动已结束。退款返现。",
    },
]

FLOW_V1 = """
id: quick-check
version: 1
title: Quick check
language: en
start: ask_problem
nodes:
  ask_problem:
    kind: question
    text: "Hello {customer.name|there}, what is the problem?"
    answer: single
    options:
      - {value: bill, label: Billing}
      - {value: net, label: Network}
    var: problem
    next: ask_calls
  ask_calls:
    kind: question
    text: How many times did you call before?
    answer: number
    min: 0
    max: 50
    integer: true
    var: calls
    next: done
  done:
    kind: end
    outcome: resolved
"""


class Desk:
    def __init__(self, live: LiveServer, admin: str, agent: str) -> None:
        self.live, self.admin, self.agent = live, admin, agent

    async def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, **kw: Any
    ) -> tuple[int, Any]:
        if body is not None:
            kw["json"] = body
        return await self.live.call(method, path, token or self.admin, **kw)

    async def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        status, data = await self.call(method, path, body, **kw)
        assert status in (200, 201), (status, data)
        return data

    async def in_step(self) -> None:
        """The index holds exactly what the database holds, article by article."""
        kb = self.live.app[KB]
        in_db = await self.live.app[DATABASE].read(stamps)
        in_index = await asyncio.to_thread(kb.index.ids_and_stamps)
        assert in_index == in_db


@pytest.fixture
async def desk(live: LiveServer, admin: str) -> Desk:
    status, _ = await live.call(
        "POST", "/api/v1/agents", admin, json={"id": "a-1", "name": "李娜", "extension": "1001"}
    )
    assert status == 201
    agent = await live.token("agent", "console-a-1", "a-1")
    desk = Desk(live, admin, agent)
    for article in ARTICLES:
        await desk.ok("POST", "/api/v1/kb/articles", article)
    return desk


async def test_created_articles_are_searchable_with_facets_and_snippets(desk: Desk) -> None:
    await desk.in_step()
    result = await desk.ok("GET", "/api/v1/kb/search", params={"q": "退款"}, token=desk.agent)
    ids = [h["id"] for h in result["hits"]]
    assert ids[0] in ("KB-REFUND", "KB-SCRIPT")
    assert set(ids) == {"KB-REFUND", "KB-SCRIPT"}  # not the draft, not the expired promotion
    assert result["total"] == 2
    assert result["facets"]["kind"] == {"solution": 1, "script": 1}
    hit = next(h for h in result["hits"] if h["id"] == "KB-REFUND")
    text = hit["snippet"]["text"]
    marked = [text[s:e] for s, e in hit["snippet"]["highlights"]]
    assert "退款" in marked
    assert {m.casefold() for m in marked} <= {"退款", "refund"}  # a synonym is marked too
    assert "<mark>退款</mark>" in hit["snippet"]["html"]


async def test_filters_and_did_you_mean(desk: Desk) -> None:
    result = await desk.ok(
        "GET", "/api/v1/kb/search", params={"q": "roamng", "lang": "en"}, token=desk.agent
    )
    assert result["did_you_mean"] == "roaming"
    assert [h["id"] for h in result["hits"]] == ["KB-ROAM"]
    result = await desk.ok(
        "GET",
        "/api/v1/kb/search",
        params={"q": "退款", "category": "billing", "kind": "script"},
        token=desk.agent,
    )
    assert [h["id"] for h in result["hits"]] == ["KB-SCRIPT"]
    result = await desk.ok(
        "GET", "/api/v1/kb/search", params={"q": "退款", "product": "5g plus 199"}
    )
    assert [h["id"] for h in result["hits"]] == ["KB-REFUND"]


async def test_agents_see_published_valid_articles_and_leads_may_see_all(desk: Desk) -> None:
    status, error = await desk.call(
        "GET", "/api/v1/kb/search", params={"q": "退款", "status": "all"}, token=desk.agent
    )
    assert (status, error["error"]["field"]) == (400, "status")
    result = await desk.ok("GET", "/api/v1/kb/search", params={"q": "退款", "status": "all"})
    assert {"KB-DRAFT", "KB-OLD-PROMO"} <= {h["id"] for h in result["hits"]}
    for hidden in ("KB-DRAFT", "KB-OLD-PROMO"):
        status, error = await desk.call("GET", f"/api/v1/kb/articles/{hidden}", token=desk.agent)
        assert (status, error["error"]["field"]) == (404, "id")
    assert (await desk.call("GET", "/api/v1/kb/articles/KB-DRAFT"))[0] == 200


async def test_reading_counts_a_view(desk: Desk) -> None:
    first = await desk.ok("GET", "/api/v1/kb/articles/KB-REFUND", token=desk.agent)
    second = await desk.ok("GET", "/api/v1/kb/articles/KB-REFUND", token=desk.agent)
    assert (first["views"], second["views"]) == (1, 2)
    assert second["body"].startswith("多扣的话费")
    assert second["products"] == ["5G-PLUS-199"]


async def test_votes_one_per_voter_and_a_changed_mind_moves_it(desk: Desk) -> None:
    path = "/api/v1/kb/articles/KB-ROAM/vote"
    assert (await desk.ok("POST", path, {"helpful": True}, token=desk.agent))["votes_up"] == 1
    again = await desk.ok("POST", path, {"helpful": True}, token=desk.agent)
    assert (again["votes_up"], again["votes_down"]) == (1, 0)
    changed = await desk.ok("POST", path, {"helpful": False}, token=desk.agent)
    assert (changed["votes_up"], changed["votes_down"]) == (0, 1)
    other = await desk.ok("POST", path, {"helpful": True})
    assert (other["votes_up"], other["votes_down"]) == (1, 1)
    await desk.in_step()
    status, error = await desk.call("POST", path, {"helpful": "very"}, token=desk.agent)
    assert (status, error["error"]["field"]) == (400, "helpful")
    status, error = await desk.call(
        "POST", "/api/v1/kb/articles/KB-NONE/vote", {"helpful": True}, token=desk.agent
    )
    assert status == 404


async def test_update_makes_a_version_and_stale_versions_conflict(desk: Desk) -> None:
    current = await desk.ok("GET", "/api/v1/kb/articles/KB-ROAM")
    change = {k: current[k] for k in ("title", "kind", "body", "category", "products", "status")}
    same = await desk.ok("PUT", "/api/v1/kb/articles/KB-ROAM", {**change, "version": 1})
    assert (same["outcome"], same["version"]) == ("unchanged", 1)
    change["title"] = "Roaming: how to switch it on"
    updated = await desk.ok("PUT", "/api/v1/kb/articles/KB-ROAM", {**change, "version": 1})
    assert (updated["outcome"], updated["version"]) == ("updated", 2)
    assert updated["views"] == 1  # the read above; an update keeps the counters
    status, error = await desk.call("PUT", "/api/v1/kb/articles/KB-ROAM", {**change, "version": 1})
    assert (status, error["error"]["field"]) == (409, "version")
    result = await desk.ok("GET", "/api/v1/kb/search", params={"q": "switch"}, token=desk.agent)
    assert [h["title"] for h in result["hits"]] == ["Roaming: how to switch it on"]
    read = await desk.ok("GET", "/api/v1/kb/articles/KB-ROAM")
    assert [v["version"] for v in read["versions"]] == [1]
    await desk.in_step()


async def test_writes_need_a_lead_and_bad_fields_are_named(desk: Desk) -> None:
    article = {"id": "KB-NEW", "title": "New", "kind": "faq"}
    status, _ = await desk.call("POST", "/api/v1/kb/articles", article, token=desk.agent)
    assert status == 403
    status, error = await desk.call("POST", "/api/v1/kb/articles", ARTICLES[0])
    assert (status, error["error"]["field"]) == (409, "id")
    for bad, field in (
        ({**article, "kind": "howto"}, "kind"),
        ({**article, "id": "bad id!"}, "id"),
        ({**article, "category": "Billing//Refund"}, "category"),
        ({**article, "valid_from": "2026-02-01", "valid_to": "2026-01-01"}, "valid_to"),
        ({**article, "valid_from": "someday"}, "valid_from"),
        ({**article, "body": "字" * 100_001}, "body"),
        ({**article, "surprise": 1}, "surprise"),
    ):
        status, error = await desk.call("POST", "/api/v1/kb/articles", bad)
        assert (status, error["error"]["field"]) == (400, field), bad
    status, error = await desk.call(
        "PUT", "/api/v1/kb/articles/KB-NONE", {"title": "New", "kind": "faq", "version": 1}
    )
    assert (status, error["error"]["field"]) == (404, "id")
    status, error = await desk.call("GET", "/api/v1/kb/articles/KB-NEW")
    assert status == 404  # nothing half-written


@pytest.mark.parametrize(
    "query", ["&&||**", '"""', "AND OR NOT", "((([[[", "*:*", "\\", "?!。，、", "   "]
)
async def test_operators_and_punctuation_give_a_sane_answer(desk: Desk, query: str) -> None:
    result = await desk.ok("GET", "/api/v1/kb/search", params={"q": query}, token=desk.agent)
    assert isinstance(result["hits"], list)
    assert result["total"] >= 0


async def test_long_queries(desk: Desk) -> None:
    long_query = ("退款 refund " * 1000)[:10_000]
    result = await desk.ok("POST", "/api/v1/kb/search", {"q": long_query}, token=desk.agent)
    assert "KB-REFUND" in [h["id"] for h in result["hits"]]
    result = await desk.ok("GET", "/api/v1/kb/search", params={"q": "退款 " * 200})
    assert result["hits"]
    status, error = await desk.call("POST", "/api/v1/kb/search", {"q": "x" * 20_001})
    assert (status, error["error"]["field"]) == (400, "q")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x", "limit": "lots"}, "limit"),
        ({"q": "x", "kind": "howto"}, "kind"),
        ({"q": "x", "lang": "fr"}, "lang"),
        ({"q": "x", "colour": "red"}, "colour"),
    ],
)
async def test_bad_search_parameters_name_the_field(
    desk: Desk, params: dict[str, str], field: str
) -> None:
    status, error = await desk.call("GET", "/api/v1/kb/search", params=params)
    assert (status, error["error"]["field"]) == (400, field)


async def test_concurrent_writers_leave_the_index_in_step(desk: Desk) -> None:
    current = await desk.ok("GET", "/api/v1/kb/articles/KB-SCRIPT")
    base = {k: current[k] for k in ("title", "kind", "body", "category", "status")}

    async def edit(n: int) -> int:
        status, _ = await desk.call(
            "PUT",
            "/api/v1/kb/articles/KB-SCRIPT",
            {**base, "title": f"账单投诉安抚话术 {n}", "version": 1},
        )
        return status

    async def vote(n: int) -> None:
        await desk.ok("POST", "/api/v1/kb/articles/KB-REFUND/vote", {"helpful": n % 2 == 0})

    statuses = await asyncio.gather(*(edit(n) for n in range(6)), *(vote(n) for n in range(6)))
    assert sorted(s for s in statuses if s is not None) == [200] + [409] * 5
    await desk.in_step()
    kb = desk.live.app[KB]
    stored = await kb.get("KB-SCRIPT")
    assert stored is not None
    assert stored.version == 2
    result = await kb.search("安抚话术", today=date.today())
    assert result.hits[0].title == stored.title


async def test_reconcile_repairs_any_drift(desk: Desk) -> None:
    """What a crash between a commit and its index write would leave: the database ahead of
    the index, an article deleted from the database, a stale copy. A reconcile repairs all."""
    from dataclasses import replace

    from knowledge import store

    kb = desk.live.app[KB]
    database = desk.live.app[DATABASE]
    article = await kb.get("KB-ROAM")
    assert article is not None
    now = article.updated_at
    assert now is not None
    stale = replace(article, id="KB-GHOST")
    await asyncio.to_thread(kb.index.upsert, [stale])  # in the index only
    fresh = replace(article, id="KB-ONLY-IN-DB", title="Roaming data pass for Japan")
    await database.writer.run(lambda c: store.insert_article(c, fresh, now))  # in the db only
    changed = replace(article, title="Roaming, changed behind the index's back", version=2)
    await database.writer.run(lambda c: store.replace_article(c, article, changed, now))
    report = await kb.reconcile()
    assert (report.written, report.removed) == (2, 1)
    await desk.in_step()
    result = await kb.search("Japan", today=date.today())
    assert [h.id for h in result.hits] == ["KB-ONLY-IN-DB"]
    assert (await kb.reconcile()).changed is False


# --- suggestions -------------------------------------------------------------------------------


async def _call_with_customer(desk: Desk, cti: str) -> None:
    status, _ = await desk.call(
        "POST",
        "/api/v1/customers",
        {
            "kind": "individual",
            "name": "张伟",
            "tier": "A",
            "tags": ["5G-PLUS-199", "投诉历史"],
            "phones": ["13812345678"],
        },
    )
    assert status == 201
    event = {
        "event_id": "e-1",
        "call_id": "c-77",
        "type": "ringing",
        "from": "+86 138 1234 5678",
        "to": "4008001234",
        "agent": "a-1",
        "ivr": {"lang": "zh", "menu": "billing refund"},
    }
    status, _ = await desk.live.call("POST", "/api/v1/cti/events", cti, json=event)
    assert status in (200, 202)


async def test_suggestions_for_a_call_say_why(desk: Desk, cti: str) -> None:
    await _call_with_customer(desk, cti)
    found = await desk.ok(
        "GET", "/api/v1/kb/suggestions", params={"call_id": "c-77"}, token=desk.agent
    )
    assert found["for"] == {"kind": "call", "id": "c-77"}
    assert found["context"]["products"] == ["5G-PLUS-199"]
    first = found["articles"][0]
    assert first["id"] == "KB-REFUND"
    assert any("5G-PLUS-199" in reason for reason in first["why"])
    assert all(a["id"] not in ("KB-DRAFT", "KB-OLD-PROMO") for a in found["articles"])
    status, error = await desk.call("GET", "/api/v1/kb/suggestions", params={"call_id": "nope"})
    assert (status, error["error"]["field"]) == (404, "call_id")
    status, error = await desk.call("GET", "/api/v1/kb/suggestions")
    assert (status, error["error"]["field"]) == (400, "call_id")


async def test_suggestions_for_a_request(desk: Desk) -> None:
    await desk.ok("POST", "/api/v1/ticket-categories", {"id": "roaming", "name": "漫游"})
    ticket = await desk.ok(
        "POST",
        "/api/v1/tickets",
        {
            "title": "Roaming not working abroad",
            "category": "roaming",
            "channel": "phone",
            "product": "ROAM-PASS",
        },
    )
    found = await desk.ok(
        "GET", "/api/v1/kb/suggestions", params={"ticket": ticket["number"]}, token=desk.agent
    )
    assert found["articles"][0]["id"] == "KB-ROAM"
    assert any("ROAM-PASS" in reason for reason in found["articles"][0]["why"])


# --- flows ---------------------------------------------------------------------------------------


async def test_a_flow_run_on_a_call_keeps_its_version_and_its_transcript(
    desk: Desk, cti: str
) -> None:
    await _call_with_customer(desk, cti)
    published = await desk.ok("POST", "/api/v1/flows", {"source": FLOW_V1})
    assert published == {"id": "quick-check", "version": 1, "created": True}
    again = await desk.ok("POST", "/api/v1/flows", {"source": FLOW_V1})
    assert again["created"] is False
    status, error = await desk.call(
        "POST", "/api/v1/flows", {"source": FLOW_V1.replace("Quick check", "Other")}
    )
    assert (status, error["error"]["field"]) == (409, "version")

    run = await desk.ok(
        "POST", "/api/v1/flows/quick-check/runs", {"call_id": "c-77"}, token=desk.agent
    )
    assert run["view"]["text"] == "Hello 张伟, what is the problem?"
    assert (run["flow_version"], run["view"]["node"]) == (1, "ask_problem")
    rid = run["id"]
    step = await desk.ok(
        "POST", f"/api/v1/flow-runs/{rid}/answer", {"value": "bill"}, token=desk.agent
    )
    assert step["view"]["node"] == "ask_calls"
    status, error = await desk.call(
        "POST", f"/api/v1/flow-runs/{rid}/answer", {"value": 99}, token=desk.agent
    )
    assert (status, error["error"]["field"], error["error"]["node"]) == (422, "value", "ask_calls")
    status, error = await desk.call(
        "POST", f"/api/v1/flow-runs/{rid}/answer", {"value": 1, "rev": 1}, token=desk.agent
    )
    assert (status, error["error"]["field"]) == (409, "rev")

    # A new version is published while the call is in progress: the run keeps version 1.
    await desk.ok(
        "POST",
        "/api/v1/flows",
        {
            "source": FLOW_V1.replace("version: 1", "version: 2").replace(
                "outcome: resolved", "outcome: fixed"
            )
        },
    )
    back = await desk.ok("POST", f"/api/v1/flow-runs/{rid}/back", token=desk.agent)
    assert back["view"]["node"] == "ask_problem"
    await desk.ok("POST", f"/api/v1/flow-runs/{rid}/answer", {"value": "net"}, token=desk.agent)
    done = await desk.ok(
        "POST", f"/api/v1/flow-runs/{rid}/answer", {"value": "2"}, token=desk.agent
    )
    assert (done["status"], done["outcome"], done["flow_version"]) == ("finished", "resolved", 1)
    assert [(t["node"], t["answer"]) for t in done["transcript"]] == [
        ("ask_problem", "net"),
        ("ask_calls", 2),
    ]
    stored = await desk.ok("GET", "/api/v1/flow-runs", params={"call_id": "c-77"})
    assert [r["transcript"] for r in stored["runs"]] == [done["transcript"]]

    second = await desk.ok(
        "POST", "/api/v1/flows/quick-check/runs", {"call_id": "c-77"}, token=desk.agent
    )
    assert second["flow_version"] == 2
    await desk.ok("POST", f"/api/v1/flow-runs/{second['id']}/abandon", token=desk.agent)

    stats = await desk.ok("GET", "/api/v1/flows/quick-check/stats")
    by_version = {v["version"]: v for v in stats["versions"]}
    assert by_version[1]["outcome_rates"] == {"resolved": 1.0}
    assert by_version[2]["completion_rate"] == 0.0
    assert by_version[2]["drop_off"][0]["node"] == "ask_problem"
    status, _ = await desk.call("GET", "/api/v1/flows/quick-check/stats", token=desk.agent)
    assert status == 403


async def test_flow_errors_name_the_field(desk: Desk) -> None:
    broken = FLOW_V1.replace("next: done", "next: nowhere")
    status, error = await desk.call("POST", "/api/v1/flows", {"source": broken})
    assert (status, error["error"]["field"]) == (400, "source")
    assert any(p["code"] and p["line"] for p in error["error"]["problems"])
    status, error = await desk.call(
        "POST", "/api/v1/flows/none/runs", {"ticket": "SR-1"}, token=desk.agent
    )
    assert (status, error["error"]["field"]) == (404, "ticket")
    status, error = await desk.call(
        "POST", "/api/v1/flows/none/runs", {"call_id": "a", "ticket": "b"}, token=desk.agent
    )
    assert status == 400
    status, error = await desk.call("POST", "/api/v1/flow-runs/12345/back", token=desk.agent)
    assert (status, error["error"]["field"]) == (404, "run_id")


async def test_a_busy_index_does_not_fail_a_committed_write(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the index's lock past its timeout: the change is committed and
    answered, and the index catches up with the next write."""
    from knowledge.index.whoosh_index import IndexBusy

    kb = desk.live.app[KB]
    real_upsert = kb.index.upsert

    def busy(articles: Any) -> int:
        raise IndexBusy("the knowledge index is being written by another process")

    monkeypatch.setattr(kb.index, "upsert", busy)
    current = await desk.ok("GET", "/api/v1/kb/articles/KB-ROAM")
    change = {k: current[k] for k in ("kind", "body", "category", "products", "status")}
    updated = await desk.ok(
        "PUT", "/api/v1/kb/articles/KB-ROAM", {**change, "title": "Roaming abroad", "version": 1}
    )
    assert updated["version"] == 2
    assert kb.sync.pending == {"KB-ROAM"}
    monkeypatch.setattr(kb.index, "upsert", real_upsert)
    await desk.ok("POST", "/api/v1/kb/articles/KB-REFUND/vote", {"helpful": True})
    assert kb.sync.pending == set()
    await desk.in_step()


async def test_a_start_with_a_busy_index_serves_and_reconciles_later(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The articles are in the database but not in the index, and at start another process
    holds the index: the server starts anyway and repairs the index once it can."""
    from datetime import UTC, datetime

    import knowledge.api
    from knowledge import store
    from knowledge.index.whoosh_index import IndexBusy
    from knowledge.model import Article, Kind, Status
    from knowledge.sync import IndexSync
    from switchboard.core.db import Database
    from switchboard.migrate import upgrade
    from tests.conftest import start_server

    await upgrade(settings)
    database = Database(settings)
    now = datetime.now(UTC)
    for n in range(3):
        article = Article(f"KB-{n}", f"停机保号 {n}", Kind.FAQ, status=Status.PUBLISHED)
        await database.writer.run(lambda c, a=article: store.insert_article(c, a, now))
    await database.close()

    real = IndexSync.reconcile
    calls: list[int] = []
    reconciled = asyncio.Event()

    async def busy_once(self: IndexSync) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise IndexBusy("held by another process")
        report = await real(self)
        reconciled.set()
        return report

    monkeypatch.setattr(IndexSync, "reconcile", busy_once)
    monkeypatch.setattr(knowledge.api, "RECONCILE_RETRY_S", 0.05)
    app, server = await start_server(settings)
    try:
        kb = app[KB]
        await asyncio.wait_for(reconciled.wait(), 10)
        assert len(calls) == 2
        in_db = await app[DATABASE].read(stamps)
        assert await asyncio.to_thread(kb.index.ids_and_stamps) == in_db
    finally:
        await server.close()


FLOW_WITH_EFFECTS = """
id: complaint-lite
version: 1
title: Complaint, short
language: zh
start: ask_severity
nodes:
  ask_severity:
    kind: question
    text: 严重程度？
    answer: single
    options:
      - {value: high, label: 严重}
      - {value: low, label: 一般}
    var: severity
    next: tag
  tag:
    kind: set
    field: customer.tags
    mode: add
    value: "'投诉回访'"
    next: note
  note:
    kind: set
    field: customer.note
    value: "'called about a complaint'"
    next: ticket
  ticket:
    kind: create_ticket
    category: complaint
    title: "投诉：{customer.name|未识别客户}"
    description: "严重程度 {answers.severity}"
    priority_rules:
      - when: answers.severity == 'high'
        priority: urgent
    next: lost
  lost:
    kind: create_ticket
    category: no-such-category
    title: never opened
    next: done
  done:
    kind: end
    outcome: ticket_opened
"""


async def test_a_finished_run_applies_its_effects_once(desk: Desk, cti: str) -> None:
    await _call_with_customer(desk, cti)
    await desk.ok("POST", "/api/v1/ticket-categories", {"id": "complaint", "name": "投诉"})
    await desk.ok("POST", "/api/v1/flows", {"source": FLOW_WITH_EFFECTS})
    run = await desk.ok(
        "POST", "/api/v1/flows/complaint-lite/runs", {"call_id": "c-77"}, token=desk.agent
    )
    assert run["applied_effects"] is None
    done = await desk.ok(
        "POST", f"/api/v1/flow-runs/{run['id']}/answer", {"value": "high"}, token=desk.agent
    )
    assert done["status"] == "finished"
    applied = {e["node"]: e for e in done["applied_effects"]}
    assert applied["tag"]["applied"] is True
    assert applied["note"] == {
        "node": "note",
        "kind": "set",
        "applied": False,
        "error": "customers have no field 'note' to write",
    }
    assert applied["lost"]["applied"] is False
    assert "no-such-category" in applied["lost"]["error"]
    number = applied["ticket"]["ticket"]
    ticket = await desk.ok("GET", f"/api/v1/tickets/{number}")
    assert (ticket["title"], ticket["priority"]) == ("投诉：张伟", "urgent")
    assert ticket["linked_calls"] == ["c-77"]
    customer_id = ticket["customer_id"]
    view = await desk.ok("GET", f"/api/v1/customers/{customer_id}/360")
    assert [t["name"] for t in view["tags"]] == ["投诉回访", "5G-PLUS-199", "投诉历史"]
    applied_tag = view["tags"][0]  # the script's tag is counted, in the script category
    assert (applied_tag["category"], applied_tag["count"]) == ("script", 1)
    status, error = await desk.call("POST", f"/api/v1/flow-runs/{run['id']}/back", token=desk.agent)
    assert (status, error["error"]["field"]) == (409, "run_id")
    tickets = await desk.ok("GET", "/api/v1/tickets")
    assert len(tickets["items"]) == 1  # the failed effect left nothing behind


async def test_a_run_on_a_request_changes_the_request(desk: Desk) -> None:
    flow = """
id: escalate
version: 1
title: Escalate
language: en
start: ask
nodes:
  ask:
    kind: question
    text: Escalate?
    answer: yes_no
    var: escalate
    next: raise
  raise:
    kind: set
    field: request.priority
    value: "'urgent' if answers.escalate else 'low'"
    next: done
  done:
    kind: end
    outcome: handled
"""
    await desk.ok("POST", "/api/v1/flows", {"source": flow})
    await desk.ok("POST", "/api/v1/ticket-categories", {"id": "billing", "name": "账单"})
    ticket = await desk.ok(
        "POST", "/api/v1/tickets", {"title": "多扣费", "category": "billing", "channel": "phone"}
    )
    run = await desk.ok(
        "POST", "/api/v1/flows/escalate/runs", {"ticket": ticket["number"]}, token=desk.agent
    )
    done = await desk.ok(
        "POST", f"/api/v1/flow-runs/{run['id']}/answer", {"value": "yes"}, token=desk.agent
    )
    assert done["applied_effects"] == [
        {
            "node": "raise",
            "kind": "set",
            "applied": True,
            "field": "request.priority",
            "value": "urgent",
        }
    ]
    after = await desk.ok("GET", f"/api/v1/tickets/{ticket['number']}")
    assert after["priority"] == "urgent"
    stored = await desk.ok("GET", "/api/v1/flow-runs", params={"ticket": ticket["number"]})
    assert stored["runs"][0]["applied_effects"] == done["applied_effects"]
