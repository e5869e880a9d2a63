"""Reading the server's answers for the console: the 360 (today's and the richer one), SLA
clocks counting down, knowledge hits, script steps, and error answers as one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from console.client import error_text
from console.feed import Offer
from console.generations import Generations
from console.i18n import use_language
from console.views import (
    FlowStep,
    Profile360,
    SlaClock,
    TicketView,
    kb_hits,
    reschedule_at,
    ticket_rows,
)
from console.widgets.banners import offer_keys, offer_left, offer_line, offer_subject
from console.widgets.request_editor import countdown
from tests.functional.fake_api import RICH_360, ticket

TODAY_360 = {
    "profile": {"id": 7, "kind": "individual", "name": "欧阳娜娜", "city": "杭州市"},
    "value": {"tier": None},
    "tags": [],
    "phones": [{"number": "+86 139 0571 2233", "e164": "+8613905712233"}],
    "emails": [],
    "contacts": [],
}


def test_todays_360_reads_without_the_richer_parts() -> None:
    view = Profile360.from_json(TODAY_360)
    assert (view.customer_id, view.name, view.city) == (7, "欧阳娜娜", "杭州市")
    assert view.phones == ("+86 139 0571 2233",)
    assert view.recommendations == ()
    assert view.timeline == ()
    assert view.consent == ()
    assert view.churn == {}


def test_the_richer_360_reads_value_churn_recommendations_timeline_consent() -> None:
    view = Profile360.from_json(RICH_360)
    assert view.value["abc_class"] == "A"
    assert view.tags == ("vip", "华南大区")
    assert view.products == ("企业宽带 200M", "固定电话")
    assert view.churn["level"] == "high"
    assert view.recommendations[0] == ("企业专线 500M", "带宽使用率连续 3 月超过 90%")
    assert view.timeline[0] == ("2026-11-20 10:12", "call", "咨询账单，已解决")
    assert view.consent == (("sms", "granted"), ("marketing_call", "refused"))
    assert view.contacts == ("张伟", "李娜")


def test_consent_as_a_mapping_of_booleans() -> None:
    view = Profile360.from_json({"profile": {"id": 1, "name": "x"}, "consent": {"sms": True}})
    assert view.consent == (("sms", "granted"),)


def test_sla_clocks_count_down_from_the_read_unless_paused() -> None:
    view = TicketView.from_json(ticket(), read_at=100.0)
    first, resolution = view.clocks
    assert first.remaining(100.0) == 3540.0
    assert first.remaining(160.0) == 3480.0
    paused = SlaClock("resolution", "paused", True, 600.0, None, read_at=100.0)
    assert paused.remaining(1000.0) == 600.0
    met = SlaClock("first_response", "met", False, 10.0, None, read_at=100.0)
    assert met.remaining(1000.0) == 10.0
    assert resolution.remaining(100.0 + 28740.0 + 5) == -5.0
    assert countdown(3480.0) == "58:00 left"
    assert countdown(-65.0) == "overdue 1:05"


def test_ticket_listings_in_either_shape() -> None:
    assert ticket_rows({"tickets": [{"number": "SR-1"}]}) == [{"number": "SR-1"}]
    assert ticket_rows([{"number": "SR-2"}]) == [{"number": "SR-2"}]


def test_kb_hits_and_did_you_mean() -> None:
    snippet = {"text": "原路\n退回", "highlights": [[0, 2]], "html": "<mark>原路</mark>\n退回"}
    hits, hint = kb_hits({"hits": [{"id": 3, "title": "退款", "snippet": snippet, "score": 2}]})
    assert hits[0].id == "3"
    assert hits[0].snippet == "原路 退回"
    assert hits[0].score == 2.0
    assert hint is None
    assert kb_hits({"hits": [], "did_you_mean": "退款"}) == ((), "退款")
    suggested, _hint = kb_hits({"articles": [{"id": "a1", "title": "宽带", "why": ["product"]}]})
    assert [h.id for h in suggested] == ["a1"]


def test_flow_steps_nested_or_flat() -> None:
    nested = FlowStep.from_json(
        {
            "id": "run-9",
            "view": {
                "status": "active",
                "node": "q1",
                "kind": "question",
                "answer": "single",
                "options": [{"value": "a", "label": "甲"}],
            },
        }
    )
    assert (nested.run_id, nested.node, nested.options) == ("run-9", "q1", (("a", "甲"),))
    assert nested.rev is None
    numbered = FlowStep.from_json({"id": 12, "rev": 3, "view": {"status": "active"}})
    assert (numbered.run_id, numbered.rev) == ("12", 3)
    assert not nested.finished
    flat = FlowStep.from_json({"status": "finished", "kind": "end", "outcome": "ok"}, "run-2")
    assert flat.run_id == "run-2"
    assert flat.finished
    assert flat.outcome == "ok"
    failed = FlowStep.from_json({"status": "failed", "error": {"message": "bad expression"}})
    assert failed.finished
    assert failed.error == "bad expression"


def test_error_answers_are_one_line_naming_the_field() -> None:
    body = '{"error": {"code": "invalid", "message": "title is required", "field": "title"}}'
    assert error_text(400, body) == ("Server said 400: title is required", "title")
    body = '{"error": {"code": "invalid", "message": "too long", "field": "name"}}'
    assert error_text(400, body) == ("Server said 400: too long (name)", "name")
    text, field = error_text(500, "Internal\nServer   Error", "GET /api/v1/kb/search")
    assert text == "Server said 500: Internal Server Error (GET /api/v1/kb/search)"
    assert field is None
    long, _ = error_text(502, "x" * 500)
    assert len(long) == 160
    assert long.endswith("…")


def test_only_the_newest_request_of_a_kind_is_current() -> None:
    generations = Generations()
    first = generations.issue("kb")
    other = generations.issue("profile")
    second = generations.issue("kb")
    assert not generations.is_current("kb", first)
    assert generations.is_current("kb", second)
    assert generations.is_current("profile", other)


SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+90", NOW + timedelta(minutes=90)),
        ("45m", NOW + timedelta(minutes=45)),
        ("2h", NOW + timedelta(hours=2)),
        ("14:30", datetime(2026, 11, 23, 14, 30, tzinfo=SHANGHAI)),
        ("09:15", datetime(2026, 11, 24, 9, 15, tzinfo=SHANGHAI)),  # passed today: tomorrow
        ("2026-11-25 10:00", datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)),
        ("2026-11-25T10:00:00+00:00", datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
    ],
)
def test_reschedule_times_the_agent_may_type(typed: str, expected: datetime) -> None:
    assert reschedule_at(typed, NOW, SHANGHAI) == expected


@pytest.mark.parametrize("typed", ["", "soon", "25:00", "12:61", "+0", "2026-11-22 10:00"])
def test_reschedule_refuses_what_is_not_a_future_time(typed: str) -> None:
    assert reschedule_at(typed, NOW, SHANGHAI) is None


def test_the_servers_360_shape_reads_as_plain_words() -> None:
    """The shape customers/view360.py answers: counted tags, CLV with its formula, RFM code,
    churn reasons with codes, products owned, next products and interactions."""
    from console.widgets.profile import _reason, _value_text

    data = {
        "profile": {"id": 7, "name": "陈鹏鹏", "kind": "individual", "city": "杭州市"},
        "tags": [
            {"category": "script", "name": "投诉回访", "count": 2, "weight": 1.0},
            {"category": None, "name": "家庭", "count": 1, "weight": 1.0},
        ],
        "value": {
            "tier": "B",
            "abc_class": "B",
            "rfm": {"recency": 4, "frequency": 3, "monetary": 5, "code": "435", "segment": "loyal"},
            "clv": {"value": 620.5, "formula": "CLV = ...", "parameters": {}},
        },
        "churn": {
            "score": 35,
            "level": "medium",
            "reasons": [{"code": "silence", "points": 35, "text": "no order for 95 days"}],
        },
        "products_owned": [{"sku": "5G-PLUS-199", "name": "5G 畅享套餐 199"}],
        "next_products": [{"sku": "ROUTER-AX3", "name": "千兆路由器", "why": "62% of …"}],
        "interactions": [{"kind": "call", "at": "2026-11-23T09:00:00+00:00", "summary": "呼入"}],
    }
    profile = Profile360.from_json(data)
    assert profile.tags == ("投诉回访", "家庭")
    assert profile.products == ("5G 畅享套餐 199",)
    assert profile.recommendations == (("千兆路由器", "62% of …"),)
    assert profile.timeline == (("2026-11-23 09:00", "call", "呼入"),)
    assert _value_text(profile.value) == "Tier B · ABC B · CLV 620 · RFM 435 (loyal)"
    assert _reason(profile.churn["reasons"][0]) == "no order for 95 days"


# --- the offer banner -----------------------------------------------------------------------


def offer(**fields: object) -> Offer:
    base = {"id": 1, "reservation": "r-1", "queue": "billing", "call_id": "c-1"}
    return Offer.model_validate({**base, "expires_at": "2026-01-05T01:00:15Z", **fields})


def test_the_offer_banner_counts_down_to_the_expiry_by_the_consoles_clock() -> None:
    call = offer()
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    assert offer_left(call, start) == 15.0
    line = offer_line(call, "张伟 +8613812345678", offer_left(call, start + timedelta(seconds=2.5)))
    assert line == "Offered: call from 张伟 +8613812345678 · queue billing · 0:13 left"
    late = offer_line(call, "", offer_left(call, start + timedelta(seconds=20)))
    assert late.endswith("0:00 left")  # past the expiry: zero until the server ends it
    naive = offer(expires_at="2026-01-05T01:00:15")
    assert offer_left(naive, start) == 15.0  # a time without offset is UTC


def test_the_offer_banner_names_requests_and_callbacks_and_its_keys() -> None:
    request = offer(call_id=None, item="t:1", kind="ticket", number="SR-2026-000812")
    callback = offer(call_id=None, item="cb-1", kind="callback", number="+8613900000401")
    assert offer_subject(request) == "request SR-2026-000812"
    assert offer_subject(callback) == "callback to +8613900000401"
    assert offer_keys("a/enter", "x") == "a/enter accept · x reject"
    try:
        use_language("zh")
        assert offer_subject(request) == "工单 SR-2026-000812"
        assert offer_keys("a", "x") == "a 接受 · x 拒绝"
    finally:
        use_language("en")
