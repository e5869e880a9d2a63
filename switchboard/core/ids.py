"""Identifiers that are safe to show and to put in URLs."""

from __future__ import annotations

import secrets
import uuid


def new_call_id() -> str:
    return f"c-{uuid.uuid4().hex[:16]}"


def new_token_secret() -> str:
    """An API token: 'sb_' and 43 URL-safe characters (256 bits)."""
    return "sb_" + secrets.token_urlsafe(32)
