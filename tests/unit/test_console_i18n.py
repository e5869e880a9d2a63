"""The console's strings: every one translated into Chinese, the compiled catalog current,
placeholders kept, and the language chosen from the config or the locale."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from console import i18n

PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "console.po"
MO = PO.with_suffix(".mo")
CONSOLE = Path(i18n.__file__).parent


def catalog() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_every_console_string_has_a_chinese_translation() -> None:
    shown = {message for _f, _l, message, _c, _x in extract_from_dir(str(CONSOLE))}
    translations = catalog()
    untranslated = sorted(m for m in shown if isinstance(m, str) and not translations.get(m))
    assert untranslated == [], "run `make i18n` and translate these"


def test_placeholders_survive_translation() -> None:
    for english, chinese in catalog().items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", chinese)), english


def test_the_compiled_catalog_is_current() -> None:
    with PO.open("rb") as handle:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(handle))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with MO.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert shipped._catalog == fresh._catalog  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LANGUAGE": "zh_CN:en"}, "zh"),
        (None, {}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
    ],
)
def test_language_from_config_then_locale(
    configured: str | None, environ: dict[str, str], expected: str
) -> None:
    assert i18n.choose_language(configured, environ) == expected


def test_use_language_switches_the_strings() -> None:
    try:
        i18n.use_language("zh")
        assert i18n._("Available") == "空闲"
        assert i18n._("{time} left").format(time="1:00") == "剩余 1:00"
        i18n.use_language("en")
        assert i18n._("Available") == "Available"
    finally:
        i18n.use_language("en")
