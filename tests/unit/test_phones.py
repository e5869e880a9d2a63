"""Phone identity: every written shape of a number reaches the same key."""

from __future__ import annotations

import pytest

from customers.model import PhoneKey, is_withheld, match_reasons
from customers.phones import NotAPhoneNumber, display, normalise

CASES = [
    ("13812345678", "CN", "+8613812345678", None),
    ("+86 138 1234 5678", "CN", "+8613812345678", None),
    ("0086-138-1234-5678", "CN", "+8613812345678", None),
    ("008613812345678", "CN", "+8613812345678", None),
    ("+86 (0) 138 1234 5678", "CN", "+8613812345678", None),
    ("１３８１２３４５６７８", "CN", "+8613812345678", None),
    ("138-1234-5678", "CN", "+8613812345678", None),
    ("sip:+8613812345678@pbx.example.com", "CN", "+8613812345678", None),
    ("tel:+86-138-1234-5678", "CN", "+8613812345678", None),
    ("010-8888 6666", "CN", "+861088886666", None),
    ("(010) 8888-6666", "CN", "+861088886666", None),
    ("010-8888 6666 ext 12", "CN", "+861088886666", "12"),
    ("010-88886666转12", "CN", "+861088886666", "12"),
    ("010 8888 6666 x12", "CN", "+861088886666", "12"),
    ("0755-2130 4118", "CN", "+8675521304118", None),
    ("+852 2123 4567", "CN", "+85221234567", None),
    ("00852 2123 4567", "CN", "+85221234567", None),
    ("(415) 555-0100", "US", "+14155550100", None),
    ("+1 415-555-0100 x204", "CN", "+14155550100", "204"),
    ("+44 20 7946 0958", "CN", "+442079460958", None),
    ("020 7946 0958", "GB", "+442079460958", None),
    ("020 7946 0958", "CN", "+862079460958", None),  # Guangzhou under the default region
]


@pytest.mark.parametrize(("raw", "region", "e164", "ext"), CASES)
def test_normalise(raw: str, region: str, e164: str, ext: str | None) -> None:
    key = normalise(raw, region)
    assert (key.e164, key.ext) == (e164, ext)


def test_separate_extension_wins() -> None:
    assert normalise("010-8888 6666 ext 12", "CN", ext="34").ext == "34"


@pytest.mark.parametrize("raw", ["12", "hello", "++++", "1" * 30, "0"])
def test_not_a_number(raw: str) -> None:
    with pytest.raises(NotAPhoneNumber):
        normalise(raw, "CN")


@pytest.mark.parametrize(
    "raw", ["anonymous", "Anonymous", "", "private", "unknown", "<unknown>", "Restricted", "匿名"]
)
def test_withheld(raw: str) -> None:
    assert is_withheld(raw)


def test_a_number_is_not_withheld() -> None:
    assert not is_withheld("13812345678")


def test_reasons() -> None:
    assert match_reasons(PhoneKey("+861088886666", None, True), None) == ["national form"]
    assert match_reasons(PhoneKey("+861088886666", None, False), "12") == [
        "exact E.164",
        "extension ignored",
    ]
    assert match_reasons(PhoneKey("+861088886666", "12", False), "12") == [
        "exact E.164",
        "extension matches",
    ]
    assert match_reasons(PhoneKey("+861088886666", "12", False), "13") == [
        "exact E.164",
        "extension differs",
    ]


def test_display() -> None:
    assert display("+8613812345678") == "+86 138 1234 5678"
    assert display("+861088886666", "12") == "+86 10 8888 6666 ext 12"
