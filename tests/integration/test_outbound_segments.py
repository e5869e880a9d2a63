"""Campaigns from a saved customer segment (客群), and campaign schedules, in the server.

The clock is manual (Monday 2026-11-23, 10:00 in Shanghai) and the dialer is ticked by the
test; its own once-a-second loop may tick too, which only repeats decisions already made.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from customers.leads.store import dnc_t
from customers.records import set_consent, set_profile
from routing.outbound.dialer import DIALER
from switchboard import campaign_cli
from switchboard.core.http import DATABASE
from tests.integration.test_outbound_campaigns import (  # noqa: F401 (the fixture)
    START,
    lead,
    outbound,
    setup,
)

SEGMENT = "高价值流失风险"
RULE = {"all": [{"field": "province", "value": "广东省"}]}


async def customer(live: Any, admin: str, name: str, phones: list[str], **extra: Any) -> int:
    body = {"kind": "individual", "name": name, "province": "广东省", "phones": phones, **extra}
    status, made = await live.call("POST", "/api/v1/customers", admin, json=body)
    assert status == 201, made
    return int(made["id"])


async def consent(live: Any, customer_id: int, granted: bool) -> None:
    await live.app[DATABASE].writer.run(
        lambda c: set_consent(c, customer_id, "phone", granted, START, "web form")
    )


async def test_a_campaign_dials_the_members_of_a_saved_segment(outbound) -> None:  # noqa: F811
    live, phone, _ = outbound
    rows = [
        lead("imp-606", "13900000606", 30),  # an open lead of a member's number: reused
        lead("imp-other", "13900000699", 80),  # not a member: stays where it is
    ]
    admin = await setup(live, ["a-1", "a-2"], rows)
    wang = await customer(live, admin, "王小明", ["139 0000 0601"])
    await consent(live, wang, True)
    await customer(live, admin, "李雷", [])  # no phone
    han = await customer(live, admin, "韩梅梅", ["13900000603"])
    await consent(live, han, True)
    await live.app[DATABASE].writer.run(
        lambda c: set_profile(c, han, START, do_not_call=True, owner="s-9")
    )
    zhang = await customer(live, admin, "张伟", ["13900000604"])
    await consent(live, zhang, False)  # withdrawn
    await customer(live, admin, "刘洋", ["13900000605"])  # no consent on record
    chen = await customer(live, admin, "陈静", ["+86 139-0000-0606"])
    await consent(live, chen, True)
    zhao = await customer(live, admin, "赵敏", ["13900000607"])
    await consent(live, zhao, True)
    await live.app[DATABASE].writer.run(
        lambda c: c.execute(
            dnc_t.insert().values(e164="+8613900000607", reason="asked", created_at=START)
        )
    )
    firm = await customer(live, admin, "广州某公司", ["13900000601"])  # 王小明's number
    await consent(live, firm, True)
    await live.app[DATABASE].writer.run(lambda c: set_profile(c, wang, START, owner="s-1"))
    outsider = await customer(live, admin, "北京客户", ["13900000609"], province="北京市")
    await consent(live, outsider, True)
    status, made = await live.call(
        "POST", "/api/v1/segments", admin, json={"name": SEGMENT, "rule": RULE}
    )
    assert status == 201, made

    spec = {
        "id": "c-seg",
        "name": "挽留",
        "mode": "progressive",
        "agents": ["a-1", "a-2"],
        "customer_segment": SEGMENT,
    }
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
    assert status == 201, body
    report = body["customer_segment"]
    assert (report["id"], report["name"], report["members"]) == (made["id"], SEGMENT, 8)
    assert (report["added"], report["reused"], report["already"]) == (1, 1, 0)
    assert body["leads"] == 2  # the filter of imported leads is not applied on its own
    counts = {reason: entry["count"] for reason, entry in report["not_added"].items()}
    assert counts == {
        "no_phone": 1,
        "do_not_call": 2,
        "consent_withdrawn": 1,
        "no_consent": 1,
        "shared_number": 1,
    }
    dnc = report["not_added"]["do_not_call"]["examples"]
    assert {e["name"] for e in dnc} == {"韩梅梅", "赵敏"}
    assert any("张伟" in w and "never dialed" in w for w in body["warnings"])
    assert any("李雷" in w for w in body["warnings"])

    status, made_lead = await live.call("GET", f"/api/v1/leads/seg-c-seg-{wang}", admin)
    assert status == 200, made_lead
    assert (made_lead["e164"], made_lead["source_channel"]) == ("+8613900000601", "segment")
    assert (made_lead["owner"], made_lead["customer_id"]) == ("s-1", wang)
    assert (made_lead["campaign_id"], made_lead["status"]) == ("c-seg", "outbound")
    status, reused = await live.call("GET", "/api/v1/leads/imp-606", admin)
    assert (reused["campaign_id"], reused["source_channel"]) == ("c-seg", "web_form")
    status, other = await live.call("GET", "/api/v1/leads/imp-other", admin)
    assert other["campaign_id"] is None

    await live.app[DIALER].tick()
    assert sorted(o["number"] for o in phone.originated) == ["+8613900000601", "+8613900000606"]

    # a new member joins; refreshing adds it once, and never brings back a finished lead
    sun = await customer(live, admin, "孙丽", ["13900000610"])
    await consent(live, sun, True)
    wang_call = next(
        f"out-{i + 1}" for i, o in enumerate(phone.originated) if o["number"].endswith("601")
    )
    status, ended = await live.call(
        "POST",
        f"/api/v1/campaigns/c-seg/calls/{wang_call}/end",
        admin,
        json={"disposition": "not_interested", "talk_s": 20},
    )
    assert (status, ended["status"]) == (200, "done")
    status, refreshed = await live.call("POST", "/api/v1/campaigns/c-seg/refresh", admin)
    assert status == 200, refreshed
    assert refreshed["leads"] == 1
    assert (refreshed["customer_segment"]["added"], refreshed["customer_segment"]["already"]) == (
        1,
        2,
    )
    status, again = await live.call("POST", "/api/v1/campaigns/c-seg/refresh", admin)
    assert (status, again["leads"], again["customer_segment"]["already"]) == (200, 0, 3)
    args = argparse.Namespace(
        server=live.url, token=admin, json=False, campaigns_command="refresh", id="c-seg"
    )
    printed = await campaign_cli.run(args, live.settings)  # the same from the shell
    assert printed.splitlines()[0] == "campaign c-seg: 0 leads joined, 2 waiting for calls"
    assert f"segment '{SEGMENT}' (#{made['id']}): 9 members" in printed
    assert "张伟" in printed
    await live.app[DIALER].tick()
    numbers = [o["number"] for o in phone.originated]
    assert numbers.count("+8613900000610") == 1
    assert numbers.count("+8613900000601") == 1  # not interested: never again
    never = {"+8613900000603", "+8613900000604", "+8613900000605", "+8613900000607"}
    assert never.isdisjoint(numbers)
    assert "+8613900000609" not in numbers

    # by id, too; an unknown segment is a 400 naming the field
    by_id = {**spec, "id": "c-seg-2", "customer_segment": made["id"]}
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=by_id)
    assert (status, body["customer_segment"]["name"]) == (201, SEGMENT), body
    in_other = body["customer_segment"]["not_added"]["in_another_campaign"]["count"]
    assert in_other == 2  # 陈静's and 孙丽's leads are c-seg's
    for ref in ("没有这个客群", 99999):
        bad = {**spec, "id": "c-bad", "customer_segment": ref}
        status, body = await live.call("POST", "/api/v1/campaigns", admin, json=bad)
        assert (status, body["error"]["field"]) == (400, "customer_segment"), body
    status, body = await live.call("POST", "/api/v1/campaigns/nope/refresh", admin)
    assert (status, body["error"]["field"]) == (404, "id")


SCHEDULE = {
    "timezone": "Asia/Shanghai",
    "windows": [
        {"days": ["mon-fri"], "start": "09:00", "end": "12:00"},
        {"days": ["mon-fri"], "start": "14:00", "end": "20:00"},
        {"days": ["sat"], "start": "10:00", "end": "16:00"},
    ],
    "holiday_dates": ["2026-11-24"],
    "end_date": "2026-11-30",
}


async def test_a_campaign_dials_only_inside_its_schedule_and_the_law(outbound) -> None:  # noqa: F811
    live, phone, clock = outbound
    rows = [lead("sh-1", "13900000701", 50), lead("ny-1", "+1 212 555 0101", 90)]
    admin = await setup(live, ["a-1", "a-2"], rows)
    clock.set(START + timedelta(hours=2, minutes=30))  # Mon 12:30 Shanghai: between windows
    spec = {
        "id": "c-sched",
        "name": "时段",
        "mode": "progressive",
        "agents": ["a-1", "a-2"],
        "schedule": SCHEDULE,
    }
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
    assert status == 201, body
    await live.app[DIALER].tick()
    assert phone.originated == []
    status, stats = await live.call("GET", "/api/v1/campaigns/c-sched/stats", admin)
    assert status == 200, stats
    schedule = stats["schedule"]
    assert (schedule["open"], schedule["reason"]["code"]) == (False, "outside_campaign_schedule")
    assert "12:30" in schedule["reason"]["text"]
    assert schedule["next_open"] == (START + timedelta(hours=4)).isoformat()  # 14:00

    clock.set(START + timedelta(hours=4))  # 14:00 Shanghai, 01:00 in New York
    await live.app[DIALER].tick()
    assert [o["number"] for o in phone.originated] == ["+8613900000701"]
    status, stats = await live.call("GET", "/api/v1/campaigns/c-sched/stats", admin)
    assert stats["schedule"]["open"] is True
    assert stats["refusals"].get("outside_calling_hours", 0) >= 1  # the law is stricter there

    clock.set(START + timedelta(days=1))  # Tuesday 10:00: a holiday of the schedule
    await live.app[DIALER].tick()
    assert len(phone.originated) == 1
    status, stats = await live.call("GET", "/api/v1/campaigns/c-sched/stats", admin)
    assert "holiday" in stats["schedule"]["reason"]["text"]

    clock.set(START + timedelta(days=8))  # after the end date: never again
    await live.app[DIALER].tick()
    assert len(phone.originated) == 1
    status, stats = await live.call("GET", "/api/v1/campaigns/c-sched/stats", admin)
    assert stats["schedule"]["reason"]["code"] == "campaign_ended"
    assert stats["schedule"]["next_open"] is None


async def test_a_preview_dial_outside_the_schedule_is_refused_with_the_reason(outbound) -> None:  # noqa: F811
    live, phone, clock = outbound
    admin = await setup(live, ["a-1"], [lead("pv-1", "13900000801", 10)])
    clock.set(START + timedelta(hours=1, minutes=59))  # 11:59 Shanghai: the card comes
    spec = {
        "id": "c-pv",
        "name": "preview",
        "mode": "preview",
        "agents": ["a-1"],
        "schedule": SCHEDULE,
    }
    assert (await live.call("POST", "/api/v1/campaigns", admin, json=spec))[0] == 201
    await live.app[DIALER].tick()
    assert live.app[DIALER].runs["c-pv"].holds == {"a-1": "card:pv-1"}
    clock.set(START + timedelta(hours=2, minutes=1))  # 12:01: the window has closed
    agent = await live.token("agent", "a-1", agent="a-1")
    status, body = await live.call("POST", "/api/v1/campaigns/c-pv/preview/pv-1/dial", agent)
    assert (status, body["error"]["field"]) == (409, "lead"), body
    assert "outside_campaign_schedule" in body["error"]["message"]
    assert "12:01" in body["error"]["message"]
    assert phone.originated == []


async def test_bad_schedules_are_refused_naming_the_field(outbound) -> None:  # noqa: F811
    live, _, _ = outbound
    admin = await setup(live, ["a-1"], [])
    window = {"days": ["mon"], "start": "09:00", "end": "12:00"}
    cases = [
        ({"windows": [window]}, "schedule.timezone"),
        ({"timezone": "Mars/Olympus", "windows": [window]}, "schedule.timezone"),
        ({"timezone": "Asia/Shanghai", "windows": []}, "schedule.windows"),
        (
            {"timezone": "Asia/Shanghai", "windows": [{**window, "start": "25:00"}]},
            "schedule.windows[0].start",
        ),
        (
            {"timezone": "Asia/Shanghai", "windows": [window, {**window, "end": "08:00"}]},
            "schedule.windows[1].end",
        ),
        (
            {"timezone": "Asia/Shanghai", "windows": [{**window, "days": ["someday"]}]},
            "schedule.windows[0].days[0]",
        ),
        (
            {"timezone": "Asia/Shanghai", "windows": [window, {**window, "start": "11:00"}]},
            "schedule.windows[1]",
        ),
        (
            {
                "timezone": "Asia/Shanghai",
                "windows": [window],
                "start_date": "2026-12-01",
                "end_date": "2026-11-01",
            },
            "schedule.end_date",
        ),
        (
            {"timezone": "Asia/Shanghai", "windows": [window], "holidays": {"country": "XX"}},
            "schedule.holidays.country",
        ),
        ({"timezone": "Asia/Shanghai", "windows": [window], "every": "day"}, "schedule.every"),
    ]
    for schedule, field in cases:
        spec = {
            "id": "bad",
            "name": "bad",
            "mode": "progressive",
            "agents": ["a-1"],
            "schedule": schedule,
        }
        status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
        assert (status, body["error"]["field"]) == (400, field), (schedule, body)
    good = {
        "timezone": "Asia/Shanghai",
        "windows": [window],
        "holidays": {"country": "CN"},
        "end_date": "2027-01-31",
    }
    spec = {"id": "ok", "name": "ok", "mode": "progressive", "agents": ["a-1"], "schedule": good}
    status, body = await live.call("POST", "/api/v1/campaigns", admin, json=spec)
    assert status == 201, body
    status, view = await live.call("GET", "/api/v1/campaigns/ok", admin)
    assert "2027-01-01" in view["schedule"]["resolved_holidays"]  # New Year's Day
