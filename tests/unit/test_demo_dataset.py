"""The demo data set: shape, determinism, valid numbers in many shapes, deliberate sharing."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import phonenumbers
import pytest

from routing.schemas import AgentIn
from switchboard.demo.dataset import (
    CALLER_KINDS,
    WITHHELD_NUMBERS,
    CallerPicker,
    Holding,
    demo_agents,
    demo_customers,
    numbers_by_e164,
    phone_text,
    to_e164,
)

SKILLS = {"billing", "sales", "tech_support", "complaints", "vip", "english"}
CJK = re.compile(r"[\u4e00-\u9fff]")
REGION_OF_CITY = {
    "Hong Kong": "HK",
    "San Francisco": "US",
    "New York": "US",
    "Chicago": "US",
    "Boston": "US",
    "Seattle": "US",
    "Los Angeles": "US",
    "London": "GB",
    "Manchester": "GB",
    "Edinburgh": "GB",
    "Birmingham": "GB",
}

# Every shape the brief lists, as (description, pattern on the written text, needs an ext)
SHAPES: list[tuple[str, str, bool]] = [
    ("13812345678", r"1\d{10}", False),
    ("+86 138 1234 5678", r"\+86 1\d{2} \d{4} \d{4}", False),
    ("0086-138-1234-5678", r"0086-1\d{2}-\d{4}-\d{4}", False),
    ("+8613812345678", r"\+861\d{10}", False),
    ("(010) 8888-6666", r"\(0\d{2,3}\) \d{4}-\d{4}", False),
    ("010-8888 6666 with an extension", r"0\d{2,3}-\d{4} \d{4}", True),
    ("021 6666 8888", r"0\d{2,3} \d{4} \d{4}", False),
    ("+852 2123 4567", r"\+852 [2-9]\d{3} \d{4}", False),
    ("+1 (415) 392-0100", r"\+1 \(\d{3}\) \d{3}-\d{4}", False),
    ("+1 415-392-0100 x204", r"\+1 \d{3}-\d{3}-\d{4} x\d+", False),
    ("+44 20 7946 0958", r"\+44 20 \d{4} \d{4}", False),
    ("+44 (0)20 7946 0958", r"\+44 \(0\)\d{2,4} \d{3,4} \d{4}", False),
]


@pytest.fixture(scope="module")
def customers() -> list[dict[str, Any]]:
    return demo_customers()


@pytest.fixture(scope="module")
def index(customers: list[dict[str, Any]]) -> dict[str, list[Holding]]:
    return numbers_by_e164(customers)


def all_phones(customer: dict[str, Any]) -> list[Any]:
    phones = list(customer["phones"])
    for contact in customer.get("contacts", []):
        phones.extend(contact["phones"])
    return phones


def holders(holdings: list[Holding]) -> set[tuple[int, int | None]]:
    return {(h.customer, h.contact) for h in holdings}


def shared_numbers(index: dict[str, list[Holding]]) -> dict[str, list[Holding]]:
    return {e164: hs for e164, hs in index.items() if len(holders(hs)) >= 2}


# ---- agents ------------------------------------------------------------------------------


def test_agents_are_enough_and_well_formed() -> None:
    agents = demo_agents()
    assert len(agents) >= 10
    assert agents[0]["id"] == "a-1001"
    assert agents[0]["extension"] == "1001"
    assert len({a["id"] for a in agents}) == len(agents)
    assert len({a["extension"] for a in agents}) == len(agents)
    for agent in agents:
        assert set(agent) == {"id", "name", "extension", "skills", "languages", "team", "region"}
        AgentIn.model_validate(agent)  # what POST /api/v1/agents takes
        assert agent["skills"], agent
        assert set(agent["skills"]) <= SKILLS
        assert all(isinstance(v, int) and 1 <= v <= 5 for v in agent["skills"].values())
        assert agent["languages"]
        assert set(agent["languages"]) <= {"zh", "en"}
    chinese = [a for a in agents if CJK.search(a["name"])]
    assert 0 < len(chinese) < len(agents)  # mixed Chinese and English names
    # Two regions, two teams in each: enough for the leaderboards by team and region.
    assert {a["region"] for a in agents} == {"华东", "华南"}
    assert len({(a["region"], a["team"]) for a in agents}) == 4


def test_agents_are_fresh_copies() -> None:
    demo_agents()[0]["skills"]["billing"] = 99
    assert demo_agents()[0]["skills"]["billing"] == 3


# ---- customers: counts, determinism, shape -----------------------------------------------


def test_counts(customers: list[dict[str, Any]]) -> None:
    assert len(customers) == 240
    assert len(demo_customers(37, seed=5)) == 37
    assert demo_customers(0) == []
    external_ids = [c["external_id"] for c in customers]
    assert len(set(external_ids)) == len(external_ids)
    assert all(re.fullmatch(r"DEMO-\d{6}", e) for e in external_ids)
    kinds = Counter(c["kind"] for c in customers)
    assert kinds["individual"] >= 100
    assert kinds["enterprise"] >= 30


def test_same_seed_same_data_other_seed_other_data(customers: list[dict[str, Any]]) -> None:
    assert demo_customers() == customers
    assert demo_customers(240, seed=2026) == customers
    assert demo_customers(240, seed=7) != customers


def test_global_random_is_left_alone() -> None:
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    demo_customers(30, seed=3)
    CallerPicker(demo_customers(30, seed=3), seed=3).next("unknown")
    assert random.random() == expected


def test_customer_shape(customers: list[dict[str, Any]]) -> None:
    for customer in customers:
        assert customer["kind"] in {"individual", "enterprise"}
        assert customer["name"]
        assert customer["tier"] in {"A", "B", "C", None}
        assert isinstance(customer["tags"], list)
        assert customer["phones"], customer
        assert all("@" in e for e in customer["emails"])
        for phone in all_phones(customer):
            if isinstance(phone, dict):
                assert set(phone) <= {"number", "ext", "type"}
                assert phone["type"] in {"office", "mobile", "home"}
                assert "ext" not in phone or phone["ext"].isdigit()
            else:
                assert isinstance(phone, str)
        if customer["kind"] == "enterprise":
            assert 2 <= len(customer["contacts"]) <= 4
            assert customer["short_name"]
            assert customer["industry"]
            for contact in customer["contacts"]:
                assert contact["name"]
                assert contact["phones"]
                assert set(contact) == {"name", "title", "phones", "emails"}
        else:
            assert "contacts" not in customer


def test_mostly_chinese_with_international(customers: list[dict[str, Any]]) -> None:
    mainland = [c for c in customers if c["city"] and c["city"].endswith("市")]
    share = len(mainland) / len(customers)
    assert 0.65 <= share <= 0.85, share
    assert all(CJK.search(c["name"]) for c in mainland)
    companies = [c["name"] for c in mainland if c["kind"] == "enterprise"]
    assert companies
    assert all(re.fullmatch(r".+市.+有限公司", name) for name in companies)
    foreign_regions = {REGION_OF_CITY[c["city"]] for c in customers if c not in mainland}
    assert foreign_regions == {"US", "GB", "HK"}
    assert any(not CJK.search(c["name"]) for c in customers)


# ---- numbers -------------------------------------------------------------------------------


def test_every_number_is_valid_and_in_the_customers_region(
    customers: list[dict[str, Any]],
) -> None:
    for customer in customers:
        city = customer["city"]
        expected = "CN" if city.endswith("市") else REGION_OF_CITY[city]
        for phone in all_phones(customer):
            text = phone_text(phone)
            parsed = phonenumbers.parse(text, "CN")
            assert phonenumbers.is_valid_number(parsed), text
            region = phonenumbers.region_code_for_number(parsed)
            assert region == expected, (customer["name"], text, region)
            if region != "CN":
                # only mainland numbers may be written without their country code
                assert text.startswith(("+", "00")), text
            if region == "CN" and not text.startswith(("+", "00")):
                assert phonenumbers.is_valid_number_for_region(parsed, "CN")


def test_mainland_mobiles_are_real_mobile_ranges(customers: list[dict[str, Any]]) -> None:
    mobiles = 0
    for customer in customers:
        for phone in all_phones(customer):
            parsed = phonenumbers.parse(phone_text(phone), "CN")
            mobile = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
            if mobile and phonenumbers.region_code_for_number(parsed) == "CN":
                mobiles += 1
                assert re.fullmatch(r"1[358]\d{9}", str(parsed.national_number))
    assert mobiles >= 150


@pytest.mark.parametrize(("shape", "pattern", "needs_ext"), SHAPES, ids=[s[0] for s in SHAPES])
def test_every_written_shape_appears(
    customers: list[dict[str, Any]], shape: str, pattern: str, needs_ext: bool
) -> None:
    found = []
    for customer in customers:
        for phone in all_phones(customer):
            if needs_ext and (isinstance(phone, str) or not phone.get("ext")):
                continue
            if re.fullmatch(pattern, phone_text(phone)):
                found.append(phone)
    assert found, f"no number written like {shape}"
    assert all(to_e164(p) for p in found)


def test_extensions_are_kept_apart_from_the_number(customers: list[dict[str, Any]]) -> None:
    with_ext = [p for c in customers for p in all_phones(c) if isinstance(p, dict) and p.get("ext")]
    assert len(with_ext) >= 5
    x_ext = [p for c in customers for p in all_phones(c) if " x" in phone_text(p)]
    for phone in x_ext:
        parsed = phonenumbers.parse(phone_text(phone), "CN")
        assert parsed.extension
        assert phonenumbers.is_valid_number(parsed)


# ---- sharing -------------------------------------------------------------------------------


def test_at_least_ten_deliberately_shared_numbers(
    customers: list[dict[str, Any]], index: dict[str, list[Holding]]
) -> None:
    shared = shared_numbers(index)
    assert len(shared) >= 10
    switchboards = families = 0
    for e164, holdings in shared.items():
        assert len(holders(holdings)) >= 2
        written = {h.written for h in holdings}
        assert len(written) >= 2, (e164, written)  # written in different shapes ...
        assert {to_e164(w) for w in written} == {e164}  # ... yet one E.164
        owners = {h.customer for h in holdings}
        if len(owners) == 1:
            (owner,) = owners
            assert customers[owner]["kind"] == "enterprise"
            assert any(h.contact is None for h in holdings)  # the company's own number
            assert sum(h.contact is not None for h in holdings) >= 2
            switchboards += 1
        else:
            assert 2 <= len(owners) <= 3
            assert all(customers[o]["kind"] == "individual" for o in owners)
            assert all(h.contact is None for h in holdings)
            assert len({customers[o]["city"] for o in owners}) == 1
            families += 1
    assert switchboards >= 3
    assert families >= 3


def test_no_accidental_sharing(
    customers: list[dict[str, Any]], index: dict[str, list[Holding]]
) -> None:
    for e164, holdings in index.items():
        # nobody lists the same number twice
        assert len(holders(holdings)) == len(holdings), e164
        if len(holdings) == 1:
            continue
        parsed = phonenumbers.parse(e164)
        # only landlines are shared: a mobile belongs to one person
        assert phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE, e164
        owners = {h.customer for h in holdings}
        enterprise = len(owners) == 1 and customers[next(iter(owners))]["kind"] == "enterprise"
        family = all(customers[o]["kind"] == "individual" for o in owners) and len(owners) >= 2
        assert enterprise or family, (e164, holdings)


@pytest.mark.parametrize("seed", [1, 2, 3, 99])
def test_other_seeds_keep_the_guarantees(seed: int) -> None:
    customers = demo_customers(240, seed=seed)
    index = numbers_by_e164(customers)  # raises on an invalid number
    assert len(shared_numbers(index)) >= 10


# ---- callers -------------------------------------------------------------------------------


def test_caller_picker_gives_each_kind(
    customers: list[dict[str, Any]], index: dict[str, list[Holding]]
) -> None:
    picker = CallerPicker(customers, seed=11)
    for _ in range(40):
        known = picker.next("known")
        e164 = to_e164(known)
        assert e164 in index, known
        holdings = index[e164]
        assert len(holdings) == 1
        stored = holdings[0].written
        assert known != stored
        assert re.sub(r"\D", "", known) != re.sub(r"\D", "", stored), (known, stored)

        several = picker.next("several")
        e164 = to_e164(several)
        assert e164 in index
        assert len(holders(index[e164])) >= 2

        unknown = picker.next("unknown")
        e164 = to_e164(unknown)
        assert e164 is not None, unknown
        assert e164 not in index

        assert picker.next("withheld") in WITHHELD_NUMBERS


def test_caller_picker_is_deterministic_and_strict(customers: list[dict[str, Any]]) -> None:
    first = CallerPicker(customers, seed=4)
    second = CallerPicker(customers, seed=4)
    kinds = list(CALLER_KINDS) * 5
    assert [first.next(k) for k in kinds] == [second.next(k) for k in kinds]
    with pytest.raises(ValueError, match="kind"):
        first.next("vip")


def test_withheld_covers_what_pbxs_send(customers: list[dict[str, Any]]) -> None:
    picker = CallerPicker(customers, seed=1)
    seen = {picker.next("withheld") for _ in range(200)}
    assert seen == set(WITHHELD_NUMBERS)


def test_caller_picker_without_shared_numbers_says_so() -> None:
    lonely = [{"kind": "individual", "name": "张伟", "phones": ["13812345678"], "emails": []}]
    picker = CallerPicker(lonely, seed=1)
    assert to_e164(picker.next("known")) == "+8613812345678"
    with pytest.raises(ValueError, match="several"):
        picker.next("several")
