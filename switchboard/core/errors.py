"""Errors that reach a caller as ``{"error": {"code", "message", "field"}}`` with an HTTP status."""

from __future__ import annotations

from typing import Any


class SwitchboardError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return {"error": error}


class BadRequest(SwitchboardError):
    status = 400
    code = "bad_request"


class Unauthorized(SwitchboardError):
    status = 401
    code = "unauthorized"


class Forbidden(SwitchboardError):
    status = 403
    code = "forbidden"


class NotFound(SwitchboardError):
    status = 404
    code = "not_found"


class Conflict(SwitchboardError):
    status = 409
    code = "conflict"


class PayloadTooLarge(SwitchboardError):
    status = 413
    code = "payload_too_large"


class Unprocessable(SwitchboardError):
    status = 422
    code = "unprocessable"


class TooManyRequests(SwitchboardError):
    status = 429
    code = "too_many_requests"


class Unavailable(SwitchboardError):
    status = 503
    code = "unavailable"
