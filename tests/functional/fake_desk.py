"""A fake server for the console's work routes (quick-create, knowledge, call scripts).

``FakeDesk`` is a ``FakeSwitchboard`` (the agent websocket) that also answers the console's
HTTP routes from in-memory data, in the shapes the real handlers answer with (customers/api.py,
knowledge/api.py; the real server is driven in test_console_work_real_server.py). ``kb_delays``
slows chosen searches down, to show that a stale answer never lands.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiohttp import web

from tests.functional.conftest import TOKEN, FakeSwitchboard

ARTICLES: dict[str, dict[str, Any]] = {
    "kb-1": {
        "id": "kb-1",
        "title": "退款多久到账",
        "body": "原路退回，**3-5 个工作日**到账。\n\n超过 7 天请升级到账务组。",
        "kind": "faq",
    },
    "kb-2": {
        "id": "kb-2",
        "title": "宽带故障排查",
        "body": "1. 重启光猫\n2. 检查指示灯",
        "kind": "howto",
    },
}

# A two-question script: a yes/no, then free text, then the end.
FLOW: dict[str, dict[str, Any]] = {
    "q1": {
        "kind": "question",
        "text": "张伟您好，请问是宽带故障吗？",
        "answer": "yes_no",
        "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
    },
    "q2": {"kind": "question", "text": "故障从什么时候开始？", "answer": "text"},
    "end": {"kind": "end", "text": "已记录，谢谢。"},
}
ORDER = ["q1", "q2", "end"]


class FakeDesk(FakeSwitchboard):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body)
        self.customers: dict[int, dict[str, Any]] = {}
        self.kb_delays: dict[str, float] = {}
        self.kb_broken = False  # answer searches with a bare 500, as a failing proxy would
        self.state_delay = 0.0  # seconds before an agent-state change is answered
        self.without_suggestions = False  # answer as a server that lacks the route
        self.runs: dict[int, dict[str, Any]] = {}
        self._customer_ids = itertools.count(500)
        self._run_ids = itertools.count(1)
        r = self._app.router
        r.add_post("/api/v1/customers/quick", self._quick)
        r.add_get("/api/v1/customers/{id}/360", self._view_360)
        r.add_get("/api/v1/tickets", self._tickets)
        r.add_post("/api/v1/agents/{id}/state", self._state)
        r.add_get("/api/v1/kb/search", self._kb_search)
        r.add_get("/api/v1/kb/articles/{id}", self._kb_article)
        r.add_get("/api/v1/kb/suggestions", self._kb_suggestions)
        r.add_post("/api/v1/flows/{flow}/runs", self._flow_start)
        r.add_post("/api/v1/flow-runs/{run}/answer", self._flow_answer)
        r.add_post("/api/v1/flow-runs/{run}/back", self._flow_back)

    async def _body(self, request: web.Request) -> Any:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(text='{"error": {"message": "bad token"}}')
        body = await request.json() if request.can_read_body else None
        self.requests.append((request.method, request.path_qs, body))
        return body

    async def _quick(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not body.get("name"):
            error = {"error": {"code": "invalid", "message": "name is required", "field": "name"}}
            return web.json_response(error, status=400)
        customer_id = next(self._customer_ids)
        customer = {"id": customer_id, "kind": "individual", "name": body["name"]}
        self.customers[customer_id] = {**customer, "phone": body["number"]}
        return web.json_response({**customer, "created": True}, status=201)

    async def _view_360(self, request: web.Request) -> web.Response:
        await self._body(request)
        customer = self.customers.get(int(request.match_info["id"]))
        if customer is None:
            return web.json_response({"error": {"message": "no customer"}}, status=404)
        view = {
            "profile": {"id": customer["id"], "kind": "individual", "name": customer["name"]},
            "value": {"tier": "new"},
            "phones": [{"number": customer["phone"]}],
        }
        return web.json_response(view)

    async def _tickets(self, request: web.Request) -> web.Response:
        await self._body(request)
        return web.json_response({"tickets": [], "next_cursor": None})

    async def _state(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        await asyncio.sleep(self.state_delay)
        self.state = body["state"]
        return web.json_response({"id": request.match_info["id"], "state": body["state"]})

    async def _kb_search(self, request: web.Request) -> web.Response:
        await self._body(request)
        query = request.query.get("q", "")
        if self.kb_broken:
            return web.Response(status=500, text="Internal Server Error")
        await asyncio.sleep(self.kb_delays.get(query, 0.0))
        hits = [
            {
                "id": a["id"],
                "title": a["title"],
                "snippet": {"text": a["body"][:20], "highlights": [], "html": a["body"][:20]},
                "score": 1.0,
                "kind": a["kind"],
            }
            for a in ARTICLES.values()
            if query and (query in a["title"] or query in a["body"])
        ]
        return web.json_response(
            {
                "query": query,
                "total": len(hits),
                "did_you_mean": None if hits else "退款",
                "hits": hits,
            }
        )

    async def _kb_suggestions(self, request: web.Request) -> web.Response:
        await self._body(request)
        if self.without_suggestions:
            return web.Response(status=404, text="404: Not Found")
        call_id = request.query.get("call_id")
        if call_id != "c-77":
            return web.json_response({"error": {"message": f"no call {call_id!r}"}}, status=404)
        article = ARTICLES["kb-2"]
        snippet = {"text": "", "highlights": [], "html": ""}
        hit = {"id": article["id"], "title": article["title"], "snippet": snippet, "score": 1.0}
        return web.json_response(
            {
                "for": {"kind": "call", "id": call_id},
                "context": {},
                "articles": [{**hit, "why": []}],
            }
        )

    async def _kb_article(self, request: web.Request) -> web.Response:
        await self._body(request)
        article = ARTICLES.get(request.match_info["id"])
        if article is None:
            return web.json_response({"error": {"message": "no such article"}}, status=404)
        return web.json_response(article)

    def _view(self, run_id: int) -> dict[str, Any]:
        run = self.runs[run_id]
        node = ORDER[run["at"]]
        spec = FLOW[node]
        finished = spec["kind"] == "end"
        return {
            "id": run_id,
            "rev": run["rev"],
            "call_id": run["call"],
            "flow_id": run["flow"],
            "status": "finished" if finished else "active",
            "view": {
                "flow_id": run["flow"],
                "flow_title": "宽带报障",
                "status": "finished" if finished else "active",
                "node": node,
                "kind": spec["kind"],
                "text": spec["text"],
                "answer": spec.get("answer"),
                "options": spec.get("options", []),
                "outcome": "recorded" if finished else None,
                "can_back": run["at"] > 0,
            },
        }

    async def _flow_start(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if request.match_info["flow"] != "broadband":
            error = {"error": {"message": "no flow 'nope'", "field": "flow_id"}}
            return web.json_response(error, status=404)
        run_id = next(self._run_ids)
        self.runs[run_id] = {
            "flow": "broadband",
            "call": body["call_id"],
            "at": 0,
            "answers": {},
            "rev": 1,
        }
        return web.json_response(self._view(run_id), status=201)

    async def _flow_answer(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        run_id = int(request.match_info["run"])
        run = self.runs[run_id]
        if body.get("rev") is not None and body["rev"] != run["rev"]:
            error = {"error": {"message": "the run has moved on", "field": "rev"}}
            return web.json_response(error, status=409)
        run["answers"][ORDER[run["at"]]] = body["value"]
        run["at"] += 1
        run["rev"] += 1
        return web.json_response(self._view(run_id))

    async def _flow_back(self, request: web.Request) -> web.Response:
        await self._body(request)
        run_id = int(request.match_info["run"])
        self.runs[run_id]["at"] = max(0, self.runs[run_id]["at"] - 1)
        self.runs[run_id]["rev"] += 1
        return web.json_response(self._view(run_id))
