"""Phone identity: any written form of a number to the key it is matched on.

Normalisation uses Google's libphonenumber (the ``phonenumbers`` package) with a default
region for numbers written without a country code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from phonenumbers import CountryCodeSource

from customers.model import PhoneKey
from switchboard.core.settings import Settings

_EXT = re.compile(r"(?:ext\.?|extension|x|转|分机|#|,|;)\s*(\d{1,8})\s*#?$", re.IGNORECASE)
_NOISE = re.compile(r"^(?:tel:|sip:)", re.IGNORECASE)


class NotAPhoneNumber(ValueError):
    """The text cannot be read as a phone number in the given region."""


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _NOISE.sub("", text)
    if "@" in text:  # sip:+8613812345678@pbx.example.com
        text = text.split("@", 1)[0]
    return text


def split_extension(raw: str) -> tuple[str, str | None]:
    text = _clean(raw)
    match = _EXT.search(text)
    if match and len(re.sub(r"\D", "", text[: match.start()])) >= 6:
        return text[: match.start()].strip(), match.group(1)
    return text, None


@lru_cache(maxsize=65536)
def normalise(raw: str, region: str, ext: str | None = None) -> PhoneKey:
    """The matching key of ``raw``; raises :class:`NotAPhoneNumber` when it is not a number.

    ``ext`` given separately wins over an extension written inside ``raw``. Memoised: the same
    callers ring again and again, and parsing is the costly part of a lookup.
    """
    text, written_ext = split_extension(raw)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3 or len(digits) > 17:
        raise NotAPhoneNumber(f"{raw!r} is not a phone number")
    try:
        parsed = phonenumbers.parse(text, region.upper(), keep_raw_input=True)
    except phonenumbers.NumberParseException as exc:
        raise NotAPhoneNumber(f"{raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(parsed):
        raise NotAPhoneNumber(f"{raw!r} is not a possible number for region {region}")
    source = parsed.country_code_source
    national = source == CountryCodeSource.FROM_DEFAULT_COUNTRY
    reading = None
    if source == CountryCodeSource.FROM_NUMBER_WITHOUT_PLUS_SIGN:
        if _trunk_prefixed(digits, region):
            national = True  # 1-415-555-0100: in the US the trunk prefix is the country code
        else:
            reading = "country code without +"  # 8613812345678
    if national and not phonenumbers.is_valid_number(parsed):
        # A PBX that drops the "+": 85221234567 on a mainland trunk is Hong Kong's number.
        abroad = _international(digits)
        if abroad is not None:
            parsed, national, reading = abroad, False, "country code without +"
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    chosen_ext = (ext or "").strip() or written_ext or (parsed.extension or None)
    return PhoneKey(e164=e164, ext=chosen_ext, national_form=national, reading=reading)


def _trunk_prefixed(digits: str, region: str) -> bool:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    prefix = metadata.national_prefix if metadata is not None else None
    return bool(prefix) and digits.startswith(prefix)


def _international(digits: str) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def national_number(e164: str) -> str | None:
    """The national significant number of an E.164 key ("1088886666" for +861088886666)."""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None


def _digits_of(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class RegionPolicy:
    """The region a number written without its country code is read in, for one call.

    A trunk or a dialled number (DNIS) may belong to another country than the default: the
    Hong Kong hotline's callers write 8-digit Hong Kong numbers. The trunk (the telephony
    source an event came from) decides first, then the DNIS, then the default region. DNIS
    keys are compared by their digits, so "+852 3001 2345" and "85230012345" are one key.
    """

    default: str = "CN"
    by_dnis: Mapping[str, str] = field(default_factory=dict)
    by_trunk: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        dnis = {_digits_of(k): v.upper() for k, v in self.by_dnis.items() if _digits_of(k)}
        object.__setattr__(self, "by_dnis", dnis)
        object.__setattr__(self, "by_trunk", {k: v.upper() for k, v in self.by_trunk.items()})

    def region_for(self, dnis: str | None = None, trunk: str | None = None) -> str:
        if trunk and trunk in self.by_trunk:
            return self.by_trunk[trunk]
        if dnis and self.by_dnis:
            digits = _digits_of(dnis)
            for key in (digits, digits.lstrip("0")):
                if key in self.by_dnis:
                    return self.by_dnis[key]
        return self.default


@lru_cache(maxsize=65536)
def display(e164: str, ext: str | None = None) -> str:
    """The international form a person reads: '+86 138 1234 5678', with ' ext 12'."""
    try:
        text = phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        text = e164
    return f"{text} ext {ext}" if ext else text


def region_policy(settings: Settings) -> RegionPolicy:
    """The region policy the settings describe (``SWITCHBOARD_PHONE__REGION_BY_*``)."""
    return RegionPolicy(
        settings.default_region, settings.phone.region_by_dnis, settings.phone.region_by_trunk
    )
