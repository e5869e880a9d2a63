"""The HMAC option of the JSON CTI endpoint: ``X-Switchboard-Signature``.

A source configured with a secret (``SWITCHBOARD_CTI_SECRETS__<token name>``) signs every body
it posts: the header carries the hex SHA-256 HMAC of the raw body under that secret (a
``sha256=`` prefix is accepted). Without the header the post is refused with 401, with a wrong
one with 403; nothing is stored. The comparison takes constant time and neither the secret nor
the signatures ever reach a log line or an answer.
"""

from __future__ import annotations

import hashlib
import hmac

from switchboard.core.errors import Forbidden, Unauthorized

HEADER = "X-Switchboard-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature of ``body``: hex HMAC-SHA256 under ``secret``."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check(source: str, secret: str, body: bytes, header: str | None) -> None:
    """Accept a body signed with ``secret``; raise 401 (unsigned) or 403 (bad signature)."""
    if header is None or not header.strip():
        raise Unauthorized(
            f"source {source!r} signs its events: send {HEADER} "
            "(hex HMAC-SHA256 of the body with the source's secret)",
            field=HEADER,
        )
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    if not hmac.compare_digest(
        given.lower().encode("ascii", "replace"), sign(secret, body).encode()
    ):
        raise Forbidden(f"{HEADER} does not match the body for source {source!r}", field=HEADER)
