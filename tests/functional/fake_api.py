"""In-memory stand-ins for the console's two lines to the server, for snapshots and benches.

``ScriptedFeed`` hands the console a fixed list of feed events and then stays quiet;
``MemoryApi`` answers the console's HTTP calls from canned data (a rich 360 as specified for
the customer value work), instantly and deterministically.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from console.feed import AgentInfo, FeedEvent, FeedSink, Hello, LinkPhase, LinkStatus
from switchboard.core.wire import ScreenPop
from tests.functional.conftest import AGENT

AT = datetime(2026, 11, 22, 1, 0, 0, tzinfo=UTC)


def connected(state: str = "available") -> list[FeedEvent]:
    return [
        Hello(agent=AgentInfo(**AGENT), state=state, cursor=0),
        LinkStatus(LinkPhase.CONNECTED, 1, ever_connected=True),
    ]


class ScriptedFeed:
    def __init__(self, events: Sequence[FeedEvent | Mapping[str, Any]] = ()) -> None:
        self.events = [ScreenPop.model_validate(e) if isinstance(e, Mapping) else e for e in events]

    async def run(self, sink: FeedSink) -> None:
        for event in connected():
            sink(event)
        for event in self.events:
            sink(event)
        await asyncio.Event().wait()


RICH_360: dict[str, Any] = {  # the shape of the server's GET /api/v1/customers/{id}/360
    "profile": {
        "id": 1,
        "kind": "enterprise",
        "name": "深圳市腾达科技有限公司",
        "industry": "电子制造",
        "city": "深圳",
    },
    "value": {
        "tier": "A",
        "abc_class": "A",
        "rfm": {"recency": 5, "frequency": 4, "monetary": 5, "code": "545", "segment": "champions"},
        "clv": {"value": 186000.0, "formula": "CLV = m·(1−q^H)/(1+d−r)", "parameters": {}},
    },
    "churn": {
        "score": 60,
        "level": "high",
        "reasons": [
            {"code": "repeated_complaints", "points": 20, "text": "近 90 天投诉 3 次", "facts": {}},
            {"code": "falling_frequency", "points": 25, "text": "订单减少 40%", "facts": {}},
        ],
    },
    "tags": [
        {"category": "value", "name": "vip", "count": 3, "weight": 1.0},
        {"category": "region", "name": "华南大区", "count": 1, "weight": 1.0},
    ],
    "phones": [{"number": "+86 138 1234 5678"}],
    "emails": ["zhang.wei@tengda.cn"],
    "contacts": [{"id": 10, "name": "张伟"}, {"id": 11, "name": "李娜"}],
    "next_products": [
        {"sku": "LINE-500M", "name": "企业专线 500M", "why": "带宽使用率连续 3 月超过 90%"},
        {"sku": "CLOUD-BAK", "name": "云备份", "why": "同行业客户 68% 已购买"},
    ],
    "products_owned": [
        {"sku": "BB-200M", "name": "企业宽带 200M"},
        {"sku": "FIXED", "name": "固定电话"},
    ],
    "interactions": [
        {"at": "2026-11-20T10:12:00+08:00", "kind": "call", "summary": "咨询账单，已解决"},
        {"at": "2026-11-18T15:40:00+08:00", "kind": "ticket", "summary": "SR-2026-000812 宽带断线"},
    ],
    "consent": [
        {"channel": "sms", "granted": True},
        {"channel": "marketing_call", "granted": False},
    ],
}


def ticket(number: str = "SR-2026-000901") -> dict[str, Any]:
    return {
        "number": number,
        "title": "宽带频繁断线",
        "status": "new",
        "priority": "normal",
        "category_path": "fault/broadband",
        "version": 1,
        "description": "",
        "sla": {
            "policy": "std",
            "clocks": [
                {
                    "clock": "first_response",
                    "state": "running",
                    "paused": False,
                    "remaining_seconds": 3540.0,
                    "due_at": "2026-11-22T02:00:00+00:00",
                },
                {
                    "clock": "resolution",
                    "state": "running",
                    "paused": False,
                    "remaining_seconds": 28740.0,
                    "due_at": "2026-11-22T09:00:00+00:00",
                },
            ],
        },
    }


class MemoryApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _note(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    async def close(self) -> None:
        return None

    async def set_state(self, agent: str, state: str, reason: str | None = None) -> Any:
        self._note("set_state", agent, state, reason)
        return {"id": agent, "state": state, "state_since": AT.isoformat()}

    async def start_wrap_up(self, agent: str, seconds: float) -> Any:
        self._note("start_wrap_up", agent, seconds)
        return {"id": agent, "state": "wrap_up", "state_since": AT.isoformat()}

    async def customer_360(self, customer: int) -> Any:
        self._note("customer_360", customer)
        return RICH_360

    async def quick_customer(self, phone: str, name: str) -> Any:
        self._note("quick_customer", phone, name)
        return {"id": 900, "kind": "individual", "name": name, "created": True}

    async def tickets_of(self, customer: int, limit: int = 20) -> Any:
        self._note("tickets_of", customer)
        return {
            "tickets": [{"number": "SR-2026-000812", "status": "in_progress", "title": "宽带断线"}]
        }

    async def create_ticket(self, body: Mapping[str, Any]) -> Any:
        self._note("create_ticket", dict(body))
        return {**ticket(), "title": body.get("title", "")}

    async def get_ticket(self, number: str) -> Any:
        return ticket(number)

    async def update_ticket(self, number: str, patch: Mapping[str, Any]) -> Any:
        return ticket(number)

    async def add_note(self, number: str, body: str, kind: str = "note") -> Any:
        self._note("add_note", number, body)
        return {"id": 1}

    async def ticket_categories(self) -> Any:
        return {"categories": [{"id": "broadband", "path": "fault/broadband", "active": True}]}

    async def kb_search(self, query: str, limit: int = 8) -> Any:
        snippet = {"text": "原路退回", "highlights": [], "html": "原路退回"}
        return {
            "query": query,
            "total": 1,
            "hits": [{"id": "kb-1", "title": "退款多久到账", "snippet": snippet}],
        }

    async def kb_suggestions(self, call_id: str) -> Any:
        snippet = {"text": "重启光猫", "highlights": [], "html": "重启光猫"}
        hit = {"id": "kb-2", "title": "宽带故障排查", "snippet": snippet, "why": "product"}
        return {"for": {"kind": "call", "id": call_id}, "articles": [hit]}

    async def kb_article(self, article: str) -> Any:
        return {"id": article, "title": "退款多久到账", "body": "原路退回，3-5 个工作日到账。"}

    async def start_flow(self, flow: str, call_id: str) -> Any:
        return {
            "id": 1,
            "rev": 1,
            "view": {
                "status": "active",
                "node": "q1",
                "kind": "question",
                "text": "请问是宽带故障吗？",
                "answer": "yes_no",
                "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
            },
        }

    async def answer_flow(self, run: str, value: Any, rev: int | None = None) -> Any:
        return {
            "id": int(run),
            "rev": (rev or 1) + 1,
            "view": {
                "status": "finished",
                "node": "end",
                "kind": "end",
                "text": "已记录",
                "outcome": "recorded",
            },
        }

    async def back_flow(self, run: str, rev: int | None = None) -> Any:
        return await self.start_flow("x", "c")

    async def preview_dial(self, campaign: str, lead: str) -> Any:
        self._note("preview_dial", campaign, lead)
        return {"call_id": "out-1"}

    async def preview_skip(self, campaign: str, lead: str) -> Any:
        self._note("preview_skip", campaign, lead)
        return {"lead": lead, "next_attempt_at": None, "agent": None}

    async def preview_reschedule(self, campaign: str, lead: str, at: str) -> Any:
        self._note("preview_reschedule", campaign, lead, at)
        return {"lead": lead, "next_attempt_at": at, "agent": "a-1001"}

    async def accept_offer(self, reservation: str) -> Any:
        self._note("accept_offer", reservation)
        return {"reservation": reservation, "outcome": "accepted", "transfer": None}

    async def reject_offer(self, reservation: str) -> Any:
        self._note("reject_offer", reservation)
        return {"reservation": reservation, "outcome": "rejected", "transfer": None}
