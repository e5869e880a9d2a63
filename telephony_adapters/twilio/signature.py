"""Twilio's documented webhook signature: HMAC of the full URL followed by every POST parameter
(names sorted, each name followed by its value), keyed by the account's auth token, base64.

HMAC-SHA1 unless the ``X-Twilio-Webhooks-Signature-Settings`` header names ``HMAC_SHA256``.
The URL is tried with and without its default port, as Twilio's own libraries do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

ALGORITHMS = {"HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256}
DEFAULT_PORTS = {"https": 443, "http": 80}


def algorithm_of(settings_header: str | None) -> str:
    for part in (settings_header or "").split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip() == "algorithm" and value.strip():
            return value.strip().upper()
    return "HMAC_SHA1"


def sign(
    url: str, params: Mapping[str, Sequence[str]], auth_token: str, algorithm: str = "HMAC_SHA1"
) -> str:
    digest = ALGORITHMS[algorithm]
    text = url
    for name in sorted(params):
        for value in sorted(set(params[name])):
            text += name + value
    mac = hmac.new(auth_token.encode(), text.encode("utf-8"), digest)
    return base64.b64encode(mac.digest()).decode()


def _port_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    without = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    with_port = urlunsplit(
        (parts.scheme, f"{host}:{parts.port or default}", parts.path, parts.query, parts.fragment)
    )
    return [url, without, with_port]


def valid(
    url: str,
    params: Mapping[str, Sequence[str]],
    auth_token: str,
    signature: str,
    settings_header: str | None = None,
) -> bool:
    algorithm = algorithm_of(settings_header)
    if algorithm not in ALGORITHMS or not signature:
        return False
    return any(
        hmac.compare_digest(sign(candidate, params, auth_token, algorithm), signature)
        for candidate in _port_variants(url)
    )
