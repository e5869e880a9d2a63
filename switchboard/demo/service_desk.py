"""The demo's service desk: request categories (those the demo call scripts file under),
business calendars and SLA policies, so a request made from the console gets its deadlines.

Seeding is idempotent and never overrides an operator: a category or calendar already there is
left alone, and policies are written only while there are none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from tickets import admin, store
from tickets.schemas import CalendarIn, CategoryIn, PoliciesIn

# (id, name, parent): parents first. complaint/* and outage are what complaint-intake and
# fault-diagnosis file under; sales/* what plan-recommendation files under.
CATEGORIES: tuple[tuple[str, str, str | None], ...] = (
    ("complaint", "投诉", None),
    ("billing", "话费、扣费争议", "complaint"),
    ("network", "网络质量", "complaint"),
    ("service", "服务态度", "complaint"),
    ("contract", "业务办理、合约", "complaint"),
    ("fraud", "诈骗、骚扰电话", "complaint"),
    ("outage", "故障报修", None),
    ("sales", "销售", None),
    ("new-line", "新装号码", "sales"),
    ("callback", "回访", "sales"),
    ("refund", "退款", None),
    ("inquiry", "咨询", None),
)

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CALENDARS: dict[str, CalendarIn] = {
    # The service desk's hours, every day of the year (holidays included: it is a hotline).
    "service-hours": CalendarIn(
        name="客服热线 08:00-22:00",
        timezone="Asia/Shanghai",
        weekly={day: ["08:00-22:00"] for day in EVERY_DAY},
    ),
    # Complaints and fraud are answered round the clock.
    "always": CalendarIn(
        name="全天候 24/7",
        timezone="Asia/Shanghai",
        weekly={day: ["00:00-24:00"] for day in EVERY_DAY},
    ),
}

POLICIES = PoliciesIn.model_validate(
    {
        "policies": [
            {
                "name": "complaint",
                "categories": ["complaint"],
                "first_response": "2h",
                "resolution": "24h",
                "calendar": "always",
            },
            {
                "name": "outage",
                "categories": ["outage"],
                "first_response": "1h",
                "resolution": "8h",
                "calendar": "always",
            },
            {
                "name": "standard",
                "first_response": "4h",
                "resolution": "42h",  # three of its 14-hour days
                "calendar": "service-hours",
            },
        ]
    }
)


def seed_service_desk(conn: Connection, now: datetime) -> dict[str, int]:
    """Add what is missing; the counts of categories, calendars and policies added."""
    c, k = store.categories_t, store.calendars_t
    have = set(conn.scalars(select(c.c.id)))
    categories = 0
    for cat_id, name, parent in CATEGORIES:
        if cat_id not in have:
            admin.create_category(conn, CategoryIn(id=cat_id, name=name, parent=parent), now)
            categories += 1
    calendars = 0
    present = set(conn.scalars(select(k.c.id)))
    for cal_id, calendar in CALENDARS.items():
        if cal_id not in present:
            resolved, warnings = admin.check_calendar(calendar, now)
            admin.put_calendar(conn, cal_id, calendar, resolved, warnings, now)
            calendars += 1
    policies = 0
    if not admin.list_policies(conn):
        admin.put_policies(conn, POLICIES, now)
        policies = len(POLICIES.policies)
    return {"categories": categories, "calendars": calendars, "policies": policies}
