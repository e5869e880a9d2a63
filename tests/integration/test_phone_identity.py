"""Phone identity acceptance: the table of written number shapes in tests/data/phone_formats.yaml.

Every case runs against SQLite directly (one parametrised test per case, fast to read when one
fails) and the whole table runs again through ``GET /api/v1/customers/lookup`` on both
backends, so the HTTP route, the DNIS region map and PostgreSQL answer the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Connection, create_engine

from customers import identity, service
from customers.phones import RegionPolicy
from customers.schemas import CustomerIn
from switchboard.core.wire import LookupResult
from switchboard.schema import metadata
from tests.conftest import LiveServer

TABLE = yaml.safe_load((Path(__file__).parent.parent / "data" / "phone_formats.yaml").read_text())
DNIS_REGIONS = {"85230012345": "HK"}
POLICY = RegionPolicy("CN", DNIS_REGIONS)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _id(case: dict[str, Any]) -> str:
    return f"{case['raw']!r}-{case.get('region') or case.get('dnis') or 'CN'}"


def test_the_table_is_big_enough_and_covers_every_status() -> None:
    cases = TABLE["cases"]
    assert len(cases) >= 60
    assert {c["status"] for c in cases} == {"known", "several", "unknown", "withheld"}


def load(conn: Connection) -> None:
    for data in TABLE["customers"]:
        data = dict(data)
        recent = data.pop("recent", False)
        row = CustomerIn.model_validate(data)
        customer_id = service.create_customer(conn, row, service.prepare(row, "CN"), NOW)
        if recent:
            service.note_interaction(conn, customer_id, NOW)


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        load(connection)
        yield connection
    engine.dispose()


def check(case: dict[str, Any], result: LookupResult) -> None:
    assert result.status.value == case["status"], result
    if result.candidates:
        top = result.candidates[0]
        assert (top.reason, top.name) == (case["reason"], case["name"]), result
    else:
        assert result.reason == case["reason"], result


@pytest.mark.parametrize("case", TABLE["cases"], ids=_id)
def test_phone_format(conn: Connection, case: dict[str, Any]) -> None:
    region = case.get("region") or POLICY.region_for(case.get("dnis"))
    check(case, identity.lookup(conn, case["raw"], region))


def test_a_shared_switchboard_lists_who_shares_it(conn: Connection) -> None:
    result = identity.lookup(conn, "010-8888 6666", "CN")
    (company,) = result.candidates
    assert (company.contact_id, company.shared_by) == (None, 6)
    assert sorted(c.name for c in company.contacts) == sorted(
        ["李娜", "王强", "赵敏", "孙丽", "周杰", "吴芳"]
    )


def test_below_the_threshold_each_contact_is_a_candidate(conn: Connection) -> None:
    result = identity.lookup(conn, "010-8888 6666", "CN", shared_threshold=7)
    assert result.status.value == "several"
    assert len(result.candidates) == 7  # the company line and six people
    assert all("shared number" not in c.reason for c in result.candidates)


def test_several_are_ranked_by_recent_interaction_then_value(conn: Connection) -> None:
    result = identity.lookup(conn, "021-6234 5678", "CN")
    # 陈明 was spoken with; 陈静 is tier A but has no interaction yet.
    assert [c.name for c in result.candidates] == ["陈明", "陈静"]


async def test_the_table_through_the_api(settings_factory: Any) -> None:
    import aiohttp

    from tests.conftest import start_server

    settings = settings_factory(
        phone={"region_by_dnis": {"+852 3001 2345": "HK"}, "shared_number_contacts": 5}
    )
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        admin = await live.token("admin", "table")
        from switchboard.core.http import DATABASE

        for data in TABLE["customers"]:
            data = dict(data)
            recent = data.pop("recent", False)
            status, body = await live.call("POST", "/api/v1/customers", admin, json=data)
            assert status == 201, body
            if recent:
                await app[DATABASE].writer.run(
                    lambda c, i=body["id"]: service.note_interaction(c, i, NOW)
                )
        failures = []
        for case in TABLE["cases"]:
            params = {"phone": case["raw"]}
            for key in ("region", "dnis"):
                if case.get(key):
                    params[key] = case[key]
            status, body = await live.call("GET", "/api/v1/customers/lookup", admin, params=params)
            assert status == 200, body
            try:
                check(case, LookupResult.model_validate(body))
            except AssertionError as exc:
                failures.append(f"{case['raw']!r}: {exc}")
        assert failures == []
    await server.close()


async def test_the_screen_pop_reads_by_dnis_and_records_the_interaction(
    settings_factory: Any,
) -> None:
    """The pop's lookup is the API's: the DNIS region map, the shared-number threshold; and a
    pop that names a customer ranks them first next time a number they share rings."""
    import aiohttp

    from tests.conftest import start_server
    from tests.integration.test_screen_pop import receive, ring, setup_agents

    settings = settings_factory(
        phone={"region_by_dnis": {"+852 3001 2345": "HK"}, "shared_number_contacts": 2}
    )
    app, server = await start_server(settings)
    async with aiohttp.ClientSession() as session:
        live = LiveServer(app, server, session, settings)
        admin = await live.token("admin", "pop")
        cti = await live.token("cti", "pbx1")
        customers = [
            {"kind": "individual", "name": "Chan Tai Man", "phones": ["+852 9123 4567"]},
            {
                "kind": "enterprise",
                "name": "Harbour Trading Ltd",
                "contacts": [
                    {"name": "Amy", "phones": ["+852 2123 4567"]},
                    {"name": "Ben", "phones": ["+852 2123 4567"]},
                ],
            },
            {"kind": "individual", "name": "陈静", "tier": "A", "phones": ["021-6234 5678"]},
            {"kind": "individual", "name": "陈明", "phones": ["021-6234 5678", "13900001111"]},
        ]
        ids = []
        for data in customers:
            status, body = await live.call("POST", "/api/v1/customers", admin, json=data)
            assert status == 201, body
            ids.append(body["id"])
        tokens = await setup_agents(live, admin)
        hdr = {"Authorization": f"Bearer {tokens['a-1']}"}
        async with live.session.ws_connect(live.ws_url(), headers=hdr) as ws:
            await receive(ws, "hello")
            hk = {**ring(1, "a-1", "9123 4567"), "to": "+852 3001 2345"}
            await live.call("POST", "/api/v1/cti/events", cti, json=hk)
            pop = await receive(ws, "screen_pop")
            assert pop["match"]["status"] == "known"
            assert pop["match"]["candidates"][0]["name"] == "Chan Tai Man"
            assert pop["match"]["candidates"][0]["reason"] == "national form"

            await live.call(
                "POST", "/api/v1/cti/events", cti, json=ring(2, "a-1", "+852 2123 4567")
            )
            pop = await receive(ws, "screen_pop")
            (company,) = pop["match"]["candidates"]
            assert (company["name"], company["shared_by"]) == ("Harbour Trading Ltd", 2)

            # Tier A first while neither was spoken with...
            await live.call("POST", "/api/v1/cti/events", cti, json=ring(3, "a-1", "021 6234 5678"))
            pop = await receive(ws, "screen_pop")
            assert [c["name"] for c in pop["match"]["candidates"]] == ["陈静", "陈明"]
            # ...then 陈明 calls from a number of their own and is popped: now they rank first.
            await live.call("POST", "/api/v1/cti/events", cti, json=ring(4, "a-1", "13900001111"))
            pop = await receive(ws, "screen_pop")
            assert pop["customer"]["id"] == ids[3]
        status, body = await live.call(
            "GET", "/api/v1/customers/lookup", admin, params={"phone": "021 6234 5678"}
        )
        assert status == 200
        assert [c["name"] for c in body["candidates"]] == ["陈明", "陈静"]
    await server.close()
