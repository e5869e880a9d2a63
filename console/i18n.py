"""Interface strings in English and Simplified Chinese (gettext).

Catalogs live in ``console/locale/<lang>/LC_MESSAGES/console.po`` and are compiled to ``.mo``
with ``make i18n`` (babel). The language comes from the console config or, failing that,
from ``LANGUAGE`` / ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``; anything not Chinese is English.

Strings are translated when shown (``_`` is called at render time), so the catalog chosen at
start-up by ``use_language`` applies everywhere. ``N_`` marks a string for extraction only.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "console"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "en", "zh": "zh_CN"}
_ENV_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def choose_language(configured: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``"zh"`` or ``"en"``: the configured language if set, else the locale's."""
    if configured:
        return "zh" if configured.lower().startswith("zh") else "en"
    for name in _ENV_ORDER:
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def use_language(language: str) -> None:
    """Translate every string shown from now on into ``language`` (``"en"`` or ``"zh"``)."""
    global _current, _language
    code = LANGUAGES.get(language, "en")
    _language = language if language in LANGUAGES else "en"
    if code == "en":
        _current = gettext.NullTranslations()
        return
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (it is translated when shown)."""
    return message
